"""The subsidy engine (pure, no database): every formula, every cap, every condition code."""

from __future__ import annotations

import datetime

import pytest

from techtransfer.subsidies import engine
from techtransfer.subsidies.engine import Broker, Party
from techtransfer.subsidies.rules import RulesError, parse_rules
from tests.subsidies.helpers import BEIJING_CHAOYANG, KUNMING_WUHUA, D, decide, facts, rules

# --- formulas --------------------------------------------------------------------------------------------------


def test_percentage_with_per_case_cap_and_explanation():
    r = rules(caps={"per_case": "150000.00"})
    d = decide(r)
    assert d.eligible and d.amount == D("150000.00") and d.unmet == []
    assert [line["step"] for line in d.lines] == ["base", "percentage", "cap"]
    assert d.lines[1] == {"step": "percentage", "base": "1000000.00", "rate": "0.20", "amount": "200000.00"}
    assert d.lines[2]["before"] == "200000.00" and d.lines[2]["after"] == "150000.00"


def test_percentage_rounds_half_up_to_the_fen():
    d = decide(rules(formula={"kind": "percentage", "rate": "0.005"}), facts(tech_amount=D("1.01")))
    assert d.amount == D("0.01")  # 0.00505 -> 0.01 (half up)
    d = decide(rules(formula={"kind": "percentage", "rate": "0.005"}), facts(tech_amount=D("0.99")))
    assert d.amount == D("0.00")  # 0.00495 -> 0.00


TIERED = {"kind": "tiered", "tiers": [
    {"up_to": "100000.00", "rate": "0.01"}, {"up_to": "1000000.00", "rate": "0.005"}, {"rate": "0.001"},
]}


@pytest.mark.parametrize(("base", "amount", "tiers"), [
    ("0.00", "0.00", 0),
    ("99999.99", "1000.00", 1),
    ("100000.00", "1000.00", 1),  # exactly on the first bound: nothing at 0.5 %
    ("100000.01", "1000.00", 2),  # a fen into the second tier: 0.00005 rounds to 0.00
    ("100200.00", "1001.00", 2),
    ("1000000.00", "5500.00", 2),  # exactly on the second bound
    ("2000000.00", "6500.00", 3),
])
def test_tiered_marginal_rates_and_exact_boundaries(base, amount, tiers):
    d = decide(rules(formula=TIERED), facts(tech_amount=D(base)))
    assert d.amount == D(amount)
    tier_lines = [line for line in d.lines if line["step"] == "tier"]
    assert len(tier_lines) == tiers
    assert sum(D(line["amount"]) for line in tier_lines) == d.amount


def test_fixed_amount():
    d = decide(rules(formula={"kind": "fixed", "amount": "30000.00"}))
    assert d.amount == D("30000.00") and d.lines[-1] == {"step": "fixed", "amount": "30000.00"}


def test_broker_shares_sum_exactly_to_the_total_with_fen_rounding():
    r = rules(beneficiaries=["broker"], formula={"kind": "fixed", "amount": "100.00", "split_among_brokers": True})
    brokers = (Broker("a", D("1")), Broker("b", D("1")), Broker("c", D("1")))
    d = decide(r, facts(brokers=brokers), beneficiary="broker")
    shares = [line for line in d.lines if line["step"] == "share"]
    assert [s["amount"] for s in shares] == ["33.34", "33.33", "33.33"]
    assert sum(D(s["amount"]) for s in shares) == d.amount == D("100.00")


def test_broker_shares_follow_the_recorded_contribution():
    shares = engine.split_shares(D("1000.00"), (Broker("a", D("3")), Broker("b", D("1"))))
    assert [s for _, s in shares] == [D("750.00"), D("250.00")]
    shares = engine.split_shares(D("0.05"), (Broker("a", D("0")), Broker("b", D("0"))))
    assert sum(s for _, s in shares) == D("0.05")


def test_broker_reward_without_brokers_is_not_eligible():
    r = rules(beneficiaries=["broker"], formula={"kind": "fixed", "amount": "100.00", "split_among_brokers": True})
    assert decide(r, beneficiary="broker").unmet == ["no_brokers"]


