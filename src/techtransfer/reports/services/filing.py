"""Filing and review of annual transformation reports — 年度报告的填报与审核 (docs/reports.md, "Filing and review").

促进科技成果转化法 art. 21 and the yearly notices (财科教〔2017〕22号): a unit that must file (``obligation.must_file``)
reports each year on the previous year to its supervising department (主管部门, ``Organization.supervisor``), which
reviews it — accepts it, or returns it with comments for correction — and the accepted reports go on to the science
departments. The states: draft → submitted → returned → submitted → accepted (``ReportStatus``).

- The unit's organization administrators start the report (``get_or_start``), save drafts and submit.
- A submission must be complete and pass the template's checks, and every declared figure further than the
  tolerance from the platform's registered one (``prefill.registered_figures``) needs an explanation.
- The supervising department's organization administrators (or a platform administrator) return or accept it.
- Accepting a late report closes the unit's open "not filed" credit record for the year (kept in its history).

Every transition checks the current state (409 otherwise), locks the report, is audited and notifies the other side.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.notifications import services as notifications
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import Organization
from techtransfer.regions.services import scope_q
from techtransfer.reports.models import (
    ActionKind,
    AnnualReport,
    ReportAction,
    ReportingRound,
    ReportStatus,
)
from techtransfer.reports.services import deadlines, obligation, prefill, templates

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
MAX_COMMENT = 5000
MAX_EXPLANATION = 2000


not_filed_key = deadlines.credit_key  # the credit record a unit gets when it has not filed by the deadline


def current_report_year(today=None) -> int:
    """The year reports are filed on now: the previous calendar year (reports are due by 31 March)."""
    return (today or timezone.localdate()).year - 1


# --- helpers -------------------------------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def report_url(report: AnnualReport) -> str:
    try:
        return reverse("reports:report", args=[report.pk])
    except NoReverseMatch:
        return ""


def round_for(org: Organization, year: int) -> ReportingRound:
    """The round collecting ``org``'s report on ``year``: the round of the nearest region containing the unit's region
    (its county's, else its city's, else its province's)."""
    found = deadlines.round_for(org, year)
    if found is not None:
        return found
    raise NotFound(
        _("No reporting round covers %(region)s for the year %(year)s: the science department has not opened one.")
        % {"region": org.region_id, "year": year},
        field="year",
    )


# --- who may do what -----------------------------------------------------------------------------------------------


def may_file(user, org_or_report) -> bool:
    """The reporting unit's organization administrators (and platform administrators)."""
    p = permissions.principal(user)
    if not p.authenticated:
        return False
    org_id = org_or_report.organization_id if isinstance(org_or_report, AnnualReport) else org_or_report.pk
    return p.is_platform_admin or org_id in p.org_ids(Role.ORG_ADMIN)


def may_review(user, report: AnnualReport) -> bool:
    """The supervising department's organization administrators (the department fixed on the report) and platform
    administrators; region administrators see reports but do not review them."""
    p = permissions.principal(user)
    if not p.authenticated:
        return False
    return p.is_platform_admin or report.supervisor_id in p.org_ids(Role.ORG_ADMIN)


def _visible_q(user) -> Q | None:
    """None: everything (platform administrators)."""
    p = permissions.principal(user)
    if p.is_platform_admin:
        return None
    q = Q(pk__in=[])
    own = p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)
    if own:
        q |= Q(organization_id__in=sorted(own))
    supervised = p.org_ids(Role.ORG_ADMIN)
    if supervised:
        q |= Q(supervisor_id__in=sorted(supervised)) & ~Q(status=ReportStatus.DRAFT)
    for code in p.regions(Role.REGION_ADMIN):
        q |= scope_q("region_id", code) & ~Q(status=ReportStatus.DRAFT)
    return q


def visible_reports(user) -> QuerySet[AnnualReport]:
    """Reports ``user`` may see: the unit's own (members and administrators, drafts included); its supervising
    department's administrators and the administrators of a region containing the unit, once submitted; all for
    platform administrators. Reports are never public."""
    qs = AnnualReport.objects.select_related("organization", "supervisor", "round", "template", "region")
    if not permissions.principal(user).authenticated:
        return qs.none()
    q = _visible_q(user)
    return qs if q is None else qs.filter(q)


def reviewable(user) -> QuerySet[AnnualReport]:
    """Reports ``user`` reviews (any state but draft): its departments' units' reports; all for platform admins."""
    p = permissions.principal(user)
    qs = AnnualReport.objects.select_related("organization", "supervisor", "round", "region").exclude(
        status=ReportStatus.DRAFT
    )
    if not p.authenticated:
        return qs.none()
    if p.is_platform_admin:
        return qs
    return qs.filter(supervisor_id__in=sorted(p.org_ids(Role.ORG_ADMIN)))


