"""Summaries of the accepted annual reports and the filing-status board — 年度报告汇总 (issue 14, item 5).

促进科技成果转化法 art. 21 and the yearly MOST/MOF notices (财科教〔2017〕22号): units report to their supervising
department, which reviews; the science departments of the province, cities and counties receive and sum the
ACCEPTED reports. So a summary counts accepted reports only — never drafts, submitted or returned ones.

Who may read a summary (``summary_scope``):

- platform administrators: everything;
- region administrators: the reports whose region lies inside one of their regions (GB/T 2260 containment);
- administrators of a supervising department (主管部门, ``Organization.supervisor``): the reports they reviewed
  (``AnnualReport.supervisor``) and, for the board, the units they supervise;
- anyone else (unit administrators, members, visitors) is refused (``Forbidden``, HTTP 403).

Figures: every numeric field of the year's template (``templates.fields``) is summed, counts as ``int`` and money
as ``Decimal``; a field a report leaves empty counts as zero. Breakdowns: by unit type (``Organization.kind``), by
the next region tier below the scope (province → cities, city → counties; a county has no tier below), by mode
(transfer, licence, equity investment, technology development, consulting, service: count, amount, received) and
the same figures for the year before with the change in percent. By technical field: the report itself has no field,
so the breakdown by field is that of the reporting units' registered contracts in the year (certified, the unit the
seller — the same contracts as the pre-filled figures, ``prefill.certified_contracts``) by their technical field
(技术领域): contracts and contract amount.
"""

from __future__ import annotations

import datetime
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.core.errors import DomainError, Forbidden
from techtransfer.core.fields import strip_illegal_characters
from techtransfer.orgs.models import Organization, OrgKind
from techtransfer.regions.services import exists, is_within, name_of, scope_q, tier_of, validate_code
from techtransfer.reports.models import AnnualReport, ReportStatus, ReportTemplate
from techtransfer.reports.services import deadlines, prefill, templates
from techtransfer.reports.services.obligation import obligated_units
from techtransfer.taxonomy.models import TechField

SCHEMA = "techtransfer.reports.summary/1"
MODES = ("transfer", "licence", "equity", "development", "consulting", "service")
MODE_FIGURES = ("count", "amount", "received")
MODE_LABELS = {
    "transfer": gettext_lazy("Transfer"),
    "licence": gettext_lazy("Licence"),
    "equity": gettext_lazy("Equity investment"),
    "development": gettext_lazy("Technology development"),
    "consulting": gettext_lazy("Technology consulting"),
    "service": gettext_lazy("Technology service"),
}
TEXT_FIELDS = ("measures", "cases", "problems")
ZERO = Decimal("0.00")
MIN_YEAR, MAX_YEAR = 1990, 2999
CHILD_TIER = {"province": "city", "city": "county", "county": None}


# ---------------------------------------------------------------- scope


@dataclass(frozen=True)
class SummaryScope:
    """What a user may sum: everything, the reports inside ``regions``, or those of the departments ``departments``
    (organization ids of the supervising departments the user administers)."""

    everything: bool = False
    regions: tuple[str, ...] = ()
    departments: tuple[int, ...] = ()

    def q(self) -> Q:
        """The filter of what the user may sum, for reports and for units alike: both carry ``region_id`` and
        ``supervisor_id`` (the report's reviewing department, the unit's supervising department)."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for region in self.regions:
            q |= scope_q("region_id", region)
        if self.departments:
            q |= Q(supervisor_id__in=self.departments)
        return q

    def default_region(self) -> str | None:
        """The region a summary covers when none is asked: the user's only region, the home province for
        platform administrators, none (all their units) for departments."""
        if self.everything:
            return settings.PROVINCE_CODE
        if len(self.regions) == 1 and not self.departments:
            return self.regions[0]
        return None

    def allows_region(self, code: str) -> bool:
        """A region filter is allowed inside the user's regions; departments may narrow theirs by any region."""
        return self.everything or bool(self.departments) or any(is_within(code, r) for r in self.regions)