def test_rate_set_per_region_most_specific_wins():
    r = rules(formula={"kind": "percentage", "rate": None, "rates_by_region": {"530100": "0.05", "530102": "0.10"}})
    assert decide(r).amount == D("100000.00")
    assert decide(r, facts(buyer=Party(region="530103", kind="enterprise"))).amount == D("50000.00")
    d = decide(r, facts(buyer=Party(region="530302", kind="enterprise")))
    assert (d.eligible, d.amount, d.unmet, d.lines[-1]["step"]) == (True, D("0.00"), [], "rate_not_set")


# --- caps ------------------------------------------------------------------------------------------------------


def test_per_beneficiary_year_cap_uses_what_was_granted():
    r = rules(caps={"per_beneficiary_year": "250000.00"})
    assert decide(r, granted_this_year=D("100000.00")).amount == D("150000.00")
    assert decide(r, granted_this_year=D("0")).amount == D("200000.00")
    d = decide(r, granted_this_year=D("300000.00"))
    assert d.eligible and d.amount == D("0.00") and d.lines[-1]["after"] == "0.00"


def test_budget_cap():
    d = decide(rules(), budget_per_year=D("1000000.00"), budget_used=D("950000.00"))
    assert d.amount == D("50000.00") and d.lines[-1]["cap"] == "budget"


def test_caps_apply_in_order_and_each_line_shows_before_and_after():
    r = rules(caps={"per_case": "180000.00", "per_beneficiary_year": "300000.00"})
    d = decide(r, granted_this_year=D("150000.00"), budget_per_year=D("1000000.00"), budget_used=D("960000.00"))
    caps = [(line["cap"], line["before"], line["after"]) for line in d.lines if line["step"] == "cap"]
    assert caps == [("per_case", "200000.00", "180000.00"), ("per_beneficiary_year", "180000.00", "150000.00"),
                    ("budget", "150000.00", "40000.00")]
    assert d.amount == D("40000.00")


# --- conditions: each unmet code -------------------------------------------------------------------------------

FOREIGN = Party(country="DE", kind="enterprise")
CONDITION_CASES = [
    ("beneficiary_not_covered", {}, {}, "seller"),
    ("beneficiary_kind", {"conditions": {"beneficiary_kinds": ["university"]}}, {}, "buyer"),
    ("category", {"conditions": {"categories": ["development"]}}, {}, "buyer"),
    ("subcategory", {"conditions": {"subcategories": ["tr_secret"]}}, {}, "buyer"),
    ("ip_type", {"conditions": {"ip_types": ["patent"]}}, {"ip_type": "software"}, "buyer"),
    ("not_certified", {}, {"certified_on": None}, "buyer"),
    ("certified_out_of_period", {"conditions": {"certified_from": "2026-01-01"}}, {}, "buyer"),
    ("certified_out_of_period", {"conditions": {"certified_to": "2024-12-31"}}, {}, "buyer"),
    ("seller_region_inside", {"conditions": {"seller": {"region_inside": "policy"}}}, {}, "buyer"),
    ("seller_region_inside", {"conditions": {"seller": {"region_inside": "110000"}}}, {"seller": FOREIGN}, "buyer"),
    ("buyer_region_outside", {"conditions": {"buyer": {"region_outside": "policy"}}}, {}, "buyer"),
    ("buyer_region_outside", {"conditions": {"buyer": {"region_outside": "530100"}}}, {}, "buyer"),
    ("seller_kind", {"conditions": {"seller": {"kinds": ["enterprise"]}}}, {}, "buyer"),
    ("buyer_kind", {"conditions": {"buyer": {"kinds": ["university"]}}}, {}, "buyer"),
    ("buyer_ownership", {"conditions": {"buyer": {"ownership": ["state"]}}}, {}, "buyer"),
    ("seller_state_owned", {"conditions": {"seller": {"state_owned": False}}}, {}, "buyer"),
    ("buyer_state_owned", {"conditions": {"buyer": {"state_owned": True}}}, {}, "buyer"),
    ("seller_foreign", {"conditions": {"seller": {"foreign": True}}}, {}, "buyer"),
    ("flow", {"conditions": {"flows": ["international"]}}, {}, "buyer"),
    ("flow", {"conditions": {"flows": ["cross_province"]}}, {"seller": FOREIGN}, "buyer"),
    ("base_missing", {}, {"tech_amount": None}, "buyer"),
    ("min_amount", {"conditions": {"min_amount": "1000000.01"}}, {}, "buyer"),
]


