"""``techtransfer subsidies evaluate --policy CODE --input CASES.jsonl --json``: run cases through the engine;
``techtransfer subsidies batch --policy CODE --year YYYY``: evaluate a policy over a year's certified contracts."""

from __future__ import annotations

import argparse
import json
import sys

from techtransfer.core.errors import DomainError
from techtransfer.core.fields import FieldError, parse_date
from techtransfer.core.management.base import PlatformCommand
from techtransfer.subsidies import services
from techtransfer.subsidies.services.batch import BATCH_BENEFICIARIES
from techtransfer.subsidies.setting import RateSettingError, parse_rate

INPUT_HELP = """\
CASES is JSON Lines, one case per line:
  {"id": "c1", "beneficiary": "buyer|seller|broker|institution",
   "contract": {"category": "transfer", "subcategory": "tr_patent", "contract_amount": "1200000.00",
                "tech_amount": "1000000.00", "equity_amount": null, "certified_on": "2025-03-01",
                "ip_type": "patent" (optional), "last_year_total": "…" (optional), "brokers": [{"id", "contribution"}],
                "seller": {"region": "530102", "country": null, "kind": "university", "ownership": "state"},
                "buyer": {"region": "110105", "country": null, "kind": "enterprise", "ownership": "private"}},
   "granted_this_year": "0.00", "budget_used": "0.00" (optional: granted under the policy this year)}
Codes: contract categories/subcategories and IP types of the contracts app, organization kinds (OrgKind),
ownership codes; region a GB/T 2260 code; country ISO 3166 alpha-2 (foreign parties); amounts decimal strings.
Output, one JSON object per line: {"id", "eligible", "amount", "unmet": [codes], "lines": [...], "version"},
or {"id", "error": {"code", "message", "field"}} for a line that cannot be read.
The version applied is the one effective on the contract's certified_on (--on overrides).
A percentage whose rate the policy's rules leave unset ("一定比例": tj-institution, tj-broker, gx-county) takes
it from TECHTRANSFER_SUBSIDY_RATES (e.g. "tj-institution=0.05,gx-county:450102=0.10"), or from --rate, which
replaces the setting for this run; with no rate the case keeps its eligibility, amount "0.00", and a line
{"step": "rate_not_set", ...} says why. Exit status: 0, or 2 for an unknown policy, an unreadable --on or
--rate, or an unreadable file."""


BATCH_HELP = """\
Evaluate the policy CODE over every contract certified (registered) in the year YYYY, in the order of
registration, with each beneficiary's running total under the policy's yearly cap and the policy's running
total under its yearly budget (both from zero: what the policy would grant for that year). Nothing is written
to the database. Beneficiaries: buyer and seller (brokers and institutions are left out).
Summary: contracts read, decisions, eligible, not eligible by unmet condition code, total amount, number of
beneficiaries granted, seconds. --output FILE: one JSON line per eligible decision
{"contract", "registration_number", "beneficiary", "beneficiary_key", "registered_on", "version", "amount",
"lines"}. Exit status: 0, or 2 for an unknown policy, a bad year, an unmigrated database or an unwritable FILE."""


