"""Contract registration pages: the seller's filing form and list, the reviewer's queue and decision, the
certificate, attachments and the public verification page. Thin: parse the form, call one service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.contracts import attachments, certificates, services, tax
from techtransfer.contracts import permissions as rules
from techtransfer.contracts.models import (
    AmountKind,
    ContractCategory,
    ContractSubcategory,
    IPType,
    LicenceScope,
    PartyType,
    RefusalReason,
    Screening,
    ScreeningOutcome,
    ScreeningSubject,
    SocioEconomicObjective,
    Status,
    TechContract,
)
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.orgs.models import Organization, OrgKind
from techtransfer.regions.models import Country, Region
from techtransfer.taxonomy.models import TechField

PAYMENT_ROWS = 6
LINE_ROWS = 5


def _visible(request, pk: int) -> TechContract:
    try:
        return services.get_visible(request.user, pk)
    except NotFound:
        raise Http404


def _field_key(field: str | None) -> str:
    return (field or "").replace(".", "_")


def _choices() -> dict:
    province = settings.PROVINCE_CODE
    return {
        "categories": ContractCategory.objects.filter(active=True),
        "subcategories": ContractSubcategory.objects.filter(active=True).select_related("category"),
        "ip_types": IPType.objects.filter(active=True),
        "tech_fields": TechField.objects.filter(active=True),
        "objectives": SocioEconomicObjective.objects.filter(active=True),
        "scopes": LicenceScope.choices,
        "party_types": PartyType.choices,
        "amount_kinds": [c for c in AmountKind.choices if c[0] != AmountKind.TECHNOLOGY],
        "all_amount_kinds": AmountKind.choices,
        "points": Organization.objects.filter(kind=OrgKind.REGISTRATION_POINT).order_by("region_id", "name"),
        "countries": Country.objects.exclude(pk="CN").order_by("pk"),
        "regions": Region.objects.filter(code__startswith=province[:2]).order_by("code"),
    }


def _detail_url(pk: int) -> str:
    return reverse("contracts:detail", kwargs={"pk": pk})


# --- the filing form -----------------------------------------------------------------------------------------


def _form_data(post, *, new: bool) -> dict:
    """The service's input from the posted form: every field is sent, so clearing a field clears it."""
    g = lambda k: post.get(k, "").strip()  # noqa: E731
    data = {key: g(key) for key in services.CONTRACT_FIELDS if key != "written_form"}
    data["written_form"] = post.get("written_form") == "on"
    if new:
        data["seller"] = {"organization": g("seller_organization")}
    buyer = {k: g(f"buyer_{k}") for k in ("name", "credit_code", "region", "country", "party_type")}
    if g("buyer_organization"):
        buyer = {k: v for k, v in buyer.items() if v}
        buyer["organization"] = g("buyer_organization")
    if post.get("buyer_foreign") == "on":
        buyer["foreign"] = True
        buyer["region"] = ""
    elif not g("buyer_organization"):
        buyer["country"] = ""
    data["buyer"] = buyer
    data["payments"] = [
        {"due_on": g(f"payments_{i}_due_on"), "amount": g(f"payments_{i}_amount"), "note": g(f"payments_{i}_note")}
        for i in range(PAYMENT_ROWS)
        if g(f"payments_{i}_amount") or g(f"payments_{i}_due_on")
    ]
    data["amount_lines"] = [
        {
            "kind": g(f"amount_lines_{i}_kind"),
            "amount": g(f"amount_lines_{i}_amount"),
            "description": g(f"amount_lines_{i}_description"),
        }
        for i in range(LINE_ROWS)
        if g(f"amount_lines_{i}_amount")
    ]
    return data


