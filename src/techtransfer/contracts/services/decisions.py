"""The registration point's decisions — the state machine after submission.

submitted → certified (认定登记) or refused (不予登记) (or returned for correction: ``corrections``); certified →
amended (变更登记, stays certified) or cancelled (注销登记). Only a reviewer of the contract's registration point
within its jurisdiction decides (``contracts.decide``); every transition locks the contract row, checks the current
state, writes the audit entry and the ledger event in one transaction.

Sources: 《技术合同认定登记管理办法》 (国科发政字〔2000〕63号), 《技术合同认定规则》 (国科发政字〔2001〕253号):
certification fixes the category and splits the contract amount into the technology transaction amount and the
non-technical parts (``amounts``); oral contracts are never certified; large development/transfer contracts need
an expert re-review first (see ``conf``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.audit import services as audit
from techtransfer.contracts import conf
from techtransfer.contracts.models import (
    ZERO,
    AmountKind,
    AmountLine,
    ContractCategory,
    ContractEvent,
    ContractSubcategory,
    EventKind,
    ExpertReview,
    LicenceScope,
    RefusalReason,
    Status,
    TechContract,
)
from techtransfer.contracts.permissions import may_record_expert_review
from techtransfer.contracts.services import clock, exportcontrol
from techtransfer.contracts.services.access import require_decider
from techtransfer.contracts.services.amounts import split_amount
from techtransfer.contracts.services.events import record_event
from techtransfer.contracts.services.numbering import next_registration_number
from techtransfer.contracts.services.parsing import lookup
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.core.fields import in_field, parse_date, parse_money
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import CreditKind

# --- expert re-review ----------------------------------------------------------------------------------------------


def needs_expert_review(contract: TechContract, category: ContractCategory | None = None) -> bool:
    """Large development/transfer contracts (above ``CONTRACTS_LARGE_AMOUNT``, ¥10 m) need an expert re-review
    before certification (Tianjin practice, *check*; the categories are flagged in the category table)."""
    category = category or contract.category
    return bool(category and category.large_review and (contract.contract_amount or ZERO) > conf.large_amount())


def _expert_approved(contract: TechContract) -> bool:
    last = contract.expert_reviews.order_by("-created_at", "-id").first()
    return bool(last and last.approved)


def record_expert_review(actor, contract: TechContract, experts: str, approved: bool, opinion: str = ""):
    """Record the expert re-review of a submitted contract — 专家复核. Recorded by a reviewer of the point (or a
    user with the expert role assigned to the point)."""
    if not may_record_expert_review(actor, contract):
        raise Forbidden(_("Only the registration point's reviewers or experts may record an expert re-review."))
    if contract.status != Status.SUBMITTED:
        raise Conflict(_("Only a submitted contract can be re-reviewed."), field="status")
    experts = (experts or "").strip()
    if not experts:
        raise DomainError(_("Name the experts."), field="experts")
    with transaction.atomic():
        review = ExpertReview.objects.create(
            contract=contract, experts=experts[:200], approved=bool(approved), opinion=opinion or "", recorded_by=actor
        )
        audit.created(actor, review, "contracts.expert_review")
        record_event(contract, EventKind.EXPERT_REVIEW, actor, note=opinion or "", data={"approved": bool(approved)})
    return review


# --- certification or refusal --------------------------------------------------------------------------------------


def _locked(contract: TechContract) -> TechContract:
    """Re-read the contract under a row lock, so two decisions on one contract cannot both pass."""
    fresh = TechContract.objects.select_for_update().get(pk=contract.pk)
    for field in ("status", "contract_amount", "tech_amount", "non_tech_amount", "registration_number"):
        setattr(contract, field, getattr(fresh, field))
    return contract


def _replace_lines(contract: TechContract, lines: list[AmountLine]) -> None:
    contract.amount_lines.all().delete()
    for line in lines:
        line.contract = contract
    AmountLine.objects.bulk_create(lines)


def certify(
    reviewer,
    contract: TechContract,
    category,
    subcategory,
    amount_lines: list[dict],
    licence_scope: str | None = None,
) -> TechContract:
    """Certify and register a submitted contract — 认定登记.

    The reviewer fixes the category and subcategory (they may differ from the seller's claim) and the amount
    split; the contract gets the next registration number of its point and year. Oral contracts are never
    certified, and large development/transfer contracts need an approving expert re-review first.
    """
    require_decider(reviewer, contract)
    category = lookup(ContractCategory, category, "category")
    subcategory = lookup(ContractSubcategory, subcategory, "subcategory")
    if category is None:
        raise DomainError(_("Choose the contract category."), field="category")
    if subcategory is None:
        raise DomainError(_("Choose the contract subcategory."), field="subcategory")
    if subcategory.category_id != category.pk:
        raise DomainError(_("The subcategory does not belong to the category."), field="subcategory")
    scope = contract.licence_scope if licence_scope is None else (licence_scope or "")
    if category.code != "licence":
        scope = ""
    elif scope not in LicenceScope.values:
        raise DomainError(_("A licence contract needs its licence scope."), field="licence_scope")
    # Export control (技术出口管制): a contract with a foreign buyer needs its confirmed screening; a restricted
    # technology its export licence number; a free one is registered with the export-contract condition.
    condition = exportcontrol.certification_condition(reviewer, contract) if contract.status == Status.SUBMITTED else ""
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted contract can be certified."), field="status")
        if not contract.written_form:
            raise DomainError(
                _("An oral contract cannot be registered; refuse it with the reason 'oral form'."),
                code="oral_contract",
                field="written_form",
            )
        split = split_amount(contract.contract_amount, amount_lines)
        if needs_expert_review(contract, category) and not _expert_approved(contract):
            raise Conflict(
                _("This large contract needs an approving expert re-review before certification."),
                code="expert_review_required",
            )
        now = clock.now()
        today = timezone.localdate(now)
        with audit.tracking(reviewer, contract, "contracts.certify"):
            contract.registration_number = next_registration_number(contract.registration_point, today.year)
            contract.category = category
            contract.subcategory = subcategory
            contract.licence_scope = scope
            contract.status = Status.CERTIFIED
            contract.decided_at = now
            contract.registered_on = today
            contract.reviewer = reviewer
            contract.tech_amount = split.tech_amount
            contract.non_tech_amount = split.non_tech_amount
            contract.conditions = condition
            _replace_lines(contract, split.lines)
        record_event(
            contract,
            EventKind.CERTIFIED,
            reviewer,
            effective_on=today,
            count=1,
            amount=contract.contract_amount,
            tech=split.tech_amount,
            data={
                "registration_number": contract.registration_number,
                "lines": [{"kind": line.kind, "amount": str(line.amount)} for line in split.lines],
            },
        )
    return contract


def refuse(reviewer, contract: TechContract, reasons: list, note: str = "") -> TechContract:
    """Do not register a submitted contract — 不予登记 — recording the reasons from the rules (at least one)."""
    require_decider(reviewer, contract)
    codes = [r.pk if isinstance(r, RefusalReason) else r for r in (reasons or [])]
    if not codes:
        raise DomainError(_("Give at least one reason."), field="reasons")
    found = {r.pk: r for r in RefusalReason.objects.filter(pk__in=codes, active=True)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(_("Unknown refusal reason: %s") % ", ".join(map(str, unknown)), field="reasons")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted contract can be refused."), field="status")
        now = clock.now()
        with audit.tracking(reviewer, contract, "contracts.refuse", reason=", ".join(codes)):
            contract.status = Status.REFUSED
            contract.decided_at = now
            contract.reviewer = reviewer
            contract.refusal_note = (note or "").strip()
            contract.refusal_reasons.set(found.values())
        record_event(contract, EventKind.REFUSED, reviewer, note=contract.refusal_note, data={"reasons": sorted(found)})
        _enter_in_credit_record(reviewer, contract, [r for r in found.values() if r.credit_record], now)
    return contract


def _enter_in_credit_record(reviewer, contract: TechContract, reasons: list[RefusalReason], now) -> None:
    """A refusal on a ground of deceit (``RefusalReason.credit_record``: a fictitious contract, a contract split to
    obtain benefits) is entered once in the seller organization's credit record (科技信用), naming the contract."""
    if not reasons:
        return
    names = "；".join(r.name for r in reasons)
    orgs.record_by_rule(
        contract.seller_org,
        key=f"contracts.refused:{contract.pk}",
        kind=CreditKind.DISHONEST,
        cause="contracts.refused",
        summary=f"技术合同不予登记（{contract.name or contract.pk}）：{names}",
        rule="; ".join(r.legal_basis for r in reasons if r.legal_basis) or names,
        occurred_on=timezone.localdate(now),
        year=timezone.localdate(now).year,
        actor=reviewer,
    )


# --- after registration --------------------------------------------------------------------------------------------


def amend(
    reviewer,
    contract: TechContract,
    *,
    note: str,
    contract_amount=None,
    amount_lines: list[dict] | None = None,
    term_end=None,
) -> ContractEvent:
    """Register an amendment of a certified contract — 变更登记. The change is an event with the differences it
    makes to the statistics (effective on the day it is registered); nothing is overwritten without a trace.

    A new contract amount without new lines keeps the non-technical lines and recomputes the technology part.
    """
    require_decider(reviewer, contract)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what the amendment is."), field="note")
    new_term_end = in_field(parse_date, term_end, "term_end")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.CERTIFIED:
            raise Conflict(_("Only a registered contract can be amended."), field="status")
        old_amount, old_tech = contract.contract_amount, contract.tech_amount
        new_amount = in_field(parse_money, contract_amount, "contract_amount", required=False)
        if new_amount is None:
            new_amount = old_amount
        if new_amount <= 0:
            raise DomainError(_("The contract amount must be positive."), field="contract_amount")
        if amount_lines is None:
            amount_lines = [
                {"kind": line.kind, "amount": line.amount, "description": line.description}
                for line in contract.amount_lines.exclude(kind=AmountKind.TECHNOLOGY)
            ]
        split = split_amount(new_amount, amount_lines)
        if new_term_end and new_term_end < contract.term_start:
            raise DomainError(_("The term cannot end before it starts."), field="term_end")
        before = {"contract_amount": str(old_amount), "tech_amount": str(old_tech), "term_end": str(contract.term_end)}
        with audit.tracking(reviewer, contract, "contracts.amend", reason=note):
            contract.contract_amount = new_amount
            contract.tech_amount = split.tech_amount
            contract.non_tech_amount = split.non_tech_amount
            if new_term_end:
                contract.term_end = new_term_end
            _replace_lines(contract, split.lines)
        after = {
            "contract_amount": str(new_amount),
            "tech_amount": str(split.tech_amount),
            "term_end": str(contract.term_end),
        }
        return record_event(
            contract,
            EventKind.AMENDED,
            reviewer,
            amount=new_amount - old_amount,
            tech=split.tech_amount - old_tech,
            note=note,
            data={"before": before, "after": after},
        )


def cancel(reviewer, contract: TechContract, reason: str) -> ContractEvent:
    """Register the cancellation of a certified contract — 注销登记. The registration number stays with it (it is
    never reused); from the day of cancellation the statistics no longer count the contract."""
    require_decider(reviewer, contract)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the cancellation."), field="reason")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.CERTIFIED:
            raise Conflict(_("Only a registered contract can be cancelled."), field="status")
        with audit.tracking(reviewer, contract, "contracts.cancel", reason=reason):
            contract.status = Status.CANCELLED
        return record_event(
            contract,
            EventKind.CANCELLED,
            reviewer,
            count=-1,
            amount=-contract.contract_amount,
            tech=-contract.tech_amount,
            note=reason,
        )
