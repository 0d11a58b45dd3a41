"""A claim's bank details and documents (``Claim.RESTRICTED_FIELDS``) and the claim itself, through every channel:
pages, API, search and exports. Claims are never public; another county's administrator, another organization
and a visitor learn nothing of them, not even that they exist."""

from __future__ import annotations

import pytest

from techtransfer.core import plugins
from techtransfer.matching import indexing
from techtransfer.subsidies.models import Claim, ClaimEntry
from tests.subsidies.claim_world import build

pytestmark = pytest.mark.django_db

WUHUA_ACCOUNT, PANLONG_ACCOUNT = "6222000011112222", "6222000033334444"
DOCUMENTS = "内部资料：法定代表人身份证号码"


@pytest.fixture
def world(cw, make_org, make_user):
    w = build(cw)
    Claim.objects.filter(pk=w.paid.pk).update(documents_note=DOCUMENTS)
    w.outsider_org = make_org("盘龙另一家企业", region=w.panlong.region_id)
    w.outsider = make_user("outsider_admin", "org_admin", org=w.outsider_org)
    return w


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig", "replace")
    return response.content.decode("utf-8", "replace")


def test_pages(world, client_for):
    w = world.cw.w
    url = f"/subsidies/claims/{world.paid.pk}/"
    # The beneficiary's members and the reviewers in scope read the claim with its bank details.
    for user in (w.member, w.org_admin, w.wuhua_admin, w.kunming_admin, w.province_admin, w.platform_admin):
        r = client_for(user).get(url)
        assert r.status_code == 200 and WUHUA_ACCOUNT in body(r), user.username
    # Another county's administrator and another organization: not found, in the list neither.
    for user in (w.panlong_admin, world.outsider):
        assert client_for(user).get(url).status_code == 404
        listing = body(client_for(user).get("/subsidies/claims/"))
        assert WUHUA_ACCOUNT not in listing and DOCUMENTS not in listing and world.a.registration_number not in listing
        queue = body(client_for(user).get("/subsidies/claims/?tab=review"))
        assert WUHUA_ACCOUNT not in queue and f"/subsidies/claims/{world.paid.pk}/" not in queue
    # A visitor is sent to sign in; the public pages (policies, statistics) never show a claim's details.
    assert client_for(None).get(url).status_code in (302, 404)
    for public in ("/subsidies/", "/subsidies/yn-local/", "/subsidies/statistics/"):
        text = body(client_for(None).get(public))
        assert WUHUA_ACCOUNT not in text and PANLONG_ACCOUNT not in text and DOCUMENTS not in text


def test_api(world, client_for):
    w = world.cw.w
    api = "/api/v1/subsidies"
    r = client_for(w.wuhua_admin).get(f"{api}/claims/{world.paid.pk}")
    assert r.status_code == 200 and r.json()["bank_account"] == WUHUA_ACCOUNT
    for user in (w.panlong_admin, world.outsider):
        assert client_for(user).get(f"{api}/claims/{world.paid.pk}").status_code == 404
        listed = client_for(user).get(f"{api}/claims?per_page=100")
        assert listed.status_code == 200
        assert world.paid.pk not in {c["id"] for c in listed.json()["items"]}
        assert WUHUA_ACCOUNT not in body(listed) and DOCUMENTS not in body(listed)
    assert client_for(None).get(f"{api}/claims").status_code == 401
    assert client_for(None).get(f"{api}/claims/{world.paid.pk}").status_code == 401
    stats = body(client_for(None).get(f"{api}/statistics"))
    assert WUHUA_ACCOUNT not in stats and DOCUMENTS not in stats and world.a.registration_number not in stats


def test_search_never_indexes_claims_or_their_ledger():
    """No app's search documents are built from or follow a claim, its ledger or a budget (so the site search, the
    matching index and its exports cannot return them)."""
    watched = set()
    for _config, module in plugins.app_modules("search_documents"):
        for document in [*getattr(module, "DOCUMENTS", ()), *getattr(module, "ADDITIONS", ())]:
            watched.update(model for model, _pks in getattr(document, "watch", ()))
        for document in getattr(module, "DOCUMENTS", ()):
            watched.add(document.records().model)
    assert watched  # the reading above found the indexed models: organizations, people, the catalogue
    assert Claim not in watched and ClaimEntry not in watched
    assert not any(model._meta.app_label == "subsidies" for model in watched)
    assert all(p.kind != "claim" for p in indexing.search_documents().values())


def test_exports(world, client_for):
    w = world.cw.w
    for fmt in ("csv", "xlsx"):
        assert client_for(None).get(f"/subsidies/payments.{fmt}").status_code == 302
        for user in (w.member, w.org_admin, world.outsider):
            assert client_for(user).get(f"/subsidies/payments.{fmt}").status_code == 403
    own = body(client_for(w.wuhua_admin).get("/subsidies/payments.csv"))
    assert WUHUA_ACCOUNT in own and PANLONG_ACCOUNT not in own
    other = body(client_for(w.panlong_admin).get("/subsidies/payments.csv"))
    assert WUHUA_ACCOUNT not in other and world.a.registration_number not in other
    assert DOCUMENTS not in own and DOCUMENTS not in other  # documents are never exported