def _initial(contract: TechContract | None) -> dict:
    """Form values of an existing draft (or an empty form)."""
    if contract is None:
        return {"written_form": True, "payments": [{}] * PAYMENT_ROWS, "amount_lines": [{}] * LINE_ROWS}
    buyer = contract.buyer
    values = {
        "name": contract.name,
        "category": contract.category_id or "",
        "subcategory": contract.subcategory_id or "",
        "licence_scope": contract.licence_scope,
        "written_form": contract.written_form,
        "signed_on": contract.signed_on.isoformat() if contract.signed_on else "",
        "term_start": contract.term_start.isoformat() if contract.term_start else "",
        "term_end": contract.term_end.isoformat() if contract.term_end else "",
        "contract_amount": contract.contract_amount if contract.contract_amount is not None else "",
        "technical_summary": contract.technical_summary,
        "ip_type": contract.ip_type_id or "",
        "tech_field": contract.tech_field_id or "",
        "objective": contract.objective_id or "",
        "achievement_id": contract.achievement_id or "",
        "registration_point": str(contract.registration_point_id or ""),
        "seller_organization": str(contract.seller_org_id),
    }
    if buyer is not None:
        values.update(
            buyer_name=buyer.name,
            buyer_credit_code=buyer.credit_code,
            buyer_region=buyer.region_id or "",
            buyer_country=buyer.country_id if buyer.foreign else "",
            buyer_party_type=buyer.party_type,
            buyer_foreign=buyer.foreign,
            buyer_organization=str(buyer.organization_id or ""),
        )
    pays = [
        {"due_on": p.due_on.isoformat() if p.due_on else "", "amount": p.amount, "note": p.note}
        for p in contract.payments.all()
    ]
    values["payments"] = (pays + [{}] * PAYMENT_ROWS)[: max(PAYMENT_ROWS, len(pays))]
    lines = list(contract.declared_lines or [])
    values["amount_lines"] = (lines + [{}] * LINE_ROWS)[: max(LINE_ROWS, len(lines))]
    return values


def _posted(post) -> dict:
    values = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
    values["written_form"] = post.get("written_form") == "on"
    values["buyer_foreign"] = post.get("buyer_foreign") == "on"
    values["payments"] = [
        {
            "due_on": post.get(f"payments_{i}_due_on", ""),
            "amount": post.get(f"payments_{i}_amount", ""),
            "note": post.get(f"payments_{i}_note", ""),
        }
        for i in range(PAYMENT_ROWS)
    ]
    values["amount_lines"] = [
        {
            "kind": post.get(f"amount_lines_{i}_kind", ""),
            "amount": post.get(f"amount_lines_{i}_amount", ""),
            "description": post.get(f"amount_lines_{i}_description", ""),
        }
        for i in range(LINE_ROWS)
    ]
    return values


def _render_form(request, contract, values, error=None, status=200):
    return render(
        request,
        "contracts/form.html",
        {
            "contract": contract,
            "v": values,
            "error": error,
            "error_key": _field_key(error.field) if error else "",
            "seller_orgs": rules.seller_organizations(request.user),
            **_choices(),
        },
        status=status,
    )


def _submit_if_asked(request, contract: TechContract) -> None:
    """After the form is saved: submit the draft (or resubmit a corrected filing) when the seller pressed
    "submit"; say what happened."""
    if request.POST.get("action") == "submit":
        if contract.status == Status.RETURNED:
            services.resubmit(request.user, contract)
            messages.success(request, _("The corrected contract was resubmitted to the registration point."))
        else:
            services.submit(request.user, contract)
            messages.success(request, _("The contract was submitted to the registration point."))
    else:
        messages.success(request, _("The draft was saved."))


@login_required
def contract_new(request):
    if not rules.seller_organizations(request.user).exists():
        messages.error(request, _("Only members of an organization may file technology contracts."))
        return redirect("contracts:list")
    if request.method != "POST":
        values = _initial(None)
        orgs = rules.seller_organizations(request.user)
        if orgs.count() == 1:
            values["seller_organization"] = str(orgs.first().pk)
        return _render_form(request, None, values)
    try:
        contract = services.file_contract(request.user, _form_data(request.POST, new=True))
        _submit_if_asked(request, contract)
    except DomainError as exc:
        return _render_form(request, None, _posted(request.POST), exc, status=400)
    return redirect("contracts:detail", pk=contract.pk)


