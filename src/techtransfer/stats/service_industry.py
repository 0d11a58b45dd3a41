"""Service-industry statistics — 技术转移服务业专项统计 (seed 004): the activity of technology-transfer service
institutions per year.

Per institution and year: staff, brokers, services rendered, contracts brokered and their amount, income. What the
platform's records hold is derived from them — the institutions (organizations of the kind ``tt_service``), their
brokers (people of the institution with a broker or manager profile, 技术经纪人/技术经理人), and the technology
intermediary contracts (技术中介合同, 《技术合同认定规则》 ch. 6: the intermediary is the party that files them)
registered here with the institution as seller, from the contract ledger of the year. The rest comes from the
institution's yearly return (``ServiceReturn``): staff, services rendered, income, and brokered contracts registered
elsewhere. Scoped like the other statistics (``services.scope_of``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.contracts.models import ContractEvent
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.core.fields import in_field, parse_money, parse_text, parse_whole
from techtransfer.orgs.models import Organization, OrgKind, Verification
from techtransfer.people.models import BrokerProfile
from techtransfer.regions.services import scope_q
from techtransfer.stats.models import ServiceReturn
from techtransfer.stats.permissions import may_read_return
from techtransfer.stats.services import scope_of

ZERO = Decimal("0.00")
SERVICE_KIND = OrgKind.TT_SERVICE
INTERMEDIARY_SUBCATEGORY = "svc_intermediary"  # 技术中介 (contracts.ContractSubcategory)
FIRST_YEAR = 2000
MAX_COUNT = 10_000_000
RETURN_FIELDS = ("staff", "services", "income", "other_contracts", "other_amount", "note")


# --- the yearly return --------------------------------------------------------------------------------------------


def service_institution(user, org_id) -> Organization:
    org = Organization.objects.filter(pk=org_id, kind=SERVICE_KIND).select_related("region").first()
    if org is None or not may_read_return(user, org):
        raise NotFound(_("No such technology transfer service institution, or you may not see it."))
    return org


def _check_year(year) -> int:
    this_year = timezone.localdate().year
    return in_field(parse_whole, year, "year", low=FIRST_YEAR, high=this_year)


def get_return(user, org: Organization, year) -> ServiceReturn | None:
    year = _check_year(year)
    if not may_read_return(user, org):
        raise NotFound(_("No such technology transfer service institution, or you may not see it."))
    return ServiceReturn.objects.filter(organization=org, year=year).first()


def file_return(actor, org: Organization, year, data: dict) -> ServiceReturn:
    """Enter or correct an institution's yearly return — 技术转移服务机构年度统计报表 (技术转移服务业专项统计, seed
    004). Only technology-transfer service institutions file; the year is a past or the current one; counts are
    whole numbers, amounts non-negative yuan; an institution that rendered services or had income has staff.
    Audited (``stats.service_return.create`` / ``.update``)."""
    if org.kind != SERVICE_KIND:
        raise DomainError(
            _("Only technology transfer service institutions file this return."), field="organization"
        )
    if not permissions.allowed("stats.file_service_return", actor, org):
        raise Forbidden(_("Only the institution's administrators may file its return."))
    year = _check_year(year)
    unknown = set(data) - set(RETURN_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    for name in ("staff", "services"):
        if name not in data or data[name] in (None, ""):
            raise DomainError(_("This figure is required."), field=name)
    if data.get("income") in (None, ""):
        raise DomainError(_("This figure is required."), field="income")
    values = {
        "staff": in_field(parse_whole, data["staff"], "staff", low=0, high=MAX_COUNT),
        "services": in_field(parse_whole, data["services"], "services", low=0, high=MAX_COUNT),
        "income": in_field(parse_money, data["income"], "income"),
        "other_contracts": in_field(
            parse_whole, data.get("other_contracts"), "other_contracts", low=0, high=MAX_COUNT, default=0
        ),
        "other_amount": in_field(parse_money, data.get("other_amount"), "other_amount", required=False) or ZERO,
        "note": in_field(parse_text, data.get("note"), "note", max_length=500),
    }
    if values["staff"] == 0 and (values["services"] or values["income"]):
        raise DomainError(_("An institution that rendered services or had income has staff."), field="staff")
    if values["other_amount"] and not values["other_contracts"]:
        raise DomainError(_("Give the number of the contracts this amount belongs to."), field="other_contracts")
    with transaction.atomic():
        existing = ServiceReturn.objects.select_for_update().filter(organization=org, year=year).first()
        if existing is None:
            ret = ServiceReturn(organization=org, year=year, filed_by=actor, **values)
            ret.save()
            audit.created(actor, ret, "stats.service_return.create")
            return ret
        with audit.tracking(actor, existing, "stats.service_return.update"):
            for key, value in values.items():
                setattr(existing, key, value)
            existing.filed_by = actor
        return existing


# --- the table ----------------------------------------------------------------------------------------------------


@dataclass
class InstitutionRow:
    org_id: int | None
    name: str
    region: str
    staff: int | None = None  # None: no return filed
    brokers: int = 0
    services: int | None = None
    contracts: int = 0
    contract_amount: Decimal = ZERO
    income: Decimal | None = None
    filed: bool = False


@dataclass
class ServiceTable:
    year: int
    rows: list[InstitutionRow] = field(default_factory=list)
    total: InstitutionRow | None = None

    @property
    def institutions(self) -> int:
        return len(self.rows)

    @property
    def returns(self) -> int:
        return sum(1 for r in self.rows if r.filed)


def institutions(user, region: str | None = None, year: int | None = None):
    """The service institutions the user may count: inside its statistics scope (platform administrators all;
    region administrators and reviewers their regions; members their own organization), inside ``region``.
    Verified institutions count, and any institution that filed a return for ``year``."""
    scope = scope_of(user)
    qs = Organization.objects.filter(kind=SERVICE_KIND)
    if scope.empty:
        return qs.none()
    if not scope.everything:
        q = Q(pk__in=scope.org_ids)
        for code in scope.regions:
            q |= scope_q("region_id", code)
        qs = qs.filter(q)
    if region:
        qs = qs.filter(scope_q("region_id", region))
    counted = Q(verification=Verification.VERIFIED)
    if year:
        counted |= Q(pk__in=ServiceReturn.objects.filter(year=year).values("organization_id"))
    return qs.filter(counted).select_related("region").order_by("region_id", "name", "id")


def service_table(user, year, region: str | None = None) -> ServiceTable:
    """技术转移服务业专项统计 for ``year``: one row per institution and a total (seed 004). Staff, services and
    income are sums over the filed returns; the table says how many institutions filed."""
    year = _check_year(year)
    orgs = list(institutions(user, region, year))
    ids = [o.pk for o in orgs]
    brokers = dict(
        BrokerProfile.objects.filter(person__organization_id__in=ids)
        .values("person__organization_id")
        .annotate(n=Count("id"))
        .values_list("person__organization_id", "n")
    )
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    brokered = {
        g["contract__seller_org_id"]: g
        for g in ContractEvent.objects.filter(
            contract__seller_org_id__in=ids,
            contract__subcategory_id=INTERMEDIARY_SUBCATEGORY,
            effective_on__gte=start,
            effective_on__lte=end,
        )
        .values("contract__seller_org_id")
        .annotate(n=Sum("count_delta"), a=Sum("contract_amount_delta"))
    }
    returns = {r.organization_id: r for r in ServiceReturn.objects.filter(organization_id__in=ids, year=year)}
    table = ServiceTable(year=year)
    for org in orgs:
        ret = returns.get(org.pk)
        b = brokered.get(org.pk, {})
        row = InstitutionRow(
            org_id=org.pk,
            name=org.name,
            region=org.region_id,
            brokers=brokers.get(org.pk, 0),
            contracts=int(b.get("n") or 0) + (ret.other_contracts if ret else 0),
            contract_amount=(b.get("a") or ZERO) + (ret.other_amount if ret else ZERO),
            filed=ret is not None,
        )
        if ret:
            row.staff, row.services, row.income = ret.staff, ret.services, ret.income
        table.rows.append(row)
    table.total = InstitutionRow(
        org_id=None,
        name=_("Total"),
        region=region or "",
        staff=sum(r.staff or 0 for r in table.rows),
        brokers=sum(r.brokers for r in table.rows),
        services=sum(r.services or 0 for r in table.rows),
        contracts=sum(r.contracts for r in table.rows),
        contract_amount=sum((r.contract_amount for r in table.rows), ZERO),
        income=sum((r.income or ZERO for r in table.rows), ZERO),
        filed=bool(table.rows) and all(r.filed for r in table.rows),
    )
    return table


def export_rows(table: ServiceTable) -> tuple[list[str], list[list]]:
    header = [
        _("Institution"), _("Region"), _("Staff"), _("Brokers"), _("Services rendered"), _("Contracts brokered"),
        _("Their contract amount (yuan)"), _("Service income (yuan)"), _("Return filed"),
    ]

    def line(r: InstitutionRow) -> list:
        return [r.name, r.region, r.staff, r.brokers, r.services, r.contracts, r.contract_amount, r.income,
                _("yes") if r.filed else _("no")]

    rows = [line(r) for r in table.rows]
    if table.total is not None:
        total = line(table.total)
        total[-1] = f"{table.returns}/{table.institutions}"
        rows.append(total)
    return header, rows
