"""Peer platforms: only platform administrators register, change, disable and pull them (pages, API, command);
every change is audited; the key is checked."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from techtransfer.audit.models import AuditEntry
from techtransfer.exchange import signing
from techtransfer.exchange.models import FederatedRecord, Peer
from tests.exchange.pullkit import record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _body(fake_peer, served, **extra):
    return {
        "name": "重庆技术市场",
        "base_url": served,
        "instance_id": "cq-test",
        "public_key": fake_peer.public,
        **extra,
    }


def test_visitors_and_others_cannot_manage_peers(world, peer, client_for):
    for user in (None, world.visitor, world.member, world.province_admin):
        c = client_for(user)
        for url in ("/exchange/peers/", "/exchange/peers/new/", f"/exchange/peers/{peer.pk}/"):
            r = c.get(url)
            assert r.status_code in (302, 403), (user, url, r.status_code)
            if r.status_code == 302:
                assert "/accounts/" in r["Location"] or "login" in r["Location"]
        assert c.post(f"/exchange/peers/{peer.pk}/pull/").status_code in (302, 403)
        assert c.get("/api/v1/exchange/peers").status_code in (401, 403)
        assert c.post("/api/v1/exchange/peers", {"name": "x"}, content_type="application/json").status_code in (
            401,
            403,
            422,
        )
        assert c.post(f"/api/v1/exchange/peers/{peer.pk}/pull").status_code in (401, 403)
        assert c.put(
            f"/api/v1/exchange/peers/{peer.pk}", {"enabled": False}, content_type="application/json"
        ).status_code in (401, 403)
        if user is not world.province_admin:  # nor export bundles (region and platform administrators only)
            export = c.get("/api/v1/exchange/export", {"from": "2026-01-01", "to": "2026-12-31"})
            assert export.status_code in (401, 403), (user, export.status_code)
    peer.refresh_from_db()
    assert peer.enabled and peer.runs.count() == 0
    assert client_for(world.member).get("/api/v1/exchange/peers").status_code == 403


def test_register_change_disable_through_the_api_is_audited(world, fake_peer, served, client_for):
    c = client_for(world.platform_admin)
    r = c.post(
        "/api/v1/exchange/peers",
        _body(fake_peer, served, kinds=["achievement", "demand"], region="500000"),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["kinds"] == ["achievement", "demand"] and r.json()["region"] == "500000"
    assert (
        c.post("/api/v1/exchange/peers", _body(fake_peer, served), content_type="application/json").status_code == 409
    )
    bad = c.post(
        "/api/v1/exchange/peers",
        _body(fake_peer, served, instance_id="other", public_key="bm90IGEga2V5"),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "public_key"
    assert (
        c.post(
            "/api/v1/exchange/peers", _body(fake_peer, "ftp://x", instance_id="other2"), content_type="application/json"
        ).json()["field"]
        == "base_url"
    )
    r = c.put(
        f"/api/v1/exchange/peers/{pk}", {"enabled": False, "name": "重庆市技术市场"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["name"] == "重庆市技术市场"
    assert c.get("/api/v1/exchange/peers/cq-test").json()["id"] == pk
    actions = list(
        AuditEntry.objects.filter(object_type="exchange.peer", object_id=str(pk))
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["exchange.peer_register", "exchange.peer_change"]


def test_pull_through_the_api_and_the_page(world, fake_peer, peer, client_for):
    fake_peer.put(record("cq-test", "achievement", 1, "成果一"))
    c = client_for(world.platform_admin)
    r = c.post(f"/api/v1/exchange/peers/{peer.pk}/pull")
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["created"] == 1
    assert c.get(f"/api/v1/exchange/peers/{peer.pk}/runs").json()[0]["created"] == 1
    fake_peer.mode = "tamper"
    fake_peer.put(record("cq-test", "achievement", 2, "成果二"))
    r = c.post(f"/api/v1/exchange/peers/{peer.pk}/pull")
    assert r.json()["ok"] is False and "signature" in r.json()["message"]
    page = c.post(f"/exchange/peers/{peer.pk}/pull/", follow=True).content.decode()
    assert "signature" in page
    detail = c.get(f"/exchange/peers/{peer.pk}/").content.decode()
    assert "cq-test" in detail and "signature" in detail
    listing = c.get("/exchange/peers/").content.decode()
    assert "重庆技术市场" in listing and "signature" in listing
    assert FederatedRecord.objects.count() == 1
    assert AuditEntry.objects.filter(action="exchange.peer_pull", object_id=str(peer.pk)).count() == 3


def test_register_and_disable_through_the_pages(world, fake_peer, served, client_for):
    c = client_for(world.platform_admin)
    r = c.post(
        "/exchange/peers/new/",
        {"name": "重庆", "base_url": served, "instance_id": "cq-test", "public_key": "short", "enabled": "on"},
    )
    assert r.status_code == 400 and not Peer.objects.exists()
    r = c.post(
        "/exchange/peers/new/",
        {
            "name": "重庆",
            "base_url": served,
            "instance_id": "cq-test",
            "public_key": fake_peer.public,
            "kinds": ["demand"],
            "enabled": "on",
        },
    )
    peer = Peer.objects.get()
    assert (
        r.status_code == 302 and peer.kinds == ["demand"] and peer.enabled and peer.created_by == world.platform_admin
    )
    c.post(f"/exchange/peers/{peer.pk}/enabled/", {"enabled": "0"})
    peer.refresh_from_db()
    assert not peer.enabled
    assert AuditEntry.objects.filter(action="exchange.peer_disable").count() == 1


def _command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("exchange", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_pull_and_peers(world, fake_peer, peer):
    fake_peer.put(record("cq-test", "achievement", 1, "成果一"))
    code, out, err = _command("pull", "cq-test")
    assert code == 0, err
    assert "page 1" in out and "ok:" in out
    code, out, _err = _command("peers")
    assert code == 0 and "cq-test" in out and "ok" in out
    fake_peer.mode = "500"
    fake_peer.put(record("cq-test", "achievement", 2, "成果二"))
    code, _out, err = _command("pull", "--all")
    assert code == 1 and "HTTP 500" in err
    assert _command("pull", "nobody")[0] == 2
    assert _command("pull")[0] == 2


def test_periodic_task_pulls_enabled_peers(world, fake_peer, peer):
    from techtransfer.exchange import tasks

    fake_peer.put(record("cq-test", "demand", 1, "需求一"))
    Peer.objects.create(
        name="停用",
        base_url="http://127.0.0.1:9",
        instance_id="off-test",
        public_key=signing.generate_keypair()[1],
        enabled=False,
    )
    result = tasks.pull_peers.call_local()
    assert result == {"peers": 1, "failed": 0} and FederatedRecord.objects.count() == 1
