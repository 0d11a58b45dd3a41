from django.core.paginator import Paginator
from django.shortcuts import render

from techtransfer.people import services


def person_list(request):
    qs = services.search(request.user, services.PeopleFilters(q=request.GET.get("q", "").strip()[:100]))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request, "people/list.html", {"page_obj": page, "people": page.object_list, "querystring": ""}
    )
