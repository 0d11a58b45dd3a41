"""Demo subsidies — 奖补演示: the Yunnan policies get a yearly budget (a new published version, as an administrator
would do it), the latest demo contracts get their candidate claims, and the demo university and enterprise walk a
few claims through the whole life: applied, approved, refused, paid in two instalments, and a paid claim
partly clawed back when its contract is amended down. All through the services, so the audit trail, budget, ledger and
notifications are the real ones. Deterministic; does nothing without demo contracts or the demo accounts."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.contracts import services as contracts
from techtransfer.contracts.models import Status, TechContract
from techtransfer.core.errors import DomainError
from techtransfer.subsidies import services
from techtransfer.subsidies.models import Claim, ClaimStatus, Policy, VersionStatus
from techtransfer.subsidies.services import claims

N_CONTRACTS = 400
BUDGET = Decimal("30000000.00")  # per year, for each Yunnan policy
DEMO_POLICIES = ("yn-local", "yn-absorb")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_demo=True).first()


def _org_of(user: User | None) -> int | None:
    grant = user and RoleAssignment.objects.filter(user=user, role=Role.ORG_ADMIN).first()
    return grant.organization_id if grant else None


def load(progress) -> int:
    province, platform = _user("province"), _user("platform")
    if province is None or platform is None:
        progress("subsidies: no demo administrators; skipped")
        return 0
    contracts_qs = TechContract.objects.filter(is_demo=True, status=Status.CERTIFIED, registered_on__isnull=False)
    if not contracts_qs.exists():
        progress("subsidies: no certified demo contracts; skipped")
        return 0

    # 1. A yearly budget for the Yunnan policies: a new version, published by the province's administrator.
    for policy in Policy.objects.filter(code__in=DEMO_POLICIES):
        current = policy.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()
        if current is None or current.budget_per_year == BUDGET:
            continue
        draft = services.new_draft(province, current)
        draft.budget_per_year = BUDGET
        draft.note = "演示：设定年度预算 3000 万元"
        draft.save(update_fields=["budget_per_year", "note"])
        services.publish(province, draft)

    # 2. Candidates for the latest certified contracts and those of the demo university and enterprise (the demo
    # contracts are bulk-written, so the outbox event
    # that generates candidates in production was never published for them).
    demo_orgs = [org for org in (_org_of(_user("uni_admin")), _org_of(_user("ent_admin"))) if org]
    latest = list(contracts_qs.order_by("-registered_on", "-pk")[:N_CONTRACTS])
    seen = {c.pk for c in latest}
    latest += [c for c in contracts_qs.filter(Q(seller_org__in=demo_orgs) | Q(parties__organization__in=demo_orgs))
               .distinct().order_by("-registered_on", "-pk") if c.pk not in seen]
    made = 0
    for contract in latest:
        made += len(claims.generate_candidates(contract))
    progress(f"subsidies: {made} candidate claims for {len(latest)} demo contracts")

    # 3. The demo university and enterprise walk their claims through the life of a claim.
    walked = 0
    for username in ("uni_admin", "ent_admin"):
        applicant = _user(username)
        org_id = _org_of(applicant)
        if org_id is None:
            continue
        mine = list(Claim.objects.filter(organization_id=org_id, status=ClaimStatus.CANDIDATE).order_by("pk")[:5])
        for i, claim in enumerate(mine):
            try:
                claim = claims.apply(applicant, claim, bank_name="中国工商银行昆明分行（演示）",
                                       bank_account=f"62220240{claim.pk:010d}", account_name="演示单位",
                                       documents_note="技术合同登记证明、发票复印件（演示）")
                if i == 0:
                    continue  # stays in the review queue
                if i == 1:
                    claims.refuse(province, claim, "演示：发票金额与登记的技术交易额不一致，请补正后重新申请。")
                    continue
                claim = claims.approve(province, claim)
                if i == 2:
                    continue  # approved, waiting for payment
                half = (claim.amount / 2).quantize(Decimal("0.01"))
                claims.record_payment(platform, claim, half, reference=f"DEMO-PAY-{claim.pk}-1")
                claims.record_payment(platform, claim, claims.outstanding(claim),
                                        reference=f"DEMO-PAY-{claim.pk}-2")
                if i == 4:
                    # A paid claim whose contract is then amended down: the claim gets a clawback entry.
                    contract = claim.contract
                    decider = _decider_for(contract)
                    if decider is not None:
                        lower = (contract.contract_amount * Decimal("0.6")).quantize(Decimal("0.01"))
                        contracts.amend(decider, contract, note="演示：双方协议降低合同金额，申请变更登记。",
                                        contract_amount=lower)
                        claims.contract_changed(contract, "amended", actor=decider)
                walked += 1
            except DomainError as exc:  # e.g. the demo budget already used by an earlier run
                progress(f"subsidies: claim {claim.pk} not walked ({exc.message})")
    progress(f"subsidies: {walked} demo claims paid")
    return made


def _decider_for(contract) -> User | None:
    """Who may cancel the contract's registration: the demo reviewer of its registration point, else the platform
    administrator."""
    for username in ("reviewer", "platform"):
        user = _user(username)
        if user is not None and contracts.may_decide(user, contract):
            return user
    return None
