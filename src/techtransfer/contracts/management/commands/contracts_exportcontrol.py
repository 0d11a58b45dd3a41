"""``techtransfer contracts-exportcontrol load FILE|--sample [--edition NOTICE] [--deactivate-others]`` and
``techtransfer contracts-exportcontrol list``: the catalogue of technologies prohibited or restricted from export
(《中国禁止出口限制出口技术目录》) that the export-control screening matches against."""

from __future__ import annotations

from pathlib import Path

from techtransfer.contracts.models import ExportControlEdition
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.management.base import PlatformCommand

SAMPLE = exportcontrol.SAMPLE_FILE


class Command(PlatformCommand):
    help = (
        "Load an edition of the export-control catalogue from a JSON file (format techtransfer.exportcontrol/1; "
        "see docs/contracts.md), or list the editions. A file with any problem loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load", "list"], help="load a file, or list the editions")
        parser.add_argument("file", nargs="?", help="the catalogue file (load)")
        parser.add_argument(
            "--sample", action="store_true", help="load the shipped sample (6 items, not the catalogue)"
        )
        parser.add_argument(
            "--edition", metavar="NOTICE", help="the issuing notice naming the edition (overrides the file)"
        )
        parser.add_argument("--deactivate-others", action="store_true", help="make this edition the only active one")

    def run(self, *, action, file=None, sample=False, edition=None, deactivate_others=False, **_options) -> int:
        if action == "list":
            for ed in ExportControlEdition.objects.all():
                active = ed.items.filter(active=True)
                self.stdout.write(
                    f"{ed.notice}\t{ed.name}\t{'active' if ed.active else 'inactive'}\t"
                    f"{active.filter(status='prohibited').count()} prohibited, "
                    f"{active.filter(status='restricted').count()} restricted"
                )
            return 0
        if sample == bool(file):
            self.stderr.write("error: give a FILE or --sample")
            return 2
        path = SAMPLE if sample else Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            self.stderr.write(f"error: cannot read {path}: {exc.strerror or exc}")
            return 2
        try:
            ed, created, updated, deactivated = exportcontrol.load_catalogue(
                None, raw, notice=edition, deactivate_others=deactivate_others
            )
        except exportcontrol.CatalogueFileError as exc:
            self.stderr.write(f"error: {path}: nothing loaded, {len(exc.problems)} problem(s):")
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            return 1
        self.stdout.write(f"{ed.notice}: {created} items created, {updated} updated, {deactivated} deactivated")
        return 0
