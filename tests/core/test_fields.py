"""The shared typed values: one parser per kind of value for API schemas, forms, importers and services."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from ninja import Schema
from pydantic import ValidationError

from techtransfer.core.errors import DomainError
from techtransfer.core.fields import (
    Day,
    FieldError,
    Money,
    MoneyField,
    OptionalMoney,
    PositiveMoney,
    Text,
    in_field,
    parse_date,
    parse_moment,
    parse_money,
    parse_text,
    parse_whole,
)


@pytest.mark.parametrize(
    "raw, amount",
    [
        ("120000", "120000.00"),
        ("1,200.5", "1200.50"),
        ("¥1,200.50", "1200.50"),
        ("￥ 3 000", "3000.00"),
        ("12万元", "120000.00"),
        ("12.5万", "125000.00"),
        ("300元", "300.00"),
        ("１２，０００", "12000.00"),  # full-width digits and comma, as typed with a Chinese input method
        (5, "5.00"),
        (Decimal("2.5"), "2.50"),
        (0, "0.00"),
    ],
)
def test_money_reads_what_people_type(raw, amount):
    if amount is None:
        with pytest.raises(FieldError):
            parse_money(raw)
    else:
        assert parse_money(raw) == Decimal(amount)


@pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", "-1", "0.001", "1000000000000", True, [1], "万元"])
def test_money_refuses_what_is_not_an_amount(raw):
    with pytest.raises(FieldError) as info:
        parse_money(raw)
    assert info.value.message


def test_money_required_positive_and_optional():
    with pytest.raises(FieldError):
        parse_money("")
    assert parse_money(" ", required=False) is None
    with pytest.raises(FieldError):
        parse_money("0", positive=True)
    assert parse_money("0.01万", positive=True) == Decimal("100.00")


def test_dates_moments_numbers_and_text():
    assert parse_date(" 2026-03-01 ") == datetime.date(2026, 3, 1)
    assert parse_date("") is None
    assert parse_date(datetime.datetime(2026, 3, 1, 12)) == datetime.date(2026, 3, 1)
    for bad in ("2026-3-1", "2026-02-30", "1900-01-01", 20260301):
        with pytest.raises(FieldError):
            parse_date(bad)
    moment = parse_moment("2026-03-01T09:30")
    assert moment.tzinfo is not None and moment.hour == 9
    with pytest.raises(FieldError):
        parse_moment("tomorrow")
    assert parse_whole("", low=1, high=9, default=3) == 3
    assert parse_whole(" 7 ", low=1, high=9) == 7
    for bad in ("10", "x", True):
        with pytest.raises(FieldError):
            parse_whole(bad, low=1, high=9)
    assert parse_text("  a b  ") == "a b"
    assert parse_text(None) == ""
    with pytest.raises(FieldError):
        parse_text("x" * 11, max_length=10)
    with pytest.raises(FieldError):
        parse_text(12)


def test_in_field_names_the_field_for_services():
    with pytest.raises(DomainError) as info:
        in_field(parse_money, "abc", "price")
    assert info.value.field == "price" and info.value.status == 400


class PriceIn(Schema):
    price: Money
    reserve: PositiveMoney
    deposit: OptionalMoney = None
    day: Day = None
    title: Text(10) = ""


def test_schema_types_validate_and_describe_themselves():
    body = PriceIn(price="12万元", reserve=1, day="2026-01-02", title="  ok ")
    assert body.price == Decimal("120000.00") and body.reserve == Decimal("1.00")
    assert body.deposit is None and body.day == datetime.date(2026, 1, 2) and body.title == "ok"
    assert body.model_dump(mode="json")["price"] == "120000.00"
    with pytest.raises(ValidationError) as info:
        PriceIn(price="abc", reserve=0, title="x" * 11)
    fields = {e["loc"][0]: e["msg"] for e in info.value.errors()}
    assert set(fields) == {"price", "reserve", "title"}
    assert not fields["price"].startswith("Value error")
    schema = PriceIn.model_json_schema()["properties"]
    assert {"type": "number"} in schema["price"]["anyOf"] and schema["title"]["maxLength"] == 10
    assert {"type": "null"} in schema["deposit"]["anyOf"] and {"type": "null"} not in schema["price"]["anyOf"]


def test_text_may_refuse_null():
    class NoteIn(Schema):
        note: Text(5, null=False) = ""
        other: Text(5) = ""

    assert NoteIn(note=" a ", other=None).model_dump() == {"note": "a", "other": ""}
    with pytest.raises(ValidationError) as info:
        NoteIn(note=None)
    assert info.value.errors()[0]["loc"] == ("note",)


def test_money_form_field():
    class F(forms.Form):
        price = MoneyField(positive=True)

    form = F({"price": "¥2万"})
    assert form.is_valid() and form.cleaned_data["price"] == Decimal("20000.00")
    form = F({"price": "0"})
    assert not form.is_valid() and "price" in form.errors
