"""Fusion of the lexical (BM25) and semantic (embedding) rankings.

``rrf`` is weighted reciprocal rank fusion. ``hybrid`` is the ranking the platform uses; on top of RRF it does
what the development sets proved useful (figures in docs/matching-evaluation.md):

* **query-type weights** — short keyword-like queries (few analysed tokens) lean on the lexical ranking, long
  problem statements lean on the semantic one;
* **dense pseudo-relevance feedback** — the centroid of the vectors of the first fused results (their shared
  technical field) is mixed into the query vector, and every candidate of either list is re-scored by its
  cosine to that expanded query; the re-score is fused as a third ranking;
* **field-aware re-ranking** (when the caller supplies the candidates' technical fields: the platform's own field
  codes, or a classifier's distributions, see ``engine.fieldmodel``) — below the first result (and each engine's
  first hit), candidates whose
  field agrees with the query's (estimated from the first results and, optionally, a classifier's view of the
  query text) get a bounded boost (``field_rerank``).

Everything here works on ranked lists and vectors only: no query-specific rule, no use of relevance judgements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: float = 60.0
        ) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: ``score(d) = Σ_i w_i / (k + rank_i(d))`` (ranks from 1), best first.

    Ties keep the order of first appearance (earlier lists first)."""
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        if not weight:
            for doc_id in ranking:
                scores.setdefault(doc_id, 0.0)
            continue
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    order = {doc_id: i for i, doc_id in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


def combsum(rankings: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float]) -> list[tuple[str, float]]:
    """Weighted sum of min–max normalised scores (CombSUM): within each ranking ``(id, score)`` the scores are mapped
    to 0–1 (best 1, last 0; all 1 when they are equal); a document missing from a ranking gets 0 from it.

    Unlike rank fusion it keeps how far ahead a clear first hit is, which is what a short keyword query needs."""
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        if not ranking:
            continue
        values = [float(score) for _, score in ranking]
        low, span = min(values), max(values) - min(values)
        for (doc_id, _), value in zip(ranking, values, strict=True):
            norm = (value - low) / span if span > 0 else 1.0
            scores[doc_id] = scores.get(doc_id, 0.0) + weight * norm
    order = {doc_id: i for i, doc_id in enumerate(scores)}
    return sorted(scores.items(), key=lambda item: (-item[1], order[item[0]]))


@dataclass(frozen=True)
class FusionConfig:
    """Weights of the hybrid ranking. The defaults are the values chosen on the development sets."""

    rrf_k: float = 20.0
    lexical_weight: float = 1.0
    semantic_weight: float = 1.5
    # Queries with at most this many analysed tokens are treated as keyword queries (search-box keywords give
    # 2–8 tokens, problem statements 12–37 on the development sets).
    short_query_tokens: int = 10
    short_lexical_weight: float = 3.0
    short_semantic_weight: float = 1.0
    short_rrf_k: float = 10.0  # keyword queries: a sharper fusion, the first lexical hits count more
    # Keyword queries whose caller gives both lists' scores are fused by score (``combsum``) instead:
    # lexical_share · BM25 (min–max) + (1 − lexical_share) · cosine (min–max).
    short_score_fusion: bool = True
    short_lexical_share: float = 0.7
    # Dense pseudo-relevance feedback (0 documents = off): long queries only.
    prf_docs: int = 3
    prf_mix: float = 0.8  # expanded query = (1 - mix) · query + mix · centroid of the first prf_docs results
    prf_weight: float = 1.0  # weight of the feedback ranking in the final fusion
    short_prf_weight: float = 0.0  # the same for keyword queries
    depth: int = 100  # candidates taken from each list
    # Field-aware re-ranking (needs field distributions from the caller; weight 0 = off). Long queries only: on
    # keyword queries it did not help on the development sets. Values chosen on the dev sets
    # (docs/matching-evaluation.md, "Field-aware re-ranking").
    field_weight: float = 3.0  # score = fused score / best fused score + weight · P(same field)
    short_field_weight: float = 0.0
    field_depth: int = 200  # the first fused results that are re-ranked
    field_keep: int = 1  # the first results of the fused ranking keep their places
    field_keep_leaders: bool = True  # so do the first lexical and the first semantic hit (ahead, in fused order)
    field_query_mix: float = 0.3  # query field = mix · classifier(query) + (1 - mix) · field feedback
    field_feedback_docs: int = 3  # the first results whose fields make the field feedback
    field_feedback_decay: float = 0.7  # their weights: decay ** (rank - 1)

    def with_(self, **changes) -> FusionConfig:
        return replace(self, **changes)


DEFAULT = FusionConfig()

# The field weight the platform uses with its records' own field codes (``matching.services``; the default
# ``field_weight`` is for a classifier's distributions): candidates in the technical field of the first results gain
# up to this share of the best fused score. The codes are exact but coarse (11 fields, against the 67 disciplines of
# the dev sets' classifier), so a same-field candidate is lifted, not put above every other one as the dev-set
# weight would do. No platform relevance judgements exist to tune it on (docs/matching-evaluation.md).
RECORD_FIELD_WEIGHT = 0.5


