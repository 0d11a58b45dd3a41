"""Properties of the engine on arbitrary facts: never negative, never above a cap, monotone in the base for
percentage and tiered formulas, and no exception but the domain's ``FactsError``."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from techtransfer.subsidies import engine
from techtransfer.subsidies.engine import Broker, Facts, Party
from techtransfer.subsidies.facts import facts_from_dict
from tests.subsidies.helpers import decide, facts, rules

money = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)
rate = st.decimals(min_value=0, max_value=1, places=4)
caps = st.fixed_dictionaries({}, optional={"per_case": money.map(str), "per_beneficiary_year": money.map(str)})
tiered = st.lists(st.tuples(money, rate), min_size=1, max_size=4).map(
    lambda pairs: {"kind": "tiered", "tiers": [
        *({"up_to": str(b), "rate": str(r)} for b, r in sorted({b: (b, r) for b, r in pairs[:-1]}.values())),
        {"rate": str(pairs[-1][1])},
    ]}
)
percentage = rate.map(lambda r: {"kind": "percentage", "rate": str(r)})
formula = st.one_of(percentage, tiered, money.map(lambda a: {"kind": "fixed", "amount": str(a)}))


@given(formula=formula, caps=caps, base=money, granted=money, budget=st.none() | money, used=money)
def test_never_negative_and_never_above_any_cap(formula, caps, base, granted, budget, used):
    r = rules(formula=formula, caps=caps)
    d = decide(r, facts(tech_amount=base), granted_this_year=granted, budget_per_year=budget, budget_used=used)
    assert d.eligible and Decimal("0") <= d.amount
    assert d.amount == d.amount.quantize(Decimal("0.01"))
    if "per_case" in caps:
        assert d.amount <= Decimal(caps["per_case"])
    if "per_beneficiary_year" in caps:
        assert d.amount <= max(Decimal(0), Decimal(caps["per_beneficiary_year"]) - granted)
    if budget is not None:
        assert d.amount <= max(Decimal(0), budget - used)


@given(formula=st.one_of(percentage, tiered), a=money, b=money)
def test_monotone_in_the_base(formula, a, b):
    low, high = sorted((a, b))
    r = rules(formula=formula, caps={"per_case": "2000000.00"})
    assert decide(r, facts(tech_amount=low)).amount <= decide(r, facts(tech_amount=high)).amount


@given(total=money, weights=st.lists(money, min_size=1, max_size=6))
def test_broker_shares_always_sum_to_the_total(total, weights):
    shares = engine.split_shares(total, tuple(Broker(str(i), w) for i, w in enumerate(weights)))
    assert sum(s for _, s in shares) == total and all(s >= 0 for _, s in shares)


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
party = st.fixed_dictionaries({}, optional={k: json_value | st.text(max_size=7) for k in
                                            ("region", "country", "kind", "ownership")})
contract = st.fixed_dictionaries({}, optional={
    "category": json_value, "contract_amount": json_value | money.map(str), "tech_amount": json_value,
    "equity_amount": json_value, "certified_on": json_value | st.dates().map(str), "seller": party | json_value,
    "buyer": party, "brokers": json_value, "last_year_total": json_value,
})


@given(value=contract | json_value, beneficiary=st.sampled_from(["buyer", "seller", "broker", "institution"]))
def test_arbitrary_input_raises_only_the_domain_error(value, beneficiary):
    try:
        f = facts_from_dict(value)
    except engine.FactsError:
        return
    r = rules(beneficiaries=[beneficiary], formula={"kind": "percentage", "rate": "0.2", "split_among_brokers": True})
    d = decide(r, f, beneficiary=beneficiary)
    assert d.amount >= 0


@given(amount=st.decimals(allow_nan=True, allow_infinity=True) | st.integers(min_value=-10**30, max_value=10**30),
       region=st.text(max_size=8))
def test_facts_built_in_code_are_checked_too(amount, region):
    f = Facts(tech_amount=amount if isinstance(amount, Decimal) else Decimal(amount),
              certified_on=datetime.date(2025, 1, 1), buyer=Party(region=region or None))
    try:
        d = decide(rules(), f)
    except engine.FactsError:
        return
    assert d.amount >= 0
