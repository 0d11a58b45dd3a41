"""Test fixtures shared by every area: users with roles, organizations in different counties, API clients."""

from __future__ import annotations

import itertools
import os
import shutil

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import settings as hypothesis_settings

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.orgs import creditcode
from techtransfer.orgs.models import Organization, OrgKind, Verification
from tests.processes import RedisServer

# Two cities of the default province (Yunnan, 530000) with two counties each.
KUNMING, WUHUA, PANLONG = "530100", "530102", "530103"
QUJING, QILIN = "530300", "530302"

_seq = itertools.count(1)

# Property tests stay bounded so the suite stays fast, and leave no example database in the checkout.
hypothesis_settings.register_profile("techtransfer", max_examples=100, deadline=None, database=None)
hypothesis_settings.load_profile("techtransfer")


def pytest_report_header(config):
    from django.conf import settings

    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default'].get('NAME')}"


def make_credit_code(region: str = WUHUA) -> str:
    n = next(_seq)
    return creditcode.make("9", "1", region, f"{n:08d}")


@pytest.fixture
def make_user(db):
    def _make(
        username: str | None = None,
        role: str | None = None,
        region: str | None = None,
        org: Organization | None = None,
        **extra,
    ) -> User:
        username = username or f"user{next(_seq)}"
        user = User.objects.create_user(username=username, password="Correct-Horse-9", **extra)
        if role:
            RoleAssignment.objects.create(user=user, role=role, region_id=region, organization=org)
        return user

    return _make


@pytest.fixture
def make_org(db):
    def _make(
        name: str | None = None,
        region: str = WUHUA,
        kind: str = OrgKind.ENTERPRISE,
        verification: str = Verification.VERIFIED,
        **extra,
    ) -> Organization:
        return Organization.objects.create(
            name=name or f"测试机构{next(_seq)}",
            kind=kind,
            region_id=region,
            credit_code=extra.pop("credit_code", None) or make_credit_code(region),
            verification=verification,
            contact_name="联系人",
            contact_phone="0871-12345678",
            contact_email="contact@example.cn",
            **extra,
        )

    return _make


@pytest.fixture
def world(make_user, make_org):
    """Organizations in two counties and users of every role, scoped to them."""

    class W:
        pass

    w = W()
    w.wuhua_org = make_org("五华测试科技有限公司", region=WUHUA)
    w.wuhua_pending = make_org("五华待审机构", region=WUHUA, verification=Verification.PENDING)
    w.panlong_org = make_org("盘龙测试科技有限公司", region=PANLONG)
    w.panlong_pending = make_org("盘龙待审机构", region=PANLONG, verification=Verification.PENDING)
    w.qilin_org = make_org("麒麟测试科技有限公司", region=QILIN, verification=Verification.PENDING)
    w.visitor = make_user("visitor")
    w.member = make_user("member", Role.ORG_MEMBER, org=w.wuhua_org)
    w.org_admin = make_user("orgadmin", Role.ORG_ADMIN, org=w.wuhua_org)
    w.wuhua_admin = make_user("wuhua_admin", Role.REGION_ADMIN, region=WUHUA)
    w.panlong_admin = make_user("panlong_admin", Role.REGION_ADMIN, region=PANLONG)
    w.kunming_admin = make_user("kunming_admin", Role.REGION_ADMIN, region=KUNMING)
    w.province_admin = make_user("province_admin", Role.REGION_ADMIN, region="530000")
    w.platform_admin = make_user("platform_admin", Role.PLATFORM_ADMIN)
    return w


@pytest.fixture
def client_for():
    def _client(user=None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return _client


@pytest.fixture
def isolated_index(settings, tmp_path):
    """A search index folder of the test's own, built from the test database on first use and forgotten after."""
    from techtransfer.matching import indexing  # matching is imported only by the tests that ask for an index

    settings.MATCHING_INDEX_DIR = tmp_path / "index"
    indexing.reset()
    yield settings.MATCHING_INDEX_DIR
    indexing.reset()


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    # The catalogue lists search through the index: each test's own, built from its database on first use
    # (the matching app reopens it when the folder setting changes; a test's rolled-back ids must not meet
    # another test's documents), and no cached list counts carried over from another test.
    settings.MATCHING_INDEX_DIR = tmp_path / "index"
    cache.clear()


@pytest.fixture
def redis_server(tmp_path):
    """A throw-away ``redis-server`` on a free port (``tests.processes.RedisServer``), killed after the test."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for the tests of a module and rolled back after them (what Django's
    ``TestCase.setUpTestData`` does for a class): loading it takes about a minute, so a module that checks many
    things about it loads it once. Each test still runs in its own savepoint. Yields ``load_demo()``'s result."""
    from django.db import transaction

    from techtransfer.demo.services import load_demo

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="session", autouse=True)
def _postgres_really_used(django_db_setup, django_db_blocker):
    """When the run is meant for PostgreSQL, fail loudly if the tests are on another database."""
    if os.environ.get("TECHTRANSFER_REQUIRE_POSTGRES") == "1":
        from django.db import connection

        assert connection.vendor == "postgresql", f"expected PostgreSQL, got {connection.vendor}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keep the serialized reference data reachable from every database connection object.

    Playwright's sync API runs tests inside a greenlet, where Django's context-local ``connections`` hands
    out a fresh connection object without the serialized copy; a class-level fallback keeps it available.
    """
    from django.db import connections

    for conn in connections.all():
        contents = getattr(conn, "_test_serialized_contents", None)
        if contents:
            type(conn)._test_serialized_contents = contents
    yield


def pytest_collection_modifyitems(config, items):
    """Transactional tests flush every table afterwards, including the reference data the migrations seed
    (regions, fields, contract categories). Restore it for them with Django's serialized rollback.
    TECHTRANSFER_SKIP_BROWSER=1 skips the browser tests (for quick local runs; CI runs them)."""
    skip_browser = os.environ.get("TECHTRANSFER_SKIP_BROWSER") == "1"
    for item in items:
        if skip_browser and "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason="TECHTRANSFER_SKIP_BROWSER=1"))
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )


# -- reference data after a transactional test --------------------------------------------------------------------
# A transactional test ends with a flush of every table (its serialized rollback restores the reference data only
# when the *next transactional* test starts). Serially, pytest-django runs them after all the others; under
# pytest-xdist (scripts/test runs `-n`), a worker may get a file of ordinary tests after one with transactional
# tests, so the reference data is restored before the first ordinary database test that follows a flush.
_flushed = False
_TRANSACTIONAL_FIXTURES = {
    "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _database_use(item) -> str:
    """"transactional", "plain" or "" (no database) for a collected test."""
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    if (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))) or (
            names & _TRANSACTIONAL_FIXTURES):
        return "transactional"
    return "plain" if marker or "db" in names else ""


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    global _flushed
    if _flushed and _database_use(item) == "plain":
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for conn in connections.all(initialized_only=False):
                contents = getattr(conn, "_test_serialized_contents", None)
                if contents:
                    conn.creation.deserialize_db_from_string(contents)
        _flushed = False


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    global _flushed
    if _database_use(item) == "transactional":
        _flushed = True
