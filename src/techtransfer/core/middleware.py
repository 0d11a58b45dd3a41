import logging

from django.db import DataError
from django.utils.translation import gettext as _

from techtransfer.core.fields import FieldError, check_text
from techtransfer.core.logs import current_request_id, request_id_from
from techtransfer.core.views import bad_request

log = logging.getLogger(__name__)


def out_of_range_message() -> str:
    return _("A number in the request is too large (beyond the range of stored numbers).")


class RequestIdMiddleware:
    """The request's id (``core/logs.py``): set for the log lines written while it is served, and returned in the
    ``X-Request-ID`` response header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = current_request_id.get()  # set when the request started (core/logs.py)
        token = None
        if not request_id:  # a handler that sends no request_started signal
            request_id = request_id_from(request.headers.get("X-Request-ID"))
            token = current_request_id.set(request_id)
        request.request_id = request_id
        try:
            response = self.get_response(request)
        finally:
            if token is not None:
                current_request_id.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy: every script and style is served by the platform itself."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
    )
    # The API docs page (Swagger UI, served locally by django-ninja) needs inline script.
    DOCS_CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        is_docs = request.path.startswith("/api/") and request.path.rstrip("/").endswith("/docs")
        response.headers.setdefault("Content-Security-Policy", self.DOCS_CSP if is_docs else self.CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class TextInputMiddleware:
    """Refuse a request whose query string or submitted form holds a control character (``core.fields.check_text``)
    with a 400 naming the parameter, before any page reads it: pages that pass posted values straight to a service
    are covered too, nothing an XLSX export cannot carry is ever stored, and no NUL reaches a database query
    (PostgreSQL refuses it). JSON bodies are checked by ``core.schemas.InputSchema``.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request, request.GET)
        if problem is None and request.method not in ("GET", "HEAD", "OPTIONS") \
                and request.content_type in self.FORM_TYPES:
            try:
                posted = request.POST
            except Exception:  # noqa: BLE001 - a body Django cannot parse is the view's (and Django's) 400 to give
                posted = None
            problem = self._problem(request, posted) if posted is not None else None
        return problem or self.get_response(request)

    def process_exception(self, request, exception):
        """A number beyond the database's integers in a page's input (an id of 20 digits) is a 400, not a 500:
        SQLite raises OverflowError, PostgreSQL a DataError (value out of range)."""
        if isinstance(exception, OverflowError | DataError):
            log.warning("input out of the database's range on %s %s: %s", request.method, request.path, exception)
            return bad_request(request, message=out_of_range_message())
        return None

    @staticmethod
    def _problem(request, data):
        for name, values in data.lists():
            for value in (name, *values):
                try:
                    check_text(value)
                except FieldError as exc:
                    return bad_request(request, message=f"{name}: {exc.message}", field=name)
        return None
