"""Statistics API: the contract ledger by classification, region tier and flow, as JSON or as a table export."""

from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.core.exports import export
from techtransfer.core.fields import Money, OptionalMoney, Text
from techtransfer.core.schemas import InputSchema
from techtransfer.regions.services import name_of
from techtransfer.stats import cache as stats_cache
from techtransfer.stats import service_industry, services, tables
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
    with stats_cache.one_generation():
        progress = services.target_progress(qs, request.user)
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
        for p in progress
    ]
    if format:
        header = [_("Region"), _("Indicator"), _("Measure"), _("Direction"), _("From"), _("To"), _("Target"),
                  _("Actual"), _("Progress")]
        rows = [(o.region_name, o.indicator_label, o.measure_label, o.direction_label, o.year_from, o.year_to,
                 o.target, o.actual, o.share) for o in out]
        return export(rows, header, format, "targets")
    return out


# --- service-industry statistics (技术转移服务业专项统计) ------------------------------------------------------------


class ServiceRowOut(Schema):
    org_id: int | None
    name: str
    region: str
    region_name: str
    staff: int | None = Field(description="from the institution's return; null when it has not filed")
    brokers: int = Field(description="people of the institution with a broker or manager profile")
    services: int | None
    contracts: int = Field(description="technology intermediary contracts registered here + reported elsewhere")
    contract_amount: Decimal
    income: Decimal | None
    filed: bool


class ServiceTableOut(Schema):
    year: int
    institutions: int
    returns: int
    rows: list[ServiceRowOut]
    total: ServiceRowOut


class ServiceReturnIn(InputSchema):
    staff: int = Field(ge=0, le=10_000_000)
    services: int = Field(ge=0, le=10_000_000)
    income: Money
    other_contracts: int = Field(0, ge=0, le=10_000_000)
    other_amount: OptionalMoney = None
    note: Text(500) = ""


class ServiceReturnOut(Schema):
    organization: int
    year: int
    staff: int
    services: int
    income: Decimal
    other_contracts: int
    other_amount: Decimal
    note: str
    updated_at: datetime


def _service_row(r) -> ServiceRowOut:
    return ServiceRowOut(
        org_id=r.org_id, name=r.name, region=r.region, region_name=name_of(r.region) if r.region else "",
        staff=r.staff, brokers=r.brokers, services=r.services, contracts=r.contracts,
        contract_amount=r.contract_amount, income=r.income, filed=r.filed,
    )


@router.get("/services", response=ServiceTableOut)
def service_statistics(request, year: int | None = None, region: str = "", format: str = ""):
    """技术转移服务业专项统计: technology-transfer service institutions' activity in ``year`` (default: last year),
    derived from the platform's records and the institutions' returns, within the caller's scope."""
    _check(request, None, None, region)
    year = year or date.today().year - 1
    table = service_industry.service_table(request.user, year, region or None)
    if format:
        header, rows = service_industry.export_rows(table)
        return export(rows, header, format, f"service-industry-{year}-{region or 'all'}")
    return ServiceTableOut(
        year=table.year, institutions=table.institutions, returns=table.returns,
        rows=[_service_row(r) for r in table.rows], total=_service_row(table.total),
    )


def _return_out(ret) -> ServiceReturnOut:
    return ServiceReturnOut(
        organization=ret.organization_id, year=ret.year, staff=ret.staff, services=ret.services, income=ret.income,
        other_contracts=ret.other_contracts, other_amount=ret.other_amount, note=ret.note, updated_at=ret.updated_at,
    )


@router.get("/services/returns/{int:org_id}/{int:year}", response=ServiceReturnOut)
def get_service_return(request, org_id: int, year: int):
    """An institution's yearly return (its members, and administrators and reviewers of its region)."""
    _check(request, None, None)
    org = service_industry.service_institution(request.user, org_id)
    ret = service_industry.get_return(request.user, org, year)
    if ret is None:
        raise NotFound(_("No return filed for this year."))
    return _return_out(ret)


@router.put("/services/returns/{int:org_id}/{int:year}", response=ServiceReturnOut)
def put_service_return(request, org_id: int, year: int, payload: ServiceReturnIn):
    """Enter or correct the yearly return (the institution's administrators); audited."""
    _check(request, None, None)
    org = service_industry.service_institution(request.user, org_id)
    data = payload.dict()
    ret = service_industry.file_return(request.user, org, year, data)
    return _return_out(ret)
