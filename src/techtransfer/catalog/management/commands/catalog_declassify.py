"""``techtransfer catalog-declassify [--today YYYY-MM-DD] [--json]``: the dual-use daily job now — apply the approved
declassifications (降解密) whose date has come and notify applicants whose access lapsed (``dualuse.run_daily``;
running it twice changes nothing)."""

from __future__ import annotations

import json

from techtransfer.catalog import dualuse
from techtransfer.core.fields import FieldError, parse_date
from techtransfer.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = "Dual-use information: apply the declassifications due and notify lapsed access grants."

    def add_arguments(self, parser):
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="run as of this day (default: today)")
        parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def run(self, *, today=None, **options) -> int:
        try:
            day = parse_date(today)
        except FieldError as exc:
            self.stderr.write(f"error: --today: {exc.message}")
            return 2
        summary = dualuse.run_daily(day)
        if options.get("json"):
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return 0
        self.stdout.write(f"{summary['declassified']} declassification(s) applied, "
                          f"{summary['expired_notices']} lapsed grant(s) notified")
        return 0
