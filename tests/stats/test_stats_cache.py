"""The statistics' cache (stats/cache.py): fewer queries when warm, never stale after a ledger change, never shared
across scopes that see different figures, and a warm page identical to a cold one."""

import re

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from techtransfer.contracts import ledger
from techtransfer.contracts import services as contracts
from techtransfer.stats import cache as stats_cache
from techtransfer.stats import services as stats
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.stats.test_stats_summary import _pay, history  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

YEAR = {"year": "2025"}


@pytest.fixture(autouse=True)
def host_cache(monkeypatch):
    """A local cache of this test's own, as one application host has (no entries from other tests)."""
    own = LocMemCache(f"stats-test-{id(monkeypatch)}", {})
    monkeypatch.setattr(stats_cache, "cache", own)
    return own


def page(client, **params) -> str:
    r = client.get("/stats/", {**YEAR, **params})
    assert r.status_code == 200
    # CSRF tokens (sign-out and language forms) are masked anew for every response.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", r.content.decode())


def certify(history):  # noqa: F811
    """One more contract, certified on the fixture's clock (2025-04-02), 五华区 seller."""
    dates = {"signed_on": "2024-12-01", "term_start": "2024-12-01", "term_end": "2026-12-01"}
    return history.certified(**dates, payments=_pay("1000000.00"))


def figure(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)


def test_a_cached_page_needs_fewer_queries_and_is_identical(history, client_for, settings):  # noqa: F811
    client = client_for(history.w.province_admin)
    with CaptureQueriesContext(connection) as cold:
        first = page(client)
    with CaptureQueriesContext(connection) as warm:
        second = page(client)
    assert second == first
    assert len(warm) < len(cold) - 10, (len(cold), len(warm))
    # No summary or ledger query when warm: only the session, the user, its roles, the generation and the targets.
    assert not [q for q in warm.captured_queries if "contracts_ledgersummary" in q["sql"]]
    assert not [q for q in warm.captured_queries if "contracts_contractevent" in q["sql"]]
    # And the same page as without any cache.
    settings.STATS_CACHE_SECONDS = 0
    assert page(client) == first


def test_every_ledger_change_shows_on_the_next_request(history, client_for):  # noqa: F811
    client = client_for(history.w.province_admin)
    before = page(client)
    assert figure(before, "output-count") == "3"
    entries = len(stats_cache.cache._cache)
    new = certify(history)
    after = page(client)
    assert figure(after, "output-count") == "4"
    # Nothing was deleted from the cache (another host would not have heard of it): the key moved on.
    assert len(stats_cache.cache._cache) > entries
    contracts.amend(history.reviewer, new, note="追加", contract_amount="3000000.00")
    amended = page(client)
    assert figure(amended, "output-count") == "4"
    assert figure(amended, "output-tech") != figure(after, "output-tech")
    contracts.cancel(history.reviewer, new, "双方解除")
    assert page(client) == before  # certified and cancelled the same day: nothing left in any table
    # The API follows the same generations.
    body = client.get("/api/v1/stats/contracts", {"dimension": "category", "region": "530000"}).json()
    assert body["total"]["count"] == stats.totals(None, region="530000").count == 3


def test_another_host_with_its_own_cache_never_serves_old_figures(history, client_for, monkeypatch):  # noqa: F811
    host_a, host_b = LocMemCache("host-a", {}), LocMemCache("host-b", {})
    client = client_for(history.w.province_admin)
    for host in (host_a, host_b):
        monkeypatch.setattr(stats_cache, "cache", host)
        assert figure(page(client), "output-count") == "3"
    monkeypatch.setattr(stats_cache, "cache", host_a)
    certify(history)  # "on host A"
    monkeypatch.setattr(stats_cache, "cache", host_b)
    assert figure(page(client), "output-count") == "4"


def test_scopes_never_see_each_others_cached_tables(history, client_for, settings):  # noqa: F811
    w = history.w
    users = {
        "province": w.province_admin,
        "county": w.panlong_admin,  # 盘龙区: sold nothing
        "city": w.kunming_admin,
        "member": w.member,  # 五华 organization: its own contracts only
        "platform": w.platform_admin,
    }
    clients = {name: client_for(user) for name, user in users.items()}
    asks = [{}, {"region": "530000"}, {"region": "530100"}, {"region": "530302"}]
    settings.STATS_CACHE_SECONDS = 0
    truth = {(name, i): page(c, **ask) for name, c in clients.items() for i, ask in enumerate(asks)}
    settings.STATS_CACHE_SECONDS = 3600
    # Every order of first visits: each scope first, then the others, twice (cold and warm).
    for _round in range(2):
        for name in (*users, *reversed(users)):
            for i, ask in enumerate(asks):
                assert page(clients[name], **ask) == truth[(name, i)], (name, ask)
    assert figure(truth[("county", 1)], "output-count") == "0"
    assert figure(truth[("province", 1)], "output-count") == "3"
    assert figure(truth[("member", 0)], "output-count") != figure(truth[("platform", 1)], "output-count")
    # Visitors get no page and no figures.
    assert client_for().get("/stats/", YEAR).status_code == 302
    assert client_for().get("/api/v1/stats/contracts").status_code in (401, 403)


def test_a_region_inside_the_scope_shares_the_entries_of_everyone(history, client_for):  # noqa: F811
    """昆明 asked by the province's and by 昆明's administrators: the same figures, one entry, a hit the second time."""
    with CaptureQueriesContext(connection) as first:
        page(client_for(history.w.province_admin), region="530100")
    with CaptureQueriesContext(connection) as second:
        page(client_for(history.w.kunming_admin), region="530100")

    def summary_queries(captured):
        return [q["sql"] for q in captured.captured_queries if "contracts_ledgersummary" in q["sql"]]

    # Only the province's plan targets are counted again: within 昆明's scope, not the whole province's.
    assert all("'53%'" in sql and "'5301%'" in sql for sql in summary_queries(second))
    assert len(summary_queries(second)) <= 2 < len(summary_queries(first))
    member = stats.scope_of(history.w.member)
    assert stats_cache.scope_key(member, "530100") != "all"  # organization members: their own key
    assert stats_cache.scope_key(stats.scope_of(history.w.panlong_admin), "530000") != "all"


def test_the_generation_moves_with_the_ledger_only_when_committed(history):  # noqa: F811
    before = ledger.generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        certify(history)
        assert ledger.generation() != before
        raise RuntimeError
    assert ledger.generation() == before
    ledger.rebuild()
    assert ledger.generation() != before


def test_an_unreachable_cache_only_costs_time(history, client_for, monkeypatch):  # noqa: F811
    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("redis down")

        def set(self, *args, **kwargs):
            raise ConnectionError("redis down")

    client = client_for(history.w.province_admin)
    expected = page(client)
    monkeypatch.setattr(stats_cache, "cache", Down())
    assert page(client) == expected
