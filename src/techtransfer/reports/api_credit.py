"""Reports API: credit standing and reporting rounds (the deadlines area).

``GET /reports/credit/{org_id}``: an organization's credit records. Platform administrators, region administrators
whose region contains the organization and the organization's own administrators and members get every record,
open and closed (cause, rule, year, closing date and reason); everybody else only the public records of a verified
organization (404 for an unverified one). ``GET /reports/rounds``: the reporting rounds and their deadlines
(public); ``POST /reports/rounds`` opens one (a region administrator of the region)."""

from __future__ import annotations

import datetime

from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Reply

from techtransfer.accounts.permissions import require_signed_in
from techtransfer.core.apidoc import public
from techtransfer.core.fields import Day, Text
from techtransfer.core.schemas import InputSchema
from techtransfer.orgs.models import CreditRecord
from techtransfer.reports.services import credit, deadlines

router = Router(tags=["reports"])
Notice = Text(300, null=False)


class StandingRecordOut(Schema):
    id: int
    kind: str
    kind_label: str
    occurred_on: datetime.date
    summary: str
    source: str
    cause: str = Field(description="the rule that made it, e.g. reports.not_filed; empty when entered by hand")
    rule: str = Field(description="the rule applied (law, notice)")
    year: int | None = Field(description="the year concerned")
    public: bool
    open: bool
    closed_on: datetime.date | None
    closed_reason: str


class CreditStandingOut(Schema):
    organization: int
    name: str
    region: str
    scope: str = Field(description="full: every record; public: only the records the rules make public")
    open_records: int
    records: list[StandingRecordOut]


class ReportingRoundOut(Schema):
    id: int
    year: int
    region: str
    region_name: str
    template: int = Field(description="the template's first report year")
    opens_on: datetime.date
    due_on: datetime.date
    notice: str


class ReportingRoundIn(InputSchema):
    region: str = Field(min_length=6, max_length=6, description="GB/T 2260 code of the collecting region")
    year: int = Field(ge=2000, le=2200, description="report year")
    due_on: Day = Field(None, description="deadline; default 31 March of the following year")
    template: int | None = Field(None, ge=1900, le=2200, description="template version; default the year's")
    notice: Notice = Field("", description="the notice that opens the round, e.g. 云科发〔2026〕1号")


class RoundsQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2200, description="report year")


def record_out(r: CreditRecord) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "occurred_on": r.occurred_on,
        "summary": r.summary,
        "source": r.source,
        "cause": r.cause,
        "rule": r.rule,
        "year": r.year,
        "public": r.public,
        "open": r.closed_on is None,
        "closed_on": r.closed_on,
        "closed_reason": r.closed_reason,
    }


@router.get("/credit/{int:org_id}", response=CreditStandingOut, summary="An organization's credit standing")
@public
def credit_standing(request, org_id: int):
    s = credit.standing(request.auth, org_id)
    return {
        "organization": s.organization.pk,
        "name": s.organization.name,
        "region": s.organization.region_id,
        "scope": "full" if s.full else "public",
        "open_records": len(s.open_records),
        "records": [record_out(r) for r in s.records],
    }


def round_out(r) -> dict:
    return {
        "id": r.pk,
        "year": r.year,
        "region": r.region_id,
        "region_name": str(r.region),
        "template": r.template.version,
        "opens_on": r.opens_on,
        "due_on": r.due_on,
        "notice": r.notice,
    }


@router.get("/rounds", response=list[ReportingRoundOut], summary="Reporting rounds and their deadlines")
@public
def rounds(request, filters: Query[RoundsQuery]):
    return [round_out(r) for r in deadlines.rounds_list(filters.year)]


@router.post("/rounds", response={201: ReportingRoundOut}, summary="Open a reporting round (region administrators)")
def open_round(request, payload: ReportingRoundIn):
    require_signed_in(request.auth)
    r = deadlines.open_round(
        request.auth,
        payload.region,
        payload.year,
        due_on=payload.due_on,
        template=payload.template,
        notice=payload.notice,
    )
    return Reply(201, round_out(r))
