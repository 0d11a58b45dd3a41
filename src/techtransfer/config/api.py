"""The REST API root (django-ninja): authentication, error shape, and the routers of the apps.

It lives in ``config`` (the top layer) because it knows the token authentication of ``accounts`` and mounts every
app's router; the apps declare ``api_prefix`` on their AppConfig (see ``core/apps.py``)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from techtransfer.accounts import tokens
from techtransfer.core import plugins
from techtransfer.core.apidoc import DocumentedSchema
from techtransfer.core.errors import DomainError, from_validation_error
from techtransfer.core.fields import nested_deeper_than
from techtransfer.core.meta_api import router as meta_router
from techtransfer.core.middleware import out_of_range_message

log = logging.getLogger(__name__)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenOrSession(AuthBase):
    """Bearer API token (machine clients, partner platforms) or the browser session (with CSRF on writes).

    Anonymous callers pass as visitors; each route then decides what a visitor may do.
    """

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _space, key = header.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                return None
            user = tokens.authenticate(key.strip())
            if user is None:
                return None
            request.user = user
            request.auth_method = "token"
            return user
        user = request.user
        if user.is_authenticated and request.method not in SAFE_METHODS:
            error = check_csrf(request)
            if error:
                raise DomainError(
                    _("CSRF check failed; send the X-CSRFToken header."), code="csrf_failed", status=403
                )
        request.auth_method = "session"
        return user


MAX_BODY_DEPTH = 32  # no body nests deeper; far deeper ones would exhaust the recursion of validation


class BodyParser(Parser):
    """JSON bodies as ninja reads them, refusing nesting deeper than ``MAX_BODY_DEPTH`` (a 400, as for any body
    that cannot be parsed) before validation walks it."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if nested_deeper_than(data, MAX_BODY_DEPTH):
            raise ValueError(f"the body nests more than {MAX_BODY_DEPTH} levels deep")
        return data


class TechTransferAPI(NinjaAPI):
    """The schema documents every operation's error answers and which operations are open to visitors
    (``core.apidoc``)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return DocumentedSchema(self, path_prefix)


api = TechTransferAPI(
    title="TechTransfer API",
    version="1",
    description="REST API of the TechTransfer regional technology market. Errors are JSON objects "
    "`{code, message, field}` (the `Error` schema; a 422 adds `errors`, one entry per problem). Authenticate with "
    "`Authorization: Bearer <token>` or a browser session. Operations without a security requirement are open to "
    "visitors; a signed-in caller still authenticates on them and sees what its roles allow.",
    urls_namespace="api",
    auth=TokenOrSession(),
    parser=BodyParser(),
)


def _error(request, status: int, code: str, message: str, field: str | None = None):
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status, exc.code, exc.message, exc.field)


def _field_of(loc) -> str | None:
    """The field a pydantic error location names, without ninja's wrappers (body, query, payload...)."""
    return ".".join(str(p) for p in loc if p not in ("body", "query", "path", "payload", "data", "file")) or None


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    """422 with the shared ``{code, message, field}`` and ``errors`` (``core.apidoc.InvalidInput``)."""
    first = exc.errors[0] if exc.errors else {}
    field = _field_of(first.get("loc", []))
    message = str(first.get("msg") or _("Invalid input."))
    return api.create_response(
        request,
        {
            "code": "invalid",
            "message": f"{field}: {message}" if field else message,
            "field": field,
            "errors": [
                {"field": _field_of(e.get("loc", [])), "message": str(e.get("msg") or _("Invalid input."))}
                for e in exc.errors
            ],
        },
        status=422,
    )


@api.exception_handler(ValidationError)
def on_django_validation_error(request, exc: ValidationError):
    err = from_validation_error(exc)
    return _error(request, 400, err.code, err.message, err.field)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, "unauthenticated", _("A valid API token or a signed-in session is required."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return _error(request, 403, "forbidden", str(exc) or _("You do not have permission to do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("The page or record does not exist, or you may not see it."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, "http_error", str(exc))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    """A number beyond the database's integers (an id of 20 digits): the input's fault, not the server's. SQLite
    raises OverflowError, PostgreSQL a DataError (value out of range)."""
    log.warning("input out of the database's range on %s %s: %s", request.method, request.path, exc)
    return _error(request, 400, "out_of_range", out_of_range_message())


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    log.exception("unhandled API error on %s %s", request.method, request.path)
    return _error(request, 500, "internal_error", _("An internal error occurred; it has been logged."))


def register_routers() -> None:
    """Mount the platform's own routes (health, figures) and every app's router.

    An app takes part by setting ``api_prefix`` on its AppConfig and exposing ``router`` in its ``api.py``;
    the installed-apps list stays the single source of what the platform serves.
    """
    api.add_router("/", meta_router)
    for prefix, router in plugins.api_routers():
        api.add_router(prefix, router)


register_routers()
