"""Technology-market statistics — 技术市场统计 — computed from the contract ledger.

Every figure is a sum of ``ContractEvent`` deltas effective in the period, so amendments and cancellations
count on the day they were registered (《技术合同认定登记管理办法》: changes are registered as such).
The dashboard queries (``table``, ``regions``, ``absorption_flows``, ``periods``, ``totals``) are cached per ledger
generation and scope (``stats.cache``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Substr, TruncMonth

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.contracts.models import ContractEvent, ContractParty, LedgerSummary, PartyRole
from techtransfer.orgs.models import DemoLevel, Organization
from techtransfer.regions.services import scope_q
from techtransfer.stats import cache as stats_cache
from techtransfer.stats.models import INDICATOR_MEASURES, Direction, Indicator, Measure

ZERO = Decimal("0.00")

# Dimension name -> ledger path of the grouping key.
DIMENSIONS = {
    "category": "contract__category_id",
    "subcategory": "contract__subcategory_id",
    "tech_field": "contract__tech_field_id",
    "ip_type": "contract__ip_type_id",
    "objective": "contract__objective_id",
    "flow": "contract__flow",
}

# Region tier -> length of the GB/T 2260 code prefix that identifies it (PP0000, PPCC00, PPCCDD).
TIER_PREFIX = {"province": 2, "city": 4, "county": 6}
SIDES = {"output": "contract__seller_region_id", "absorption": "contract__buyer_region_id"}


@dataclass
class Row:
    key: str | None
    count: int
    contract_amount: Decimal
    tech_amount: Decimal


def ledger(user=None, start: datetime.date | None = None, end: datetime.date | None = None):
    """Events effective in [start, end], limited to what ``user`` may count: platform administrators everything,
    region administrators and reviewers the sellers inside their region scope, organization members their own
    organization's contracts. ``user=None`` is the unrestricted internal view (CLI, benchmarks)."""
    qs = ContractEvent.objects.all()
    if user is not None:
        p = permissions.principal(user)
        if not p.is_platform_admin:
            q = permissions.region_scope_q(p, ContractEvent, Role.REGION_ADMIN, Role.REVIEWER)
            q |= permissions.org_q(p, ContractEvent, Role.ORG_MEMBER, Role.ORG_ADMIN)
            qs = qs.filter(q) if p.authenticated else qs.none()
    if start:
        qs = qs.filter(effective_on__gte=start)
    if end:
        qs = qs.filter(effective_on__lte=end)
    return qs


def _rows(qs, key_expr) -> list[Row]:
    grouped = (
        qs.annotate(_key=key_expr)
        .values("_key")
        .annotate(n=Sum("count_delta"), a=Sum("contract_amount_delta"), t=Sum("tech_amount_delta"))
        .order_by("_key")
    )
    return [
        Row(key=g["_key"], count=g["n"] or 0, contract_amount=g["a"] or ZERO, tech_amount=g["t"] or ZERO)
        for g in grouped
        if g["n"] or g["a"] or g["t"]
    ]


# Organization type (主体类型) of each side, read from the contract's party rows.
PARTY_DIMENSIONS = {"seller_type": PartyRole.SELLER, "buyer_type": PartyRole.BUYER}
# Ownership (orgs.Ownership: 国有, 集体, 私营, 外商投资, 港澳台商投资, 混合所有制) of each side's organization.
OWNERSHIP_DIMENSIONS = {"seller_ownership": PartyRole.SELLER, "buyer_ownership": PartyRole.BUYER}


def breakdown(dimension: str, events) -> list[Row]:
    """Count, contract amount and technology transaction amount grouped by one classification."""
    if dimension in PARTY_DIMENSIONS:
        party = ContractParty.objects.filter(contract_id=OuterRef("contract_id"), role=PARTY_DIMENSIONS[dimension])
        return _rows(events, Subquery(party.values("party_type")[:1]))
    if dimension in OWNERSHIP_DIMENSIONS:
        role = OWNERSHIP_DIMENSIONS[dimension]
        party = ContractParty.objects.filter(contract_id=OuterRef("contract_id"), role=role)
        return _rows(events, Subquery(party.values("organization__ownership_id")[:1]))
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return _rows(events, F(DIMENSIONS[dimension]))


def by_region(events, *, side: str = "output", parent: str | None = None, tier: str = "city") -> list[Row]:
    """Drill-down by region tier: output groups by the seller's region, absorption by the buyer's.

    ``parent`` (a region code) keeps only regions inside it; keys are the codes padded to six digits, e.g.
    ``530100`` for the city tier. Foreign buyers have no region and are grouped under ``None``.
    """
    field = SIDES[side]
    length = TIER_PREFIX[tier]
    if parent:
        events = events.filter(scope_q(field, parent))
    rows = _rows(events, Substr(field, 1, length))
    for row in rows:
        if row.key is not None:
            row.key = row.key.ljust(6, "0")
    return rows


def flows(events) -> list[Row]:
    """Inside the province, across provinces and international (the flow fixed when the contract was filed)."""
    return breakdown("flow", events)


@dataclass
class Progress:
    target: object
    actual: Decimal | None
    share: Decimal | None  # actual / target, e.g. Decimal("0.75")


