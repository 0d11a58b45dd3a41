"""The page benchmark (benchmarks/pages.py) at a trivial size, so that it does not rot, and its floor view, which
only the benchmark turns on."""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve

from benchmarks import pages

FLOOR = "/_bench/floor"


def fresh_urlconf(monkeypatch, value: str | None):
    """A new copy of the URL map module, read with TECHTRANSFER_BENCHMARK_FLOOR set to ``value`` (or unset)."""
    if value is None:
        monkeypatch.delenv("TECHTRANSFER_BENCHMARK_FLOOR", raising=False)
    else:
        monkeypatch.setenv("TECHTRANSFER_BENCHMARK_FLOOR", value)
    spec = importlib.util.find_spec("techtransfer.config.urls")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_floor_view_is_absent_by_default(client, monkeypatch):
    assert client.get(FLOOR).status_code == 404
    for value in (None, "0"):
        with pytest.raises(Resolver404):
            resolve(FLOOR, urlconf=fresh_urlconf(monkeypatch, value))


def test_floor_view_answers_when_the_benchmark_turns_it_on(monkeypatch):
    match = resolve(FLOOR, urlconf=fresh_urlconf(monkeypatch, "1"))
    response = match.func(RequestFactory().get(FLOOR))
    assert response.status_code == 200
    assert response.content == b"Hello, world"


@pytest.mark.django_db
def test_prepared_data_serves_every_benchmarked_page(tmp_path, isolated_index):
    """The prepare step at a trivial size: the records, the index and the province user it makes give a 200 on
    every page the benchmark loads (the statistics page signed in through the sign-in form)."""
    pages.prepare_child(tmp_path, achievements=30, contracts=200)
    info = json.loads((tmp_path / "prepared.json").read_text(encoding="utf-8"))
    assert info["contracts_made"] == 200 and len(info["pks"]) == 30 and info["words"]
    anonymous, province = Client(), Client()
    signed_in = province.post("/accounts/login/", {"username": info["username"], "password": info["password"]})
    assert signed_in.status_code == 302
    checked = 0
    for page in pages.pages_for(info):
        if page.name == pages.FLOOR:
            continue
        for path in page.paths[:3]:
            response = (province if page.signed_in else anonymous).get(path)
            assert response.status_code == 200, (page.name, path, response.status_code)
            checked += 1
    # a query of the benchmark finds records in the catalogue list (the index was built)
    found = anonymous.get(pages.pages_for(info)[3].paths[0])
    assert any(f"/catalog/achievements/{pk}/" in found.content.decode() for pk in info["pks"])
    assert checked >= 10


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn

    def do_GET(self):  # noqa: N802 - the stdlib's name
        status = 500 if self.path == "/broken" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_load_client_counts_requests_and_errors_and_the_table_shows_the_floor_ratio(local_server):
    ok = pages.load(local_server, pages.Page(pages.FLOOR, ["/a", "/b"]), clients=2, seconds=0.3, warmup=0.1)
    broken = pages.load(local_server, pages.Page("broken", ["/broken"]), clients=2, seconds=0.2, warmup=0.05)
    assert ok.requests > 10 and ok.errors == 0 and len(ok.latencies_ms) == ok.requests
    assert broken.requests > 0 and broken.errors == broken.requests
    floor_p95 = pages.percentile(sorted(ok.latencies_ms), 95)
    run = {
        "achievements": 10,
        "contracts": 20,
        "database": "sqlite",
        "load_average_before": 1.0,
        "load_average_after": 1.0,
        "pages": [ok.summary(floor_p95), broken.summary(floor_p95)],
    }
    text = pages.table(run)
    assert "| page | req/s | p50 ms | p95 ms | p95 ÷ floor p95 |" in text
    assert f"| {pages.FLOOR} |" in text and f"| 1.0× | {ok.requests:,} | 0 |" in text
    bigger = {**run, "achievements": 100, "pages": [{**p, "p95_ms": p["p95_ms"] * 2} for p in run["pages"]]}
    assert "| 2.00× |" in pages.scaling_table([run, bigger])
    assert pages.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0 and pages.percentile([], 95) == 0.0
