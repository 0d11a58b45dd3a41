"""Benchmark: the yearly subsidy batch (``subsidies.services.evaluate_year``) over N certified contracts on SQLite.

Generates, in a temporary SQLite database file (migrated from scratch; never the development database), 20,000
organizations and N contracts certified in 2025 with both parties (plus 2 % certified in 2024 and 2 % not
certified, which the batch must skip), written with ``executemany``. Then, in a fresh child process so that its
peak RSS is the batch's own, it runs the batch for a policy and measures the floor in the same process:

- raw read: the batch's own SQL (the same query, joins and order, the file memory-mapped as the batch does)
  fetched with the ``sqlite3`` cursor, no conversion in Python;
- engine alone: ``engine.evaluate`` over the facts of up to 200,000 of the contracts held in memory, scaled to N;

floor = raw read + engine alone; ratio = batch ÷ floor. Wall-clock and CPU seconds (``time.process_time``) are
both reported: on a shared machine the CPU seconds are the process's own work.

    .venv/bin/python benchmarks/subsidies_batch.py --n 1000000 [--policy yn-absorb] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
YEAR = 2025


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def rss_parts_mb() -> dict[str, float]:
    """The current resident set split into anonymous memory (the process's own) and file pages (the memory-mapped
    database: page cache shared with the system, given back under pressure), from /proc/self/status."""
    parts = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(("RssAnon:", "RssFile:")):
                parts[line.split(":")[0]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return parts


def setup(db: Path) -> None:
    os.environ["TECHTRANSFER_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("TECHTRANSFER_DATA_DIR", str(db.parent / "data"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "techtransfer.config.settings")
    import django

    django.setup()


def generate(db: Path, n: int, seed: int = 13) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from techtransfer.contracts.models import ContractParty, Status, TechContract
    from techtransfer.orgs.models import Organization, OrgKind, Ownership
    from techtransfer.regions.models import Region

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rng = random.Random(seed)
    regions = list(Region.objects.exclude(pk__endswith="00").values_list("pk", flat=True))
    yunnan = [r for r in regions if r.startswith("53")]
    sanming = [r for r in regions if r.startswith("3504")]
    elsewhere = [r for r in regions if not r.startswith(("53", "3504"))]
    ownerships = list(Ownership.objects.values_list("pk", flat=True))
    kinds = [OrgKind.ENTERPRISE] * 6 + [OrgKind.UNIVERSITY, OrgKind.INSTITUTE]
    t0 = time.perf_counter()
    orgs = []
    for i in range(20_000):
        roll = rng.random()
        region = rng.choice(yunnan if roll < 0.5 else sanming if roll < 0.6 else elsewhere)
        orgs.append(Organization(name=f"基准机构{i}", kind=rng.choice(kinds), region_id=region,
                                 ownership_id=rng.choice(ownerships)))
    Organization.objects.bulk_create(orgs, batch_size=2000)
    org_rows = list(Organization.objects.values_list("pk", "region_id", "kind"))
    point = Organization.objects.create(name="基准登记点", kind=OrgKind.REGISTRATION_POINT, region_id="530100")
    cats = [("development", "dev_commissioned"), ("transfer", "tr_patent"), ("licence", "lic_patent"),
            ("consulting", "con_feasibility"), ("service", "svc_general")]
    # One template row as Django writes it; the generated rows vary the columns below.
    template = TechContract(name="c", status=Status.CERTIFIED, seller_org=point, registration_point=point)
    fields = [f for f in TechContract._meta.concrete_fields if not f.primary_key]
    for f in fields:
        f.pre_save(template, add=True)
    base = {f.column: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    columns = ["id", *base]
    varying = ["status", "category_id", "subcategory_id", "contract_amount", "tech_amount", "registered_on",
               "registration_number", "seller_org_id", "seller_region_id", "buyer_region_id", "buyer_country_id",
               "flow", "ip_type_id"]
    fixed = [base[c] for c in columns[1:] if c not in varying]
    fixed_columns = [c for c in columns[1:] if c not in varying]
    order = ["id", *varying, *fixed_columns]
    sql_c = (f"INSERT INTO {TechContract._meta.db_table} ({', '.join(order)}) "
             f"VALUES ({', '.join(['%s'] * len(order))})")
    party_cols = ["contract_id", "role", "name", "credit_code", "region_id", "country_id", "party_type",
                  "organization_id"]
    sql_p = (f"INSERT INTO {ContractParty._meta.db_table} ({', '.join(party_cols)}) "
             f"VALUES ({', '.join(['%s'] * len(party_cols))})")
    total = n + 2 * (n // 50)
    start = datetime.date(YEAR, 1, 1)
    made = 0
    chunk = 50_000
    while made < total:
        contracts, parties = [], []
        for cid in range(made + 1, min(total, made + chunk) + 1):
            cat, sub = rng.choice(cats)
            if cid <= n:
                status, day = Status.CERTIFIED, start + datetime.timedelta(days=rng.randrange(365))
            elif cid <= n + n // 50:
                status, day = Status.CERTIFIED, start - datetime.timedelta(days=1 + rng.randrange(365))
            else:
                status, day = Status.SUBMITTED, None
            tech = rng.randrange(1_000_000, 2_000_000_000)  # fen
            amount = tech + rng.randrange(0, 10_000_000)
            seller_id, seller_region, seller_kind = rng.choice(org_rows)
            if rng.random() < 0.05:
                b = (None, None, "LA", "enterprise", "foreign buyer")
            else:
                oid, region, kind = rng.choice(org_rows)
                b = (oid, region, None, kind, "buyer")
            flow = ("international" if b[2] else
                    "in_province" if b[1][:2] == seller_region[:2] else "cross_province")
            contracts.append((cid, status, cat, sub, f"{amount / 100:.2f}", f"{tech / 100:.2f}",
                              day.isoformat() if day else None, f"B{cid:012d}" if day else None, seller_id,
                              seller_region, b[1], b[2], flow, "patent", *fixed))
            parties.append((cid, "seller", "seller", "", seller_region, None, seller_kind, seller_id))
            parties.append((cid, "buyer", b[4], "", b[1], b[2], b[3], b[0]))
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql_c, contracts)
            cur.executemany(sql_p, parties)
        made += len(contracts)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"generated {made:,} contracts ({n:,} certified in {YEAR}) in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)


def measure(policy_code: str, progress: int) -> dict:
    from django.db import connection

    from techtransfer.subsidies import engine, services
    from techtransfer.subsidies.models import Policy
    from techtransfer.subsidies.services import batch

    policy = Policy.objects.get(code=policy_code)
    rss_before = rss_mb()

    highest = {"RssAnon": 0.0, "RssFile": 0.0}

    def report(read, result):
        for name, value in rss_parts_mb().items():
            highest[name] = max(highest[name], value)
        if progress and read % progress == 0:
            print(f"  {read:,} contracts read, {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    t0, c0 = time.perf_counter(), time.process_time()
    result = services.evaluate_year(policy, YEAR, progress=report, progress_every=50_000)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = rss_mb()

    # Floor 1: the same SQL, rows fetched raw.
    sql, params = batch.year_queryset(YEAR).query.sql_with_params()
    t1, c1 = time.perf_counter(), time.process_time()
    rows = 0
    with connection.cursor() as cur:
        cur.execute(f"PRAGMA mmap_size={batch.MMAP_SIZE}")  # as the batch reads
        cur.execute(sql, params)
        while chunk := cur.fetchmany(5000):
            rows += len(chunk)
        cur.execute("PRAGMA mmap_size=0")
    raw_read, raw_cpu = time.perf_counter() - t1, time.process_time() - c1

    # Floor 2: the engine alone on facts held in memory (up to 200,000 contracts, scaled to the batch's size).
    sample = []
    parties = batch._Parties()
    version_on, rules_of = batch._versions(policy)
    for row in batch.year_rows(YEAR):
        (cid, _n, cat, sub, amount, tech, day, ip, _so, *p) = row
        sample.append(engine.Facts(category=cat, subcategory=sub, contract_amount=amount, tech_amount=tech,
                                   certified_on=day, ip_type=ip, seller=parties.get(tuple(p[:7])),
                                   buyer=parties.get(tuple(p[8:15]))))
        if len(sample) >= 200_000:
            break
    version = version_on(datetime.date(YEAR, 6, 1))
    rules = rules_of[version.pk]
    roles = result.beneficiaries_evaluated
    state_owned = services.state_owned_codes()
    t2, c2 = time.perf_counter(), time.process_time()
    for facts in sample:
        for role in roles:
            engine.evaluate(rules, facts, beneficiary=role, policy_region=policy.region_id,
                            granted_this_year=engine.ZERO, budget_per_year=version.budget_per_year,
                            state_owned_codes=state_owned)
    scale = result.contracts / max(1, len(sample))
    engine_alone, engine_cpu = (time.perf_counter() - t2) * scale, (time.process_time() - c2) * scale
    floor, floor_cpu = raw_read + engine_alone, raw_cpu + engine_cpu
    return {
        "policy": policy_code, "year": YEAR, "rows": result.contracts, "raw_rows": rows,
        "batch_s": round(elapsed, 2), "raw_read_s": round(raw_read, 2), "engine_alone_s": round(engine_alone, 2),
        "engine_sample": len(sample), "floor_s": round(floor, 2), "ratio": round(elapsed / floor, 2),
        "batch_cpu_s": round(cpu, 2), "raw_read_cpu_s": round(raw_cpu, 2), "engine_alone_cpu_s": round(engine_cpu, 2),
        "floor_cpu_s": round(floor_cpu, 2), "ratio_cpu": round(cpu / floor_cpu, 2),
        "peak_rss_mb": round(peak, 1), "rss_before_batch_mb": round(rss_before, 1),
        "peak_rss_anon_mb": round(highest["RssAnon"], 1), "peak_rss_file_mb": round(highest["RssFile"], 1),
        "load_average": os.getloadavg(), "result": result.as_dict(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="certified contracts in the year (default 1,000,000)")
    ap.add_argument("--policy", default="yn-absorb")
    ap.add_argument("--progress", type=int, default=0, help="print progress every N contracts")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (reused when it holds a database)")
    ap.add_argument("--measure", metavar="DB", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args()
    if args.measure:
        setup(Path(args.measure))
        print(json.dumps(measure(args.policy, args.progress), default=str))
        return 0
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tt-subsidies-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.sqlite3"
    try:
        if not db.exists():
            setup(db)
            generate(db, args.n)
        cmd = [sys.executable, __file__, "--measure", str(db), "--policy", args.policy,
               "--progress", str(args.progress)]
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        print(json.dumps(figures, indent=1, ensure_ascii=False))
        print(f"| {figures['policy']} | {figures['rows']:,} | {figures['batch_s']:.1f} | {figures['floor_s']:.1f} "
              f"({figures['raw_read_s']:.1f} + {figures['engine_alone_s']:.1f}) | {figures['ratio']:.2f}× | "
              f"{figures['batch_cpu_s']:.1f} | {figures['floor_cpu_s']:.1f} | {figures['ratio_cpu']:.2f}× | "
              f"{figures['peak_rss_mb']:.0f} ({figures['peak_rss_anon_mb']:.0f} + {figures['peak_rss_file_mb']:.0f}) |")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
