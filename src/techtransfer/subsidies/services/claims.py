"""Claims, budgets and payments — 奖补申领、预算与拨付 (docs/subsidies.md, "Claims, budget and payments").

A certified contract yields candidate claims (``generate_candidates``, run by the outbox handler of
``contracts.changed``); the beneficiary organization's administrators apply with bank details; an administrator of
a region inside the issuing region that contains the beneficiary approves (reserving the amount from the year's
budget under a row lock), refuses with a reason, and records payments. An amendment or a cancellation recomputes
the contract's open claims and adjusts approved and paid ones (a clawback is a negative ``adjusted`` entry).
Nothing is ever deleted; every state change is audited.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.audit import services as audit
from techtransfer.contracts.models import EventKind
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.notifications import services as notifications
from techtransfer.regions.services import is_within, scope_q
from techtransfer.subsidies import engine
from techtransfer.subsidies.models import (
    Budget,
    Claim,
    ClaimEntry,
    ClaimStatus,
    ContractBroker,
    EntryKind,
    Policy,
    PolicyVersion,
)
from techtransfer.subsidies.rules import parse_rules
from techtransfer.subsidies.services.policies import evaluate_contract, version_on

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("99999999999999.99")
MAX_CONTRIBUTION = Decimal("99999.99")
OPEN = (ClaimStatus.CANDIDATE, ClaimStatus.APPLIED)
GRANTED = (ClaimStatus.APPROVED, ClaimStatus.PAID)
ACCOUNT_RE = re.compile(r"^[0-9]{8,32}$")


# --- small helpers -------------------------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _money(value, field: str, *, allow_negative: bool = False) -> Decimal:
    """A yuan amount from a Decimal, int or decimal string, rounded to the fen half up; ``DomainError`` otherwise."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise DomainError(_("Give the amount in yuan, e.g. 1200.50."), field=field)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("Give the amount in yuan, e.g. 1200.50."), field=field) from None
    if not amount.is_finite():
        raise DomainError(_("Give the amount in yuan, e.g. 1200.50."), field=field)
    if abs(amount) > MAX_MONEY:
        raise DomainError(_("The amount is too large."), field=field)
    amount = amount.quantize(CENT, ROUND_HALF_UP)
    if amount < 0 and not allow_negative:
        raise DomainError(_("The amount cannot be negative."), field=field)
    return amount


def claim_url(claim: Claim) -> str:
    """The claim's page (built by the pages of the subsidies app), or "" while it is not routed."""
    try:
        return reverse("subsidies:claim", args=[claim.pk])
    except NoReverseMatch:
        return ""


def _beneficiary_users(claim: Claim) -> list[User]:
    users = permissions.org_administrators(claim.organization_id)
    if claim.person_id and claim.person.user_id and claim.person.user.is_active:
        users.append(claim.person.user)
    if claim.applied_by_id and claim.applied_by.is_active:
        users.append(claim.applied_by)
    return users


def _reviewers(claim: Claim) -> list[User]:
    """Region administrators who may review ``claim``; the platform administrators when there are none."""
    rows = RoleAssignment.objects.filter(role=Role.REGION_ADMIN, region__isnull=False).values_list(
        "user_id", "region_id")
    ids = [uid for uid, region in rows if _region_reviews(region, claim.policy.region_id, claim.region_id)]
    if not ids:
        ids = list(RoleAssignment.objects.filter(role=Role.PLATFORM_ADMIN).values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def _region_reviews(admin_region: str, policy_region: str, claim_region: str) -> bool:
    return is_within(admin_region, policy_region) and is_within(claim_region, admin_region)


# --- who may do what -----------------------------------------------------------------------------------------------


def _is_beneficiary_admin(user, claim: Claim) -> bool:
    p = permissions.principal(user)
    if not p.authenticated:
        return False
    if claim.organization_id and claim.organization_id in p.org_ids(Role.ORG_ADMIN):
        return True
    return bool(claim.person_id and claim.person.user_id and claim.person.user_id == p.user_id)


def _is_beneficiary_member(user, claim: Claim) -> bool:
    p = permissions.principal(user)
    if not p.authenticated:
        return False
    if claim.organization_id and claim.organization_id in p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN):
        return True
    return bool(claim.person_id and claim.person.user_id and claim.person.user_id == p.user_id)