def review_queue(user) -> QuerySet[AnnualReport]:
    """Submitted reports waiting for ``user``'s review, the oldest submission first."""
    return reviewable(user).filter(status=ReportStatus.SUBMITTED).order_by("submitted_at", "id")


def get_visible(user, pk) -> AnnualReport:
    """The report if ``user`` may see it; ``NotFound`` otherwise, whether or not it exists."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = None
    report = visible_reports(user).filter(pk=pk).first() if pk is not None and 0 < pk < 2**63 else None
    if report is None:
        raise NotFound(_("No such report, or you may not see it."))
    return report


# --- what the forms show -------------------------------------------------------------------------------------------


def registered_of(report: AnnualReport) -> dict:
    """The registered figures: those stored at the last submission, or the platform's current ones for a report
    being filled in (shown beside the fields, stored nowhere until submission)."""
    if report.status in EDITABLE or not report.registered:
        return prefill.registered_figures(report.organization, report.year)
    return report.registered


def differences(report: AnnualReport, values: dict | None = None, registered: dict | None = None):
    values = report.values if values is None else values
    registered = registered_of(report) if registered is None else registered
    return templates.differences(report.template, values, registered)


# --- transitions ---------------------------------------------------------------------------------------------------


def _wrong_state(report: AnnualReport) -> Conflict:
    return Conflict(
        _("The report is %(status)s: this step does not apply.") % {"status": report.get_status_display()},
        code="wrong_state",
        field="status",
    )


def _locked(report: AnnualReport) -> AnnualReport:
    return (
        AnnualReport.objects.select_for_update(of=("self",))
        .select_related("organization", "supervisor", "round", "template")
        .get(pk=report.pk)
    )


def get_or_start(actor, org: Organization, year: int) -> AnnualReport:
    """The unit's report on ``year``, created as a draft when there is none yet. The unit must be obliged to file
    (``obligation.must_file``) and have a recorded supervising department (fixed on the report as its reviewer);
    the round is that of the nearest region containing the unit, and its template is the report's. Nothing is
    pre-filled into the declared values: the registered figures are shown beside them."""
    if not may_file(actor, org):
        raise Forbidden(_("Only the unit's administrators may file its annual report."))
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise DomainError(_("Give the report year, e.g. 2025."), field="year")
    existing = AnnualReport.objects.filter(organization=org, year=year).first()
    if existing is not None:
        return existing
    if not obligation.must_file(org, year):
        raise DomainError(
            _(
                "%(org)s does not file annual transformation reports: only state-funded universities and research "
                "institutes (public institutions) do."
            )
            % {"org": org.name},
            code="not_obliged",
            field="organization",
        )
    if not org.supervisor_id:
        raise DomainError(
            _(
                "No supervising department (主管部门) is recorded for %(org)s: ask the platform to record it before "
                "filing."
            )
            % {"org": org.name},
            code="no_supervisor",
            field="supervisor",
        )
    rnd = round_for(org, year)
    report = AnnualReport(
        organization=org,
        year=year,
        round=rnd,
        template=rnd.template,
        supervisor_id=org.supervisor_id,
        region_id=org.region_id,
        is_demo=org.is_demo,
    )
    try:
        with transaction.atomic():
            report.save()
            audit.created(actor, report, "reports.report_start")
    except IntegrityError:  # started meanwhile by another administrator of the unit
        return AnnualReport.objects.get(organization=org, year=year)
    return report


def _clean_explanations(report: AnnualReport, explanations) -> dict:
    if explanations is None:
        return dict(report.explanations or {})
    if not isinstance(explanations, dict):
        raise DomainError(_("The explanations must be given as an object of field: text."), field="explanations")
    known = templates.fields(report.template)
    clean = {}
    for key, text in explanations.items():
        if key not in known or not known[key].registered:
            raise DomainError(
                _("%(key)s has no registered figure to explain.") % {"key": str(key)[:60]}, field=str(key)[:60]
            )
        if text is None:
            continue
        if not isinstance(text, str):
            raise DomainError(_("An explanation is a text."), field=key)
        text = text.strip()
        if len(text) > MAX_EXPLANATION:
            raise DomainError(_("At most %(n)s characters.") % {"n": MAX_EXPLANATION}, field=key)
        if text:
            clean[key] = text
    return clean


def save_draft(actor, report: AnnualReport, values, explanations=None) -> AnnualReport:
    """Save the declared figures and explanations of a draft or returned report. Incomplete is fine; every given
    value must parse and the cross-field checks must hold (``templates.require_valid``, complete=False)."""
    if not may_file(actor, report):
        raise Forbidden(_("Only the unit's administrators may file its annual report."))
    clean = templates.require_valid(report.template, values, complete=False)
    notes = _clean_explanations(report, explanations)
    with transaction.atomic():
        report = _locked(report)
        if report.status not in EDITABLE:
            raise _wrong_state(report)
        with audit.tracking(actor, report, "reports.report_save"):
            report.values = clean
            report.explanations = notes
    return report


def submit(actor, report: AnnualReport) -> AnnualReport:
    """Submit the saved report to the supervising department. It must be complete and pass the checks; the
    platform's registered figures are stored beside the declared ones, and a figure further from its registered one
    than the tolerance needs an explanation (``needs_explanation``, naming the first such field). A report first
    submitted after the round's deadline is late (a resubmission after a return keeps the first submission's
    standing)."""
    if not may_file(actor, report):
        raise Forbidden(_("Only the unit's administrators may file its annual report."))
    with transaction.atomic():
        report = _locked(report)
        if report.status not in EDITABLE:
            raise _wrong_state(report)
        values = templates.require_valid(report.template, report.values, complete=True)
        registered = prefill.registered_figures(report.organization, report.year)
        missing = templates.unexplained(report.template, values, registered, report.explanations or {})
        if missing:
            first = missing[0]
            raise DomainError(
                _(
                    "%(label)s: you declared %(declared)s, the platform registered %(registered)s; explain the "
                    "difference before submitting."
                )
                % {"label": first.field.label, "declared": first.declared, "registered": first.registered},
                code="needs_explanation",
                field=first.field.key,
            )
        first_submission = not report.actions.filter(action=ActionKind.SUBMIT).exists()
        with audit.tracking(actor, report, "reports.report_submit"):
            report.values = values
            report.registered = {k: str(v) for k, v in registered.items()}
            report.status = ReportStatus.SUBMITTED
            report.submitted_at = timezone.now()
            report.submitted_by = _user(actor)
            if first_submission:
                report.late = timezone.localdate() > report.round.due_on
        ReportAction.objects.create(report=report, action=ActionKind.SUBMIT, actor=_user(actor))
        notifications.notify(
            permissions.org_administrators(report.supervisor_id),
            _("Annual report to review: %(org)s, %(year)s") % {"org": report.organization.name, "year": report.year},
            report_url(report),
        )
    return report


def _comment(comment, *, required: bool) -> str:
    text = (comment if isinstance(comment, str) else "").strip()
    if required and not text:
        raise DomainError(_("Say what must be corrected."), code="comment_required", field="comment")
    if len(text) > MAX_COMMENT:
        raise DomainError(_("At most %(n)s characters.") % {"n": MAX_COMMENT}, field="comment")
    return text


def return_report(actor, report: AnnualReport, comment: str) -> AnnualReport:
    """The supervising department returns a submitted report for correction, saying what to correct."""
    if not may_review(actor, report):
        raise Forbidden(_("Only the unit's supervising department reviews its report."))
    comment = _comment(comment, required=True)
    with transaction.atomic():
        report = _locked(report)
        if report.status != ReportStatus.SUBMITTED:
            raise _wrong_state(report)
        with audit.tracking(actor, report, "reports.report_return", reason=comment):
            report.status = ReportStatus.RETURNED
            report.reviewed_at, report.reviewed_by = timezone.now(), _user(actor)
            report.review_comment = comment
        ReportAction.objects.create(report=report, action=ActionKind.RETURN, actor=_user(actor), comment=comment)
        notifications.notify(
            permissions.org_administrators(report.organization_id),
            _("Annual report %(year)s returned for correction: %(comment)s")
            % {"year": report.year, "comment": comment[:120]},
            report_url(report),
        )
    return report


def accept(actor, report: AnnualReport, comment: str = "") -> AnnualReport:
    """The supervising department accepts a submitted report (it goes on to the science departments). Accepting it
    closes the unit's open "not filed" credit record of the year, if the deadline passed without it."""
    if not may_review(actor, report):
        raise Forbidden(_("Only the unit's supervising department reviews its report."))
    comment = _comment(comment, required=False)
    with transaction.atomic():
        report = _locked(report)
        if report.status != ReportStatus.SUBMITTED:
            raise _wrong_state(report)
        now = timezone.now()
        with audit.tracking(actor, report, "reports.report_accept", reason=comment):
            report.status = ReportStatus.ACCEPTED
            report.reviewed_at, report.reviewed_by = now, _user(actor)
            report.review_comment = comment
            report.accepted_at = now
        ReportAction.objects.create(report=report, action=ActionKind.ACCEPT, actor=_user(actor), comment=comment)
        orgs.close_by_rule(
            not_filed_key(report.organization_id, report.year),
            on=timezone.localdate(),
            reason="late report accepted",
            actor=_user(actor),
        )
        notifications.notify(
            permissions.org_administrators(report.organization_id),
            _("Annual report %(year)s accepted by %(dept)s") % {"year": report.year, "dept": report.supervisor.name},
            report_url(report),
        )
    return report
