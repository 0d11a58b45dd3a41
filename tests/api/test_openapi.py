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
