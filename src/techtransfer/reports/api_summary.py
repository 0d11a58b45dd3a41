"""Reports API: summaries of the accepted reports, the filing-status board and the exports (Excel in the national
layout, exchange JSON). For platform administrators, region administrators (their regions) and the
administrators of supervising departments (their units); everyone else gets 403 (``services.summary``)."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from ninja import Router, Schema

from techtransfer.accounts.permissions import require_signed_in
from techtransfer.reports.services import summary as service

router = Router(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _build(request, year: str | None, region: str | None) -> service.Summary:
    require_signed_in(request.auth)
    service.summary_scope(request.auth)  # refuse (403) before judging the parameters (400)
    parsed = service.parse_year(year) or service.default_year()
    return service.summarize(request.auth, parsed, region)


@router.get("/summary", summary="Summary of the accepted annual reports (totals, by type, region, mode, year before)")
def summary(request, year: str | None = None, region: str | None = None):
    built = _build(request, year, region)
    data = service.exchange(request.auth, built)
    del data["units"]  # the list of units and their texts is in the exports
    data["obligated"] = built.counts["obligated"]
    return data


class BoardUnitOut(Schema):
    id: int
    name: str
    region: str
    status: str
    overdue: bool
    late: bool
    due_on: datetime.date | None
    report_id: int | None


class BoardDepartmentOut(Schema):
    department_id: int | None
    name: str
    counts: dict[str, int]
    units: list[BoardUnitOut]


class BoardOut(Schema):
    year: int
    region: str | None
    departments: list[BoardDepartmentOut]


@router.get("/board", response=BoardOut, summary="Filing status of the obligated units per supervising department")
def board(request, year: str | None = None, region: str | None = None):
    require_signed_in(request.auth)
    scope = service.summary_scope(request.auth)
    parsed = service.parse_year(year) or service.default_year()
    code = service.resolve_region(scope, region)
    departments = service.board(request.auth, parsed, code)
    return {"year": parsed, "region": code, "departments": departments}


@router.get("/export.xlsx", summary="The summary as an Excel workbook (a sheet per section, national layout)")
def export_xlsx(request, year: str | None = None, region: str | None = None):
    built = _build(request, year, region)
    response = HttpResponse(service.workbook(request.auth, built), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="annual-reports-{built.year}.xlsx"'
    return response


@router.get("/export.json", summary="The summary as the exchange JSON (techtransfer.reports.summary/1)")
def export_json(request, year: str | None = None, region: str | None = None):
    built = _build(request, year, region)
    response = HttpResponse(service.exchange_bytes(request.auth, built), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="annual-reports-{built.year}.json"'
    return response