# --- dashboard queries over the monthly summary (``contracts.LedgerSummary``) -------------------------------------
#
# A period is split into whole months, read from the summary, and the partial months at its edges, read from the
# ledger itself; both are sums of the same event deltas, so the result equals the plain ledger query. Callers
# whose scope includes organization membership (members see their own organization's contracts) are answered
# from the ledger: the summary has no organization column, and their share of the ledger is small.

OUTPUT_DIMENSIONS = (*DIMENSIONS, *PARTY_DIMENSIONS, *OWNERSHIP_DIMENSIONS)
ABSORPTION_DIMENSIONS = ("total", "flow")


@dataclass
class Scope:
    everything: bool = False
    regions: tuple[str, ...] = ()
    org_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.regions or self.org_ids)


def scope_of(user) -> Scope:
    """What ``user`` may count: everything (platform administrators; ``None`` = internal callers), the regions of
    its region-administrator and reviewer grants, and its own organizations (members and administrators)."""
    if user is None:
        return Scope(everything=True)
    p = permissions.principal(user)
    if p.is_platform_admin:
        return Scope(everything=True)
    if not p.authenticated:
        return Scope()
    return Scope(
        regions=tuple(sorted(set(p.regions(Role.REGION_ADMIN, Role.REVIEWER)))),
        org_ids=tuple(sorted(p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN))),
    )


