"""Browsing the catalog: the filters and facets of the list pages, the API and exports, and the review queue.

Text search looks at public text fields only (titles, abstract; a demand's problem and indicators), never at
protected details or contacts, so a match can never reveal protected text. Every query starts from
``services.*_visible``.

One search path (``find``): a text query is answered by the platform's search engine (``core.search.text_search``,
the matching app's lexical index) over the public records, with the same filters, ranked by relevance; what the
user may see beyond the public records (its organizations' drafts and pending records, the pending records of the
regions it reviews, the restricted or controlled records it was granted) is searched in the database within that
bounded set and listed first. Every id the engine returns is checked against the user's filtered, visible queryset
before it is shown, so a stale index can hide a record for a moment but never show one the user may not see. When
the engine cannot answer, the database answers alone (``icontains``; a warning is logged).

Without a text query the lists read the database in the chosen order; the pages page by keyset (``keyset_page``:
``?after=<id>`` / ``?before=<id>``) and their total and facet counts are cached for a minute (``cached_counts``),
so no request counts the whole table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog import services
from techtransfer.catalog.models import (
    PUBLIC_STATUSES,
    Achievement,
    Classification,
    CooperationMode,
    Demand,
    Status,
    TransferMode,
)
from techtransfer.core import search as core_search
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

# The search index's price bands (``catalog.search.price_band``) for the lists' bands; a demand without a budget is
# "unpriced" in the index and "negotiable" here.
PRICE_TO_INDEX = {"negotiable": "negotiable", "lt100k": "lt_100k", "100k_1m": "100k_1m", "1m_10m": "1m_10m",
                  "gt10m": "gte_10m"}
# With a text query and an order other than relevance, the records are sorted among this many best matches; by
# relevance, a page reaches this deep at most.
TEXT_WINDOW = 1000
# How long the total and facet counts of a list without a text query are reused (seconds).
COUNT_TTL = 60

SORTS = {
    "relevance": (gettext_lazy("Best match"), ("-published_at", "-id")),  # without a text query: newest
    "newest": (gettext_lazy("Newest first"), ("-published_at", "-id")),
    "oldest": (gettext_lazy("Oldest first"), ("published_at", "id")),
    "price_asc": (gettext_lazy("Price, low to high"), ("asking_price", "id")),
    "price_desc": (gettext_lazy("Price, high to low"), ("-asking_price", "-id")),
    "trl_desc": (gettext_lazy("Readiness, high to low"), ("-trl", "-id")),
    "title": (gettext_lazy("Title"), ("title", "id")),
}
DEMAND_SORTS = {
    "relevance": SORTS["relevance"],
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
    sort: str = ""  # empty: by relevance with a text query, newest first without

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.q else "newest")

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
    sort = f.effective_sort
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


def _achievement_base(user, f: Filters):
    """Achievements the user may see, with every filter of ``f`` but the text query; and their order."""
    qs, order = _common(services.achievements_visible(user), f, TransferMode, SORTS)
    lo = parse_int(f.trl_min, "trl_min", 1, 1, 9)
    hi = parse_int(f.trl_max, "trl_max", 9, 1, 9)
    if lo > hi:
        raise DomainError(_("The lowest TRL must not exceed the highest."), field="trl_min")
    if f.trl_min or f.trl_max:
        qs = qs.filter(trl__gte=lo, trl__lte=hi)
    qs = _price_band(qs, f.price, Q(price_negotiable=True), "asking_price")
    return qs, order


def _demand_base(user, f: Filters):
    qs, order = _common(services.demands_visible(user), f, CooperationMode, DEMAND_SORTS)
    qs = _price_band(qs, f.price, Q(budget_min__isnull=True, budget_max__isnull=True), "budget_max")
    return qs, order


TEXT_FIELDS = {
    Achievement: ("title", "title_en", "abstract"),
    Demand: ("title", "title_en", "problem", "problem_en", "target_indicators"),
}
KIND_OF = {Achievement: "achievement", Demand: "demand"}


def _engine_filters(model, f: Filters) -> dict:
    """``f`` (checked by ``_common``) in the vocabulary of ``core.search.TEXT_FILTERS``."""
    out: dict = {}
    if f.tech_field:
        out["field"] = f.tech_field
    if f.region:
        out["region"] = f.region
    if model is Achievement and (f.trl_min or f.trl_max):
        out["trl_min"] = parse_int(f.trl_min, "trl_min", 1, 1, 9)
        out["trl_max"] = parse_int(f.trl_max, "trl_max", 9, 1, 9)
    if f.mode:
        out["modes"] = [f.mode]
    if f.price:
        band = PRICE_TO_INDEX[f.price]
        out["price_band"] = ["unpriced" if model is Demand and band == "negotiable" else band]
    if f.org_kind:
        out["org_kind"] = [f.org_kind]
    if f.status:
        out["status"] = [f.status]
    return out


@dataclass
class Found:
    """What a list shows for a user's filters: ``qs`` (ordered; bounded when there is a text query), ``total``
    (None: count ``qs``, cached, see ``cached_counts``), ``facets`` (None: compute from the database), ``engine``
    (the text query was answered by the search engine) and ``capped`` (more matches than a list reaches)."""

    qs: object
    total: int | None = None
    facets: dict | None = None
    engine: bool = False
    capped: bool = False


def _beyond_public(user, qs, model):
    """The rows of ``qs`` the user sees beyond the public ones (none for a visitor): few, the user's own scope."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    # Not ``exclude(public_q())``: the positive form lets the database start from its status and classification
    # indexes (few rows are not public) instead of reading the table.
    hidden = [s for s in Status.values if s not in PUBLIC_STATUSES]
    marked = [c for c in Classification.values if c != Classification.PUBLIC]
    return qs.filter(Q(status__in=hidden) | Q(classification__in=marked))


