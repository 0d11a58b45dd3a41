"""The platform's registered figures shown beside a report's declared ones — 平台登记数据 (minimal version).

For a unit and a report year: certified technology contracts (技术合同认定登记) where the unit is the seller party and
whose registration date falls in the year, counted and summed (contract amount) by contract category (transfer,
licence, development, consulting, service); equity investment is not registered as contracts here (0); the
office's brokers are the broker profiles (技术经纪人/经理人) of the unit's people. Keyed by the template fields'
``registered`` names (``reports.data``). The deadlines/prefill area writes the full version.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from techtransfer.contracts.models import ContractParty, PartyRole, Status
from techtransfer.people.models import BrokerProfile

CATEGORIES = ("transfer", "licence", "development", "consulting", "service")
ZERO = Decimal("0.00")


def registered_figures(org, year: int) -> dict:
    """``{"transfer_count": 2, "transfer_amount": Decimal("…"), …, "equity_count": 0, "office_brokers": 3}``."""
    figures: dict = {}
    for code in (*CATEGORIES, "equity"):
        figures[f"{code}_count"] = 0
        figures[f"{code}_amount"] = ZERO
    rows = (
        ContractParty.objects.filter(
            role=PartyRole.SELLER,
            organization=org,
            contract__status=Status.CERTIFIED,
            contract__registered_on__year=year,
            contract__category__code__in=CATEGORIES,
        )
        .values("contract__category__code")
        .annotate(n=Count("contract_id", distinct=True), total=Sum("contract__contract_amount"))
    )
    for row in rows:
        code = row["contract__category__code"]
        figures[f"{code}_count"] = row["n"]
        figures[f"{code}_amount"] = (row["total"] or ZERO).quantize(Decimal("0.01"))
    figures["office_brokers"] = BrokerProfile.objects.filter(person__organization=org).count()
    return figures
