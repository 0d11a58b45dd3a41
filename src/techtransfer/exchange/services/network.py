"""Network statistics (province side of the push to the provincial level): the ``statistics`` records pulled from
peer platforms summed by source peer and year, beside this instance's own contract figures.

Honest by construction: a peer's figures are shown as the peer published them (each figure a number, summed over
that peer's statistics records of the year; nested figures named by their path, ``output.amount``); nothing is
converted or estimated, and a peer's figures are not added to this instance's own (they may overlap: a city's
contracts can be registered on the province's platform too).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.core.errors import Forbidden
from techtransfer.exchange.models import FederatedRecord
from techtransfer.regions.services import is_within
from techtransfer.stats import services as stats

SKIP = ("id", "kind", "url", "title", "region", "tech_field", "owner", "patent_numbers", "updated_at", "year")


@dataclass
class Source:
    name: str
    region: str
    years: dict = field(default_factory=dict)  # year -> {figure: Decimal}
    records: int = 0


@dataclass
class Table:
    sources: list
    years: list
    own: dict  # year -> {figure: Decimal}


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None
    return None


def figures_of(data: dict) -> dict[str, Decimal]:
    """The numeric figures of a statistics record: its ``totals`` (or ``figures``) member when it is an object,
    else its other members; nested objects named by their path. Anything not a number (texts, lists) is left out."""
    named = [data[name] for name in ("totals", "figures") if isinstance(data.get(name), dict)]
    source = named[0] if named else {k: v for k, v in data.items() if k not in SKIP}
    out: dict[str, Decimal] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
            return
        number = _number(value)
        if number is not None and prefix:
            out[prefix] = out.get(prefix, Decimal(0)) + number

    walk("", source)
    return out


def _year(data: dict):
    try:
        year = int(str(data.get("year", "")).strip()[:4])
    except ValueError:
        return None
    return year if 1900 < year < 3000 else None


def statistics(user) -> Table:
    """The table for ``user``: platform administrators see every peer, region administrators the peers that serve
    a region inside theirs; others are refused."""
    p = permissions.principal(user)
    if not p.is_region_admin:
        raise Forbidden(_("Network statistics are for region and platform administrators."))
    qs = FederatedRecord.objects.filter(kind="statistics", withdrawn=False).select_related("peer", "peer__region")
    sources: dict[int, Source] = {}
    years: set[int] = set()
    for rec in qs.order_by("peer__name", "pk"):
        peer = rec.peer
        if not p.is_platform_admin and not (peer.region_id and any(is_within(peer.region_id, r) for r in p.regions())):
            continue
        data = rec.data if isinstance(rec.data, dict) else {}
        year = _year(data)
        if year is None:
            continue
        src = sources.setdefault(peer.pk, Source(name=peer.name, region=peer.region_id or ""))
        src.records += 1
        row = src.years.setdefault(year, {})
        for name, value in figures_of(data).items():
            row[name] = row.get(name, Decimal(0)) + value
        years.add(year)
    if not years:
        years.add(timezone.localdate().year)
    own = {}
    for year in sorted(years):
        total = stats.totals(user, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31))
        own[year] = {
            _("contracts"): Decimal(total.count),
            _("contract amount"): total.contract_amount,
            _("technology transaction amount"): total.tech_amount,
        }
    for src in sources.values():
        src.years = {y: dict(sorted(f.items())) for y, f in sorted(src.years.items(), reverse=True)}
    return Table(
        sources=list(sources.values()), years=sorted(years, reverse=True), own=dict(sorted(own.items(), reverse=True))
    )
