"""One search path: the catalogue lists' and the API lists' text query goes through the search engine with the
same filters and read scope, counts and facets come from the engine, lists without a query page by keyset with
cached counts, and the lists fall back to the database when the engine cannot answer."""

from __future__ import annotations

import logging
import types
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from techtransfer.catalog import browse, services
from techtransfer.catalog.models import Achievement, Demand, Status
from techtransfer.core import plugins
from techtransfer.core import search as core_search
from techtransfer.matching.services import lists as engine_lists
from tests.catalog.factories import achievement_data, advance, demand_data
from tests.conftest import PANLONG

API = "/api/v1/catalog"


@pytest.fixture
def catalogue(world, make_org):
    """Published achievements of 五华 and 盘龙 with different texts and filter values, and one of each
    non-public state of 五华."""
    university = make_org("五华理工大学", kind="university")

    def publish(owner, status=Status.PUBLISHED, **extra):
        ach = advance(
            world, services.create_achievement(world.member, world.wuhua_org, achievement_data(**extra)), status
        )
        if owner != world.wuhua_org:  # handed over after publication (the index is built on the first search)
            Achievement.objects.filter(pk=ach.pk).update(owner=owner)
            ach.refresh_from_db()
        return ach

    c = types.SimpleNamespace()
    c.battery = publish(
        world.wuhua_org,
        title="固态电池电解质膜",
        abstract="一种固态电池用复合电解质膜。",
        keywords=["固态电池"],
        tech_field_id="05",
        trl=7,
        asking_price=Decimal("50000"),
    )
    c.battery_body = publish(
        world.wuhua_org,
        title="储能系统热管理",
        abstract="适用于固态电池模组的液冷板。",
        keywords=["热管理"],
        tech_field_id="05",
        trl=4,
        asking_price=Decimal("2000000"),
    )
    c.battery_uni = publish(
        university,
        title="固态电池正极包覆",
        abstract="高校的固态电池正极材料包覆工艺。",
        keywords=["固态电池"],
        tech_field_id="09",
        trl=5,
        transfer_modes=["licence_ordinary"],
    )
    c.other = publish(
        world.wuhua_org,
        title="茶叶加工设备",
        abstract="普洱茶自动化发酵设备。",
        keywords=["茶叶"],
        tech_field_id="01",
        trl=8,
    )
    c.draft = publish(world.wuhua_org, Status.DRAFT, title="固态电池隔膜草稿", abstract="固态电池隔膜。")
    c.submitted = publish(world.wuhua_org, Status.SUBMITTED, title="固态电池回收待审", abstract="固态电池回收。")
    c.university = university
    return c


def ids(records) -> list[int]:
    return [r.pk for r in records]


def test_text_query_goes_through_the_engine_ranked_by_relevance(world, catalogue, client_for):
    found = browse.find(world.visitor, Achievement, browse.Filters(q="固态电池"))
    assert found.engine
    result = ids(found.qs)
    assert set(result) == {catalogue.battery.pk, catalogue.battery_body.pk, catalogue.battery_uni.pk}
    # In the title beats in the body only.
    assert result.index(catalogue.battery_body.pk) == 2
    assert found.total == 3
    # A chosen order is honoured among the matches.
    newest = browse.find(world.visitor, Achievement, browse.Filters(q="固态电池", sort="oldest"))
    assert ids(newest.qs) == [catalogue.battery.pk, catalogue.battery_body.pk, catalogue.battery_uni.pk]
    body = client_for().get(f"{API}/achievements", {"q": "固态电池", "sort": "title"}).json()
    assert body["count"] == 3
    assert [i["title"] for i in body["items"]] == sorted(i["title"] for i in body["items"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tech_field": "05"}, {"battery", "battery_body"}),
        ({"region": PANLONG}, set()),
        ({"trl_min": "5", "trl_max": "7"}, {"battery", "battery_uni"}),
        ({"mode": "licence_ordinary"}, {"battery", "battery_body", "battery_uni"}),
        ({"mode": "transfer"}, {"battery", "battery_body"}),
        ({"price": "lt100k"}, {"battery"}),
        ({"price": "1m_10m"}, {"battery_body", "battery_uni"}),
        ({"org_kind": "university"}, {"battery_uni"}),
        ({"status": "published"}, {"battery", "battery_body", "battery_uni"}),
        ({"status": "withdrawn"}, set()),
    ],
)
def test_engine_query_applies_every_filter_like_the_database(world, catalogue, client_for, params, expected):
    f = browse.Filters(q="固态电池", **params)
    found = browse.find(world.visitor, Achievement, f)
    assert found.engine
    by_name = {getattr(catalogue, n).pk: n for n in ("battery", "battery_body", "battery_uni", "other")}
    assert {by_name[pk] for pk in ids(found.qs)} == expected
    # The same answer as the database's own filters (what the list showed before).
    base, _order = browse._achievement_base(world.visitor, f)
    assert set(ids(found.qs)) == set(
        base.filter(browse._text_q(f.q, browse.TEXT_FIELDS[Achievement])).values_list("pk", flat=True)
    )
    assert client_for().get(f"{API}/achievements", {"q": "固态电池", **params}).json()["count"] == len(expected)


