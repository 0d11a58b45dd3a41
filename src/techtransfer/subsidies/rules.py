"""The rules document of a subsidy policy version — 奖补规则 — validated by one pydantic schema.

A policy version stores its rules as JSON (``PolicyVersion.rules``); ``parse_rules`` reads it into ``Rules`` or
raises ``RulesError`` (a ``DomainError`` naming the field). The engine (``engine.evaluate``) reads only ``Rules``.
Codes are the platform's classifications: contract categories/subcategories and IP types (``contracts.data``),
organization kinds (``orgs.models.OrgKind``), ownership codes (``orgs.data.OWNERSHIPS``); regions GB/T 2260.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from techtransfer.core.errors import DomainError

REGION_CODE = re.compile(r"^\d{6}$")
# "policy": the issuing region of the policy; otherwise a six-digit GB/T 2260 code.
RegionRef = Annotated[str, Field(pattern=r"^(policy|\d{6})$")]
Rate = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Amount = Annotated[Decimal, Field(ge=0, lt=Decimal("1e12"), allow_inf_nan=False, decimal_places=2)]
Beneficiary = Literal["buyer", "seller", "broker", "institution"]
Flow = Literal["in_province", "cross_province", "international"]
Base = Literal["tech_amount", "contract_amount", "equity_amount", "equity_or_contract", "last_year_total"]


class RulesError(DomainError):
    code = "invalid_rules"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyConditions(_Strict):
    """Conditions on one party (seller or buyer) of the contract."""

    region_inside: RegionRef | None = None  # the party's region lies inside this one (a foreign party never does)
    region_outside: RegionRef | None = None  # outside it (a foreign party always is)
    kinds: list[str] | None = None  # OrgKind values
    ownership: list[str] | None = None  # ownership codes
    state_owned: bool | None = None  # by Ownership.state_owned of the party's ownership
    foreign: bool | None = None


class Conditions(_Strict):
    categories: list[str] | None = None
    subcategories: list[str] | None = None
    certified_from: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    certified_to: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    seller: PartyConditions = PartyConditions()
    buyer: PartyConditions = PartyConditions()
    beneficiary_kinds: list[str] | None = None  # OrgKind of the beneficiary when it is the buyer or the seller
    flows: list[Flow] | None = None
    min_amount: Amount | None = None  # of the base
    ip_types: list[str] | None = None


class Tier(_Strict):
    up_to: Amount | None = None  # None: no upper bound (the last tier)
    rate: Rate


class Formula(_Strict):
    """``percentage`` (rate × base), ``tiered`` (marginal rates, like income tax), ``fixed`` (an amount per case).
    ``rates_by_region`` overrides ``rate`` for a beneficiary inside a region (the most specific code wins), e.g.
    a rate set per county; with neither, the case is not eligible (``rate_not_set``)."""

    kind: Literal["percentage", "tiered", "fixed"]
    rate: Rate | None = None
    rates_by_region: dict[str, Rate] = {}
    tiers: list[Tier] = []
    amount: Amount | None = None
    # Brokers' rewards: the amount is split among the brokers by their recorded contribution.
    split_among_brokers: bool = False

    @field_validator("rates_by_region")
    @classmethod
    def _codes(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for code in value:
            if not REGION_CODE.match(code):
                raise ValueError(f"not a region code: {code}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Formula:
        if self.kind == "tiered":
            if not self.tiers:
                raise ValueError("a tiered formula needs tiers")
            bounds = [t.up_to for t in self.tiers]
            if any(b is None for b in bounds[:-1]) or bounds[-1] is not None:
                raise ValueError("only the last tier is open-ended, and it must be")
            if any(a >= b for a, b in zip(bounds[:-2], bounds[1:-1], strict=False)):
                raise ValueError("tier bounds must increase")
        if self.kind == "fixed" and self.amount is None:
            raise ValueError("a fixed formula needs an amount")
        return self


class Caps(_Strict):
    per_case: Amount | None = None
    per_beneficiary_year: Amount | None = None
    # The budget per year is the version's own field (``PolicyVersion.budget_per_year``), passed to the engine.


class Rules(_Strict):
    clause: str = ""  # the clause of the legal basis this rule encodes (quoted in the explanation)
    beneficiaries: list[Beneficiary] = Field(min_length=1)
    conditions: Conditions = Conditions()
    base: Base
    formula: Formula
    caps: Caps = Caps()


def parse_rules(document) -> Rules:
    """The rules document as ``Rules``; ``RulesError`` naming the first bad field otherwise."""
    try:
        return Rules.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or None
        raise RulesError(f"{field}: {first['msg']}" if field else first["msg"], field=field) from None
