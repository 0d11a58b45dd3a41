"""Property tests of the 技术交易额 split (``contracts.services.split_amount``): whatever lines are given, the
split either is refused with a ``DomainError`` naming an amount-lines field, or its parts are never negative and
add up to the contract amount (《技术合同认定规则》: technology amount = contract amount − non-technical parts)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from techtransfer.contracts.models import AmountKind
from techtransfer.contracts.services import split_amount
from techtransfer.core.errors import DomainError
from techtransfer.core.fields import MAX_AMOUNT

AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)
KINDS = st.sampled_from(list(AmountKind.values))
LINE = st.fixed_dictionaries(
    {"kind": KINDS, "amount": AMOUNTS.map(str)}, optional={"description": st.text(max_size=20)}
)
ODD_LINE = st.one_of(
    LINE, st.integers(), st.text(max_size=5),
    st.fixed_dictionaries({"kind": st.text(max_size=8) | KINDS,
                           "amount": st.one_of(st.none(), st.text(max_size=12), st.floats(), AMOUNTS)}),
)


def _check(contract_amount, split):
    assert split.tech_amount >= 0 and split.non_tech_amount >= 0
    assert split.tech_amount + split.non_tech_amount == contract_amount
    assert sum(line.amount for line in split.lines) == contract_amount
    assert all(line.amount >= 0 for line in split.lines)


@given(AMOUNTS, st.lists(LINE, max_size=6))
def test_a_split_adds_up_and_is_never_negative(contract_amount, lines):
    try:
        split = split_amount(contract_amount, lines)
    except DomainError as exc:
        assert (exc.field or "").startswith("amount_lines") and exc.message
        return
    _check(contract_amount, split)


@given(AMOUNTS, st.lists(st.tuples(st.sampled_from([k for k in AmountKind.values if k != AmountKind.TECHNOLOGY]),
                                   st.integers(0, 10**6)), max_size=5))
def test_lines_within_the_amount_are_accepted(contract_amount, parts):
    total = sum(Decimal(cents) / 100 for _kind, cents in parts)
    lines = [{"kind": kind, "amount": str(Decimal(cents) / 100)} for kind, cents in parts]
    if total > contract_amount:
        try:
            split_amount(contract_amount, lines)
        except DomainError as exc:
            assert exc.field == "amount_lines"
        else:
            raise AssertionError("lines above the contract amount were accepted")
        return
    _check(contract_amount, split_amount(contract_amount, lines))


@given(AMOUNTS, st.one_of(st.lists(ODD_LINE, max_size=4), st.text(max_size=5), st.integers()))
def test_malformed_lines_raise_only_domain_errors(contract_amount, lines):
    try:
        split = split_amount(contract_amount, lines)
    except DomainError as exc:
        assert (exc.field or "").startswith("amount_lines")
        return
    _check(contract_amount, split)
