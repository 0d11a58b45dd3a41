"""The audit trail: who, when, what, before and after of every state change; readable within scope only."""

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.orgs import services as orgs

pytestmark = pytest.mark.django_db


def test_change_writes_who_what_before_after(world):
    orgs.verify(world.wuhua_admin, world.wuhua_pending, "rejected", reason="资料不全")
    entry = AuditEntry.objects.get(action="orgs.rejected")
    assert entry.actor == world.wuhua_admin and entry.actor_name == "wuhua_admin"
    assert entry.object_id == str(world.wuhua_pending.pk) and entry.region_code == "530102"
    assert entry.before["verification"] == "pending" and entry.after["verification"] == "rejected"
    assert entry.reason == "资料不全" and entry.at is not None
    assert ("verification", "pending", "rejected") in entry.changes


def test_refused_change_writes_nothing(world):
    from techtransfer.core.errors import Forbidden

    with pytest.raises(Forbidden):
        orgs.verify(world.wuhua_admin, world.panlong_pending, "verified")
    assert not AuditEntry.objects.exists()


def test_trail_is_scoped_for_readers(world, client_for):
    orgs.verify(world.wuhua_admin, world.wuhua_pending, "verified")
    orgs.verify(world.panlong_admin, world.panlong_pending, "verified")
    wuhua = client_for(world.wuhua_admin).get("/api/v1/audit").json()
    assert [e["object_repr"] for e in wuhua["items"]] == ["五华待审机构"]
    city = client_for(world.kunming_admin).get("/api/v1/audit").json()
    assert city["count"] == 2
    assert client_for(world.org_admin).get("/api/v1/audit").status_code == 403
    assert client_for().get("/api/v1/audit").status_code in (401, 403)
    page = client_for(world.wuhua_admin).get("/audit/").content.decode()
    assert "五华待审机构" in page and "盘龙待审机构" not in page
    assert client_for(world.member).get("/audit/").status_code == 403
