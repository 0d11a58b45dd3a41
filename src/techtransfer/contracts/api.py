"""Contracts API: filing (drafts), submission, certification or refusal, expert re-review, amendment and
cancellation. Routes parse and call one service each; the services check roles, jurisdiction and state."""

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as Reply

from techtransfer.contracts import attachments, certificates, services, tax
from techtransfer.contracts.models import RefusalReason, Screening, ScreeningSubject, Status, TechContract
from techtransfer.contracts.permissions import visible_contracts, visible_screenings
from techtransfer.contracts.schemas import (
    AmendIn,
    CancelIn,
    CertifyIn,
    ContractIn,
    ExpertReviewIn,
    RefuseIn,
    ReturnIn,
    ScreeningConfirmIn,
    ScreeningLicenceIn,
    as_data,
)
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.apidoc import public, raises
from techtransfer.core.errors import NotFound
from techtransfer.core.pagination import paginate

router = Router(tags=["contracts"])


class LineOut(Schema):
    kind: str
    amount: Decimal
    description: str


class ContractOut(Schema):
    id: int
    name: str
    status: str
    category: str | None
    subcategory: str | None
    licence_scope: str
    contract_amount: Decimal | None
    tech_amount: Decimal | None
    non_tech_amount: Decimal | None
    registration_point: int | None
    registration_number: str | None
    registered_on: date | None
    due_on: date | None
    due_provisional: bool
    due_message: str
    time_limit: str
    correction_request: str
    correction_due: date | None
    flow: str
    seller_org: int
    refusal_reasons: list[str]
    refusal_note: str
    conditions: str = ""
    amount_lines: list[LineOut]


class ContractPage(Schema):
    items: list[ContractOut]
    count: int


def _due_message(c: TechContract) -> str:
    if not c.due_provisional or c.status != Status.SUBMITTED:
        return ""
    shown = services.processing(c)
    return shown.message if shown else ""


def serialize(c: TechContract) -> ContractOut:
    return ContractOut(
        id=c.pk,
        name=c.name,
        status=c.status,
        category=c.category_id,
        subcategory=c.subcategory_id,
        licence_scope=c.licence_scope,
        contract_amount=c.contract_amount,
        tech_amount=c.tech_amount,
        non_tech_amount=c.non_tech_amount,
        registration_point=c.registration_point_id,
        registration_number=c.registration_number,
        registered_on=c.registered_on,
        due_on=c.due_on,
        due_provisional=c.due_provisional,
        due_message=_due_message(c),
        time_limit=c.limit_rule,
        correction_request=c.correction_request,
        correction_due=c.correction_due,
        flow=c.flow,
        seller_org=c.seller_org_id,
        refusal_reasons=[r.pk for r in c.refusal_reasons.all()],
        refusal_note=c.refusal_note,
        conditions=c.conditions,
        amount_lines=[LineOut(kind=x.kind, amount=x.amount, description=x.description) for x in c.amount_lines.all()],
    )


@router.get("", response=ContractPage, summary="Contracts the caller may see")
def list_contracts(request, status: str = "", page: int = 1, page_size: int = 50):
    qs = visible_contracts(request.auth).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    page_slice = paginate(qs, page, page_size)
    return ContractPage(items=[serialize(c) for c in page_slice.items], count=page_slice.count)


@router.get("/{int:contract_id}", response=ContractOut)
def get_contract(request, contract_id: int):
    return serialize(services.get_visible(request.auth, contract_id))


@router.post("", response={201: ContractOut}, summary="File a contract (saved as a draft)")
def file_contract(request, payload: ContractIn):
    return Reply(201, serialize(services.file_contract(request.auth, as_data(payload))))


@router.patch("/{int:contract_id}", response=ContractOut, summary="Change a draft")
def update_draft(request, contract_id: int, payload: ContractIn):
    contract = services.get_visible(request.auth, contract_id)
    return serialize(services.update_draft(request.auth, contract, as_data(payload)))


@router.post("/{int:contract_id}/submit", response=ContractOut, summary="Submit for registration")
def submit(request, contract_id: int):
    contract = services.get_visible(request.auth, contract_id)
    return serialize(services.submit(request.auth, contract))


@router.post("/{int:contract_id}/certify", response=ContractOut, summary="Certify and register (reviewers)")
def certify(request, contract_id: int, payload: CertifyIn):
    contract = services.get_visible(request.auth, contract_id)
    done = services.certify(
        request.auth,
        contract,
        payload.category,
        payload.subcategory,
        as_data(payload.amount_lines),
        payload.licence_scope,
    )
    return serialize(done)


@router.post("/{int:contract_id}/refuse", response=ContractOut, summary="Do not register (reviewers)")
def refuse(request, contract_id: int, payload: RefuseIn):
    contract = services.get_visible(request.auth, contract_id)
    return serialize(services.refuse(request.auth, contract, payload.reasons, payload.note))


