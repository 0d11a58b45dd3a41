"""Annual report pages — 年度报告填报与审核: my unit's reports (with the start button for the current report year) and
the supervising department's review queue; the form, section by section, with the registered figure beside each
field and an explanation box where the declared one differs beyond the tolerance; the report with its history and
the reviewers' return/accept forms. Thin: parse the form, call one service of ``services.filing``, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.orgs.models import Organization
from techtransfer.reports.models import AnnualReport, ReportStatus
from techtransfer.reports.services import filing, obligation, templates


def _report(request, pk: int) -> AnnualReport:
    try:
        return filing.get_visible(request.user, pk)
    except NotFound:
        raise Http404


def _refusal(exc: DomainError):
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404


# --- index ---------------------------------------------------------------------------------------------------------


@login_required
def index(request):
    """My units' reports, the start button for the current report year where a unit must file and has not started,
    and — for a supervising department's administrators — the reports waiting for review."""
    user = request.user
    p = permissions.principal(user)
    year = filing.current_report_year()
    own_ids = sorted(p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN))
    mine = filing.visible_reports(user).filter(organization_id__in=own_ids).order_by("-year", "organization__name")
    started = set(mine.filter(year=year).values_list("organization_id", flat=True))
    startable = [
        org
        for org in Organization.objects.filter(pk__in=sorted(p.org_ids(Role.ORG_ADMIN))).order_by("name")
        if org.pk not in started and obligation.must_file(org, year)
    ]
    reviewing = Organization.objects.filter(pk__in=sorted(p.org_ids(Role.ORG_ADMIN)), supervised_units__isnull=False)
    is_reviewer = p.is_platform_admin or reviewing.exists()
    queue = filing.review_queue(user)[:200] if is_reviewer else []
    reviewed = (
        filing.reviewable(user).exclude(status=ReportStatus.SUBMITTED).order_by("-year", "organization__name")[:100]
        if is_reviewer
        else []
    )
    return render(
        request,
        "reports/index.html",
        {
            "year": year,
            "mine": mine[:200],
            "startable": startable,
            "is_reviewer": is_reviewer,
            "queue": queue,
            "reviewed": reviewed,
        },
    )


@login_required
@require_POST
def start(request):
    raw_org, raw_year = request.POST.get("organization", ""), request.POST.get("year", "")
    org = Organization.objects.filter(pk=int(raw_org)).first() if raw_org.isdigit() and len(raw_org) < 18 else None
    if org is None or not filing.may_file(request.user, org):
        raise Http404
    year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else filing.current_report_year()

    def act():
        report = filing.get_or_start(request.user, org, year)
        return redirect("reports:edit", report.pk)

    return perform(request, act, None, "reports:index")


# --- the form ------------------------------------------------------------------------------------------------------


def _posted(report: AnnualReport, post) -> tuple[dict, dict]:
    values, notes = {}, {}
    for key, field in templates.fields(report.template).items():
        text = post.get(f"v_{key}", "").strip()
        if text:
            values[key] = text
        if field.registered:
            note = post.get(f"x_{key}", "").strip()
            if note:
                notes[key] = note
    return values, notes


def _form_context(report: AnnualReport, raw: dict, notes: dict, error: DomainError | None = None) -> dict:
    clean, _problems = templates.check(report.template, raw, complete=False)
    registered = filing.registered_of(report)
    diffs = {d.field.key: d for d in templates.differences(report.template, clean, registered)}
    problems = list(getattr(error, "problems", None) or ([] if error is None else [error]))
    errors: dict[str, list[str]] = {}
    for pr in problems:
        if getattr(pr, "field", None):
            errors.setdefault(pr.field, []).append(pr.message)
    sections = []
    for s in templates.sections(report.template):
        rows = []
        for f in s.fields:
            d = diffs.get(f.key)
            rows.append(
                {
                    "field": f,
                    "value": raw.get(f.key, ""),
                    "registered": d.registered if d else None,
                    "allowed": d.allowed if d else None,
                    "delta": d.delta if d else None,
                    "differs": bool(d and d.needs_explanation),
                    "explanation": notes.get(f.key, ""),
                    "errors": errors.get(f.key, []),
                }
            )
        sections.append({"section": s, "rows": rows})
    shown = set(templates.fields(report.template))
    return {
        "report": report,
        "sections": sections,
        "error": error,
        "other_errors": [m for k, ms in errors.items() if k not in shown for m in ms],
        "template": report.template,
    }