def find(user, model, f: Filters, window: int = TEXT_WINDOW, facets: bool = False) -> Found:
    """The records of ``model`` the user may see, filtered and sorted as ``f`` asks; with a text query, through the
    search engine (see the module's docstring). ``window``: how many of the best engine matches the caller needs
    at most (a page needs the ones up to its end, an export all it may export); ``facets``: count them too."""
    base, order = (_achievement_base if model is Achievement else _demand_base)(user, f)
    sort = f.effective_sort
    if not f.q:
        return Found(qs=base.order_by(*order))
    text = _text_q(f.q, TEXT_FIELDS[model])
    window = max(1, min(window, TEXT_WINDOW))
    limit = window if sort == "relevance" else TEXT_WINDOW
    hits = core_search.text_search(KIND_OF[model], f.q, _engine_filters(model, f), limit=limit,
                                   facets=("field", "org_kind") if facets else ())
    if hits is None:  # no engine: the database alone, newest first for "relevance"
        return Found(qs=base.filter(text).order_by(*order))
    extra = _beyond_public(user, base, model).filter(text)
    qs = base.filter(Q(pk__in=hits.ids) | Q(pk__in=extra.values("pk")))
    if sort == "relevance":
        newest = (F("published_at").desc(nulls_last=True), "-id")
        if hits.ids:  # (a CASE without branches is a bare constant, which PostgreSQL reads as a column position)
            rank = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(hits.ids)], default=Value(-1),
                        output_field=IntegerField())
            qs = qs.order_by(rank, *newest)
        else:
            qs = qs.order_by(*newest)
    else:
        qs = qs.order_by(*order)
    n_extra = extra.count() if getattr(user, "is_authenticated", False) else 0
    found = Found(qs=qs, total=hits.total + n_extra, engine=True, capped=hits.total > TEXT_WINDOW)
    if facets:
        more = facet_counts(extra) if n_extra else {"tech_field": {}, "org_kind": {}}
        found.facets = {
            "tech_field": _add(hits.facets.get("field", {}), more["tech_field"]),
            "org_kind": _add(hits.facets.get("org_kind", {}), more["org_kind"]),
        }
    return found