@login_required
def contract_edit(request, pk: int):
    contract = _visible(request, pk)
    editable = contract.status in (Status.DRAFT, Status.RETURNED)
    if not editable or not rules.is_seller_side(request.user, contract):
        messages.error(request, _("Only drafts and filings returned for correction can be changed, by the seller."))
        return redirect("contracts:detail", pk=pk)
    if request.method != "POST":
        return _render_form(request, contract, _initial(contract))
    try:
        services.update_draft(request.user, contract, _form_data(request.POST, new=False))
        contract = services.get_visible(request.user, pk)
        _submit_if_asked(request, contract)
    except DomainError as exc:
        values = _posted(request.POST)
        values["seller_organization"] = str(contract.seller_org_id)
        return _render_form(request, services.get_visible(request.user, pk), values, exc, status=400)
    return redirect("contracts:detail", pk=pk)


@login_required
@require_POST
def contract_submit(request, pk: int):
    contract = _visible(request, pk)

    def incomplete(exc: DomainError):
        messages.error(request, exc.message)
        if exc.field and contract.status == Status.DRAFT:
            return redirect("contracts:edit", pk=pk)
        return redirect("contracts:detail", pk=pk)

    return perform(
        request,
        lambda: services.submit(request.user, contract),
        _("The contract was submitted to the registration point."),
        _detail_url(pk),
        on_error=incomplete,
    )


# --- lists ---------------------------------------------------------------------------------------------------


def _page(request, qs):
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, (params.urlencode() + "&") if params else ""


@login_required
def contract_list(request):
    """The contracts the user may see: the seller's own (drafts included), the buyer's, and for reviewers and
    administrators those in their jurisdiction."""
    qs = rules.visible_contracts(request.user).order_by("-id")
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(registration_number__startswith=q))
    page, querystring = _page(request, qs)
    return render(
        request,
        "contracts/list.html",
        {
            "page_obj": page,
            "contracts": page.object_list,
            "statuses": Status.choices,
            "status": status,
            "q": q,
            "querystring": querystring,
            "may_file": rules.seller_organizations(request.user).exists(),
            "is_reviewer": rules.is_reviewer(request.user),
        },
    )


@login_required
def review_queue(request):
    """Submitted contracts waiting at the reviewer's registration points, within its jurisdiction, oldest
    deadline first, with the processing time against the limit."""
    if not rules.may_see_review_queue(request.user):
        messages.error(request, _("The review queue is for registration-point reviewers."))
        return redirect("contracts:list")
    point_ids = rules.reviewer_points(request.user)
    qs = rules.visible_contracts(request.user).filter(status=Status.SUBMITTED)
    if point_ids:
        qs = qs.filter(registration_point_id__in=point_ids)
    page, querystring = _page(request, qs.order_by("due_on", "id"))
    rows = [(c, services.processing(c)) for c in page.object_list]
    return render(request, "contracts/queue.html", {"page_obj": page, "rows": rows, "querystring": querystring})


# --- one contract ----------------------------------------------------------------------------------------------


def _detail_context(request, contract: TechContract) -> dict:
    user = request.user
    seller_side = rules.is_seller_side(user, contract)
    reviewer = rules.may_decide(user, contract)
    return {
        "contract": contract,
        "seller": contract.seller,
        "buyer": contract.buyer,
        "payments": contract.payments.all(),
        "lines": contract.amount_lines.all(),
        "files": contract.attachments.all(),
        "events": contract.events.select_related("actor").order_by("at", "id"),
        "reviews": contract.expert_reviews.all(),
        "processing": services.processing(contract),
        "hints": tax.tax_hints(contract),
        "restricted_ok": rules.may_see_restricted(user, contract),
        "seller_side": seller_side,
        "reviewer": reviewer,
        "may_attach": rules.may_attach(user, contract),
        "max_mb": attachments.max_bytes() // (1024 * 1024),
        "needs_expert": contract.status == Status.SUBMITTED and services.needs_expert_review(contract),
        "code": certificates.verification_code(contract.registration_number) if contract.registration_number else "",
        "reasons": RefusalReason.objects.filter(active=True),
        "default_correction_due": services.default_correction_due(),
        "declared": contract.declared_lines or [],
        "certify_rows": ((contract.declared_lines or []) + [{}] * LINE_ROWS)[:LINE_ROWS],
        **_screening_context(
            user, Screening.objects.filter(subject_kind=ScreeningSubject.CONTRACT, subject_id=contract.pk).first()
        ),
        **_choices(),
    }