def may_apply(user, claim: Claim) -> bool:
    """The beneficiary organization's administrators (or the beneficiary broker's own account)."""
    return _is_beneficiary_admin(user, claim)


def may_review(user, claim: Claim) -> bool:
    """Platform administrators, and region administrators whose region lies inside the policy's issuing region and
    contains the claim's (beneficiary's) region: a county administrator does not act on another county's claims."""
    p = permissions.principal(user)
    if p.is_platform_admin:
        return True
    return any(_region_reviews(r, claim.policy.region_id, claim.region_id) for r in p.regions(Role.REGION_ADMIN))


def may_pay(user, claim: Claim) -> bool:
    return may_review(user, claim)


def may_see_bank(user, claim: Claim) -> bool:
    """The restricted fields (``Claim.RESTRICTED_FIELDS``): the beneficiary's members and reviewers in scope."""
    return _is_beneficiary_member(user, claim) or may_review(user, claim)


def _review_q(user) -> Q:
    p = permissions.principal(user)
    if p.is_platform_admin:
        return Q()
    regions = p.regions(Role.REGION_ADMIN)
    if not regions:
        return Q(pk__in=[])
    policies = list(Policy.objects.values_list("pk", "region_id"))
    q = Q(pk__in=[])
    for r in regions:
        ids = sorted(pk for pk, region in policies if is_within(r, region))
        if ids:
            q |= scope_q("region_id", r) & Q(policy_id__in=ids)
    return q


def visible_claims(user) -> QuerySet[Claim]:
    """Claims ``user`` may see: their organization's (members), their own as a broker, and those they review."""
    p = permissions.principal(user)
    qs = Claim.objects.select_related("policy", "contract", "organization", "person", "region", "version")
    if not p.authenticated:
        return qs.none()
    if p.is_platform_admin:
        return qs
    q = _review_q(user)
    orgs = p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)
    if orgs:
        q |= Q(organization_id__in=sorted(orgs))
    q |= Q(person__user_id=p.user_id)
    return qs.filter(q)


def reviewable_claims(user) -> QuerySet[Claim]:
    """Every claim in ``user``'s review scope, whatever its state (the back office)."""
    if not permissions.principal(user).authenticated:
        return Claim.objects.none()
    return Claim.objects.filter(_review_q(user))


def review_queue(user) -> QuerySet[Claim]:
    """Applied claims waiting for ``user``'s review, oldest application first."""
    if not permissions.principal(user).authenticated:
        return Claim.objects.none()
    return (
        Claim.objects.select_related("policy", "contract", "organization", "person", "region", "version")
        .filter(_review_q(user), status=ClaimStatus.APPLIED)
        .order_by("applied_at", "id")
    )


def get_visible(user, pk) -> Claim:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    claim = visible_claims(user).filter(pk=pk).first() if pk is not None else None
    if claim is None:
        raise NotFound(_("No such claim, or you may not see it."))
    return claim


# --- the ledger ----------------------------------------------------------------------------------------------------


def paid_total(claim: Claim) -> Decimal:
    """What was paid on the claim (recovered clawbacks, recorded as negative payments, deducted)."""
    total = claim.entries.filter(kind=EntryKind.PAID).aggregate(s=Sum("amount"))["s"]
    return (total or ZERO).quantize(CENT)


def entitled(claim: Claim) -> Decimal:
    """What the beneficiary is owed in all: the amount of an approved or paid claim; nothing for a void one."""
    return claim.amount if claim.status in GRANTED else ZERO


def outstanding(claim: Claim) -> Decimal:
    """What is left to pay (negative: a clawback the beneficiary owes back); zero before approval."""
    if claim.status not in (*GRANTED, ClaimStatus.VOID):
        return ZERO
    return (entitled(claim) - paid_total(claim)).quantize(CENT)


