"""The platform's registered figures shown beside a unit's declared ones — 平台登记数据 (issue 14, item 2).

What is counted, for the unit ``org`` and the report year ``year``:

- ``<category>_count`` / ``<category>_amount`` for transfer, licence, development, consulting and service: the
  technology contracts (技术合同认定登记) whose status is *certified* and whose registration date lies in the year,
  where the unit is the seller (卖方; for development contracts the developer). The seller is
  ``TechContract.seller_org``, the organization the statistics attribute output to (``stats``, the ledger), kept
  equal to the seller party at filing. Amended contracts count with their current (amended) contract amount —
  an amendment is registered and keeps the contract certified; cancelled registrations (注销登记) do not count.
  The amount is the contract amount (合同金额), as in the report's rows.
- ``equity_count`` / ``equity_amount``: the trading app's final deals (``trading.Deal``, 成交记录) whose transfer
  mode is equity investment (作价投资), the unit the seller, concluded in the year (local time); the amount is the
  final price.
- ``office_brokers``: technology brokers/managers (``people.BrokerProfile``) whose person belongs to the unit, as
  the service-industry statistics count them (a count today: profiles carry no employment dates).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.catalog.models import TransferMode
from techtransfer.contracts.models import Status, TechContract
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import Organization
from techtransfer.people.models import BrokerProfile
from techtransfer.trading.models import Deal

ZERO = Decimal("0.00")
CONTRACT_CATEGORIES = ("transfer", "licence", "development", "consulting", "service")
KEYS = (
    "transfer_count",
    "transfer_amount",
    "licence_count",
    "licence_amount",
    "equity_count",
    "equity_amount",
    "development_count",
    "development_amount",
    "consulting_count",
    "consulting_amount",
    "service_count",
    "service_amount",
    "office_brokers",
)
_CATEGORY_NAMES = {
    "transfer": ("技术转让", "transfer"),
    "licence": ("技术许可", "licence"),
    "development": ("技术开发", "development"),
    "consulting": ("技术咨询", "consulting"),
    "service": ("技术服务", "service"),
}


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=tz)


def certified_contracts(org: Organization | int | list[int], year: int) -> QuerySet[TechContract]:
    """Certified contracts registered in ``year`` where ``org`` (or one of a list of organization ids) is the seller
    (every category)."""
    org_ids = [org] if not isinstance(org, list) else org
    org_ids = [o.pk if isinstance(o, Organization) else o for o in org_ids]
    return TechContract.objects.filter(
        seller_org_id__in=org_ids,
        status=Status.CERTIFIED,
        registered_on__gte=datetime.date(year, 1, 1),
        registered_on__lte=datetime.date(year, 12, 31),
    )


def equity_deals(org: Organization | int, year: int) -> QuerySet[Deal]:
    """Final deals in equity-investment mode (作价投资) concluded in ``year`` where ``org`` is the seller."""
    org_id = org.pk if isinstance(org, Organization) else org
    start, end = _year_bounds(year)
    return Deal.objects.filter(
        seller_id=org_id, transfer_mode=TransferMode.EQUITY, concluded_at__gte=start, concluded_at__lt=end
    )


def office_brokers(org: Organization | int) -> QuerySet[BrokerProfile]:
    org_id = org.pk if isinstance(org, Organization) else org
    return BrokerProfile.objects.filter(person__organization_id=org_id)


def registered_figures(org: Organization, year: int) -> dict[str, int | Decimal]:
    """The platform's figures for ``org``'s report on ``year``, keyed by the template fields' ``registered`` names
    (counts as ``int``, amounts as ``Decimal`` with two places). Three queries."""
    figures: dict[str, int | Decimal] = {}
    for code in CONTRACT_CATEGORIES:
        figures[f"{code}_count"] = 0
        figures[f"{code}_amount"] = ZERO
    rows = (
        certified_contracts(org, year)
        .filter(category_id__in=CONTRACT_CATEGORIES)
        .values("category_id")
        .annotate(n=Count("id"), amount=Sum("contract_amount"))
    )
    for row in rows:
        figures[f"{row['category_id']}_count"] = row["n"]
        figures[f"{row['category_id']}_amount"] = (row["amount"] or ZERO).quantize(ZERO)
    deals = equity_deals(org, year).aggregate(n=Count("id"), amount=Sum("price"))
    figures["equity_count"] = deals["n"]
    figures["equity_amount"] = (deals["amount"] or ZERO).quantize(ZERO)
    figures["office_brokers"] = office_brokers(org).count()
    return {key: figures[key] for key in KEYS}


def explain(org: Organization, year: int, figures: dict | None = None) -> dict[str, dict[str, str]]:
    """Per key, what was counted: ``{"zh": ..., "en": ...}`` (both languages, whatever the request's)."""
    figures = figures if figures is not None else registered_figures(org, year)
    out: dict[str, dict[str, str]] = {}
    for code, (zh, en) in _CATEGORY_NAMES.items():
        n, amount = figures[f"{code}_count"], figures[f"{code}_amount"]
        out[f"{code}_count"] = {
            "zh": f"{year}年登记、本单位为卖方的已认定{zh}合同{n}项（不含已注销登记的合同）",
            "en": f"{n} certified {en} contracts registered in {year} where the unit is the seller "
            f"(cancelled registrations excluded)",
        }
        out[f"{code}_amount"] = {
            "zh": f"上述{n}项{zh}合同的合同金额合计{amount}元（变更登记后的金额）",
            "en": f"contract amount of those {n} {en} contracts: {amount} yuan (as amended)",
        }
    n, amount = figures["equity_count"], figures["equity_amount"]
    out["equity_count"] = {
        "zh": f"{year}年在平台成交、本单位为卖方的作价投资交易{n}项",
        "en": f"{n} equity-investment deals concluded on the platform in {year} where the unit is the seller",
    }
    out["equity_amount"] = {
        "zh": f"上述{n}项作价投资交易的成交价合计{amount}元",
        "en": f"final price of those {n} equity-investment deals: {amount} yuan",
    }
    n = figures["office_brokers"]
    out["office_brokers"] = {
        "zh": f"平台登记的本单位技术经纪人/技术经理人{n}人（当前）",
        "en": f"{n} technology brokers/managers of the unit registered on the platform (now)",
    }
    return out


def contracts_for(org: Organization, year: int, key: str) -> QuerySet:
    """The records behind one figure, for a page to list: contracts (``<category>_count``/``_amount``), equity
    deals (``equity_*``) or broker profiles (``office_brokers``)."""
    if key == "office_brokers":
        return office_brokers(org).select_related("person").order_by("person__name", "id")
    base = key.rsplit("_", 1)[0] if key.endswith(("_count", "_amount")) else key
    if base == "equity":
        return equity_deals(org, year).select_related("achievement", "buyer").order_by("concluded_at", "id")
    if base in CONTRACT_CATEGORIES:
        return certified_contracts(org, year).filter(category_id=base).order_by("registered_on", "id")
    raise DomainError(_("Unknown registered figure: %s") % key, field="key")