@router.post(
    "/{int:contract_id}/return", response=ContractOut, summary="Return for correction, with a deadline (reviewers)"
)
def return_for_correction(request, contract_id: int, payload: ReturnIn):
    contract = services.get_visible(request.auth, contract_id)
    return serialize(services.return_for_correction(request.auth, contract, payload.what, payload.due_on))


@router.post("/{int:contract_id}/resubmit", response=ContractOut, summary="Resubmit after correction (seller)")
def resubmit(request, contract_id: int):
    contract = services.get_visible(request.auth, contract_id)
    return serialize(services.resubmit(request.auth, contract))


class ReasonOut(Schema):
    code: str
    name: str
    name_en: str
    legal_basis: str


@router.get("/refusal-reasons", response=list[ReasonOut], summary="Grounds for not registering, with their source")
@public
def refusal_reasons(request):
    return [
        ReasonOut(code=r.code, name=r.name, name_en=r.name_en, legal_basis=r.legal_basis)
        for r in RefusalReason.objects.filter(active=True)
    ]


@router.post("/{int:contract_id}/expert-review", response=ContractOut, summary="Record the expert re-review")
def expert_review(request, contract_id: int, payload: ExpertReviewIn):
    contract = services.get_visible(request.auth, contract_id)
    services.record_expert_review(request.auth, contract, payload.experts, payload.approved, payload.opinion)
    return serialize(services.get_visible(request.auth, contract_id))


@router.post("/{int:contract_id}/amend", response=ContractOut, summary="Register an amendment (reviewers)")
def amend(request, contract_id: int, payload: AmendIn):
    contract = services.get_visible(request.auth, contract_id)
    services.amend(
        request.auth,
        contract,
        note=payload.note,
        contract_amount=payload.contract_amount,
        amount_lines=as_data(payload.amount_lines),
        term_end=payload.term_end,
    )
    return serialize(services.get_visible(request.auth, contract_id))


@router.post("/{int:contract_id}/cancel", response=ContractOut, summary="Register a cancellation (reviewers)")
def cancel(request, contract_id: int, payload: CancelIn):
    contract = services.get_visible(request.auth, contract_id)
    services.cancel(request.auth, contract, payload.reason)
    return serialize(services.get_visible(request.auth, contract_id))


class VerifyOut(Schema):
    registration_number: str
    registered_on: date | None
    category: str
    status: str
    status_label: str
    valid: bool
    registration_point: str


@router.get("/verify", response=VerifyOut, summary="Check a certificate's verification code (public)")
@public
@raises(404)  # no certificate with this number and code
def verify_certificate(request, number: str = "", code: str = ""):
    return certificates.verify(number, code)


