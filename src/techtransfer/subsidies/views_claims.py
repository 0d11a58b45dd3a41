"""Subsidy claim pages — 奖补申领: the applicant's claims, the reviewer's queue scoped by region, one claim with the
engine's explanation and its money ledger, and the actions on it (apply, approve, refuse, record a payment), plus
recording brokers' contributions to a contract. Thin: parse the form, call one service of
``subsidies.services.claims``, render; who may do what is asked of the same service's predicates.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.contracts import services as contract_services
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.core.fields import in_field, parse_money
from techtransfer.people.models import Person
from techtransfer.subsidies.models import Claim, ClaimStatus, ContractBroker
from techtransfer.subsidies.services import claims as claim_services

APPLY_FIELDS = ("bank_name", "bank_account", "account_name", "documents_note")
_BASES = {
    "tech_amount": gettext_lazy("the technology transaction amount (技术交易额)"),
    "contract_amount": gettext_lazy("the contract amount"),
    "equity_amount": gettext_lazy("the technology equity amount (技术入股出资额)"),
    "equity_or_contract": gettext_lazy("the technology equity amount, or the contract amount without one"),
    "last_year_total": gettext_lazy("the unit's contract total of last year"),
}
_CAPS = {
    "per_case": gettext_lazy("the cap per case"),
    "per_beneficiary_year": gettext_lazy("the yearly cap per beneficiary"),
    "budget": gettext_lazy("the policy's budget for the year"),
}
_UNMET = {
    "no_version_in_force": gettext_lazy("No version of the policy was in force on the certification date."),
    "beneficiary_not_covered": gettext_lazy("The policy does not reward this kind of beneficiary."),
    "beneficiary_kind": gettext_lazy("The beneficiary is not of a kind of organization the policy covers."),
    "category": gettext_lazy("The contract's category is not covered."),
    "subcategory": gettext_lazy("The contract's subcategory is not covered."),
    "ip_type": gettext_lazy("The contract's type of intellectual property is not covered."),
    "not_certified": gettext_lazy("The contract is not certified and registered."),
    "certified_out_of_period": gettext_lazy("The contract was certified outside the policy's period."),
    "flow": gettext_lazy("The direction of the trade (in the province, across provinces, abroad) is not covered."),
    "base_missing": gettext_lazy("The contract has no amount to compute the subsidy from."),
    "min_amount": gettext_lazy("The amount is below the policy's minimum."),
    "rate_not_set": gettext_lazy("The rate has not been set for this region yet."),
    "no_brokers": gettext_lazy("No broker contributions are recorded for the contract."),
    "contract_cancelled": gettext_lazy("The contract's registration was cancelled."),
}
_PARTY_UNMET = {
    "region_inside": gettext_lazy("The %(party)s is not in the required region."),
    "region_outside": gettext_lazy("The %(party)s is not outside the required region."),
    "kind": gettext_lazy("The %(party)s is not of a kind of organization the policy covers."),
    "ownership": gettext_lazy("The %(party)s's ownership is not covered."),
    "state_owned": gettext_lazy("The %(party)s's ownership (state-owned or not) does not fit the policy."),
    "foreign": gettext_lazy("The %(party)s's being foreign or domestic does not fit the policy."),
}
_PARTIES = {"seller": gettext_lazy("seller"), "buyer": gettext_lazy("buyer")}


# --- plain-language explanation of the engine's decision -----------------------------------------------------------


def _yuan(value) -> str:
    try:
        return f"¥{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def _percent(rate) -> str:
    try:
        value = (Decimal(str(rate)) * 100).normalize()
    except (InvalidOperation, ValueError, TypeError):
        return str(rate)
    return f"{value:f}%"


def unmet_text(code: str) -> str:
    """A condition code of the engine (docs/subsidies.md) in words."""
    if code in _UNMET:
        return str(_UNMET[code])
    party, _sep, rest = code.partition("_")
    if party in _PARTIES and rest in _PARTY_UNMET:
        return str(_PARTY_UNMET[rest]) % {"party": _PARTIES[party]}
    return code


def explanation(decision: dict, names: dict[str, str] | None = None) -> list[str]:
    """The engine's lines (``base``, ``percentage``, ``tier``, ``fixed``, ``cap``, ``share``) as sentences, in order;
    ``names`` gives brokers' names by their key (``person:<id>``)."""
    names = names or {}
    out: list[str] = []
    for line in (decision or {}).get("lines") or []:
        step = line.get("step")
        if step == "base":
            text = _("Computed on %(base)s: %(value)s.") % {
                "base": _BASES.get(line.get("base"), line.get("base")), "value": _yuan(line.get("value"))}
            if line.get("rule"):
                text += " " + _("Rule: %(rule)s") % {"rule": line["rule"]}
            out.append(text)
        elif step == "percentage":
            text = _("%(rate)s of %(base)s is %(amount)s.") % {
                "rate": _percent(line.get("rate")), "base": _yuan(line.get("base")),
                "amount": _yuan(line.get("amount"))}
            if line.get("rate_region"):
                text += " " + _("(the rate set for region %(region)s)") % {"region": line["rate_region"]}
            out.append(text)
        elif step == "tier":
            values = {"from": _yuan(line.get("from")), "to": _yuan(line.get("to")), "rate": _percent(line.get("rate")),
                      "portion": _yuan(line.get("portion")), "amount": _yuan(line.get("amount"))}
            if line.get("to") is None:
                out.append(_("Above %(from)s: %(rate)s of %(portion)s is %(amount)s.") % values)
            else:
                out.append(_("From %(from)s to %(to)s: %(rate)s of %(portion)s is %(amount)s.") % values)
        elif step == "fixed":
            out.append(_("A fixed amount of %(amount)s.") % {"amount": _yuan(line.get("amount"))})
        elif step == "cap":
            values = {"cap": _CAPS.get(line.get("cap"), line.get("cap")), "limit": _yuan(line.get("limit")),
                      "used": _yuan(line.get("used")), "before": _yuan(line.get("before")),
                      "after": _yuan(line.get("after"))}
            if line.get("before") == line.get("after"):
                out.append(_("Within %(cap)s of %(limit)s (%(used)s already used): %(after)s.") % values)
            else:
                out.append(_("Limited by %(cap)s of %(limit)s (%(used)s already used): %(before)s becomes %(after)s.")
                           % values)
        elif step == "share":
            out.append(_("Broker %(broker)s, contribution %(contribution)s: %(amount)s.") % {
                "broker": names.get(line.get("broker")) or _("a broker"), "contribution": line.get("contribution"),
                "amount": _yuan(line.get("amount"))})
    return out