class Command(PlatformCommand):
    help = "Subsidy and reward policies (奖补): evaluate cases against a policy, or a year's contracts (batch)."

    def add_arguments(self, parser):
        parser.epilog = "techtransfer subsidies evaluate --help describes the input."
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        e = sub.add_parser(
            "evaluate", help="evaluate contract cases (JSON Lines) against a policy",
            description="Evaluate each case of CASES against the policy CODE.\n\n" + INPUT_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        e.add_argument("--policy", required=True, metavar="CODE", help="policy code, e.g. yn-absorb")
        e.add_argument("--input", required=True, metavar="CASES", help="JSON Lines file of cases ('-': stdin)")
        e.add_argument("--on", metavar="DATE", help="apply the version in force on DATE (YYYY-MM-DD) to every case")
        e.add_argument("--rate", metavar="RATE",
                       help="rate (0.05 = 5 %%) where the policy's rules leave it unset; overrides "
                            "TECHTRANSFER_SUBSIDY_RATES for this run")
        e.add_argument("--json", action="store_true", help="print JSON Lines (the only output format)")
        b = sub.add_parser(
            "batch", help="evaluate a policy over the contracts certified in a year (the yearly batch)",
            description=BATCH_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        b.add_argument("--policy", required=True, metavar="CODE", help="policy code, e.g. yn-absorb")
        b.add_argument("--year", required=True, metavar="YYYY", help="registration year of the contracts")
        b.add_argument("--beneficiary", choices=BATCH_BENEFICIARIES,
                       help="evaluate only this beneficiary (default: those of buyer and seller the policy names)")
        b.add_argument("--output", metavar="FILE", help="write one JSON line per eligible decision to FILE")
        b.add_argument("--progress", type=int, default=0, metavar="N",
                       help="report progress on stderr every N contracts")
        b.add_argument("--json", action="store_true", help="print the summary as one JSON object")

    def run(self, *, action=None, **options) -> int:
        if action == "evaluate":
            return self.evaluate(options["policy"], options["input"], options.get("on"), options.get("rate"))
        if action == "batch":
            return self.batch(options["policy"], options["year"], beneficiary=options.get("beneficiary"),
                              output=options.get("output"), progress=options.get("progress") or 0,
                              as_json=options.get("json", False))
        self.print_help("techtransfer", "subsidies")
        return 0

    def evaluate(self, code: str, path: str, on: str | None, rate: str | None = None) -> int:
        shipped = not services.tables_ready()
        try:
            policy = services.shipped_policy(code) if shipped else services.get_policy(code)
        except DomainError as exc:
            self.stderr.write(f"error: {exc.message}")
            return 2
        if shipped:
            self.stderr.write("note: the database has no subsidy tables yet (run `techtransfer migrate`); "
                              "applying the shipped version of the policy")
        try:
            day = parse_date(on)
        except FieldError as exc:
            self.stderr.write(f"error: --on: {exc.message}")
            return 2
        try:
            rates = None if rate is None else {"": parse_rate(rate, "--rate")}
        except RateSettingError as exc:
            self.stderr.write(f"error: {exc}")
            return 2
        try:
            handle = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            self.stderr.write(f"error: {path}: {exc.strerror}")
            return 2
        state_owned = services.SHIPPED_STATE_OWNED if shipped else services.state_owned_codes()
        cache: dict = {}
        with handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                try:
                    case = json.loads(raw.decode("utf-8"))  # a bad line is that line's error, not the run's
                except ValueError as exc:
                    result = {"id": None, "error": {"code": "invalid_json", "message": f"line {number}: {exc}",
                                                    "field": None}}
                else:
                    result = services.evaluate_case(policy, case, on=day, state_owned=state_owned, cache=cache,
                                                   rates=rates)
                self.stdout.write(json.dumps(result, ensure_ascii=False))
        return 0

    def batch(self, code: str, year: str, *, beneficiary: str | None, output: str | None, progress: int,
              as_json: bool) -> int:
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            self.stderr.write(f"error: --year: not a year (YYYY): {year}")
            return 2
        if progress < 0:
            self.stderr.write("error: --progress: a positive number of contracts")
            return 2
        if not services.tables_ready():
            self.stderr.write("error: the database has no subsidy tables yet (run `techtransfer migrate`)")
            return 2
        try:
            policy = services.get_policy(code)
        except DomainError as exc:
            self.stderr.write(f"error: {exc.message}")
            return 2
        try:
            handle = open(output, "w", encoding="utf-8") if output else None  # noqa: SIM115 - closed below
        except OSError as exc:
            self.stderr.write(f"error: {output}: {exc.strerror}")
            return 2

        def report(read: int, result) -> None:
            self.stderr.write(f"{read:,} contracts read, {result.eligible:,} eligible, {result.amount} yuan")

        try:
            result = services.evaluate_year(policy, int(year), beneficiary=beneficiary,
                                            progress=report if progress else None,
                                            progress_every=progress or 1, out=handle)
        except DomainError as exc:
            self.stderr.write(f"error: {exc.message}")
            return 2
        finally:
            if handle is not None:
                handle.close()
        summary = result.as_dict()
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return 0
        self.stdout.write(f"policy {summary['policy']}, contracts certified in {summary['year']}: "
                          f"{summary['contracts']:,} read in {summary['elapsed_seconds']} s")
        self.stdout.write(f"beneficiaries evaluated: {', '.join(summary['beneficiaries_evaluated']) or 'none'}")
        self.stdout.write(f"decisions: {summary['decisions']:,}; eligible {summary['eligible']:,} "
                          f"({summary['capped']:,} reduced by a cap); not eligible {summary['not_eligible']:,}"
                          + (f"; unreadable {summary['errors']:,}" if summary["errors"] else ""))
        for code_, count in summary["unmet"].items():
            self.stdout.write(f"  {code_}: {count:,}")
        self.stdout.write(f"total amount: {summary['amount']} yuan to {summary['beneficiaries']:,} beneficiaries")
        return 0