@router.get("/{int:contract_id}/certificate", summary="The registration certificate (PDF)")
@raises(409)  # only a registered contract has one
def certificate(request, contract_id: int):
    contract = services.get_visible(request.auth, contract_id)
    response = HttpResponse(certificates.certificate_pdf(contract), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{contract.registration_number}.pdf"'
    return response


class TaxHintOut(Schema):
    code: str
    title: str
    rule: str
    status: str
    reason: str
    conditions: list[str] = []


@router.get("/{int:contract_id}/tax-hints", response=list[TaxHintOut], summary="Tax reliefs it may qualify for")
def tax_hints(request, contract_id: int):
    """Hints with the rule they come from (not tax advice); only for registered contracts the caller may see."""
    contract = services.get_visible(request.auth, contract_id)
    if contract.status != Status.CERTIFIED:
        return []
    return [TaxHintOut(**h.as_dict()) for h in tax.tax_hints(contract)]


class AttachmentOut(Schema):
    id: int
    name: str
    file_type: str
    size: int
    sha256: str
    uploaded_at: str
    url: str


def _attachment_out(a) -> AttachmentOut:
    return AttachmentOut(
        id=a.pk,
        name=a.original_name,
        file_type=a.file_type,
        size=a.size,
        sha256=a.sha256,
        uploaded_at=a.created_at.isoformat(),
        url=f"/api/v1/contracts/{a.contract_id}/attachments/{a.pk}",
    )


@router.get("/{int:contract_id}/attachments", response=list[AttachmentOut], summary="Scans attached to a contract")
def list_attachments(request, contract_id: int):
    contract = services.get_visible(request.auth, contract_id)
    return [_attachment_out(a) for a in contract.attachments.all()]


@router.post(
    "/{int:contract_id}/attachments",
    response={201: AttachmentOut},
    summary="Attach a PDF, PNG or JPEG scan (multipart field 'file')",
)
def add_attachment(request, contract_id: int, file: UploadedFile = File(...)):  # noqa: B008
    contract = services.get_visible(request.auth, contract_id)
    return Reply(201, _attachment_out(attachments.add(request.auth, contract, file)))


@router.get("/{int:contract_id}/attachments/{int:attachment_id}", summary="Download a scan")
def download_attachment(request, contract_id: int, attachment_id: int):
    contract = services.get_visible(request.auth, contract_id)
    return attachments.response(attachments.get(contract, attachment_id))


@router.delete("/{int:contract_id}/attachments/{int:attachment_id}", response={204: None}, summary="Remove a scan")
def delete_attachment(request, contract_id: int, attachment_id: int):
    contract = services.get_visible(request.auth, contract_id)
    attachments.remove(request.auth, contract, attachment_id)
    return Reply(204, None)


# --- export control — 技术出口管制 --------------------------------------------------------------------------------


class ExportControlItemOut(Schema):
    id: int
    number: str
    field: str
    field_en: str
    name: str
    name_en: str
    control_points: str
    status: str
    keywords: list[str]
    edition: str


class ScreeningMatchOut(Schema):
    item: int
    number: str
    name: str
    status: str
    why: list[str]


class ScreeningOut(Schema):
    id: int
    subject_kind: str
    subject_id: int
    subject_label: str
    counterparty: str
    counterparty_country: str
    status: str
    proposed_outcome: str
    matches: list[ScreeningMatchOut]
    outcome: str
    items: list[str]
    reason: str
    confirmed_at: str | None
    licence_number: str


class ScreeningPage(Schema):
    items: list[ScreeningOut]
    count: int


def _screening(s: Screening) -> ScreeningOut:
    return ScreeningOut(
        id=s.pk,
        subject_kind=s.subject_kind,
        subject_id=s.subject_id,
        subject_label=s.subject_label,
        counterparty=s.counterparty,
        counterparty_country=s.counterparty_country_id,
        status=s.status,
        proposed_outcome=s.proposed_outcome,
        matches=s.matches or [],
        outcome=s.outcome,
        items=[i.number for i in s.items.all()],
        reason=s.reason,
        confirmed_at=s.confirmed_at.isoformat() if s.confirmed_at else None,
        licence_number=s.licence_number,
    )


@router.get(
    "/export-control/items",
    response=list[ExportControlItemOut],
    summary="The active items of the export-control catalogue (《中国禁止出口限制出口技术目录》)",
)
@public
def export_control_items(request, status: str = ""):
    qs = exportcontrol.active_items()
    if status:
        qs = qs.filter(status=status)
    return [
        ExportControlItemOut(
            id=i.pk, number=i.number, field=i.field, field_en=i.field_en, name=i.name, name_en=i.name_en,
            control_points=i.control_points, status=i.status, keywords=i.keywords or [], edition=i.edition.notice,
        )
        for i in qs
    ]


@router.get("/screenings", response=ScreeningPage, summary="Export-control screenings the caller may see")
def list_screenings(request, awaiting: bool = False, page: int = 1, page_size: int = 50):
    qs = visible_screenings(request.auth).order_by("-id")
    if awaiting:
        qs = qs.filter(pk__in=[s.pk for s in exportcontrol.awaiting(request.auth)])
    page_slice = paginate(qs, page, page_size)
    return ScreeningPage(items=[_screening(s) for s in page_slice.items], count=page_slice.count)


@router.get("/screenings/{int:screening_id}", response=ScreeningOut, summary="One export-control screening")
def get_screening(request, screening_id: int):
    return _screening(exportcontrol.get_visible(request.auth, screening_id))


@router.post(
    "/screenings/{int:screening_id}/confirm",
    response=ScreeningOut,
    summary="Confirm a screening, possibly changing its outcome and items with a reason (reviewers)",
)
def confirm_screening(request, screening_id: int, payload: ScreeningConfirmIn):
    screening = exportcontrol.get_visible(request.auth, screening_id)
    return _screening(
        exportcontrol.confirm(request.auth, screening, payload.outcome, payload.items, payload.reason)
    )


@router.post(
    "/screenings/{int:screening_id}/licence",
    response=ScreeningOut,
    summary="Enter the export licence number of a restricted technology",
)
def screening_licence(request, screening_id: int, payload: ScreeningLicenceIn):
    screening = exportcontrol.get_visible(request.auth, screening_id)
    return _screening(exportcontrol.record_licence(request.auth, screening, payload.licence_number))


@router.get("/{int:contract_id}/screening", response=ScreeningOut, summary="The export-control screening of a contract")
def contract_screening(request, contract_id: int):
    contract = services.get_visible(request.auth, contract_id)
    screening = Screening.objects.filter(subject_kind=ScreeningSubject.CONTRACT, subject_id=contract.pk).first()
    if screening is None:
        raise NotFound(_("This contract has not been screened (it has no foreign buyer, or is not submitted)."))
    return _screening(exportcontrol.get_visible(request.auth, screening.pk))
