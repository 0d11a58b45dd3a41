"""Pages of controlled dual-use information (军民两用): applying for access, the approvers' grants, the view log
(with CSV/Excel export), declassifications, a record's marking actions and the units approved for restricted
information. Views parse, check, call ``catalog.dualuse`` and render."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.catalog import dualuse, services
from techtransfer.catalog.classified import DeclassificationStatus, GrantStatus, ViewChannel
from techtransfer.catalog.models import Achievement, Classification, Demand
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.exports import FORMATS
from techtransfer.core.exports import export as table_export
from techtransfer.core.fields import FieldError, parse_date
from techtransfer.orgs.models import Organization
from techtransfer.regions.services import scope_q
from techtransfer.taxonomy.models import TechField


def _qs(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return params.urlencode() + "&" if params else ""


def _day(value: str | None, field: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except FieldError as exc:
        raise DomainError(exc.message, field=field)


def _require_reviewer(user) -> None:
    if not permissions.allowed("catalog.review_views", user):
        raise Http404


# --- applying ------------------------------------------------------------------------------------------------------


@login_required
def apply(request):
    """Apply for access to a controlled record (by the reference the owner gave, also as a link
    ``?kind=achievement&record=12``) or to a category (technical field + region)."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        def act():
            if data.get("scope") == "category":
                return dualuse.apply_for_category(request.user, data.get("tech_field", ""), data.get("region", ""),
                                                  data.get("purpose", ""))
            return dualuse.apply_for_record(request.user, data.get("kind", ""), data.get("record", ""),
                                            data.get("purpose", ""))

        try:
            act()
        except DomainError as exc:
            error = exc.message
        else:
            return perform(request, lambda: None, _("Application sent to the approvers."), "catalog:my_grants")
    else:
        error = None
    return render(request, "catalog/classified_apply.html", {
        "data": data, "error": error, "fields": TechField.objects.filter(active=True),
    })


@login_required
def my_grants(request):
    page = Paginator(dualuse.my_grants(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "catalog/classified_my_grants.html", {
        "page_obj": page, "grants": page.object_list, "querystring": _qs(request), "today": timezone.localdate(),
    })


# --- approvers --------------------------------------------------------------------------------------------------------


@login_required
def grants(request):
    _require_reviewer(request.user)
    qs = dualuse.grants_in_scope(request.user)
    status = request.GET.get("status", "")
    if status in GrantStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "catalog/classified_grants.html", {
        "page_obj": page, "grants": page.object_list, "querystring": _qs(request), "statuses": GrantStatus.choices,
        "status": status, "today": timezone.localdate(),
    })


@login_required
def grant(request, pk: int):
    try:
        g = dualuse.get_grant(request.user, pk)
    except NotFound:
        raise Http404
    return render(request, "catalog/classified_grant.html", {
        "g": g, "may_decide": permissions.allowed("catalog.decide_access", request.user, g),
        "active": dualuse.is_active(g), "default_until": timezone.localdate() + datetime.timedelta(days=90),
    })


@login_required
@require_POST
def grant_decide(request, pk: int, decision: str):
    try:
        g = dualuse.get_grant(request.user, pk)
    except NotFound:
        raise Http404
    post = request.POST

    def act():
        if decision == "approve":
            return dualuse.decide_grant(request.user, g, True, _day(post.get("valid_until"), "valid_until"),
                                        post.get("note", ""))
        if decision == "reject":
            return dualuse.decide_grant(request.user, g, False, note=post.get("note", ""))
        if decision == "revoke":
            return dualuse.revoke_grant(request.user, g, post.get("note", ""))
        raise Http404

    return perform(request, act, _("Decision recorded."), "catalog:grant", pk)


@login_required
def view_log(request):
    """The log of views of controlled records in the approver's scope; ``?format=csv|xlsx`` downloads it."""
    _require_reviewer(request.user)
    get = request.GET
    error = None
    try:
        qs = dualuse.views_in_scope(
            request.user, kind=get.get("kind", ""), record=get.get("record", ""), user_name=get.get("user", ""),
            channel=get.get("channel", ""), since=_day(get.get("since"), "since"),
            until=_day(get.get("until"), "until"),
        )
    except DomainError as exc:
        error = exc.message
        qs = dualuse.views_in_scope(request.user)
    fmt = get.get("format", "")
    if fmt in FORMATS and error is None:
        return table_export(dualuse.view_log_rows(qs), dualuse.VIEW_LOG_HEADER, fmt, "controlled-views")
    page = Paginator(qs, 50).get_page(get.get("page"))
    return render(request, "catalog/classified_views.html", {
        "page_obj": page, "views": page.object_list, "querystring": _qs(request), "data": get, "error": error,
        "channels": ViewChannel.choices,
    })