# --- helpers -------------------------------------------------------------------------------------------------------


def _page(request, qs):
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, (params.urlencode() + "&") if params else ""


def _claim(request, pk: int) -> Claim:
    """The claim if the user may see it; 404 otherwise, whether or not it exists."""
    try:
        return claim_services.get_visible(request.user, pk)
    except NotFound:
        raise Http404


def _is_reviewer(user) -> bool:
    return permissions.principal(user).is_region_admin


def _field_key(field: str | None) -> str:
    return (field or "").replace(".", "_")


def _broker_names(decision: dict) -> dict[str, str]:
    keys = [ln.get("broker") for ln in decision.get("lines") or [] if ln.get("step") == "share"]
    ids = [int(k.split(":", 1)[1]) for k in keys if isinstance(k, str) and k.startswith("person:")
           and k.split(":", 1)[1].isdigit()]
    # only directory-listed people are named (a person's name is public only when listed)
    listed = Person.objects.filter(pk__in=ids, published=True).values_list("pk", "name")
    return {f"person:{pk}": name for pk, name in listed}


def _detail_context(request, claim: Claim) -> dict:
    user = request.user
    status = claim.status
    outstanding = claim_services.outstanding(claim)
    decision = claim.decision or {}
    return {
        "claim": claim,
        "contract": claim.contract,
        "policy": claim.policy,
        "version": claim.version,
        "explanation": explanation(decision, _broker_names(decision)),
        "unmet": [unmet_text(c) for c in decision.get("unmet") or []],
        "rule_clause": next((ln.get("rule") for ln in decision.get("lines") or [] if ln.get("step") == "base"), ""),
        "entries": claim.entries.select_related("actor").order_by("at", "id"),
        "paid_total": claim_services.paid_total(claim),
        "outstanding": outstanding,
        "may_see_bank": claim_services.may_see_bank(user, claim),
        "may_apply": status == ClaimStatus.CANDIDATE and claim_services.may_apply(user, claim),
        "may_review": status == ClaimStatus.APPLIED and claim_services.may_review(user, claim),
        # a payment while something is outstanding; a recovery (negative payment) while a clawback is owed back
        "may_pay": status in (ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.VOID) and outstanding != 0
        and claim_services.may_pay(user, claim),
        "may_record_broker": claim_services.may_record_broker(user, claim.contract),
        "is_reviewer": _is_reviewer(user),
        "v": {k: getattr(claim, k) for k in APPLY_FIELDS},
        "pay_amount": outstanding if outstanding != 0 else "",
    }


