"""Evaluation pages. Thin: parse the form, ask the services (``services.rounds``, ``services.supervision``), render;
POST actions go through ``core.actions.perform``. A record the user may not see is a 404; an action the user may
not take is a 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.evaluation import services
from techtransfer.evaluation.models import Decision, Status
from techtransfer.evaluation.services import supervision
from techtransfer.orgs.models import DemoLevel, Organization, OrgKind


def _round(request, pk):
    try:
        return services.get_round(request.user, pk)
    except NotFound:
        raise Http404


def _forbidden_or_message(request, to: str):
    def handle(exc: DomainError):
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        if exc.status == 404:
            raise Http404
        messages.error(request, exc.message)
        return redirect(to)

    return handle


@login_required
def round_list(request):
    """The rounds the user may see; region administrators open a new one here."""
    user = request.user
    p = permissions.principal(user)
    if request.method == "POST":
        if not p.is_region_admin:
            raise PermissionDenied
        post = request.POST
        return perform(
            request,
            lambda: services.open_round(user, post.get("region", ""), post.get("year", ""), post.get("name", "")),
            _("The evaluation round is open."),
            "evaluation:index",
            on_error=_forbidden_or_message(request, reverse("evaluation:index")),
        )
    my_orgs = Organization.objects.filter(
        pk__in=sorted(p.org_ids(Role.ORG_ADMIN)), kind__in=(OrgKind.TT_SERVICE, OrgKind.UNIVERSITY)
    )
    return render(
        request,
        "evaluation/rounds.html",
        {
            "rounds": services.visible_rounds(user),
            "may_open": p.is_region_admin,
            "regions": p.regions() if not p.is_platform_admin else [],
            "my_orgs": my_orgs,
            "may_supervise": supervision.may_supervise(user),
        },
    )


@login_required
def round_detail(request, pk: int):
    round_ = _round(request, pk)
    user = request.user
    evaluations = (
        services.visible_evaluations(user).filter(indicator_set=round_).order_by("rank", "organization__name", "id")
    )
    p = permissions.principal(user)
    own = [
        o
        for o in Organization.objects.filter(pk__in=sorted(p.org_ids(Role.ORG_ADMIN)))
        if services.may_be_candidate(o, round_)
    ]
    rows = [(e, services.may_decide(user, e) and e.status == Status.SCORED) for e in evaluations]
    return render(
        request,
        "evaluation/round.html",
        {
            "round": round_,
            "indicators": list(round_.indicators.all()),
            "rows": rows,
            "may_manage": services.may_manage_round(user, round_),
            "own_orgs": own,
            "decisions": Decision.choices,
            "levels": [c for c in DemoLevel.choices if c[0]],
        },
    )


@login_required
@require_POST
def round_compute(request, pk: int):
    round_ = _round(request, pk)
    if not services.may_manage_round(request.user, round_):
        raise PermissionDenied
    to = reverse("evaluation:round", args=[pk])
    return perform(
        request,
        lambda: services.compute(request.user, round_),
        _("The scores were computed."),
        to,
        on_error=_forbidden_or_message(request, to),
    )


@login_required
@require_POST
def decide(request, pk: int):
    try:
        ev = services.get_visible(request.user, pk)
    except NotFound:
        raise Http404
    if not services.may_decide(request.user, ev):
        raise PermissionDenied
    post = request.POST
    to = reverse("evaluation:round", args=[ev.indicator_set_id])
    return perform(
        request,
        lambda: services.decide(
            request.user, ev, post.get("decision", ""), post.get("level", ""), post.get("reasons", "")
        ),
        _("The decision was recorded."),
        to,
        on_error=_forbidden_or_message(request, to),
    )


@login_required
def declaration(request, pk: int, org_id: int):
    """The institution's declaration form: one value per indicator, the platform's figure beside it once computed."""
    round_ = _round(request, pk)
    org = Organization.objects.filter(pk=org_id).first()
    if org is None or not services.may_declare(request.user, org):
        raise Http404
    ev = services.visible_evaluations(request.user).filter(indicator_set=round_, organization=org).first()
    indicators = list(round_.indicators.all())
    error = None
    values = dict(ev.declared) if ev else {}
    if request.method == "POST":
        values = {i.code: request.POST.get(i.code, "").strip() for i in indicators}
        try:
            services.declare(request.user, round_, org, {k: v for k, v in values.items() if v != ""})
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(exc.message)
            error = exc
        else:
            messages.success(request, _("The declaration was saved."))
            return redirect("evaluation:round", pk)
    rows = [(i, values.get(i.code, ""), (ev.platform.get(i.code) if ev else None)) for i in indicators]
    return render(
        request,
        "evaluation/declare.html",
        {"round": round_, "org": org, "rows": rows, "error": error, "evaluation": ev},
        status=400 if error else 200,
    )


@login_required
def institution(request, org_id: int):
    """An institution's evaluations over the years (its members, administrators of its region)."""
    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        raise Http404
    evaluations = list(services.history(request.user, org))
    if not evaluations and not permissions.can_see_restricted(request.user, org):
        raise Http404
    return render(request, "evaluation/institution.html", {"org": org, "evaluations": evaluations})


@login_required
def target_list(request):
    if not supervision.may_supervise(request.user):
        raise PermissionDenied
    rows = [supervision.figures(request.user, t) for t in supervision.visible_targets(request.user)]
    return render(
        request, "evaluation/targets.html", {"rows": rows, "regions": permissions.principal(request.user).regions()}
    )


@login_required
def target_detail(request, pk: int):
    if not supervision.may_supervise(request.user):
        raise PermissionDenied
    try:
        target = supervision.get_target(request.user, pk)
    except NotFound:
        raise Http404
    f = supervision.figures(request.user, target)
    return render(
        request,
        "evaluation/target.html",
        {
            "f": f,
            "t": target,
            "demo": supervision.demonstration_institutions(target.region_code, target.year_to)[:200],
            "decided": supervision.decided_evaluations(target.region_code, target.year_from, target.year_to)[:200],
            "may_brief": supervision.may_supervise(request.user, target.region_code),
        },
    )


@login_required
def brief(request, region: str):
    try:
        pdf = supervision.brief_pdf(request.user, region)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        raise Http404
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brief-{region}.pdf"'
    return response
