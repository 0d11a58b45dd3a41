from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from techtransfer.audit.services import visible_entries
from techtransfer.core.errors import Forbidden


@login_required
def entry_list(request):
    try:
        qs = visible_entries(
            request.user,
            object_type=request.GET.get("object_type", ""),
            object_id=request.GET.get("object_id", ""),
        )
    except Forbidden as exc:
        raise PermissionDenied(str(exc))
    page = Paginator(qs.select_related("actor"), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {"page_obj": page, "querystring": params.urlencode() + "&" if params else ""},
    )
