"""What the OpenAPI schema says about errors and visitors, derived once for every operation.

Every 4xx answer of the API is a JSON object ``{code, message, field}`` (``Error``); ninja's own request
validation (422) adds ``errors``, one entry per problem (``InvalidInput``). Which statuses an operation can
answer follows from its shape, so they are documented by one rule (``documented_errors``) instead of by hand:

- 400 when it takes any input (path, query or body): a service's ``DomainError`` names the field it refuses;
- 401 always: a ``Authorization`` header with an unknown, expired or revoked token is refused everywhere, and
  operations that need a signed-in caller refuse visitors with it too;
- 403 when it is not open to visitors (permissions) or changes something (the session's CSRF check);
- 404 when its path names a record;
- 409 when it changes something: the services refuse a change the record's state does not allow (only drafts
  are edited, a closed lot stays closed) or that would duplicate another record;
- 422 when it has a body or a query parameter that is required or not plain text.

Other error statuses (a 404 for a record named in the body or query, a 409 of a read) are declared on the route
with ``@raises(...)``; a status in the route's own ``response`` mapping (a 400 or 409 of its own shape) is kept
as declared.

``@public`` marks an operation open to visitors: the schema then declares no security for it (a signed-in caller
still authenticates the same way and sees what its roles allow, e.g. the restricted contact fields).
"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.openapi.schema import OpenAPISchema
from pydantic import Field

PUBLIC_ATTRIBUTE = "techtransfer_open_to_visitors"
RAISES_ATTRIBUTE = "techtransfer_raises"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PARAM_SOURCES = {"query", "path", "header", "cookie"}
PLAIN_TEXT = (str, str | None)  # a query parameter of these types takes any value


class Error(Schema):
    """The body of every 4xx answer."""

    code: str = Field(description="machine-readable reason, e.g. invalid, forbidden, not_found, conflict")
    message: str = Field(description="translated explanation for people")
    field: str | None = Field(description="the input field the error is about, if one")


class InputProblem(Schema):
    field: str | None
    message: str


class InvalidInput(Error):
    """422: the request does not match the schema; ``field``/``message`` name the first problem."""

    errors: list[InputProblem]


DESCRIPTIONS = {
    400: "The input breaks a rule; `field` names it.",
    401: "The bearer token is unknown, expired or revoked; or, where the operation needs a signed-in caller, "
    "none was given.",
    403: "Signed in but not allowed to do this (or, for a browser session, the CSRF check failed).",
    404: "No such record, or you may not see it.",
    409: "The record's current state does not allow this.",
    422: "The request does not match the schema: `field` and `message` name the first problem, `errors` all.",
}


def public(view):
    """Mark a route open to visitors (no security declared in the schema); runtime behaviour is unchanged."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view


def is_public(operation) -> bool:
    return bool(getattr(operation.view_func, PUBLIC_ATTRIBUTE, False))


def raises(*statuses: int):
    """Mark a route as answering these error statuses beyond those ``documented_errors`` derives (e.g. a 404 for
    a record its body or query names)."""

    def mark(view):
        setattr(view, RAISES_ATTRIBUTE, (*getattr(view, RAISES_ATTRIBUTE, ()), *statuses))
        return view

    return mark


def _inputs(operation) -> tuple[bool, bool, bool]:
    """(takes any input, has path parameters, can fail validation) for one operation."""
    any_input = has_path = strict = False
    for model in operation.models:
        source = model.__ninja_param_source__
        if source not in PARAM_SOURCES:  # body, form, file
            any_input = strict = True
            continue
        for info in model.model_fields.values():
            any_input = True
            has_path = has_path or source == "path"
            if source != "path" and (info.is_required() or info.annotation not in PLAIN_TEXT):
                strict = True
    return any_input, has_path, strict


def documented_errors(operation) -> dict[int, type[Schema]]:
    """The error statuses of one operation by the rules in the module doc, each with its body's schema."""
    any_input, has_path, strict = _inputs(operation)
    out: dict[int, type[Schema]] = {401: Error}
    if any_input:
        out[400] = Error
    safe = set(operation.methods) <= SAFE_METHODS
    if not is_public(operation) or not safe:
        out[403] = Error
    if has_path:
        out[404] = Error
    if not safe:
        out[409] = Error
    if strict:
        out[422] = InvalidInput
    for status in getattr(operation.view_func, RAISES_ATTRIBUTE, ()):
        out[status] = InvalidInput if status == 422 else Error
    return dict(sorted(out.items()))


class DocumentedSchema(OpenAPISchema):
    """ninja's OpenAPI generator with ``documented_errors`` added to each operation and no security on
    ``@public`` ones."""

    def operation_security(self, operation) -> list[dict[str, Any]] | None:
        if is_public(operation):
            return None
        return super().operation_security(operation)

    def responses(self, operation) -> dict[int, dict[str, Any]]:
        result = super().responses(operation)
        for status, model in documented_errors(operation).items():
            if status in operation.response_models:
                continue  # declared on the route: its own schema wins
            schema = self._create_schema_from_model(
                operation._create_response_model(model), mode="serialization"
            )[0]
            result[status] = {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": schema}}}
        return dict(sorted(result.items()))
