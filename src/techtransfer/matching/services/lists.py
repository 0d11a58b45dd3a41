"""The text search of the catalogue lists (``core.search.text_search``, declared as ``text_search`` on the matching
app's AppConfig): the public records of one kind ranked by the lexical index, with the lists' filters applied
inside the engine, and the facet counts from the engine's aggregations.

Public records only: the index also holds the non-public records of the owners' and reviewers' scopes, but the
lists add what a user may see beyond the public records from the database themselves (``catalog.browse``), so
this search never has to know a user. The caller checks every id against the database again before showing it.
"""

from __future__ import annotations

from techtransfer.core.search import TextHits, TextSearchUnavailable

from .. import indexing
from ..engine import text as textmod

# Public documents only: the read scope of a user without organizations or regions.
PUBLIC_ONLY = {"orgs": [], "regions": []}
# The engine's facet fields for the lists' facet names.
FACETS = {"field": "field_code", "org_kind": "org_kind"}
FACET_SIZE = 200


def _engine_filters(kind: str, filters: dict) -> dict:
    out: dict = {"kind": [kind], "visible_to": PUBLIC_ONLY}
    for key, value in filters.items():
        if value in (None, "", []):
            continue
        out[key] = value
    return out


def text_search(
    kind: str, q: str, filters: dict, *, limit: int, offset: int = 0, facets: tuple[str, ...] = ()
) -> TextHits:
    """The public ``kind`` records matching ``q`` with ``filters`` (``core.search.TEXT_FILTERS``), best first:
    ``limit`` ids from ``offset``, the total, and the counts per value of the ``facets`` asked for (``field``,
    ``org_kind``). Raises ``TextSearchUnavailable`` while the index is missing or being rebuilt."""
    try:
        index = indexing.get_index()
    except Exception as exc:  # noqa: BLE001 - an index that cannot be opened: the list searches the database
        raise TextSearchUnavailable(f"the search index cannot be opened: {exc}") from exc
    if index.recreated:  # found missing and recreated empty: its rebuild is queued, it knows nothing yet
        raise TextSearchUnavailable("the search index is being rebuilt")
    if q and not textmod.analyze_query(q):  # only stop words or punctuation: nothing to look for
        return TextHits(total=0, ids=[], facets={name: {} for name in facets})
    engine_filters = _engine_filters(kind, filters)
    total, ranked = index.search(q, engine_filters, limit=limit, offset=offset)
    ids = [int(doc_id.split(":", 1)[1]) for doc_id, _score in ranked]
    counts: dict[str, dict[str, int]] = {}
    if facets:
        wanted = {name: FACETS[name] for name in facets}
        raw = index.facets(q, engine_filters, fields=tuple(wanted.values()), size=FACET_SIZE) if total else {}
        counts = {name: dict(raw.get(source) or {}) for name, source in wanted.items()}
    return TextHits(total=total, ids=ids, facets=counts)
