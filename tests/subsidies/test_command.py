"""``techtransfer subsidies evaluate --policy CODE --input CASES.jsonl --json``: one answer per line, good or bad."""

from __future__ import annotations

import json

import pytest

from techtransfer.cli import main

pytestmark = pytest.mark.django_db

GOOD = {"id": "good", "beneficiary": "buyer", "granted_this_year": "1900000.00", "contract": {
    "category": "transfer", "subcategory": "tr_patent", "contract_amount": "1200000.00", "tech_amount": "1000000.00",
    "equity_amount": None, "certified_on": "2025-03-01",
    "seller": {"region": "110105", "country": None, "kind": "university", "ownership": "state"},
    "buyer": {"region": "530102", "country": None, "kind": "enterprise", "ownership": "private"}}}


def lines_of(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_good_and_bad_lines(tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    unmet = {**GOOD, "id": "unmet", "beneficiary": "seller"}
    bad = [
        {**GOOD, "id": "negative", "contract": {**GOOD["contract"], "tech_amount": "-1"}},
        {**GOOD, "id": "region", "contract": {**GOOD["contract"], "buyer": {"region": "53"}}},
        {**GOOD, "id": "who", "beneficiary": "mayor"},
        {**GOOD, "id": "nodate", "contract": {**GOOD["contract"], "certified_on": None}},
        {**GOOD, "id": "kind", "contract": {**GOOD["contract"], "buyer": {"region": "530102", "kind": "alien"}}},
    ]
    text = "\n".join(json.dumps(c) for c in [GOOD, unmet, *bad]) + "\n\n[1, 2]\n{not json\n"
    cases.write_text(text, encoding="utf-8")
    assert main(["subsidies", "evaluate", "--policy", "yn-absorb", "--input", str(cases), "--json"]) == 0
    out = lines_of(capsys.readouterr().out)
    assert out[0]["id"] == "good" and out[0]["eligible"] is True
    # yn-absorb caps each case, not the year: what was granted before does not reduce it.
    assert out[0]["amount"] == "200000.00" and out[0]["unmet"] == [] and out[0]["version"] == 1
    assert out[1] == {"id": "unmet", "eligible": False, "amount": "0.00", "unmet": ["beneficiary_not_covered"],
                      "lines": [], "version": 1}
    errors = {o["id"]: o["error"] for o in out[2:7]}
    assert {k: v["field"] for k, v in errors.items()} == {
        "negative": "tech_amount", "region": "buyer.region", "who": "beneficiary", "nodate": "certified_on",
        "kind": "buyer.kind"}
    assert [o["error"]["code"] for o in out[7:]] == ["invalid_facts", "invalid_json"]
    assert len(out) == 9


def test_on_overrides_the_date_and_unknown_policy_is_exit_2(tmp_path, capsys):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert main(["subsidies", "evaluate", "--policy", "yn-absorb", "--input", str(cases), "--on", "1999-01-01",
                 "--json"]) == 0
    assert lines_of(capsys.readouterr().out)[0]["unmet"] == ["no_version_in_force"]
    assert main(["subsidies", "evaluate", "--policy", "nope", "--input", str(cases), "--json"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["subsidies", "evaluate", "--policy", "yn-absorb", "--input", str(tmp_path / "missing")]) == 2


def test_help_describes_the_input(capsys):
    with pytest.raises(SystemExit):
        main(["subsidies", "evaluate", "--help"])
    out = capsys.readouterr().out
    assert all(word in out for word in ("beneficiary", "granted_this_year", "certified_on", "GB/T 2260", "--on"))


def test_a_database_not_yet_migrated_applies_the_shipped_versions(tmp_path, capsys, monkeypatch):
    """On a fresh installation the command still answers, from the shipped policies (``data.POLICIES``), exactly
    as it does from the migrated tables that seed them."""
    from techtransfer.subsidies import services

    cases = tmp_path / "cases.jsonl"
    variants = [GOOD, {**GOOD, "id": "seller", "beneficiary": "seller"},
                {**GOOD, "id": "state", "contract": {**GOOD["contract"], "buyer": {
                    "region": "530102", "kind": "enterprise", "ownership": "state"}}}]
    cases.write_text("\n".join(json.dumps(c) for c in variants) + "\n", encoding="utf-8")
    answers = {}
    for code in ("yn-absorb", "yn-local", "tiered-example"):
        assert main(["subsidies", "evaluate", "--policy", code, "--input", str(cases), "--json"]) == 0
        answers[code] = lines_of(capsys.readouterr().out)
    assert services.tables_ready()
    monkeypatch.setattr(services, "tables_ready", lambda: False)
    for code, expected in answers.items():
        assert main(["subsidies", "evaluate", "--policy", code, "--input", str(cases), "--json"]) == 0
        captured = capsys.readouterr()
        assert lines_of(captured.out) == expected and "techtransfer migrate" in captured.err
    assert main(["subsidies", "evaluate", "--policy", "nope", "--input", str(cases), "--json"]) == 2
