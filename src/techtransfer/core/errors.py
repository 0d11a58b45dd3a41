"""Domain errors raised by services. Pages show them as messages; the API turns them into
``{"code": ..., "message": ..., "field": ...}`` with the error's HTTP status."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, status: int | None = None
    ):
        super().__init__(str(message))
        self.message = str(message)
        self.code = code or self.code
        self.field = field
        self.status = status or self.status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def from_validation_error(exc: ValidationError) -> DomainError:
    """The first problem of a Django ValidationError as a DomainError naming its field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = errors[0].messages[0] if errors else str(exc)
        return DomainError(message, field=None if field == "__all__" else field)
    return DomainError(exc.messages[0] if exc.messages else str(exc))
