"""The fast paths of the search service and the index build give the same answers as the plain ones: a rebuild
with text analysed in worker processes, the throttled check for a new generation, the cached facet counts, the
cached conversion of traditional characters."""

import datetime
import time

import pytest
from django.utils import timezone

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import Status
from techtransfer.matching import indexing, services, store
from techtransfer.matching.engine import text as textmod
from tests.catalog.factories import achievement_data, advance, demand_data

QUERIES = ["锂电池", "高原 保鲜", "光伏组件清洗", "正极材料 热稳定性", "苹果", "电池 回收", "数据库软件", ""]


@pytest.fixture
def catalogue(world):
    titles = [
        "高原苹果保鲜技术",
        "锂电池正极材料",
        "光伏组件清洗机器人",
        "废旧电池回收工艺",
        "資料庫軟體平臺",
        "高原果蔬冷链物流",
        "锂电池热管理系统",
        "磷酸铁锂正极热稳定性",
    ]
    records = []
    for i, title in enumerate(titles):
        ach = catalog.create_achievement(
            world.member,
            world.wuhua_org,
            achievement_data(
                title=title,
                keywords=["电池" if i % 2 else "保鲜"],
                abstract=f"{title}：一种提高热稳定性和效率的方法，适用于高原地区（第{i}号）。",
            ),
        )
        records.append(advance(world, ach, Status.PUBLISHED))
    records.append(
        advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data()), Status.PUBLISHED)
    )
    return records


def _results(index):
    """Per query: the total and each hit's score (hits of equal score may come in another order: the segments of
    the two indexes differ)."""
    out = {}
    for q in QUERIES:
        total, hits = index.search(q, {"kind": ["achievement", "demand", "organization"]}, limit=100)
        out[q] = (total, {doc_id: round(score, 4) for doc_id, score in hits})
    return out


def _settled():
    """Every record last changed an hour ago: a rebuild then indexes each once, and never again after its switch
    (records changed during a rebuild are), so that both indexes hold the same documents and term statistics."""
    past = timezone.now() - datetime.timedelta(hours=1)
    for doc in indexing.search_documents().values():
        model, path = doc.records().model, doc.changed_field.split("__")
        for name in path[:-1]:  # e.g. an expert's person__updated_at
            model = model._meta.get_field(name).related_model
        model.objects.update(**{path[-1]: past})


def test_parallel_rebuild_finds_what_the_serial_one_finds(world, catalogue, settings, monkeypatch):
    _settled()
    settings.MATCHING_INDEX_WORKERS = 0
    serial = indexing.rebuild(semantic=False)
    expected = _results(indexing.get_index())
    assert serial["documents"] >= len(catalogue)

    settings.MATCHING_INDEX_WORKERS = 2
    monkeypatch.setattr(indexing, "PARALLEL_MIN_DOCUMENTS", 1)
    monkeypatch.setattr(indexing, "ANALYSIS_CHUNK", 3)  # several chunks, so their order matters
    pools = []
    start_pool = indexing._analysis_pool

    def spy(documents):
        pool = start_pool(documents)
        pools.append(pool)
        return pool

    monkeypatch.setattr(indexing, "_analysis_pool", spy)
    messages = []
    parallel = indexing.rebuild(progress=messages.append, semantic=False)
    assert pools and pools[0] is not None  # the text really was analysed in worker processes
    assert parallel["documents"] == serial["documents"]
    assert parallel["by_kind"] == serial["by_kind"]
    assert parallel["generation"] != serial["generation"]
    assert store.current_file(indexing.index_root()).read_text().strip() == parallel["generation"]
    assert any("indexed" in m for m in messages) and messages[-1].startswith("Index rebuilt")
    got = _results(indexing.get_index())
    for q in QUERIES:
        assert got[q] == expected[q], q
    assert any(hits for _total, hits in got.values())  # the comparison compared something


