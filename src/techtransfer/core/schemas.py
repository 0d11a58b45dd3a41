"""Shared API schema bases."""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from techtransfer.core.fields import FieldError, check_text


def _check_strings(value, depth: int = 0):
    """Every string inside ``value`` (lists and objects included) through ``core.fields.check_text``."""
    if isinstance(value, str):
        check_text(value)
    elif depth < 32 and isinstance(value, list | tuple):
        for item in value:
            _check_strings(item, depth + 1)
    elif depth < 32 and isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, depth + 1)
            _check_strings(item, depth + 1)
    return value


_NOT_NULL: dict[type, frozenset[str]] = {}


class InputSchema(Schema):
    """A request body: unknown fields are refused (422 naming the field) instead of silently dropped, so a
    misspelt field never looks like a successful change; and no text anywhere in it may hold a control
    character (``core.fields.check_text``, the rule of every text input), whatever type its field declares.

    A body whose fields are stored in one model names it in ``stores`` (and ``stored_as`` maps a body field to
    the model field when the names differ): an explicit null for a field whose column cannot hold null is then
    refused (422 naming the field) instead of failing at the database, and a field left out keeps its value.
    """

    model_config = ConfigDict(extra="forbid")

    stores: ClassVar[type | None] = None
    stored_as: ClassVar[dict[str, str]] = {}

    @classmethod
    def not_null_fields(cls) -> frozenset[str]:
        """The body fields stored in a column that cannot hold null (none without ``stores``)."""
        cached = _NOT_NULL.get(cls)
        if cached is None:
            cached = frozenset()
            if cls.stores is not None:
                columns = {f.name: f for f in cls.stores._meta.concrete_fields}
                cached = frozenset(
                    name for name in cls.model_fields
                    if (column := columns.get(cls.stored_as.get(name, name))) is not None and not column.null
                )
            _NOT_NULL[cls] = cached
        return cached

    @field_validator("*", mode="before")
    @classmethod
    def _check_input(cls, value, info: ValidationInfo):
        if value is None and info.field_name in cls.not_null_fields():
            raise PydanticCustomError(
                "null_not_allowed", _("This field cannot be null; leave it out to keep its value.")
            )
        try:
            return _check_strings(value)
        except FieldError as exc:
            raise PydanticCustomError("control_character", exc.message)
