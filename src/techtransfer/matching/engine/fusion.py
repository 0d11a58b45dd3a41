"""Fusion of the lexical (BM25) and semantic (embedding) rankings.

``rrf`` is weighted reciprocal rank fusion. ``hybrid`` is the ranking the platform uses; on top of RRF it does
what the development sets proved useful (figures in docs/matching-evaluation.md):

* **query-type weights** — short keyword-like queries (few analysed tokens) lean on the lexical ranking, long
  problem statements lean on the semantic one;
* **dense pseudo-relevance feedback** — the centroid of the vectors of the first fused results (their shared
  technical field) is mixed into the query vector, and every candidate of either list is re-scored by its
  cosine to that expanded query; the re-score is fused as a third ranking;
* **field-aware re-ranking** (optional, when the caller supplies technical-field distributions, see
  ``engine.fieldmodel``) — below the first few results, candidates whose predicted discipline distribution agrees
  with the query's get a bounded boost (``field_rerank``).

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


@dataclass(frozen=True)
class FusionConfig:
    """Weights of the hybrid ranking. The defaults are the values chosen on the development sets."""

    rrf_k: float = 20.0
    lexical_weight: float = 1.0
    semantic_weight: float = 1.5
    # Queries with at most this many analysed tokens are treated as keyword queries (search-box keywords give
    # 2–8 tokens, problem statements 12–37 on the development sets).
    short_query_tokens: int = 10
    short_lexical_weight: float = 2.0
    short_semantic_weight: float = 1.0
    # Dense pseudo-relevance feedback (0 documents = off): long queries only.
    prf_docs: int = 3
    prf_mix: float = 0.8  # expanded query = (1 - mix) · query + mix · centroid of the first prf_docs results
    prf_weight: float = 1.0  # weight of the feedback ranking in the final fusion
    short_prf_weight: float = 0.0  # the same for keyword queries
    depth: int = 100  # candidates taken from each list
    # Field-aware re-ranking (needs field distributions from the caller; weight 0 = off). Long queries only: on
    # keyword queries it did not help on the development sets.
    field_weight: float = 0.005  # boost = weight · cosine(query field, document field), added to 1/(k + rank)
    short_field_weight: float = 0.0
    field_keep: int = 3  # the first results of the fused ranking keep their places
    field_query_mix: float = 0.3  # query field = mix · classifier(query) + (1 - mix) · field of the first result

    def with_(self, **changes) -> FusionConfig:
        return replace(self, **changes)


DEFAULT = FusionConfig()


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
) -> list[tuple[str, float]]:
    """Fuse a lexical and a semantic ranking (ids, best first) into one ranking ``[(id, score)]``.

    ``vectors_of(ids)`` returns the stored, normalized document vectors (rows in the order of ``ids``); it and
    ``query_vector`` are needed for the pseudo-relevance feedback only. ``search_vector(vector, n)`` (optional)
    returns the ids of the ``n`` nearest documents to ``vector`` (obeying the caller's filters): with it the
    feedback also brings in new candidates near the first results, not only re-scores the two lists.
    ``query_field`` (the query's discipline distribution) and ``fields_of(ids)`` (the documents' distributions,
    rows in the order of ``ids``) turn on the field-aware re-ranking (``field_rerank``); without them the result
    is the plain fusion.
    """
    lexical = list(lexical[: config.depth])
    semantic = list(semantic[: config.depth])
    if query_tokens <= config.short_query_tokens:
        weights = [config.short_lexical_weight, config.short_semantic_weight]
        prf_weight = config.short_prf_weight
    else:
        weights = [config.lexical_weight, config.semantic_weight]
        prf_weight = config.prf_weight
    short = query_tokens <= config.short_query_tokens
    field_weight = config.short_field_weight if short else config.field_weight
    fused = rrf([lexical, semantic], weights, config.rrf_k)
    if not (config.prf_docs and prf_weight and query_vector is not None and vectors_of and fused):
        return field_rerank(fused, query_field, fields_of, field_weight, config)
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
    return field_rerank(fused, query_field, fields_of, field_weight, config)


def field_rerank(
    fused: list[tuple[str, float]],
    query_field: np.ndarray | None,
    fields_of: Callable[[Sequence[str]], np.ndarray] | None,
    weight: float,
    config: FusionConfig = DEFAULT,
) -> list[tuple[str, float]]:
    """Re-rank the head of a fused ranking by technical-field agreement (unchanged when off or without fields).

    The first ``config.field_keep`` results keep their places (the best match is not demoted by a classifier's
    error). Each later candidate among the first ``config.depth`` is scored ``1 / (k + rank) + weight · cos(q, d)``
    where ``cos`` is the cosine of the query's and the document's discipline distributions (0–1 for
    distributions, so the boost is bounded by ``weight``), and the query's distribution is
    ``mix · query_field + (1 − mix) · field of the first result``. The scores returned are these new scores
    (protected results first, each above every later one)."""
    if not (weight and fused and query_field is not None and fields_of is not None):
        return fused
    head = fused[: config.depth]
    ids = [doc_id for doc_id, _ in head]
    fields = np.asarray(fields_of(ids), dtype=np.float64)
    query = np.asarray(query_field, dtype=np.float64)
    mix = config.field_query_mix
    query = mix * query + (1.0 - mix) * fields[0]
    norms = np.linalg.norm(fields, axis=1) * float(np.linalg.norm(query))
    agreement = np.divide(fields @ query, norms, out=np.zeros(len(ids)), where=norms > 0)
    ranks = np.arange(1, len(ids) + 1, dtype=np.float64)
    scores = 1.0 / (config.rrf_k + ranks) + weight * agreement
    keep = min(max(config.field_keep, 0), len(ids))
    scores[:keep] = scores.max() + 1.0 + np.arange(keep, 0, -1)
    order = np.argsort(-scores, kind="stable")
    tail = [(doc_id, 1.0 / (config.rrf_k + rank))
            for rank, (doc_id, _) in enumerate(fused[config.depth:], start=len(ids) + 1)]
    return [(ids[i], float(scores[i])) for i in order] + tail
