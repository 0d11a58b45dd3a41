"""``techtransfer contracts-summary``: check or rebuild the monthly ledger summary behind the statistics.

No Django import at module level: ``cli.py`` loads this module before Django is configured.
"""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "contracts-summary",
        help="check (or --rebuild) the contract statistics summary against the ledger",
        description="The statistics read a monthly summary of the contract ledger that every registration keeps "
        "up to date. After loading contracts and events in bulk (outside the services), rebuild it.",
    )
    p.add_argument("--rebuild", action="store_true", help="recompute the summary from the ledger")
    p.set_defaults(func=cmd_summary)


def cmd_summary(args) -> int:
    from techtransfer.cli import setup

    setup()
    from techtransfer.contracts import ledger
    from techtransfer.contracts.services import ledger_totals

    if args.rebuild:
        print(f"ledger summary rebuilt: {ledger.rebuild(print)} rows")
    raw = ledger_totals()
    summary = ledger.summary_totals()
    same = (raw.count, raw.contract_amount, raw.tech_amount) == (
        summary.count,
        summary.contract_amount,
        summary.tech_amount,
    )
    print(f"ledger: {raw.count} contracts, {raw.contract_amount} yuan, technology {raw.tech_amount} yuan")
    print(f"summary: {summary.count} contracts, {summary.contract_amount} yuan, technology {summary.tech_amount} yuan")
    if not same:
        print("the summary differs from the ledger: run with --rebuild")
        return 1
    return 0