def granted_this_year(policy_id: int, beneficiary_key: str, year: int, *, exclude: int | None = None) -> Decimal:
    """Approved and paid amounts of this beneficiary under this policy in ``year``."""
    qs = Claim.objects.filter(policy_id=policy_id, beneficiary_key=beneficiary_key, year=year, status__in=GRANTED)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return (qs.aggregate(s=Sum("amount"))["s"] or ZERO).quantize(CENT)


def _budget_used(policy_id: int, year: int) -> Decimal:
    budget = Budget.objects.filter(policy_id=policy_id, year=year).first()
    return budget.reserved if budget else ZERO


def _locked_budget(claim: Claim) -> Budget:
    """The claim's budget row for (policy, year), created with the version's yearly budget, locked."""
    try:
        with transaction.atomic():
            budget, _created = Budget.objects.get_or_create(
                policy_id=claim.policy_id, year=claim.year, defaults={"amount": claim.version.budget_per_year}
            )
    except IntegrityError:  # created meanwhile by a racing approval
        pass
    return Budget.objects.select_for_update().get(policy_id=claim.policy_id, year=claim.year)


def _entry(claim: Claim, kind: str, amount: Decimal, actor, reference: str = "", note: str = "") -> ClaimEntry:
    return ClaimEntry.objects.create(
        claim=claim, kind=kind, amount=amount, actor=_user(actor), reference=reference[:100], note=note
    )


# --- evaluating a beneficiary --------------------------------------------------------------------------------------


class Beneficiary:
    def __init__(self, role, key, region, organization=None, person=None):
        self.role, self.key, self.region = role, key, region
        self.organization, self.person = organization, person


def _brokers(contract) -> list[ContractBroker]:
    qs = ContractBroker.objects.filter(contract=contract).select_related("broker__organization")
    return list(qs.order_by("created_at", "id"))


def _beneficiaries(contract, role: str, brokers: list[ContractBroker]) -> list[Beneficiary]:
    fallback = contract.seller_region_id
    if role in ("buyer", "seller"):
        party = contract.party(role)
        if party is None or party.organization_id is None:
            return []  # only a linked organization can claim
        org = party.organization
        return [Beneficiary(role, f"org:{org.pk}", party.region_id or org.region_id or fallback, organization=org)]
    if role == "broker":
        return [
            Beneficiary("broker", f"person:{b.broker_id}",
                        b.broker.region_id or (b.broker.organization.region_id if b.broker.organization else fallback),
                        organization=b.broker.organization, person=b.broker)
            for b in brokers
        ]
    if role == "institution":
        seen, out = set(), []
        for b in brokers:
            org = b.broker.organization
            if org is None or org.pk in seen:
                continue
            seen.add(org.pk)
            out.append(Beneficiary("institution", f"org:{org.pk}", org.region_id or fallback, organization=org))
        return out
    return []


def _decide(policy: Policy, contract, who: Beneficiary, brokers, *, granted: Decimal, budget_used: Decimal):
    """(decision dict, amount, base) for one beneficiary; the broker's share when the formula splits."""
    facts_brokers = tuple(engine.Broker(f"person:{b.broker_id}", b.contribution) for b in brokers)
    if contract.status != "certified":
        decision = engine.Decision(False, ZERO, ["contract_cancelled" if contract.status == "cancelled"
                                                 else "not_certified"], [])
    else:
        decision = evaluate_contract(policy, contract, who.role, granted_this_year=granted, budget_used=budget_used,
                                     brokers=facts_brokers)
    amount = decision.amount if decision.eligible else ZERO
    if decision.eligible and who.role == "broker":
        shares = [line for line in decision.lines if line.get("step") == "share"]
        if shares:
            amount = next((Decimal(line["amount"]) for line in shares if line["broker"] == who.key), ZERO)
    base = next((Decimal(line["value"]) for line in decision.lines if line.get("step") == "base"), None)
    data = decision.as_dict()
    data["amount"] = str(amount)
    return data, amount, base


