"""``techtransfer subsidies evaluate --policy CODE --input CASES.jsonl --json``: run cases through the engine."""

from __future__ import annotations

import argparse
import json
import sys

from techtransfer.core.errors import DomainError
from techtransfer.core.fields import FieldError, parse_date
from techtransfer.core.management.base import PlatformCommand
from techtransfer.subsidies import services
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


class Command(PlatformCommand):
    help = "Subsidy and reward policies (奖补): evaluate cases against a policy."

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

    def run(self, *, action=None, **options) -> int:
        if action == "evaluate":
            return self.evaluate(options["policy"], options["input"], options.get("on"), options.get("rate"))
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