def _screening_context(user, screening: Screening | None) -> dict:
    """The export-control panel: the screening and what the user may do with it."""
    if screening is None or not rules.may_see_screening(user, screening):
        return {"s": None}
    may_confirm = rules.may_confirm_screening(user, screening)
    return {
        "s": screening,
        "may_confirm": may_confirm,
        "may_licence": rules.may_record_export_licence(user, screening),
        "outcomes": ScreeningOutcome.choices,
        "proposed": list(screening.proposed_items.all()),
        "catalogue_items": list(exportcontrol.active_items()) if may_confirm and not screening.confirmed else [],
    }


@login_required
def contract_detail(request, pk: int):
    contract = _visible(request, pk)
    return render(request, "contracts/detail.html", _detail_context(request, contract))


def _decision_error(request, contract, exc: DomainError):
    ctx = _detail_context(request, contract)
    ctx.update(error=exc, error_key=_field_key(exc.field), posted=request.POST)
    return render(request, "contracts/detail.html", ctx, status=exc.status if exc.status < 500 else 400)


def _decision(request, pk: int, act, success, *, reread: bool = False):
    """A reviewer's (or seller's) action on the detail page: ``act(contract)``, then back to the page with
    ``success``; a refused action shows the page again with the error (re-read first when ``reread``, because the
    action may have changed the contract in memory before it failed)."""
    contract = _visible(request, pk)

    def show_error(exc: DomainError):
        shown = services.get_visible(request.user, pk) if reread else contract
        return _decision_error(request, shown, exc)

    return perform(request, lambda: act(contract), success, _detail_url(pk), on_error=show_error)


@login_required
@require_POST
def contract_certify(request, pk: int):
    post = request.POST
    lines = [
        {
            "kind": post.get(f"amount_lines_{i}_kind", ""),
            "amount": post.get(f"amount_lines_{i}_amount", "").strip(),
            "description": post.get(f"amount_lines_{i}_description", ""),
        }
        for i in range(LINE_ROWS)
        if post.get(f"amount_lines_{i}_amount", "").strip()
    ]
    return _decision(
        request,
        pk,
        lambda contract: services.certify(
            request.user,
            contract,
            post.get("category", ""),
            post.get("subcategory", ""),
            lines,
            post.get("licence_scope", ""),
        ),
        lambda done: _("Certified and registered as %s.") % done.registration_number,
        reread=True,
    )


@login_required
@require_POST
def contract_refuse(request, pk: int):
    reasons, note = request.POST.getlist("reasons"), request.POST.get("note", "")
    done = _("The contract was not registered; the reasons are recorded.")
    return _decision(request, pk, lambda contract: services.refuse(request.user, contract, reasons, note), done)


@login_required
@require_POST
def contract_return(request, pk: int):
    what, due = request.POST.get("what", ""), request.POST.get("due_on", "").strip() or None
    done = _("The filing was returned to the filer for correction.")
    return _decision(
        request, pk, lambda contract: services.return_for_correction(request.user, contract, what, due), done
    )


@login_required
@require_POST
def contract_resubmit(request, pk: int):
    done = _("The corrected contract was resubmitted to the registration point.")
    return _decision(request, pk, lambda contract: services.resubmit(request.user, contract), done, reread=True)


@login_required
@require_POST
def contract_expert_review(request, pk: int):
    post = request.POST
    experts, approved, opinion = post.get("experts", ""), post.get("approved") == "yes", post.get("opinion", "")

    def record(contract):
        return services.record_expert_review(request.user, contract, experts, approved, opinion)

    return _decision(request, pk, record, _("The expert re-review was recorded."))


