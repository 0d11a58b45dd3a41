"""Property tests of the shared value parsers (``core.fields``) and the page parameters (``core.pagination``):
whatever the input, a parser returns a value of its kind within its bounds or raises its own error — never
another exception — and every valid value survives a round trip through the ways people write it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from techtransfer.core.errors import DomainError
from techtransfer.core.fields import (
    CENT,
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_AMOUNT,
    FieldError,
    check_text,
    find_illegal_character,
    parse_date,
    parse_moment,
    parse_money,
    parse_text,
    parse_whole,
    strip_illegal_characters,
)
from techtransfer.core.pagination import MAX_PAGE, parse_int

ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True), st.text(), st.binary(), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
# Text shaped like numbers, amounts and dates, to reach past the first checks.
NUMBERISH = st.from_regex(r"\A[-+¥￥ ]?[0-9,，.eE+\-]{0,40}(万元|万|元)?\Z") | st.from_regex(
    r"\A-?\d{1,30}(\.\d{1,30})?[eE][-+]?\d{1,12}\Z"
)
AMOUNTS = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)
ILLEGAL = st.sampled_from([chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 0xD800, 0xDFFF, 0xFFFE, 0xFFFF]])


# --- money -------------------------------------------------------------------------------------------------------


@given(st.one_of(ANYTHING, NUMBERISH), st.booleans(), st.booleans())
def test_money_raises_nothing_but_field_error_and_stays_in_bounds(value, positive, required):
    try:
        amount = parse_money(value, positive=positive, required=required)
    except FieldError as exc:
        assert exc.message
        return
    if amount is None:
        assert not required
        return
    assert isinstance(amount, Decimal) and amount.is_finite()
    assert Decimal(0) <= amount <= MAX_AMOUNT
    assert amount == amount.quantize(CENT) and amount.as_tuple().exponent == -2
    assert not (positive and amount == 0)
    assert not amount.is_signed()


@given(AMOUNTS)
def test_money_round_trips_the_ways_people_write_it(amount):
    amount = amount.quantize(CENT)
    for written in (str(amount), f"{amount:,}", f"¥{amount:,}", f"￥ {amount}", f"{amount}元", amount):
        assert parse_money(written) == amount, written
    assert parse_money(f"{amount / 10000}万元") == amount
    assert parse_money(f"{amount:.2f}") == amount


@given(st.decimals(min_value=MAX_AMOUNT + CENT, allow_nan=False, allow_infinity=False))
def test_money_above_the_bound_is_refused(amount):
    with pytest.raises(FieldError):
        parse_money(amount)
    with pytest.raises(FieldError):
        parse_money(str(amount))


@given(st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False))
def test_money_with_more_than_two_places_is_refused(amount):
    assume(amount != amount.quantize(CENT))
    with pytest.raises(FieldError):
        parse_money(amount)
    with pytest.raises(FieldError):
        parse_money(str(amount))


@given(st.integers(min_value=-(10**40), max_value=-1))
def test_negative_money_is_refused(number):
    with pytest.raises(FieldError):
        parse_money(number)


# --- dates and date-times ----------------------------------------------------------------------------------------


@given(st.one_of(ANYTHING, st.from_regex(r"\A\s*\d{1,5}-\d{1,3}-\d{1,3}\s*\Z"), st.dates(), st.datetimes()),
       st.booleans())
def test_date_raises_nothing_but_field_error_and_stays_in_range(value, required):
    try:
        day = parse_date(value, required=required)
    except FieldError as exc:
        assert exc.message
        return
    if day is None:
        assert not required
        return
    assert type(day) is datetime.date and EARLIEST_YEAR <= day.year <= LATEST_YEAR


@given(st.dates(min_value=datetime.date(EARLIEST_YEAR, 1, 1), max_value=datetime.date(LATEST_YEAR, 12, 31)))
def test_date_round_trips(day):
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"  {day.isoformat()} ") == day
    assert parse_date(day) == day


@given(st.dates().filter(lambda d: not EARLIEST_YEAR <= d.year <= LATEST_YEAR))
def test_date_out_of_range_is_refused(day):
    with pytest.raises(FieldError):
        parse_date(day)


@given(st.one_of(ANYTHING, st.from_regex(r"\A\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?\Z")),
       st.booleans())
def test_moment_raises_nothing_but_field_error_and_is_aware(value, required):
    try:
        moment = parse_moment(value, required=required)
    except FieldError as exc:
        assert exc.message
        return
    if moment is None:
        assert not required
        return
    assert isinstance(moment, datetime.datetime) and timezone.is_aware(moment)


@given(st.datetimes(min_value=datetime.datetime(1950, 1, 2), max_value=datetime.datetime(2199, 12, 30),
                    timezones=st.just(datetime.UTC)))
def test_moment_round_trips(moment):
    assert parse_moment(moment.isoformat()) == moment


# --- whole numbers -----------------------------------------------------------------------------------------------


@given(st.one_of(ANYTHING, NUMBERISH), st.integers(-1000, 1000), st.integers(0, 1000), st.booleans())
def test_whole_raises_nothing_but_field_error_and_stays_in_bounds(value, low, span, required):
    high = low + span
    try:
        number = parse_whole(value, low=low, high=high, required=required)
    except FieldError as exc:
        assert exc.message
        return
    if number is None:
        assert not required
        return
    assert type(number) is int and low <= number <= high


@given(st.integers(-(10**30), 10**30))
def test_whole_round_trips(number):
    assert parse_whole(str(number), low=number, high=number) == number
    assert parse_whole(f" {number} ", low=-(10**30), high=10**30) == number


@given(st.one_of(ANYTHING, NUMBERISH, st.integers()))
def test_page_parameters_give_a_bounded_page_or_a_400(value):
    try:
        page = parse_int(value, "page", 1, 1, MAX_PAGE)
    except DomainError as exc:
        assert exc.status == 400 and exc.field == "page" and exc.message
        return
    assert type(page) is int and 1 <= page <= MAX_PAGE


# --- text --------------------------------------------------------------------------------------------------------


@given(st.one_of(ANYTHING, st.text(alphabet=st.characters(codec=None), max_size=60)),
       st.integers(0, 50), st.integers(0, 50))
def test_text_raises_nothing_but_field_error_and_keeps_its_promises(value, low, span):
    try:
        text = parse_text(value, min_length=low, max_length=low + span)
    except FieldError as exc:
        assert exc.message
        return
    assert isinstance(text, str) and text == text.strip()
    assert low <= len(text) <= low + span
    assert find_illegal_character(text) is None


@given(st.text(max_size=30), ILLEGAL, st.text(max_size=30))
def test_text_with_a_control_character_is_always_refused(before, bad, after):
    value = before + bad + after
    with pytest.raises(FieldError) as info:
        parse_text(value, max_length=None)
    assert f"U+{ord(find_illegal_character(value)):04X}" in info.value.message
    with pytest.raises(FieldError):
        check_text(value)
    assert find_illegal_character(strip_illegal_characters(value)) is None


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\t\n\r"),
               max_size=80))
def test_ordinary_text_round_trips(value):
    assert parse_text(value, max_length=None) == value.strip()
    assert strip_illegal_characters(value) == value
