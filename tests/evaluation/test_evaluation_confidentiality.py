"""Evaluations are never public: another institution's declared values, platform values and score do not leave
through the round page, its history page or the API; the revocation's credit record is public by rule."""

import json

import pytest

from techtransfer.evaluation import services
from techtransfer.evaluation.models import Evaluation
from techtransfer.orgs.services import public_credit_records
from tests.conftest import KUNMING

pytestmark = pytest.mark.django_db
SECRET = "7654321"


def test_another_institutions_figures_do_not_leave(ew, client_for):
    r = services.open_round(ew.admin, KUNMING, ew.year)
    services.declare(ew.a_admin, r, ew.a, {"training": SECRET})
    services.compute(ew.admin, r)
    b = client_for(ew.b_admin)
    for url in (f"/evaluation/rounds/{r.pk}/", f"/evaluation/institutions/{ew.a.pk}/", "/evaluation/"):
        resp = b.get(url)
        assert SECRET not in resp.content.decode() and ew.a.name not in resp.content.decode()
    body = json.dumps(
        [
            b.get(f"/api/v1/evaluation/evaluations?round={r.pk}").json(),
            b.get(f"/api/v1/evaluation/rounds/{r.pk}").json(),
        ]
    )
    assert SECRET not in body and str(ew.a.pk) not in [str(i["organization"]) for i in json.loads(body)[0]["items"]]
    # the institution itself and its region's administrator see it
    assert SECRET in json.dumps(client_for(ew.a_member).get("/api/v1/evaluation/evaluations").json())
    assert SECRET in json.dumps(client_for(ew.admin).get(f"/api/v1/evaluation/evaluations?round={r.pk}").json())


def test_the_revocation_is_a_public_credit_record(ew):
    r = services.open_round(ew.admin, KUNMING, ew.year)
    services.compute(ew.admin, r)
    services.decide(ew.admin, Evaluation.objects.get(indicator_set=r, organization=ew.uni), "revoke", "", "不合格")
    assert [rec.cause for rec in public_credit_records(ew.uni)] == ["evaluation.revoked"]
    assert not public_credit_records(ew.a).exists()
