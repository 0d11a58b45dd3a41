"""Two application hosts on one PostgreSQL database and one Redis (issue 15, item 10): each runs `techtransfer
serve` (one web worker, with its index follower) and `techtransfer worker` on its own data folder. An achievement
published through host A's API is found through host B's search within 2 s; withdrawn through B's API, it is gone
from A's search within 2 s; host A killed (SIGKILL), host B keeps serving and indexing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.processes import child_env, free_port

pytestmark = pytest.mark.postgres

TITLES = ("双主机测试用高原光伏逆变器", "双主机测试用盐碱地改良剂")

# Run once in host A's environment: an organization, its people with API tokens, and two achievements one step
# before publication.
SETUP = textwrap.dedent("""
    import json, os, sys
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.config.settings")
    django.setup()
    from techtransfer.accounts import tokens
    from techtransfer.accounts.models import Role, RoleAssignment, User
    from techtransfer.catalog import services, workflow
    from techtransfer.orgs import creditcode
    from techtransfer.orgs.models import Organization, OrgKind, Verification

    def user(name, role, region=None, org=None):
        u = User.objects.create(username=name)
        RoleAssignment.objects.create(user=u, role=role, region_id=region, organization=org)
        return u

    org = Organization.objects.create(
        name="五华光伏科技有限公司", kind=OrgKind.ENTERPRISE, region_id="530102",
        credit_code=creditcode.make("9", "1", "530102", "00000001"), verification=Verification.VERIFIED)
    member = user("member", Role.ORG_MEMBER, org=org)
    admin = user("orgadmin", Role.ORG_ADMIN, org=org)
    region = user("regionadmin", Role.REGION_ADMIN, region="530000")
    ids = []
    for title in sys.argv[1:]:
        ach = services.create_achievement(member, org, {
            "title": title, "abstract": "适用于高海拔地区。", "keywords": [title],
            "tech_field_id": "05", "trl": 7, "transfer_modes": ["transfer"], "price_negotiable": True,
            "ipc_codes": ["H02J 3/38"], "industry_codes": ["C3825"]})
        workflow.submit(member, ach)
        workflow.approve_by_org(admin, ach)
        ids.append(ach.pk)
    print(json.dumps({"ids": ids, "region": tokens.issue(region, "test")[1], "owner": tokens.issue(admin, "test")[1]}))
""")


def _wait_for(predicate, seconds: float, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


class Host:
    def __init__(self, root: Path, name: str, database_url: str, redis_url: str):
        self.name = name
        self.data = root / name
        self.data.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = child_env(
            self.data,
            TECHTRANSFER_DATABASE_URL=database_url,
            TECHTRANSFER_REDIS_URL=redis_url,
            TECHTRANSFER_HOST_ID=name,
            TECHTRANSFER_SECRET_KEY="two-hosts-test-secret-key-0123456789-abcdefghijklmnopq",
        )
        self.procs: list[subprocess.Popen] = []
        self.log = None

    def run(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=300)  # noqa: S603

    def start(self) -> None:
        self.log = open(self.data / "host.log", "w")  # noqa: SIM115 - closed in stop()
        for argv in (["serve", "--port", str(self.port), "--workers", "1", "--threads", "4"], ["worker", "--quiet"]):
            self.procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "techtransfer", *argv],
                    env=self.env,  # noqa: S603
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                )
            )

    def ready(self) -> bool:
        for proc in self.procs:
            assert proc.poll() is None, self.tail()
        if not (self.data / "index" / "follower.json").exists():  # its index follows the log
            return False
        try:
            return self.get("/api/v1/health")["status"] in ("ok", "degraded")
        except OSError:
            return False

    def kill(self) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGKILL)
            proc.wait()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.log is not None:
            self.log.close()

    def tail(self) -> str:
        return (self.data / "host.log").read_text()[-4000:]

    def get(self, path: str, **query) -> dict:
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test's own server
            return json.loads(response.read())

    def post(self, path: str, body: dict, token: str) -> dict:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the test's own server
            return json.loads(response.read())

    def titles(self, q: str) -> set[str]:
        return {h["title"] for h in self.get("/api/v1/matching/search", q=q, mode="lexical")["hits"]}


@pytest.fixture
def database_url():
    """A throw-away database on the test run's PostgreSQL server."""
    if connection.vendor != "postgresql":
        pytest.skip("two hosts share one PostgreSQL database")
    import psycopg  # here: only the PostgreSQL runs have (and need) the driver

    db = settings.DATABASES["default"]
    name = f"tt_two_hosts_{uuid.uuid4().hex[:12]}"
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = urllib.parse.quote(db["USER"]) + (f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    yield f"postgresql://{auth}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(**params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_hosts(tmp_path, database_url, redis_server):
    a, b = (Host(tmp_path, name, database_url, redis_server.url) for name in ("host-a", "host-b"))
    try:
        migrated = a.run(sys.executable, "-m", "techtransfer", "migrate")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        a.start()
        b.start()
        assert _wait_for(lambda: a.ready() and b.ready(), 120, step=0.3), a.tail() + b.tail()
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_publish_on_a_found_on_b_withdraw_on_b_gone_on_a_and_b_outlives_a(two_hosts):
    a, b = two_hosts
    done = a.run(sys.executable, "-c", SETUP, *TITLES)
    assert done.returncode == 0, done.stderr[-3000:]
    made = json.loads(done.stdout.strip().splitlines()[-1])
    first, second = made["ids"]
    for host in (a, b):  # each web worker's first search loads the text analysis: not what is measured here
        assert TITLES[0] not in host.titles(TITLES[0])

    a.post(f"/api/v1/catalog/achievements/{first}/transitions", {"action": "publish"}, made["region"])
    published = time.monotonic()
    assert _wait_for(lambda: TITLES[0] in b.titles(TITLES[0]), 5), b.tail()
    assert time.monotonic() - published < 2.0, f"found on host B after {time.monotonic() - published:.2f} s"
    assert TITLES[0] in a.titles(TITLES[0])

    b.post(
        f"/api/v1/catalog/achievements/{first}/transitions", {"action": "withdraw", "reason": "不再转让"}, made["owner"]
    )
    withdrawn = time.monotonic()
    assert _wait_for(lambda: TITLES[0] not in a.titles(TITLES[0]), 5), a.tail()
    assert time.monotonic() - withdrawn < 2.0, f"still on host A after {time.monotonic() - withdrawn:.2f} s"
    assert TITLES[0] not in b.titles(TITLES[0])

    a.kill()  # host A dies: its server, its worker (and with the server its web worker and index follower)
    with pytest.raises(OSError):
        _wait_for(lambda: not a.get("/api/v1/health"), 10, step=0.5)
    b.post(f"/api/v1/catalog/achievements/{second}/transitions", {"action": "publish"}, made["region"])
    assert _wait_for(lambda: TITLES[1] in b.titles(TITLES[1]), 5), b.tail()
    health = b.get("/api/v1/health")
    assert health["checks"]["database"]["status"] == "ok" and health["checks"]["index"]["status"] == "ok"
