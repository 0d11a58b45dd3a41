"""Test kit for the taking side: feed pages signed with a test key, records with the common members, and a fake
peer platform (a local HTTP server in a thread) serving its feed page by page — or failing in a chosen way."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from techtransfer.exchange import format as fmt
from techtransfer.exchange import signing

NOW = "2026-12-03T08:00:00Z"


def _bi(text) -> dict:
    return text if isinstance(text, dict) else {"zh-Hans": str(text or ""), "en": ""}


# Every member of each kind the tests use, as the published schema requires them (``format.record_schema``).
KIND_DEFAULTS = {
    "achievement": lambda: {
        "abstract": _bi(""),
        "keywords": [],
        "industries": [],
        "ipc": [],
        "trl": None,
        "transfer_modes": [],
        "asking_price": None,
        "price_negotiable": False,
        "dual_use": False,
        "status": "published",
        "published_at": NOW,
        "ip_items": [],
    },
    "demand": lambda: {
        "problem": _bi(""),
        "target_indicators": "",
        "keywords": [],
        "budget_min": None,
        "budget_max": None,
        "deadline": None,
        "cooperation_modes": [],
        "status": "published",
        "published_at": NOW,
    },
    "statistics": lambda: {
        "year": 2025,
        "period": {"from": "2025-01-01", "to": "2025-12-31"},
        "side": "output",
        "currency": "CNY",
        "totals": {"count": 0, "contract_amount": "0.00", "tech_amount": "0.00"},
        "by_category": [],
        "by_flow": [],
    },
}
BILINGUAL = ("abstract", "problem")


def record(
    instance: str,
    kind: str,
    local_id,
    title: str,
    *,
    title_en: str = "",
    region: str | None = "500103",
    field_code: str | None = "05",
    owner: str = "重庆测试科技有限公司",
    credit_code: str | None = None,
    patents=(),
    **members,
) -> dict:
    """A record of ``kind`` with the common members and every member of its kind (``members`` override them)."""
    gid = f"{instance}/{kind}/{local_id}"
    rec = {
        "id": gid,
        "kind": kind,
        "url": f"https://{instance}.example.cn/{kind}s/{local_id}/",
        "title": {"zh-Hans": title, "en": title_en},
        "region": {"list": "GB/T 2260", "code": region} if region else None,
        "tech_field": {"list": "techtransfer-tech-field", "code": field_code} if field_code else None,
        "owner": {"id": f"{instance}/organization/1", "name": _bi(owner), "credit_code": credit_code or None}
        if owner
        else None,
        "patent_numbers": list(patents),
        "updated_at": NOW,
        **KIND_DEFAULTS[kind](),
    }
    for name, value in members.items():
        rec[name] = _bi(value) if name in BILINGUAL else value
    return rec


@dataclass
class FakePeer:
    """The feed of instance ``instance``: ``items`` in seq order; ``mode`` makes it misbehave."""

    instance: str = "cq-test"
    items: list = field(default_factory=list)
    mode: str = ""  # "", "500", "slow", "notjson", "malformed", "tamper", "forged", "wrong_instance", "foreign_id"
    requests: list = field(default_factory=list)
    seq: int = 0

    def __post_init__(self):
        self.private, self.public = signing.generate_keypair()

    def put(self, rec: dict) -> dict:
        self.seq += 1
        self.items = [i for i in self.items if i["id"] != rec["id"]]
        self.items.append(
            {
                "id": rec["id"],
                "kind": rec["kind"],
                "seq": str(self.seq),
                "deleted": False,
                "changed_at": NOW,
                "record": rec,
            }
        )
        return rec

    def withdraw(self, gid: str) -> None:
        self.seq += 1
        kind = gid.split("/")[1]
        self.items = [i for i in self.items if i["id"] != gid]
        self.items.append(
            {"id": gid, "kind": kind, "seq": str(self.seq), "deleted": True, "changed_at": NOW, "record": None}
        )

    def page(self, since: str, limit: int) -> dict:
        after = [i for i in self.items if int(i["seq"]) > int(since or 0)]
        chosen = after[:limit]
        doc = {
            "format": fmt.FORMAT,
            "version": fmt.VERSION,
            "instance": self.instance,
            "since": since,
            "next": chosen[-1]["seq"] if chosen else (since or "0"),
            "has_more": len(after) > limit,
            "generated_at": NOW,
            "items": json.loads(json.dumps(chosen)),
        }
        if self.mode == "wrong_instance":
            doc["instance"] = "yn-other"
        if self.mode == "foreign_id" and doc["items"]:
            doc["items"][0]["id"] = doc["items"][0]["record"]["id"] = "yn-other/achievement/1"
        if self.mode == "malformed" and doc["items"]:
            doc["items"][0]["seq"] = "not-a-number"
        key = self.private if self.mode != "forged" else signing.generate_keypair()[0]
        doc = signing.sign_document(doc, key)
        if self.mode == "tamper" and doc["items"] and doc["items"][0]["record"]:
            doc["items"][0]["record"]["title"]["zh-Hans"] = "篡改后的标题"
        return doc


class _Handler(http.server.BaseHTTPRequestHandler):
    peer: FakePeer
    page_limit: int | None = None

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        parsed = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        peer = self.server.peer
        peer.requests.append(self.path)
        if parsed.path != "/api/v1/exchange/feed":
            return self._send(404, b"{}")
        if peer.mode == "500":
            return self._send(500, b"<h1>Server Error</h1>", "text/html")
        if peer.mode == "slow":
            time.sleep(3)
        if peer.mode == "notjson":
            return self._send(200, b"<html>maintenance</html>", "text/html")
        limit = min(int(query.get("limit", 200)), self.server.page_limit or 200)
        body = json.dumps(peer.page(query.get("since", "0"), limit), ensure_ascii=False).encode()
        return self._send(200, body)

    def _send(self, status: int, body: bytes, ctype: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server:
    """``with Server(peer) as url:`` serves ``peer``'s feed at ``url`` (``page_limit`` caps items per page)."""

    def __init__(self, peer: FakePeer, page_limit: int | None = None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.peer = peer
        self.httpd.page_limit = page_limit
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def statistics_record(instance: str, local_id, year: int, totals: dict, region: str = "500000") -> dict:
    return record(
        instance,
        "statistics",
        local_id,
        f"{year} 年技术合同统计",
        region=region,
        field_code=None,
        owner="",
        year=year,
        period={"from": f"{year}-01-01", "to": f"{year}-12-31"},
        totals={"count": 0, "contract_amount": "0.00", "tech_amount": "0.00", **totals},
    )


def today() -> str:
    return datetime.date.today().isoformat()
