"""Field classifier (engine.fieldmodel): cross-fitting guard, prediction, field-aware re-ranking."""

import numpy as np
import pytest

from techtransfer.matching import evaluation as ev
from techtransfer.matching.engine import fieldmodel as fm
from techtransfer.matching.engine import fusion

VOCAB = {
    "agri": ["wheat", "soil", "irrigation", "harvest", "crop", "fertilizer", "seedling", "maize"],
    "power": ["voltage", "transformer", "grid", "inverter", "current", "converter", "breaker", "relay"],
    "medic": ["patient", "clinical", "therapy", "tumor", "dose", "surgery", "symptom", "serum"],
}


def make_rows(per_class=20, seed=7):
    rng = np.random.default_rng(seed)
    rows = []
    for label, words in VOCAB.items():
        for i in range(per_class):
            picked = rng.choice(words, size=6, replace=True)
            rows.append({"id": f"{label}{i:03d}", "title": f"{picked[0]} {picked[1]} study {label}{i}",
                         "abstract": f"We examine {' '.join(picked[2:])} in detail. Results on {picked[0]} given.",
                         "keywords": [str(picked[1]), str(picked[2])], "discipline": label})
    rows.append({"id": "nolabel", "title": "wheat soil", "abstract": "unlabelled wheat record", "keywords": []})
    return rows


@pytest.fixture(scope="module")
def model():
    return fm.FieldModel.fit(make_rows(), folds=3)


def test_documents_are_classified_by_the_fold_model_that_never_saw_their_record(model):
    rows = make_rows()
    assert model.full_model.record_ids == {r["id"] for r in rows if r.get("discipline")}
    for row in rows:
        src = model.source_of_document(row["id"], "", "")
        chosen = model._model_for([src])
        assert chosen is not model.full_model
        assert row["id"] not in chosen.record_ids
        # also found by identical title + abstract under another id
        same = model.source_of_document("other-id", row["title"], row["abstract"])
        assert same is not None and same.id == row["id"]


def test_queries_cut_from_a_record_are_classified_by_a_model_that_never_saw_it(model):
    rows = make_rows()
    for row in rows[:-1]:
        first_sentence = row["abstract"].split(".")[0]
        sources = model.sources_of_query(first_sentence)
        assert row["id"] in {s.id for s in sources}
        chosen = model._model_for(sources)
        if chosen is not None:  # None when the text occurs in records of several folds: no boost at all
            assert not ({s.id for s in sources} & chosen.record_ids)
        kw_sources = model.sources_of_query(" ".join(row["keywords"]))
        assert row["id"] in {s.id for s in kw_sources}
    # text of no shipped record is unseen: the model trained on everything classifies it
    assert model.sources_of_query("transformer relay breaker protection scheme") == []
    assert model._model_for([]) is model.full_model
    dist = model.predict_query("transformer relay breaker protection scheme")
    assert dist is not None and dist.sum() == pytest.approx(1.0, abs=1e-5)
    assert model.classes[int(np.argmax(dist))] == "power"


def test_a_memorised_label_does_not_leak_into_the_cross_fitted_prediction():
    rows = make_rows()
    # a record whose text is plainly agricultural but is labelled "medic", with a token no other record has:
    # a model trained on it would memorise the label through that token
    rows.append({"id": "trap", "title": "zqxtrap wheat soil harvest", "abstract": "zqxtrap crop maize irrigation",
                 "keywords": ["zqxtrap"], "discipline": "medic"})
    model = fm.FieldModel.fit(rows, folds=3)
    doc = {"id": "trap", "title": "zqxtrap wheat soil harvest", "abstract": "zqxtrap crop maize irrigation",
           "keywords": ["zqxtrap"]}
    leaked = model.full_model.proba([fm.record_text(doc["title"], doc["keywords"], doc["abstract"])])
    guarded = model.predict_documents([doc])[0]
    medic = model.classes.index("medic")
    assert model.classes[int(np.argmax(guarded))] == "agri"
    assert guarded[medic] < leaked[0][medic]


def test_predictions_are_distributions_and_mostly_right(model):
    rows = make_rows()[:-1]
    dists = model.predict_documents(rows)
    assert dists.shape == (len(rows), 3)
    assert np.allclose(dists.sum(axis=1), 1.0, atol=1e-5)
    right = sum(model.classes[int(np.argmax(d))] == r["discipline"] for d, r in zip(dists, rows, strict=True))
    assert right / len(rows) > 0.8


def test_fit_needs_two_folds_and_two_labels():
    with pytest.raises(ValueError):
        fm.FieldModel.fit(make_rows(), folds=1)
    with pytest.raises(ValueError):
        fm.FieldModel.fit([r for r in make_rows() if r.get("discipline") == "agri"], folds=2)


