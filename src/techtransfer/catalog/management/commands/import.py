"""``techtransfer import achievements|demands FILE``: bulk import, all rows or none (see docs/catalog.md)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from tqdm import tqdm

from techtransfer.catalog import io
from techtransfer.catalog.management.commands._files import add_format, add_kind_and_file, model_of
from techtransfer.core.errors import DomainError
from techtransfer.core.management.base import PlatformCommand
from techtransfer.orgs.models import Organization


class Command(PlatformCommand):
    help = (
        "Import achievements or demands. Every row is validated; if any row is wrong nothing is written and the "
        "problems are listed (row, column, problem) with a non-zero exit status."
    )

    def add_arguments(self, parser):
        add_kind_and_file(parser)
        parser.add_argument("--owner", type=int,
                            help="default owner organization id for rows without an owner column")
        add_format(parser)
        parser.add_argument("--report", type=Path, help="write the full error report to this CSV file")
        parser.add_argument("--demo", action="store_true", help="mark the imported records as demo data")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def run(self, *, kind, file, owner, format, report, demo, quiet, **_options) -> int:
        if not file.is_file():
            self.stderr.write(f"error: no such file: {file}")
            return 2
        try:
            fmt = format or io.guess_format(file.name)
        except DomainError as exc:
            self.stderr.write(f"error: {exc.message}")
            return 2
        default_owner = None
        if owner is not None:
            default_owner = Organization.objects.filter(pk=owner).first()
            if default_owner is None:
                self.stderr.write(f"error: no organization with id {owner}")
                return 2
        bar = tqdm(unit=" rows", desc=f"checking and importing {kind}", disable=quiet, file=sys.stderr)
        with file.open("rb") as fh:
            result = io.import_file(None, model_of(kind), fh, fmt, default_owner=default_owner, progress=bar.update,
                                    is_demo=demo, filename=file.name)
        bar.close()
        if report:
            with report.open("w", newline="", encoding="utf-8-sig") as out:
                w = csv.writer(out)
                w.writerow(["row", "column", "problem"])
                for e in result.errors:
                    w.writerow([e["row"], e["column"] or "", e["problem"]])
        if result.ok:
            self.stdout.write(f"imported {result.created} {kind} from {result.rows} rows")
            return 0
        self.stderr.write(f"nothing imported: {result.error_count} problem(s) in {result.rows} rows")
        for e in result.errors[:50]:
            self.stderr.write(f"  row {e['row']}, column {e['column'] or '-'}: {e['problem']}")
        if result.error_count > 50:
            self.stderr.write(f"  … {result.error_count - 50} more" + (f" (see {report})" if report else ""))
        return 1