def _cap_reached(decision: dict) -> bool:
    return any(line.get("step") == "cap" and line.get("cap") == "per_beneficiary_year"
               and Decimal(line["after"]) <= 0 for line in decision.get("lines", []))


# --- candidates ----------------------------------------------------------------------------------------------------


def generate_candidates(contract, *, actor=None) -> list[Claim]:
    """The candidate claims of a certified contract: for each published policy whose version is in force on the
    registration date and each beneficiary its rules name, a claim when eligible for a positive amount. Claimed
    once: a beneficiary who already has a claim for this contract and policy gets no other (safe to run twice).
    The beneficiary organization's administrators are notified."""
    if contract.status != "certified" or contract.registered_on is None:
        return []
    day, year = contract.registered_on, contract.registered_on.year
    brokers = _brokers(contract)
    created: list[Claim] = []
    for policy in Policy.objects.select_related("region").order_by("code"):
        version = version_on(policy, day)
        if version is None:
            continue
        roles = parse_rules(version.rules).beneficiaries
        existing = set(Claim.objects.filter(contract=contract, policy=policy).values_list("beneficiary_key", flat=True))
        for role in roles:
            for who in _beneficiaries(contract, role, brokers):
                if who.key in existing:
                    continue
                claim = _create_candidate(policy, version, contract, who, brokers, year, actor)
                if claim is not None:
                    existing.add(who.key)
                    created.append(claim)
    return created


def _create_candidate(policy, version: PolicyVersion, contract, who: Beneficiary, brokers, year: int, actor):
    granted = granted_this_year(policy.pk, who.key, year)
    decision, amount, base = _decide(policy, contract, who, brokers, granted=granted,
                                     budget_used=_budget_used(policy.pk, year))
    if not decision["eligible"] or amount <= 0:
        return None
    decision["version"] = version.number
    claim = Claim(
        policy=policy, version=version, contract=contract, beneficiary_role=who.role, beneficiary_key=who.key,
        organization=who.organization, person=who.person, region_id=who.region, year=year,
        status=ClaimStatus.CANDIDATE, base=base, amount=amount, decision=decision,
    )
    try:
        with transaction.atomic():
            claim.save()
            audit.created(actor, claim, "subsidies.claim_candidate")
    except IntegrityError:  # claimed meanwhile (the handler ran twice at once)
        return None
    notifications.notify(
        _beneficiary_users(claim),
        _("Subsidy candidate: %(policy)s may pay ¥%(amount)s for contract %(contract)s — apply")
        % {"policy": policy.name, "amount": amount, "contract": contract},
        claim_url(claim),
    )
    return claim


# --- applying and reviewing ----------------------------------------------------------------------------------------


def _locked(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("policy", "version", "contract", "person", "organization")
        .get(pk=claim.pk)
    )


def _wrong_state(claim: Claim) -> Conflict:
    return Conflict(_("The claim is %(status)s: this step does not apply.") % {"status": claim.get_status_display()},
                    code="wrong_state", field="status")


