"""Subsidy policies API under /api/v1/subsidies: the policies in force, one policy with its versions, rules and
plain-language description, the calculator (one case, read as a line of ``subsidies evaluate``), and the public
statistics. Open to visitors: policies are public law and the statistics public aggregates. The calculator changes
nothing and answers visitors too; being a POST, the schema declares it with security like every write (only reads
are marked open to visitors there)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema

from techtransfer.core.apidoc import public
from techtransfer.core.errors import DomainError
from techtransfer.core.schemas import InputSchema
from techtransfer.subsidies.services import calculator, figures
from techtransfer.subsidies.services.policies import default_rates, get_policy

router = Router(tags=["subsidies"])


class PolicyOut(Schema):
    code: str
    name: str
    region: str
    region_name: str
    department: str
    legal_document: str
    legal_clause: str
    version: int | None = Field(description="the version in force today (else the newest published)")
    pays: str | None = Field(description="what the policy pays, in one sentence (the reader's language)")


class PolicyVersionOut(Schema):
    number: int
    effective_from: datetime.date
    effective_to: datetime.date | None
    budget_per_year: Decimal | None
    note: str
    published_at: datetime.datetime | None
    rules: dict


class PolicyDescriptionOut(Schema):
    pays: str
    conditions: list[str]
    budget: str


class PolicyDetailOut(PolicyOut):
    versions: list[PolicyVersionOut] = Field(description="published versions, newest first")
    rules: dict | None = Field(description="the rules document of the version in force")
    description: PolicyDescriptionOut | None
    setting_rates: dict[str, str] = Field(description="rates from TECHTRANSFER_SUBSIDY_RATES ('' = policy-wide)")


class PolicyPartyIn(InputSchema):
    region: str | None = Field(None, description="GB/T 2260 code; null for a foreign party")
    country: str | None = Field(None, description="ISO 3166 alpha-2 for a foreign party")
    kind: str | None = Field(None, description="organization kind (OrgKind)")
    ownership: str | None = None


class PolicyBrokerIn(InputSchema):
    id: str | int
    contribution: str | None = "1"


class PolicyContractIn(InputSchema):
    category: str | None = None
    subcategory: str | None = None
    contract_amount: str | None = Field(None, description="decimal string, yuan")
    tech_amount: str | None = Field(None, description="技术交易额, decimal string")
    equity_amount: str | None = None
    certified_on: str | None = Field(None, description="YYYY-MM-DD; chooses the version in force")
    ip_type: str | None = None
    last_year_total: str | None = None
    brokers: list[PolicyBrokerIn] | None = None
    seller: PolicyPartyIn | None = None
    buyer: PolicyPartyIn | None = None


class PolicyCaseIn(InputSchema):
    id: str | int | None = None
    beneficiary: str = Field(description="buyer, seller, broker or institution")
    contract: PolicyContractIn
    granted_this_year: str | None = Field(None, description="already granted to the beneficiary this year")
    budget_used: str | None = Field(None, description="already granted under the policy this year")


class PolicyDecisionOut(Schema):
    id: str | int | None
    eligible: bool
    amount: str
    unmet: list[str]
    lines: list[dict]
    version: int | None = None


class PolicyFiguresRow(Schema):
    policy: str
    policy_name: str
    region: str
    region_name: str
    year: int
    approved: int
    paid: int
    amount_approved: str
    amount_paid: str
    clawed_back: str
    tech_amount: str
    ratio: str | None
    region_tech_amount: str | None
    region_ratio: str | None


class PolicyFiguresOut(Schema):
    rows: list[PolicyFiguresRow]
    summary: dict


class PolicyFiguresQuery(Schema):
    year: int | None = Field(None, ge=1949, le=9999)
    policy: str | None = None
    level: str = Field("province", pattern="^(province|city)$")


def _out(policy, version) -> dict:
    text = calculator.description(policy, version)
    return {"code": policy.code, "name": policy.name, "region": policy.region_id, "region_name": str(policy.region),
            "department": policy.department, "legal_document": policy.legal_document,
            "legal_clause": policy.legal_clause, "version": version.number if version else None,
            "pays": text["pays"] if text else None}


@router.get("/policies", response=list[PolicyOut], summary="Policies in force today, in plain language")
@public
def list_policies(request):
    return [_out(policy, version) for policy, version in calculator.in_force()]


@router.get("/statistics", response=PolicyFiguresOut,
            summary="Subsidies by policy, region (province or city of the beneficiary) and year")
@public
def statistics(request, filters: Query[PolicyFiguresQuery]):
    rows = figures.subsidy_figures(year=filters.year, policy=filters.policy, level=filters.level)
    summary = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in figures.summary(rows).items()}
    return {"rows": [r.as_dict() for r in rows], "summary": summary}


@router.get("/policies/{code}", response=PolicyDetailOut, summary="A policy: versions, rules, description")
@public
def policy_detail(request, code: str):
    policy = get_policy(code)
    version = calculator.current_version(policy)
    return {
        **_out(policy, version), "versions": list(calculator.published_versions(policy)),
        "rules": version.rules if version else None, "description": calculator.description(policy, version),
        "setting_rates": {k: str(v) for k, v in default_rates(policy.code).items()},
    }


TOP_FIELDS = {"id", "beneficiary", "granted_this_year", "budget_used"}


@router.post("/policies/{code}/calculate", response=PolicyDecisionOut,
             summary="What would this contract get? One case, as a line of `subsidies evaluate`")
def calculate(request, code: str, body: PolicyCaseIn):
    case = body.model_dump(exclude_unset=True)
    try:
        return calculator.calculate(code, case)
    except DomainError as exc:
        if exc.status == 422 and exc.field and exc.field.split(".")[0] not in TOP_FIELDS:
            exc.field = f"contract.{exc.field}"
        raise
