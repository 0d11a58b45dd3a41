"""Recommendations: achievements, experts and brokers for a demand; demands and enterprises for an achievement;
records similar to one record. A record stands for a query (its title, keywords and public text) and a source
(its fields, IPC classes, region, TRL), which re-rank the hits."""

from __future__ import annotations

from django.utils.translation import gettext as _

from techtransfer.accounts.permissions import can_view
from techtransfer.catalog.models import PUBLIC_STATUSES
from techtransfer.core.errors import DomainError, NotFound

from .. import indexing
from ..engine import text as textmod
from ..indexing import ALL_KINDS
from .explain import _bonus, _fields_of, _hits, _ipc_of, _region_of, _Source, _trl_wanted
from .filters import RERANK_DEPTH, _engine_filters
from .ranking import _lexical, _ranked
from .records import Hit, _load, _title, public_text

# -- recommendations ----------------------------------------------------------------------------------------------

def _record_query(kind: str, obj) -> str:
    """The query text that stands for a record: title, keywords, then the start of its public text."""
    title = _title(kind, obj) if kind not in ("expert", "broker") else obj.person.name
    keywords = " ".join(getattr(obj, "keywords", None) or ())
    return "\n".join([title, keywords, public_text(kind, obj)[:400]])


def _source(kind: str, obj) -> _Source:
    src = _Source(fields=_fields_of(kind, obj), ipc=_ipc_of(kind, obj), region=_region_of(kind, obj))
    if kind == "demand":
        src.trl_wanted = _trl_wanted(obj)
    if kind == "achievement":
        src.trl = obj.trl
    return src


def _recommend(user, query: str, kind: str, source: _Source, limit: int, filters: dict | None = None,
               exclude: list[str] | None = None) -> list[Hit]:
    extra = dict(filters or {})
    if kind in ("achievement", "demand"):
        extra.setdefault("status", [str(s) for s in PUBLIC_STATUSES])
    engine_filters = _engine_filters(user, [kind], extra, exclude=exclude or None)
    indexing.get_index()  # the domain dictionary is loaded with the index: analyse after it
    tokens = textmod.analyze_query(query)
    _total, ranked, _mode = _ranked(query, engine_filters, max(limit * 3, RERANK_DEPTH) if tokens else limit, 0,
                                    "hybrid")
    hits = _hits(user, ranked, tokens, source)
    top = max((h.score for h in hits), default=1.0) or 1.0
    for h in hits:
        h.score = round(h.score / top + _bonus(h.explanation), 4)
    if len(hits) < limit and source.fields:
        # Too few word matches: people and organizations working in the same technical field are candidates
        # too (ranked after the word matches, by nearness).
        seen = [f"{h.kind}:{h.id}" for h in hits] + list(exclude or [])
        more_filters = _engine_filters(user, [kind], {**extra, "field": sorted(source.fields)},
                                       exclude=seen or None)
        _total, more = _lexical("", more_filters, (limit - len(hits)) * 2)
        for h in _hits(user, more, tokens, source):
            h.score = round(_bonus(h.explanation) / 2, 4)
            hits.append(h)
    hits.sort(key=lambda h: -h.score)
    return hits[:limit]


def _limit(limit: int) -> int:
    return min(max(int(limit), 1), 50)


def _visible_query(user, kind: str, record, missing: str) -> tuple[str, _Source]:
    """The query text and ranking source of a record the user may see; one they may not see is ``NotFound``
    (``missing``), so recommendations never reveal a hidden record."""
    if not can_view(user, record):
        raise NotFound(missing)
    return _record_query(kind, record), _source(kind, record)


def recommend_for_demand(user, demand, limit: int = 10) -> dict[str, list[Hit]]:
    """Achievements, experts and brokers for a demand (its own words and the latest standard description)."""
    limit = _limit(limit)
    query, source = _visible_query(user, "demand", demand, _("No such demand."))
    return {
        "achievements": _recommend(user, query, "achievement", source, limit),
        "experts": _recommend(user, query, "expert", source, limit),
        "brokers": _recommend(user, query, "broker", source, limit),
    }


def candidates_for_achievement(user, ach, limit: int = 10) -> dict[str, list[Hit]]:
    """Demands that an achievement may answer, and enterprises whose demands and industries fit it."""
    limit = _limit(limit)
    query, source = _visible_query(user, "achievement", ach, _("No such achievement."))
    return {
        "demands": _recommend(user, query, "demand", source, limit),
        "organizations": _recommend(user, query, "organization", source, limit, filters={"org_kind": ["enterprise"]},
                                    exclude=[f"organization:{ach.owner_id}"]),
    }


def _get(user, kind: str, pk: int):
    if kind not in ALL_KINDS:
        raise DomainError(_("Unknown kind: %(kind)s") % {"kind": kind}, field="kind")
    obj = _load(user, kind, [pk]).get(pk)
    if obj is None:
        raise NotFound(_("No such record."))
    return obj


def similar(user, kind: str, pk: int, limit: int = 10) -> list[Hit]:
    """Records of the same kind that resemble one record (its title, keywords and public text)."""
    obj = _get(user, kind, int(pk))
    limit = _limit(limit)
    return _recommend(user, _record_query(kind, obj), kind, _source(kind, obj), limit, exclude=[f"{kind}:{obj.pk}"])