def _show_error(request, pk: int, exc: DomainError, form: str):
    """The claim page again, with the service's refusal on the form that was sent (re-read: the failed action may
    have changed the claim in memory). Refusals of permission are 403, of a hidden claim 404."""
    if exc.status == 403:
        raise PermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404
    ctx = _detail_context(request, _claim(request, pk))
    ctx.update(error=exc, error_form=form, error_key=_field_key(exc.field))
    if form == "apply":
        ctx["v"] = {k: request.POST.get(k, "") for k in APPLY_FIELDS}
    elif form == "pay":
        ctx["pay_amount"] = request.POST.get("amount", "")
        ctx["pay_reference"] = request.POST.get("reference", "")
        ctx["pay_note"] = request.POST.get("note", "")
    elif form == "refuse":
        ctx["refuse_reason"] = request.POST.get("reason", "")
    return render(request, "subsidies/claims/detail.html", ctx, status=exc.status if exc.status < 500 else 400)


def _action(request, pk: int, may, form: str, act, success: str):
    """A POST on a claim: 404 when the claim is hidden, 403 when ``may(user, claim)`` does not hold, then the
    service call, a message and a redirect to the claim (POST/redirect/GET); a refusal shows the form again."""
    claim = _claim(request, pk)
    if not may(request.user, claim):
        raise PermissionDenied
    return perform(
        request,
        lambda: act(claim),
        success,
        reverse("subsidies:claim", args=[pk]),
        on_error=lambda exc: _show_error(request, pk, exc, form),
    )


# --- lists ---------------------------------------------------------------------------------------------------------


@login_required
def claim_list(request):
    """Two tabs: "My claims" — the claims of the organizations the user belongs to (and a broker's own) — and, for
    region and platform administrators, "Review queue" — applied claims within their review scope."""
    user = request.user
    reviewer = _is_reviewer(user)
    tab = "review" if request.GET.get("tab") == "review" and reviewer else "mine"
    status = request.GET.get("status", "")
    if tab == "review":
        if status == ClaimStatus.APPROVED:
            # Approved claims in the administrator's review scope, waiting for their payment (payers = reviewers).
            qs = claim_services.reviewable_claims(user).filter(status=ClaimStatus.APPROVED)
        else:
            status = ClaimStatus.APPLIED
            qs = claim_services.review_queue(user)
        qs = qs.order_by("applied_at", "id")
    else:
        org_ids = permissions.principal(user).org_ids()
        qs = claim_services.visible_claims(user).filter(
            Q(organization_id__in=sorted(org_ids)) | Q(person__user=user)
        )
        if status in ClaimStatus.values:
            qs = qs.filter(status=status)
        else:
            status = ""
        qs = qs.order_by("-created_at", "-id")
    qs = qs.select_related("policy", "contract", "organization", "person", "region")
    page, querystring = _page(request, qs)
    return render(request, "subsidies/claims/list.html", {
        "tab": tab,
        "is_reviewer": reviewer,
        "page_obj": page,
        "claims": page.object_list,
        "status": status,
        "statuses": ClaimStatus.choices,
        "querystring": querystring,
    })


