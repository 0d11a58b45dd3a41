"""Credit and rounds pages — 信用查询、报送期限. Thin: parse the query, ask ``services.credit`` /
``services.deadlines`` (which apply who-sees-what), render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.fields import FieldError, parse_date
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
    p = permissions.principal(request.user)
    return render(
        request,
        "reports/rounds.html",
        {
            "rows": rows,
            "today": today,
            "may_open": p.is_region_admin,
            "regions": p.regions(),
            "default_year": today.year - 1 if today.month <= 6 else today.year,
        },
    )


@login_required
@require_POST
def round_open(request):
    """Open a round (region administrators of the region): ``services.deadlines.open_round``."""

    def action():
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            raise DomainError(_("The report year must be a past or the current year."), field="year") from None
        try:
            due_on = parse_date(request.POST.get("due_on"))
        except FieldError as exc:
            raise DomainError(exc.message, field="due_on") from None
        return deadlines.open_round(
            request.user,
            request.POST.get("region", "").strip(),
            year,
            due_on=due_on,
            notice=request.POST.get("notice", ""),
        )

    return perform(
        request,
        action,
        lambda r: (
            _("The round %(year)s of %(region)s is open; deadline %(due)s.")
            % {"year": r.year, "region": r.region, "due": r.due_on.isoformat()}
        ),
        "reports:rounds",
    )