@login_required
def declassifications(request):
    _require_reviewer(request.user)
    status = request.GET.get("status", "")
    try:
        qs = dualuse.declassifications_in_scope(request.user, status)
    except DomainError:
        qs = dualuse.declassifications_in_scope(request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "catalog/classified_declassifications.html", {
        "page_obj": page, "rows": page.object_list, "querystring": _qs(request),
        "statuses": DeclassificationStatus.choices, "status": status,
    })


@login_required
@require_POST
def declassification_decide(request, pk: int, decision: str):
    try:
        row = dualuse.get_declassification(request.user, pk)
    except (NotFound, DomainError):
        raise Http404
    if decision not in ("approve", "reject"):
        raise Http404
    return perform(request, lambda: dualuse.decide_declassification(
        request.user, row, decision == "approve", request.POST.get("note", "")), _("Decision recorded."),
        "catalog:declassifications")


# --- a record's marking ----------------------------------------------------------------------------------------


@login_required
@require_POST
def record_marking(request, kind: str, pk: int):
    """The owner raises the level at once, or proposes a declassification."""
    model = {"achievement": Achievement, "demand": Demand}.get(kind)
    if model is None:
        raise Http404
    try:
        record = (services.get_achievement if model is Achievement else services.get_demand)(request.user, pk)
    except NotFound:
        raise Http404
    post = request.POST

    def act():
        if post.get("action") == "raise":
            dualuse.raise_level(request.user, record, post.get("level", ""), post.get("reason", ""))
            return _("Classification raised.")
        dualuse.propose_declassification(request.user, record, post.get("level", ""),
                                         _day(post.get("effective_on"), "effective_on"), post.get("reason", ""))
        return _("Declassification proposed; an approver decides.")

    return perform(request, act, lambda message: message, f"catalog:{kind}", pk)


def marking_context(user, record) -> dict:
    """What a record page shows of its marking: the history (to whoever sees the record), the owner's actions and
    the link an owner shares with a person who should apply."""
    may_mark = permissions.allowed("catalog.mark_record", user, record)
    levels = list(Classification.choices)
    current = dualuse.LEVEL_ORDER[record.classification]
    return {
        "marking_history": dualuse.history(record),
        "may_mark": may_mark,
        "higher_levels": [(v, label) for v, label in levels if dualuse.LEVEL_ORDER[v] > current] if may_mark else [],
        "lower_levels": [(v, label) for v, label in levels if dualuse.LEVEL_ORDER[v] < current] if may_mark else [],
        "record_kind": dualuse.kind_of(record),
    }


# --- units approved for restricted information -------------------------------------------------------------------


@login_required
def units(request):
    """Organizations in the region administrator's scope, with their approval for restricted information."""
    p = permissions.principal(request.user)
    if not p.is_region_admin:
        raise Http404
    qs = Organization.objects.select_related("region").order_by("-dual_use_approved", "name")
    if not p.is_platform_admin:
        q = permissions.NOTHING
        for code in p.regions():
            q |= scope_q("region_id", code)
        qs = qs.filter(q)
    name = request.GET.get("q", "").strip()
    if name:
        qs = qs.filter(name__icontains=name)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "catalog/classified_units.html", {
        "page_obj": page, "orgs": page.object_list, "querystring": _qs(request), "q": name,
    })


@login_required
@require_POST
def unit_approval(request, pk: int):
    org = Organization.objects.filter(pk=pk).first()
    if org is None or not permissions.principal(request.user).is_region_admin:
        raise Http404
    approved = request.POST.get("approved") == "1"
    return perform(request, lambda: dualuse.set_unit_approval(request.user, org, approved,
                                                              request.POST.get("reason", "")),
                   _("Approval recorded."), "catalog:units")