def summary_scope(user) -> SummaryScope:
    """The scope of ``user`` for summaries, the board and the exports; ``Forbidden`` for anyone who is not a
    platform administrator, region administrator or administrator of a supervising department."""
    permissions.require_user(user)
    p = permissions.principal(user)
    if p.is_platform_admin:
        return SummaryScope(everything=True)
    regions = tuple(sorted(set(p.regions(Role.REGION_ADMIN))))
    admin_of = p.org_ids(Role.ORG_ADMIN)
    departments = (
        tuple(
            sorted(
                Organization.objects.filter(pk__in=admin_of, supervised_units__isnull=False)
                .values_list("pk", flat=True)
                .distinct()
            )
        )
        if admin_of
        else ()
    )
    if not regions and not departments:
        raise Forbidden(
            _("Summaries of the annual reports are for the science departments and the supervising departments.")
        )
    return SummaryScope(regions=regions, departments=departments)


def sees_texts(user, report: AnnualReport) -> bool:
    """Whether ``user`` may read the texts (measures, cases, problems) of ``report``: accepted reports only, for
    platform administrators, administrators of a region containing the report's region and the reviewing
    department's administrators."""
    if report.status != ReportStatus.ACCEPTED:
        return False
    p = permissions.principal(user)
    if p.is_platform_admin:
        return True
    if p.in_region_scope(report.region_id, Role.REGION_ADMIN):
        return True
    return report.supervisor_id in p.org_ids(Role.ORG_ADMIN)


