"""Credit standing (issue 14, item 4): a region administrator sees every record (open and closed, with the history)
of an organization in scope; another county's administrator and visitors see only the public records of a verified
organization and nothing of an unverified one (404) — through the API and the pages. The rounds are public."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import CreditKind
from techtransfer.reports.models import ReportingRound
from techtransfer.reports.services import credit
from techtransfer.reports.services.deadlines import open_round

pytestmark = pytest.mark.django_db
SECRET = "未按规定报送科技成果转化年度报告（2025年度）"
PUBLIC = "撤销示范机构资格（公开）"
OLD = "未按规定报送科技成果转化年度报告（2024年度）"


@pytest.fixture
def cr(world):
    w = world
    day = datetime.date(2026, 4, 1)

    def rec(org, key, summary, public=False):
        return orgs.record_by_rule(org, key=key, kind=CreditKind.WARNING, cause=key.split(":")[0], summary=summary,
                                   rule="促进科技成果转化法第二十一条", occurred_on=day, year=2025, public=public)[0]

    rec(w.wuhua_org, f"reports.not_filed:{w.wuhua_org.pk}:2025", SECRET)
    rec(w.wuhua_org, "evaluation.revoked:1", PUBLIC, public=True)
    rec(w.wuhua_org, f"reports.not_filed:{w.wuhua_org.pk}:2024", OLD)
    orgs.close_by_rule(f"reports.not_filed:{w.wuhua_org.pk}:2024", on=datetime.date(2025, 5, 6),
                       reason="late report accepted")
    rec(w.wuhua_pending, f"reports.not_filed:{w.wuhua_pending.pk}:2025", SECRET)
    return w


def _api(client, org):
    return client.get(f"/api/v1/reports/credit/{org.pk}")


@pytest.mark.parametrize("who", ["wuhua_admin", "kunming_admin", "province_admin", "platform_admin", "member",
                                 "org_admin"])
def test_in_scope_and_own_see_every_record_with_history(cr, client_for, who):
    res = _api(client_for(getattr(cr, who)), cr.wuhua_org)
    assert res.status_code == 200
    body = res.json()
    assert body["scope"] == "full" and body["open_records"] == 2
    summaries = {r["summary"]: r for r in body["records"]}
    assert set(summaries) == {SECRET, PUBLIC, OLD}
    old = summaries[OLD]
    assert (old["open"], old["closed_on"], old["closed_reason"], old["year"]) == (
        False, "2025-05-06", "late report accepted", 2025)
    assert summaries[SECRET]["cause"] == "reports.not_filed" and summaries[SECRET]["rule"]


@pytest.mark.parametrize("who", ["panlong_admin", "visitor", None])
def test_others_see_only_public_records_of_a_verified_org(cr, client_for, who):
    client = client_for(getattr(cr, who) if who else None)
    body = _api(client, cr.wuhua_org).json()
    assert body["scope"] == "public"
    assert [r["summary"] for r in body["records"]] == [PUBLIC]
    assert _api(client, cr.wuhua_pending).status_code == 404  # unverified: nothing at all
    assert client.get(reverse("reports:credit_org", args=[cr.wuhua_pending.pk])).status_code == 404
    page = client.get(reverse("reports:credit_org", args=[cr.wuhua_org.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert PUBLIC in html and SECRET not in html and OLD not in html


def test_region_admin_sees_an_unverified_org_in_scope(cr, client_for):
    assert _api(client_for(cr.wuhua_admin), cr.wuhua_pending).json()["records"][0]["summary"] == SECRET
    assert _api(client_for(cr.wuhua_admin), cr.panlong_pending).status_code == 404
    assert client_for().get("/api/v1/reports/credit/999999").status_code == 404


def test_page_shows_open_records_and_the_history(cr, client_for):
    html = client_for(cr.wuhua_admin).get(reverse("reports:credit_org", args=[cr.wuhua_org.pk])).content.decode()
    assert SECRET in html and PUBLIC in html and OLD in html
    assert 'data-state="closed"' in html and "2025-05-06" in html and "late report accepted" in html


def test_search_lists_orgs_in_scope_with_open_counts(cr, client_for):
    res = client_for(cr.wuhua_admin).get(reverse("reports:credit"), {"q": "五华"})
    html = res.content.decode()
    assert res.status_code == 200
    assert f'data-org="{cr.wuhua_org.pk}"' in html and f'data-org="{cr.wuhua_pending.pk}"' in html
    rows = {o.pk: o for o in credit.search(cr.wuhua_admin, "五华")}
    assert rows[cr.wuhua_org.pk].open_records == 2 and rows[cr.wuhua_org.pk].full
    # Another county's administrator: the organization is out of its scope.
    assert cr.wuhua_org.pk not in {o.pk for o in credit.search(cr.panlong_admin, "五华")}
    # A visitor finds verified organizations by name or credit code and counts their public records only.
    found = {o.pk: o for o in credit.search(None, cr.wuhua_org.credit_code)}
    assert list(found) == [cr.wuhua_org.pk] and found[cr.wuhua_org.pk].open_records == 1
    assert cr.wuhua_pending.pk not in {o.pk for o in credit.search(None, "五华")}
    html = client_for().get(reverse("reports:credit"), {"q": "五华"}).content.decode()
    assert f'data-org="{cr.wuhua_org.pk}"' in html and f'data-org="{cr.wuhua_pending.pk}"' not in html
    only_open = {o.pk for o in credit.search(cr.wuhua_admin, "", only_open=True)}
    assert only_open == {cr.wuhua_org.pk, cr.wuhua_pending.pk}


def test_rounds_are_public(cr, client_for):
    year = timezone.localdate().year
    r = open_round(cr.province_admin, "530000", year, notice="云科发〔2026〕1号")
    page = client_for().get(reverse("reports:rounds"))
    assert page.status_code == 200 and f'data-round="{r.pk}"' in page.content.decode()
    body = client_for().get("/api/v1/reports/rounds", {"year": year}).json()
    assert body == [{"id": r.pk, "year": year, "region": "530000", "region_name": str(r.region),
                     "template": r.template.version, "opens_on": f"{year + 1}-01-01",
                     "due_on": f"{year + 1}-03-31", "notice": "云科发〔2026〕1号"}]


def test_opening_a_round_through_the_api(cr, client_for):
    year = timezone.localdate().year
    body = {"region": "530100", "year": year, "notice": "昆科发〔2026〕2号"}
    assert client_for().post("/api/v1/reports/rounds", body, content_type="application/json").status_code == 401
    panlong = client_for(cr.panlong_admin).post("/api/v1/reports/rounds", body, content_type="application/json")
    assert panlong.status_code == 403  # a county administrator cannot open its city's round
    res = client_for(cr.kunming_admin).post("/api/v1/reports/rounds", body, content_type="application/json")
    assert res.status_code == 201
    assert (res.json()["due_on"], res.json()["notice"]) == (f"{year + 1}-03-31", "昆科发〔2026〕2号")
    again = client_for(cr.kunming_admin).post("/api/v1/reports/rounds", body, content_type="application/json")
    assert again.status_code == 409
    late = {**body, "region": "530102", "due_on": f"{year}-01-05"}
    bad = client_for(cr.kunming_admin).post("/api/v1/reports/rounds", late, content_type="application/json")
    assert (bad.status_code, bad.json()["field"]) == (400, "due_on")
    unknown = client_for(cr.kunming_admin).post(
        "/api/v1/reports/rounds", {**body, "colour": "red"}, content_type="application/json"
    )
    assert unknown.status_code == 422


def test_opening_a_round_through_the_page(cr, client_for):
    year = timezone.localdate().year
    form = {"region": "530100", "year": str(year), "due_on": "", "notice": "昆科发〔2026〕3号"}
    url = reverse("reports:round_open")
    assert client_for().post(url, form).status_code == 302
    client_for(cr.panlong_admin).post(url, form)
    assert not ReportingRound.objects.exists()
    page = client_for(cr.kunming_admin).get(reverse("reports:rounds")).content.decode()
    assert 'data-testid="open-round"' in page
    assert 'data-testid="open-round"' not in client_for().get(reverse("reports:rounds")).content.decode()
    res = client_for(cr.kunming_admin).post(url, form)
    assert res.status_code == 302 and res.url == reverse("reports:rounds")
    r = ReportingRound.objects.get()
    assert (r.region_id, r.year, r.due_on.isoformat()) == ("530100", year, f"{year + 1}-03-31")
    assert r.notice == form["notice"]
    client_for(cr.kunming_admin).post(url, {**form, "region": "530102", "due_on": "bad"})
    assert ReportingRound.objects.count() == 1
