"""Matching pages: search, recommendations for a demand / achievement, cases, saved searches, notifications,
conversion figures. Thin: the rules live in cases.py, subscriptions.py and the engine's services.py."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts.permissions import can_view, principal
from techtransfer.catalog.models import Achievement, Demand
from techtransfer.core.errors import DomainError
from techtransfer.notifications import services as notifications

from . import api, cases, permissions, services, subscriptions
from .models import CaseStatus, MatchCase

FILTER_KEYS = ("field", "region_tier", "region", "trl_min", "trl_max", "transfer_mode", "price_band", "status",
               "org_kind")


def search_page(request):
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    source = request.GET.get("source", "") if request.GET.get("source", "") in services.SOURCES else ""
    filters = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
    try:
        page_no = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        page_no = 1
    result, error = None, None
    if q or filters:
        try:
            kinds = services.source_kinds(source, [kind] if kind else None)
            result = services.search(request.user, q, kinds=kinds, filters=filters or None, page=page_no, per_page=20)
        except DomainError as exc:
            error = exc.message
    pages = 0
    if result is not None and result.per_page:
        pages = (result.total + result.per_page - 1) // result.per_page
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "matching/search.html", {
        "q": q, "kind": kind, "source": source, "filters": filters, "result": result, "error": error, "pages": pages,
        "kinds": services.kind_choices(), "querystring": params.urlencode(),
        "choices": services.filter_choices(),
    })


def _visible_or_404(user, model, pk: int):
    """A demand or achievement the user may see; absent or hidden is the 404 page."""
    record = get_object_or_404(model, pk=pk)
    if not can_view(user, record):
        raise Http404
    return record


def demand_page(request, pk: int):
    demand = _visible_or_404(request.user, Demand, pk)
    recs = services.recommend_for_demand(request.user, demand, limit=10)
    similar = services.similar(request.user, "demand", demand.pk, limit=5)
    return render(request, "matching/demand.html", {
        "demand": demand, "recs": recs, "similar": similar, "engine": True,
        "may_open": principal(request.user).authenticated and permissions.allowed(
            "matching.act_on_case", request.user, MatchCase(demand=demand)),
    })


def achievement_page(request, pk: int):
    ach = _visible_or_404(request.user, Achievement, pk)
    recs = services.candidates_for_achievement(request.user, ach, limit=10)
    similar = services.similar(request.user, "achievement", ach.pk, limit=10)
    return render(request, "matching/achievement.html",
                  {"achievement": ach, "recs": recs, "similar": similar, "engine": True})


@login_required
@require_POST
def open_case(request, pk: int):
    demand = get_object_or_404(Demand, pk=pk)
    ach = None
    if request.POST.get("achievement"):
        ach = Achievement.objects.filter(pk=request.POST["achievement"]).first()
        if ach is None or not can_view(request.user, ach):
            raise Http404
    try:
        case = cases.open_case(request.user, demand, achievement=ach, note=request.POST.get("note", "")[:5000])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("matching:demand", pk=pk)
    messages.success(request, _("Case opened."))
    return redirect("matching:case", pk=case.pk)


@login_required
def case_list(request):
    qs = cases.visible_cases(request.user).select_related("demand", "achievement")
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    return render(request, "matching/cases.html", {"cases": qs[:300], "statuses": CaseStatus.choices,
                                                   "status": status})


@login_required
def case_detail(request, pk: int):
    case = cases.visible_cases(request.user).filter(pk=pk).select_related("demand", "achievement").first()
    if case is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "note":
                follow = request.POST.get("next_follow_up") or None
                cases.add_note(request.user, case, request.POST.get("text", "")[:5000],
                               next_follow_up=datetime.date.fromisoformat(follow) if follow else None)
            elif action == "closed":
                cases.close(request.user, case, reason=request.POST.get("reason", "")[:2000])
            elif action in cases.TRANSITIONS:
                cases.TRANSITIONS[action](request.user, case)
            else:
                raise DomainError(_("Unknown action."))
        except ValueError:
            messages.error(request, _("Give the follow-up date as YYYY-MM-DD."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Case updated."))
        return redirect("matching:case", pk=case.pk)
    return render(request, "matching/case.html", {"case": case, "notes": case.notes.all(),
                                                  "transitions": list(cases.TRANSITIONS)})


@login_required
def conversion_page(request):
    try:
        rows = cases.conversion_figures(request.user)
    except DomainError as exc:
        raise Http404 from exc
    if request.GET.get("format") in ("csv", "xlsx"):
        return api.conversion(request, format=request.GET["format"])
    return render(request, "matching/conversion.html", {"rows": rows, "statuses": CaseStatus.choices})


@login_required
def notifications_page(request):
    if request.method == "POST":
        notifications.mark_read(request.user)
        return redirect("matching:notifications")
    return render(request, "matching/notifications.html", {
        "notifications": notifications.notifications_for(request.user)[:200],
        "saved": request.user.saved_searches.all(),
    })


@login_required
@require_POST
def save_search(request):
    filters = {k: request.POST[k] for k in FILTER_KEYS if request.POST.get(k)}
    kinds = [request.POST["kind"]] if request.POST.get("kind") else []
    try:
        subscriptions.save_search(request.user, request.POST.get("name", ""), request.POST.get("q", ""), kinds,
                                  filters)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Search saved. You will be notified of new matches."))
    return redirect("matching:notifications")


@login_required
@require_POST
def delete_search(request, pk: int):
    try:
        subscriptions.delete_search(request.user, pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("matching:notifications")
