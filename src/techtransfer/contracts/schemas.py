"""Request bodies of the contracts API — typed, so the OpenAPI document names every field and its type, and
unknown fields are refused (422 naming the field, ``InputSchema``).

The filing body (``ContractIn``) was a free JSON object checked field by field by the services, which answer a
bad value with 400 naming the field (``"buyer.region"``, ``"payments.0.amount"``); clients rely on that. So its
fields are ``Checked[...]``: the type is documented and applied with the same ``core.fields`` parsers the
services use, but a value that does not fit reaches the service unchanged, and the service's 400 stays the
answer. Only unknown fields are refused here, at any depth. The decision bodies keep the types they had.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, ValidationError, WrapValidator

from techtransfer.contracts.models import AmountKind, LicenceScope, PartyType
from techtransfer.core.fields import Day, Money, OptionalMoney, Text
from techtransfer.core.schemas import InputSchema

UNKNOWN_FIELD = "extra_forbidden"


def _service_decides(value, handler):
    """Apply the declared type; a value that does not fit passes unchanged so the service names the field in
    its 400, except unknown fields, which are refused at once (422, like every ``InputSchema``)."""
    try:
        return handler(value)
    except ValidationError as exc:
        unknown = [e for e in exc.errors() if e["type"] == UNKNOWN_FIELD]
        if unknown:
            raise ValidationError.from_exception_data(exc.title, unknown) from None
        return value


class Checked:
    """``Checked[T]``: documented and parsed as ``T``; a value that does not fit is left to the service."""

    def __class_getitem__(cls, kind):
        return Annotated[kind, WrapValidator(_service_decides)]


def as_data(value):
    """The given fields of a body as the plain data the services take (fields left out stay out, so a change
    touches only what was sent); values the schema left to the service pass as they came."""
    if isinstance(value, BaseModel):
        given = value.model_fields_set
        return {name: as_data(getattr(value, name)) for name in type(value).model_fields if name in given}
    if isinstance(value, list):
        return [as_data(item) for item in value]
    return value


PartyKind = Literal[tuple(PartyType.values)]
LineKind = Literal[tuple(AmountKind.values)]
Scope = Literal[tuple(LicenceScope.values)]


class PartyIn(InputSchema):
    """A party of the contract — 当事人: a registered organization (its record fills the rest) or name, type and
    region (domestic; with the unified social credit code) or country (foreign)."""

    organization: Checked[StrictInt | None] = Field(None, description="id of a registered organization")
    name: Checked[Text(200)] = None
    credit_code: Checked[Text(40)] = Field(None, description="unified social credit code (统一社会信用代码)")
    region: Checked[Text(6)] = Field(None, description="GB/T 2260 region code of a domestic party")
    country: Checked[Text(2)] = Field(None, description="ISO 3166 country code of a foreign party")
    party_type: Checked[PartyKind | None] = Field(None, description="organization type (主体类型)")
    foreign: Checked[StrictBool | None] = Field(None, description="true for a party outside China")


class PaymentIn(InputSchema):
    """One line of the payment schedule — 付款计划."""

    due_on: Checked[Day] = None
    amount: Checked[Money] = None
    note: Checked[Text(200)] = None


class AmountLineIn(InputSchema):
    """One part of the contract amount — 金额构成: a non-technical part (equipment, instruments, parts,
    materials, other) or the technology part."""

    kind: Checked[LineKind] = None
    amount: Checked[Money] = None
    description: Checked[Text(200)] = None


class ContractIn(InputSchema):
    """A contract filing or a change of a draft — 技术合同登记表. Every field is optional in a draft; a field left
    out is left unchanged, a field sent empty is cleared. Submission checks completeness."""

    name: Checked[Text(200)] = None
    category: Checked[str | None] = Field(None, description="contract category code (合同类别)")
    subcategory: Checked[str | None] = Field(None, description="contract subcategory code")
    licence_scope: Checked[Scope | None] = Field(None, description="licence scope, for licence contracts only")
    written_form: Checked[StrictBool] = Field(None, description="false for an oral contract (never registered)")
    signed_on: Checked[Day] = None
    term_start: Checked[Day] = None
    term_end: Checked[Day] = None
    contract_amount: Checked[OptionalMoney] = None
    technical_summary: Checked[Text(20000)] = None
    ip_type: Checked[str | None] = Field(None, description="intellectual property type code (知识产权类型)")
    tech_field: Checked[str | None] = Field(None, description="technical field code (技术领域)")
    objective: Checked[str | None] = Field(None, description="social-economic objective code (社会经济目标)")
    achievement_id: Checked[StrictInt | None] = Field(None, description="id of the achievement (科技成果) concerned")
    registration_point: Checked[StrictInt | None] = Field(None, description="id of the registration point")
    seller: Checked[PartyIn | None] = Field(None, description="the seller; its organization is fixed once filed")
    buyer: Checked[PartyIn | None] = None
    payments: Checked[list[PaymentIn] | None] = None
    amount_lines: Checked[list[AmountLineIn] | None] = Field(
        None, description="the non-technical parts the seller declares"
    )


class CertifyIn(InputSchema):
    category: str
    subcategory: str
    licence_scope: str | None = None
    amount_lines: list[AmountLineIn] = []


class RefuseIn(InputSchema):
    reasons: list[str]
    note: str = ""


class ScreeningConfirmIn(InputSchema):
    """The reviewer's confirmation of an export-control screening: leave ``outcome`` and ``items`` out to confirm
    the proposal; a change of either needs a ``reason``."""

    outcome: Literal["prohibited", "restricted", "free"] | None = None
    items: list[int] | None = Field(None, description="ids of catalogue items (GET /contracts/export-control/items)")
    reason: str = Field("", max_length=2000)


class ScreeningLicenceIn(InputSchema):
    licence_number: str = Field(min_length=4, max_length=64, description="技术出口许可证编号")


class ReturnIn(InputSchema):
    """Return a submitted filing for correction — 退回补正: what to correct and by when (default: 15 days)."""

    what: str = Field(..., description="what the filer has to correct")
    due_on: datetime.date | None = Field(None, description="correct by this day (after today)")


class ExpertReviewIn(InputSchema):
    experts: str
    approved: bool
    opinion: str = ""


class AmendIn(InputSchema):
    note: str
    contract_amount: Decimal | None = None
    amount_lines: list[AmountLineIn] | None = None
    term_end: datetime.date | None = None


class CancelIn(InputSchema):
    reason: str
