"""``techtransfer import`` and ``techtransfer export`` for achievements and demands (see docs/catalog.md).

No Django import at module level: ``cli.py`` loads this module before Django is configured.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

KINDS = ("achievements", "demands")
FORMATS = ("csv", "xlsx", "jsonl")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "import",
        help="import achievements or demands from CSV, XLSX or JSONL (all rows or none)",
        description="Import achievements or demands. Every row is validated; if any row is wrong nothing is "
        "written and the problems are listed (row, column, problem) with a non-zero exit status.",
    )
    p.add_argument("kind", choices=KINDS)
    p.add_argument("file", type=Path)
    p.add_argument("--owner", type=int, help="default owner organization id for rows without an owner column")
    p.add_argument("--format", choices=FORMATS, help="file format (default: from the file name)")
    p.add_argument("--report", type=Path, help="write the full error report to this CSV file")
    p.add_argument("--demo", action="store_true", help="mark the imported records as demo data")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_import)

    p = subparsers.add_parser(
        "export",
        help="export achievements or demands to CSV, XLSX or JSONL",
        description="Export the records a user may see. Without --user, only public records and public fields "
        "are written; protected details and contacts only appear for records that user may read.",
    )
    p.add_argument("kind", choices=KINDS)
    p.add_argument("file", type=Path)
    p.add_argument("--format", choices=FORMATS, help="file format (default: from the file name)")
    p.add_argument("--user", help="export as this user (user name)")
    p.add_argument("--status", help="only records in this status")
    p.set_defaults(func=cmd_export)


def _model(kind: str):
    from techtransfer.catalog.models import Achievement, Demand

    return Achievement if kind == "achievements" else Demand


def cmd_import(args) -> int:
    from techtransfer.cli import setup

    setup()
    from tqdm import tqdm

    from techtransfer.catalog import io
    from techtransfer.core.errors import DomainError
    from techtransfer.orgs.models import Organization

    if not args.file.is_file():
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return 2
    try:
        fmt = args.format or io.guess_format(args.file.name)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    owner = None
    if args.owner is not None:
        owner = Organization.objects.filter(pk=args.owner).first()
        if owner is None:
            print(f"error: no organization with id {args.owner}", file=sys.stderr)
            return 2
    bar = tqdm(unit=" rows", desc=f"checking and importing {args.kind}", disable=args.quiet, file=sys.stderr)
    with args.file.open("rb") as fh:
        report = io.import_file(None, _model(args.kind), fh, fmt, default_owner=owner, progress=bar.update,
                                is_demo=args.demo, filename=args.file.name)
    bar.close()
    if args.report:
        with args.report.open("w", newline="", encoding="utf-8-sig") as out:
            w = csv.writer(out)
            w.writerow(["row", "column", "problem"])
            for e in report.errors:
                w.writerow([e["row"], e["column"] or "", e["problem"]])
    if report.ok:
        print(f"imported {report.created} {args.kind} from {report.rows} rows")
        return 0
    print(f"nothing imported: {report.error_count} problem(s) in {report.rows} rows", file=sys.stderr)
    for e in report.errors[:50]:
        print(f"  row {e['row']}, column {e['column'] or '-'}: {e['problem']}", file=sys.stderr)
    if report.error_count > 50:
        print(f"  … {report.error_count - 50} more" + (f" (see {args.report})" if args.report else ""),
              file=sys.stderr)
    return 1


def cmd_export(args) -> int:
    from techtransfer.cli import setup

    setup()
    from django.contrib.auth import get_user_model
    from tqdm import tqdm

    from techtransfer.catalog import browse, io
    from techtransfer.core.errors import DomainError

    user = None
    if args.user:
        user = get_user_model().objects.filter(username=args.user).first()
        if user is None:
            print(f"error: no user {args.user}", file=sys.stderr)
            return 2
    model = _model(args.kind)
    try:
        fmt = args.format or io.guess_format(args.file.name)
        f = browse.Filters(status=args.status or "")
        qs = browse.filter_achievements(user, f) if args.kind == "achievements" else browse.filter_demands(user, f)
        total = qs.count()
        response = io.export_response(user, model, qs, fmt)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    with args.file.open("wb") as out, tqdm(total=total, unit=" records", file=sys.stderr, desc="exporting") as bar:
        io.write_response(response, out, progress=bar.update)
        bar.update(total - bar.n)
    print(f"exported {total} {args.kind} to {args.file}")
    return 0
