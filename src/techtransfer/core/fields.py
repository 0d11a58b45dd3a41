"""Shared typed values for every boundary: money, dates, date-times, whole numbers and trimmed text.

One parser per kind of value, used by the API schemas (as pydantic types), the forms (as Django form fields),
the importers and the services alike, so that "12万元", "¥1,200.50" or " 2026-03-01 " mean the same thing on
every channel. A parser raises ``FieldError`` (a ``ValueError``) with a translated message; each boundary
turns it into its own error shape: ``DomainError`` (field named) in services, a 422 in the API (pydantic reads a
``ValueError`` raised in a validator as a validation error), a form error, or an import cell error.

Money is ``Decimal`` in yuan with two places (conventions: never float).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from techtransfer.core.errors import DomainError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # fits the 16-digit money columns with room for sums
TEN_THOUSAND = Decimal(10000)
EARLIEST_YEAR, LATEST_YEAR = 1950, 2200

_GROUPING = str.maketrans("", "", ",，  _")  # thousands separators and spaces people type or paste
_MONEY_RE = re.compile(r"^(?P<number>[-+]?\d+(?:\.\d+)?)(?P<unit>万元|万|元)?$")


class FieldError(ValueError):
    """A value that cannot be read; ``message`` is translated and names no field (the caller knows it)."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = str(message)


# --- parsers -----------------------------------------------------------------------------------------------------


def parse_money(value, *, positive: bool = False, required: bool = True) -> Decimal | None:
    """An amount in yuan with at most two decimal places, below ¥1,000,000,000,000.

    Accepts numbers and text with thousands separators, a leading ¥/￥ and a unit of 元 or 万元/万 (ten thousand
    yuan: "12.5万元" is ¥125,000.00). Negative amounts are refused; zero too when ``positive``. Empty input is
    None when not ``required``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("This amount is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise FieldError(_("Not an amount: %s") % str(value)[:40])
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().translate(_GROUPING).lstrip("¥￥")
        match = _MONEY_RE.match(text)
        try:
            amount = Decimal(match["number"] if match else text)
        except (InvalidOperation, ValueError):
            raise FieldError(_("Not an amount: %s") % str(value)[:40])
        if match and match["unit"] in ("万元", "万"):
            amount *= TEN_THOUSAND
    if not amount.is_finite():
        raise FieldError(_("Not an amount: %s") % str(value)[:40])
    if amount < 0 or (positive and amount == 0):
        raise FieldError(_("The amount must be above zero.") if positive else _("An amount cannot be negative."))
    if amount > MAX_AMOUNT:
        raise FieldError(_("The amount is too large."))
    if amount != amount.quantize(CENT):
        raise FieldError(_("Amounts are in yuan with at most two decimal places."))
    return amount.quantize(CENT)


def parse_date(value, *, required: bool = False) -> datetime.date | None:
    """A calendar day written YYYY-MM-DD (a datetime is cut to its day), between 1950 and 2200."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("This date is required."))
        return None
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        try:
            if len(text) != 10:
                raise ValueError(text)
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise FieldError(_("Not a date (YYYY-MM-DD): %s") % str(value)[:40])
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise FieldError(_("The date is out of range: %s") % day.isoformat())
    return day


def parse_moment(value, *, required: bool = True) -> datetime.datetime | None:
    """A timezone-aware date and time (ISO 8601); a naive value is read in the platform's time zone."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("Not a date and time (YYYY-MM-DDTHH:MM): %s") % "")
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            moment = parse_datetime(str(value).strip())
        except ValueError:
            moment = None
        if moment is None:
            raise FieldError(_("Not a date and time (YYYY-MM-DDTHH:MM): %s") % str(value)[:40])
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_whole(value, *, low: int, high: int, default: int | None = None) -> int:
    """A whole number from ``low`` to ``high``; empty input is ``default`` when one is given."""
    if (value is None or value == "") and default is not None:
        return default
    if isinstance(value, bool):
        raise FieldError(_("Give a whole number."))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise FieldError(_("Give a whole number."))
    if not low <= number <= high:
        raise FieldError(_("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


def parse_text(value, *, max_length: int | None = 200) -> str:
    """Text: None or a string, trimmed, at most ``max_length`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise FieldError(_("Expected text."))
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise FieldError(_("At most %(n)d characters.") % {"n": max_length})
    return value


def in_field(parser, value, field: str, **options):
    """Run ``parser`` for a service: a ``FieldError`` becomes a ``DomainError`` naming ``field`` (HTTP 400)."""
    try:
        return parser(value, **options)
    except FieldError as exc:
        raise DomainError(exc.message, field=field)


# --- API schema types (pydantic) ---------------------------------------------------------------------------------


def _pydantic(parser, **options):
    def validate(value):
        try:
            return parser(value, **options)
        except FieldError as exc:  # the message alone, without pydantic's "Value error, " prefix
            raise PydanticCustomError("invalid", exc.message)

    return BeforeValidator(validate)


_MONEY_JSON = {
    "anyOf": [{"type": "string", "format": "decimal"}, {"type": "number"}],
    "description": "Yuan with at most two decimal places; input may also be a number, '¥1,200' or '12万元'.",
    "examples": ["120000.00"],
}
_MONEY_SCHEMA = WithJsonSchema(_MONEY_JSON)
_OPTIONAL_MONEY_SCHEMA = WithJsonSchema({**_MONEY_JSON, "anyOf": [*_MONEY_JSON["anyOf"], {"type": "null"}]})
_as_string = PlainSerializer(lambda amount: None if amount is None else f"{amount:.2f}", return_type=str | None)

Money = Annotated[Decimal, _pydantic(parse_money), _MONEY_SCHEMA, _as_string]
"""A required non-negative amount in yuan (two places)."""
PositiveMoney = Annotated[Decimal, _pydantic(parse_money, positive=True), _MONEY_SCHEMA, _as_string]
"""A required amount in yuan above zero."""
OptionalMoney = Annotated[
    Decimal | None, _pydantic(parse_money, required=False), _OPTIONAL_MONEY_SCHEMA, _as_string
]
"""An amount in yuan, or None when left empty."""
Day = Annotated[datetime.date | None, _pydantic(parse_date)]
"""A calendar day (YYYY-MM-DD) or None."""
Moment = Annotated[datetime.datetime, _pydantic(parse_moment)]
"""A timezone-aware date and time."""


def _refuse_null(value):
    if value is None:
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return value


def Text(max_length: int = 200, *, null: bool = True):  # noqa: N802 - used like a type: ``title: Text(200)``
    """Trimmed text of at most ``max_length`` characters. None reads as empty, or is refused (422) with
    ``null=False`` for bodies that always required a string."""
    text = Annotated[str, _pydantic(parse_text, max_length=max_length), WithJsonSchema(
        {"type": "string", "maxLength": max_length}
    )]
    return text if null else Annotated[text, BeforeValidator(_refuse_null)]


# --- form fields (Django) ----------------------------------------------------------------------------------------


class MoneyField(forms.CharField):
    """A form field for an amount in yuan, read by ``parse_money`` (accepts ¥, separators and 万元)."""

    def __init__(self, *, positive: bool = False, **kwargs):
        self.positive = positive
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_money(value, positive=self.positive, required=self.required)
        except FieldError as exc:
            raise forms.ValidationError(exc.message, code="invalid")
