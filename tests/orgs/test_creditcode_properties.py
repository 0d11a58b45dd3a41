"""Property tests of the unified social credit code (GB 32100-2015): every code ``make`` builds is valid, the
check character catches every single-character change, and ``validate`` raises only ``CreditCodeError``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from techtransfer.orgs import creditcode

AUTHORITY_CATEGORY = st.sampled_from([(a, c) for a, cats in creditcode.AUTHORITIES.items() for c in cats])
REGION = st.from_regex(r"\A[1-8][0-9]{5}\Z")
BODY = st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=8, max_size=8)
CODES = st.builds(lambda ac, region, body: creditcode.make(ac[0], ac[1], region, body), AUTHORITY_CATEGORY, REGION,
                  BODY)


@given(CODES)
def test_every_made_code_is_valid_and_normalized(code):
    assert len(code) == 18
    assert creditcode.validate(code) == code
    assert creditcode.validate(f"  {code.lower()} ") == code
    assert creditcode.check_character(code[:17]) == code[17]


@given(CODES, st.integers(0, 17), st.sampled_from(creditcode.CHARSET))
def test_the_check_character_catches_any_single_change(code, position, replacement):
    changed = code[:position] + replacement + code[position + 1:]
    if changed == code:
        return
    assert not creditcode.is_valid(changed)


@given(CODES, st.integers(0, 16))
def test_the_check_character_catches_swapped_neighbours(code, position):
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2:]
    if swapped == code:
        return
    assert not creditcode.is_valid(swapped)


@given(st.text(max_size=30) | st.from_regex(r"\A[0-9A-Z]{18}\Z"))
def test_validate_raises_only_credit_code_errors(text):
    try:
        code = creditcode.validate(text)
    except creditcode.CreditCodeError as exc:
        assert str(exc)
        return
    assert len(code) == 18 and creditcode.check_character(code[:17]) == code[17]
