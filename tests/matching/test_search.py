"""The engine as the platform uses it: freshness through the real signal path, withdrawal, NDA exclusion,
filters, permissions, rebuilds, explanations, the API and the CLI."""

import json
import time

import pytest

from techtransfer.catalog import services as catalog
from techtransfer.catalog import workflow
from techtransfer.catalog.models import Status
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.matching import indexing, services
from tests.catalog.factories import SECRET, achievement_data, advance, demand_data
from tests.conftest import PANLONG, QILIN


def found(user, q, **kw):
    page = services.search(user, q, **kw)
    return {(h.kind, h.id) for h in page.hits}


def publish(world, record, capture):
    with capture(execute=True):
        return advance(world, record, Status.PUBLISHED)


def test_published_record_is_searchable_within_two_seconds(world, django_capture_on_commit_callbacks):
    from django.urls import reverse

    services.search(world.visitor, "预热")  # the index exists before the change (and the URL map is loaded)
    reverse("catalog:achievement", args=[1])
    ach = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        title="高原光伏组件自清洁涂层", keywords=["自清洁涂层"]))
    assert ("achievement", ach.pk) not in found(world.visitor, "自清洁涂层")
    start = time.perf_counter()
    publish(world, ach, django_capture_on_commit_callbacks)  # on_commit → record_changed → Huey task → index
    assert ("achievement", ach.pk) in found(world.visitor, "自清洁涂层")
    assert time.perf_counter() - start < 2.0
    assert indexing.get_index().count() >= 1


def test_withdrawn_record_disappears_at_once(world, django_capture_on_commit_callbacks):
    ach = publish(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        title="磁悬浮风机轴承")), django_capture_on_commit_callbacks)
    assert ("achievement", ach.pk) in found(world.visitor, "磁悬浮风机")
    # Even before the index hears of it (no on_commit callbacks run), the database check hides it.
    workflow.withdraw(world.org_admin, ach, "不再转让")
    assert ("achievement", ach.pk) not in found(world.visitor, "磁悬浮风机")
    # And once the change is indexed, the engine itself no longer returns it to the public.
    indexing.update_records("achievement", [ach.pk])
    total, hits = indexing.get_index().search("磁悬浮风机", {"visible_to": {}})
    assert f"achievement:{ach.pk}" not in [h for h, _s in hits]
    # the owner's organization still finds its own withdrawn record
    assert ("achievement", ach.pk) in found(world.member, "磁悬浮风机")


def test_protected_details_are_never_indexed_or_shown(world, pair):
    demand, ach, *_ = pair
    secret_terms = "磷酸铁锂掺杂比例"
    for user in (world.visitor, world.member, world.platform_admin):
        assert ("achievement", ach.pk) not in found(user, secret_terms)
    page = services.search(world.platform_admin, "正极材料 掺杂比例")
    hit = next(h for h in page.hits if h.kind == "achievement" and h.id == ach.pk)
    assert "掺杂" not in hit.snippet_html and SECRET not in json.dumps(hit.explanation, ensure_ascii=False)
    assert "掺杂" not in " ".join(hit.reasons)
    # The demand's contact phone is not searchable either.
    assert ("demand", demand.pk) not in found(world.platform_admin, "99887766")


def test_permissions_limit_results(world):
    sub = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(title="稀土永磁电机控制器"))
    advance(world, sub, Status.SUBMITTED)
    indexing.update_records("achievement", [sub.pk])
    key = ("achievement", sub.pk)
    assert key not in found(world.visitor, "永磁电机")
    assert key not in found(None, "永磁电机")
    assert key in found(world.member, "永磁电机")  # its organization
    assert key in found(world.kunming_admin, "永磁电机")  # region administrator above Wuhua
    assert key not in found(world.panlong_admin, "永磁电机")  # another county
    assert key in found(world.platform_admin, "永磁电机")
    draft = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(title="永磁电机草稿"))
    indexing.update_records("achievement", [draft.pk])
    assert ("achievement", draft.pk) not in found(world.platform_admin, "永磁电机草稿")  # drafts stay out