# --- one claim -----------------------------------------------------------------------------------------------------


@login_required
def claim_detail(request, pk: int):
    return render(request, "subsidies/claims/detail.html", _detail_context(request, _claim(request, pk)))


@login_required
@require_POST
def claim_apply(request, pk: int):
    post = request.POST
    return _action(
        request, pk, claim_services.may_apply, "apply",
        lambda claim: claim_services.apply(
            request.user, claim,
            bank_name=post.get("bank_name", "").strip(),
            bank_account=post.get("bank_account", "").strip(),
            account_name=post.get("account_name", "").strip(),
            documents_note=post.get("documents_note", "").strip(),
        ),
        _("The claim was submitted for review."),
    )


@login_required
@require_POST
def claim_approve(request, pk: int):
    return _action(
        request, pk, claim_services.may_review, "review",
        lambda claim: claim_services.approve(request.user, claim),
        _("The claim was approved; its amount is reserved from the budget."),
    )


@login_required
@require_POST
def claim_refuse(request, pk: int):
    reason = request.POST.get("reason", "").strip()
    return _action(
        request, pk, claim_services.may_review, "refuse",
        lambda claim: claim_services.refuse(request.user, claim, reason),
        _("The claim was refused; the reason is recorded."),
    )


@login_required
@require_POST
def claim_pay(request, pk: int):
    post = request.POST

    def pay(claim):
        # A recovered clawback is a negative payment: the sign is read here, the amount by the shared parser.
        text = post.get("amount", "").strip()
        negative = text.startswith("-")
        amount = in_field(parse_money, text[1:] if negative else text, "amount", positive=True)
        amount = -amount if negative else amount
        return claim_services.record_payment(
            request.user, claim, amount,
            reference=post.get("reference", "").strip(), note=post.get("note", "").strip(),
        )

    return _action(request, pk, claim_services.may_pay, "pay", pay, _("The payment was recorded."))


# --- brokers' contributions to a contract --------------------------------------------------------------------------


def _brokers_context(request, contract, **extra) -> dict:
    return {
        "contract": contract,
        "rows": ContractBroker.objects.filter(contract=contract).select_related("broker", "recorded_by")
        .order_by("broker__name", "id"),
        "brokers": Person.objects.filter(broker__isnull=False).order_by("name", "id")[:500],
        "v": {"person": "", "contribution": "1", "note": ""},
        "may_record": claim_services.may_record_broker(request.user, contract),
        **extra,
    }


@login_required
def contract_brokers(request, pk: int):
    """The brokers who contributed to a registered contract and their weights (the broker reward is shared by
    them); recording one is the service's decision (``record_broker``), refused with 403 to others."""
    try:
        contract = contract_services.get_visible(request.user, pk)
    except NotFound:
        raise Http404
    if request.method != "POST":
        return render(request, "subsidies/claims/brokers.html", _brokers_context(request, contract))
    if not claim_services.may_record_broker(request.user, contract):
        raise PermissionDenied
    post = request.POST

    def record():
        person = Person.objects.filter(pk=post.get("person", "") if post.get("person", "").isdigit() else None,
                                       broker__isnull=False).first()
        if person is None:
            raise DomainError(_("Choose a technology broker."), field="person")
        contribution = in_field(parse_money, post.get("contribution", ""), "contribution")
        return claim_services.record_broker(request.user, contract, person, contribution,
                                            note=post.get("note", "").strip())

    def show_error(exc: DomainError):
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        if exc.status == 404:
            raise Http404
        values = {k: post.get(k, "") for k in ("person", "contribution", "note")}
        ctx = _brokers_context(request, contract, error=exc, error_key=_field_key(exc.field), v=values)
        return render(request, "subsidies/claims/brokers.html", ctx, status=exc.status if exc.status < 500 else 400)

    back = reverse("subsidies:contract_brokers", args=[pk])
    return perform(request, record, _("The broker's contribution was recorded."), back, on_error=show_error)