def _add(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


def filter_achievements(user, f: Filters):
    """Achievements the user may see, filtered and sorted as ``f`` asks (a text query through ``find``)."""
    return find(user, Achievement, f).qs


def search_achievements(user, q: str = "", tech_field: str = "", region: str = "", status: str = ""):
    """Achievements the user may see, filtered by text (public fields only, through ``find``), field, region and
    status."""
    return filter_achievements(
        user, Filters(q=(q or "").strip()[:200], tech_field=tech_field, region=region, status=status)
    )


def filter_demands(user, f: Filters):
    """Demands the user may see, filtered and sorted as ``f`` asks (price bands apply to the budget's top)."""
    return find(user, Demand, f).qs


@dataclass
class ListPage:
    """One page of a list as the pages and the API show it: ``items``, ``count`` (all matches; cached without a
    text query), ``page`` and ``pages`` (with a text query, the pages a list reaches), ``facets``."""

    items: list
    count: int
    page: int
    pages: int
    page_size: int
    facets: dict | None = None


def list_page(user, model, f: Filters, page: int, page_size: int, facets: bool = False) -> ListPage:
    """Page ``page`` of the list of ``model`` for ``user`` and ``f``: through ``find``; counted by the engine with a
    text query, by ``cached_counts`` without one (the API's pages; the list pages use ``keyset_page``)."""
    start = (page - 1) * page_size
    found = find(user, model, f, window=start + page_size, facets=facets)
    if found.engine:
        count, counts = found.total, found.facets
        pages = max(1, min(-(-count // page_size), -(-TEXT_WINDOW // page_size)))
    elif f.q:  # the database answered a text query alone: counted as it is, the engine being unavailable
        count = found.qs.count()
        counts = facet_counts(found.qs) if facets else None
        pages = max(1, -(-count // page_size))
    else:
        count, counts = cached_counts(user, model, f, found.qs)
        pages = max(1, -(-count // page_size))
    items = list(found.qs[start : start + page_size])
    return ListPage(items=items, count=count, page=page, pages=pages, page_size=page_size,
                    facets=counts if facets else None)


# -- counts and pages of the lists without a text query -----------------------------------------------------------

def _generation_key(model) -> str:
    return f"catalog:list-generation:{model._meta.label_lower}"


def changed(model) -> None:
    """Forget the cached counts of ``model``'s lists (every saved or deleted record calls it)."""
    key = _generation_key(model)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def _scope_key(user) -> str:
    p = permissions.principal(user)
    if not p.authenticated:
        return "visitor"
    return "admin" if p.is_platform_admin else f"user{p.user_id}"


def cached_counts(user, model, f: Filters, qs) -> tuple[int, dict]:
    """The total and the facet counts of ``qs`` (a list without a text query for ``user`` and ``f``), reused for
    ``COUNT_TTL`` seconds or until a record of ``model`` changes: a list page does not count the table each time."""
    params = {k: v for k, v in f.as_dict().items() if k not in ("q", "sort")}
    digest = hashlib.sha1(json.dumps(params, sort_keys=True).encode(), usedforsecurity=False).hexdigest()
    generation = cache.get_or_set(_generation_key(model), 0, None)
    key = f"catalog:list-counts:{model._meta.label_lower}:{generation}:{_scope_key(user)}:{digest}"
    hit = cache.get(key)
    if hit is None:
        hit = (qs.order_by().count(), facet_counts(qs))
        cache.set(key, hit, COUNT_TTL)
    return hit


@dataclass
class KeysetPage:
    """A page of a list read by keyset: ``items``; ``next_after`` / ``previous_before`` (record ids for the next
    and previous pages' links, None at an end)."""

    items: list
    next_after: int | None
    previous_before: int | None


def _keyset_q(field: str, desc: bool, value, pk: int, forward: bool) -> Q:
    """Rows after (``forward``) or before the row (``value``, ``pk``) in the order by ``field`` (nulls last) and id,
    descending when ``desc``."""
    later, earlier = ("lt", "gt") if desc else ("gt", "lt")
    if forward:
        if value is None:
            return Q(**{f"{field}__isnull": True, f"id__{later}": pk})
        return Q(**{f"{field}__{later}": value}) | Q(**{field: value, f"id__{later}": pk}) | Q(
            **{f"{field}__isnull": True})
    if value is None:
        return Q(**{f"{field}__isnull": False}) | Q(**{f"{field}__isnull": True, f"id__{earlier}": pk})
    return Q(**{f"{field}__{earlier}": value}) | Q(**{field: value, f"id__{earlier}": pk})


def keyset_page(qs, order: tuple[str, str], size: int, after=None, before=None) -> KeysetPage:
    """A page of ``qs`` in ``order`` (``("-published_at", "-id")``: one field and the id, the same direction)
    after the record ``after`` or before the record ``before`` (ids; a page from the start without either, and
    when the record named has gone). Stable while records are added or removed elsewhere in the list."""
    field, desc = order[0].lstrip("-"), order[0].startswith("-")
    model = qs.model
    anchor_pk = after or before
    forward = before is None
    anchor = None
    if anchor_pk:
        row = model._default_manager.filter(pk=anchor_pk).values_list(field, flat=True)[:1]
        anchor = list(row)
    fwd = [F(field).desc(nulls_last=True) if desc else F(field).asc(nulls_last=True), "-id" if desc else "id"]
    rev = [F(field).asc(nulls_first=True) if desc else F(field).desc(nulls_first=True), "id" if desc else "-id"]
    if anchor:
        qs = qs.filter(_keyset_q(field, desc, anchor[0], anchor_pk, forward))
    else:
        forward = True
    rows = list(qs.order_by(*(fwd if forward else rev))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if forward:
        next_after = rows[-1].pk if more and rows else None
        previous_before = rows[0].pk if anchor and rows else None
    else:
        previous_before = rows[0].pk if more and rows else None
        next_after = rows[-1].pk if rows else None
    return KeysetPage(items=rows, next_after=next_after, previous_before=previous_before)


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