def test_field_rerank_keeps_the_head_and_lifts_agreeing_documents():
    cfg = fusion.FusionConfig(field_keep=1, field_weight=1.0, field_query_mix=1.0)
    fused = [(f"d{i}", 1.0 / (i + 1)) for i in range(6)]
    fields = {"d0": [0, 1, 0], "d1": [0, 1, 0], "d2": [1, 0, 0], "d3": [1, 0, 0], "d4": [0.9, 0.1, 0], "d5": [0, 0, 1]}
    out = fusion.field_rerank(fused, np.array([1.0, 0, 0]), lambda ids: np.array([fields[i] for i in ids]), 1.0, cfg)
    order = [d for d, _ in out]
    assert order[0] == "d0"  # protected even though it disagrees
    assert order[1:4] == ["d2", "d3", "d4"] and set(order[4:]) == {"d1", "d5"}
    assert [s for _, s in out] == sorted((s for _, s in out), reverse=True)
    # off without fields or weight: unchanged
    assert fusion.field_rerank(fused, None, None, 1.0, cfg) == fused
    assert fusion.field_rerank(fused, np.array([1.0, 0, 0]), lambda ids: np.zeros((len(ids), 3)), 0.0, cfg) == fused


def test_hybrid_applies_the_field_boost_to_long_queries_only():
    cfg = fusion.FusionConfig(prf_docs=0, field_keep=1, field_weight=1.0, short_field_weight=0.0,
                              short_query_tokens=4, field_query_mix=1.0)
    lexical, semantic = ["a", "b", "c"], ["a", "b", "c"]
    fields = {"a": [1, 0], "b": [0, 1], "c": [1, 0]}
    kwargs = dict(query_field=np.array([1.0, 0.0]), fields_of=lambda ids: np.array([fields[i] for i in ids]))
    long_q = fusion.hybrid(lexical, semantic, None, None, 12, cfg, **kwargs)
    short_q = fusion.hybrid(lexical, semantic, None, None, 2, cfg, **kwargs)
    assert [d for d, _ in long_q] == ["a", "c", "b"]
    assert [d for d, _ in short_q] == ["a", "b", "c"]
    assert fusion.hybrid(lexical, semantic, None, None, 12, cfg) == fusion.rrf([lexical, semantic],
                                                                              [1.0, 1.5], cfg.rrf_k)


def test_harness_hybrid_uses_a_given_field_model(tmp_path):
    from techtransfer.matching.engine.semantic import VectorCache

    from .test_semantic import CountingEncoder

    rows = make_rows(per_class=8)
    model = fm.FieldModel.fit(rows, folds=2)
    corpus = [{"id": r["id"], "title": r["title"], "abstract": r["abstract"], "keywords": r["keywords"]}
              for r in rows[:-1]]
    queries = [{"id": "q1", "text": rows[0]["abstract"].split(".")[0] + " wheat soil crop harvest maize"}]
    qrels = {"q1": {rows[0]["id"]: 2}}
    result = ev.evaluate(corpus, queries, qrels, mode="hybrid", encoder=CountingEncoder(),
                         cache=VectorCache(tmp_path / "c.sqlite3"), field_model=model)
    assert result["docs"] == len(corpus) and 0 <= result["ndcg@10"] <= 1


def test_field_feedback_without_a_classifier_follows_the_first_results_field():
    """The platform's own records carry field codes: with no query distribution, the field of the first results
    (field feedback) decides which later candidates are lifted."""
    cfg = fusion.FusionConfig(field_keep=1, field_feedback_docs=1)
    fused = [("a", 0.30), ("b", 0.29), ("c", 0.28), ("d", 0.27)]
    fields = {"a": [1, 0], "b": [0, 1], "c": [0, 0], "d": [1, 0]}  # c: field unknown, no boost
    out = fusion.field_rerank(fused, None, lambda ids: np.array([fields[i] for i in ids], dtype=float), 0.5, cfg)
    assert [d for d, _ in out] == ["a", "d", "b", "c"]
    # a small weight cannot overturn a clear score gap
    gap = [("a", 0.30), ("b", 0.29), ("d", 0.10)]
    out = fusion.field_rerank(gap, None, lambda ids: np.array([fields[i] for i in ids], dtype=float), 0.05, cfg)
    assert [d for d, _ in out] == ["a", "b", "d"]


def test_smoothing_mixes_neighbour_distributions():
    dists = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
    out = fm.smooth_by_neighbours(dists, [[(1, 2.0), (2, 2.0)], [], [(0, 1.0)]], 0.5)
    assert np.allclose(out[0], [0.5, 0.5])
    assert np.allclose(out[1], [0.0, 1.0])  # no neighbours: unchanged
    assert np.allclose(out[2], [0.5, 0.5])
    assert np.allclose(out.sum(axis=1), 1.0)


