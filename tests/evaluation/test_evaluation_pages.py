"""The evaluation pages: rounds list and opening, the ranking with decision forms, the declaration form, an
institution's history, plan supervision (targets with the source of each figure) and the PDF brief."""

from __future__ import annotations

import pytest

from techtransfer.evaluation import services
from techtransfer.evaluation.models import Evaluation
from techtransfer.reports.models import AnnualReport
from techtransfer.stats.models import Target
from tests.conftest import KUNMING

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(ew):
    r = services.open_round(ew.admin, KUNMING, ew.year, "昆明评价")
    services.compute(ew.admin, r)
    return r


def test_admin_opens_a_round_from_the_list(ew, client_for):
    c = client_for(ew.admin)
    assert c.get("/evaluation/").status_code == 200
    r = c.post("/evaluation/", {"region": KUNMING, "year": str(ew.year), "name": "页面开启的评价"})
    assert r.status_code == 302
    assert services.visible_rounds(ew.admin).filter(name="页面开启的评价").exists()
    r = client_for(ew.a_admin).post("/evaluation/", {"region": KUNMING, "year": str(ew.year - 1)})
    assert r.status_code == 403
    assert client_for().get("/evaluation/").status_code == 302  # sign in first


def test_ranking_compute_and_decision_forms(ew, scored, client_for):
    c = client_for(ew.admin)
    page = c.get(f"/evaluation/rounds/{scored.pk}/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="decide-form"') == 3
    assert c.post(f"/evaluation/rounds/{scored.pk}/compute/").status_code == 302
    ev = Evaluation.objects.get(indicator_set=scored, organization=ew.b)
    r = c.post(f"/evaluation/evaluations/{ev.pk}/decide/", {"decision": "warn", "level": "", "reasons": "整改"})
    assert r.status_code == 302
    ev.refresh_from_db()
    assert ev.decision == "warn"
    # a refused decision leaves a message, not a change
    other = Evaluation.objects.get(indicator_set=scored, organization=ew.a)
    c.post(f"/evaluation/evaluations/{other.pk}/decide/", {"decision": "recognise", "level": ""})
    other.refresh_from_db()
    assert other.decision == ""
    assert client_for(ew.a_admin).post(f"/evaluation/rounds/{scored.pk}/compute/").status_code == 403
    assert client_for(ew.qujing_admin).get(f"/evaluation/rounds/{scored.pk}/").status_code == 404
    assert (
        client_for(ew.a_admin).post(f"/evaluation/evaluations/{other.pk}/decide/", {"decision": "keep"}).status_code
        == 403
    )


def test_the_institution_sees_only_its_own_row_and_declares(ew, scored, client_for):
    c = client_for(ew.a_admin)
    page = c.get(f"/evaluation/rounds/{scored.pk}/").content.decode()
    assert page.count('data-testid="evaluation-row"') == 1 and ew.b.name not in page
    assert f"/evaluation/rounds/{scored.pk}/declare/{ew.a.pk}/" in page
    form = c.get(f"/evaluation/rounds/{scored.pk}/declare/{ew.a.pk}/")
    assert form.status_code == 200
    r = c.post(f"/evaluation/rounds/{scored.pk}/declare/{ew.a.pk}/", {"training": "30", "complaints": "0"})
    assert r.status_code == 302
    assert Evaluation.objects.get(indicator_set=scored, organization=ew.a).declared == {
        "training": "30.00",
        "complaints": "0.00",
    }
    r = c.post(f"/evaluation/rounds/{scored.pk}/declare/{ew.a.pk}/", {"training": "abc"})
    assert r.status_code == 400
    assert c.get(f"/evaluation/rounds/{scored.pk}/declare/{ew.b.pk}/").status_code == 404


def test_history_per_institution(ew, scored, client_for):
    ev = Evaluation.objects.get(indicator_set=scored, organization=ew.a)
    services.decide(ew.admin, ev, "keep")
    page = client_for(ew.a_member).get(f"/evaluation/institutions/{ew.a.pk}/")
    assert page.status_code == 200 and page.content.decode().count('data-testid="history-row"') == 1
    assert client_for(ew.b_admin).get(f"/evaluation/institutions/{ew.a.pk}/").status_code == 404
    assert client_for(ew.admin).get(f"/evaluation/institutions/{ew.a.pk}/").status_code == 200


def test_targets_show_progress_and_the_source_of_each_figure(ew, scored, client_for):
    demo = Target.objects.create(
        region_code=KUNMING, indicator="demo_institutions", year_from=ew.year, year_to=ew.year, value=4
    )
    ledger = Target.objects.create(
        region_code=KUNMING, indicator="contracts", year_from=ew.year, year_to=ew.year, value=10
    )
    c = client_for(ew.admin)
    page = c.get("/evaluation/targets/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-target="{demo.pk}"' in html and f'data-target="{ledger.pk}"' in html
    chongqing = Target.objects.get(region_code="500000", indicator="turnover")
    assert f'data-target="{chongqing.pk}"' not in html
    detail = c.get(f"/evaluation/targets/{demo.pk}/")
    assert detail.context["f"].source == "evaluations" and detail.context["f"].actual == 1  # the university
    ev = Evaluation.objects.get(indicator_set=scored, organization=ew.a)
    services.decide(ew.admin, ev, "recognise", "municipal")
    detail = c.get(f"/evaluation/targets/{demo.pk}/")
    assert detail.context["f"].actual == 2 and detail.context["f"].decisions["recognise"] == 1
    assert c.get(f"/evaluation/targets/{ledger.pk}/").context["f"].source == "ledger"
    assert client_for(ew.a_admin).get("/evaluation/targets/").status_code == 403
    assert client_for(ew.qujing_admin).get(f"/evaluation/targets/{demo.pk}/").status_code == 404
    assert AnnualReport.objects.count() == 0 and detail.context["f"].reports_accepted == 0


def test_the_brief_is_a_pdf_for_administrators_only(ew, scored, client_for):
    r = client_for(ew.admin).get(f"/evaluation/brief/{KUNMING}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert client_for(ew.w.platform_admin).get("/evaluation/brief/530000.pdf").content.startswith(b"%PDF")
    assert client_for(ew.admin).get("/evaluation/brief/530000.pdf").status_code == 403  # above its scope
    assert client_for(ew.qujing_admin).get(f"/evaluation/brief/{KUNMING}.pdf").status_code == 403
    assert client_for(ew.a_admin).get(f"/evaluation/brief/{KUNMING}.pdf").status_code == 403
    assert client_for().get(f"/evaluation/brief/{KUNMING}.pdf").status_code == 302
    assert client_for(ew.admin).get("/evaluation/brief/99.pdf").status_code == 404
