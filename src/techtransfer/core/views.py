from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from techtransfer.core.services import headline_figures


def home(request):
    return render(request, "core/home.html", {"figures": headline_figures()})


def search(request):
    """The one search box: the matching engine's search page when it is installed, else the directories by name."""
    from django.apps import apps

    if apps.is_installed("techtransfer.matching"):
        from django.shortcuts import redirect
        from django.urls import reverse

        query = request.GET.urlencode()
        return redirect(reverse("matching:search") + (f"?{query}" if query else ""))
    from techtransfer.orgs.services import OrgFilters
    from techtransfer.orgs.services import search as search_orgs
    from techtransfer.people.services import PeopleFilters
    from techtransfer.people.services import search as search_people

    q = request.GET.get("q", "").strip()[:100]
    orgs = people = []
    if q:
        orgs = list(search_orgs(request.user, OrgFilters(q=q))[:20])
        people = list(search_people(request.user, PeopleFilters(q=q))[:20])
    return render(request, "core/search.html", {"q": q, "orgs": orgs, "people": people})


def _error_page(request, status: int, code: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message, "field": None}, status=status)
    return render(request, "core/error.html", {"status": status, "message": message}, status=status)


def not_found(request, exception=None):
    return _error_page(
        request, 404, "not_found", _("The page or record does not exist, or you may not see it.")
    )


def forbidden(request, exception=None):
    return _error_page(request, 403, "forbidden", _("You do not have permission to do this."))


def bad_request(request, exception=None):
    return _error_page(request, 400, "bad_request", _("The request could not be understood."))


def server_error(request):
    return _error_page(request, 500, "internal_error", _("An internal error occurred; it has been logged."))
