import pytest


@pytest.mark.django_db
def test_docs_and_schema(client):
    r = client.get("/api/docs")
    assert r.status_code == 302 and r["Location"] == "/api/v1/docs"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Swagger UI is served from the platform's own static files: nothing is fetched from the internet.
    assert b"https://" not in docs.content and b"/static/ninja/swagger-ui-bundle.js" in docs.content
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for expected in ("/api/v1/organizations", "/api/v1/people", "/api/v1/regions", "/api/v1/audit",
                     "/api/v1/accounts/me", "/api/v1/health"):
        assert any(p.rstrip("/") == expected for p in paths), expected
    assert schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_health(client):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["database"] in {"sqlite", "postgresql"}


# --- the schema tells the truth about visitors and errors (issue 11, item 9) ----------------------------------

PUBLIC = {
    ("get", "/api/v1/health"), ("get", "/api/v1/regions"), ("get", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{org_id}"), ("get", "/api/v1/people/{person_id}"),
    ("get", "/api/v1/catalog/achievements"), ("get", "/api/v1/catalog/achievements/{pk}"),
    ("get", "/api/v1/contracts/verify"), ("get", "/api/v1/trading/listings"), ("get", "/api/v1/trading/deals"),
}
SIGNED_IN = {
    ("get", "/api/v1/accounts/tokens"), ("post", "/api/v1/catalog/achievements"), ("get", "/api/v1/audit"),
    ("get", "/api/v1/stats/contracts"), ("post", "/api/v1/contracts"), ("get", "/api/v1/catalog/achievements/mine"),
}


def _operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def _ref(response):
    schema = response["content"]["application/json"]["schema"]
    return schema.get("$ref") or [s["$ref"] for s in schema["anyOf"]]


@pytest.fixture(scope="module")
def schema():
    from techtransfer.config.api import api

    return api.get_openapi_schema()


def test_public_operations_declare_no_security_and_the_others_do(schema):
    ops = {(m, p): op for m, p, op in _operations(schema)}
    for key in PUBLIC:
        assert "security" not in ops[key], key
    for key in SIGNED_IN:
        assert ops[key]["security"] == [{"TokenOrSession": []}], key
    # Only reads are open to visitors.
    assert all(m == "get" for (m, _p), op in ops.items() if "security" not in op)


def test_every_operation_documents_its_errors_with_the_error_schema(schema):
    error, invalid = "#/components/schemas/Error", "#/components/schemas/InvalidInput"
    for method, path, op in _operations(schema):
        responses = {int(s): r for s, r in op["responses"].items()}
        where = (method, path)
        assert _ref(responses[401]) == error, where  # a bad token is refused everywhere
        if "{" in path:
            assert _ref(responses[404]) == error, where
        if "security" in op or method != "get":
            assert _ref(responses[403]) == error, where
        if "requestBody" in op:
            assert _ref(responses[422]) == invalid, where
        if method != "get":
            assert 409 in responses, where
        if op["parameters"] or "requestBody" in op:
            assert 400 in responses, where
        for status, response in responses.items():
            if 400 <= status < 500 and status not in (400, 409):  # their own report shapes, checked below
                assert _ref(response) in (error, invalid), (where, status)
    # What a route's shape does not show, it declares (@raises): a record named in the body, a read's conflict.
    assert _ref(schema["paths"]["/api/v1/matching/cases"]["post"]["responses"][404]) == error
    assert _ref(schema["paths"]["/api/v1/contracts/{contract_id}/certificate"]["get"]["responses"][409]) == error
    components = schema["components"]["schemas"]
    assert set(components["Error"]["properties"]) == {"code", "message", "field"}
    assert set(components["InvalidInput"]["properties"]) == {"code", "message", "field", "errors"}


def test_import_documents_its_row_report_as_its_400(schema):
    op = schema["paths"]["/api/v1/catalog/achievements/import"]["post"]
    assert sorted(_ref(op["responses"][400])) == ["#/components/schemas/Error",
                                                     "#/components/schemas/ImportRefused"]
    refused = schema["components"]["schemas"]["ImportRefused"]
    assert {"code", "message", "field", "ok", "rows", "errors"} <= set(refused["properties"])


@pytest.mark.django_db
def test_validation_errors_have_the_error_shape(client):
    body = client.get("/api/v1/organizations?page=abc").json()
    assert body["code"] == "invalid" and body["field"] == "page" and body["message"].startswith("page: ")
    assert body["errors"][0]["field"] == "page"


@pytest.mark.django_db
def test_a_public_operation_still_authenticates_a_token(world, client):
    from techtransfer.accounts import tokens

    _token, key = tokens.issue(world.org_admin, "test", 30)
    url = f"/api/v1/organizations/{world.wuhua_org.pk}"
    assert client.get(url).json()["restricted"] is True
    mine = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert mine["restricted"] is False and mine["contact_phone"] == "0871-12345678"
    bad = client.get(url, HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and set(bad.json()) == {"code", "message", "field"}


def test_schema_names_are_unique_across_apps():
    """The OpenAPI components are keyed by class name: two apps' bodies or answers with the same name would share
    one component, and the schema would document one app's shape for the other's route."""
    import importlib
    import inspect
    import pkgutil

    from ninja import Schema

    import techtransfer

    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.walk_packages(techtransfer.__path__, "techtransfer."):
        leaf = info.name.rsplit(".", 1)[-1]
        if not (leaf.startswith("api") or leaf == "schemas") or ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, Schema):
                continue
            if name in seen:
                clashes.append(f"{name}: {seen[name]} and {module.__name__}")
            seen[name] = module.__name__
    assert not clashes
