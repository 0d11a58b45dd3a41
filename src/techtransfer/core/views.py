from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from techtransfer.core import plugins
from techtransfer.core.services import headline_figures


def home(request):
    return render(request, "core/home.html", {"figures": headline_figures()})


def search(request):
    """The one search box: redirects to the search page of the app that declares ``search_url_name`` (the matching
    engine); without such an app, the box alone with the query."""
    target = plugins.search_url_name()
    if target:
        query = request.GET.urlencode()
        return redirect(reverse(target) + (f"?{query}" if query else ""))
    return render(request, "core/search.html", {"q": request.GET.get("q", "").strip()[:100]})


def _error_page(request, status: int, code: str, message: str, field: str | None = None):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "field": field}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def not_found(request, exception=None):
    return _error_page(
        request, 404, "not_found", _("The page or record does not exist, or you may not see it.")
    )


def forbidden(request, exception=None):
    return _error_page(request, 403, "forbidden", _("You do not have permission to do this."))


def bad_request(request, exception=None, message: str | None = None, field: str | None = None):
    return _error_page(
        request, 400, "bad_request", message or _("The request could not be understood."), field=field
    )


def server_error(request):
    return _error_page(request, 500, "internal_error", _("An internal error occurred; it has been logged."))
