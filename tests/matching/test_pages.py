"""Matching pages: cases through the web forms, conversion table and export, notifications, search empty state."""

from techtransfer.matching import cases
from techtransfer.matching.models import CaseStatus, MatchCase


def test_open_and_move_case_through_pages(world, pair, client_for):
    demand, ach, *_ = pair
    c = client_for(world.member)
    r = c.post(f"/matching/demand/{demand.pk}/open-case/", {"achievement": ach.pk, "note": "first"})
    case = MatchCase.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/matching/cases/{case.pk}/"
    assert c.get(f"/matching/cases/{case.pk}/").status_code == 200
    c.post(f"/matching/cases/{case.pk}/", {"action": "contract"})
    assert MatchCase.objects.get().status == CaseStatus.CONTACTED  # refused
    c.post(f"/matching/cases/{case.pk}/", {"action": "meeting"})
    c.post(f"/matching/cases/{case.pk}/", {"action": "note", "text": "visit", "next_follow_up": "2030-05-01"})
    case.refresh_from_db()
    assert case.status == CaseStatus.MEETING and str(case.next_follow_up) == "2030-05-01"
    assert demand.title in c.get("/matching/cases/").content.decode()
    assert client_for(world.panlong_admin).get(f"/matching/cases/{case.pk}/").status_code == 404
    assert client_for(world.panlong_admin).post(f"/matching/demand/{demand.pk}/open-case/",
                                                {"achievement": ach.pk}).status_code == 302
    assert MatchCase.objects.count() == 1


def test_conversion_page_scope_and_export(world, pair, client_for):
    cases.open_case(world.member, pair[0], achievement=pair[1])
    assert client_for(world.member).get("/matching/conversion/").status_code == 404
    page = client_for(world.kunming_admin).get("/matching/conversion/").content.decode()
    assert "<td>1</td>" in page
    r = client_for(world.kunming_admin).get("/matching/conversion/?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_notifications_and_saved_search_pages(world, client_for):
    c = client_for(world.visitor)
    c.post("/matching/saved-searches/", {"name": "batteries", "q": "锂电池"})
    assert world.visitor.saved_searches.count() == 1
    world.visitor.notifications.create(title="New battery", url="/x/")
    body = c.get("/matching/notifications/").content.decode()
    assert "New battery" in body and "batteries" in body
    c.post("/matching/notifications/")
    assert not world.visitor.notifications.filter(read=False).exists()


def test_search_page_renders(world, client_for):
    r = client_for(world.visitor).get("/matching/")
    assert r.status_code == 200


def test_home_search_box_points_at_matching(world, client_for):
    body = client_for().get("/").content.decode()
    assert 'action="/matching/"' in body


def test_recommendation_pages_respect_visibility(world, pair, client_for):
    from techtransfer.catalog import services as catalog
    from tests.catalog.factories import demand_data

    demand, ach, *_ = pair
    assert client_for(world.visitor).get(f"/matching/demand/{demand.pk}/").status_code == 200
    assert client_for(world.visitor).get(f"/matching/achievement/{ach.pk}/").status_code == 200
    draft = catalog.create_demand(world.member, world.wuhua_org, demand_data())
    assert client_for(world.visitor).get(f"/matching/demand/{draft.pk}/").status_code == 404
    assert client_for(world.member).get(f"/matching/demand/{draft.pk}/").status_code == 200