def test_each_filter_through_the_service(world, make_org, make_user):
    from techtransfer.accounts.models import Role

    uni = make_org("测试大学", region=PANLONG, kind="university")
    uni_admin = make_user("uni_admin", Role.ORG_ADMIN, org=uni)
    a1 = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        title="高效电池片 A", trl=7, transfer_modes=["transfer"], asking_price=None, price_negotiable=True,
        tech_field_id="05")), Status.PUBLISHED)
    a2 = catalog.create_achievement(uni_admin, uni, achievement_data(
        title="高效电池片 B", trl=3, transfer_modes=["licence_ordinary"], asking_price="50000.00",
        tech_field_id="03"))
    workflow.submit(uni_admin, a2)
    workflow.approve_by_org(uni_admin, a2)
    workflow.publish(world.panlong_admin, a2)
    indexing.rebuild()
    v = world.visitor

    def achs(**filters):
        return {pk for kind, pk in found(v, "电池片", kinds=["achievement"], filters=filters)}

    assert achs() == {a1.pk, a2.pk}
    assert achs(field="05") == {a1.pk}
    assert achs(region="530102") == {a1.pk}
    assert achs(region=PANLONG) == {a2.pk}
    assert achs(region="530100") == {a1.pk, a2.pk}
    assert achs(region=PANLONG, region_tier="city") == {a1.pk, a2.pk}
    assert achs(region=QILIN) == set()
    assert achs(trl_min=5) == {a1.pk}
    assert achs(trl_min=2, trl_max=4) == {a2.pk}
    assert achs(transfer_mode="licence_ordinary") == {a2.pk}
    assert achs(price_band="negotiable") == {a1.pk}
    assert achs(price_band="lt_100k") == {a2.pk}
    assert achs(status="published") == {a1.pk, a2.pk}
    assert achs(status="withdrawn") == set()
    assert achs(org_kind="university") == {a2.pk}
    page = services.search(v, "电池片", kinds=["achievement"])
    assert page.facets["org_kind"]["values"][0]["count"] == 1
    assert {x["value"] for x in page.facets["trl"]["values"]} == {"3", "7"}
    for bad, field in (({"trl_min": 12}, "trl_min"), ({"trl_min": 7, "trl_max": 2}, "trl_min"),
                       ({"region": "999999"}, "region"), ({"price_band": "cheap"}, "price_band"),
                       ({"colour": "red"}, "colour"), ({"region": "530102", "region_tier": "galaxy"},
                                                       "region_tier")):
        with pytest.raises(DomainError) as exc:
            services.search(v, "电池片", filters=bad)
        assert exc.value.field == field
    with pytest.raises(DomainError) as exc:
        services.search(v, "x", kinds=["spaceship"])
    assert exc.value.field == "kinds"


def test_corrupt_or_missing_index_is_rebuilt_not_a_crash(world, pair):
    demand, ach, *_ = pair
    assert ("achievement", ach.pk) in found(world.visitor, "正极材料")
    live = indexing.index_root() / indexing._state.generation
    (live / "meta.json").write_text("garbage")
    indexing.reset()
    assert ("achievement", ach.pk) in found(world.visitor, "正极材料")
    import shutil

    shutil.rmtree(indexing.index_root())
    indexing.reset()
    assert ("achievement", ach.pk) in found(world.visitor, "正极材料")


