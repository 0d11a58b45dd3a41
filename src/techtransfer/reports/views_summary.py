"""Report pages: the summary of the accepted annual reports (tables with bar charts beside them, the year before),
the filing-status board per supervising department, and the exports (Excel, exchange JSON). Thin: parse the
query, ask ``services.summary`` (which decides the scope and refuses others), render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from techtransfer.core.errors import DomainError, Forbidden
from techtransfer.regions.services import name_of
from techtransfer.reports.services import summary as service
from techtransfer.reports.services import templates
from techtransfer.stats.charts import bars

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parameters(request):
    """The scope, the year and the region of a request; ``PermissionDenied`` for users out of every scope."""
    try:
        scope = service.summary_scope(request.user)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    year = service.parse_year(request.GET.get("year")) or service.default_year()
    region = service.resolve_region(scope, request.GET.get("region"))
    return scope, year, region


def _bad(request, exc: DomainError):
    return render(request, "reports/summary_error.html", {"message": exc.message}, status=exc.status)


def _charts(built: service.Summary) -> dict:
    """Bar charts beside the tables (``stats.charts.bars``): amounts by mode with the amount received under each
    bar; contract amounts over every mode by unit type and by region."""
    title = _("Contract amount, every mode")
    return {
        "modes": bars(
            [(m["label"], m["amount"]) for m in built.by_mode],
            _("Contract amount and amount received, by mode"),
            _("yuan"),
            second=[(m["label"], m["received"]) for m in built.by_mode],
        ),
        "kinds": bars([(r["label"], r["amount"]) for r in built.by_kind], title, _("yuan")),
        "regions": bars([(r["name"], r["amount"]) for r in built.by_region], title, _("yuan")),
        "fields": bars([(r["name"], r["amount"]) for r in built.by_field], _("Contract amount"), _("yuan")),
    }


def _sections(built: service.Summary) -> list[tuple[str, list[dict]]]:
    """The totals table's rows grouped by template section (sections without figures left out)."""
    rows = built.rows()
    if built.template is None:
        return []
    result = []
    for section in templates.sections(built.template):
        mine = [r for r in rows if r["field"].section == section.key]
        if mine:
            result.append((section.title, mine))
    return result


@login_required
def summary(request):
    try:
        _scope, year, region = _parameters(request)
        built = service.summarize(request.user, year, region)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except DomainError as exc:
        return _bad(request, exc)
    charts = _charts(built)
    return render(
        request,
        "reports/summary.html",
        {
            "s": built,
            "sections": _sections(built),
            "charts": charts,
            "region_name": name_of(built.region) if built.region else "",
            "years": range(year + 1, year - 6, -1),
        },
    )


@login_required
def board(request):
    try:
        _scope, year, region = _parameters(request)
        departments = service.board(request.user, year, region)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except DomainError as exc:
        return _bad(request, exc)
    return render(
        request,
        "reports/board.html",
        {
            "year": year,
            "region": region,
            "region_name": name_of(region) if region else "",
            "departments": departments,
            "statuses": service.BOARD_STATUSES,
        },
    )


@login_required
def export(request, fmt: str):
    if fmt not in ("xlsx", "json"):
        raise Http404
    try:
        _scope, year, region = _parameters(request)
        built = service.summarize(request.user, year, region)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None
    except DomainError as exc:
        return _bad(request, exc)
    if fmt == "xlsx":
        response = HttpResponse(service.workbook(request.user, built), content_type=XLSX)
    else:
        response = HttpResponse(service.exchange_bytes(request.user, built), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="annual-reports-{built.year}.{fmt}"'
    return response
