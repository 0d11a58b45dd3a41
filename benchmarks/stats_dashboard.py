"""Dashboard queries of the contract statistics over N synthetic certified contracts.

Usage: python benchmarks/stats_dashboard.py --contracts 100000 [--repeat 20]
(set TECHTRANSFER_DATABASE_URL for PostgreSQL; a throw-away test database is created and dropped).
Reports p50/p95 in ms for the province overview and each drill-down level.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--contracts", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
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

    from techtransfer.contracts.models import ContractEvent, EventKind, Flow, Status, TechContract
    from techtransfer.orgs.models import Organization, OrgKind
    from techtransfer.regions.models import Region
    from techtransfer.stats import services

    rng = random.Random(1)
    counties = list(Region.objects.filter(pk__startswith="53").exclude(pk__endswith="00").values_list("pk", flat=True))
    seller = Organization.objects.create(name="基准卖方", kind=OrgKind.ENTERPRISE, region_id=counties[0])
    point = Organization.objects.create(name="基准登记点", kind=OrgKind.REGISTRATION_POINT, region_id="530100")
    cats = [("development", "dev_commissioned"), ("transfer", "tr_patent"), ("service", "svc_general")]
    t0 = time.perf_counter()
    tz = datetime.UTC
    batch = 20_000
    made = 0
    while made < args.contracts:
        n = min(batch, args.contracts - made)
        rows = []
        for i in range(n):
            cat, sub = rng.choice(cats)
            day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(1000))
            amount = Decimal(rng.randrange(10_000, 20_000_000)).quantize(Decimal("0.01"))
            rows.append(
                TechContract(
                    name="c",
                    status=Status.CERTIFIED,
                    category_id=cat,
                    subcategory_id=sub,
                    contract_amount=amount,
                    tech_amount=amount,
                    non_tech_amount=Decimal(0),
                    registration_point=point,
                    seller_org=seller,
                    seller_region_id=rng.choice(counties),
                    buyer_region_id=rng.choice(counties),
                    flow=Flow.IN_PROVINCE,
                    registered_on=day,
                    registration_number=f"B{made + i:012d}",
                )
            )
        TechContract.objects.bulk_create(rows, batch_size=2000)
        ContractEvent.objects.bulk_create(
            [
                ContractEvent(
                    contract=c,
                    kind=EventKind.CERTIFIED,
                    at=datetime.datetime(2024, 1, 1, tzinfo=tz),
                    effective_on=c.registered_on,
                    count_delta=1,
                    contract_amount_delta=c.contract_amount,
                    tech_amount_delta=c.tech_amount,
                )
                for c in rows
            ],
            batch_size=2000,
        )
        made += n
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"generated {made} contracts in {time.perf_counter() - t0:.1f} s on {connection.vendor}")
    city = counties[0][:4] + "00"
    year = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    queries = {
        "province overview (by category)": lambda: services.breakdown("category", services.ledger(None, *year)),
        "province → cities": lambda: services.by_region(services.ledger(None, *year), parent="530000", tier="city"),
        "city → counties": lambda: services.by_region(services.ledger(None, *year), parent=city, tier="county"),
    }
    print(f"| query | contracts | {connection.vendor} p50 ms | p95 ms |\n|---|---|---|---|")
    for name, q in queries.items():
        times = []
        for _ in range(args.repeat):
            s = time.perf_counter()
            q()
            times.append((time.perf_counter() - s) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"| {name} | {made:,} | {statistics.median(times):.0f} | {p95:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
