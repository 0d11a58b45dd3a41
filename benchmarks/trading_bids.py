"""Bidding load on one auction: N bidder threads bid as fast as they can for S seconds through
``trading.services.place_bid`` (each bid: read the standing price, bid the minimum or one or two increments more).

Usage: python benchmarks/trading_bids.py [--bidders 50] [--seconds 30]
(set TECHTRANSFER_DATABASE_URL for PostgreSQL; a throw-away test database is created and dropped — on SQLite a
file database in WAL mode, as in production, not the in-memory test database).
Reports bids/second (all answers and accepted bids) and the p50 / p95 / p99 latency of a bid in ms.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bidders", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(
            Path(tempfile.mkdtemp(prefix="trading-bench-")) / "bench.sqlite3"
        )
    old = connection.creation.create_test_db(verbosity=0)
    try:
        return run(args)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old, verbosity=0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(args) -> int:
    from django.db import connection
    from django.utils import timezone

    from techtransfer.accounts.models import Role, RoleAssignment, User
    from techtransfer.catalog.models import Achievement
    from techtransfer.orgs import creditcode
    from techtransfer.orgs.models import Organization, OrgKind, Verification
    from techtransfer.trading import services
    from techtransfer.trading.models import Auction, Bid, ListingIntent

    def org(name: str, n: int, kind=OrgKind.ENTERPRISE) -> Organization:
        return Organization.objects.create(name=name, kind=kind, region_id="530102", verification=Verification.VERIFIED,
                                           credit_code=creditcode.make("9", "1", "530102", f"{n:08d}"))

    seller = org("基准卖方大学", 1, OrgKind.UNIVERSITY)
    admin = User.objects.create_user(username="seller_admin", password=None)
    RoleAssignment.objects.create(user=admin, role=Role.ORG_ADMIN, organization=seller)
    ach = Achievement.objects.create(owner=seller, region_id=seller.region_id, title="基准成果", abstract="基准",
                                     transfer_modes=["transfer"], status="published", published_at=timezone.now())
    now = timezone.now()
    auction = services.create_auction(admin, ach, {
        "transfer_mode": "transfer", "start_price": "1000.00", "increment": "10.00", "reserve_price": "0",
        "starts_at": now - datetime.timedelta(minutes=1), "ends_at": now + datetime.timedelta(hours=2),
        "anti_sniping_minutes": 1})
    users = []
    for i in range(args.bidders):
        buyer = org(f"基准竞买人{i}", 100 + i)
        user = User.objects.create_user(username=f"bidder{i}", password=None)
        RoleAssignment.objects.create(user=user, role=Role.ORG_MEMBER, organization=buyer)
        ListingIntent.objects.create(auction=auction, buyer=buyer, user=user, qualified=True)
        users.append(user.pk)
    connection.close()

    latencies: list[list[float]] = [[] for _ in range(args.bidders)]
    accepted = [0] * args.bidders
    errors: list[str] = []
    barrier = threading.Barrier(args.bidders)
    deadline = [0.0]

    def bidder(index: int) -> None:
        rng = random.Random(index)
        user = User.objects.get(pk=users[index])
        try:
            barrier.wait()
            while time.monotonic() < deadline[0]:
                current = Auction.objects.only("current_price", "start_price", "increment").get(pk=auction.pk)
                amount = current.minimum_bid + current.increment * rng.choice((0, 0, 0, 1, 2))
                t0 = time.perf_counter()
                outcome = services.place_bid(user, auction, amount)
                latencies[index].append((time.perf_counter() - t0) * 1000)
                accepted[index] += outcome.accepted
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=bidder, args=(i,)) for i in range(args.bidders)]
    start = time.monotonic()
    deadline[0] = start + args.seconds
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    flat = [x for xs in latencies for x in xs]
    total_accepted = sum(accepted)
    stored = Bid.objects.filter(auction=auction, accepted=True).count()
    print(f"backend: {connection.vendor}, bidders: {args.bidders}, seconds: {elapsed:.1f}")
    print(f"bids answered: {len(flat)} ({len(flat) / elapsed:.1f}/s), accepted: {total_accepted} "
          f"({total_accepted / elapsed:.1f}/s), accepted bids stored: {stored}, errors: {len(errors)}")
    if flat:
        print(f"bid latency ms: p50 {statistics.median(flat):.1f}, p95 {percentile(flat, 0.95):.1f}, "
              f"p99 {percentile(flat, 0.99):.1f}, max {max(flat):.1f}")
    for e in errors[:5]:
        print("error:", e)
    return 1 if errors or stored != total_accepted else 0


if __name__ == "__main__":
    sys.exit(main())