def test_rebuild_and_status_commands(world, pair, capsys):
    from techtransfer.cli import main

    assert main(["index", "rebuild"]) == 0
    out = capsys.readouterr().out
    assert "achievement: 1 indexed" in out and "Index rebuilt" in out
    assert main(["index", "status", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["documents"] == info["records"] >= 2


def test_recommendations_explain_themselves(world, make_org, django_capture_on_commit_callbacks):
    demand = advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data(
        title="锂电池正极材料热稳定性提升", problem="需要提高锂离子电池正极材料的热稳定性。", tech_field_id="05",
        cooperation_modes=["transfer"], keywords=["正极材料"])), Status.PUBLISHED)
    ach = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data()),
                  Status.PUBLISHED)
    other = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        title="高原果蔬冷链保鲜", abstract="果蔬保鲜方法。", keywords=["保鲜"], tech_field_id="09", trl=3,
        ipc_codes=[])), Status.PUBLISHED)
    recs = services.recommend_for_demand(world.visitor, demand)
    assert set(recs) == {"achievements", "experts", "brokers"}
    top = recs["achievements"][0]
    assert (top.kind, top.id) == ("achievement", ach.pk)
    assert other.pk not in [h.id for h in recs["achievements"][:1]]
    exp = top.explanation
    assert "正极材料" in exp["matched_terms"]
    assert exp["shared_field"] == ["05"]
    assert exp["trl_fit"] == {"trl": 6, "wanted": [6, 9], "fits": True}
    assert exp["region"]["proximity"] == "county"
    assert "<mark>" in top.snippet_html
    assert any("正极材料" in r for r in top.reasons)
    cands = services.candidates_for_achievement(world.visitor, ach)
    assert ("demand", demand.pk) in {(h.kind, h.id) for h in cands["demands"]}
    sim = services.similar(world.visitor, "achievement", ach.pk)
    assert ach.pk not in [h.id for h in sim]
    with pytest.raises(NotFound):
        services.similar(world.visitor, "achievement", 999999)


def test_people_and_organizations_are_found(world, make_org, django_capture_on_commit_callbacks):
    from techtransfer.people.models import BrokerProfile, ExpertProfile, Person

    services.search(world.visitor, "预热")
    ent = make_org("滇中储能装备有限公司", region=PANLONG)
    with django_capture_on_commit_callbacks(execute=True):
        expert = ExpertProfile.objects.create(
            person=Person.objects.create(name="张储能", region_id=PANLONG, expertise="储能电站、液流电池"),
            specialties="全钒液流电池系统集成")
        broker = BrokerProfile.objects.create(
            person=Person.objects.create(name="李经纪", region_id=PANLONG, expertise="储能项目对接"),
            level="senior")
        hidden = ExpertProfile.objects.create(
            person=Person.objects.create(name="王隐藏", region_id=PANLONG, expertise="液流电池",
                                         published=False))
    hits = found(world.visitor, "液流电池")
    assert ("expert", expert.pk) in hits and ("expert", hidden.pk) not in hits
    assert ("broker", broker.pk) in found(world.visitor, "储能项目", kinds=["broker"])
    with django_capture_on_commit_callbacks(execute=True):
        ent.description = "生产全钒液流储能装备"
        ent.save()
    assert ("organization", ent.pk) in found(world.visitor, "液流储能装备", kinds=["organization"])


def test_bulk_changes_are_indexed(world, django_capture_on_commit_callbacks):
    from techtransfer.catalog.models import Achievement
    from techtransfer.catalog.signals import announce_bulk

    services.search(world.visitor, "预热")
    a = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data(
        title="导入的氢燃料电池双极板")), Status.PUBLISHED)
    assert ("achievement", a.pk) not in found(world.visitor, "双极板")
    with django_capture_on_commit_callbacks(execute=True):
        announce_bulk(Achievement, [a.pk], "published")
    assert ("achievement", a.pk) in found(world.visitor, "双极板")


