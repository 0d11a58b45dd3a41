"""Subsidies API under /api/v1/subsidies: the caller's claims (the beneficiary's, or those in the reviewer's scope),
applying, approving, refusing, payments, and brokers' contributions to a contract. Thin: every write calls one
service of ``services.claims``; errors are ``{code, message, field}``. A claim the caller may not see is a 404;
the restricted fields (bank account, documents) are null unless ``may_see_bank``. Amounts stay plain decimals in
the bodies so that the service refuses an unacceptable one (zero, too large) with a 400 naming the field."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from techtransfer.accounts.permissions import require_signed_in
from techtransfer.contracts import services as contracts
from techtransfer.core.errors import DomainError
from techtransfer.core.fields import Text
from techtransfer.core.pagination import paginate
from techtransfer.core.schemas import InputSchema
from techtransfer.people.models import Person
from techtransfer.subsidies.models import Claim, ClaimEntry, ClaimStatus, ContractBroker
from techtransfer.subsidies.services import claims

router = Router(tags=["subsidies"])

BankName = Text(100, null=False)
BankAccount = Text(64, null=False)
AccountName = Text(200, null=False)
LongText = Text(5000, null=False)
Reason = Text(2000, null=False)
Reference = Text(100, null=False)
BrokerNote = Text(300, null=False)


class ClaimEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: Decimal
    at: datetime.datetime
    reference: str
    note: str


class ClaimOut(Schema):
    id: int
    policy: str = Field(description="policy code")
    policy_name: str
    version: int
    contract: int
    contract_number: str
    beneficiary_role: str
    beneficiary_key: str
    organization: int | None
    organization_name: str
    person: int | None
    person_name: str
    region: str
    year: int
    status: str
    status_label: str
    base: Decimal | None
    amount: Decimal
    paid: Decimal
    outstanding: Decimal = Field(description="left to pay; negative: a clawback owed back")
    applied_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    refusal_reason: str
    may_apply: bool
    may_review: bool
    bank_name: str | None = Field(None, description="restricted: the beneficiary's members and reviewers only")
    bank_account: str | None = Field(None, description="restricted")
    account_name: str | None = Field(None, description="restricted")
    documents_note: str | None = Field(None, description="restricted")


class ClaimDetailOut(ClaimOut):
    eligible: bool
    unmet: list[str]
    lines: list[dict] = Field(description="the engine's explanation: base, rate or tiers, caps, shares")
    entries: list[ClaimEntryOut]


class ClaimPage(Schema):
    items: list[ClaimOut]
    count: int
    page: int
    pages: int
    page_size: int


def entry_out(e: ClaimEntry) -> dict:
    return {"id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "amount": e.amount, "at": e.at,
            "reference": e.reference, "note": e.note}


def claim_out(user, c: Claim) -> dict:
    out = {
        "id": c.pk, "policy": c.policy.code, "policy_name": c.policy.name, "version": c.version.number,
        "contract": c.contract_id, "contract_number": c.contract.registration_number or "",
        "beneficiary_role": c.beneficiary_role, "beneficiary_key": c.beneficiary_key,
        "organization": c.organization_id, "organization_name": c.organization.name if c.organization else "",
        "person": c.person_id, "person_name": c.person.name if c.person else "", "region": c.region_id,
        "year": c.year, "status": c.status, "status_label": c.get_status_display(), "base": c.base,
        "amount": c.amount, "paid": claims.paid_total(c), "outstanding": claims.outstanding(c),
        "applied_at": c.applied_at, "reviewed_at": c.reviewed_at, "refusal_reason": c.refusal_reason,
        "may_apply": c.status == ClaimStatus.CANDIDATE and claims.may_apply(user, c),
        "may_review": claims.may_review(user, c),
    }
    if claims.may_see_bank(user, c):
        out.update({name: getattr(c, name) for name in Claim.RESTRICTED_FIELDS})
    return out


def claim_detail(user, c: Claim) -> dict:
    decision = c.decision or {}
    return {**claim_out(user, c), "eligible": bool(decision.get("eligible")), "unmet": list(decision.get("unmet", [])),
            "lines": list(decision.get("lines", [])), "entries": [entry_out(e) for e in c.entries.all()]}


@router.get("/claims", response=ClaimPage, summary="Claims the caller may see (beneficiary or reviewer)")
def list_claims(request, status: str = "", policy: str = "", year: int | None = None, page: int = 1,
                page_size: int = 50):
    require_signed_in(request.auth)
    qs = claims.visible_claims(request.auth)
    if status:
        if status not in ClaimStatus.values:
            raise DomainError(_("Unknown status: %s") % status[:40], field="status")
        qs = qs.filter(status=status)
    if policy:
        qs = qs.filter(policy__code=policy)
    if year is not None:
        if not 1900 <= year <= 9999:
            raise DomainError(_("year must be between 1900 and 9999."), field="year")
        qs = qs.filter(year=year)
    sl = paginate(qs, page, page_size)
    return {"items": [claim_out(request.auth, c) for c in sl.items], "count": sl.count, "page": sl.page,
            "pages": sl.pages, "page_size": sl.page_size}


def _claim(request, pk: int) -> Claim:
    require_signed_in(request.auth)
    return claims.get_visible(request.auth, pk)


@router.get("/claims/{int:pk}", response=ClaimDetailOut, summary="A claim with its explanation and ledger")
def get_claim(request, pk: int):
    return claim_detail(request.auth, _claim(request, pk))


class ClaimApplyIn(InputSchema):
    bank_name: BankName
    bank_account: BankAccount
    account_name: AccountName
    documents_note: LongText = ""


class ClaimRefuseIn(InputSchema):
    reason: Reason


class ClaimPaymentIn(InputSchema):
    amount: Decimal = Field(description="yuan; negative: a recovered clawback")
    reference: Reference = ""
    note: Reason = ""


@router.post("/claims/{int:pk}/apply", response=ClaimDetailOut, summary="Apply for a candidate claim (beneficiary)")
def apply_claim(request, pk: int, payload: ClaimApplyIn):
    claim = claims.apply(request.auth, _claim(request, pk), bank_name=payload.bank_name,
                         bank_account=payload.bank_account, account_name=payload.account_name,
                         documents_note=payload.documents_note)
    return claim_detail(request.auth, claims.get_visible(request.auth, claim.pk))


@router.post("/claims/{int:pk}/approve", response=ClaimDetailOut,
             summary="Approve an applied claim, reserving its amount from the budget (reviewers)")
def approve_claim(request, pk: int):
    claim = claims.approve(request.auth, _claim(request, pk))
    return claim_detail(request.auth, claims.get_visible(request.auth, claim.pk))


@router.post("/claims/{int:pk}/refuse", response=ClaimDetailOut, summary="Refuse an applied claim (reviewers)")
def refuse_claim(request, pk: int, payload: ClaimRefuseIn):
    claim = claims.refuse(request.auth, _claim(request, pk), payload.reason)
    return claim_detail(request.auth, claims.get_visible(request.auth, claim.pk))


@router.post("/claims/{int:pk}/payments", response={201: ClaimEntryOut},
             summary="Record a payment (or a recovered clawback, negative) on an approved claim (reviewers)")
def record_payment(request, pk: int, payload: ClaimPaymentIn):
    entry = claims.record_payment(request.auth, _claim(request, pk), payload.amount, reference=payload.reference,
                                  note=payload.note)
    return Status(201, entry_out(entry))


class ContractBrokerIn(InputSchema):
    person: int = Field(description="the broker (people.Person id)")
    contribution: Decimal = Field(Decimal("1"), description="weight of the broker's share")
    note: BrokerNote = ""


class ContractBrokerOut(Schema):
    id: int
    contract: int
    broker: int
    broker_name: str
    contribution: Decimal
    note: str


@router.post("/contracts/{int:contract_id}/brokers", response={201: ContractBrokerOut},
             summary="Record a broker's contribution to a contract (its registration point)")
def record_broker(request, contract_id: int, payload: ContractBrokerIn):
    require_signed_in(request.auth)
    contract = contracts.get_visible(request.auth, contract_id)
    person = Person.objects.filter(pk=payload.person).first() if 0 < payload.person < 2**63 else None
    if person is None:
        raise DomainError(_("No such person."), field="person")
    row: ContractBroker = claims.record_broker(request.auth, contract, person, payload.contribution, payload.note)
    return Status(201, {"id": row.pk, "contract": row.contract_id, "broker": row.broker_id,
                        "broker_name": person.name, "contribution": row.contribution, "note": row.note})
