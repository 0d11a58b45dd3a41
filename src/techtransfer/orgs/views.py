from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from techtransfer.accounts import permissions
from techtransfer.orgs import directory, services
from techtransfer.orgs.api import export_response
from techtransfer.orgs.models import DemoLevel, OrgKind, Ownership, Verification
from techtransfer.regions.models import Region


def _filters(request) -> services.OrgFilters:
    g = request.GET
    return services.OrgFilters(
        q=g.get("q", "").strip()[:100],
        kind=g.get("kind", ""),
        region=g.get("region", ""),
        verification=g.get("verification", ""),
        demo_level=g.get("demo_level", ""),
        ownership=g.get("ownership", "")[:32],
    )


def org_list(request):
    filters = _filters(request)  # a bad filter stays in the form, above the unfiltered list
    qs, error = directory.search_or_unfiltered(services.search, request.user, filters, services.OrgFilters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
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
            "ownerships": Ownership.objects.filter(active=True),
            "cities": Region.objects.filter(parent_id=settings.PROVINCE_CODE, tier="city"),
            "querystring": directory.querystring(request),
            "can_filter_verification": permissions.principal(request.user).is_region_admin,
        },
    )


def org_export(request):
    return directory.export_view(request, export_response, _filters)


def org_detail(request, pk: int):
    return directory.detail_page(
        request,
        services.get_visible,
        pk,
        "orgs/detail.html",
        "org",
        lambda org: {
            "credit_records": services.credit_records(request.user, org),
            "people": org.people.filter(published=True)[:50],
        },
    )
