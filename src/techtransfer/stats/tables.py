"""The tables of the statistics dashboard, shared by the page, the Excel/CSV export and the API: each is a title,
a header and labelled rows computed by ``stats.services`` for one user, period and region."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from techtransfer.contracts.models import (
    ContractCategory,
    ContractSubcategory,
    Flow,
    IPType,
    PartyType,
    SocioEconomicObjective,
)
from techtransfer.orgs.models import Ownership
from techtransfer.regions.services import name_of as _name_of
from techtransfer.regions.services import tier_of
from techtransfer.stats import services
from techtransfer.taxonomy.models import TechField

ZERO = Decimal("0.00")

# name -> (title, dimension of ``services.table``)
DIMENSION_TABLES = {
    "category": (gettext_lazy("By contract category"), "category"),
    "subcategory": (gettext_lazy("By subcategory"), "subcategory"),
    "tech_field": (gettext_lazy("By technical field"), "tech_field"),
    "ip_type": (gettext_lazy("By intellectual property type"), "ip_type"),
    "objective": (gettext_lazy("By social-economic objective"), "objective"),
    "seller_type": (gettext_lazy("By seller organization type"), "seller_type"),
    "buyer_type": (gettext_lazy("By buyer organization type"), "buyer_type"),
    "seller_ownership": (gettext_lazy("By seller ownership"), "seller_ownership"),
    "buyer_ownership": (gettext_lazy("By buyer ownership"), "buyer_ownership"),
    "flow": (gettext_lazy("Output by flow (inside the province, across provinces, international)"), "flow"),
}
OTHER_TABLES = {
    "period": gettext_lazy("By month"),
    "regions": gettext_lazy("Output and absorption by region"),
    "absorption_flow": gettext_lazy("Absorption by where the seller is"),
}
TABLE_NAMES = ("period", "regions", *DIMENSION_TABLES, "absorption_flow")
CHILD_TIER = {"province": "city", "city": "county"}


def name_of(code: str) -> str:
    return _name_of(code, english=(get_language() or "").startswith("en"))


def labels(dimension: str) -> dict:
    """Key -> display name of a classification, in the current language."""
    models = {
        "category": ContractCategory,
        "subcategory": ContractSubcategory,
        "tech_field": TechField,
        "ip_type": IPType,
        "objective": SocioEconomicObjective,
        "seller_ownership": Ownership,
        "buyer_ownership": Ownership,
    }
    if dimension in models:
        return {o.pk: str(o) for o in models[dimension].objects.all()}
    if dimension in ("flow", "absorption_flow"):
        return {k: str(v) for k, v in Flow.choices}
    if dimension in ("seller_type", "buyer_type"):
        return {k: str(v) for k, v in PartyType.choices}
    return {}


@dataclass
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)  # first two columns: key, label
    chart: list[tuple[str, Decimal]] = field(default_factory=list)
    chart2: list[tuple[str, Decimal]] | None = None
    drill: bool = False  # keys are regions one can drill into

    @property
    def empty(self) -> bool:
        return not self.rows


def _header() -> list[str]:
    return [
        _("Code"),
        _("Name"),
        _("Contracts"),
        _("Contract amount (yuan)"),
        _("Technology transaction amount (yuan)"),
    ]


def _simple(name, title, rows, names: dict, fallback: str) -> Table:
    t = Table(name=name, title=str(title), header=_header())
    for r in rows:
        label = names.get(r.key, r.key) if r.key is not None else fallback
        t.rows.append([r.key or "", label, r.count, r.contract_amount, r.tech_amount])
        t.chart.append((label, r.tech_amount))
    if rows:
        t.rows.append(
            [
                "",
                _("Total"),
                sum(r.count for r in rows),
                sum((r.contract_amount for r in rows), ZERO),
                sum((r.tech_amount for r in rows), ZERO),
            ]
        )
    return t


def build(user, name: str, start: datetime.date | None, end: datetime.date | None, region: str) -> Table:
    """One dashboard table for ``user`` (its scope applies inside ``services``)."""
    if name in DIMENSION_TABLES:
        title, dimension = DIMENSION_TABLES[name]
        rows = services.table(user, dimension, start, end, region)
        return _simple(name, title, rows, labels(dimension), _("(not given)"))
    if name == "period":
        rows = services.periods(user, start, end, region)
        return _simple(name, OTHER_TABLES[name], rows, {}, _("(not given)"))
    if name == "absorption_flow":
        rows = services.absorption_flows(user, start, end, region)
        return _simple(name, OTHER_TABLES[name], rows, labels("flow"), _("(not given)"))
    if name == "regions":
        return _regions(user, start, end, region)
    raise KeyError(name)


def _regions(user, start, end, region: str) -> Table:
    tier = CHILD_TIER.get(tier_of(region))
    t = Table(
        name="regions",
        title=str(OTHER_TABLES["regions"]),
        header=[
            _("Code"),
            _("Region"),
            _("Output: contracts"),
            _("Output: contract amount (yuan)"),
            _("Output: technology transaction amount (yuan)"),
            _("Absorption: contracts"),
            _("Absorption: contract amount (yuan)"),
            _("Absorption: technology transaction amount (yuan)"),
        ],
        drill=tier == "city",
    )
    if tier is None:
        return t
    out = {r.key: r for r in services.regions(user, "output", tier, region, start, end)}
    into = {r.key: r for r in services.regions(user, "absorption", tier, region, start, end)}
    empty = services.Row(key=None, count=0, contract_amount=ZERO, tech_amount=ZERO)
    for code in sorted(k for k in set(out) | set(into) if k):
        o, a = out.get(code, empty), into.get(code, empty)
        t.rows.append(
            [code, name_of(code), o.count, o.contract_amount, o.tech_amount, a.count, a.contract_amount, a.tech_amount]
        )
        t.chart.append((name_of(code), o.tech_amount))
    t.chart2 = [
        (label, into.get(row[0], empty).tech_amount) for label, row in zip([c[0] for c in t.chart], t.rows, strict=True)
    ]
    if t.rows:
        t.rows.append(["", _("Total"), *[sum((row[i] for row in t.rows), 0) for i in range(2, 8)]])
    return t


def export_rows(table: Table) -> list[list]:
    return [list(row) for row in table.rows]
