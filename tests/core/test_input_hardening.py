"""Hardening (issue 11): input an outside probe sent that used to give 500 is now a clear 4xx.

Each test reproduces the exact input of the issue."""

from __future__ import annotations

import ast
import json
import pathlib

import pytest
from django.test import Client

from techtransfer.core.errors import DomainError
from techtransfer.core.pagination import MAX_PAGE, paginate

pytestmark = pytest.mark.django_db

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "techtransfer"
HUGE_PAGE = "99999999999999999999"
LISTS = [
    "/api/v1/catalog/achievements", "/api/v1/catalog/demands", "/api/v1/catalog/packages",
    "/api/v1/organizations", "/api/v1/people", "/api/v1/trading/deals", "/api/v1/contracts", "/api/v1/audit",
]
PAGES = [
    "/catalog/achievements/", "/catalog/demands/", "/organizations/", "/people/", "/matching/search/?q=电池",
    "/trading/", "/contracts/", "/audit/",
]


@pytest.mark.parametrize("url", LISTS)
def test_a_huge_page_number_is_a_400_naming_page_on_every_api_list(world, url):
    anonymous = Client().get(url, {"page": HUGE_PAGE})
    assert anonymous.status_code in (400, 401, 403)  # 401/403: a list visitors may not read; never 500
    admin = world.province_admin if "audit" in url else world.platform_admin
    for response in (anonymous, _signed_in(admin).get(url, {"page": HUGE_PAGE})):
        if response is anonymous and response.status_code != 400:
            continue
        assert response.status_code == 400, (url, response.content[:300])
        body = response.json()
        assert body["field"] == "page" and body["code"] == "out_of_range"
        assert HUGE_PAGE in body["message"]


@pytest.mark.parametrize("url", LISTS[:2])
def test_page_size_out_of_range_is_a_400_too(url):
    response = Client().get(url, {"page_size": HUGE_PAGE})
    assert response.status_code == 400
    assert response.json()["field"] == "page_size"


@pytest.mark.parametrize("url", PAGES)
def test_a_huge_page_number_never_breaks_an_html_list(world, url):
    response = _signed_in(world.platform_admin).get(url + ("&" if "?" in url else "?") + "page=" + HUGE_PAGE)
    assert response.status_code in (200, 302, 404), (url, response.status_code)


def test_paginate_bounds():
    from techtransfer.accounts.models import User

    qs = User.objects.order_by("pk")
    assert paginate(qs, MAX_PAGE).items == []
    for bad in (MAX_PAGE + 1, 0, "x", 2.5, float("inf"), True, "1" * 5000):
        with pytest.raises(DomainError) as info:
            paginate(qs, bad)
        assert info.value.field == "page" and info.value.status == 400


def _signed_in(user, **kwargs) -> Client:
    c = Client(**kwargs)
    c.force_login(user)
    return c


def test_session_api_write_without_csrf_token_is_403_not_500(world):
    """The issue's exact case: the authentication shadowed ``_`` (gettext), so the CSRF refusal itself failed."""
    client = _signed_in(world.org_admin, enforce_csrf_checks=True)
    response = client.patch(f"/api/v1/organizations/{world.wuhua_org.pk}", json.dumps({"description": "新简介"}),
                            content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "CSRF" in response.json()["message"]


def test_no_module_using_gettext_rebinds_underscore():
    """``_`` is gettext wherever a module imports it as such; a throw-away ``_`` there (``a, _, b = ...``,
    ``for _ in``, ``lambda _:``) turns the next translated message into a TypeError. Ruff cannot see this."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        if not any(isinstance(node, ast.ImportFrom) and any((a.asname or a.name) == "_" for a in node.names)
                   for node in ast.walk(tree)):
            continue
        for node in ast.walk(tree):
            rebinds = (
                (isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store | ast.Del))
                or (isinstance(node, ast.arg) and node.arg == "_")
                or (isinstance(node, ast.ExceptHandler) and node.name == "_")
                or (isinstance(node, ast.alias) and (node.asname or node.name) == "_"
                    and not node.name.startswith("gettext"))
            )
            if rebinds:
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("depth", [33, 900, 100000])
def test_a_deeply_nested_json_body_is_a_400(world, depth):
    """``[[[[…]]]]`` 100000 deep is the issue's case; 900 deep inside a field once broke a body's validation."""
    client = _signed_in(world.member)
    deep = "[" * depth + "]" * depth
    for method, url, body in [
        ("patch", f"/api/v1/organizations/{world.wuhua_org.pk}", deep),
        ("post", "/api/v1/contracts", '{"name": ' + deep + "}"),
        ("post", "/api/v1/matching/saved-searches", '{"name": "x", "filters": {"a": ' + deep + "}}"),
    ]:
        response = getattr(client, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)


def test_a_control_character_in_a_json_body_is_a_422_naming_the_field(world):
    client = _signed_in(world.org_admin)
    response = client.patch(f"/api/v1/organizations/{world.wuhua_org.pk}", {"description": "简介\x00"},
                            content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "description"
    assert "U+0000" in body["message"]
    world.wuhua_org.refresh_from_db()
    assert "\x00" not in world.wuhua_org.description


def test_a_control_character_in_a_posted_form_is_a_400_naming_the_field(world):
    client = _signed_in(world.member)
    response = client.post("/catalog/achievements/new/", {"owner": world.wuhua_org.pk, "title": "标题\x01",
                                                          "abstract": "一种提高热稳定性的正极材料制备方法。"})
    assert response.status_code == 400
    assert "title" in response.content.decode() and "U+0001" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/organizations", "/organizations/", "/catalog/achievements/"])
def test_a_nul_in_a_query_string_is_a_400_naming_the_parameter(url):
    """PostgreSQL refuses a NUL in a query parameter (a 500 there); every channel refuses it first."""
    response = Client().get(url, {"q": "电池\x00"})
    assert response.status_code == 400
    assert "q" in response.content.decode() and "U+0000" in response.content.decode()


HUGE_ID = "99999999999999999999"


@pytest.mark.parametrize("url", [f"/api/v1/people?organization={HUGE_ID}",
                                 f"/api/v1/matching/similar/achievement/{HUGE_ID}",
                                 f"/api/v1/organizations/{HUGE_ID}", f"/catalog/achievements/{HUGE_ID}/",
                                 f"/people/?organization={HUGE_ID}"])
def test_an_id_beyond_the_database_integers_is_a_4xx(world, url):
    response = _signed_in(world.platform_admin).get(url)
    assert response.status_code in (200, 400, 404), response.content[:300]  # 200: PostgreSQL finds nothing
