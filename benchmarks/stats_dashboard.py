"""Dashboard queries of the contract statistics over N synthetic certified contracts.

Usage: python benchmarks/stats_dashboard.py --contracts 1000000 [--repeat 20] [--before-repeat 5]
       python benchmarks/stats_dashboard.py --contracts 1000000 --page [--repeat 50] [--profile cold|warm]
(set TECHTRANSFER_DATABASE_URL for PostgreSQL; a throw-away test database is created and dropped).
Reports p50/p95 in ms for the province overview and each drill-down level: "before" = the plain ledger queries
(``breakdown``/``by_region`` over ``ContractEvent``), "after" = the dashboard queries over the monthly ledger
summary (``stats.services.table``/``regions``, the statistics' cache turned off), for one calendar year and for a
period with partial months.

``--page``: the whole statistics page (``/stats/?year=2025``) as a province administrator through Django's test
client, cold (the first request after a ledger change: every figure computed, rendered and cached) and warm
(cached), beside a hello-world view through the same middleware in the same run; wall-clock and CPU time, the
ratio of each to the floor's, and the SQL statements of one request.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contracts", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--before-repeat", type=int, default=5, help="repetitions of the plain ledger queries (0: skip)")
    ap.add_argument("--page", action="store_true", help="measure the whole page (cold, warm, floor), not the queries")
    ap.add_argument("--page-year", type=int, default=2025)
    ap.add_argument("--profile", choices=("cold", "warm"), help="with --page: cProfile one request")
    ap.add_argument("--profile-sort", default="cumulative", help="pstats sort key, e.g. tottime")
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0)
    try:
        return run(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def generate(n: int) -> list[str]:
    """N synthetic certified contracts with one ledger event each, then the monthly summary rebuilt. Returns the
    province's county codes (sellers are spread over them)."""
    from django.db import connection

    from benchmarks._data import make_contracts
    from techtransfer.contracts import ledger
    from techtransfer.regions.models import Region

    counties = list(Region.objects.filter(pk__startswith="53").exclude(pk__endswith="00").values_list("pk", flat=True))
    t0 = time.perf_counter()
    made = make_contracts(n)
    generated = time.perf_counter() - t0
    t1 = time.perf_counter()
    summary_rows = ledger.rebuild()
    rebuilt = time.perf_counter() - t1
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"generated {made:,} contracts + events in {generated:.0f} s, ledger summary ({summary_rows:,} rows) "
        f"rebuilt in {rebuilt:.0f} s on {connection.vendor}"
    )
    return counties


def run(args) -> int:
    from django.test import override_settings

    counties = generate(args.contracts)
    made = args.contracts
    if args.page:
        return page(args)
    with override_settings(STATS_CACHE_SECONDS=0):  # the queries themselves, not the statistics' cache
        return queries(args, counties, made)


def queries(args, counties, made) -> int:
    from django.db import connection

    from techtransfer.regions.services import scope_q
    from techtransfer.stats import services

    city = counties[0][:4] + "00"
    year = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    partial = (datetime.date(2025, 1, 15), datetime.date(2025, 12, 20))
    before = {
        "province overview (by category)": lambda: services.breakdown(
            "category", services.ledger(None, *year).filter(scope_q("contract__seller_region_id", "530000"))
        ),
        "province → cities": lambda: services.by_region(services.ledger(None, *year), parent="530000", tier="city"),
        "city → counties": lambda: services.by_region(services.ledger(None, *year), parent=city, tier="county"),
    }
    after = {
        "province overview (by category)": lambda: services.table(None, "category", *year, region="530000"),
        "province → cities": lambda: services.regions(None, "output", "city", "530000", *year),
        "city → counties": lambda: services.regions(None, "output", "county", city, *year),
        "province overview, period with partial months": lambda: services.table(
            None, "category", *partial, region="530000"
        ),
        "province → cities, absorption": lambda: services.regions(None, "absorption", "city", "530000", *year),
    }
    # Same figures both ways (the summary is exact).
    assert {r.key: r.count for r in before["province → cities"]()} == {
        r.key: r.count for r in after["province → cities"]()
    }

    print(f"| query | contracts | {connection.vendor} before p50 / p95 ms | after p50 / p95 ms | p95 ratio |")
    print("|---|---|---|---|---|")
    for name, q in after.items():
        a50, a95 = measure(q, args.repeat)
        if name in before and args.before_repeat:
            b50, b95 = measure(before[name], args.before_repeat)
            print(f"| {name} | {made:,} | {b50:.0f} / {b95:.0f} | {a50:.0f} / {a95:.0f} | {b95 / a95:.0f}× |")
        else:
            print(f"| {name} | {made:,} | — | {a50:.0f} / {a95:.0f} | — |")
    return 0


