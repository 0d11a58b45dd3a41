"""One search over every kind the user may read, and whether one record is among a query's results."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from techtransfer.core.errors import DomainError

from .. import indexing
from ..engine import text as textmod
from .explain import _hits
from .filters import MAX_PAGE, MAX_PER_PAGE, _check_kinds, _engine_filters, clean_filters
from .ranking import _facets, _lexical, _ranked
from .records import Hit, _load


@dataclass
class SearchPage:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict
    mode: str = "lexical"


def search(user, q: str, kinds=None, filters: dict | None = None, page: int = 1, per_page: int = 20,
           mode: str = "hybrid") -> SearchPage:
    """One search over every kind the user may read. ``filters``: field, region (+ region_tier), trl_min,
    trl_max, transfer_mode, price_band, status, org_kind — applied inside the engine."""
    q = (q or "").strip()[:200]
    kinds = _check_kinds(kinds)
    if mode not in ("lexical", "semantic", "hybrid"):
        raise DomainError(_("Unknown search mode: %(mode)s") % {"mode": mode}, field="mode")
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise DomainError(_("Give the page as a whole number."), field="page")
    if page < 1 or page > MAX_PAGE:
        raise DomainError(_("The page must be between 1 and %(max)s.") % {"max": MAX_PAGE}, field="page")
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    engine_filters = _engine_filters(user, kinds, clean_filters(filters))
    indexing.get_index()  # opens (or rebuilds) the index and loads its domain dictionary before analysing
    tokens = textmod.analyze_query(q)
    if q and not tokens:  # only stop words or punctuation: nothing to look for
        return SearchPage(total=0, page=page, per_page=per_page, hits=[], facets={})
    total, ranked, used = _ranked(q, engine_filters, per_page, (page - 1) * per_page, mode)
    hits = _hits(user, ranked, tokens)
    facets = _facets(q, engine_filters) if total else {}
    return SearchPage(total=total, page=page, per_page=per_page, hits=hits, facets=facets, mode=used)


def matches_record(user, q: str, kind: str, pk: int, filters: dict | None = None) -> bool:
    """Whether the record ``kind``/``pk`` is among the results of ``q`` with ``filters`` for ``user`` (saved
    searches use it to decide whether a newly published record is a new match)."""
    engine_filters = _engine_filters(user, [kind], clean_filters(filters), ids=[f"{kind}:{pk}"])
    total, ranked = _lexical(q or "", engine_filters, 1)
    if not ranked:
        return False
    return bool(_load(user, kind, [pk]))
