"""The engine's building blocks without the database: text analysis and the Tantivy lexical index."""

import pytest

from techtransfer.matching.engine import text
from techtransfer.matching.engine.lexical import LexicalIndex, region_prefix


def test_analysis_normalizes_traditional_fullwidth_and_case():
    tokens = text.analyze("臺灣的鋰電池回收技術，ＬＩ－ＩＯＮ Battery")
    assert "锂电池" in tokens and "回收" in tokens and "台湾" in tokens
    assert "li" in tokens and "ion" in tokens and "battery" in tokens
    # stop words and punctuation are gone
    assert "的" not in tokens and "技术" not in tokens and "，" not in tokens and "-" not in tokens
    assert text.analyze_query("鋰電池") == text.analyze_query("锂电池")
    # Taiwan vocabulary maps to mainland words
    assert "软件" in text.analyze("資料庫軟體")


def test_search_mode_and_domain_dictionary():
    before = text.analyze_query("高原特色农产品冷链保鲜")
    assert "高原特色农产品冷链" not in before
    assert text.add_terms(["高原特色农产品冷链"]) == 1
    after = text.analyze_query("高原特色农产品冷链保鲜")
    assert "高原特色农产品冷链" in after
    assert text.add_terms(["高原特色农产品冷链", "x", ""]) == 0