def measure(q, repeat):
    times = []
    for _ in range(repeat):
        s = time.perf_counter()
        q()
        times.append((time.perf_counter() - s) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def measure_cpu(q, repeat):
    """p50 / p95 wall-clock ms and p50 CPU ms of this process (what other jobs on a shared machine cannot add)."""
    wall, cpu = [], []
    for _ in range(repeat):
        s, c = time.perf_counter(), time.process_time()
        q()
        wall.append((time.perf_counter() - s) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[min(len(wall) - 1, int(0.95 * len(wall)))], statistics.median(cpu)


def hello(request):
    from django.http import HttpResponse

    return HttpResponse("Hello, world")


def page(args) -> int:
    """The whole statistics page as a province administrator through Django's test client: cold (the first
    request after a ledger change, which recomputes and caches) and warm (cached), beside a hello-world view
    through the same middleware, measured in the same run."""
    import types

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client, override_settings
    from django.test.utils import teardown_test_environment
    from django.urls import path

    from techtransfer.accounts.models import Role, RoleAssignment, User
    from techtransfer.contracts import ledger

    # The test environment's instrumented template rendering copies every context for the test client: not what
    # a served page pays.
    teardown_test_environment()
    # One connection kept open for the run, as a served process with persistent connections (and Django's test
    # cases) do; closing it after each request would also lose the in-memory test database's query log.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    urls = types.ModuleType("stats_dashboard_urls")
    urls.urlpatterns = [path("bench/hello/", hello), path("", include_project())]
    user = User.objects.create_user(username="bench_province", password="Correct-Horse-9")
    RoleAssignment.objects.create(user=user, role=Role.REGION_ADMIN, region_id="530000")
    client = Client()
    client.force_login(user)
    url = f"/stats/?year={args.page_year}"

    def get(address):
        r = client.get(address)
        assert r.status_code == 200, (address, r.status_code)
        return r

    def cold():
        ledger.bump_generation()  # what every registered contract, amendment or cancellation does
        get(url)

    with override_settings(ROOT_URLCONF=urls, ALLOWED_HOSTS=["testserver"], DEBUG=False):
        get(url)  # imports, templates, translations loaded once
        with counting(connection) as q_warm:
            warm_body = get(url).content
        with counting(connection) as q_cold:
            cold()
        assert same_page(get(url).content, warm_body), "a cold and a warm page differ"
        rows = [
            ("hello-world (floor)", measure_cpu(lambda: get("/bench/hello/"), args.repeat), "—"),
            ("statistics page, cold (after a ledger change)", measure_cpu(cold, args.repeat), len(q_cold)),
            ("statistics page, warm (cached)", measure_cpu(lambda: get(url), args.repeat), len(q_warm)),
        ]
        with override_settings(STATS_CACHE_SECONDS=0):
            with counting(connection) as q_off:
                get(url)
            off = measure_cpu(lambda: get(url), args.repeat)
        rows.append(("statistics page, cache off (as before)", off, len(q_off)))
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.runcall(cold if args.profile == "cold" else (lambda: get(url)))
            pstats.Stats(prof).sort_stats(args.profile_sort).print_stats(40)
    floor50, _floor95, floor_cpu = rows[0][1]
    print(
        f"| page ({args.contracts:,} contracts, {connection.vendor}) | p50 / p95 ms | p50 ÷ floor | CPU p50 ms "
        "| CPU ÷ floor | queries |"
    )
    print("|---|---|---|---|---|---|")
    for name, (p50, p95, cpu), queries in rows:
        print(
            f"| {name} | {p50:.1f} / {p95:.1f} | {p50 / floor50:.0f}× | {cpu:.1f} | {cpu / max(floor_cpu, 0.01):.0f}× "
            f"| {queries} |"
        )
    return 0


class counting:  # noqa: N801  (a context manager, read as a phrase)
    """Counts the SQL statements run on ``connection`` inside the block (``len(...)``)."""

    def __init__(self, connection):
        self.connection, self.n = connection, 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrap = self.connection.execute_wrapper(self)
        self._wrap.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrap.__exit__(*exc)

    def __len__(self) -> int:
        return self.n


def same_page(a: bytes, b: bytes) -> bool:
    """Equal but for the CSRF tokens (masked anew for every response)."""
    import re

    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    return token.sub(b"", a) == token.sub(b"", b)


def include_project():
    from django.urls import include

    return include("techtransfer.config.urls")


if __name__ == "__main__":
    raise SystemExit(main())
