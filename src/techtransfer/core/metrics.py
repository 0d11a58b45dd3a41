"""The Prometheus metrics endpoint, ``GET /metrics`` (``TECHTRANSFER_METRICS=1``; docs/operations.md, "Metrics").

- Request latency by view and method, and request/response counts: django-prometheus's middleware
  (``django_http_requests_latency_seconds_by_view_method``, ...), added to ``MIDDLEWARE`` by the settings.
- What the service is doing, read when scraped: one gauge per figure of the health checks that
  ``GET /api/v1/health`` shows (``core/health.py`` and the apps' ``status_checks``): the task queue's depth
  (``techtransfer_queue_pending``), the outbox backlog (``techtransfer_outbox_pending``,
  ``techtransfer_outbox_oldest_pending_seconds``), the search index's lag on this host
  (``techtransfer_index_lag_seconds``), labelled with the host; ``techtransfer_check_ok`` is 1 per healthy check.

The web server runs several processes: each writes its request figures into ``PROMETHEUS_MULTIPROC_DIR`` (set by
the settings) and a scrape of any of them adds up all (prometheus_client's multiprocess mode), so one address per
host is scraped. The endpoint is never public (:func:`allowed`).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import re
import socket

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from techtransfer.core.health import OK, runtime_status

# A request that came through a proxy carries one of these: its connection's address is the proxy's, not the
# client's, so the address list never admits it (only the token does).
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def allowed(request) -> bool:
    """The bearer token when one is configured, or a direct connection from an allowed address."""
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    if any(request.META.get(h) for h in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOW)


def _metric_name(*parts: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_]", "_", "_".join(("techtransfer", *parts)))


def status_metrics() -> list[GaugeMetricFamily]:
    """The health checks' figures as gauges (the one place that wires them): numbers (and yes/no as 1/0) become
    ``techtransfer_<check>_<figure>``, text figures become labels of the check's numbers (so a check reported once
    per host, e.g. ``{"host": "web-2", "lag_seconds": 0.4}``, gives one series per host)."""
    host = socket.gethostname()
    healthy = GaugeMetricFamily("techtransfer_check_ok", "1 when the health check is ok, 0 when degraded or down",
                                labels=["host", "check"])
    families: dict[str, GaugeMetricFamily] = {}
    for check in runtime_status()[1]:
        text = {k: str(v) for k, v in check.figures.items() if isinstance(v, str)}
        labels = {"host": host, **text}
        healthy.add_metric([labels["host"], check.name], 1.0 if check.status == OK else 0.0)
        for figure, value in check.figures.items():
            if isinstance(value, str) or not isinstance(value, int | float):
                continue
            name = _metric_name(check.name, figure)
            family = families.get(name)
            if family is None:
                family = families[name] = GaugeMetricFamily(
                    name, f"{check.name} health check: {figure}", labels=sorted(labels))
            family.add_metric([labels[k] for k in sorted(labels)], float(value))
    return [healthy, *families.values()]


class _StatusCollector:
    def collect(self):
        yield from status_metrics()


def render() -> bytes:
    """The text exposition: the request figures (of every web process in multiprocess mode), then the status."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        MultiProcessCollector(requests)
    else:
        requests = REGISTRY
    status = CollectorRegistry(auto_describe=False)
    status.register(_StatusCollector())
    return generate_latest(requests) + generate_latest(status)


@never_cache
def metrics(request):
    if not settings.METRICS_ENABLED:
        raise Http404
    if not allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
