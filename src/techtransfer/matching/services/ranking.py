"""The engine: the lexical ranking of the live index (recovering from a damaged index), the optional semantic
ranking and their fusion, and the facets of a result."""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from techtransfer.catalog.models import CooperationMode, Status, TransferMode
from techtransfer.orgs.models import OrgKind
from techtransfer.regions.services import name_of
from techtransfer.taxonomy.models import TechField

from .. import indexing, vectors
from ..engine import text as textmod
from .filters import _FACET_SOURCE, FACET_LABELS, KIND_LABELS, PRICE_BAND_LABELS
from .records import _field_rows

try:
    from ..engine import fusion
except ImportError:  # the fusion module is optional: plain reciprocal rank fusion stands in
    fusion = None

log = logging.getLogger(__name__)


# -- the engine -----------------------------------------------------------------------------------------------------

def _lexical(query: str, filters: dict, limit: int, offset: int = 0) -> tuple[int, list[tuple[str, float]]]:
    """Search the live index. An error is retried once on a freshly opened index (a rebuild may have switched
    generations a moment ago); if it persists, the live generation is dropped and rebuilt from the database —
    a damaged index never becomes an error page."""
    for attempt in range(3):
        try:
            return indexing.get_index().search(query, filters, limit=limit, offset=offset)
        except (OSError, RuntimeError, ValueError) as exc:
            if str(exc).startswith("unknown filter") or attempt == 2:
                raise
            log.warning("search index failed (%s); %s", exc, "reopening it" if attempt == 0 else "rebuilding it")
            if attempt == 1:
                indexing.discard_live()
            indexing.reset()
    raise AssertionError("unreachable")


def _semantic_ranking(query: str, filters: dict, depth: int) -> list[tuple[str, float]] | None:
    """``(id, similarity)`` of the nearest documents by meaning that pass ``filters``, or None without a semantic
    path."""
    return vectors.search(query, filters, depth)


def _fuse(query: str, lexical: list[tuple[str, float]], semantic: list[tuple[str, float]]) -> list[tuple[str, float]]:
    lexical_ids = [d for d, _s in lexical]
    semantic_ids = [d for d, _s in semantic]
    if fusion is None:
        # Without the fusion module: plain reciprocal rank fusion (k = 60).
        scores: dict[str, float] = {}
        for ranking in (lexical_ids, semantic_ids):
            for rank, doc_id in enumerate(ranking, start=1):
                scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (60 + rank)
        return sorted(scores.items(), key=lambda kv: -kv[1])
    try:
        config = fusion.DEFAULT.with_(field_weight=fusion.RECORD_FIELD_WEIGHT)
        return fusion.hybrid(lexical_ids, semantic_ids, vectors.query_vector(query), vectors.vectors_of,
                             len(textmod.analyze_query(query)), config, fields_of=_field_rows,
                             lexical_scores=[s for _d, s in lexical], semantic_scores=[s for _d, s in semantic])
    except Exception:  # noqa: BLE001 - an optional module must not take search down
        log.exception("rank fusion failed; using plain reciprocal rank fusion")
        return fusion.rrf([lexical_ids, semantic_ids])


def _ranked(query: str, filters: dict, limit: int, offset: int, mode: str) -> tuple[int, list[tuple[str, float]],
                                                                                     str]:
    """(total, ranked (id, score), mode used)."""
    if mode in ("hybrid", "semantic") and query.strip():
        depth = max(offset + limit, 100)
        semantic = _semantic_ranking(query, filters, depth)
        if semantic is not None:
            total, lex = _lexical(query, filters, depth)
            if mode == "semantic":
                fused = [(d, 1.0 / (i + 1)) for i, (d, _s) in enumerate(semantic)]
            else:
                fused = _fuse(query, lex, semantic)
            return max(total, len(fused)), fused[offset:offset + limit], mode
    total, hits = _lexical(query, filters, limit, offset)
    return total, hits, "lexical"


# Facet counts of a (query, filters, scope) are kept this many seconds (``MATCHING_FACET_CACHE_SECONDS``): paging
# through a result and coming back to it recount nothing. The key holds the index's version (it changes with every
# commit of the live index and with a switch of generations), so a cached count is never older than the index.
FACET_CACHE_SECONDS = 30


def _facets(query: str, filters: dict) -> dict:
    index = indexing.get_index()
    seconds = int(getattr(settings, "MATCHING_FACET_CACHE_SECONDS", FACET_CACHE_SECONDS))
    if seconds <= 0:
        return _facets_counted(index, query, filters)
    # The filters hold the user's read scope (``visible_to``): users of one scope share an entry, no one else.
    key = "matching:facets:" + hashlib.sha256(json.dumps(
        [index.version(), query, filters, get_language()], sort_keys=True, default=str).encode()).hexdigest()
    try:
        found = cache.get(key)
    except Exception:  # noqa: BLE001 - an unreachable cache costs the count, never the search
        log.warning("cache unreachable; counting facets", exc_info=True)
        found = None
    if found is not None:
        return found
    out = _facets_counted(index, query, filters)
    try:
        cache.set(key, out, seconds)
    except Exception:  # noqa: BLE001
        log.warning("cache unreachable; facets not kept", exc_info=True)
    return out


def _facets_counted(index, query: str, filters: dict) -> dict:
    raw = index.facets(query, filters, fields=list(_FACET_SOURCE.values()))
    fields = {f.pk: str(f) for f in TechField.objects.all()}
    labels = {
        "kind": {k: str(v) for k, v in KIND_LABELS.items()},
        "field": fields,
        "transfer_mode": {**{m.value: str(m.label) for m in CooperationMode},
                          **{m.value: str(m.label) for m in TransferMode}},
        "price_band": {k: str(v) for k, v in PRICE_BAND_LABELS.items()},
        "status": {s.value: str(s.label) for s in Status},
        "org_kind": {k.value: str(k.label) for k in OrgKind},
    }
    out: dict = {}
    for name, source in _FACET_SOURCE.items():
        counts = raw.get(source) or {}
        if not counts:
            continue
        values = []
        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            if name == "region":
                label = name_of(value)
            elif name == "trl":
                label = f"TRL {value}"
            else:
                label = labels.get(name, {}).get(value, value)
            values.append({"value": value, "label": label, "count": count})
        if name == "trl":
            values.sort(key=lambda v: int(v["value"]))
        out[name] = {"label": str(FACET_LABELS[name]), "values": values}
    return out