def test_harness_neighbours_exclude_the_document_itself_and_cope_with_tiny_corpora(tmp_path):
    from techtransfer.matching.engine.semantic import VectorCache

    from .test_semantic import CountingEncoder

    rows = make_rows(per_class=8)
    corpus = [{"id": r["id"], "title": r["title"], "abstract": r["abstract"], "keywords": r["keywords"]}
              for r in rows[:-1]]
    retriever = ev.Retriever("hybrid", encoder=CountingEncoder(), cache=VectorCache(tmp_path / "c.sqlite3"),
                             field_model=fm.FieldModel.fit(rows, folds=2))
    retriever.index(corpus)
    near = retriever._neighbours(corpus)
    assert len(near) == len(corpus)
    for i, pairs in enumerate(near):
        assert i not in [j for j, _ in pairs] and len(pairs) <= ev.FIELD_NEIGHBOURS
        assert [s for _, s in pairs] == sorted((s for _, s in pairs), reverse=True)
    assert set(retriever.fields) == {d["id"] for d in corpus}
    retriever.close()
    one = ev.Retriever("hybrid", encoder=CountingEncoder(), cache=VectorCache(tmp_path / "c.sqlite3"),
                       field_model=fm.FieldModel.fit(rows, folds=2))
    one.index(corpus[:1])
    assert one._neighbours(corpus[:1]) == [[]]
    assert one.search(corpus[0]["title"]) == [corpus[0]["id"]]
    one.close()


def test_combsum_keeps_the_lead_of_a_clear_first_hit():
    lexical = [("a", 20.0), ("b", 5.0), ("c", 4.0)]
    semantic = [("b", 0.90), ("c", 0.89), ("a", 0.88)]
    # rank fusion with equal weights ties a and b; the scores show a is far ahead lexically
    out = fusion.combsum([lexical, semantic], [0.7, 0.3])
    assert [d for d, _ in out] == ["a", "b", "c"]
    assert out[0][1] == pytest.approx(0.7)  # lexical best (1.0 · 0.7) + semantic last (0)
    assert dict(out)["b"] == pytest.approx(0.7 * (1 / 16) + 0.3)
    # equal scores in a list all count fully; a document missing from a list gets nothing from it
    assert dict(fusion.combsum([[("x", 1.0), ("y", 1.0)], [("y", 0.5)]], [1.0, 1.0])) == {"x": 1.0, "y": 2.0}
    with pytest.raises(ValueError):
        fusion.combsum([lexical], [1.0, 1.0])


def test_hybrid_fuses_keyword_queries_by_score_when_scores_are_given():
    cfg = fusion.FusionConfig(short_query_tokens=4)
    lexical, lex_scores = ["a", "b", "c"], [20.0, 5.0, 4.0]
    semantic, sem_scores = ["b", "c", "a"], [0.90, 0.89, 0.88]
    by_score = fusion.hybrid(lexical, semantic, None, None, 2, cfg, lexical_scores=lex_scores,
                             semantic_scores=sem_scores)
    expected = fusion.combsum([list(zip(lexical, lex_scores)), list(zip(semantic, sem_scores))], [0.7, 0.3])
    assert [d for d, _ in by_score] == [d for d, _ in expected] == ["a", "b", "c"]
    assert [s for _, s in by_score] == pytest.approx([s for _, s in expected])
    # without scores, or for long queries, rank fusion as before
    assert fusion.hybrid(lexical, semantic, None, None, 2, cfg) == fusion.rrf([lexical, semantic], [3.0, 1.0], 10.0)
    long_q = fusion.hybrid(lexical, semantic, None, None, 12, cfg.with_(prf_docs=0), lexical_scores=lex_scores,
                           semantic_scores=sem_scores)
    assert long_q == fusion.rrf([lexical, semantic], [1.0, 1.5], 20.0)


def test_the_first_hit_of_each_engine_keeps_its_place_against_the_field_boost():
    cfg = fusion.FusionConfig(prf_docs=0, field_keep=1, field_feedback_docs=1, short_query_tokens=4)
    fields = {"a": [1, 0], "b": [1, 0], "c": [1, 0], "s": [0, 1]}
    rows = lambda ids: np.array([fields[i] for i in ids], dtype=float)  # noqa: E731
    lexical, semantic = ["a", "b", "c", "s"], ["s", "a", "b", "c"]
    # "s" is the semantic engine's first hit but in another field than the first fused result
    kept = fusion.hybrid(lexical, semantic, None, None, 12, cfg.with_(field_weight=5.0), fields_of=rows)
    assert [d for d, _ in kept][:2] == ["a", "s"]
    dropped = fusion.hybrid(lexical, semantic, None, None, 12, cfg.with_(field_weight=5.0, field_keep_leaders=False),
                            fields_of=rows)
    assert [d for d, _ in dropped][-1] == "s"
