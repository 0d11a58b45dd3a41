"""Statistics API: the contract ledger by classification, region tier and flow, as JSON or as a table export."""

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, Forbidden
from techtransfer.core.exports import export
from techtransfer.regions.services import name_of
from techtransfer.stats import services, tables
from techtransfer.stats.models import Target

router = Router(tags=["statistics"])


class RowOut(Schema):
    key: str | None
    label: str
    count: int
    contract_amount: Decimal
    tech_amount: Decimal


class TableOut(Schema):
    rows: list[RowOut]
    total: RowOut


def _check(request, start, end, region: str = ""):
    if not permissions.principal(request.user).authenticated:
        raise Forbidden(_("Sign in to see statistics."))
    if start and end and end < start:
        raise DomainError(_("The end of the period cannot be before its start."), field="end")
    if region and not (len(region) == 6 and region.isdigit()):
        raise DomainError(_("A region code has six digits."), field="region")


def _table(request, rows, label, fmt: str | None, filename: str):
    out = [
        RowOut(
            key=r.key, label=label(r.key), count=r.count, contract_amount=r.contract_amount, tech_amount=r.tech_amount
        )
        for r in rows
    ]
    total = RowOut(
        key=None,
        label=_("Total"),
        count=sum(r.count for r in rows),
        contract_amount=sum((r.contract_amount for r in rows), Decimal("0.00")),
        tech_amount=sum((r.tech_amount for r in rows), Decimal("0.00")),
    )
    if fmt:
        header = [_("Key"), _("Name"), _("Contracts"), _("Contract amount (yuan)"), _("Technology transaction amount")]
        lines = [(r.key or "", r.label, r.count, r.contract_amount, r.tech_amount) for r in [*out, total]]
        return export(lines, header, fmt, filename)
    return TableOut(rows=out, total=total)


@router.get("/contracts", response=TableOut)
def by_dimension(
    request,
    dimension: str = "category",
    start: date | None = None,
    end: date | None = None,
    region: str = "",
    format: str = "",
):
    """Registered contracts, contract amount and technology transaction amount by one classification (sellers
    inside ``region`` if given), within the caller's scope."""
    if dimension not in services.OUTPUT_DIMENSIONS:
        raise DomainError(_("Unknown dimension."), field="dimension")
    _check(request, start, end, region)
    rows = services.table(request.user, dimension, start, end, region or None)
    names = tables.labels(dimension)
    return _table(request, rows, lambda k: names.get(k, k) if k else _("(none)"), format, f"contracts-by-{dimension}")


@router.get("/contracts/regions", response=TableOut)
def by_region(
    request,
    side: str = "output",
    tier: str = "city",
    parent: str = "",
    start: date | None = None,
    end: date | None = None,
    format: str = "",
):
    """Drill-down province → city → county; output by the seller's region, absorption by the buyer's."""
    if side not in services.SIDES:
        raise DomainError(_("Side must be output or absorption."), field="side")
    if tier not in services.TIER_PREFIX:
        raise DomainError(_("Tier must be province, city or county."), field="tier")
    if parent and not (len(parent) == 6 and parent.isdigit()):
        raise DomainError(_("A region code has six digits."), field="parent")
    _check(request, start, end)
    rows = services.regions(request.user, side, tier, parent or None, start, end)
    label = lambda k: name_of(k) if k else _("Abroad")  # noqa: E731
    return _table(request, rows, label, format, f"contracts-{side}-{tier}")


class ProgressOut(Schema):
    id: int
    region_code: str
    region_name: str
    indicator: str
    indicator_label: str
    measure: str = Field(description="contract_amount, tech_amount, count; empty for entered indicators")
    measure_label: str = ""
    direction: str = Field(description="output (sellers in the region), absorption (buyers), both (the sum)")
    direction_label: str = ""
    year_from: int
    year_to: int
    cumulative: bool
    target: Decimal
    actual: Decimal | None
    share: Decimal | None
    source: str


@router.get("/targets", response=list[ProgressOut])
def targets(request, region: str = "", format: str = ""):
    """Plan targets (domain.md §4) with progress against the registered actuals the caller may count."""
    _check(request, None, None)
    qs = Target.objects.all()
    if region:
        qs = qs.filter(region_code=region)
    out = [
        ProgressOut(
            id=p.target.pk,
            region_code=p.target.region_code,
            region_name=name_of(p.target.region_code),
            indicator=p.target.indicator,
            indicator_label=str(p.target.get_indicator_display()),
            measure=p.target.measure,
            measure_label=str(p.target.get_measure_display()) if p.target.measure else "",
            direction=p.target.direction,
            direction_label=str(p.target.get_direction_display()),
            year_from=p.target.year_from,
            year_to=p.target.year_to,
            cumulative=p.target.cumulative,
            target=p.target.value,
            actual=p.actual,
            share=p.share,
            source=p.target.source,
        )
        for p in services.target_progress(qs, request.user)
    ]
    if format:
        header = [_("Region"), _("Indicator"), _("Measure"), _("Direction"), _("From"), _("To"), _("Target"),
                  _("Actual"), _("Progress")]
        rows = [(o.region_name, o.indicator_label, o.measure_label, o.direction_label, o.year_from, o.year_to,
                 o.target, o.actual, o.share) for o in out]
        return export(rows, header, format, "targets")
    return out
