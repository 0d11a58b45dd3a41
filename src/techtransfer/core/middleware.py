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
