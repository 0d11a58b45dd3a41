"""Browsing the catalog: the filters and facets of the list pages, the API and exports, and the review queue.

Text search looks at public text fields only (titles, abstract; a demand's problem and indicators), never at
protected details or contacts, so a match can never reveal protected text. Every query starts from
``services.*_visible``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog import services
from techtransfer.catalog.models import Achievement, CooperationMode, Demand, Status, TransferMode
from techtransfer.core.errors import DomainError
from techtransfer.core.pagination import parse_int
from techtransfer.orgs.models import OrgKind
from techtransfer.regions.services import exists, scope_q
from techtransfer.taxonomy.models import TechField

# Price bands of the asking price (achievements) or of the budget's upper bound (demands), in yuan.
PRICE_BANDS = {
    "negotiable": (gettext_lazy("Negotiable"), None, None),
    "lt100k": (gettext_lazy("Below 100,000"), None, Decimal("100000")),
    "100k_1m": (gettext_lazy("100,000 – 1 million"), Decimal("100000"), Decimal("1000000")),
    "1m_10m": (gettext_lazy("1 – 10 million"), Decimal("1000000"), Decimal("10000000")),
    "gt10m": (gettext_lazy("10 million and more"), Decimal("10000000"), None),
}

SORTS = {
    "newest": (gettext_lazy("Newest first"), ("-published_at", "-id")),
    "oldest": (gettext_lazy("Oldest first"), ("published_at", "id")),
    "price_asc": (gettext_lazy("Price, low to high"), ("asking_price", "id")),
    "price_desc": (gettext_lazy("Price, high to low"), ("-asking_price", "-id")),
    "trl_desc": (gettext_lazy("Readiness, high to low"), ("-trl", "-id")),
    "title": (gettext_lazy("Title"), ("title", "id")),
}
DEMAND_SORTS = {
    "newest": SORTS["newest"],
    "oldest": SORTS["oldest"],
    "budget_desc": (gettext_lazy("Budget, high to low"), ("-budget_max", "-id")),
    "deadline": (gettext_lazy("Deadline, soonest first"), ("deadline", "id")),
    "title": SORTS["title"],
}


@dataclass
class Filters:
    """Browse filters; every value is a string as it comes from a query string (empty = no filter)."""

    q: str = ""
    tech_field: str = ""
    region: str = ""
    trl_min: str = ""
    trl_max: str = ""
    mode: str = ""
    price: str = ""
    org_kind: str = ""
    status: str = ""
    sort: str = "newest"

    @classmethod
    def from_params(cls, params) -> Filters:
        values = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if raw not in (None, ""):
                values[f.name] = str(raw).strip()[:200]
        return cls(**values)

    def as_dict(self) -> dict:
        return asdict(self)


def _text_q(q: str, names: tuple[str, ...]) -> Q:
    cond = Q()
    for word in q.split()[:8]:
        part = Q()
        for name in names:
            part |= Q(**{f"{name}__icontains": word})
        cond &= part
    return cond


def _mode_q(field: str, value: str) -> Q:
    # JSON lists: match the quoted element in the stored JSON text (works on SQLite and PostgreSQL alike).
    return Q(**{f"{field}__icontains": f'"{value}"'})


def _common(qs, f: Filters, modes, sorts) -> object:
    if f.tech_field:
        if not TechField.objects.filter(pk=f.tech_field).exists():
            raise DomainError(_("Unknown technical field: %s") % f.tech_field, field="tech_field")
        qs = qs.filter(tech_field_id=f.tech_field)
    if f.region:
        if not exists(f.region):
            raise DomainError(_("Unknown region code: %s") % f.region, field="region")
        qs = qs.filter(scope_q("region_id", f.region))
    if f.mode:
        if f.mode not in modes.values:
            raise DomainError(_("Unknown mode: %(value)s") % {"value": f.mode}, field="mode")
        qs = qs.filter(_mode_q("transfer_modes" if modes is TransferMode else "cooperation_modes", f.mode))
    if f.org_kind:
        if f.org_kind not in OrgKind.values:
            raise DomainError(_("Unknown organization type: %s") % f.org_kind, field="org_kind")
        qs = qs.filter(owner__kind=f.org_kind)
    if f.status:
        if f.status not in Status.values:
            raise DomainError(_("Unknown status: %s") % f.status, field="status")
        qs = qs.filter(status=f.status)
    if f.price and f.price not in PRICE_BANDS:
        raise DomainError(_("Unknown price band: %s") % f.price, field="price")
    sort = f.sort or "newest"
    if sort not in sorts:
        raise DomainError(_("Unknown sort order: %s") % sort, field="sort")
    return qs, sorts[sort][1]


def _price_band(qs, band: str, negotiable: Q, amount: str):
    """Records in the price band ``band`` (checked by ``_common``) by their ``amount`` column; "negotiable" means
    ``negotiable``."""
    if band == "negotiable":
        return qs.filter(negotiable)
    if band:
        _label, low, high = PRICE_BANDS[band]
        if low is not None:
            qs = qs.filter(**{f"{amount}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{amount}__lt": high})
    return qs


def filter_achievements(user, f: Filters):
    """Achievements the user may see, filtered and sorted as ``f`` asks."""
    qs = services.achievements_visible(user)
    if f.q:
        qs = qs.filter(_text_q(f.q, ("title", "title_en", "abstract")))
    qs, order = _common(qs, f, TransferMode, SORTS)
    lo = parse_int(f.trl_min, "trl_min", 1, 1, 9)
    hi = parse_int(f.trl_max, "trl_max", 9, 1, 9)
    if lo > hi:
        raise DomainError(_("The lowest TRL must not exceed the highest."), field="trl_min")
    if f.trl_min or f.trl_max:
        qs = qs.filter(trl__gte=lo, trl__lte=hi)
    qs = _price_band(qs, f.price, Q(price_negotiable=True), "asking_price")
    return qs.order_by(*order)


def filter_demands(user, f: Filters):
    """Demands the user may see, filtered and sorted as ``f`` asks (price bands apply to the budget's top)."""
    qs = services.demands_visible(user)
    if f.q:
        qs = qs.filter(_text_q(f.q, ("title", "title_en", "problem", "problem_en", "target_indicators")))
    qs, order = _common(qs, f, CooperationMode, DEMAND_SORTS)
    qs = _price_band(qs, f.price, Q(budget_min__isnull=True, budget_max__isnull=True), "budget_max")
    return qs.order_by(*order)


def facet_counts(qs) -> dict[str, dict[str, int]]:
    """How many of the filtered records fall in each technical field and organization type."""
    base = qs.order_by()
    by_field = dict(base.values_list("tech_field_id").annotate(n=Count("id")).values_list("tech_field_id", "n"))
    by_kind = dict(base.values_list("owner__kind").annotate(n=Count("id")).values_list("owner__kind", "n"))
    return {"tech_field": {k or "": v for k, v in by_field.items()}, "org_kind": {k: v for k, v in by_kind.items()}}


def review_queue(user, model=Achievement):
    """Records waiting for this user's review: submitted records of the organizations it administers, and records
    approved by their organization inside the regions it reviews (region administrators, platform administrators)."""
    p = permissions.principal(user)
    if not p.authenticated:
        return model.objects.none()
    cond = Q(status=Status.SUBMITTED, owner_id__in=sorted(p.org_ids(Role.ORG_ADMIN)))
    if p.is_platform_admin:
        cond |= Q(status=Status.ORG_REVIEWED)
    else:
        for code in p.regions():
            cond |= Q(status=Status.ORG_REVIEWED) & scope_q("region_id", code)
    return (
        model.objects.filter(cond)
        .select_related("owner", "region", "tech_field")
        .order_by("submitted_at", "id")
    )


def by_status(qs, status: str):
    if not status:
        return qs
    if status not in Status.values:
        raise DomainError(_("Unknown status: %s") % status, field="status")
    return qs.filter(status=status)


MODELS = {"achievements": Achievement, "demands": Demand}