def test_generation_check_is_throttled_but_sees_a_switch(world, catalogue, settings, monkeypatch):
    settings.MATCHING_INDEX_WORKERS = 0
    indexing.rebuild(semantic=False)
    first = indexing.get_index()
    clock = [time.monotonic() + 10]  # later than any check made so far
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    assert indexing.get_index() is first  # looked at CURRENT now; the next look is due in 0.25 s
    stats = []
    real_stamp = store._stamp
    monkeypatch.setattr(store, "_stamp", lambda path: stats.append(path) or real_stamp(path))

    # Another process rebuilds: a new generation beside the live one, CURRENT switched (no reset here).
    root = indexing.index_root()
    other = root / "lexical-other"
    index = indexing.LexicalIndex(other)
    index.add([{"id": "achievement:999999", "kind": "achievement", "title": "独一无二的新一代换电站", "body": ""}])
    index.commit()
    index.close()
    store.write_current(root, "lexical-other")

    clock[0] += 0.1
    assert indexing.get_index() is first and not stats  # within the interval: not even a stat of CURRENT
    clock[0] += 0.2
    switched = indexing.get_index()
    assert switched is not first and stats
    total, hits = switched.search("换电站", {})
    assert [h for h, _s in hits] == ["achievement:999999"]
    # A rebuild in this process switches at once, whatever the clock says.
    generation = indexing.rebuild(semantic=False)["generation"]
    assert indexing.get_index().path.name == generation


def test_facet_counts_are_cached_per_query_and_scope_and_follow_commits(world, catalogue, make_user, monkeypatch):
    from techtransfer.matching.engine.lexical import LexicalIndex

    indexing.rebuild(semantic=False)
    counted = []
    real = LexicalIndex.facets

    def spy(self, *args, **kwargs):
        counted.append(args[:2])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(LexicalIndex, "facets", spy)
    first = services.search(world.visitor, "锂电池")
    assert first.facets["kind"]["values"]
    again = services.search(world.visitor, "锂电池", page=2, per_page=1)
    assert again.facets == first.facets and len(counted) == 1  # the second page counted nothing
    services.search(world.member, "锂电池")  # another read scope: its own count
    assert len(counted) == 2
    services.search(world.visitor, "锂电池", filters={"trl_min": 5})  # other filters: their own count
    assert len(counted) == 3

    # A commit to the index (a new record) changes the index's version: the count is made again and includes it.
    before = sum(v["count"] for v in first.facets["kind"]["values"])
    ach = advance(
        world,
        catalog.create_achievement(
            world.member, world.wuhua_org, achievement_data(title="锂电池梯次利用储能柜", keywords=["锂电池"])
        ),
        Status.PUBLISHED,
    )
    indexing.update_records("achievement", [ach.pk])
    after = services.search(world.visitor, "锂电池")
    assert len(counted) == 4
    assert sum(v["count"] for v in after.facets["kind"]["values"]) == before + 1


def test_facet_cache_off_counts_every_time(world, catalogue, settings, monkeypatch):
    from techtransfer.matching.engine.lexical import LexicalIndex

    settings.MATCHING_FACET_CACHE_SECONDS = 0
    indexing.rebuild(semantic=False)
    counted = []
    real = LexicalIndex.facets
    monkeypatch.setattr(LexicalIndex, "facets", lambda self, *a, **k: counted.append(1) or real(self, *a, **k))
    services.search(world.visitor, "电池")
    services.search(world.visitor, "电池")
    assert len(counted) == 2


def test_traditional_text_is_converted_once_and_alike(world, catalogue):
    indexing.rebuild(semantic=False)
    textmod._converted.cache_clear()
    page = services.search(world.visitor, "資料庫軟體")  # Taiwan words: 数据库软件 once converted
    hit = next(h for h in page.hits if h.title == "資料庫軟體平臺")
    assert "<mark>" in hit.snippet_html
    converted = textmod._converted.cache_info()
    assert converted.misses >= 1
    again = services.search(world.visitor, "資料庫軟體")
    assert [h.snippet_html for h in again.hits] == [h.snippet_html for h in page.hits]
    assert textmod._converted.cache_info().misses == converted.misses  # nothing converted a second time
    # several texts give the terms of their concatenation
    assert textmod.highlighted_terms(("資料庫", "軟體平臺"), ["数据库", "软件", "平台"]) == textmod.highlighted_terms(
        "資料庫\n軟體平臺", ["数据库", "软件", "平台"]
    )
