"""The retrieval evaluation harness: metrics, the `techtransfer eval retrieval` command."""

import json
import math

import pytest

from techtransfer import cli
from techtransfer.matching import evaluation as ev

from .test_semantic import CountingEncoder


def test_ndcg_with_graded_relevance_by_hand():
    rels = {"a": 2, "b": 1, "c": 1}
    # DCG of [b, x, a] = (2^1-1)/log2(2) + 0 + (2^2-1)/log2(4) = 1 + 1.5
    # ideal [a, b, c] = 3/1 + 1/log2(3) + 1/2
    expected = 2.5 / (3 + 1 / math.log2(3) + 0.5)
    assert ev.ndcg_at_k(["b", "x", "a"], rels, 3) == pytest.approx(expected)
    assert expected == pytest.approx(0.60519, abs=1e-5)
    assert ev.ndcg_at_k(["a", "b", "c"], rels, 3) == pytest.approx(1.0)
    assert ev.ndcg_at_k(["b", "x", "a"], rels, 1) == pytest.approx(1 / 3)  # gain 1 against ideal gain 3
    assert ev.ndcg_at_k(["x", "y"], rels, 10) == 0.0
    assert ev.ndcg_at_k(["a"], {"a": 0}, 10) == 0.0  # nothing relevant: defined as 0


def test_recall_mrr_percentile_by_hand():
    rels = {"a": 2, "b": 1, "c": 1, "z": 0}
    assert ev.recall_at_k(["b", "x", "a"], rels, 2) == pytest.approx(1 / 2)  # 1 hit / min(2, 3)
    assert ev.recall_at_k(["b", "x", "a"], rels, 3) == pytest.approx(2 / 3)
    assert ev.recall_at_k(["z", "x"], rels, 10) == 0.0  # relevance 0 is not relevant
    assert ev.mrr_at_k(["x", "y", "a"], rels) == pytest.approx(1 / 3)
    assert ev.mrr_at_k(["x"] * 10 + ["a"], rels) == 0.0  # beyond rank 10
    values = [float(v) for v in range(10, 0, -1)]
    assert ev.percentile(values, 50) == 5.0
    assert ev.percentile(values, 95) == 10.0
    assert ev.percentile([], 95) == 0.0


CORPUS = [
    {"id": "d1", "title": "高镍三元锂离子电池正极材料", "abstract": "研究了正极材料的包覆改性与循环性能。",
     "keywords": ["锂离子电池", "正极材料"]},
    {"id": "d2", "title": "冬小麦抗旱品种选育", "abstract": "在干旱条件下比较了小麦品种的产量。",
     "keywords": ["小麦", "抗旱"]},
    {"id": "d3", "title": "", "abstract": "以斜拉桥为背景研究了液体粘滞阻尼器的减震效果。", "keywords": []},
]
QUERIES = [{"id": "q1", "text": "锂离子电池正极材料改性"}, {"id": "q2", "text": "斜拉桥阻尼器减震"},
           {"id": "q3", "text": "没有判断的查询"}]
QRELS = "q1 0 d1 2\nq1 0 d2 0\nq2 0 d3 1\n"


@pytest.fixture
def collection(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in CORPUS) + "\n", encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUERIES), encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text(QRELS)
    return corpus, queries, qrels


def test_cli_prints_one_json_object(collection, capsys):
    corpus, queries, qrels = collection
    code = cli.main(["eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries), "--qrels", str(qrels),
                     "--mode", "lexical", "--k", "10", "--json"])
    out = capsys.readouterr()
    assert code == 0
    result = json.loads(out.out)  # only the JSON object on stdout
    for key in ("ndcg@10", "recall@10", "recall@100", "mrr@10", "latency_ms_p50", "latency_ms_p95",
                "index_seconds", "docs"):
        assert key in result
    assert result["docs"] == 3
    assert result["queries"] == 2  # q3 has no judgement
    assert result["ndcg@10"] == pytest.approx(1.0)
    assert result["mrr@10"] == pytest.approx(1.0)
    assert result["latency_ms_p95"] >= result["latency_ms_p50"] > 0
    assert "lexical index" in out.err


def test_cli_rejects_bad_input(collection, tmp_path, capsys):
    corpus, queries, _qrels = collection
    bad = tmp_path / "bad.tsv"
    bad.write_text("q1 d1 2\n")
    code = cli.main(["eval", "retrieval", "--corpus", str(corpus), "--queries", str(queries), "--qrels", str(bad),
                     "--mode", "lexical", "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert "bad.tsv:1" in captured.err


def test_hybrid_and_semantic_modes_run_with_an_encoder(tmp_path):
    corpus = [dict(d) for d in CORPUS]
    qrels = {"q1": {"d1": 2}, "q2": {"d3": 1}}
    enc = CountingEncoder()
    from techtransfer.matching.engine.semantic import VectorCache

    cache = VectorCache(tmp_path / "c.sqlite3")
    hybrid = ev.evaluate(corpus, QUERIES, qrels, mode="hybrid", encoder=enc, cache=cache, field_model=False)
    assert hybrid["docs"] == 3 and 0 < hybrid["ndcg@10"] <= 1
    assert hybrid["mrr@10"] == pytest.approx(1.0)
    assert len(enc.encoded) == 3
    semantic = ev.evaluate(corpus, QUERIES, qrels, mode="semantic", encoder=enc, cache=cache)
    assert len(enc.encoded) == 3  # the second run finds every passage in the cache
    assert semantic["recall@100"] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        ev.evaluate(corpus, QUERIES, qrels, mode="semantic", encoder=None)
