"""What the platform's records say about an institution in a year — the "platform values" of an evaluation.

Each source (``models.Source``) is counted from the records of the app that owns them:

- ``contracts_brokered``: technology contracts certified (状态: certified, 认定登记) in the year — registration date
  in the year, registration not cancelled — where the institution is the seller (``TechContract.seller_org`` or the
  seller party row), or where a broker of the institution's staff is recorded as having contributed
  (``subsidies.ContractBroker``, 技术经纪人贡献登记). The registration records have no "intermediary
  organization" field: an intermediary contract (技术中介合同) is filed with the intermediary as seller
  (《技术合同认定规则》 ch. 6), and brokers' contributions name the person, whose organization is the institution.
- ``tech_amount_brokered``: the sum of those contracts' technology transaction amounts (技术交易额).
- ``services_delivered``: certified technology consulting and service contracts (技术咨询, 技术服务) with the
  institution as seller.
- ``cases_opened`` / ``cases_converted``: matchmaking cases (``matching.MatchCase``) opened in the year whose
  assigned broker is a person of the institution; converted: those of them that reached a signed contract.
- ``certified_brokers``: people of the institution with a broker or manager profile holding a certificate number
  (certified on or before the end of the year when the date is known).
- ``subsidies_received``: subsidy payments (``subsidies.ClaimEntry`` of kind paid) in the year on claims whose
  beneficiary is the institution.

``training_delivered`` and ``complaints`` have no platform record: only the declaration gives them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from techtransfer.contracts.models import ContractParty, PartyRole, Status, TechContract
from techtransfer.evaluation.models import Source
from techtransfer.matching.models import CaseStatus, MatchCase
from techtransfer.orgs.models import Organization
from techtransfer.people.models import BrokerProfile
from techtransfer.subsidies.models import ClaimEntry, ContractBroker, EntryKind

ZERO = Decimal("0")
CENT = Decimal("0.01")
SERVICE_CATEGORIES = ("consulting", "service")


def _seller_q(org_id: int) -> Q:
    return Q(seller_org_id=org_id) | Q(
        pk__in=ContractParty.objects.filter(role=PartyRole.SELLER, organization_id=org_id).values("contract_id")
    )


def _certified_in(year: int):
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return TechContract.objects.filter(status=Status.CERTIFIED, registered_on__gte=start, registered_on__lte=end)


def platform_values(org: Organization, year: int) -> dict[str, Decimal]:
    """The platform's figure of every platform source for ``org`` in ``year`` (see the module's docstring)."""
    certified = _certified_in(year)
    brokered_q = _seller_q(org.pk) | Q(
        pk__in=ContractBroker.objects.filter(broker__organization_id=org.pk).values("contract_id")
    )
    contracts = certified.filter(brokered_q)
    n_contracts = contracts.count()
    tech_amount = contracts.aggregate(t=Sum("tech_amount"))["t"] or ZERO
    services = certified.filter(_seller_q(org.pk), category_id__in=SERVICE_CATEGORIES).count()
    cases = MatchCase.objects.filter(broker__person__organization_id=org.pk, created_at__year=year)
    end = datetime.date(year, 12, 31)
    brokers = (
        BrokerProfile.objects.filter(person__organization_id=org.pk)
        .exclude(certificate_no="")
        .filter(Q(certified_on__isnull=True) | Q(certified_on__lte=end))
        .count()
    )
    paid = (
        ClaimEntry.objects.filter(kind=EntryKind.PAID, claim__organization_id=org.pk, at__year=year).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    return {
        Source.CONTRACTS_BROKERED: Decimal(n_contracts),
        Source.TECH_AMOUNT_BROKERED: Decimal(tech_amount).quantize(CENT),
        Source.SERVICES_DELIVERED: Decimal(services),
        Source.CASES_OPENED: Decimal(cases.count()),
        Source.CASES_CONVERTED: Decimal(cases.filter(status=CaseStatus.CONTRACT).count()),
        Source.CERTIFIED_BROKERS: Decimal(brokers),
        Source.SUBSIDIES_RECEIVED: max(Decimal(paid), ZERO).quantize(CENT),
    }
