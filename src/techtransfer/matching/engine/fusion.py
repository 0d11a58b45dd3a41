"""Fusion of the lexical (BM25) and semantic (embedding) rankings.

``rrf`` is weighted reciprocal rank fusion. ``hybrid`` is the ranking the platform uses; on top of RRF it does
what the development sets proved useful (figures in docs/matching-evaluation.md):

* **query-type weights** — short keyword-like queries (few analysed tokens) lean on the lexical ranking, long
  problem statements lean on the semantic one;
* **dense pseudo-relevance feedback** — the centroid of the vectors of the first fused results (their shared
  technical field) is mixed into the query vector, and every candidate of either list is re-scored by its
  cosine to that expanded query; the re-score is fused as a third ranking.

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

    rrf_k: float = 60.0
    lexical_weight: float = 1.0
    semantic_weight: float = 1.0
    # Queries with at most this many analysed tokens are treated as keyword queries.
    short_query_tokens: int = 4
    short_lexical_weight: float = 1.0
    short_semantic_weight: float = 1.0
    # Dense pseudo-relevance feedback (0 documents = off).
    prf_docs: int = 0
    prf_mix: float = 0.5  # expanded query = (1 - mix) · query + mix · centroid
    prf_weight: float = 0.0  # weight of the re-scored ranking in the final fusion
    depth: int = 100  # candidates taken from each list

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
) -> list[tuple[str, float]]:
    """Fuse a lexical and a semantic ranking (ids, best first) into one ranking ``[(id, score)]``.

    ``vectors_of(ids)`` returns the stored, normalized document vectors (rows in the order of ``ids``); it and
    ``query_vector`` are needed for the pseudo-relevance feedback only.
    """
    lexical = list(lexical[: config.depth])
    semantic = list(semantic[: config.depth])
    if query_tokens <= config.short_query_tokens:
        weights = [config.short_lexical_weight, config.short_semantic_weight]
    else:
        weights = [config.lexical_weight, config.semantic_weight]
    fused = rrf([lexical, semantic], weights, config.rrf_k)
    if not (config.prf_docs and config.prf_weight and query_vector is not None and vectors_of and fused):
        return fused
    ids = [doc_id for doc_id, _ in fused]
    matrix = np.asarray(vectors_of(ids), dtype=np.float32)
    top = matrix[: config.prf_docs]
    centroid = _normalized(top.mean(axis=0))
    expanded = _normalized((1.0 - config.prf_mix) * np.asarray(query_vector, dtype=np.float32)
                           + config.prf_mix * centroid)
    sims = matrix @ expanded
    rescored = [ids[i] for i in np.argsort(-sims, kind="stable")]
    return rrf([lexical, semantic, rescored], [*weights, config.prf_weight], config.rrf_k)