def test_search_api_and_pages(world, pair, client_for):
    demand, ach, *_ = pair
    c = client_for(world.visitor)
    r = c.get("/api/v1/matching/search", {"q": "正极材料", "trl_min": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 1 and body["hits"][0]["id"] == ach.pk and body["hits"][0]["reasons"]
    assert "facets" in body and body["mode"] == "lexical"
    r = c.get("/api/v1/matching/search", {"q": "正极材料", "trl_min": 15})
    assert r.status_code == 400 and r.json()["field"] == "trl_min"
    r = c.get(f"/api/v1/matching/demand/{demand.pk}/recommendations")
    assert r.status_code == 200 and set(r.json()) == {"achievements", "experts", "brokers"}
    r = c.get(f"/api/v1/matching/similar/achievement/{ach.pk}")
    assert r.status_code == 200
    page = c.get("/matching/", {"q": "正极材料"})
    assert page.status_code == 200 and ach.title in page.content.decode()
    assert "<mark>" in page.content.decode()
    page = c.get("/search/", {"q": "正极材料"}, follow=True)
    assert ach.title in page.content.decode()


def test_queue_mode_indexes_at_once_and_queues_the_rest(world, monkeypatch, django_capture_on_commit_callbacks):
    """With a real queue (the worker may poll only every few seconds) the lexical update still happens at
    commit; the queued job (vectors, owner document, notifications) is handed to the queue."""
    from huey.contrib.djhuey import HUEY

    from techtransfer.outbox import tasks

    services.search(world.visitor, "预热")
    queued = []
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(tasks, "run_handler", lambda *args: queued.append(args))
    ach = catalog.create_achievement(world.member, world.wuhua_org, achievement_data(title="高寒地区混凝土养护剂"))
    publish(world, ach, django_capture_on_commit_callbacks)
    assert ("matching.index_and_notify", {"model": "catalog.achievement", "pks": [ach.pk], "status": "published"}) in [
        (a[2], a[3]) for a in queued if a[1] == "catalog.record_changed"]
    monkeypatch.setattr(HUEY, "immediate", True)
    assert ("achievement", ach.pk) in found(world.visitor, "混凝土养护剂")


def test_search_page_filters_and_errors(world, pair, client_for):
    demand, ach, *_ = pair
    c = client_for(world.visitor)
    html = c.get("/matching/", {"q": "正极材料", "field": "05", "trl_min": "5"}).content.decode()
    assert ach.title in html
    assert '<option value="05" selected>' in html and '<option value="5" selected>' in html
    html = c.get("/matching/", {"q": "正极材料", "field": "09"}).content.decode()
    assert ach.title not in html
    r = c.get("/matching/", {"q": "正极材料", "region": "12345"})
    assert r.status_code == 200 and "12345" in r.content.decode() and ach.title not in r.content.decode()
    html = c.get("/matching/", {"q": "正极材料", "kind": "demand"}).content.decode()
    assert ach.title not in html


def test_recommendation_pages_show_explained_hits(world, pair, client_for):
    demand, ach, *_ = pair
    other = advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data(
        title="果蔬冷链保鲜设备需求")), Status.PUBLISHED)
    battery = advance(world, catalog.create_demand(world.member, world.wuhua_org, demand_data(
        title="储能电站用正极材料需求", problem="寻找高安全正极材料", tech_field_id="05")), Status.PUBLISHED)
    indexing.rebuild()
    html = client_for(world.visitor).get(f"/matching/demand/{demand.pk}/").content.decode()
    assert f'data-kind="demand" data-id="{other.pk}"' in html  # similar demands
    html = client_for(world.visitor).get(f"/matching/achievement/{ach.pk}/").content.decode()
    item = html.split(f'data-kind="demand" data-id="{battery.pk}"', 1)[1].split("</li>", 1)[0]
    assert "<mark>" in item and 'class="why"' in item


def test_an_index_failing_while_searching_is_rebuilt(world, pair, monkeypatch):
    from techtransfer.matching.engine.lexical import LexicalIndex

    demand, ach, *_ = pair
    assert ("achievement", ach.pk) in found(world.visitor, "正极材料")
    failed_generation = indexing._state.generation
    real_search, failures = LexicalIndex.search, []

    def failing_search(self, *args, **kwargs):
        if len(failures) < 2:  # fails on the open index and again after reopening it
            failures.append(self.path.name)
            raise OSError("simulated damaged segment")
        return real_search(self, *args, **kwargs)

    monkeypatch.setattr(LexicalIndex, "search", failing_search)
    assert ("achievement", ach.pk) in found(world.visitor, "正极材料")
    assert failures == [failed_generation, failed_generation]
    assert indexing._state.generation != failed_generation  # rebuilt into a new generation
    assert not (indexing.index_root() / failed_generation).exists()