@pytest.mark.parametrize(("code", "rule_overrides", "fact_overrides", "beneficiary"), CONDITION_CASES)
def test_each_unmet_condition_is_named(code, rule_overrides, fact_overrides, beneficiary):
    d = decide(rules(**rule_overrides), facts(**fact_overrides), beneficiary=beneficiary)
    assert not d.eligible and d.amount == D("0.00") and d.unmet == [code]
    assert code in engine.CONDITION_CODES


def test_conditions_met_are_not_named_and_all_unmet_are_listed():
    r = rules(conditions={
        "seller": {"region_outside": "policy", "state_owned": True}, "buyer": {"region_inside": "policy"},
        "flows": ["cross_province"], "min_amount": "1000000.00", "categories": ["transfer"],
    })
    assert decide(r).eligible
    d = decide(r, facts(category="service", seller=Party(region=KUNMING_WUHUA), tech_amount=D("5.00")))
    assert d.unmet == ["category", "seller_region_outside", "seller_state_owned", "flow", "min_amount"]


def test_state_owned_reads_the_given_ownership_codes():
    r = rules(conditions={"seller": {"state_owned": True}})
    assert not decide(r, state_owned_codes=frozenset({"collective"})).eligible
    assert decide(r, facts(seller=Party(region=BEIJING_CHAOYANG, ownership="collective")),
                  state_owned_codes=frozenset({"collective"})).eligible


def test_a_foreign_party_is_outside_every_region_and_the_flow_is_international():
    f = facts(seller=FOREIGN)
    assert engine.flow_of(f) == "international"
    assert decide(rules(conditions={"seller": {"region_outside": "policy", "foreign": True}}), f).eligible


def test_equity_or_contract_base_and_last_year_total():
    r = rules(base="equity_or_contract")
    assert decide(r, facts(equity_amount=D("500000.00"))).lines[0]["base"] == "equity_amount"
    assert decide(r).lines[0] == {"step": "base", "rule": "", "base": "contract_amount", "value": "1200000.00"}
    r = rules(base="last_year_total")
    assert decide(r, facts(last_year_total=D("10.00"))).amount == D("2.00")
    assert decide(r).lines[0]["base"].startswith("contract_amount")


# --- validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("doc", [
    {"beneficiaries": [], "base": "tech_amount", "formula": {"kind": "fixed", "amount": "1.00"}},
    {"beneficiaries": ["buyer"], "base": "turnover", "formula": {"kind": "fixed", "amount": "1.00"}},
    {"beneficiaries": ["buyer"], "base": "tech_amount", "formula": {"kind": "percentage", "rate": "1.5"}},
    {"beneficiaries": ["buyer"], "base": "tech_amount", "formula": {"kind": "fixed"}},
    {"beneficiaries": ["buyer"], "base": "tech_amount", "formula": {"kind": "tiered", "tiers": [{"rate": "0.1"},
                                                                                                {"rate": "0.1"}]}},
    {"beneficiaries": ["buyer"], "base": "tech_amount", "formula": {"kind": "tiered", "tiers": [
        {"up_to": "10.00", "rate": "0.1"}, {"up_to": "5.00", "rate": "0.1"}, {"rate": "0.1"}]}},
    {"beneficiaries": ["buyer"], "base": "tech_amount", "formula": {"kind": "fixed", "amount": "1.00"}, "x": 1},
    {"beneficiaries": ["buyer"], "base": "tech_amount",
     "formula": {"kind": "percentage", "rates_by_region": {"53": "0.1"}}},
])
def test_bad_rules_documents_are_refused_naming_the_field(doc):
    with pytest.raises(RulesError) as exc:
        parse_rules(doc)
    assert exc.value.code == "invalid_rules"


def test_unreadable_facts_raise_the_domain_error():
    with pytest.raises(engine.FactsError):
        decide(rules(), facts(tech_amount=D("-1")))
    with pytest.raises(engine.FactsError):
        decide(rules(), facts(seller=Party(region="53")))
    assert decide(rules(), facts(certified_on=datetime.date(2025, 1, 1))).eligible