def _normalized(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def hybrid(
    lexical: Sequence[str],
    semantic: Sequence[str],
    query_vector: np.ndarray | None,
    vectors_of: Callable[[Sequence[str]], np.ndarray] | None,
    query_tokens: int,
    config: FusionConfig = DEFAULT,
    search_vector: Callable[[np.ndarray, int], Sequence[str]] | None = None,
    query_field: np.ndarray | None = None,
    fields_of: Callable[[Sequence[str]], np.ndarray] | None = None,
    lexical_scores: Sequence[float] | None = None,
    semantic_scores: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse a lexical and a semantic ranking (ids, best first) into one ranking ``[(id, score)]``.

    ``lexical_scores`` / ``semantic_scores`` (optional, aligned with the two lists: BM25 scores, cosine
    similarities) let keyword queries be fused by score (``combsum``); without them every query is rank-fused.

    ``vectors_of(ids)`` returns the stored, normalized document vectors (rows in the order of ``ids``); it and
    ``query_vector`` are needed for the pseudo-relevance feedback only. ``search_vector(vector, n)`` (optional)
    returns the ids of the ``n`` nearest documents to ``vector`` (obeying the caller's filters): with it the
    feedback also brings in new candidates near the first results, not only re-scores the two lists.
    ``fields_of(ids)`` (the candidates' technical-field distributions, rows in the order of ``ids``) turns on the
    field-aware re-ranking (``field_rerank``), helped by ``query_field`` (a classifier's distribution of the query
    text) when given; without ``fields_of`` the result is the plain fusion.
    """
    lexical = list(lexical[: config.depth])
    semantic = list(semantic[: config.depth])
    scored = (lexical_scores is not None and semantic_scores is not None
              and len(lexical_scores) >= len(lexical) and len(semantic_scores) >= len(semantic))
    short = query_tokens <= config.short_query_tokens
    if short:
        weights = [config.short_lexical_weight, config.short_semantic_weight]
        prf_weight = config.short_prf_weight
    else:
        weights = [config.lexical_weight, config.semantic_weight]
        prf_weight = config.prf_weight
    field_weight = config.short_field_weight if short else config.field_weight
    leaders = [ranking[0] for ranking in (lexical, semantic) if ranking] if config.field_keep_leaders else []
    if short and scored and config.short_score_fusion:
        share = config.short_lexical_share
        fused = combsum([list(zip(lexical, lexical_scores[: len(lexical)], strict=True)),
                         list(zip(semantic, semantic_scores[: len(semantic)], strict=True))], [share, 1.0 - share])
    else:
        fused = rrf([lexical, semantic], weights, config.short_rrf_k if short else config.rrf_k)
    if not (config.prf_docs and prf_weight and query_vector is not None and vectors_of and fused):
        return field_rerank(fused, query_field, fields_of, field_weight, config, leaders)
    ids = [doc_id for doc_id, _ in fused]
    top = np.asarray(vectors_of(ids[: config.prf_docs]), dtype=np.float32)
    centroid = _normalized(top.mean(axis=0))
    expanded = _normalized((1.0 - config.prf_mix) * np.asarray(query_vector, dtype=np.float32)
                           + config.prf_mix * centroid)
    if search_vector is not None:
        feedback = list(search_vector(expanded, config.depth))
    else:
        sims = np.asarray(vectors_of(ids), dtype=np.float32) @ expanded
        feedback = [ids[i] for i in np.argsort(-sims, kind="stable")]
    fused = rrf([lexical, semantic, feedback], [*weights, prf_weight], config.rrf_k)
    return field_rerank(fused, query_field, fields_of, field_weight, config, leaders)


def field_rerank(
    fused: list[tuple[str, float]],
    query_field: np.ndarray | None,
    fields_of: Callable[[Sequence[str]], np.ndarray] | None,
    weight: float,
    config: FusionConfig = DEFAULT,
    protected: Sequence[str] = (),
) -> list[tuple[str, float]]:
    """Re-rank the head of a fused ranking by technical-field agreement (unchanged when off or without fields).

    ``fields_of(ids)`` gives each candidate's technical-field distribution (a row summing to 1: a classifier's
    guess, or the record's own field codes; a row of zeros = field unknown, no boost). The query's field is
    estimated by **field feedback**: the mean field of the first ``field_feedback_docs`` fused results (weights
    ``field_feedback_decay ** rank``), mixed with ``query_field`` (a classifier's view of the query text, optional)
    as ``mix · query_field + (1 − mix) · feedback``. A candidate's agreement ``a = field(d) · field(q)`` is then the
    probability that the two share a field when both are distributions.

    Each candidate among the first ``config.field_depth`` is scored ``s(d) / s(first) + weight · a`` — its fused score
    relative to the best one, plus the bounded boost — and the first ``config.field_keep`` results keep their
    places (the best match is never demoted by a classifier's error), followed by the ``protected`` ids (``hybrid``
    passes the first lexical and the first semantic hit: a document one engine ranks first is a likely known item)
    in their fused order. Results beyond the depth follow, unboosted.
    The scores returned are these new scores, best first."""
    if not (weight and fused and fields_of is not None):
        return fused
    head = fused[: config.field_depth]
    ids = [doc_id for doc_id, _ in head]
    fields = np.asarray(fields_of(ids), dtype=np.float64)
    n = min(max(config.field_feedback_docs, 1), len(ids))
    decay = config.field_feedback_decay ** np.arange(n, dtype=np.float64)
    query = (decay[:, None] * fields[:n]).sum(axis=0) / decay.sum()
    if query_field is not None:
        mix = config.field_query_mix
        query = mix * np.asarray(query_field, dtype=np.float64) + (1.0 - mix) * query
    agreement = fields @ query
    raw = np.array([score for _, score in fused], dtype=np.float64)
    top = raw[0] if raw[0] > 0 else 1.0
    relative = raw / top
    scores = relative[: len(ids)] + weight * agreement
    keep = min(max(config.field_keep, 0), len(ids))
    protected = set(protected)
    held = [i for i, doc_id in enumerate(ids) if i < keep or doc_id in protected]
    scores[held] = scores.max() + 1.0 + np.arange(len(held), 0, -1)
    order = np.argsort(-scores, kind="stable")
    tail = [(doc_id, float(relative[i])) for i, (doc_id, _) in enumerate(fused[len(ids):], start=len(ids))]
    return [(ids[i], float(scores[i])) for i in order] + tail