def test_enterprises_in_the_same_field_are_candidates(world, make_org, make_user):
    from techtransfer.accounts.models import Role

    ach = advance(world, catalog.create_achievement(world.member, world.wuhua_org, achievement_data()),
                  Status.PUBLISHED)
    ent = make_org("盘龙新材料有限公司", region=PANLONG)
    ent_admin = make_user("ent_admin", Role.ORG_ADMIN, org=ent)
    d = catalog.create_demand(ent_admin, ent, demand_data(title="生产线节能改造", problem="降低能耗。",
                                                           tech_field_id="05"))
    workflow.submit(ent_admin, d)
    workflow.approve_by_org(ent_admin, d)
    workflow.publish(world.panlong_admin, d)
    indexing.rebuild()
    cands = services.candidates_for_achievement(world.visitor, ach)
    hit = next(h for h in cands["organizations"] if h.id == ent.pk)
    assert hit.explanation["shared_field"] == ["05"]
    assert hit.explanation["region"]["proximity"] == "city"
    assert world.wuhua_org.pk not in [h.id for h in cands["organizations"]]  # not its own owner


def test_candidates_fields_come_from_the_records(world, pair):
    """The field-aware re-ranking of the platform reads each candidate's own field codes (no classifier)."""
    demand, ach, _broker, _other = pair
    rows = services._field_rows([f"achievement:{ach.pk}", f"demand:{demand.pk}", "achievement:999999"])
    fields = services._candidate_fields([f"achievement:{ach.pk}", f"demand:{demand.pk}"])
    assert fields == {f"achievement:{ach.pk}": {ach.tech_field_id}, f"demand:{demand.pk}": {demand.tech_field_id}}
    assert rows.shape[0] == 3
    assert rows[0].sum() == pytest.approx(1.0) and rows[1].sum() == pytest.approx(1.0)
    assert rows[2].sum() == 0  # unknown record: no field, no boost
    assert (rows[0] @ rows[1]) == (1.0 if ach.tech_field_id == demand.tech_field_id else 0.0)


def test_people_fields_and_organization_fields_for_ranking(world, pair):
    from techtransfer.people.models import BrokerProfile, ExpertProfile, Person

    _demand, ach, *_ = pair
    person = Person.objects.create(name="赵田", region_id=PANLONG, expertise="保鲜")
    person.fields.set(["09", "05"])
    expert = ExpertProfile.objects.create(person=person)
    broker = BrokerProfile.objects.create(person=Person.objects.create(name="钱无", region_id=PANLONG),
                                          level="senior")
    fields = services._candidate_fields([f"expert:{expert.pk}", f"broker:{broker.pk}",
                                         f"organization:{ach.owner_id}"])
    assert fields[f"expert:{expert.pk}"] == {"09", "05"}
    assert f"broker:{broker.pk}" not in fields  # no fields recorded
    assert ach.tech_field_id in fields[f"organization:{ach.owner_id}"]
    rows = services._field_rows([f"expert:{expert.pk}"])
    assert sorted(rows[0].tolist()) == [0.5, 0.5]


def test_refinements_and_person_fields_reindex_their_documents(world, pair, django_capture_on_commit_callbacks):
    """The models an app names in its search.py (``SearchDocument.watch``) re-index the documents they feed."""
    from techtransfer.catalog.models import DemandRefinement
    from techtransfer.people.models import ExpertProfile, Person

    demand = pair[0]
    services.search(world.visitor, "预热")
    assert ("demand", demand.pk) not in found(world.visitor, "钠离子电池")
    with django_capture_on_commit_callbacks(execute=True):
        DemandRefinement.objects.create(demand=demand, version=1, title="钠离子电池正极",
                                        description="钠离子电池正极包覆")
    assert ("demand", demand.pk) in found(world.visitor, "钠离子电池")
    with django_capture_on_commit_callbacks(execute=True):
        person = Person.objects.create(name="周膜", region_id=PANLONG, expertise="膜分离")
        expert = ExpertProfile.objects.create(person=person)
    assert ("expert", expert.pk) not in found(world.visitor, "膜分离", filters={"field": "09"})
    with django_capture_on_commit_callbacks(execute=True):
        person.fields.add("09")
    assert ("expert", expert.pk) in found(world.visitor, "膜分离", filters={"field": "09"})
