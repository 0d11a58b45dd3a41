"""Benchmark: bulk import of achievements from JSONL through the service the CLI uses (``catalog.io.import_file``).

Generates JSONL files of N achievements by resampling the CSL records of the demo data (title, abstract,
keywords, field; synthetic TRL, modes, prices and patent numbers with valid check digits), then imports each file
in a fresh child process — so that the peak RSS of one import is measured alone — on SQLite and/or PostgreSQL,
and prints records/s, peak RSS (``resource.getrusage``) and the RSS growth during the import. On SQLite the same
run times a raw ``executemany`` of the same rows into a table of the same columns (the floor) and prints the
import's time as a multiple of it.

    .venv/bin/python benchmarks/catalog_import.py --sizes 20000 100000 --db sqlite postgres

PostgreSQL: ``--pg-url postgresql://postgres@127.0.0.1:5432/h_catalog`` (default; the database is created when
missing and its catalogue tables emptied before each run).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks._data import write_achievements  # noqa: E402  (after the path is set)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def child(args) -> None:
    """One measured import in this process; prints one JSON line."""
    from techtransfer.cli import setup

    setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from techtransfer.catalog import io
    from techtransfer.catalog.models import Achievement, IPItem
    from techtransfer.orgs.models import Organization, OrgKind, Verification

    # As with the CLI, the bulk signal goes to its listeners (the search index enqueues background tasks).
    if connection.vendor == "postgresql":
        # The PostgreSQL database is kept between runs: empty the catalogue without loading it into memory
        # (a Django ``delete()`` would collect every row first and inflate the peak RSS measured below).
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE TABLE {Achievement._meta.db_table} CASCADE")
    owner = Organization.objects.filter(name="基准测试大学").first() or Organization.objects.create(
        name="基准测试大学", kind=OrgKind.UNIVERSITY, region_id="530102", verification=Verification.VERIFIED
    )
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
        with open(args.file, "rb") as fh:
            report = io.import_file(None, Achievement, fh, "jsonl", default_owner=owner, filename=args.file)
        assert report.ok, report.errors[:5]
        print(json.dumps({"db": connection.vendor, "records": report.created,
                          "python_heap_peak_mb": round(tracemalloc.get_traced_memory()[1] / 2**20, 1)}))
        return
    before = rss_mb()
    start = time.perf_counter()
    cpu = time.process_time()
    with open(args.file, "rb") as fh:
        report = io.import_file(None, Achievement, fh, "jsonl", default_owner=owner, filename=args.file)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    assert report.ok, report.errors[:5]
    row = {
        "cpu_s": round(cpu, 2), "records_per_cpu_s": round(report.created / cpu),
        "db": connection.vendor, "records": report.created, "seconds": round(seconds, 2),
        "records_per_s": round(report.created / seconds), "peak_rss_mb": round(rss_mb(), 1),
        "rss_growth_mb": round(rss_mb() - before, 1), "ip_items": IPItem.objects.count(),
    }
    if connection.vendor == "sqlite":
        floor = raw_floor(connection, Achievement)
        floor_wall, floor_cpu = floor
        row.update(floor_records_per_s=round(report.created / floor_wall), ratio=round(seconds / floor_wall, 1),
                   floor_records_per_cpu_s=round(report.created / floor_cpu), cpu_ratio=round(cpu / floor_cpu, 1))
    print(json.dumps(row))


def raw_floor(connection, model) -> tuple[float, float]:
    """Seconds (wall clock, CPU of this process) of a raw ``executemany`` of the same rows (read back from the
    table) into a table of the same columns, in one transaction: what the database alone costs, the floor an
    import is compared with."""
    from django.db import transaction

    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in model._meta.concrete_fields if not f.primary_key)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")  # noqa: S608 - model identifiers only
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(f"CREATE TABLE bench_floor AS SELECT * FROM {table} WHERE 0")  # noqa: S608
        placeholders = ", ".join(["%s"] * len(rows[0]))
        start, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            cursor.executemany(f"INSERT INTO bench_floor ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        cursor.execute("DROP TABLE bench_floor")
    return seconds, cpu


def run_child(db: str, path: Path, env: dict, *extra: str) -> dict | None:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--db", db, "--file", str(path), *extra],
        env=env, capture_output=True, text=True, check=False,
    )
    if out.returncode:
        print(out.stdout, out.stderr, file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/h_catalog")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also run each import once under tracemalloc and report the Python heap peak")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.db = args.db[0]
        child(args)
        return 0

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("TECHTRANSFER_DATA_DIR", str(Path(tmp) / "data-generator"))  # Django for the generator
        for size in args.sizes:
            path = Path(tmp) / f"achievements-{size}.jsonl"
            write_achievements(path, size)
            mb = path.stat().st_size / 1e6
            for db in args.db:
                env = {k: v for k, v in os.environ.items() if not k.startswith("TECHTRANSFER_")}
                env["TECHTRANSFER_DATA_DIR"] = str(Path(tmp) / f"data-{db}-{size}")
                if db == "postgres":
                    ensure_pg_database(args.pg_url)
                    env["TECHTRANSFER_DATABASE_URL"] = args.pg_url
                row = run_child(db, path, env)
                if row is None:
                    return 1
                if args.tracemalloc:
                    traced = run_child(db, path, env, "--tracemalloc")
                    if traced is None:
                        return 1
                    row["python_heap_peak_mb"] = traced["python_heap_peak_mb"]
                row["file_mb"] = round(mb, 1)
                results.append(row)
                print(json.dumps(row), flush=True)
    print()
    print("| database | records | file (MB) | seconds | records/s | records per CPU second "
          "| raw executemany records/s / per CPU s (floor) | ratio to floor, wall / CPU "
          "| peak RSS (MB) | RSS growth during import (MB) | Python heap peak (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        floor = (f"{r['floor_records_per_s']:,} / {r['floor_records_per_cpu_s']:,}" if "floor_records_per_s" in r
                 else "–")
        ratio = f"{r['ratio']} / {r['cpu_ratio']}" if "ratio" in r else "–"
        print(f"| {r['db']} | {r['records']:,} | {r['file_mb']} | {r['seconds']} | {r['records_per_s']:,} | "
              f"{r['records_per_cpu_s']:,} | {floor} | {ratio} | {r['peak_rss_mb']} | {r['rss_growth_mb']} | "
              f"{r.get('python_heap_peak_mb', '–')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
