"""Policy pages — 奖补政策: the policies in force in plain language, one policy with its versions, its legal clause
and a calculator ("what would this contract get?"), the public statistics of subsidies, and the export of
approved payments for the finance bureau (administrators only). Thin: each page calls the services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.contracts.models import ContractCategory, ContractSubcategory
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.core.exports import export
from techtransfer.orgs.models import OrgKind, Ownership
from techtransfer.regions.models import Region, Tier
from techtransfer.regions.services import scope_prefix
from techtransfer.subsidies.models import Policy
from techtransfer.subsidies.services import calculator, figures, payments
from techtransfer.subsidies.services.policies import default_rates

BENEFICIARIES = [("buyer", _("Buyer")), ("seller", _("Seller")), ("broker", _("Broker")),
                 ("institution", _("Transfer institution"))]
FOREIGN = "foreign"  # the region dropdown's "outside China"
FOREIGN_COUNTRY = "ZZ"  # an ISO 3166 user-assigned code: a foreign party of no particular country
AMOUNT_FIELDS = ("contract_amount", "tech_amount", "equity_amount", "last_year_total")
PARTY_FIELDS = ("region", "kind", "ownership")


def index(request):
    rows = []
    for policy, version in calculator.in_force():
        text = calculator.description(policy, version)
        rows.append({"policy": policy, "version": version, "pays": text["pays"]})
    return render(request, "subsidies/index.html", {"rows": rows})


def _region_choices(policy: Policy) -> list[tuple[str, str]]:
    prefix = scope_prefix(policy.region_id)
    regions = Region.objects.filter(Q(tier__in=(Tier.PROVINCE, Tier.CITY)) | Q(pk__startswith=prefix)).order_by("pk")
    return [(r.pk, f"{r.pk} {r.label}") for r in regions]


def case_from_form(data) -> dict:
    """The calculator's form as a case line of ``subsidies evaluate``."""
    contract = {k: data.get(k) or None for k in ("category", "subcategory", "certified_on", *AMOUNT_FIELDS)}
    for role in ("seller", "buyer"):
        region = data.get(f"{role}_region") or None
        contract[role] = {
            "region": None if region == FOREIGN else region,
            "country": FOREIGN_COUNTRY if region == FOREIGN else None,
            "kind": data.get(f"{role}_kind") or None,
            "ownership": data.get(f"{role}_ownership") or None,
        }
    beneficiary = data.get("beneficiary") or ""
    if beneficiary == "broker":
        contract["brokers"] = [{"id": _("broker"), "contribution": "1"}]
    case = {"id": "calculator", "beneficiary": beneficiary, "contract": contract}
    if data.get("granted_this_year"):
        case["granted_this_year"] = data["granted_this_year"]
    return case


def detail(request, code: str):
    try:
        policy = calculator.get_policy(code)
    except NotFound:
        raise Http404 from None
    version = calculator.current_version(policy)
    result, error = None, None
    if request.GET.get("calculate"):
        try:
            result = calculator.calculate(policy.code, case_from_form(request.GET))
        except DomainError as exc:
            error = exc
    return render(request, "subsidies/policy.html", {
        "policy": policy, "version": version, "text": calculator.description(policy, version),
        "versions": calculator.published_versions(policy), "setting_rates": default_rates(policy.code),
        "result": result, "error": error, "data": request.GET,
        "beneficiaries": BENEFICIARIES, "categories": ContractCategory.objects.filter(active=True),
        "subcategories": ContractSubcategory.objects.filter(active=True).select_related("category"),
        "kinds": OrgKind.choices, "ownerships": Ownership.objects.filter(active=True),
        "regions": _region_choices(policy), "foreign": FOREIGN, "today": timezone.localdate(),
    })


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) == 4 else None


def statistics(request):
    year = _int(request.GET.get("year"))
    code = request.GET.get("policy") or None
    level = request.GET.get("level") if request.GET.get("level") in figures.LEVELS else "province"
    rows = figures.subsidy_figures(year=year, policy=code, level=level)
    return render(request, "subsidies/statistics.html", {
        "rows": rows, "summary": figures.summary(rows), "years": figures.years(),
        "policies": Policy.objects.order_by("code"), "year": year, "policy": code, "level": level,
        "levels": [("province", _("Province")), ("city", _("City"))],
    })


@login_required
def payments_export(request, fmt: str):
    try:
        rows = payments.rows(request.user)
        first = next(rows, None)
    except Forbidden as exc:
        raise PermissionDenied(str(exc)) from None

    def all_rows():
        if first is not None:
            yield first
            yield from rows

    return export(all_rows(), payments.header(), fmt, "subsidy-payments")
