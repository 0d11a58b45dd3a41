"""Ownership of organizations (所有制): editable seeded table, API, pages, validation, and its use by trading's
agreement-pricing public notice (issue 12, item 9)."""

import pytest
from django.urls import reverse

from techtransfer.audit.models import AuditEntry
from techtransfer.core.errors import DomainError
from techtransfer.orgs import services
from techtransfer.orgs.models import Ownership
from tests.conftest import make_credit_code

pytestmark = pytest.mark.django_db


def test_seeded_ownerships():
    """The ownership groups of the statistics' registration types (国有, 集体, 私营, 外商投资, 港澳台商投资, 混合所有制)
    are seeded as editable data; only 国有 is flagged state-owned."""
    codes = set(Ownership.objects.values_list("code", flat=True))
    assert {"state", "collective", "private", "foreign", "hmt", "mixed"} <= codes
    assert list(Ownership.objects.filter(state_owned=True).values_list("code", flat=True)) == ["state"]


def test_ownership_through_the_api(client_for, world):
    """Set, read, filter and clear the ownership through /api/v1/organizations; unknown codes are a 4xx."""
    c = client_for(world.org_admin)
    url = f"/api/v1/organizations/{world.wuhua_org.pk}"
    r = c.patch(url, {"ownership": "private"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["ownership"] == "private" and r.json()["ownership_label"]
    assert AuditEntry.objects.filter(action="orgs.update", object_id=str(world.wuhua_org.pk)).exists()
    r = c.patch(url, {"ownership": "nonsense"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "ownership"
    listing = c.get("/api/v1/organizations", {"ownership": "private"}).json()
    assert [o["id"] for o in listing["items"]] == [world.wuhua_org.pk]
    assert c.get("/api/v1/organizations", {"ownership": "nonsense"}).status_code == 400
    r = c.patch(url, {"ownership": ""}, content_type="application/json")
    assert r.status_code == 200 and r.json()["ownership"] is None


def test_inactive_ownership_is_refused(world):
    """A deactivated row stays on the organizations that have it but cannot be chosen any more."""
    Ownership.objects.filter(pk="collective").update(active=False)
    with pytest.raises(DomainError) as exc:
        services.update(world.org_admin, world.wuhua_org, {"ownership_id": "collective"})
    assert exc.value.field == "ownership"


def test_register_with_ownership(client_for, world, make_user):
    user = make_user("newcomer")
    body = {"name": "五华国有测试公司", "kind": "enterprise", "ownership": "state", "region": world.wuhua_org.region_id,
            "credit_code": make_credit_code()}
    r = client_for(user).post("/api/v1/organizations", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["ownership"] == "state"


def test_ownership_on_the_pages(client, world):
    world.wuhua_org.ownership_id = "mixed"
    world.wuhua_org.save()
    page = client.get(reverse("orgs:detail", args=[world.wuhua_org.pk])).content.decode()
    assert str(Ownership.objects.get(pk="mixed")) in page
    listing = client.get(reverse("orgs:list"), {"ownership": "mixed"}).content.decode()
    assert world.wuhua_org.name in listing and world.panlong_org.name not in listing
