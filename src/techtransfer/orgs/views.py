from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.orgs import services
from techtransfer.orgs.api import export_response
from techtransfer.orgs.models import DemoLevel, OrgKind, Verification
from techtransfer.regions.models import Region


def _filters(request) -> services.OrgFilters:
    g = request.GET
    return services.OrgFilters(
        q=g.get("q", "").strip()[:100],
        kind=g.get("kind", ""),
        region=g.get("region", ""),
        verification=g.get("verification", ""),
        demo_level=g.get("demo_level", ""),
    )


def org_list(request):
    filters = _filters(request)
    error = None
    try:
        qs = services.search(request.user, filters)
    except DomainError as exc:
        error, qs = exc.message, services.search(request.user, services.OrgFilters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "orgs/list.html",
        {
            "page_obj": page,
            "organizations": page.object_list,
            "filters": filters,
            "error": error,
            "kinds": OrgKind.choices,
            "verifications": Verification.choices,
            "levels": [c for c in DemoLevel.choices if c[0]],
            "cities": Region.objects.filter(parent_id=request_province(), tier="city"),
            "querystring": params.urlencode() + "&" if params else "",
            "can_filter_verification": permissions.principal(request.user).is_region_admin,
        },
    )


def request_province():
    from django.conf import settings

    return settings.PROVINCE_CODE


def org_export(request):
    fmt = request.GET.get("format", "csv")
    try:
        return export_response(request.user, _filters(request), fmt)
    except DomainError as exc:
        return render(request, "core/error.html", {"status": 400, "message": exc.message}, status=400)


def org_detail(request, pk: int):
    try:
        org = services.get_visible(request.user, pk)
    except NotFound:
        raise Http404
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "restricted_ok": permissions.can_see_restricted(request.user, org),
            "can_change": permissions.can_change(request.user, org),
            "credit_records": services.credit_records(request.user, org),
            "people": org.people.filter(published=True)[:50],
        },
    )
