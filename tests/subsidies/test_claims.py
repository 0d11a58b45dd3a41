"""Claims at certification, applying, review, budget, payments, amendments and clawback (services.claims)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.contracts import services as contracts
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.notifications.models import Notification
from techtransfer.outbox import registry
from techtransfer.subsidies import services
from techtransfer.subsidies.models import Budget, Claim, ClaimEntry, ClaimStatus, EntryKind, Policy
from techtransfer.subsidies.receivers import on_contract_changed
from techtransfer.subsidies.services import claims

D = Decimal
BANK = {"bank_name": "中国工商银行昆明五华支行", "bank_account": "6222 0210 0101 2345",
        "account_name": "五华测试科技有限公司"}

pytestmark = pytest.mark.django_db(transaction=True)


def certify(cw, capture, **overrides):
    """Certify a contract through the real flow; the outbox relays contracts.changed on commit."""
    with capture(execute=True):
        contract = cw.certified(**overrides)
    return contract


def local_claim(contract) -> Claim:
    return Claim.objects.get(contract=contract, policy__code="yn-local")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_certification_creates_a_candidate_notifies_the_beneficiary_and_audits(cw, capture):
    contract = certify(cw, capture)
    claim = local_claim(contract)
    assert claim.status == ClaimStatus.CANDIDATE
    assert claim.beneficiary_key == f"org:{cw.w.wuhua_org.pk}" and claim.organization == cw.w.wuhua_org
    assert claim.region_id == cw.wuhua and claim.year == contract.registered_on.year
    assert claim.amount == (contract.tech_amount * D("0.20")).quantize(D("0.01"))
    assert claim.base == contract.tech_amount and claim.decision["eligible"] is True
    assert claim.decision["version"] == 1 and claim.decision["lines"][0]["step"] == "base"
    notice = Notification.objects.get(user=cw.w.org_admin)
    assert claim.policy.name in notice.title and str(claim.amount) in notice.title
    assert not Notification.objects.filter(user=cw.w.member).exists()  # administrators apply, not members
    assert AuditEntry.objects.filter(action="subsidies.claim_candidate", object_id=str(claim.pk)).exists()
    # yn-absorb needs a seller from outside the province: no candidate for the buyer.
    assert not Claim.objects.filter(contract=contract, policy__code="yn-absorb").exists()


def applied(cw, capture, **overrides) -> Claim:
    claim = local_claim(certify(cw, capture, **overrides))
    return claims.apply(cw.w.org_admin, claim, **BANK)


def approved(cw, capture, **overrides) -> Claim:
    return claims.approve(cw.w.wuhua_admin, applied(cw, capture, **overrides))


def test_the_handler_may_run_twice_the_contract_is_claimed_once(cw, capture):
    contract = certify(cw, capture)
    before = Claim.objects.filter(contract=contract).count()
    delivery = registry.Delivery(0, "contracts.changed", {"contract": contract.pk, "kind": "certified"}, 0.0)
    assert on_contract_changed(delivery) == 0 and on_contract_changed(delivery) == 0
    assert claims.generate_candidates(contract) == []
    assert Claim.objects.filter(contract=contract).count() == before == 1
    assert on_contract_changed(registry.Delivery(0, "contracts.changed", {"contract": 0, "kind": "certified"}, 0)) == 0


def test_a_party_without_a_linked_organization_gets_no_candidate(cw, capture):
    buyer = {"name": "盘龙某公司", "credit_code": cw.credit_code("530103"), "region": "530103",
             "party_type": "enterprise"}
    contract = certify(cw, capture, buyer=buyer)
    assert contract.buyer.organization_id is None
    assert local_claim(contract).beneficiary_role == "seller"  # the seller still claims
    assert not Claim.objects.filter(contract=contract, beneficiary_role="buyer").exists()


def test_apply_validates_the_bank_fields_and_only_the_beneficiary_administrators_apply(cw, capture):
    claim = local_claim(certify(cw, capture))
    for field, value in (("bank_account", "1234-56"), ("bank_account", "62220210010123ab"),
                         ("bank_account", "1" * 33), ("bank_name", "  "), ("account_name", "")):
        with pytest.raises(DomainError) as exc:
            claims.apply(cw.w.org_admin, claim, **{**BANK, field: value})
        assert exc.value.field == field and exc.value.status == 400
    for outsider in (cw.w.member, cw.w.wuhua_admin, cw.w.visitor):
        with pytest.raises(Forbidden):
            claims.apply(outsider, claim, **BANK)
    claim = claims.apply(cw.w.org_admin, claim, **BANK, documents_note="合同登记证明、发票")
    assert claim.status == ClaimStatus.APPLIED and claim.bank_account == "6222021001012345"
    assert claim.applied_by == cw.w.org_admin
    # the reviewers in scope are told: the county, city and province administrators, not another county's
    told = set(Notification.objects.filter(title__contains=claim.policy.name).values_list("user__username", flat=True))
    assert {"wuhua_admin", "kunming_admin", "province_admin"} <= told and "panlong_admin" not in told
    with pytest.raises(Conflict) as exc:
        claims.apply(cw.w.org_admin, claim, **BANK)
    assert exc.value.code == "wrong_state"


def test_approve_reserves_the_budget_and_notifies_the_applicant(cw, capture):
    claim = approved(cw, capture)
    assert claim.status == ClaimStatus.APPROVED and claim.reviewed_by == cw.w.wuhua_admin
    budget = Budget.objects.get(policy=claim.policy, year=claim.year)
    assert budget.reserved == claim.amount and budget.amount is None  # yn-local ships without a budget cap
    assert list(claim.entries.values_list("kind", "amount")) == [(EntryKind.RESERVED, claim.amount)]
    assert Notification.objects.filter(user=cw.w.org_admin, title__contains=str(claim.amount)).count() >= 2
    assert AuditEntry.objects.filter(action="subsidies.claim_approve", object_id=str(claim.pk)).exists()
    with pytest.raises(Conflict) as exc:
        claims.approve(cw.w.wuhua_admin, claim)
    assert exc.value.code == "wrong_state"


def test_refuse_needs_a_reason_and_tells_the_applicant(cw, capture):
    claim = applied(cw, capture)
    with pytest.raises(DomainError) as exc:
        claims.refuse(cw.w.wuhua_admin, claim, "  ")
    assert exc.value.field == "reason"
    claim = claims.refuse(cw.w.wuhua_admin, claim, "缺少技术合同登记证明")
    assert claim.status == ClaimStatus.REFUSED and claim.refusal_reason == "缺少技术合同登记证明"
    assert Notification.objects.filter(user=cw.w.org_admin, title__contains="缺少技术合同登记证明").exists()
    with pytest.raises(Conflict):
        claims.approve(cw.w.wuhua_admin, claim)


def test_partial_payments_until_paid_never_beyond_the_outstanding(cw, capture):
    claim = approved(cw, capture)
    total = claim.amount
    with pytest.raises(DomainError):
        claims.record_payment(cw.w.wuhua_admin, claim, "0")
    with pytest.raises(DomainError):
        claims.record_payment(cw.w.wuhua_admin, claim, "abc")
    with pytest.raises(Conflict):
        claims.record_payment(cw.w.wuhua_admin, claim, total + D("0.01"))
    with pytest.raises(Conflict):  # nothing is owed back
        claims.record_payment(cw.w.wuhua_admin, claim, D("-1"))
    claims.record_payment(cw.w.wuhua_admin, claim, D("50000.004"), reference="PAY-1")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED and claims.paid_total(claim) == D("50000.00")
    assert claims.outstanding(claim) == total - D("50000.00")
    entry = claims.record_payment(cw.w.wuhua_admin, claim, claims.outstanding(claim), reference="PAY-2")
    assert entry.kind == EntryKind.PAID and entry.reference == "PAY-2"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID and claims.outstanding(claim) == 0
    assert Budget.objects.get(policy=claim.policy, year=claim.year).paid == total
    with pytest.raises(Conflict):
        claims.record_payment(cw.w.wuhua_admin, claim, "1")


def test_budget_exhausted_is_a_conflict_and_nothing_is_reserved(cw, capture):
    first, second = applied(cw, capture), applied(cw, capture, name="第二份合同")
    Budget.objects.create(policy=first.policy, year=first.year, amount=first.amount + second.amount - D("0.01"))
    claims.approve(cw.w.wuhua_admin, first)
    with pytest.raises(Conflict) as exc:
        claims.approve(cw.w.kunming_admin, second)
    assert exc.value.code == "budget_exhausted" and exc.value.status == 409
    budget = Budget.objects.get(policy=first.policy, year=first.year)
    assert budget.reserved == first.amount <= budget.amount
    second.refresh_from_db()
    assert second.status == ClaimStatus.APPLIED and not second.entries.exists()


def _yn_local_with_yearly_cap(admin, cap: str) -> None:
    v1 = Policy.objects.get(code="yn-local").versions.get(number=1)
    draft = services.new_draft(admin, v1)
    draft.rules = {**draft.rules, "caps": {"per_case": "2000000.00", "per_beneficiary_year": cap}}
    draft.save()
    services.publish(admin, draft)


def test_the_yearly_cap_per_beneficiary_is_applied_at_approval(cw, capture):
    _yn_local_with_yearly_cap(cw.w.platform_admin, "300000.00")
    one, two, three = (applied(cw, capture, name=f"合同{i}") for i in range(3))
    assert one.amount == two.amount == three.amount == D("200000.00")  # nothing granted yet
    assert claims.approve(cw.w.wuhua_admin, one).amount == D("200000.00")
    two = claims.approve(cw.w.wuhua_admin, two)
    assert two.amount == D("100000.00")  # the cap leaves 100 000
    assert any(line.get("cap") == "per_beneficiary_year" for line in two.decision["lines"])
    with pytest.raises(Conflict) as exc:
        claims.approve(cw.w.wuhua_admin, three)
    assert exc.value.code == "cap_reached"
    # a fourth contract now gets no candidate at all
    fourth = certify(cw, capture, name="合同4")
    assert not Claim.objects.filter(contract=fourth).exists()


def test_an_amendment_recomputes_open_claims_and_adjusts_reservations(cw, capture):
    open_claim = local_claim(certify(cw, capture))
    held = approved(cw, capture, name="已批准的合同")
    budget = Budget.objects.get(policy=held.policy, year=held.year)
    assert budget.reserved == held.amount
    for claim in (open_claim, held):
        with capture(execute=True):
            contracts.amend(cw.reviewer, claim.contract, note="金额变更", contract_amount="500000.00")
    open_claim.refresh_from_db()
    held.refresh_from_db()
    assert open_claim.status == ClaimStatus.CANDIDATE and open_claim.amount == D("100000.00")
    assert held.status == ClaimStatus.APPROVED and held.amount == D("100000.00")
    assert list(held.entries.values_list("kind", "amount")) == [
        (EntryKind.RESERVED, D("200000.00")), (EntryKind.RELEASED, D("-100000.00"))]
    budget.refresh_from_db()
    assert budget.reserved == D("100000.00")


def test_cancellation_claws_back_a_paid_claim_and_deletes_nothing(cw, capture):
    claim = approved(cw, capture)
    candidate = local_claim(certify(cw, capture, name="未申请的合同"))
    claims.record_payment(cw.w.wuhua_admin, claim, claim.amount, reference="PAY-1")
    counts = (Claim.objects.count(), ClaimEntry.objects.count())
    for c in (claim, candidate):
        with capture(execute=True):
            contracts.cancel(cw.reviewer, c.contract, "双方协议解除")
    claim.refresh_from_db()
    candidate.refresh_from_db()
    assert candidate.status == claim.status == ClaimStatus.VOID
    assert candidate.decision["unmet"] == ["contract_cancelled"]
    assert Claim.objects.count() == counts[0] and ClaimEntry.objects.count() == counts[1] + 1
    clawback = claim.entries.get(kind=EntryKind.ADJUSTED)
    assert clawback.amount == -claim.amount and clawback.amount < 0
    assert claims.outstanding(claim) == -claim.amount  # owed back
    assert Notification.objects.filter(user=cw.w.org_admin, title__contains=str(claim.amount)).filter(
        title__contains="追回").exists()  # "Subsidy clawback" in the default language, zh-Hans
    budget = Budget.objects.get(policy=claim.policy, year=claim.year)
    assert budget.reserved == 0 and budget.paid == claim.amount
    # the handler runs again: nothing changes
    with capture(execute=True):
        claims.contract_changed(claim.contract, "cancelled")
    assert ClaimEntry.objects.count() == counts[1] + 1
    # the money comes back: a negative payment
    with pytest.raises(Conflict):
        claims.record_payment(cw.w.wuhua_admin, claim, -claim.amount - D("1"))
    claims.record_payment(cw.w.wuhua_admin, claim, -claim.amount, reference="RETURN-1")
    assert claims.outstanding(claim) == 0
    assert Budget.objects.get(pk=budget.pk).paid == 0


def test_a_county_administrator_cannot_act_on_another_countys_claim(cw, capture):
    claim = applied(cw, capture)
    for outsider in (cw.w.panlong_admin, cw.w.org_admin, cw.w.member, cw.reviewer):
        assert not claims.may_review(outsider, claim)
        with pytest.raises(Forbidden):
            claims.approve(outsider, claim)
        with pytest.raises(Forbidden):
            claims.refuse(outsider, claim, "不符合")
        assert claim not in claims.review_queue(outsider)
    assert not claims.visible_claims(cw.w.panlong_admin).filter(pk=claim.pk).exists()
    for reviewer in (cw.w.wuhua_admin, cw.w.kunming_admin, cw.w.province_admin, cw.w.platform_admin):
        assert list(claims.review_queue(reviewer)) == [claim]
        assert claims.may_see_bank(reviewer, claim)
    assert claims.may_see_bank(cw.w.member, claim) and not claims.may_apply(cw.w.member, claim)
    assert not claims.may_see_bank(cw.w.panlong_admin, claim)
    with pytest.raises(NotFound):
        claims.get_visible(cw.w.panlong_admin, claim.pk)
    assert claims.approve(cw.w.wuhua_admin, claim).status == ClaimStatus.APPROVED


def test_brokers_share_a_broker_reward_by_contribution_and_their_institution_claims(cw, capture):
    from techtransfer.people.models import Person
    from techtransfer.subsidies.models import PolicyVersion, VersionStatus

    policy = Policy.objects.create(code="yn-broker-test", name="测试经纪人奖励", region_id="530000")
    PolicyVersion.objects.create(
        policy=policy, number=1, status=VersionStatus.PUBLISHED, effective_from="2000-01-01",
        rules={"beneficiaries": ["broker", "institution"], "base": "tech_amount",
               "conditions": {"seller": {"region_inside": "policy"}},
               "formula": {"kind": "percentage", "rate": "0.01", "split_among_brokers": True}})
    contract = certify(cw, capture)
    assert not Claim.objects.filter(contract=contract, policy=policy).exists()  # no broker recorded yet
    agency = cw.kunming_point  # the brokers' institution
    one = Person.objects.create(name="甲经纪", organization=agency, region_id="530100")
    three = Person.objects.create(name="乙经纪", region_id="530103")
    with pytest.raises(Forbidden):
        claims.record_broker(cw.w.member, contract, one, "1")
    claims.record_broker(cw.reviewer, contract, one, "1")
    claims.record_broker(cw.reviewer, contract, three, "3")
    got = {c.beneficiary_key: c for c in Claim.objects.filter(contract=contract, policy=policy)}
    total = (contract.tech_amount * D("0.01")).quantize(D("0.01"))
    assert got[f"person:{one.pk}"].amount + got[f"person:{three.pk}"].amount == total
    assert got[f"person:{three.pk}"].amount == (total * 3 / 4).quantize(D("0.01"))
    assert got[f"person:{three.pk}"].region_id == "530103" and got[f"person:{one.pk}"].organization == agency
    assert got[f"org:{agency.pk}"].beneficiary_role == "institution"
    assert set(got) == {f"person:{one.pk}", f"person:{three.pk}", f"org:{agency.pk}"}
