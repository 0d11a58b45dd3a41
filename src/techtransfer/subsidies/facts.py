"""The engine's facts, read from a JSON case (the ``subsidies evaluate`` command) or from a registered contract.

Both readers raise only ``engine.FactsError`` (naming the field) whatever the input.
"""

from __future__ import annotations

import re
from decimal import Decimal

from techtransfer.core.fields import FieldError, parse_date, parse_money
from techtransfer.orgs.models import OrgKind
from techtransfer.subsidies.engine import Broker, Facts, FactsError, Party

BENEFICIARIES = ("buyer", "seller", "broker", "institution")
_REGION = re.compile(r"^\d{6}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CODE = re.compile(r"^[a-z0-9_-]{1,32}$")
_KINDS = set(OrgKind.values)


def read_amount(value, field: str, required: bool = False) -> Decimal | None:
    try:
        return parse_money(value, required=required)
    except FieldError as exc:
        raise FactsError(f"{field}: {exc.message}", field=field) from None


def _code(value, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _CODE.match(value):
        raise FactsError(f"{field}: not a code", field=field)
    return value


def _party(value, role: str) -> Party:
    if value is None:
        return Party()
    if not isinstance(value, dict):
        raise FactsError(f"{role}: an object is expected", field=role)
    unknown = set(value) - {"region", "country", "kind", "ownership"}
    if unknown:
        raise FactsError(f"{role}: unknown field {sorted(unknown)[0]}", field=f"{role}.{sorted(unknown)[0]}")
    region, country = value.get("region"), value.get("country")
    if region is not None and (not isinstance(region, str) or not _REGION.match(region)):
        raise FactsError(f"{role}.region: not a GB/T 2260 code", field=f"{role}.region")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country)):
        raise FactsError(f"{role}.country: not an ISO 3166 alpha-2 code", field=f"{role}.country")
    kind = _code(value.get("kind"), f"{role}.kind")
    if kind is not None and kind not in _KINDS:
        raise FactsError(f"{role}.kind: not an organization kind", field=f"{role}.kind")
    ownership = _code(value.get("ownership"), f"{role}.ownership")
    return Party(region=region, country=country, kind=kind, ownership=ownership)


CONTRACT_FIELDS = {"category", "subcategory", "contract_amount", "tech_amount", "equity_amount", "certified_on",
                   "seller", "buyer", "ip_type", "last_year_total", "brokers"}


def facts_from_dict(value) -> Facts:
    """The ``contract`` object of a case line (docs/subsidies.md, "The command")."""
    if not isinstance(value, dict):
        raise FactsError("contract: an object is expected", field="contract")
    unknown = set(value) - CONTRACT_FIELDS
    if unknown:
        raise FactsError(f"contract: unknown field {sorted(unknown)[0]}", field=sorted(unknown)[0])
    try:
        certified_on = parse_date(value.get("certified_on"))
    except FieldError as exc:
        raise FactsError(f"certified_on: {exc.message}", field="certified_on") from None
    brokers = []
    raw_brokers = value.get("brokers") or []
    if not isinstance(raw_brokers, list):
        raise FactsError("brokers: a list is expected", field="brokers")
    for i, b in enumerate(raw_brokers):
        ident = b.get("id", b.get("name")) if isinstance(b, dict) else None
        if not isinstance(ident, str | int) or isinstance(ident, bool) or set(b) - {"id", "name", "contribution"}:
            raise FactsError(f"brokers.{i}: {{'id', 'contribution'}} expected", field="brokers")
        contribution = read_amount(b.get("contribution", "1"), f"brokers.{i}.contribution", required=True)
        brokers.append(Broker(str(ident), contribution))
    return Facts(
        category=_code(value.get("category"), "category"),
        subcategory=_code(value.get("subcategory"), "subcategory"),
        contract_amount=read_amount(value.get("contract_amount"), "contract_amount"),
        tech_amount=read_amount(value.get("tech_amount"), "tech_amount"),
        equity_amount=read_amount(value.get("equity_amount"), "equity_amount"),
        certified_on=certified_on,
        seller=_party(value.get("seller"), "seller"),
        buyer=_party(value.get("buyer"), "buyer"),
        ip_type=_code(value.get("ip_type"), "ip_type"),
        last_year_total=read_amount(value.get("last_year_total"), "last_year_total"),
        brokers=tuple(brokers),
    )


def facts_from_contract(contract, *, equity_amount: Decimal | None = None,
                        last_year_total: Decimal | None = None, brokers: tuple[Broker, ...] = ()) -> Facts:
    """The facts of a registered ``contracts.TechContract``: its certified category, amounts and date, and each
    party's region, country, organization kind and ownership (from the linked organization when there is one;
    otherwise the party's own statistics type where it names an organization kind)."""

    def party(p) -> Party:
        if p is None:
            return Party()
        org = p.organization
        kind = org.kind if org else (p.party_type if p.party_type in _KINDS else None)
        return Party(
            region=p.region_id or (org.region_id if org and not p.country_id else None),
            country=p.country_id, kind=kind, ownership=org.ownership_id if org else None,
        )

    return Facts(
        category=contract.category_id, subcategory=contract.subcategory_id,
        contract_amount=contract.contract_amount, tech_amount=contract.tech_amount, equity_amount=equity_amount,
        certified_on=contract.registered_on, seller=party(contract.seller), buyer=party(contract.buyer),
        ip_type=contract.ip_type_id, last_year_total=last_year_total, brokers=brokers,
    )
