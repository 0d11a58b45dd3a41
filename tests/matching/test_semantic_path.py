"""The optional semantic path: with an encoder configured, semantic hits are fused with lexical ones and obey
the same filters and read scope; without one, search is lexical. A tiny concept encoder stands in for a model."""

import numpy as np
import pytest

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import Status
from techtransfer.matching import indexing, services, vectors
from tests.catalog.factories import achievement_data, advance

semantic = pytest.importorskip("techtransfer.matching.engine.semantic")

CONCEPTS = [("光伏", "太阳能"), ("电池", "储能"), ("保鲜", "冷链")]


class ConceptEncoder:
    """Maps texts onto a few concepts (synonyms share a dimension): enough to prove the wiring."""

    model_id = "test-concepts"
    dim = len(CONCEPTS) + 1

    def _encode(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, t in enumerate(texts):
            for i, words in enumerate(CONCEPTS):
                out[row, i] = sum(t.count(w) for w in words)
            out[row, -1] = 0.01
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    encode_queries = encode_passages = _encode


@pytest.fixture
def concept_encoder(monkeypatch, tmp_path):
    enc = ConceptEncoder()
    monkeypatch.setattr(semantic, "get_encoder", lambda: enc)
    monkeypatch.setattr(semantic, "default_cache_path", lambda: tmp_path / "vectors.sqlite3")
    vectors._loaded.update(path=None, stamp=None, index=None)
    yield enc
    vectors._loaded.update(path=None, stamp=None, index=None)


def test_semantic_hits_are_fused_and_filtered(world, concept_encoder, django_capture_on_commit_callbacks):
    services.search(world.visitor, "预热")
    with django_capture_on_commit_callbacks(execute=True):
        solar = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
            title="光伏组件清洗机器人", abstract="自动清洗光伏板。", keywords=["光伏"])), Status.PUBLISHED)
        hidden = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
            title="光伏逆变器（审核中）", abstract="光伏并网。", keywords=["光伏"]))
        advance(world, hidden, Status.SUBMITTED)
    # "太阳能" never occurs in the record: only the semantic path can find it.
    page = services.search(world.visitor, "太阳能", kinds=["achievement"])
    assert page.mode == "hybrid"
    assert [h.id for h in page.hits] == [solar.pk]  # the submitted one stays out of the visitor's results
    assert services.search(world.visitor, "太阳能", kinds=["demand"]).hits == []
    assert services.search(world.visitor, "太阳能", filters={"trl_min": 9}).hits == []
    assert services.search(world.visitor, "太阳能", mode="lexical").hits == []
    assert solar.pk in [h.id for h in services.search(world.member, "太阳能", kinds=["achievement"]).hits]


def test_without_a_model_search_is_lexical(world, pair):
    page = services.search(world.visitor, "正极材料")
    assert page.mode == "lexical" and page.hits
    assert vectors.encoder() is None
    assert indexing.update_records("achievement", [pair[1].pk]) == 1


def test_long_queries_are_reranked_by_the_records_field_codes(world, concept_encoder, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    """The platform's hybrid search hands the records' own field codes to the field-aware re-ranking."""
    from techtransfer.matching.engine import fusion

    services.search(world.visitor, "预热")
    with django_capture_on_commit_callbacks(execute=True):
        made = [advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
            title=title, abstract=abstract, keywords=["光伏"], tech_field_id=field)), Status.PUBLISHED)
            for title, abstract, field in (("光伏组件清洗机器人", "自动清洗光伏板，提高发电效率。", "06"),
                                           ("光伏板巡检无人机", "无人机巡检光伏电站。", "01"))]
    seen = {}
    real = fusion.field_rerank

    def spy(fused, query_field, fields_of, weight, config=fusion.DEFAULT, protected=()):
        seen["weight"] = weight
        seen["rows"] = fields_of([d for d, _ in fused]) if fields_of else None
        seen["ids"] = [d for d, _ in fused]
        return real(fused, query_field, fields_of, weight, config, protected)

    monkeypatch.setattr(fusion, "field_rerank", spy)
    long_query = "我们需要一种能够自动清洗光伏板并提高光伏电站发电效率的设备，用于大型光伏电站的日常维护"
    page = services.search(world.visitor, long_query, kinds=["achievement"])
    assert page.mode == "hybrid" and seen["weight"] == fusion.RECORD_FIELD_WEIGHT
    rows = {doc_id: row for doc_id, row in zip(seen["ids"], seen["rows"], strict=True)}
    a, b = (f"achievement:{m.pk}" for m in made)
    assert rows[a] @ rows[b] == 0 and rows[a].sum() == pytest.approx(1.0)
    seen.clear()
    services.search(world.visitor, "光伏", kinds=["achievement"])
    assert seen["weight"] == 0  # keyword queries: no field re-ranking


def test_a_partly_encoded_catalogue_is_searched_lexically(world, concept_encoder, django_capture_on_commit_callbacks):
    """While most documents have no vector yet (a first encoding still running), the few that have one must not
    take the head of every ranking: search stays lexical until the vectors cover MIN_COVERAGE of the documents."""
    services.search(world.visitor, "预热")
    with django_capture_on_commit_callbacks(execute=True):
        made = [advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
            title=f"光伏组件清洗机器人{i}", abstract="自动清洗光伏板。", keywords=["光伏"])), Status.PUBLISHED)
            for i in range(4)]
    assert services.search(world.visitor, "太阳能", kinds=["achievement"]).mode == "hybrid"
    index = vectors._open(concept_encoder)
    documents = indexing.get_index().count()
    drop = [key for key in list(index._key_of)][: len(index) - int(vectors.MIN_COVERAGE * documents) + 1]
    index.remove(drop)
    assert len(index) < vectors.MIN_COVERAGE * documents
    page = services.search(world.visitor, "光伏组件", kinds=["achievement"])
    assert page.mode == "lexical" and {h.id for h in page.hits} == {m.pk for m in made}
