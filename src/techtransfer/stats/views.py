"""Statistics pages: the technology-market dashboard with drill-down province → city → county, breakdowns,
flows and target progress; every table has its chart beside it and an Excel/CSV export. Region administrators
and reviewers see their region's figures, organization members their own organization's."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError
from techtransfer.core.exports import export
from techtransfer.orgs.models import Organization
from techtransfer.regions.services import exists as region_exists
from techtransfer.regions.services import is_within, tier_path, validate_code
from techtransfer.stats import cache as stats_cache
from techtransfer.stats import charts, service_industry, services, tables
from techtransfer.stats.models import Target


def _day(value: str | None, first: bool) -> datetime.date | None:
    """A date from ``YYYY-MM-DD`` or a whole month from ``YYYY-MM`` (its first or last day). The page asks for
    months, so its periods are read from the monthly summary alone."""
    if not value:
        return None
    value = value.strip()[:10]
    if len(value) == 7:
        day = datetime.date.fromisoformat(value + "-01")
        if not first:
            day = (day + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        return day
    return datetime.date.fromisoformat(value)


class Params:
    """Period and region of a dashboard request, clamped to what the user may see."""

    def __init__(self, request):
        g = request.GET
        today = timezone.localdate()
        self.years = list(range(today.year, today.year - 5, -1))
        self.year = g.get("year", str(today.year))
        self.start = self.end = None
        self.error = None
        try:
            if g.get("start") or g.get("end"):
                self.year = ""
                self.start = _day(g.get("start"), first=True)
                self.end = _day(g.get("end"), first=False)
                if self.start and self.end and self.end < self.start:
                    raise DomainError(_("The end of the period cannot be before its start."), field="end")
            elif self.year != "all":
                y = int(self.year)
                if not 1990 <= y <= 2200:
                    raise ValueError
                self.start, self.end = datetime.date(y, 1, 1), datetime.date(y, 12, 31)
        except (ValueError, DomainError) as exc:
            self.error = exc.message if isinstance(exc, DomainError) else _("Not a valid period.")
            self.year, self.start, self.end = (
                str(today.year),
                datetime.date(today.year, 1, 1),
                today.replace(month=12, day=31),
            )
        self.scope = services.scope_of(request.user)
        default = settings.PROVINCE_CODE
        if not self.scope.everything and len(self.scope.regions) == 1 and not self.scope.org_ids:
            default = self.scope.regions[0]
        region = g.get("region", "") or default
        try:
            validate_code(region)
            if not region_exists(region):
                raise ValueError
        except ValueError:
            self.error = _("Unknown region code: %s") % region[:10]
            region = default
        if not self._allowed(region):
            self.error = _("You may see the statistics of your own region only.")
            region = default
        self.region = region

    def _allowed(self, region: str) -> bool:
        s = self.scope
        if s.everything or s.org_ids:
            return True
        return any(is_within(region, r) for r in s.regions)

    def query(self, **extra) -> str:
        params = {"region": self.region}
        if self.year:
            params["year"] = self.year
        else:
            params.update({k: v.isoformat() for k, v in (("start", self.start), ("end", self.end)) if v})
        params.update(extra)
        return urlencode(params)


@login_required
def dashboard(request):
    p = Params(request)
    if p.error:
        messages.error(request, p.error)
    user = request.user
    with stats_cache.one_generation():
        # The tables and their charts, rendered once per ledger generation, scope, period, region and language: the
        # bulk of the page's work (a dozen summary queries, the charts, hundreds of formatted numbers).
        parts = ("dashboard-tables", p.query(), get_language(), stats_cache.scope_key(p.scope, p.region))
        tables_html = stats_cache.cached(parts, lambda: _tables_html(user, p))
        output = services.totals(user, p.start, p.end, p.region)
        absorption = services.totals(user, p.start, p.end, p.region, side="absorption")
        progress = _progress(user, p.region)
    path = [(code, tables.name_of(code)) for code in tier_path(p.region)]
    return render(
        request,
        "stats/dashboard.html",
        {
            "p": p,
            "tables_html": mark_safe(tables_html),  # noqa: S308  (rendered by the template stats/_tables.html)
            "output": output,
            "absorption": absorption,
            "path": path,
            "progress": progress,
            "region_name": tables.name_of(p.region),
            "scope_note": not p.scope.everything,
            "org_only": bool(p.scope.org_ids) and not p.scope.regions and not p.scope.everything,
        },
    )


def _tables_html(user, p: Params) -> str:
    built = [tables.build(user, name, p.start, p.end, p.region) for name in tables.TABLE_NAMES]
    for t in built:
        t.svg = charts.bars(t.chart, t.title, _("Technology transaction amount (yuan)"), t.chart2)
        t.export_query = p.query(table=t.name)
    return str(render_to_string("stats/_tables.html", {"p": p, "tables": built}))


def _progress(user, region: str):
    """Targets of the region and of the regions containing it, against the actuals the user may count."""
    codes = tier_path(region)
    rows = []
    for pr in services.target_progress(Target.objects.filter(region_code__in=codes), user):
        rows.append((pr, charts.progress(pr.share, str(pr.target))))
    return rows


@login_required
def export_table(request):
    """One dashboard table as Excel (``format=xlsx``) or CSV, for the same period, region and scope."""
    p = Params(request)
    name = request.GET.get("table", "")
    fmt = request.GET.get("format", "xlsx")
    if p.error:
        return render(request, "core/error.html", {"status": 400, "message": p.error}, status=400)
    if name == "targets":
        with stats_cache.one_generation():
            progress = _progress(request.user, p.region)
        rows = [
            [
                pr.target.region_code,
                tables.name_of(pr.target.region_code),
                str(pr.target.get_indicator_display()),
                str(pr.target.get_measure_display()) if pr.target.measure else "",
                str(pr.target.get_direction_display()) if pr.target.measure else "",
                pr.target.year_from,
                pr.target.year_to,
                pr.target.value,
                pr.actual,
                pr.share,
            ]
            for pr, _svg in progress
        ]
        header = [_("Code"), _("Region"), _("Indicator"), _("Measure"), _("Direction"), _("From"), _("To"), _("Target"),
                  _("Actual"), _("Progress")]
        return _export(rows, header, fmt, f"targets-{p.region}")
    if name not in tables.TABLE_NAMES:
        raise Http404
    with stats_cache.one_generation():
        table = tables.build(request.user, name, p.start, p.end, p.region)
    period = p.year or f"{p.start or ''}_{p.end or ''}"
    return _export(tables.export_rows(table), table.header, fmt, f"contracts-{name}-{p.region}-{period}")


def _export(rows, header, fmt, filename):
    try:
        return export(rows, header, fmt, filename)
    except DomainError as exc:
        return _error(exc)


def _error(exc):
    return HttpResponseBadRequest(exc.message)


# --- service-industry statistics (技术转移服务业专项统计) ------------------------------------------------------------


def _service_year(request) -> tuple[int, str | None]:
    """The year of the service table: ``year`` from the request, by default last year (returns are filed after
    the year closes)."""
    default = timezone.localdate().year - 1
    raw = request.GET.get("year", "")
    if not raw:
        return default, None
    try:
        year = int(raw)
        if not service_industry.FIRST_YEAR <= year <= timezone.localdate().year:
            raise ValueError
    except ValueError:
        return default, _("Not a valid year.")
    return year, None


@login_required
def service_statistics(request):
    """技术转移服务业专项统计: the service institutions of the region in a year, with export (seed 004)."""
    p = Params(request)
    year, error = _service_year(request)
    for message in (p.error, error):
        if message:
            messages.error(request, message)
    table = service_industry.service_table(request.user, year, p.region)
    if request.GET.get("format"):
        header, rows = service_industry.export_rows(table)
        return _export(rows, header, request.GET["format"], f"service-industry-{year}-{p.region}")
    this_year = timezone.localdate().year
    return render(
        request,
        "stats/services.html",
        {
            "p": p,
            "year": year,
            "years": list(range(this_year, this_year - 6, -1)),
            "table": table,
            "region_name": tables.name_of(p.region),
            "export_query": urlencode({"region": p.region, "year": year}),
            "own_institutions": Organization.objects.filter(
                kind=service_industry.SERVICE_KIND, pk__in=p.scope.org_ids
            ),
        },
    )


@login_required
def service_return(request, org_id: int, year: int):
    """The institution's yearly return: its administrators enter and correct it, others with access read it."""
    try:
        org = service_industry.service_institution(request.user, org_id)
        current = service_industry.get_return(request.user, org, year)
    except DomainError as exc:
        return render(request, "core/error.html", {"status": exc.status, "message": exc.message}, status=exc.status)
    may_file = permissions.allowed("stats.file_service_return", request.user, org)
    error = None
    values = {f: getattr(current, f, "") for f in service_industry.RETURN_FIELDS} if current else {}
    if request.method == "POST":
        values = {f: request.POST.get(f, "").strip() for f in service_industry.RETURN_FIELDS}
        try:
            service_industry.file_return(request.user, org, year, values)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("The return is saved."))
            return redirect("stats:service-return", org_id=org.pk, year=year)
    return render(
        request,
        "stats/service_return.html",
        {"org": org, "year": year, "values": values, "current": current, "may_file": may_file, "error": error},
        status=error.status if error else 200,
    )
