"""Technology-market statistics — 技术市场统计 — computed from the contract ledger.

Every figure is a sum of ``ContractEvent`` deltas effective in the period, so amendments and cancellations
count on the day they were registered (《技术合同认定登记管理办法》: changes are registered as such).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Substr

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.contracts.models import ContractEvent, ContractParty, PartyRole
from techtransfer.regions.services import scope_q

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


def breakdown(dimension: str, events) -> list[Row]:
    """Count, contract amount and technology transaction amount grouped by one classification."""
    if dimension in PARTY_DIMENSIONS:
        party = ContractParty.objects.filter(contract_id=OuterRef("contract_id"), role=PARTY_DIMENSIONS[dimension])
        return _rows(events, Subquery(party.values("party_type")[:1]))
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


def target_progress(targets, user=None) -> list[Progress]:
    """Each target against its actual: measured indicators from the ledger (contracts registered by sellers in
    the target's region, in its years; per-year targets use the last year of the span), the others from the
    figure the region reported."""
    from techtransfer.stats.models import MEASURED, Indicator

    out = []
    for t in targets:
        if t.indicator in MEASURED:
            y0 = t.year_from if t.cumulative else t.year_to
            events = ledger(user, datetime.date(y0, 1, 1), datetime.date(t.year_to, 12, 31))
            agg = events.filter(scope_q(ContractEvent.scope_region_field, t.region_code)).aggregate(
                n=Sum("count_delta"), a=Sum("contract_amount_delta"), x=Sum("tech_amount_delta")
            )
            key = {Indicator.CONTRACTS: "n", Indicator.TURNOVER: "a", Indicator.TECH_AMOUNT: "x"}[t.indicator]
            actual = Decimal(agg[key] or 0)
        else:
            actual = t.reported_actual
        share = (actual / t.value).quantize(Decimal("0.0001")) if actual is not None and t.value else None
        out.append(Progress(target=t, actual=actual, share=share))
    return out
