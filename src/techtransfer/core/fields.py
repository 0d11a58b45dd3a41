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
from decimal import Decimal, DecimalException, InvalidOperation
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
    """An amount in yuan with at most two decimal places, at most ``MAX_AMOUNT`` (just under ¥1,000,000,000,000).

    Accepts numbers and text with thousands separators, a leading ¥/￥ and a unit of 元 or 万元/万 (ten thousand
    yuan: "12.5万元" is ¥125,000.00). Negative amounts are refused; zero too when ``positive``. Empty input is
    None when not ``required``. Whatever the input (NaN, infinities, ``1e30``, ``1e999999999``), the only
    exception raised is ``FieldError``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FieldError(_("This amount is required."))
        return None
    not_an_amount = FieldError(_("Not an amount: %s") % str(value)[:40])
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise not_an_amount
    scale = Decimal(1)
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().translate(_GROUPING).lstrip("¥￥")
        match = _MONEY_RE.match(text)
        try:
            amount = Decimal(match["number"] if match else text)
        except (InvalidOperation, ValueError):
            raise not_an_amount
        if match and match["unit"] in ("万元", "万"):
            scale = TEN_THOUSAND
    if not amount.is_finite():
        raise not_an_amount
    if amount < 0 or (positive and amount == 0):
        raise FieldError(_("The amount must be above zero.") if positive else _("An amount cannot be negative."))
    # Compared before any arithmetic: an exponent such as 1e999999999 would overflow the decimal context.
    if amount > MAX_AMOUNT / scale:
        raise FieldError(_("The amount is too large (at most %s yuan).") % f"{MAX_AMOUNT:,}")
    try:
        # The places are checked in the unit typed (a cent is 0.000001万), so no rounding can hide a fraction.
        exact = amount == amount.quantize(CENT / scale)
    except DecimalException:  # an exponent far below a cent
        exact = False
    if not exact:
        raise FieldError(_("Amounts are in yuan with at most two decimal places."))
    return abs((amount * scale).quantize(CENT))  # abs: -0 reads as 0


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


def parse_whole(value, *, low: int, high: int, default: int | None = None, required: bool = True) -> int | None:
    """A whole number from ``low`` to ``high``; empty input is ``default`` when one is given, and None when
    neither a default is given nor the number ``required``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        if not required:
            return None
    if isinstance(value, bool):
        raise FieldError(_("Give a whole number."))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise FieldError(_("Give a whole number."))
    if not low <= number <= high:
        raise FieldError(_("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return number


# Characters no text field may hold: the C0 controls except tab, line feed and carriage return (XML 1.0 — and so
# XLSX exports — cannot carry them, and a NUL breaks PostgreSQL text), lone UTF-16 surrogates (not encodable as
# UTF-8) and the non-characters U+FFFE/U+FFFF (not XML characters either).
_ILLEGAL_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def find_illegal_character(text: str) -> str | None:
    """The first character of ``text`` that no stored text may hold (see ``check_text``), or None."""
    found = _ILLEGAL_TEXT_RE.search(text)
    return found.group() if found else None


def check_text(value: str) -> str:
    """Refuse text holding a control character other than tab and line breaks, a lone surrogate or U+FFFE/FFFF.

    The one rule for every text input (API bodies, forms, imports, services); ``FieldError`` names the character
    by its code point so an invisible character can be found in the source.
    """
    bad = find_illegal_character(value)
    if bad is not None:
        raise FieldError(
            _("The text contains a control character (U+%(code)04X), which is not allowed.") % {"code": ord(bad)}
        )
    return value


def strip_illegal_characters(text: str) -> str:
    """``text`` without the characters ``check_text`` refuses: for output of rows stored before the rule."""
    return _ILLEGAL_TEXT_RE.sub("", text)


def parse_text(value, *, max_length: int | None = 200, min_length: int = 0) -> str:
    """Text: None or a string, trimmed, without control characters (``check_text``), from ``min_length`` to
    ``max_length`` characters (empty text is allowed unless ``min_length`` is set)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FieldError(_("Expected text."))
    value = check_text(value).strip()
    if max_length is not None and len(value) > max_length:
        raise FieldError(_("At most %(n)d characters.") % {"n": max_length})
    if len(value) < min_length:
        raise FieldError(_("At least %(n)d characters.") % {"n": min_length})
    return value


def nested_deeper_than(value, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests lists or objects more than ``limit`` levels deep, found without
    recursion: code that walks such a value recursively (validation, error reports) would hit Python's limit."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


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


def _refuse_explicit_null(value):
    if value is None:
        raise PydanticCustomError(
            "null_not_allowed", _("This field cannot be null; leave it out to keep its value.")
        )
    return value


class NotNull:
    """``NotNull[T]`` in a request body: a field that may be left out (its default, usually None, is not
    validated) but not sent as null, because the column it is stored in cannot hold null."""

    def __class_getitem__(cls, item):
        return Annotated[item | None, BeforeValidator(_refuse_explicit_null)]


def Text(max_length: int = 200, *, null: bool = True, min_length: int = 0):  # noqa: N802 - used like a type
    """Trimmed text of ``min_length`` to ``max_length`` characters without control characters (``parse_text``).
    None reads as empty, or is refused (422) with ``null=False``: for fields whose column cannot be null, where
    a null would otherwise mean "clear" to one reader and "leave unchanged" to another."""
    schema = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    text = Annotated[
        str, _pydantic(parse_text, max_length=max_length, min_length=min_length), WithJsonSchema(schema)
    ]
    return text if null else Annotated[text, BeforeValidator(_refuse_null)]


# --- one rule per field, for every channel -----------------------------------------------------------------------


class Rule:
    """How one field is read: a parser of this module with its options (``Rule(parse_text, min_length=2,
    max_length=200)``). The same rule serves every channel, so they refuse a value with the same message:
    ``rule(value)`` for importers and services (``FieldError``), ``rule.api()`` as a pydantic type for API
    bodies and ``rule.form_field()`` for Django forms.
    """

    def __init__(self, parser, *, python_type=str, json_schema: dict | None = None, **options):
        self.parser = parser
        self.options = options
        self.python_type = python_type
        if json_schema is None and parser is parse_text:
            json_schema = {"type": "string", "maxLength": options.get("max_length")}
            if options.get("min_length"):
                json_schema["minLength"] = options["min_length"]
        self.json_schema = json_schema

    def __call__(self, value):
        return self.parser(value, **self.options)

    def api(self, *, null: bool = True):
        """The pydantic type of an API body field; ``null=False`` refuses an explicit null (NOT NULL columns)."""
        parts = [self.python_type | None, _pydantic(self.parser, **self.options)]
        if self.json_schema is not None:
            parts.append(WithJsonSchema(self.json_schema))
        if not null:
            parts.append(BeforeValidator(_refuse_explicit_null))
        return Annotated[tuple(parts)]

    def form_field(self, **kwargs) -> forms.Field:
        return RuleField(self, **kwargs)


# --- form fields (Django) ----------------------------------------------------------------------------------------


def validate_text(value) -> None:
    """``check_text`` as a Django validator (its ``FieldError`` as a form ``ValidationError``)."""
    if isinstance(value, str):
        try:
            check_text(value)
        except FieldError as exc:
            raise forms.ValidationError(exc.message, code="control_character")


class TextField(forms.CharField):
    """A form field for text, read by ``check_text`` (control characters refused) and then trimmed."""

    def to_python(self, value):
        validate_text(value)  # before trimming: \x1c–\x1f count as white space to ``str.strip``
        return super().to_python(value)


class RuleField(forms.CharField):
    """A form field read by a ``Rule``: the value the API and the importer would read, or the same message."""

    def __init__(self, rule: Rule, **kwargs):
        self.rule = rule
        kwargs.setdefault("required", bool(rule.options.get("min_length") or rule.options.get("required")))
        kwargs.setdefault("strip", True)
        if rule.options.get("max_length"):
            kwargs.setdefault("max_length", rule.options["max_length"])  # the widget's maxlength attribute
        super().__init__(**kwargs)
        self.validators = []  # the rule alone decides, with its own message

    def to_python(self, value):
        validate_text(value)  # before trimming, as ``parse_text`` does
        value = super().to_python(value)
        try:
            return self.rule(value)
        except FieldError as exc:
            raise forms.ValidationError(exc.message, code="invalid")


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