def _raw_values(report: AnnualReport) -> dict:
    return {k: str(v) for k, v in (report.values or {}).items()}


def _editable(request, pk: int) -> AnnualReport:
    report = _report(request, pk)
    if not filing.may_file(request.user, report):
        raise PermissionDenied
    return report


@login_required
def edit(request, pk: int):
    """GET: the form; POST: save the draft (values and explanations), then back to the form."""
    report = _editable(request, pk)
    if report.status not in filing.EDITABLE:
        return redirect("reports:report", report.pk)
    if request.method != "POST":
        ctx = _form_context(report, _raw_values(report), dict(report.explanations or {}))
        return render(request, "reports/form.html", ctx)
    values, notes = _posted(report, request.POST)

    def show_error(exc: DomainError):
        _refusal(exc)
        ctx = _form_context(report, values, notes, exc)
        return render(request, "reports/form.html", ctx, status=exc.status if exc.status < 500 else 400)

    return perform(
        request,
        lambda: filing.save_draft(request.user, report, values, notes),
        _("The draft was saved."),
        reverse("reports:edit", args=[report.pk]),
        on_error=show_error,
    )


@login_required
@require_POST
def submit(request, pk: int):
    """Save what the form holds, then submit it; a refusal (a missing figure, a check, an unexplained difference)
    shows the form again with the problem named at its field."""
    report = _editable(request, pk)
    values, notes = _posted(report, request.POST) if "from_form" in request.POST else (None, None)

    def act():
        current = report
        if values is not None:
            current = filing.save_draft(request.user, report, values, notes)
        return filing.submit(request.user, current)

    def show_error(exc: DomainError):
        _refusal(exc)
        fresh = _report(request, pk)
        if fresh.status not in filing.EDITABLE:
            return redirect("reports:report", pk)
        raw = values if values is not None else _raw_values(fresh)
        ctx = _form_context(fresh, raw, notes if notes is not None else dict(fresh.explanations or {}), exc)
        return render(request, "reports/form.html", ctx, status=exc.status if exc.status < 500 else 400)

    return perform(
        request,
        act,
        _("The report was submitted to your supervising department."),
        reverse("reports:report", args=[pk]),
        on_error=show_error,
    )


# --- one report ----------------------------------------------------------------------------------------------------


def _detail_context(request, report: AnnualReport, **extra) -> dict:
    user = request.user
    registered = filing.registered_of(report)
    diffs = {d.field.key: d for d in filing.differences(report, registered=registered)}
    values = report.values or {}
    explanations = report.explanations or {}
    sections = [
        {
            "section": s,
            "rows": [
                {
                    "field": f,
                    "value": values.get(f.key),
                    "registered": diffs[f.key].registered if f.key in diffs else None,
                    "differs": f.key in diffs and diffs[f.key].needs_explanation,
                    "explanation": explanations.get(f.key, ""),
                }
                for f in s.fields
            ],
        }
        for s in templates.sections(report.template)
    ]
    return {
        "report": report,
        "sections": sections,
        "history": report.actions.select_related("actor"),
        "may_edit": report.status in filing.EDITABLE and filing.may_file(user, report),
        "may_review": report.status == ReportStatus.SUBMITTED and filing.may_review(user, report),
        **extra,
    }


@login_required
def report(request, pk: int):
    return render(request, "reports/detail.html", _detail_context(request, _report(request, pk)))


def _review(request, pk: int, act, success: str, form: str):
    current = _report(request, pk)
    if not filing.may_review(request.user, current):
        raise PermissionDenied
    comment = request.POST.get("comment", "")

    def show_error(exc: DomainError):
        _refusal(exc)
        ctx = _detail_context(request, _report(request, pk), error=exc, error_form=form, comment=comment)
        return render(request, "reports/detail.html", ctx, status=exc.status if exc.status < 500 else 400)

    return perform(
        request,
        lambda: act(current, comment),
        success,
        reverse("reports:report", args=[pk]),
        on_error=show_error,
    )


@login_required
@require_POST
def return_view(request, pk: int):
    return _review(
        request,
        pk,
        lambda r, c: filing.return_report(request.user, r, c),
        _("The report was returned to the unit for correction."),
        "return",
    )


@login_required
@require_POST
def accept(request, pk: int):
    return _review(request, pk, lambda r, c: filing.accept(request.user, r, c), _("The report was accepted."), "accept")