def test_highlight_escapes_and_marks():
    html = text.highlight("<script>alert(1)</script> 锂电池回收工艺" * 2, text.analyze_query("锂电池 回收"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>锂电池</mark>" in html or "<mark>锂电池回收</mark>" in html
    assert text.highlight("没有匹配的内容", ["电池"]) == ""
    # a traditional query highlights the simplified text
    assert "<mark>" in text.highlight("锂电池正极材料", text.analyze_query("鋰電池"))


DOCS = [
    {"id": "achievement:1", "kind": "achievement", "title": "废旧锂电池回收利用", "keywords": ["湿法冶金"],
     "body": "从废旧电池中回收钴镍锂。", "field": "05", "region": "530102", "trl": 6,
     "modes": ["transfer", "licence_ordinary"], "price_band": "1m_10m", "status": "published",
     "org_kind": "university", "owner": 1},
    {"id": "achievement:2", "kind": "achievement", "title": "光伏板清洗机器人", "keywords": ["机器人"],
     "body": "清洗光伏板，也可清洗电池车间地面。", "field": "03", "region": "530302", "trl": 4,
     "modes": ["transfer"], "price_band": "negotiable", "status": "published", "org_kind": "enterprise",
     "owner": 2},
    {"id": "demand:1", "kind": "demand", "title": "需要电池回收工艺", "keywords": ["电池"],
     "body": "寻求锂电池回收合作。", "field": ["05", "0501"], "region": "530100", "modes": ["commissioned"],
     "price_band": "100k_1m", "status": "published", "org_kind": "enterprise", "owner": 2},
    {"id": "demand:2", "kind": "demand", "title": "电池检测需求（草稿）", "keywords": [], "body": "未公开",
     "field": "05", "region": "530103", "status": "submitted", "org_kind": "enterprise", "owner": 3,
     "public": False},
]


@pytest.fixture
def index():
    ix = LexicalIndex(None)
    ix.add(DOCS)
    ix.commit()
    yield ix
    ix.close()


def ids(result):
    return [doc_id for doc_id, _score in result[1]]


def test_field_boosts_rank_title_above_body(index):
    result = index.search("电池")
    assert result[0] == 4
    # a title match (demand:1, 电池 in title and keywords) outranks a body-only match (achievement:2)
    order = ids(result)
    assert order.index("demand:1") < order.index("achievement:2")


def test_each_filter_inside_the_engine(index):
    q = "电池"
    assert set(ids(index.search(q, {"kind": "demand"}))) == {"demand:1", "demand:2"}
    assert set(ids(index.search(q, {"field": "05"}))) == {"achievement:1", "demand:1", "demand:2"}
    assert ids(index.search(q, {"field": "0501"})) == ["demand:1"]
    assert set(ids(index.search(q, {"region": "530000"}))) == {d["id"] for d in DOCS}
    assert set(ids(index.search(q, {"region": "530100"}))) == {"achievement:1", "demand:1", "demand:2"}
    assert ids(index.search(q, {"region": "530102"})) == ["achievement:1"]
    assert ids(index.search(q, {"trl_min": 5})) == ["achievement:1"]
    assert ids(index.search(q, {"trl_min": 3, "trl_max": 4})) == ["achievement:2"]
    assert ids(index.search(q, {"transfer_mode": "licence_ordinary"})) == ["achievement:1"]
    assert set(ids(index.search(q, {"modes": ["commissioned", "licence_ordinary"]}))) == {"achievement:1",
                                                                                          "demand:1"}
    assert ids(index.search(q, {"price_band": "negotiable"})) == ["achievement:2"]
    assert ids(index.search(q, {"status": "submitted"})) == ["demand:2"]
    assert ids(index.search(q, {"org_kind": "university"})) == ["achievement:1"]
    assert "demand:1" not in ids(index.search(q, {"exclude": ["demand:1"]}))
    assert ids(index.search("", {"ids": ["demand:2"]})) == ["demand:2"]
    with pytest.raises(ValueError):
        index.search(q, {"colour": "red"})


def test_filters_apply_before_the_limit(index):
    # only one hit per page, but the filtered total counts every match in the engine
    total, hits = index.search("电池", {"kind": "achievement"}, limit=1)
    assert total == 2 and len(hits) == 1
    total, hits = index.search("电池", {"kind": "achievement"}, limit=1, offset=1)
    assert total == 2 and len(hits) == 1


def test_visibility_scope(index):
    everyone = {"visible_to": {}}
    assert "demand:2" not in ids(index.search("电池", everyone))
    assert "demand:2" in ids(index.search("电池", {"visible_to": {"orgs": [3]}}))
    assert "demand:2" in ids(index.search("电池", {"visible_to": {"regions": ["530100"]}}))
    assert "demand:2" not in ids(index.search("电池", {"visible_to": {"regions": ["530300"]}}))


def test_facets_count_matching_documents(index):
    facets = index.facets("电池", {"visible_to": {}})
    assert facets["kind"] == {"achievement": 2, "demand": 1}
    assert facets["region_city"] == {"530100": 2, "530300": 1}
    assert facets["field_code"]["05"] == 2


def test_replace_delete_and_other_instances_see_commits(tmp_path):
    a = LexicalIndex(tmp_path / "ix")
    a.add(DOCS)
    a.commit()
    b = LexicalIndex(tmp_path / "ix")
    assert not b.recreated and b.count() == 4
    a.add([{**DOCS[0], "title": "钠离子电池"}])
    a.delete(["demand:2"])
    a.commit()
    assert b.count() == 3  # b reloads after a's commit
    assert ids(b.search("钠离子")) == ["achievement:1"]
    assert ids(b.search("利用")) == []  # the old title is gone


def test_corrupt_or_missing_index_is_recreated(tmp_path):
    path = tmp_path / "ix"
    fresh = LexicalIndex(path)
    assert fresh.recreated  # nothing there before: the caller should rebuild
    fresh.add(DOCS)
    fresh.commit()
    (path / "meta.json").write_text("{not json")
    again = LexicalIndex(path)
    assert again.recreated and again.count() == 0
    again.add(DOCS[:1])
    again.commit()
    assert again.count() == 1


def test_region_prefix():
    assert region_prefix("530000") == "53"
    assert region_prefix("530100") == "5301"
    assert region_prefix("530102") == "530102"


def _writer_process(path, start):
    ix = LexicalIndex(path)
    for batch in range(5):
        ix.add({"id": f"achievement:{start + batch * 6 + i}", "kind": "achievement", "title": f"并发写入测试 {i}",
                "keywords": [], "body": "电池"} for i in range(6))
        ix.commit()


def test_several_processes_write_without_corrupting(tmp_path):
    import multiprocessing

    path = tmp_path / "ix"
    LexicalIndex(path).close()
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer_process, args=(path, n * 1000)) for n in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    reader = LexicalIndex(path)
    assert not reader.recreated
    assert reader.count() == 90
    assert reader.search("并发")[0] == 90


def test_segmentation_is_thread_safe_while_terms_are_added():
    # The task worker runs threads: cutting in one while another adds domain terms must not fail
    # (rjieba raised "Already borrowed" before cuts and additions were ordered by one lock).
    import threading

    from techtransfer.matching.engine import text

    errors = []

    def cut():
        try:
            for _ in range(1500):
                text.analyze("锂电池储能系统的热管理与安全控制研究")
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    def add():
        try:
            for i in range(1500):
                text.add_terms([f"并发测试术语{i}"])
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=cut) for _ in range(3)] + [threading.Thread(target=add)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert "并发测试术语7" in text.analyze("并发测试术语7的样例")