def _month_span(start, end):
    """Split [start, end] into whole months (first, last; ``None`` = open) read from the summary and the partial
    edges [(s, e), ...] read from the ledger. The last item says whether there is any whole month at all."""
    first = None if start is None else (start if start.day == 1 else _next_month(start))
    last = None
    if end is not None:
        month_end = _next_month(end) - datetime.timedelta(days=1)
        last = (
            end.replace(day=1) if end == month_end else (end.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        )
    if first is not None and last is not None and first > last:
        return None, None, [(start, end)], False
    edges = []
    if start is not None and first != start:
        edges.append((start, first - datetime.timedelta(days=1)))
    if end is not None and _next_month(last) <= end:
        edges.append((_next_month(last), end))
    return first, last, edges, True


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _summary(scope: Scope, side: str, dimension: str, first, last, region: str | None):
    qs = LedgerSummary.objects.filter(dimension=dimension, side={"output": "o", "absorption": "a"}[side])
    if first is not None:
        qs = qs.filter(month__gte=first)
    if last is not None:
        qs = qs.filter(month__lte=last)
    if region:
        qs = qs.filter(scope_q("region", region))
    if not scope.everything:
        q = Q(pk__in=[])
        for code in scope.regions:
            q |= scope_q("region", code)
        qs = qs.filter(q)
    return qs


def _raw(scope: Scope, side: str, start, end, region: str | None):
    """Ledger events in [start, end] within the scope, attributed on ``side`` (output: seller, absorption: buyer)."""
    field = SIDES[side]
    qs = ContractEvent.objects.all()
    if start:
        qs = qs.filter(effective_on__gte=start)
    if end:
        qs = qs.filter(effective_on__lte=end)
    if region:
        qs = qs.filter(scope_q(field, region))
    if not scope.everything:
        q = Q(pk__in=[])
        for code in scope.regions:
            q |= scope_q(field, code)
        if scope.org_ids:
            q |= Q(contract__seller_org_id__in=scope.org_ids)
        qs = qs.filter(q)
    return qs


def _merge(*parts: list[Row]) -> list[Row]:
    merged: dict = {}
    for rows in parts:
        for r in rows:
            key = r.key or None
            m = merged.setdefault(key, Row(key=key, count=0, contract_amount=ZERO, tech_amount=ZERO))
            m.count += r.count
            m.contract_amount += r.contract_amount
            m.tech_amount += r.tech_amount
    out = [r for r in merged.values() if r.count or r.contract_amount or r.tech_amount]
    return sorted(out, key=lambda r: (r.key is None, r.key or ""))


def _key(value):
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    return value or None


def _summary_rows(qs, key_expr) -> list[Row]:
    grouped = (
        qs.annotate(_key=key_expr)
        .values("_key")
        .annotate(n=Sum("count"), a=Sum("contract_fen"), t=Sum("tech_fen"))
        .order_by()
    )
    return [
        Row(
            key=_key(g["_key"]),
            count=int(g["n"] or 0),
            contract_amount=(Decimal(int(g["a"] or 0)) / 100).quantize(ZERO),
            tech_amount=(Decimal(int(g["t"] or 0)) / 100).quantize(ZERO),
        )
        for g in grouped
    ]


def _query(name, user, side, dimension, start, end, region, summary_key, raw_rows) -> list[Row]:
    """Rows of one figure (``name`` says which, for the cache), computed once per ledger generation and scope."""
    scope = scope_of(user)
    if scope.empty:
        return []
    parts = ("rows", name, side, dimension, start, end, region, stats_cache.scope_key(scope, region))
    return stats_cache.cached(
        parts, lambda: _compute(scope, side, dimension, start, end, region, summary_key, raw_rows)
    )


def _compute(scope, side, dimension, start, end, region, summary_key, raw_rows) -> list[Row]:
    if scope.org_ids and not scope.everything:
        return _merge(raw_rows(_raw(scope, side, start, end, region)))
    first, last, edges, whole = _month_span(start, end)
    parts = [raw_rows(_raw(scope, side, s, e, region)) for s, e in edges]
    if whole:
        parts.append(_summary_rows(_summary(scope, side, dimension, first, last, region), summary_key))
    return _merge(*parts)


def table(user, dimension: str, start=None, end=None, region: str | None = None) -> list[Row]:
    """Output (sellers inside ``region``) in [start, end] grouped by one classification: ``category``,
    ``subcategory``, ``tech_field``, ``ip_type``, ``objective``, ``flow``, ``seller_type``, ``buyer_type``,
    ``seller_ownership``, ``buyer_ownership``."""
    if dimension not in OUTPUT_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    return _query(
        "table", user, "output", dimension, start, end, region, F("key"), lambda events: breakdown(dimension, events)
    )


def regions(user, side: str = "output", tier: str = "city", parent: str | None = None, start=None, end=None):
    """Drill-down: output by the seller's region or absorption by the buyer's, grouped at ``tier`` inside
    ``parent``. Keys are six-digit codes; foreign buyers (absorption) are under ``None``."""
    length = TIER_PREFIX[tier]

    def raw_rows(events):
        return by_region(events, side=side, tier=tier)

    rows = _query(f"regions:{tier}", user, side, "total", start, end, parent, Substr("region", 1, length), raw_rows)
    for row in rows:
        if row.key is not None:
            row.key = row.key.ljust(6, "0")
    return _merge(rows)


def absorption_flows(user, start=None, end=None, region: str | None = None) -> list[Row]:
    """Absorption (buyers inside ``region``) by where the seller is: same province or another province."""
    return _query("flows", user, "absorption", "flow", start, end, region, F("key"), lambda ev: breakdown("flow", ev))


def periods(user, start=None, end=None, region: str | None = None, side: str = "output") -> list[Row]:
    """Output (or absorption) by month, keys ``YYYY-MM``."""
    def raw_rows(events):
        rows = _rows(events, TruncMonth("effective_on"))
        for r in rows:
            r.key = _key(r.key)
        return rows

    return _query("periods", user, side, "total", start, end, region, F("month"), raw_rows)


def totals(user, start=None, end=None, region: str | None = None, side: str = "output") -> Row:
    rows = _query("totals", user, side, "total", start, end, region, Value(""), lambda ev: _rows(ev, Value("")))
    total = Row(key=None, count=0, contract_amount=ZERO, tech_amount=ZERO)
    for r in rows:
        total.count += r.count
        total.contract_amount += r.contract_amount
        total.tech_amount += r.tech_amount
    return total


def measured_actual(target, user=None) -> Decimal:
    """The ledger figure of a measured target: its ``measure`` (contract amount, 技术交易额 or number of contracts)
    over its years (cumulative: the whole span; otherwise the last year), counted on its ``direction`` — output
    (sellers in the region), absorption (buyers in the region) or both (output + absorption: a contract whose
    seller and buyer are both in the region counts once on each side)."""
    y0 = target.year_from if target.cumulative else target.year_to
    start, end = datetime.date(y0, 1, 1), datetime.date(target.year_to, 12, 31)
    sides = ("output", "absorption") if target.direction == Direction.BOTH else (target.direction or "output",)
    measure = target.measure or INDICATOR_MEASURES[target.indicator][0]
    actual = Decimal(0)
    for side in sides:
        total = totals(user, start, end, region=target.region_code, side=side)
        actual += Decimal(
            {
                Measure.COUNT: total.count,
                Measure.CONTRACT_AMOUNT: total.contract_amount,
                Measure.TECH_AMOUNT: total.tech_amount,
            }[measure]
        )
    return actual


def demonstration_actual(target) -> Decimal:
    """The demonstration institutions of a target's region — 技术转移示范机构: organizations inside the region that hold
    a demonstration level (national, provincial or municipal; ``orgs.Organization.demo_level``, set by the yearly
    evaluation of institutions) granted in or before the target's last year. The level is the current one: a
    revoked title no longer counts, also for past targets."""
    n = (
        Organization.objects.filter(scope_q("region_id", target.region_code))
        .exclude(demo_level=DemoLevel.NONE)
        .filter(demo_year__lte=target.year_to)
        .count()
    )
    return Decimal(n)


def target_progress(targets, user=None) -> list[Progress]:
    """Each target against its actual: measured indicators from the ledger (``measured_actual``), demonstration
    institutions from the organizations' levels (``demonstration_actual``), the others from the figure the region
    reported."""
    out = []
    for t in targets:
        if t.indicator in INDICATOR_MEASURES:
            actual = measured_actual(t, user)
        elif t.indicator == Indicator.DEMO_INSTITUTIONS:
            actual = demonstration_actual(t)
        else:
            actual = t.reported_actual
        share = (actual / t.value).quantize(Decimal("0.0001")) if actual is not None and t.value else None
        out.append(Progress(target=t, actual=actual, share=share))
    return out
