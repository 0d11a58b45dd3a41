"""The Prometheus endpoint (core/metrics.py): never public, and it reports request latency by view and the state
of the queue, the outbox and the search index."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

PROMETHEUS = ("django_prometheus.middleware.PrometheusBeforeMiddleware",
              "django_prometheus.middleware.PrometheusAfterMiddleware")


@pytest.fixture
def metrics_on(settings, isolated_index):
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    settings.METRICS_ALLOW = ["127.0.0.1", "10.20.0.0/16"]
    settings.MIDDLEWARE = [PROMETHEUS[0], *settings.MIDDLEWARE, PROMETHEUS[1]]
    return settings


def samples(body: bytes) -> dict:
    found = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def test_off_unless_enabled(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("remote, headers, status", [
    ("127.0.0.1", {}, 200),  # the host itself (a local Prometheus agent)
    ("10.20.3.4", {}, 200),  # the monitoring network
    ("203.0.113.9", {}, 403),  # anyone else
    ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 403),  # through the proxy on the same host
    ("127.0.0.1", {"HTTP_X_REAL_IP": "203.0.113.9"}, 403),
    ("203.0.113.9", {"HTTP_AUTHORIZATION": "Bearer s3cret-scrape-token"}, 200),  # the token, from anywhere
    ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "1.2.3.4", "HTTP_AUTHORIZATION": "Bearer s3cret-scrape-token"}, 200),
    ("203.0.113.9", {"HTTP_AUTHORIZATION": "Bearer wrong"}, 403),
    ("203.0.113.9", {"HTTP_AUTHORIZATION": "s3cret-scrape-token"}, 403),
])
def test_only_allowed_addresses_or_the_token(metrics_on, remote, headers, status):
    assert Client(REMOTE_ADDR=remote).get("/metrics", **headers).status_code == status


def test_no_token_configured_means_no_token_accepted(metrics_on):
    metrics_on.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_latency_by_view_queue_outbox_and_index_lag(metrics_on):
    from techtransfer.outbox.models import Event

    c = Client()
    assert c.get("/").status_code == 200
    before = samples(c.get("/metrics").content)
    key = ("django_http_requests_latency_seconds_by_view_method_count", (("method", "GET"), ("view", "core:home")))
    assert before[key] >= 1
    c.get("/")
    response = c.get("/metrics")
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"].startswith("max-age=0")
    found = samples(response.content)
    assert found[key] == before[key] + 1
    names = {name for name, _labels in found}
    assert {"techtransfer_queue_pending", "techtransfer_outbox_pending", "techtransfer_index_lag_seconds",
            "techtransfer_check_ok"} <= names
    host = next(dict(labels)["host"] for name, labels in found if name == "techtransfer_index_lag_seconds")
    assert host
    outbox = {name: v for (name, labels), v in found.items() if name == "techtransfer_outbox_pending"}
    assert outbox == {"techtransfer_outbox_pending": float(Event.objects.filter(relayed_at__isnull=True).count())}
    checks = {dict(labels)["check"] for name, labels in found if name == "techtransfer_check_ok"}
    assert {"database", "queue", "outbox", "index"} <= checks
