"""Two real platform instances in one test run (issue 17, item 5): A serves Yunnan (530000, ``yn-test``), B
Chongqing (500000, ``cq-test``), each with its own data folder, database, key and port. An achievement published
on A is pulled by B (A registered on B as a peer with the key A publishes), found in B's search with provenance,
then withdrawn on A and gone from B's search after the next pull."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.processes import child_env, free_port

TITLE = "两实例测试用高原光伏逆变器"

# Run inside an instance's environment (its data folder): publish or withdraw the test achievement on it, or register
# a peer. The platform's own services do the work, as its pages and API would.
SCRIPT = textwrap.dedent("""
    import json, os, sys
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.config.settings")
    django.setup()
    from techtransfer.accounts.models import Role, RoleAssignment, User
    from techtransfer.catalog import services, workflow
    from techtransfer.catalog.models import Achievement
    from techtransfer.orgs import creditcode
    from techtransfer.orgs.models import Organization, OrgKind, Verification

    def user(name, role, region=None, org=None):
        u, created = User.objects.get_or_create(username=name)
        if created:
            RoleAssignment.objects.create(user=u, role=role, region_id=region, organization=org)
        return u

    action, args = sys.argv[1], sys.argv[2:]
    if action == "publish":
        org, _ = Organization.objects.get_or_create(
            name="五华光伏科技有限公司", defaults=dict(kind=OrgKind.ENTERPRISE, region_id="530102",
            credit_code=creditcode.make("9", "1", "530102", "00000001"), verification=Verification.VERIFIED))
        member = user("member", Role.ORG_MEMBER, org=org)
        admin = user("orgadmin", Role.ORG_ADMIN, org=org)
        region = user("regionadmin", Role.REGION_ADMIN, region="530000")
        ach = services.create_achievement(member, org, {
            "title": args[0], "abstract": "适用于高海拔地区的光伏并网逆变器。", "keywords": ["光伏", "逆变器"],
            "tech_field_id": "05", "trl": 7, "transfer_modes": ["transfer"], "price_negotiable": True,
            "ipc_codes": ["H02J 3/38"], "industry_codes": ["C3825"]})
        workflow.submit(member, ach)
        workflow.approve_by_org(admin, ach)
        workflow.publish(region, ach)
        print(json.dumps({"id": ach.pk}))
    elif action == "withdraw":
        ach = Achievement.objects.get(title=args[0])
        workflow.withdraw(User.objects.get(username="orgadmin"), ach, "不再转让")
        print(json.dumps({"id": ach.pk}))
    elif action == "add-peer":
        from techtransfer.exchange.services import peers
        admin = user("platformadmin", Role.PLATFORM_ADMIN)
        name, url, instance, key = args
        peer = peers.register(admin, name=name, base_url=url, instance_id=instance, public_key=key)
        print(json.dumps({"id": peer.pk}))
""")


class Instance:
    def __init__(self, root: Path, name: str, province: str, instance_id: str):
        self.data = root / name
        self.data.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = child_env(self.data, TECHTRANSFER_PROVINCE=province, TECHTRANSFER_INSTANCE_ID=instance_id,
                             TECHTRANSFER_TASKS="immediate")
        self.server = None

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "techtransfer", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def script(self, *args: str) -> dict:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        migrated = self.run("migrate")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        self.log = open(self.data / "server.log", "w")  # noqa: SIM115 - closed in stop()
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "techtransfer",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "1",
                "--threads",
                "4",
            ],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.server.poll() is None, (self.data / "server.log").read_text()[-3000:]
            try:
                self.get("/api/v1/exchange/key")
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"{self.url} did not start: {(self.data / 'server.log').read_text()[-3000:]}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        if self.server is not None:
            self.log.close()

    def get(self, path: str, **query) -> dict:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the test's own server
            return json.loads(response.read())


@pytest.fixture
def instances(tmp_path):
    a = Instance(tmp_path, "a", "530000", "yn-test")
    b = Instance(tmp_path, "b", "500000", "cq-test")
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.stop()
        b.stop()


def _network_hits(b: Instance) -> list[dict]:
    return b.get("/api/v1/matching/search", q=TITLE, source="network", mode="lexical")["hits"]


def test_publish_on_a_pull_on_b_find_withdraw_gone(instances):
    a, b = instances
    a.script("publish", TITLE)
    key = a.get("/api/v1/exchange/key")
    assert key["instance"] == "yn-test"
    b.script("add-peer", "云南省技术市场", a.url, key["instance"], key["public_key"])

    pulled = b.run("exchange", "pull", "yn-test")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    hits = _network_hits(b)
    assert [(h["title"], h["provenance"]) for h in hits] == [(TITLE, "云南省技术市场")]
    record = b.get(f"/api/v1/exchange/records/{hits[0]['id']}")
    assert record["global_id"].startswith("yn-test/achievement/") and record["source_url"].startswith(a.url)
    # B's own records do not include it; the "both" search does.
    assert not [h for h in b.get("/api/v1/matching/search", q=TITLE, source="local")["hits"] if h["title"] == TITLE]

    again = b.run("exchange", "pull", "yn-test")  # idempotent
    assert again.returncode == 0 and "0 new, 0 updated" in again.stdout
    assert len(_network_hits(b)) == 1

    a.script("withdraw", TITLE)
    pulled = b.run("exchange", "pull", "yn-test")
    assert pulled.returncode == 0 and "1 withdrawn" in pulled.stdout, pulled.stdout + pulled.stderr
    assert _network_hits(b) == []
