"""Dashboard queries of the contract statistics over N synthetic certified contracts.

Usage: python benchmarks/stats_dashboard.py --contracts 1000000 [--repeat 20] [--before-repeat 5]
(set TECHTRANSFER_DATABASE_URL for PostgreSQL; a throw-away test database is created and dropped).
Reports p50/p95 in ms for the province overview and each drill-down level: "before" = the plain ledger queries
(``breakdown``/``by_region`` over ``ContractEvent``), "after" = the dashboard queries over the monthly ledger
summary (``stats.services.table``/``regions``), for one calendar year and for a period with partial months.
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


def run(args) -> int:
    from django.db import connection

    from benchmarks._data import make_contracts
    from techtransfer.contracts import ledger
    from techtransfer.regions.models import Region
    from techtransfer.regions.services import scope_q
    from techtransfer.stats import services

    counties = list(Region.objects.filter(pk__startswith="53").exclude(pk__endswith="00").values_list("pk", flat=True))
    t0 = time.perf_counter()
    made = make_contracts(args.contracts)
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

    def measure(q, repeat):
        times = []
        for _ in range(repeat):
            s = time.perf_counter()
            q()
            times.append((time.perf_counter() - s) * 1000)
        times.sort()
        return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]

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


if __name__ == "__main__":
    raise SystemExit(main())
