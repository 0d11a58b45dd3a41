"""Benchmark: the search service (``matching.services.search``) against raw Tantivy, and the full index rebuild
(``matching.indexing.rebuild``), on a real database.

    .venv/bin/python benchmarks/matching_service.py --docs 10000 [--queries 300] [--profile]

In a child process with its own data folder (SQLite, or ``--pg-url`` for PostgreSQL): migrate, import ``--docs``
published achievements (resampled CSL records, ``benchmarks/catalog_import.generate``) through
``catalog.io.import_file``, rebuild the search index from the database (documents/s, through the services), then
time the same queries two ways, interleaved:

* ``service`` — ``services.search(user, q, filters, per_page=20)`` as the search page calls it (an anonymous
  visitor; lexical, since no embedding model is configured here): scope, filters, engine, hits loaded back from
  the database with snippets and explanations, facets;
* ``floor`` — ``LexicalIndex.search`` of the live index with the very filters the service passed to the engine
  (visibility scope included), limit 20: raw Tantivy, nothing around it.

Queries: the first sentence of a record's abstract or two of its keywords, half with a filter (technical field,
TRL range). Every query is timed once with nothing cached (first figures); ``--repeat 2`` times the same queries
again (``*_again``: the search page reloaded, paged, shared — hits' texts and facet counts cached).
``--profile`` prints the cProfile top of the service path.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[max(0, min(len(values) - 1, int(len(values) * p) - (1 if p < 1 else 0)))], 2)


def make_queries(path: Path, count: int, seed: int = 11) -> list[tuple[str, dict | None]]:
    import re

    rng = random.Random(seed)
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    out = []
    while len(out) < count:
        r = rng.choice(rows)
        if rng.random() < 0.5:
            first = [s for s in re.split(r"(?<=[。；;.!?！？])", r["abstract"]) if s.strip()]
            text = first[0][:120] if first else ""
        else:
            text = " ".join(r["keywords"][:2])
        if not text.strip():
            continue
        flt = {"field": r["tech_field"], "trl_min": 3, "trl_max": 9} if rng.random() < 0.5 else None
        out.append((text, flt))
    return out


def child(args) -> None:
    from techtransfer.cli import setup

    setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from techtransfer.catalog import io
    from techtransfer.catalog.models import Achievement
    from techtransfer.matching import indexing, services
    from techtransfer.matching.services import filters as sfilters
    from techtransfer.orgs.models import Organization, OrgKind, Verification

    owner = Organization.objects.create(
        name="基准测试大学", kind=OrgKind.UNIVERSITY, region_id="530102", verification=Verification.VERIFIED
    )
    t0 = time.perf_counter()
    with open(args.file, "rb") as fh:
        report = io.import_file(None, Achievement, fh, "jsonl", default_owner=owner, filename=args.file)
    assert report.ok, report.errors[:5]
    result: dict = {"docs": report.created, "import_s": round(time.perf_counter() - t0, 1)}

    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    from django.conf import settings

    for label, workers in (("serial", 0), ("", None)):  # in this process only, then the default worker processes
        settings.MATCHING_INDEX_WORKERS = workers
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        figures = indexing.rebuild(semantic=False)
        build = time.perf_counter() - t0
        prefix = f"rebuild_{label}_" if label else "rebuild_"
        result.update(
            {
                prefix + "s": round(build, 2),
                prefix + "docs_per_s": round(figures["documents"] / build),
                prefix + "main_cpu_s": round(time.process_time() - cpu0, 2),
            }
        )
    if args.profile:
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    result["workers"] = getattr(indexing, "analysis_workers", lambda: 0)()  # 0: code before the worker processes

    user = AnonymousUser()
    queries = make_queries(Path(args.file), args.queries)
    index = indexing.get_index()

    def service(q, flt):
        return services.search(user, q, filters=flt, per_page=20)

    def floor(q, flt):
        engine_filters = sfilters._engine_filters(user, sfilters._check_kinds(None), sfilters.clean_filters(flt))
        return index.search(q, engine_filters, limit=20)

    for q, flt in make_queries(Path(args.file), 20, seed=99):  # warm-up (dictionaries, first database queries)
        service(q, flt)
        floor(q, flt)
    lat: dict[str, list[float]] = {"service": [], "floor": [], "service_again": [], "floor_again": []}
    for round_ in range(args.repeat):
        again = "_again" if round_ else ""  # the same queries again: hits' texts and facet counts cached
        for q, flt in queries:
            for name, fn in (("floor", floor), ("service", service)):
                t = time.perf_counter()
                fn(q, flt)
                lat[name + again].append((time.perf_counter() - t) * 1000)
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for q, flt in queries:  # after the timed runs, so that it warms no cache they use
            service(q, flt)
        prof.disable()
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
    for name, values in lat.items():
        if values:
            result[f"{name}_p50_ms"] = pct(values, 0.5)
            result[f"{name}_p95_ms"] = pct(values, 0.95)
    if lat["service_again"]:
        result["ratio_again_p95"] = round(result["service_again_p95_ms"] / result["floor_again_p95_ms"], 1)
    result["ratio_p50"] = round(result["service_p50_ms"] / result["floor_p50_ms"], 1)
    result["ratio_p95"] = round(result["service_p95_ms"] / result["floor_p95_ms"], 1)
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, nargs="+", default=[10000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL database (emptied first) instead of SQLite")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TECHTRANSFER_DATA_DIR"] = str(Path(tmp) / "generator")
        from techtransfer.cli import setup

        setup()  # the generator reads the demo's tables of fields and patents
        from benchmarks.catalog_import import generate

        for n in args.docs:
            path = Path(tmp) / f"achievements-{n}.jsonl"
            generate(path, n)
            # published, so that the records are indexed (the generator writes drafts)
            lines = path.read_text(encoding="utf-8").replace('"status": "draft"', '"status": "published"')
            path.write_text(lines, encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith("TECHTRANSFER_")}
            env["TECHTRANSFER_DATA_DIR"] = str(Path(tmp) / f"data-{n}")
            if args.pg_url:
                env["TECHTRANSFER_DATABASE_URL"] = args.pg_url
            cmd = [
                sys.executable,
                __file__,
                "--child",
                "--file",
                str(path),
                "--queries",
                str(args.queries),
                "--repeat",
                str(args.repeat),
            ] + (["--profile"] if args.profile else [])
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if args.profile or out.returncode:
                print(out.stderr, file=sys.stderr)
            if out.returncode:
                print(out.stdout, file=sys.stderr)
                return 1
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print(
        "| documents | rebuild docs/s serial / parallel | service p50 / p95 ms | raw Tantivy p50 / p95 ms "
        "| ratio p50 / p95 |"
    )
    print("|---:|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['docs']:,} | {r['rebuild_serial_docs_per_s']:,} / {r['rebuild_docs_per_s']:,} | "
            f"{r['service_p50_ms']} / {r['service_p95_ms']} | "
            f"{r['floor_p50_ms']} / {r['floor_p95_ms']} | {r['ratio_p50']} / {r['ratio_p95']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
