"""``TECHTRANSFER_SUBSIDY_RATES`` and ``--rate``: the rate a policy's rules leave to the operator (「一定比例」)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from techtransfer.cli import main
from techtransfer.subsidies.engine import Party
from techtransfer.subsidies.setting import RateSettingError, parse_rates
from tests.subsidies.helpers import decide, facts, rules

ROOT = Path(__file__).resolve().parents[2]


def test_the_setting_reads_policy_wide_and_regional_rates():
    assert parse_rates("") == {} and parse_rates(None) == {}
    assert parse_rates(" tj-institution=0.05, gx-county:450102=0.10 ,gx-county=0.02,") == {
        "tj-institution": {"": D("0.05")}, "gx-county": {"450102": D("0.10"), "": D("0.02")}}


@pytest.mark.parametrize(("value", "names"), [
    ("tj-institution", "tj-institution"),
    ("tj-institution=5%", "5%"),
    ("tj-institution=1.5", "above 1"),
    ("tj-institution=-0.1", "-0.1"),
    ("Tj Inst=0.1", "Tj Inst"),
    ("gx-county:4501=0.1", "4501"),
    ("gx-county:450102=0.1,gx-county:450102=0.2", "set twice"),
    ("tj-institution=NaN", "NaN"),
])
def test_a_malformed_setting_names_the_entry(value, names):
    with pytest.raises(RateSettingError) as exc:
        parse_rates(value)
    assert names in str(exc.value)


def test_a_malformed_setting_stops_start_up_with_its_message():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TECHTRANSFER_SUBSIDY_RATES": "tj-institution=lots",
           "DJANGO_SETTINGS_MODULE": "techtransfer.config.settings"}
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode != 0
    assert "TECHTRANSFER_SUBSIDY_RATES" in run.stderr and "'lots'" in run.stderr


def test_the_engine_takes_the_default_rate_only_where_the_rules_leave_it():
    unset = rules(formula={"kind": "percentage", "rate": None})
    d = decide(unset, default_rates={"": D("0.05")})
    assert d.amount == D("50000.00") and d.lines[1]["rate_source"] == "setting"
    # the rules' own rate wins over the setting
    assert decide(rules(), default_rates={"": D("0.05")}).amount == D("200000.00")
    # the most specific region of the setting wins over its policy-wide rate; the rules' regions over both
    regional = {"": D("0.01"), "530100": D("0.02"), "530102": D("0.03")}
    assert decide(unset, default_rates=regional).amount == D("30000.00")
    assert decide(unset, facts(buyer=Party(region="530103", kind="enterprise")), default_rates=regional).amount \
        == D("20000.00")
    by_rules = rules(formula={"kind": "percentage", "rate": None, "rates_by_region": {"530000": "0.04"}})
    assert decide(by_rules, default_rates=regional).amount == D("40000.00")


def test_no_rate_keeps_eligibility_and_explains_the_zero():
    unset = rules(formula={"kind": "percentage", "rate": None})
    d = decide(unset)
    assert (d.eligible, d.amount, d.unmet) == (True, D("0.00"), [])
    assert [line["step"] for line in d.lines] == ["base", "rate_not_set"]
    assert d.lines[1]["region"] == "530102"
    # an unmet condition is still named, and rate_not_set is not one of them
    d = decide(unset, facts(category="service"), beneficiary="seller")
    assert not d.eligible and d.unmet == ["beneficiary_not_covered"]


TJ_CASE = {"id": "tj", "beneficiary": "seller", "contract": {
    "category": "transfer", "subcategory": "tr_patent", "contract_amount": "1200000.00", "tech_amount": "1000000.00",
    "certified_on": "2025-03-01", "seller": {"region": "120101", "kind": "university"},
    "buyer": {"region": "530102", "kind": "enterprise"}}}


@pytest.mark.django_db
def test_the_command_reads_the_setting_and_rate_overrides_it(tmp_path, capsys, settings):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(TJ_CASE) + "\n", encoding="utf-8")
    argv = ["subsidies", "evaluate", "--policy", "tj-institution", "--input", str(cases), "--json"]
    settings.SUBSIDY_RATES = {}
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["eligible"], out["amount"], out["lines"][-1]["step"]) == (True, "0.00", "rate_not_set")
    settings.SUBSIDY_RATES = parse_rates("tj-institution=0.01")
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["amount"] == "12000.00"
    assert main([*argv, "--rate", "0.02"]) == 0
    assert json.loads(capsys.readouterr().out)["amount"] == "24000.00"
    assert main([*argv, "--rate", "two"]) == 2
    assert "--rate" in capsys.readouterr().err
    # a rate set by the rules is not replaced by --rate
    yn = {**TJ_CASE, "beneficiary": "buyer",
          "contract": {**TJ_CASE["contract"], "seller": {"region": "110105", "kind": "university"}}}
    cases.write_text(json.dumps(yn) + "\n", encoding="utf-8")
    assert main([*argv[:3], "yn-absorb", *argv[4:], "--rate", "0.5"]) == 0
    assert json.loads(capsys.readouterr().out)["amount"] == "200000.00"  # 20 % of 技术交易额, not 50 %


def test_rate_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["subsidies", "evaluate", "--help"])
    out = capsys.readouterr().out
    assert "--rate" in out and "TECHTRANSFER_SUBSIDY_RATES" in out and "rate_not_set" in out