def test_facet_counts_from_the_engine_match_the_database(world, catalogue, client_for):
    for user in (world.visitor, world.member, world.platform_admin):
        f = browse.Filters(q="固态电池")
        found = browse.find(user, Achievement, f, facets=True)
        assert found.engine
        base, _order = browse._achievement_base(user, f)
        assert found.facets == browse.facet_counts(base.filter(browse._text_q(f.q, browse.TEXT_FIELDS[Achievement])))
    api = client_for().get(f"{API}/achievements", {"q": "固态电池", "facets": "true"}).json()
    assert api["facets"]["tech_field"] == {"05": 2, "09": 1}
    assert api["facets"]["org_kind"] == {"enterprise": 2, "university": 1}
    page = client_for().get("/catalog/achievements/", {"q": "固态电池"})
    assert page.context["page_obj"].paginator.count == 3
    assert dict((tf.code, n) for tf, n in page.context["fields"])["05"] == 2


def test_members_find_their_non_public_records_by_text_and_visitors_do_not(world, catalogue, client_for):
    visitor = set(ids(browse.find(world.visitor, Achievement, browse.Filters(q="固态电池")).qs))
    member_found = browse.find(world.member, Achievement, browse.Filters(q="固态电池"))
    member = ids(member_found.qs)
    assert catalogue.draft.pk not in visitor and catalogue.submitted.pk not in visitor
    assert {catalogue.draft.pk, catalogue.submitted.pk} <= set(member)
    assert member_found.total == 5
    # Their own non-public records come first, then the ranked public ones.
    assert set(member[:2]) == {catalogue.draft.pk, catalogue.submitted.pk}
    # The region administrator reviewing 五华 finds what the database says it may see, nothing more.
    reviewer = set(ids(browse.find(world.wuhua_admin, Achievement, browse.Filters(q="固态电池")).qs))
    assert reviewer == set(
        services.achievements_visible(world.wuhua_admin)
        .filter(browse._text_q("固态电池", browse.TEXT_FIELDS[Achievement]))
        .values_list("pk", flat=True)
    )
    outsider = set(ids(browse.find(world.panlong_admin, Achievement, browse.Filters(q="固态电池")).qs))
    assert outsider == visitor


def test_a_stale_index_never_shows_what_the_database_hides(world, catalogue, client_for):
    assert catalogue.battery.pk in ids(browse.find(world.visitor, Achievement, browse.Filters(q="固态电池")).qs)
    # Withdrawn and marked controlled in the database, but the index is not told (its update is lost).
    Achievement.objects.filter(pk=catalogue.battery.pk).update(status=Status.WITHDRAWN)
    Achievement.objects.filter(pk=catalogue.battery_uni.pk).update(classification="controlled")
    found = browse.find(world.visitor, Achievement, browse.Filters(q="固态电池"))
    assert found.engine and ids(found.qs) == [catalogue.battery_body.pk]
    page = client_for().get("/catalog/achievements/", {"q": "固态电池"})
    assert "固态电池电解质膜" not in page.content.decode() and "固态电池正极包覆" not in page.content.decode()
    api = client_for().get(f"{API}/achievements", {"q": "固态电池"}).content.decode()
    assert "固态电池电解质膜" not in api and "固态电池正极包覆" not in api


def test_demands_list_searches_through_the_engine_too(world, client_for):
    hit = advance(
        world,
        services.create_demand(
            world.member,
            world.wuhua_org,
            demand_data(title="求购固态电池电解质", problem="需要固态电池电解质量产工艺。"),
        ),
        Status.PUBLISHED,
    )
    advance(
        world,
        services.create_demand(
            world.member, world.wuhua_org, demand_data(title="茶园病虫害监测", problem="茶园虫害识别。")
        ),
        Status.PUBLISHED,
    )
    found = browse.find(world.visitor, Demand, browse.Filters(q="固态电池"))
    assert found.engine and ids(found.qs) == [hit.pk]
    body = client_for().get(f"{API}/demands", {"q": "固态电池", "facets": "true"}).json()
    assert body["count"] == 1 and body["items"][0]["title"] == "求购固态电池电解质"
    page = client_for().get("/catalog/demands/", {"q": "固态电池"})
    assert "求购固态电池电解质" in page.content.decode() and "茶园病虫害监测" not in page.content.decode()


