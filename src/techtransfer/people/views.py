"""People directory pages. Thin: filtering and permissions live in ``services``."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from techtransfer.orgs import directory
from techtransfer.people import services
from techtransfer.people.api import export_response
from techtransfer.people.models import BrokerLevel
from techtransfer.regions.models import Region
from techtransfer.taxonomy.models import TechField


def _filters(request) -> services.PeopleFilters:
    g = request.GET
    org = g.get("organization", "")
    return services.PeopleFilters(
        q=g.get("q", "").strip()[:100],
        role=g.get("role", ""),
        region=g.get("region", ""),
        field=g.get("field", ""),
        organization=int(org) if org.isdigit() else None,
        broker_level=g.get("broker_level", ""),
    )


def person_list(request):
    filters = _filters(request)
    qs, error = directory.search_or_unfiltered(services.search, request.user, filters, services.PeopleFilters())
    if error:
        filters = services.PeopleFilters()  # the form shows the filters of the list below it
    page = Paginator(qs.prefetch_related("fields"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {
            "page_obj": page,
            "people": page.object_list,
            "filters": filters,
            "error": error,
            "roles": services.ROLES,
            "levels": BrokerLevel.choices,
            "fields": TechField.objects.filter(active=True),
            "cities": Region.objects.filter(parent_id=settings.PROVINCE_CODE, tier="city"),
            "querystring": directory.querystring(request),
        },
    )


def person_export(request):
    return directory.export_view(request, export_response, _filters)


def person_detail(request, pk: int):
    return directory.detail_page(
        request,
        services.get_visible,
        pk,
        "people/detail.html",
        "person",
        lambda person: {"roles": services.roles_of(person)},
    )
