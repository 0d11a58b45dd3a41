"""The exchange API and pages: schema, feed and key open to visitors; clear 400s for bad cursors and limits; the
key at the well-known address; the /exchange/ page."""

from __future__ import annotations

import pytest

from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing
from techtransfer.exchange.services.keys import identity
from tests.trading.conftest import tw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_schema_feed_and_key_are_open_to_visitors(tw, client_for, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        ach = tw.achievement()
    c = client_for()
    schema = c.get("/api/v1/exchange/schema").json()
    assert set(schema["records"]) == set(fmt.KINDS)
    key = c.get("/api/v1/exchange/key").json()
    me = identity()
    assert key == {
        **key,
        "instance": me.instance_id,
        "public_key": me.public_key,
        "key_id": me.key_id,
        "alg": "Ed25519",
    }
    page = c.get("/api/v1/exchange/feed", {"limit": "2"}).json()
    signing.verify_document(page, key["public_key"])
    fmt.validate_page(page)
    assert page["has_more"] is True and len(page["items"]) == 2
    rest = c.get("/api/v1/exchange/feed", {"since": page["next"], "limit": "500"}).json()
    fmt.validate_page(rest)
    record = next(i["record"] for i in page["items"] + rest["items"] if i["id"].endswith(f"/achievement/{ach.pk}"))
    assert record["url"] == f"http://testserver/catalog/achievements/{ach.pk}/"


def test_public_address_setting_makes_the_urls(tw, client_for, monkeypatch, django_capture_on_commit_callbacks):  # noqa: F811
    monkeypatch.setenv("TECHTRANSFER_PUBLIC_URL", "https://market.example.cn/")
    with django_capture_on_commit_callbacks(execute=True):
        ach = tw.achievement()
    items = client_for().get("/api/v1/exchange/feed").json()["items"]
    record = next(i["record"] for i in items if i["id"].endswith(f"/achievement/{ach.pk}"))
    assert record["url"] == f"https://market.example.cn/catalog/achievements/{ach.pk}/"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "abc"}, "since"),
        ({"since": "-1"}, "since"),
        ({"since": "1" * 20}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "2.5"}, "limit"),
    ],
)
def test_bad_cursor_or_limit_is_a_clear_400(client_for, query, field):
    response = client_for().get("/api/v1/exchange/feed", query)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == field and body["code"] in {"bad_cursor", "bad_limit"} and body["message"]


def test_an_empty_feed_keeps_the_cursor(client_for):
    page = client_for().get("/api/v1/exchange/feed", {"since": "42"}).json()
    assert (page["items"], page["next"], page["since"], page["has_more"]) == ([], "42", "42", False)


def test_the_key_is_at_the_well_known_address(client_for):
    response = client_for().get("/.well-known/techtransfer-exchange.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == client_for().get("/api/v1/exchange/key").json()
    assert client_for().post("/.well-known/techtransfer-exchange.json").status_code == 405


def test_exchange_page_shows_identity_and_counts_to_platform_admins_only(
    tw, world, client_for, django_capture_on_commit_callbacks  # noqa: F811
):
    with django_capture_on_commit_callbacks(execute=True):
        tw.achievement()
    visitor = client_for().get("/exchange/").content.decode()
    me = identity()
    assert me.instance_id in visitor and me.public_key in visitor and me.key_id in visitor
    assert 'data-testid="feed-kinds"' not in visitor
    admin = client_for(world.platform_admin).get("/exchange/").content.decode()
    assert 'data-testid="feed-kinds"' in admin and 'data-kind="achievement"' in admin
    assert 'data-testid="feed-kinds"' not in client_for(world.wuhua_admin).get("/exchange/").content.decode()
