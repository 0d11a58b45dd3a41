"""English versions of achievements and demands (国际转移): published, shown, exported and found by English
queries through the site search."""

import pytest
from django.utils import translation

from techtransfer.catalog import services as catalog
from techtransfer.catalog.models import Demand, Status
from techtransfer.catalog.search import demand_doc
from techtransfer.matching import services as matching
from tests.catalog.factories import achievement_data, advance, demand_data

EN_DEMAND = {
    "title_en": "Lithium battery recycling for highland logistics",
    "problem_en": "We need a low-cost lithium battery recycling process for electric trucks.",
}


@pytest.fixture(autouse=True)
def _own_index(isolated_index):
    return isolated_index


def _found(user, q):
    return {(h.kind, h.id) for h in matching.search(user, q).hits}


def test_english_query_finds_achievement_and_demand_by_their_english_texts(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ach = advance(
            world,
            catalog.create_achievement(
                world.member,
                world.wuhua_org,
                achievement_data(
                    title="高安全正极材料",
                    keywords=["正极"],
                    title_en="High-safety lithium battery cathode",
                    abstract_en="A lithium battery cathode with better thermal stability.",
                ),
            ),
            Status.PUBLISHED,
        )
        dem = advance(
            world,
            catalog.create_demand(world.member, world.wuhua_org, demand_data(title="动力电池回收需求", **EN_DEMAND)),
            Status.PUBLISHED,
        )
        plain = advance(
            world,
            catalog.create_demand(world.member, world.wuhua_org, demand_data(title="高原果蔬保鲜需求")),
            Status.PUBLISHED,
        )
    hits = _found(world.visitor, "lithium battery")
    assert ("achievement", ach.pk) in hits and ("demand", dem.pk) in hits
    assert ("demand", plain.pk) not in hits
    assert "recycling process" in demand_doc(dem)["body"]


def test_demand_english_fields_through_the_api(client_for, world):
    c = client_for(world.member)
    r = c.post(
        "/api/v1/catalog/demands",
        {
            "owner": world.wuhua_org.pk,
            "title": "电池回收需求",
            "problem": "需要低成本的动力电池回收工艺。",
            **EN_DEMAND,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["title_en"] == EN_DEMAND["title_en"] and r.json()["problem_en"] == EN_DEMAND["problem_en"]
    pk = r.json()["id"]
    r = c.patch(f"/api/v1/catalog/demands/{pk}", {"title_en": "Battery recycling"}, content_type="application/json")
    assert r.status_code == 200 and Demand.objects.get(pk=pk).title_en == "Battery recycling"
    r = c.patch(f"/api/v1/catalog/demands/{pk}", {"problem_en": "x" * 20001}, content_type="application/json")
    assert r.status_code in (400, 422) and r.json()["field"] == "problem_en"
    r = c.patch(f"/api/v1/catalog/demands/{pk}", {"title_en": None}, content_type="application/json")
    assert r.status_code == 422


def test_detail_page_shows_the_english_version_first_in_english(client_for, world, make_demand):
    demand = make_demand(Status.PUBLISHED, **EN_DEMAND)
    c = client_for(world.visitor)
    zh = c.get(f"/catalog/demands/{demand.pk}/").content.decode()
    assert 'data-testid="english-version"' in zh
    assert zh.index("english-version") > zh.index(demand.problem)
    c.cookies["django_language"] = "en"
    # The locale middleware leaves the request's language active in the thread: restore it afterwards.
    with translation.override("en"):
        en = c.get(f"/catalog/demands/{demand.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert en.index("english-version") < en.index(demand.problem)


def test_demand_form_and_tabular_columns_have_the_english_fields(client_for, world, make_demand):
    from techtransfer.catalog.tabular import DEMAND_COLUMNS

    names = [c.name for c in DEMAND_COLUMNS]
    assert "title_en" in names and "problem_en" in names
    demand = make_demand(Status.DRAFT)
    html = client_for(world.member).get(f"/catalog/demands/{demand.pk}/edit/").content.decode()
    assert 'name="title_en"' in html and 'name="problem_en"' in html
