"""Credit and rounds pages — 信用查询、报送期限. Thin: parse the query, ask ``services.credit`` /
``services.deadlines`` (which apply who-sees-what), render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from techtransfer.accounts import permissions
from techtransfer.core.errors import NotFound
from techtransfer.reports.services import credit, deadlines


def credit_search(request):
    """Search organizations by name or credit code; a region administrator lists those in its scope with their open
    records, others the organizations they may see with the public records counted."""
    q = request.GET.get("q", "").strip()[:100]
    only_open = request.GET.get("open") == "1"
    results = credit.search(request.user, q, only_open=only_open)
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/credit.html",
        {
            "page": page,
            "q": q,
            "only_open": only_open,
            "region_admin": permissions.principal(request.user).is_region_admin,
        },
    )


def credit_org(request, org_id: int):
    """One organization's credit standing: open records, then the history (closed records with date and reason)."""
    try:
        standing = credit.standing(request.user, org_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(request, "reports/credit_org.html", {"s": standing})


def rounds(request):
    """Every reporting round with its deadline (public)."""
    today = timezone.localdate()
    rows = [{"round": r, "days_left": (r.due_on - today).days} for r in deadlines.rounds_list()]
    return render(request, "reports/rounds.html", {"rows": rows, "today": today})
