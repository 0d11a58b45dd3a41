from techtransfer.core.fields import FieldError, check_text
from techtransfer.core.views import bad_request


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
    """Refuse a submitted form whose text holds a control character (``core.fields.check_text``) with a 400 naming
    the field, before any page reads it: pages that pass posted values straight to a service are covered too,
    and nothing an XLSX export cannot carry is ever stored. JSON bodies are checked by ``core.schemas.InputSchema``.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type in self.FORM_TYPES:
            problem = self._problem(request)
            if problem is not None:
                return problem
        return self.get_response(request)

    def _problem(self, request):
        try:
            posted = list(request.POST.lists())
        except Exception:  # noqa: BLE001 - a body Django cannot parse is the view's (and Django's) 400 to give
            return None
        for name, values in posted:
            for value in (name, *values):
                try:
                    check_text(value)
                except FieldError as exc:
                    return bad_request(request, message=f"{name}: {exc.message}", field=name)
        return None
