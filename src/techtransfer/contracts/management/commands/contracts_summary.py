"""``techtransfer contracts-summary [--rebuild]``: check or rebuild the monthly ledger summary behind the statistics."""

from __future__ import annotations

from techtransfer.contracts import ledger
from techtransfer.contracts.services import ledger_totals
from techtransfer.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = (
        "The statistics read a monthly summary of the contract ledger that every registration keeps up to date. "
        "After loading contracts and events in bulk (outside the services), rebuild it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute the summary from the ledger")

    def run(self, *, rebuild, **_options) -> int:
        if rebuild:
            self.stdout.write(f"ledger summary rebuilt: {ledger.rebuild(self.stdout.write)} rows")
        raw = ledger_totals()
        summary = ledger.summary_totals()
        for name, t in (("ledger", raw), ("summary", summary)):
            self.stdout.write(f"{name}: {t.count} contracts, {t.contract_amount} yuan, technology {t.tech_amount} yuan")
        if (raw.count, raw.contract_amount, raw.tech_amount) != (
            summary.count, summary.contract_amount, summary.tech_amount
        ):
            self.stdout.write("the summary differs from the ledger: run with --rebuild")
            return 1
        return 0