def test_lists_fall_back_to_the_database_when_the_index_is_unavailable(
    world, catalogue, client_for, monkeypatch, caplog
):
    # The index was found missing and is being rebuilt on the queue: it knows nothing yet.
    monkeypatch.setattr(engine_lists.indexing, "get_index", lambda: types.SimpleNamespace(recreated=True))
    with caplog.at_level(logging.WARNING, logger="techtransfer.core.search"):
        page = client_for().get("/catalog/achievements/", {"q": "固态电池"})
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 3
    assert "固态电池电解质膜" in page.content.decode()
    assert any("searches the database" in r.getMessage() for r in caplog.records)
    assert client_for().get(f"{API}/achievements", {"q": "固态电池", "facets": "true"}).json()["count"] == 3

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(engine_lists.indexing, "get_index", broken)
    assert client_for().get("/catalog/demands/", {"q": "固态电池"}).status_code == 200
    # No provider at all (the matching app not installed).
    monkeypatch.setattr(plugins, "text_search_provider", lambda: None)
    assert core_search.text_search("achievement", "固态电池", {}, limit=5) is None
    assert not browse.find(world.visitor, Achievement, browse.Filters(q="固态电池")).engine
    assert len(browse.filter_achievements(world.visitor, browse.Filters(q="固态电池"))) == 3


def test_keyset_pages_are_stable_while_records_are_added(world, catalogue, make_achievement, client_for):
    qs = browse.find(world.visitor, Achievement, browse.Filters()).qs
    everything = ids(qs.all())
    assert len(everything) == 4
    first = browse.keyset_page(qs, browse.SORTS["newest"][1], 2)
    assert ids(first.items) == everything[:2] and first.previous_before is None and first.next_after
    # A newer record arrives while the visitor reads page 1: page 2 neither repeats nor skips a record.
    make_achievement(Status.PUBLISHED, title="新到成果")
    second = browse.keyset_page(qs, browse.SORTS["newest"][1], 2, after=first.next_after)
    assert ids(second.items) == everything[2:] and second.next_after is None
    back = browse.keyset_page(qs, browse.SORTS["newest"][1], 2, before=second.previous_before)
    assert ids(back.items) == everything[:2]
    # Orders with empty values (no asking price) walk every record once too.
    for sort in ("price_asc", "price_desc", "trl_desc", "title", "oldest"):
        order = browse.SORTS[sort][1]
        walked, after = [], None
        while True:
            page = browse.keyset_page(qs, order, 3, after=after)
            walked += ids(page.items)
            if page.next_after is None:
                break
            after = page.next_after
        assert len(walked) == len(set(walked)) == qs.all().count() == 5, sort
    # The page's links follow the keyset; the total is the cached count.
    c = client_for()
    page1 = c.get("/catalog/achievements/")
    assert page1.context["page_obj"].paginator.count == 5
    nxt = page1.context["page_obj"].next_after
    assert nxt is None  # 5 records fit on one page of 20


def test_list_counts_are_cached_until_a_record_changes(world, catalogue, make_achievement, client_for):
    c = client_for()
    assert c.get(f"{API}/achievements").json()["count"] == 4
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(f"{API}/achievements", {"facets": "true"}).json()["count"] == 4
        c.get("/catalog/achievements/")
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    make_achievement(Status.PUBLISHED, title="又一项成果")
    assert c.get(f"{API}/achievements").json()["count"] == 5


def test_no_one_finds_a_record_they_may_not_see_through_list_api_or_export(world, catalogue, client_for, make_user):
    text = browse._text_q("固态电池", browse.TEXT_FIELDS[Achievement])
    for user in (
        None,
        world.visitor,
        world.member,
        world.org_admin,
        world.wuhua_admin,
        world.panlong_admin,
        world.province_admin,
        world.platform_admin,
    ):
        expected = set(services.achievements_visible(user).filter(text).values_list("title", flat=True))
        c = client_for(user)
        page = c.get("/catalog/achievements/", {"q": "固态电池"})
        assert {r.title for r in page.context["records"]} == expected, user
        api = c.get(f"{API}/achievements", {"q": "固态电池", "page_size": 100}).json()
        assert {i["title"] for i in api["items"]} == expected, user
        response = c.get("/catalog/achievements/export/", {"q": "固态电池", "format": "csv"})
        assert response.status_code == 200, user
        export = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        hidden = set(Achievement.objects.filter(text).values_list("title", flat=True)) - expected
        assert all(t in export for t in expected) and not any(t in export for t in hidden), user