def parse_year(raw, *, required: bool = False) -> int | None:
    """A report year from a query string; ``DomainError`` (400, field ``year``) when it is not one."""
    if raw in (None, ""):
        if required:
            raise DomainError(_("Give the report year."), field="year")
        return None
    try:
        year = int(str(raw).strip())
    except ValueError:
        raise DomainError(_("The year must be a number such as 2024."), field="year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(
            _("The year must lie between %(a)s and %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}, field="year"
        )
    return year


def default_year() -> int:
    """The newest year with accepted reports, else the year before this one (the year now being reported)."""
    newest = AnnualReport.objects.filter(status=ReportStatus.ACCEPTED).order_by("-year").values_list("year", flat=True)
    return newest.first() or timezone.localdate().year - 1


def resolve_region(scope: SummaryScope, raw: str | None) -> str | None:
    """The region a summary covers: ``raw`` when given (a known code inside the scope), else the default."""
    if raw in (None, ""):
        return scope.default_region()
    try:
        code = validate_code(str(raw).strip())
    except ValueError:
        raise DomainError(_("The region must be a six-digit GB/T 2260 code."), field="region") from None
    if not exists(code):
        raise DomainError(_("Unknown region code %(code)s.") % {"code": code}, field="region")
    if not scope.allows_region(code):
        raise Forbidden(_("This region lies outside your scope."))
    return code


# ---------------------------------------------------------------- figures


def _template(year: int) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(version__lte=year).order_by("-version").first()


def numeric_fields(template: ReportTemplate | None) -> list[templates.Field]:
    if template is None:
        return []
    return [f for f in templates.fields(template).values() if f.numeric]


def _zero(field: templates.Field):
    return 0 if field.kind == "count" else ZERO


def figure(values: dict, field: templates.Field):
    """A report's value of a numeric field: ``int`` for counts, ``Decimal`` for money, zero when left empty."""
    value = templates.number(values or {}, field.key)
    if value is None:
        return _zero(field)
    return int(value) if field.kind == "count" else value.quantize(Decimal("0.01"))


def accepted_reports(scope: SummaryScope, year: int, region: str | None):
    qs = AnnualReport.objects.filter(scope.q(), status=ReportStatus.ACCEPTED, year=year)
    if region:
        qs = qs.filter(scope_q("region_id", region))
    return qs.select_related("organization", "supervisor").order_by("organization__name", "id")


def _sum(reports, fields: list[templates.Field]) -> dict:
    totals = {f.key: _zero(f) for f in fields}
    for report in reports:
        for f in fields:
            totals[f.key] += figure(report.values, f)
    return totals


def child_region(code: str, scope_region: str | None) -> str:
    """The region one tier below ``scope_region`` that holds ``code`` (cities below a province, counties below a
    city; below no scope, the provinces). A unit registered at the scope's own level stays under its code."""
    tier = tier_of(scope_region) if scope_region else None
    if tier is None:
        return code[:2] + "0000"
    if tier == "province":
        return code[:4] + "00"
    return code


def change_percent(current, previous) -> Decimal | None:
    """(current − previous) / previous in percent, one place; None when the year before has nothing."""
    if previous in (None, 0) or not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _modes(totals: dict) -> list[dict]:
    rows = []
    for mode in MODES:
        if f"{mode}_count" not in totals:
            continue
        figures = {k: totals.get(f"{mode}_{k}", ZERO) for k in MODE_FIGURES}
        rows.append({"mode": mode, "label": str(MODE_LABELS[mode]), **figures})
    return rows


def all_modes_amount(totals: dict) -> Decimal:
    """The contract amount over every mode (transfer, licence, equity, development, consulting, service)."""
    return sum((totals.get(f"{mode}_amount", ZERO) for mode in MODES), ZERO)


def _label_kind(kind: str) -> str:
    try:
        return str(OrgKind(kind).label)
    except ValueError:
        return kind


@dataclass
class Summary:
    year: int
    region: str | None
    scope: SummaryScope
    template: ReportTemplate | None
    fields: list[templates.Field]
    reports: list[AnnualReport]
    totals: dict
    previous: dict
    by_kind: list[dict]
    by_region: list[dict]
    by_mode: list[dict]
    by_field: list[dict]
    counts: dict
    child_tier: str | None

    @property
    def empty(self) -> bool:
        return not self.reports

    def rows(self) -> list[dict]:
        """One row per numeric field: value, the year before and the change in percent."""
        result = []
        for f in self.fields:
            prev = self.previous.get(f.key)
            result.append(
                {
                    "field": f,
                    "key": f.key,
                    "value": self.totals[f.key],
                    "previous": prev,
                    "change": change_percent(self.totals[f.key], prev),
                }
            )
        return result


def summarize(user, year: int, region: str | None = None) -> Summary:
    """The summary of the accepted reports of ``year`` inside ``region`` that ``user`` may read."""
    scope = summary_scope(user)
    region = resolve_region(scope, region)
    template = _template(year)
    fields = numeric_fields(template)
    reports = list(accepted_reports(scope, year, region))
    totals = _sum(reports, fields)
    previous_reports = list(accepted_reports(scope, year - 1, region))
    previous_fields = {f.key for f in numeric_fields(_template(year - 1))}
    prev_totals = _sum(previous_reports, [f for f in fields if f.key in previous_fields])

    groups: dict[str, list] = defaultdict(list)
    for r in reports:
        groups[r.organization.kind].append(r)
    by_kind = [
        {"kind": kind, "label": _label_kind(kind), "units": len(rs), "totals": _sum(rs, fields)}
        for kind, rs in sorted(groups.items())
    ]
    for row in by_kind:
        row["amount"] = all_modes_amount(row["totals"])
    child_tier = CHILD_TIER[tier_of(region)] if region else "province"
    by_region = []
    if child_tier:
        regional: dict[str, list] = defaultdict(list)
        for r in reports:
            regional[child_region(r.region_id, region)].append(r)
        by_region = [
            {"region": code, "name": name_of(code), "units": len(rs), "totals": _sum(rs, fields)}
            for code, rs in sorted(regional.items())
        ]
        for row in by_region:
            row["amount"] = all_modes_amount(row["totals"])
    by_mode = _modes(totals)
    prev_modes = {m["mode"]: m for m in _modes(prev_totals)} if prev_totals else {}
    for m in by_mode:
        before = prev_modes.get(m["mode"])
        m["previous"] = before
        m["change"] = {k: change_percent(m[k], before[k] if before else None) for k in MODE_FIGURES}

    obligated = obligated_units(year, region).filter(scope.q())
    filed_q = AnnualReport.objects.filter(scope.q(), year=year).exclude(status=ReportStatus.DRAFT)
    if region:
        filed_q = filed_q.filter(scope_q("region_id", region))
    counts = {
        "obligated": obligated.count(),
        "filed": filed_q.count(),
        "accepted": len(reports),
        "accepted_previous": len(previous_reports),
    }
    return Summary(
        year,
        region,
        scope,
        template,
        fields,
        reports,
        totals,
        prev_totals if previous_reports else {},
        by_kind,
        by_region,
        by_mode,
        by_field(reports, year),
        counts,
        child_tier,
    )


def by_field(reports: list[AnnualReport], year: int) -> list[dict]:
    """The registered contracts of the reporting units in ``year`` by technical field, largest amount first:
    ``{"field", "name", "contracts", "amount"}`` (``field`` None for contracts registered without one)."""
    org_ids = sorted({r.organization_id for r in reports})
    if not org_ids:
        return []
    rows = (
        prefill.certified_contracts(org_ids, year)
        .values("tech_field_id")
        .annotate(contracts=Count("id"), amount=Sum("contract_amount"))
    )
    names = TechField.objects.in_bulk([r["tech_field_id"] for r in rows if r["tech_field_id"]])
    result = [
        {
            "field": r["tech_field_id"],
            "name": str(names[r["tech_field_id"]]) if r["tech_field_id"] in names else _("No field recorded"),
            "contracts": r["contracts"],
            "amount": (r["amount"] or ZERO).quantize(ZERO),
        }
        for r in rows
    ]
    return sorted(result, key=lambda r: (-r["amount"], -r["contracts"], str(r["field"])))


# ---------------------------------------------------------------- board

BOARD_STATUSES = ("not_started", "draft", "submitted", "returned", "accepted")


def board(user, year: int, region: str | None = None, *, today: datetime.date | None = None) -> list[dict]:
    """The filing status of every obligated unit in the user's scope, grouped by supervising department.

    A unit's status is its report's (draft, submitted, returned, accepted) or ``not_started`` without one; it is
    ``overdue`` when the deadline of the round covering its region (``ReportingRound.due_on``) has passed and the
    report was never submitted; ``late`` when it was submitted after the deadline (``AnnualReport.late``)."""
    scope = summary_scope(user)
    region = resolve_region(scope, region)
    today = today or timezone.localdate()
    units = list(obligated_units(year, region).filter(scope.q()).select_related("supervisor"))
    reports = {
        r.organization_id: r
        for r in AnnualReport.objects.filter(year=year, organization_id__in=[u.pk for u in units]).only(
            "id", "organization_id", "status", "late", "submitted_at", "round_id"
        )
    }
    rounds = deadlines.governing_rounds(year)
    departments: dict[int | None, dict] = {}
    for unit in units:
        report = reports.get(unit.pk)
        status = report.status if report else "not_started"
        rnd = deadlines.round_for(unit, year, rounds)
        due = rnd.due_on if rnd else None
        never_submitted = report is None or (report.status == ReportStatus.DRAFT and report.submitted_at is None)
        overdue = bool(due and today > due and never_submitted)
        key = unit.supervisor_id
        dept = departments.setdefault(
            key,
            {
                "department": unit.supervisor,
                "department_id": key,
                "name": unit.supervisor.name if unit.supervisor else _("No supervising department recorded"),
                "units": [],
                "counts": dict.fromkeys((*BOARD_STATUSES, "overdue", "late", "total"), 0),
            },
        )
        dept["units"].append(
            {
                "unit": unit,
                "id": unit.pk,
                "name": unit.name,
                "region": unit.region_id,
                "status": status,
                "overdue": overdue,
                "late": bool(report and report.late),
                "due_on": due,
                "report_id": report.pk if report else None,
            }
        )
        counts = dept["counts"]
        counts[status] += 1
        counts["total"] += 1
        counts["overdue"] += overdue
        counts["late"] += bool(report and report.late)
    return sorted(departments.values(), key=lambda d: (d["department_id"] is None, d["name"]))


# ---------------------------------------------------------------- exports


def _cell(value):
    """A cell value safe for a spreadsheet: illegal XML characters dropped, formulas in texts neutralized."""
    if isinstance(value, str):
        value = strip_illegal_characters(value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return "" if value is None else value


def _sheet_title(title: str, used: set[str]) -> str:
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:31] or "sheet"
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


def _unit_columns() -> list[str]:
    return [_("Reporting unit"), _("Unified social credit code"), _("Type"), _("Region"), _("Supervising department")]


def _unit_cells(report: AnnualReport) -> list:
    org = report.organization
    return [org.name, org.credit_code, _label_kind(org.kind), name_of(report.region_id), report.supervisor.name]


def workbook(user, summary: Summary) -> bytes:
    """The summary as an Excel workbook in the national layout: a summary sheet (each figure with its unit, the
    year before and the change), then one sheet per template section — a row per accepted report, a column per
    field with its unit in the header and a total row. Texts appear only in rows ``user`` may read them in."""
    wb = Workbook()
    used: set[str] = set()
    ws = wb.active
    ws.title = _sheet_title(_("Summary"), used)
    bold = Font(bold=True)
    ws.append([_cell(_("Annual transformation reports: summary of the accepted reports"))])
    ws.append([_("Report year"), summary.year])
    ws.append([_("Region"), name_of(summary.region) if summary.region else _("All units in scope")])
    ws.append([_("Units obliged to file"), summary.counts["obligated"]])
    ws.append([_("Reports filed"), summary.counts["filed"]])
    ws.append([_("Reports accepted"), summary.counts["accepted"]])
    ws.append([])
    ws.append([_("Figure"), _("Unit"), str(summary.year), str(summary.year - 1), _("Change (%)")])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in summary.rows():
        ws.append([_cell(row["field"].label), row["field"].unit, row["value"], row["previous"], row["change"]])
    breakdowns = [
        (
            _("By mode"),
            [_("Contracts"), _("Contract amount (yuan)"), _("Received in the year (yuan)")],
            [(m["label"], [m[k] for k in MODE_FIGURES]) for m in summary.by_mode],
        ),
        (
            _("By unit type"),
            [_("Reports"), _("Contract amount, every mode (yuan)")],
            [(r["label"], [r["units"], r["amount"]]) for r in summary.by_kind],
        ),
        (
            _("By region"),
            [_("Reports"), _("Contract amount, every mode (yuan)")],
            [(r["name"], [r["units"], r["amount"]]) for r in summary.by_region],
        ),
        (
            _("Registered contracts of the reporting units by technical field"),
            [_("Contracts"), _("Contract amount (yuan)")],
            [(r["name"], [r["contracts"], r["amount"]]) for r in summary.by_field],
        ),
    ]
    for title, columns, rows in breakdowns:
        if not rows:
            continue
        ws.append([])
        ws.append([title, *columns])
        for cell in ws[ws.max_row]:
            cell.font = bold
        for label, values in rows:
            ws.append([_cell(label), *values])
    for section in templates.sections(summary.template) if summary.template else []:
        sheet = wb.create_sheet(_sheet_title(section.title, used))
        texts = not any(f.numeric for f in section.fields)
        header = [
            *_unit_columns(),
            *[f"{f.label}（{f.unit}）" if f.unit else f.label for f in section.fields],
        ]
        sheet.append([_cell(h) for h in header])
        for cell in sheet[1]:
            cell.font = bold
        for report in summary.reports:
            cells = []
            for f in section.fields:
                if f.numeric:
                    cells.append(figure(report.values, f))
                else:
                    cells.append(_cell((report.values or {}).get(f.key) or "") if sees_texts(user, report) else "")
            sheet.append([_cell(v) for v in _unit_cells(report)] + cells)
        if not texts:
            sheet.append(
                [_("Total"), "", "", "", ""] + [summary.totals[f.key] if f.numeric else "" for f in section.fields]
            )
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def exchange(user, summary: Summary) -> dict:
    """The exchange JSON of a summary (schema ``techtransfer.reports.summary/1``): money as decimal strings with
    two places, counts as integers; units carry their texts only when ``user`` may read them."""
    units = []
    for report in summary.reports:
        org = report.organization
        unit = {
            "id": org.pk,
            "name": org.name,
            "credit_code": org.credit_code,
            "kind": org.kind,
            "region": report.region_id,
            "supervisor": report.supervisor.name,
            "late": report.late,
            "figures": {f.key: figure(report.values, f) for f in summary.fields},
        }
        if sees_texts(user, report):
            unit["texts"] = {k: (report.values or {}).get(k) or "" for k in TEXT_FIELDS}
        units.append(unit)
    return _plain(
        {
            "schema": SCHEMA,
            "year": summary.year,
            "region": summary.region,
            "template": summary.template.version if summary.template else None,
            "counts": summary.counts,
            "totals": summary.totals,
            "previous": summary.previous,
            "by_kind": [{k: v for k, v in row.items() if k not in ("label", "amount")} for row in summary.by_kind],
            "by_region": [{k: v for k, v in row.items() if k not in ("name", "amount")} for row in summary.by_region],
            "by_mode": [{"mode": m["mode"], **{k: m[k] for k in MODE_FIGURES}} for m in summary.by_mode],
            "by_field": [{k: row[k] for k in ("field", "contracts", "amount")} for row in summary.by_field],
            "units": units,
        }
    )


def exchange_bytes(user, summary: Summary) -> bytes:
    return json.dumps(exchange(user, summary), ensure_ascii=False, indent=1).encode("utf-8")
