"""Shared API schema bases."""

from ninja import Schema
from pydantic import ConfigDict, field_validator
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


class InputSchema(Schema):
    """A request body: unknown fields are refused (422 naming the field) instead of silently dropped, so a
    misspelt field never looks like a successful change; and no text anywhere in it may hold a control
    character (``core.fields.check_text``, the rule of every text input), whatever type its field declares."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value):
        try:
            return _check_strings(value)
        except FieldError as exc:
            raise PydanticCustomError("control_character", exc.message)
