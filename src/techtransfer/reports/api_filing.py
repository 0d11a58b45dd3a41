"""Reports API: filing and review of annual transformation reports under /api/v1/reports. Thin: every write calls one
service of ``services.filing``; errors are ``{code, message, field}``; a report the caller may not see is a 404.
The template of a year (sections, fields with their units, cross-field checks) is public."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.accounts.permissions import require_signed_in
from techtransfer.core.apidoc import public
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.fields import Text
from techtransfer.core.pagination import paginate
from techtransfer.core.schemas import InputSchema
from techtransfer.orgs.models import Organization
from techtransfer.reports.models import AnnualReport, ReportStatus
from techtransfer.reports.services import filing, templates

router = Router(tags=["reports"])

Comment = Text(5000, null=False)
Explanation = Text(2000)


def _year(value: int | None, field: str = "year") -> int | None:
    if value is not None and not 1900 <= value <= 9999:
        raise DomainError(_("year must be between 1900 and 9999."), field=field)
    return value


# --- the template --------------------------------------------------------------------------------------------------


class FieldOut(Schema):
    key: str
    label: str
    kind: str = Field(description="count (a whole number ≥ 0), money (yuan, two places, ≥ 0) or text")
    unit: str
    required: bool
    registered: str | None = Field(None, description="the platform figure shown beside it (services.prefill)")


class SectionOut(Schema):
    key: str
    title: str
    fields: list[FieldOut]


class CheckOut(Schema):
    key: str
    left: str
    op: str
    right: list[str]
    message: str


class TemplateOut(Schema):
    version: int = Field(description="the first report year the layout applies to")
    title: str
    source: str
    tolerance_percent: Decimal
    tolerance_amount: Decimal
    sections: list[SectionOut]
    checks: list[CheckOut]


def template_out(t) -> dict:
    return {
        "version": t.version,
        "title": t.title,
        "source": t.source,
        "tolerance_percent": t.tolerance_percent,
        "tolerance_amount": t.tolerance_amount,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "fields": [
                    {
                        "key": f.key,
                        "label": f.label,
                        "kind": f.kind,
                        "unit": f.unit,
                        "required": f.required,
                        "registered": f.registered,
                    }
                    for f in s.fields
                ],
            }
            for s in templates.sections(t)
        ],
        "checks": [
            {"key": c.key, "left": c.left, "op": c.op, "right": list(c.right), "message": c.message}
            for c in templates.checks(t)
        ],
    }


@router.get("/template/{int:year}", response=TemplateOut, summary="The report template of a year (public)")
@public
def get_template(request, year: int):
    _year(year)
    return template_out(templates.template_for(year))


# --- reports -------------------------------------------------------------------------------------------------------


class ReportOut(Schema):
    id: int
    organization: int
    organization_name: str
    year: int
    supervisor: int
    supervisor_name: str
    region: str
    status: str
    status_label: str
    due_on: datetime.date
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    late: bool
    may_edit: bool
    may_review: bool


class DifferenceOut(Schema):
    field: str
    label: str
    declared: Decimal | None
    registered: Decimal
    allowed: Decimal = Field(description="the tolerance: a larger difference needs an explanation")
    needs_explanation: bool
    explanation: str


class ActionOut(Schema):
    action: str
    action_label: str
    actor: str
    comment: str
    at: datetime.datetime


class ReportDetailOut(ReportOut):
    template: int
    values: dict
    registered: dict = Field(description="the platform's figures (stored at submission; current while editable)")
    differences: list[DifferenceOut]
    explanations: dict
    review_comment: str
    history: list[ActionOut]


class ReportPage(Schema):
    items: list[ReportOut]
    count: int
    page: int
    pages: int
    page_size: int


def report_out(user, r: AnnualReport) -> dict:
    return {
        "id": r.pk,
        "organization": r.organization_id,
        "organization_name": r.organization.name,
        "year": r.year,
        "supervisor": r.supervisor_id,
        "supervisor_name": r.supervisor.name,
        "region": r.region_id,
        "status": r.status,
        "status_label": r.get_status_display(),
        "due_on": r.round.due_on,
        "submitted_at": r.submitted_at,
        "accepted_at": r.accepted_at,
        "late": r.late,
        "may_edit": r.status in filing.EDITABLE and filing.may_file(user, r),
        "may_review": r.status == ReportStatus.SUBMITTED and filing.may_review(user, r),
    }


def report_detail(user, r: AnnualReport) -> dict:
    registered = filing.registered_of(r)
    explanations = r.explanations or {}
    return {
        **report_out(user, r),
        "template": r.template.version,
        "values": r.values,
        "registered": {k: str(v) for k, v in registered.items()},
        "differences": [
            {
                "field": d.field.key,
                "label": d.field.label,
                "declared": d.declared,
                "registered": d.registered,
                "allowed": d.allowed,
                "needs_explanation": d.needs_explanation,
                "explanation": explanations.get(d.field.key, ""),
            }
            for d in filing.differences(r, registered=registered)
        ],
        "explanations": explanations,
        "review_comment": r.review_comment,
        "history": [
            {
                "action": a.action,
                "action_label": a.get_action_display(),
                "actor": str(a.actor or ""),
                "comment": a.comment,
                "at": a.at,
            }
            for a in r.actions.select_related("actor")
        ],
    }


@router.get("", response=ReportPage, summary="Reports the caller may see (its unit's, those it reviews)")
def list_reports(request, year: int | None = None, status: str = "", page: int = 1, page_size: int = 50):
    require_signed_in(request.auth)
    qs = filing.visible_reports(request.auth)
    if year is not None:
        qs = qs.filter(year=_year(year))
    if status:
        if status not in ReportStatus.values:
            raise DomainError(_("Unknown status: %s") % status[:40], field="status")
        qs = qs.filter(status=status)
    sl = paginate(qs, page, page_size)
    return {
        "items": [report_out(request.auth, r) for r in sl.items],
        "count": sl.count,
        "page": sl.page,
        "pages": sl.pages,
        "page_size": sl.page_size,
    }


class StartIn(InputSchema):
    year: int | None = Field(None, description="the report year (default: last year)")
    organization: int | None = Field(None, description="the unit (default: the caller's one administered unit)")


def _my_unit(user, org_id: int | None) -> Organization:
    p = permissions.principal(user)
    if org_id is not None:
        org = Organization.objects.filter(pk=org_id).first() if 0 < org_id < 2**63 else None
        if org is None or not filing.may_file(user, org):
            raise NotFound(_("No such organization among those you administer."), field="organization")
        return org
    ids = sorted(p.org_ids(Role.ORG_ADMIN))
    if len(ids) != 1:
        raise DomainError(_("Name the organization whose report to start."), field="organization")
    return Organization.objects.get(pk=ids[0])


@router.post(
    "", response={201: ReportDetailOut, 200: ReportDetailOut}, summary="Start (or find) my unit's report for a year"
)
def start_report(request, payload: StartIn):
    require_signed_in(request.auth)
    year = _year(payload.year) or filing.current_report_year()
    org = _my_unit(request.auth, payload.organization)
    existed = org.annual_reports.filter(year=year).exists()
    report = filing.get_or_start(request.auth, org, year)
    body = report_detail(request.auth, filing.get_visible(request.auth, report.pk))
    return body if existed else Status(201, body)


def _report(request, pk: int) -> AnnualReport:
    require_signed_in(request.auth)
    return filing.get_visible(request.auth, pk)


@router.get("/{int:pk}", response=ReportDetailOut, summary="A report: figures beside the registered ones, history")
def get_report(request, pk: int):
    return report_detail(request.auth, _report(request, pk))


class DraftIn(InputSchema):
    values: dict = Field(description="field key: value (counts whole numbers, money in yuan, texts)")
    explanations: dict[str, Explanation] = Field(default_factory=dict, description="field key: why it differs")


@router.put("/{int:pk}", response=ReportDetailOut, summary="Save the draft (values and explanations)")
def save_report(request, pk: int, payload: DraftIn):
    report = filing.save_draft(request.auth, _report(request, pk), payload.values, payload.explanations)
    return report_detail(request.auth, filing.get_visible(request.auth, report.pk))


@router.post("/{int:pk}/submit", response=ReportDetailOut, summary="Submit the saved report for review")
def submit_report(request, pk: int):
    report = filing.submit(request.auth, _report(request, pk))
    return report_detail(request.auth, filing.get_visible(request.auth, report.pk))


class ReportReturnIn(InputSchema):
    comment: Comment


class AcceptIn(InputSchema):
    comment: Comment = ""


@router.post("/{int:pk}/return", response=ReportDetailOut, summary="Return for correction (supervising department)")
def return_report(request, pk: int, payload: ReportReturnIn):
    report = filing.return_report(request.auth, _report(request, pk), payload.comment)
    return report_detail(request.auth, filing.get_visible(request.auth, report.pk))


@router.post("/{int:pk}/accept", response=ReportDetailOut, summary="Accept the report (supervising department)")
def accept_report(request, pk: int, payload: AcceptIn):
    report = filing.accept(request.auth, _report(request, pk), payload.comment)
    return report_detail(request.auth, filing.get_visible(request.auth, report.pk))
