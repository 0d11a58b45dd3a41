"""Shared API schema bases."""

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A request body: unknown fields are refused (422 naming the field) instead of silently dropped, so a
    misspelt field never looks like a successful change."""

    model_config = ConfigDict(extra="forbid")