@login_required
@require_POST
def contract_amend(request, pk: int):
    post = request.POST
    return _decision(
        request,
        pk,
        lambda contract: services.amend(
            request.user,
            contract,
            note=post.get("note", ""),
            contract_amount=post.get("contract_amount", "").strip() or None,
            term_end=post.get("term_end", "").strip() or None,
        ),
        _("The amendment was registered."),
    )


@login_required
@require_POST
def contract_cancel(request, pk: int):
    reason = request.POST.get("reason", "")
    done = _("The cancellation was registered.")
    return _decision(request, pk, lambda contract: services.cancel(request.user, contract, reason), done)


@login_required
def contract_certificate(request, pk: int):
    contract = _visible(request, pk)
    try:
        pdf = certificates.certificate_pdf(contract)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contracts:detail", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{contract.registration_number}.pdf"'
    return response


# --- attachments ------------------------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add(request, pk: int):
    upload = request.FILES.get("file")
    done = _("The file was attached.")
    return _decision(request, pk, lambda contract: attachments.add(request.user, contract, upload), done)


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    contract = _visible(request, pk)
    try:
        return attachments.response(attachments.get(contract, attachment_id))
    except NotFound:
        raise Http404


@login_required
@require_POST
def attachment_delete(request, pk: int, attachment_id: int):
    contract = _visible(request, pk)
    return perform(
        request,
        lambda: attachments.remove(request.user, contract, attachment_id),
        _("The file was removed."),
        _detail_url(pk),
    )


# --- public verification -----------------------------------------------------------------------------------------


def verify(request):
    """Public: anyone holding a certificate checks its number and verification code (no sign-in)."""
    number = request.GET.get("number", "").strip()[:40]
    code = request.GET.get("code", "").strip()[:40]
    result, error = None, None
    if number or code:
        try:
            result = certificates.verify(number, code)
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "contracts/verify.html",
        {"number": number, "code": code, "result": result, "error": error},
        status=404 if error else 200,
    )


# --- export-control screenings ------------------------------------------------------------------------------------


@login_required
def screening_list(request):
    """The reviewers' queue of screenings awaiting confirmation, and every screening the user may see."""
    page, querystring = _page(request, rules.visible_screenings(request.user).order_by("-created_at", "-id"))
    return render(
        request,
        "contracts/screenings.html",
        {"awaiting": exportcontrol.awaiting(request.user), "page_obj": page, "querystring": querystring},
    )


def _screening(request, pk: int) -> Screening:
    try:
        return exportcontrol.get_visible(request.user, pk)
    except NotFound:
        raise Http404


@login_required
def screening_detail(request, pk: int):
    screening = _screening(request, pk)
    return render(request, "contracts/screening.html", _screening_context(request.user, screening))


def _screening_back(screening: Screening) -> str:
    return exportcontrol.screening_url(screening)


def _screening_error(request, screening: Screening):
    def show(exc: DomainError):
        ctx = _screening_context(request.user, Screening.objects.get(pk=screening.pk))
        ctx["error"] = exc
        return render(request, "contracts/screening.html", ctx, status=exc.status if exc.status < 500 else 400)

    return show


@login_required
@require_POST
def screening_confirm(request, pk: int):
    screening = _screening(request, pk)
    post = request.POST
    return perform(
        request,
        lambda: exportcontrol.confirm(
            request.user, screening, post.get("outcome") or None, post.getlist("items"), post.get("reason", "")
        ),
        _("Screening confirmed."),
        _screening_back(screening),
        on_error=_screening_error(request, screening),
    )


@login_required
@require_POST
def screening_licence(request, pk: int):
    screening = _screening(request, pk)
    return perform(
        request,
        lambda: exportcontrol.record_licence(request.user, screening, request.POST.get("licence_number", "")),
        _("Export licence number entered."),
        _screening_back(screening),
        on_error=_screening_error(request, screening),
    )
