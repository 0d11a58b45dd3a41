"""``techtransfer reports daily [--today YYYY-MM-DD] [--json]``: run the reports' daily job now — deadline reminders
and the overdue credit records (``services.deadlines.run_daily``; running it twice changes nothing)."""

from __future__ import annotations

import json

from techtransfer.core.fields import FieldError, parse_date
from techtransfer.core.management.base import PlatformCommand
from techtransfer.reports.services import deadlines


class Command(PlatformCommand):
    help = "Annual reports (年度报告): run the daily job (deadline reminders, overdue credit records)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        d = sub.add_parser(
            "daily",
            help="send the reminders due (30, 7, 1 days before a deadline) and record the units overdue",
            description="Run the daily job as of TODAY (default: today). Idempotent: a reminder is sent once per "
            "round, unit and number of days; a unit gets one not-filed credit record per year. Exit status: 0, "
            "or 2 for an unreadable --today.",
        )
        d.add_argument("--today", metavar="YYYY-MM-DD", help="run as of this day (default: today)")
        d.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def run(self, *, action=None, **options) -> int:
        if action != "daily":
            self.print_help("techtransfer", "reports")
            return 0
        try:
            today = parse_date(options.get("today"))
        except FieldError as exc:
            self.stderr.write(f"error: --today: {exc.message}")
            return 2
        summary = deadlines.run_daily(today)
        if options.get("json"):
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return 0
        self.stdout.write(f"reports daily job as of {summary['today']}")
        self.stdout.write(
            f"reminders sent: {summary['reminders']} ({summary['reminder_notifications']} notifications, "
            f"{summary['emails']} e-mails"
            + (f", {summary['email_errors']} e-mails failed" if summary["email_errors"] else "")
            + ")"
        )
        for s in summary["sent"]:
            self.stdout.write(
                f"  round {s['round']} ({s['year']}): organization {s['organization']}, "
                f"{s['days_before']}-day reminder, {s['days_left']} days left"
            )
        self.stdout.write(
            f"credit records made for units overdue: {summary['credit_records']}"
            + (
                f" ({summary['closed_at_once']} closed at once: late report already accepted)"
                if summary["closed_at_once"]
                else ""
            )
        )
        for r in summary["recorded"]:
            self.stdout.write(f"  organization {r['organization']}, year {r['year']}: record {r['record']}")
        return 0