def _text(value, field: str, limit: int, message: str) -> str:
    text = (value if isinstance(value, str) else "").strip()
    if not text:
        raise DomainError(message, field=field)
    if len(text) > limit:
        raise DomainError(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return text


def apply(actor, claim: Claim, *, bank_name, bank_account, account_name, documents_note="") -> Claim:
    """The beneficiary applies for a candidate claim with the bank account to pay into (restricted fields)."""
    if not may_apply(actor, claim):
        raise Forbidden(_("Only the beneficiary organization's administrators may apply for this claim."))
    bank_name = _text(bank_name, "bank_name", 100, _("Name the bank."))
    account_name = _text(account_name, "account_name", 200, _("Give the account holder's name."))
    account = re.sub(r"[\s-]", "", bank_account if isinstance(bank_account, str) else "")
    if not ACCOUNT_RE.match(account):
        raise DomainError(_("A bank account number has 8 to 32 digits."), field="bank_account")
    note = documents_note if isinstance(documents_note, str) else ""
    if len(note) > 5000:
        raise DomainError(_("At most %(n)s characters.") % {"n": 5000}, field="documents_note")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.CANDIDATE:
            raise _wrong_state(claim)
        with audit.tracking(actor, claim, "subsidies.claim_apply"):
            claim.status = ClaimStatus.APPLIED
            claim.bank_name, claim.bank_account, claim.account_name = bank_name, account, account_name
            claim.documents_note = note.strip()
            claim.applied_at = timezone.now()
            claim.applied_by = _user(actor)
        notifications.notify(
            _reviewers(claim),
            _("Subsidy claim to review: %(policy)s, ¥%(amount)s")
            % {"policy": claim.policy.name, "amount": claim.amount},
            claim_url(claim),
        )
    return claim


def approve(actor, claim: Claim) -> Claim:
    """Approve an applied claim: the decision is recomputed with what was granted meanwhile, and its amount is
    reserved from the policy's budget of the year under a row lock (never beyond it)."""
    if not may_review(actor, claim):
        raise Forbidden(_("Only administrators of the claim's region under the issuing region may review it."))
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.APPLIED:
            raise _wrong_state(claim)
        budget = _locked_budget(claim)
        who = Beneficiary(claim.beneficiary_role, claim.beneficiary_key, claim.region_id, claim.organization,
                          claim.person)
        decision, amount, base = _decide(
            claim.policy, claim.contract, who, _brokers(claim.contract),
            granted=granted_this_year(claim.policy_id, claim.beneficiary_key, claim.year, exclude=claim.pk),
            budget_used=ZERO,
        )
        if not decision["eligible"]:
            raise Conflict(_("The contract no longer meets the policy's conditions."), code="not_eligible")
        if amount <= 0:
            if _cap_reached(decision):
                raise Conflict(_("The beneficiary has reached the policy's yearly cap."), code="cap_reached")
            raise Conflict(_("The policy grants nothing for this claim."), code="not_eligible")
        if budget.amount is not None and budget.reserved + amount > budget.amount:
            raise Conflict(
                _("The policy's budget for %(year)s is exhausted: ¥%(left)s left, ¥%(amount)s asked.")
                % {"year": claim.year, "left": budget.amount - budget.reserved, "amount": amount},
                code="budget_exhausted",
            )
        with audit.tracking(actor, budget, "subsidies.budget_reserve"):
            budget.reserved += amount
        decision["version"] = claim.version.number
        with audit.tracking(actor, claim, "subsidies.claim_approve"):
            claim.status = ClaimStatus.APPROVED
            claim.amount, claim.base, claim.decision = amount, base, decision
            claim.reviewed_at, claim.reviewed_by = timezone.now(), _user(actor)
        _entry(claim, EntryKind.RESERVED, amount, actor)
        notifications.notify(
            _beneficiary_users(claim),
            _("Subsidy claim approved: %(policy)s, ¥%(amount)s") % {"policy": claim.policy.name, "amount": amount},
            claim_url(claim),
        )
    return claim


def refuse(actor, claim: Claim, reason: str) -> Claim:
    """Refuse an applied claim with a reason the beneficiary reads."""
    if not may_review(actor, claim):
        raise Forbidden(_("Only administrators of the claim's region under the issuing region may review it."))
    reason = _text(reason, "reason", 2000, _("Give the reason for the refusal."))
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status != ClaimStatus.APPLIED:
            raise _wrong_state(claim)
        with audit.tracking(actor, claim, "subsidies.claim_refuse", reason=reason):
            claim.status = ClaimStatus.REFUSED
            claim.refusal_reason = reason
            claim.reviewed_at, claim.reviewed_by = timezone.now(), _user(actor)
        notifications.notify(
            _beneficiary_users(claim),
            _("Subsidy claim refused: %(policy)s — %(reason)s") % {"policy": claim.policy.name, "reason": reason},
            claim_url(claim),
        )
    return claim


def record_payment(actor, claim: Claim, amount, *, reference="", note="") -> ClaimEntry:
    """Record a payment (partial payments allowed, never beyond what is outstanding); the claim is paid once
    nothing is outstanding. A negative amount records a recovered clawback (at most what is owed back)."""
    if not may_pay(actor, claim):
        raise Forbidden(_("Only administrators of the claim's region under the issuing region may record payments."))
    amount = _money(amount, "amount", allow_negative=True)
    reference = reference.strip() if isinstance(reference, str) else ""
    note = note.strip() if isinstance(note, str) else ""
    if len(reference) > 100:
        raise DomainError(_("At most %(n)s characters.") % {"n": 100}, field="reference")
    if amount == 0:
        raise DomainError(_("A payment is a non-zero amount."), field="amount")
    with transaction.atomic():
        claim = _locked(claim)
        if claim.status not in (*GRANTED, ClaimStatus.VOID):
            raise _wrong_state(claim)
        left = outstanding(claim)
        if amount > 0 and amount > left:
            raise Conflict(_("¥%(left)s is outstanding on this claim; ¥%(amount)s cannot be paid.")
                           % {"left": max(left, ZERO), "amount": amount}, code="overpayment", field="amount")
        if amount < 0 and (left >= 0 or amount < left):
            raise Conflict(_("¥%(owed)s is owed back on this claim; ¥%(amount)s cannot be recovered.")
                           % {"owed": max(-left, ZERO), "amount": -amount}, code="overpayment", field="amount")
        budget = _locked_budget(claim)
        with audit.tracking(actor, budget, "subsidies.budget_pay"):
            budget.paid += amount
        entry = _entry(claim, EntryKind.PAID, amount, actor, reference=reference, note=note)
        if claim.status == ClaimStatus.APPROVED and left - amount == 0:
            with audit.tracking(actor, claim, "subsidies.claim_paid"):
                claim.status = ClaimStatus.PAID
        else:
            audit.record(actor, "subsidies.claim_payment", claim, None, {"amount": str(amount), "reference": reference})
        if amount > 0:
            notifications.notify(
                _beneficiary_users(claim),
                _("Subsidy paid: ¥%(amount)s under %(policy)s") % {"amount": amount, "policy": claim.policy.name},
                claim_url(claim),
            )
    return entry


# --- amendments and cancellations ----------------------------------------------------------------------------------


def contract_changed(contract, kind: str, *, actor=None, roles: tuple[str, ...] | None = None) -> None:
    """Recompute the contract's claims after an amendment or a cancellation: open claims get the new amount or
    become void; an approved claim's reservation is adjusted (or released when void); a paid claim gets an
    ``adjusted`` entry for the difference — negative: a clawback the beneficiary is told about. Nothing is deleted.
    Safe to run twice: a second run finds nothing to change."""
    contract.refresh_from_db()
    brokers = _brokers(contract)
    ids = list(
        Claim.objects.filter(contract=contract).exclude(status__in=(ClaimStatus.REFUSED, ClaimStatus.VOID))
        .order_by("id").values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            claim = _locked(Claim(pk=pk))
            if claim.status in (ClaimStatus.REFUSED, ClaimStatus.VOID):
                continue
            if roles is not None and claim.beneficiary_role not in roles:
                continue
            _recompute(claim, contract, brokers, kind, actor)


def _recompute(claim: Claim, contract, brokers, kind: str, actor) -> None:
    who = Beneficiary(claim.beneficiary_role, claim.beneficiary_key, claim.region_id, claim.organization, claim.person)
    open_claim = claim.status in OPEN
    granted = granted_this_year(claim.policy_id, claim.beneficiary_key, claim.year, exclude=claim.pk)
    decision, amount, base = _decide(
        claim.policy, contract, who, brokers, granted=granted,
        budget_used=_budget_used(claim.policy_id, claim.year) if open_claim else ZERO,
    )
    decision["version"] = claim.version.number
    if kind == "cancelled" and decision["eligible"]:
        decision, amount = {**decision, "eligible": False, "amount": "0.00", "unmet": ["contract_cancelled"]}, ZERO
    keeps = decision["eligible"] and amount > 0
    reason = str(EventKind(kind).label) if kind in EventKind.values else kind  # "Amendment registered", …
    if open_claim:
        if keeps and amount == claim.amount and claim.base == base:
            return
        with audit.tracking(actor, claim, "subsidies.claim_recompute", reason=reason):
            claim.decision = decision
            if keeps:
                claim.amount, claim.base = amount, base
            else:
                claim.status = ClaimStatus.VOID
        return
    old = claim.amount
    new = amount if keeps else ZERO
    if keeps and new == old:
        return
    budget = _locked_budget(claim)
    diff = new - old
    if diff > 0 and budget.amount is not None:  # a top-up only as far as the budget goes
        diff = min(diff, max(ZERO, budget.amount - budget.reserved))
        new = old + diff
    if diff:
        with audit.tracking(actor, budget, "subsidies.budget_adjust", reason=reason):
            budget.reserved += diff
    was_paid = claim.status == ClaimStatus.PAID
    if claim.status == ClaimStatus.APPROVED and diff:
        _entry(claim, EntryKind.RESERVED if diff > 0 else EntryKind.RELEASED, diff, actor, note=reason)
    elif was_paid and diff:
        _entry(claim, EntryKind.ADJUSTED, diff, actor, note=reason)
    with audit.tracking(actor, claim, "subsidies.claim_recompute", reason=reason):
        claim.decision = decision
        if keeps:
            claim.amount, claim.base = new, base
            if was_paid and diff > 0:
                claim.status = ClaimStatus.APPROVED  # a top-up to pay
        else:
            claim.status = ClaimStatus.VOID
    if was_paid and diff < 0:
        notifications.notify(
            _beneficiary_users(claim),
            _("Subsidy clawback: ¥%(amount)s to return under %(policy)s (%(reason)s)")
            % {"amount": -diff, "policy": claim.policy.name, "reason": reason},
            claim_url(claim),
        )


# --- brokers -------------------------------------------------------------------------------------------------------


def may_record_broker(user, contract) -> bool:
    """Platform administrators, and the reviewers who register the contract (rule ``contracts.decide``)."""
    p = permissions.principal(user)
    return p.is_platform_admin or permissions.allowed("contracts.decide", user, contract)


def record_broker(actor, contract, person, contribution, note="") -> ContractBroker:
    """Record (or update) a broker's contribution to a contract — the weight of the broker's share of a broker
    reward. On a certified contract the broker claims are generated or recomputed at once."""
    if not may_record_broker(actor, contract):
        raise Forbidden(_("Only the contract's registration point or a platform administrator records brokers."))
    contribution = _money(contribution, "contribution")
    if contribution > MAX_CONTRIBUTION:
        raise DomainError(_("The contribution is a weight of at most %(n)s.") % {"n": MAX_CONTRIBUTION},
                          field="contribution")
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > 300:
        raise DomainError(_("At most %(n)s characters.") % {"n": 300}, field="note")
    if contract.status == "cancelled":
        raise Conflict(_("The contract is cancelled."), code="wrong_state", field="contract")
    with transaction.atomic():
        row = ContractBroker.objects.select_for_update().filter(contract=contract, broker=person).first()
        if row is None:
            row = ContractBroker(contract=contract, broker=person, contribution=contribution, note=note,
                                 recorded_by=_user(actor))
            row.save()
            audit.created(actor, row, "subsidies.broker_record")
        else:
            with audit.tracking(actor, row, "subsidies.broker_update"):
                row.contribution, row.note, row.recorded_by = contribution, note, _user(actor)
    if contract.status == "certified":
        contract_changed(contract, "amended", actor=actor, roles=("broker", "institution"))
        generate_candidates(contract, actor=actor)
    return row
