"""Filing — 卖方在线填报 and 申请认定登记: drafts the seller files and changes, and their submission.

The seller (卖方; for development contracts the developer) files the contract — a member or administrator of the
seller organization — and submits it to a registration point whose region contains the seller's region;
submission is acceptance (受理) and starts the decision time limit (``deadlines``). Drafts may be incomplete;
every value given is checked when it is given, and ``check_complete`` checks completeness at submission.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.contracts.models import (
    ZERO,
    AmountKind,
    ContractCategory,
    ContractParty,
    ContractSubcategory,
    EventKind,
    Flow,
    IPType,
    LicenceScope,
    PartyRole,
    PartyType,
    PaymentLine,
    SocioEconomicObjective,
    Status,
    TechContract,
)
from techtransfer.contracts.permissions import is_seller_side, may_file_for
from techtransfer.contracts.services import clock, exportcontrol
from techtransfer.contracts.services.amounts import split_amount
from techtransfer.contracts.services.deadlines import deadline, time_limit
from techtransfer.contracts.services.events import record_event
from techtransfer.contracts.services.parsing import achievement, lookup, organization
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.core.fields import in_field, parse_date, parse_money, parse_text
from techtransfer.orgs import creditcode
from techtransfer.orgs.models import OrgKind
from techtransfer.regions.models import Country
from techtransfer.regions.services import exists as region_exists
from techtransfer.regions.services import is_within
from techtransfer.taxonomy.models import TechField

ORG_KIND_TO_PARTY_TYPE = {
    OrgKind.UNIVERSITY: PartyType.UNIVERSITY,
    OrgKind.INSTITUTE: PartyType.INSTITUTE,
    OrgKind.NEW_RD: PartyType.INSTITUTE,
    OrgKind.GOVERNMENT: PartyType.GOVERNMENT,
    OrgKind.ASSOCIATION: PartyType.ASSOCIATION,
}
CONTRACT_FIELDS = (
    "name",
    "category",
    "subcategory",
    "licence_scope",
    "written_form",
    "signed_on",
    "term_start",
    "term_end",
    "contract_amount",
    "technical_summary",
    "ip_type",
    "tech_field",
    "objective",
    "achievement_id",
    "registration_point",
)
INPUT_FIELDS = (*CONTRACT_FIELDS, "seller", "buyer", "payments", "amount_lines")
FOREIGN_KEYS = ("category", "subcategory", "ip_type", "tech_field", "objective", "registration_point")
PARTY_FIELDS = ("organization", "name", "credit_code", "region", "country", "party_type")
PAYMENT_FIELDS = ("due_on", "amount", "note")
CODE_TABLES = {
    "category": ContractCategory,
    "subcategory": ContractSubcategory,
    "ip_type": IPType,
    "tech_field": TechField,
    "objective": SocioEconomicObjective,
}
TEXT_LIMITS = {"name": 200, "technical_summary": 20000}


# --- reading the input ---------------------------------------------------------------------------------------------


def _apply_party(contract: TechContract, role: str, data: dict | None, existing: ContractParty | None):
    """Build (unsaved) the party of ``role`` from ``data``; field-level checks only (completeness at submit)."""
    field = role
    if data is not None and not isinstance(data, dict):
        raise DomainError(_("A party is an object with its name, region or country and type."), field=field)
    data = dict(data or {})
    foreign_flag = data.pop("foreign", None)
    if foreign_flag is not None and not isinstance(foreign_flag, bool):
        raise DomainError(_("Expected true or false."), field=f"{field}.foreign")
    unknown = set(data) - set(PARTY_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=f"{field}.{sorted(unknown)[0]}")
    party = existing or ContractParty(role=role)
    if "organization" in data:
        org = organization(data["organization"], f"{field}.organization")
        party.organization = org
        if org is not None:
            # Defaults from the organization's record; explicit values below take precedence.
            party.name = org.name
            party.credit_code = org.credit_code or ""
            party.region_id = None if org.country_id and org.country_id != "CN" else org.region_id
            party.country_id = org.country_id
            party.party_type = ORG_KIND_TO_PARTY_TYPE.get(org.kind, PartyType.ENTERPRISE)

    def text(key: str, max_length: int) -> str:
        return in_field(parse_text, data[key], f"{field}.{key}", max_length=max_length)

    if "name" in data:
        party.name = text("name", 200)
    if "credit_code" in data:
        party.credit_code = creditcode.normalize(text("credit_code", 40))
    if "region" in data:
        party.region_id = text("region", 6) or None
    if "country" in data:
        party.country_id = text("country", 2).upper() or None
    if "party_type" in data:
        party.party_type = text("party_type", 16)
    if foreign_flag is True:
        if not party.country_id or party.country_id == "CN":
            raise DomainError(_("A foreign party needs its country."), field=f"{field}.country")
    elif foreign_flag is False and party.foreign:
        raise DomainError(_("A domestic party has a region, not a foreign country."), field=f"{field}.country")
    _check_party(party, field, complete=False)
    return party


def _check_party(party: ContractParty, field: str, complete: bool) -> None:
    if party.party_type and party.party_type not in PartyType.values:
        raise DomainError(_("Unknown organization type: %s") % party.party_type, field=f"{field}.party_type")
    if party.country_id and not Country.objects.filter(pk=party.country_id).exists():
        raise DomainError(_("Unknown country: %s") % party.country_id, field=f"{field}.country")
    if party.region_id and not region_exists(party.region_id):
        raise DomainError(_("Unknown region code: %s") % party.region_id, field=f"{field}.region")
    if party.foreign and party.region_id:
        raise DomainError(_("A foreign party has a country, not a region."), field=f"{field}.region")
    if party.credit_code and not party.foreign:
        try:
            party.credit_code = creditcode.validate(party.credit_code)
        except creditcode.CreditCodeError as exc:
            raise DomainError(str(exc), field=f"{field}.credit_code")
    if not complete:
        return
    if not party.name:
        raise DomainError(_("The party's name is required."), field=f"{field}.name")
    if not party.party_type:
        raise DomainError(_("The party's organization type is required."), field=f"{field}.party_type")
    if not party.foreign:
        if not party.region_id and not party.credit_code and party.party_type != PartyType.INDIVIDUAL:
            raise DomainError(
                _("Give the region of a domestic party, or the country of a foreign one."), field=f"{field}.country"
            )
        if not party.region_id:
            raise DomainError(_("A domestic party needs its region."), field=f"{field}.region")
        if not party.credit_code and party.party_type != PartyType.INDIVIDUAL:
            raise DomainError(_("A domestic party needs its unified social credit code."), field=f"{field}.credit_code")


def _apply_field(contract: TechContract, key: str, value) -> None:
    """Set one of ``CONTRACT_FIELDS`` from its input value, naming the field in any error."""
    if key in TEXT_LIMITS:
        setattr(contract, key, in_field(parse_text, value, key, max_length=TEXT_LIMITS[key]))
    elif key == "licence_scope":
        value = in_field(parse_text, value, key, max_length=12)
        if value and value not in LicenceScope.values:
            raise DomainError(_("Unknown licence scope: %s") % value, field=key)
        contract.licence_scope = value
    elif key == "written_form":
        if not isinstance(value, bool):
            raise DomainError(_("Expected true or false."), field=key)
        contract.written_form = value
    elif key in ("signed_on", "term_start", "term_end"):
        setattr(contract, key, in_field(parse_date, value, key))
    elif key == "contract_amount":
        contract.contract_amount = in_field(parse_money, value, key, required=False)
    elif key in CODE_TABLES:
        setattr(contract, key, lookup(CODE_TABLES[key], value, key))
    elif key == "achievement_id":
        contract.achievement_id = achievement(value, key)
    elif key == "registration_point":
        point = organization(value, key)
        if point is not None and point.kind != OrgKind.REGISTRATION_POINT:
            raise DomainError(_("%s is not a technology contract registration point.") % point, field=key)
        contract.registration_point = point


def _payments(lines) -> list[PaymentLine]:
    """The payment schedule (unsaved lines) from ``[{"due_on", "amount", "note"}, ...]``."""
    if not isinstance(lines or [], list):
        raise DomainError(_("The payment schedule must be a list."), field="payments")
    payments = []
    for i, line in enumerate(lines or []):
        if not isinstance(line, dict):
            raise DomainError(_("Each payment line is an object with due date and amount."), field=f"payments.{i}")
        extra = set(line) - set(PAYMENT_FIELDS)
        if extra:
            raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(extra)), field=f"payments.{i}")
        payments.append(
            PaymentLine(
                due_on=in_field(parse_date, line.get("due_on"), f"payments.{i}.due_on"),
                amount=in_field(parse_money, line.get("amount"), f"payments.{i}.amount"),
                note=in_field(parse_text, line.get("note"), f"payments.{i}.note", max_length=200),
            )
        )
    return payments


def _apply(contract: TechContract, data: dict) -> dict:
    """Set the contract's own fields from ``data`` (field-level checks); return the party and payment data."""
    if not isinstance(data, dict):
        raise DomainError(_("Expected a JSON object."), field=None)
    unknown = set(data) - set(INPUT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    for key in CONTRACT_FIELDS:
        if key in data:
            _apply_field(contract, key, data[key])
    if contract.subcategory and contract.category and contract.subcategory.category_id != contract.category_id:
        raise DomainError(_("The subcategory does not belong to the category."), field="subcategory")
    if contract.subcategory and not contract.category:
        contract.category = contract.subcategory.category
    if "amount_lines" in data:
        contract.declared_lines = _declared_lines(data["amount_lines"])
    return {"payments": _payments(data["payments"]) if "payments" in data else None}


def _declared_lines(lines) -> list[dict]:
    """The seller's declared non-technical parts (checked like the certified split, kept as data)."""
    split = split_amount(Decimal("999999999999999.99"), lines or [])
    return [
        {"kind": line.kind, "amount": str(line.amount), "description": line.description}
        for line in split.lines
        if line.kind != AmountKind.TECHNOLOGY
    ]


def _flow(seller: ContractParty | None, buyer: ContractParty | None) -> str:
    if not seller or not buyer or not seller.region_id:
        return ""
    if buyer.foreign:
        return Flow.INTERNATIONAL
    if not buyer.region_id:
        return ""
    return Flow.IN_PROVINCE if buyer.region_id[:2] == seller.region_id[:2] else Flow.CROSS_PROVINCE


def _save_parts(contract: TechContract, seller, buyer, payments) -> None:
    for party in (seller, buyer):
        if party is not None:
            party.contract = contract
            party.save()
    if payments is not None:
        contract.payments.all().delete()
        for line in payments:
            line.contract = contract
        PaymentLine.objects.bulk_create(payments)


def _sync_denormalized(contract: TechContract, seller, buyer) -> None:
    contract.seller_region_id = seller.region_id if seller else None
    contract.buyer_region_id = buyer.region_id if buyer else None
    contract.buyer_country_id = buyer.country_id if buyer and buyer.foreign else None
    contract.flow = _flow(seller, buyer)


# --- drafts --------------------------------------------------------------------------------------------------------


def file_contract(actor, data: dict) -> TechContract:
    """Save a new contract as a draft for the seller — 卖方在线填报.

    ``data["seller"]["organization"]`` names the seller organization; the actor must be one of its members or
    administrators. Drafts may be incomplete; every value given is checked, and ``submit`` checks completeness.

    Stable entry point (trading pre-fills a filing with it after a deal). Keys: the contract fields of
    ``CONTRACT_FIELDS``, ``seller`` / ``buyer`` (``PARTY_FIELDS``, plus ``"foreign": true`` for a foreign party),
    ``payments`` and, optionally, ``amount_lines`` — the seller's declared non-technical parts.
    """
    if not permissions.principal(actor).authenticated:
        raise Forbidden(_("Sign in to file a technology contract."))
    if not isinstance(data, dict):
        raise DomainError(_("Expected a JSON object."))
    seller_data = data.get("seller") or {}
    if not isinstance(seller_data, dict):
        raise DomainError(_("Name the seller organization."), field="seller.organization")
    seller_org = organization(seller_data.get("organization"), "seller.organization")
    if seller_org is None:
        raise DomainError(_("Name the seller organization."), field="seller.organization")
    if not may_file_for(actor, seller_org):
        raise Forbidden(_("Only members of the seller organization may file its contracts."))
    contract = TechContract(seller_org=seller_org, filed_by=actor, status=Status.DRAFT)
    parts = _apply(contract, data)
    seller = _apply_party(contract, PartyRole.SELLER, data.get("seller"), None)
    buyer = _apply_party(contract, PartyRole.BUYER, data["buyer"], None) if data.get("buyer") else None
    _sync_denormalized(contract, seller, buyer)
    with transaction.atomic():
        contract.save()
        _save_parts(contract, seller, buyer, parts["payments"])
        audit.created(actor, contract, "contracts.file")
        record_event(contract, EventKind.FILED, actor)
    return contract


def update_draft(actor, contract: TechContract, data: dict) -> TechContract:
    """Change a draft, or a filing returned for correction (补正). The seller organization itself cannot change
    (file a new contract instead)."""
    if not is_seller_side(actor, contract):
        raise Forbidden(_("Only members of the seller organization may change this contract."))
    if contract.status not in (Status.DRAFT, Status.RETURNED):
        raise Conflict(
            _("Only drafts and filings returned for correction can be changed; register an amendment instead."),
            field="status",
        )
    if not isinstance(data, dict):
        raise DomainError(_("Expected a JSON object."))
    if not isinstance(data.get("seller") or {}, dict):
        raise DomainError(_("A party is an object with its name, region or country and type."), field="seller")
    seller_data = dict(data.get("seller") or {})
    if seller_data.get("organization") not in (None, "", contract.seller_org_id, contract.seller_org):
        raise DomainError(_("The seller organization of a contract cannot change."), field="seller.organization")
    seller_data.pop("organization", None)
    with audit.tracking(actor, contract, "contracts.update"):
        parts = _apply(contract, data)
        seller = _apply_party(contract, PartyRole.SELLER, seller_data, contract.seller) if "seller" in data else None
        buyer = _apply_party(contract, PartyRole.BUYER, data["buyer"], contract.buyer) if "buyer" in data else None
        _save_parts(contract, seller, buyer, parts["payments"])
        _sync_denormalized(contract, seller or contract.seller, buyer or contract.buyer)
    return contract


# --- submission ----------------------------------------------------------------------------------------------------


def check_complete(contract: TechContract) -> None:
    """Everything the rules need before a point may accept the contract; raises naming the first gap."""
    required = [
        ("name", _("The contract name is required.")),
        ("category", _("Choose the contract category.")),
        ("subcategory", _("Choose the contract subcategory.")),
        ("signed_on", _("The signing date is required.")),
        ("term_start", _("The start of the term is required.")),
        ("term_end", _("The end of the term is required.")),
        ("contract_amount", _("The contract amount is required.")),
        ("technical_summary", _("Summarize the technical content.")),
        ("ip_type", _("Say which intellectual property is involved.")),
        ("tech_field", _("Choose the technical field.")),
        ("objective", _("Choose the social-economic objective.")),
        ("registration_point", _("Choose the registration point.")),
    ]
    for field, message in required:
        attr = f"{field}_id" if field in FOREIGN_KEYS else field
        if getattr(contract, attr) in (None, ""):
            raise DomainError(message, field=field)
    if contract.contract_amount <= 0:
        raise DomainError(_("The contract amount must be positive."), field="contract_amount")
    if contract.signed_on > clock.today():
        raise DomainError(_("The signing date cannot be in the future."), field="signed_on")
    if contract.term_end < contract.term_start:
        raise DomainError(_("The term cannot end before it starts."), field="term_end")
    _check_licence_scope(contract.category, contract.licence_scope)
    seller, buyer = contract.seller, contract.buyer
    if seller is None:
        raise DomainError(_("The seller is required."), field="seller")
    if buyer is None:
        raise DomainError(_("The buyer is required."), field="buyer")
    _check_party(seller, "seller", complete=True)
    _check_party(buyer, "buyer", complete=True)
    if seller.foreign:
        raise DomainError(_("The seller files at the registration point of its locality."), field="seller.country")
    payments = list(contract.payments.all())
    if not payments:
        raise DomainError(_("Give the payment schedule."), field="payments")
    if sum((line.amount for line in payments), ZERO) > contract.contract_amount:
        raise DomainError(_("The payment schedule exceeds the contract amount."), field="payments")
    declared = sum((Decimal(line["amount"]) for line in contract.declared_lines or []), ZERO)
    if declared > contract.contract_amount:
        raise DomainError(
            _("The declared non-technical parts exceed the contract amount."), field="amount_lines"
        )
    point = contract.registration_point
    if not is_within(seller.region_id, point.region_id):
        raise DomainError(
            _("The seller applies at a registration point of its own locality."), field="registration_point"
        )


def _check_licence_scope(category: ContractCategory, scope: str) -> None:
    if category.code == "licence" and not scope:
        raise DomainError(_("A licence contract needs its licence scope."), field="licence_scope")
    if category.code != "licence" and scope:
        raise DomainError(_("Only licence contracts have a licence scope."), field="licence_scope")


def check_written(contract: TechContract) -> None:
    """Written contracts only: an oral contract is not accepted at all (不予受理) — 《技术合同认定登记管理办法》
    (the applicant submits the complete written text; a contract concluded orally is not accepted); 民法典
    art. 469 (written form), 851 and 863 (development, transfer and licence contracts are concluded in writing).
    Not accepting is not refusing: the filing gets no acceptance date, no deadline and no decision."""
    if not contract.written_form:
        raise DomainError(
            _(
                "Not accepted: an oral contract cannot be filed for registration. Only written technology "
                "contracts are accepted; submit the signed written contract."
            ),
            code="oral_contract_not_accepted",
            field="written_form",
        )


def check_not_duplicate(contract: TechContract) -> None:
    duplicate = (
        TechContract.objects.filter(
            seller_org_id=contract.seller_org_id,
            name=contract.name,
            signed_on=contract.signed_on,
            contract_amount=contract.contract_amount,
            status__in=[Status.SUBMITTED, Status.RETURNED, Status.CERTIFIED],
            parties__role=PartyRole.BUYER,
            parties__name=contract.buyer.name,
        )
        .exclude(pk=contract.pk)
        .exists()
    )
    if duplicate:
        raise Conflict(_("This contract has already been submitted for registration."), field="name")


def accept(contract: TechContract) -> None:
    """Acceptance (受理) starts the decision time limit: the acceptance time, the deadline under the point's rule
    (``deadlines.time_limit``) and whether it is provisional. Call inside the submitting transaction."""
    limit = time_limit(contract)
    contract.accepted_at = clock.now()
    due = deadline(timezone.localdate(contract.accepted_at), limit)
    contract.due_on = due.due_on
    contract.due_provisional = due.provisional
    contract.limit_rule = limit.rule[:200]


def submit(actor, contract: TechContract) -> TechContract:
    """Submit a complete draft to its registration point — 申请认定登记; submission is acceptance (受理) and starts
    the decision time limit. Oral contracts are not accepted (``check_written``). One contract is registered once:
    a duplicate of a pending or registered contract of the same seller is rejected."""
    if not is_seller_side(actor, contract):
        raise Forbidden(_("Only members of the seller organization may submit this contract."))
    if contract.status != Status.DRAFT:
        raise Conflict(_("Only drafts can be submitted."), field="status")
    check_written(contract)
    check_complete(contract)
    check_not_duplicate(contract)
    with audit.tracking(actor, contract, "contracts.submit"):
        contract.status = Status.SUBMITTED
        accept(contract)
        record_event(
            contract,
            EventKind.SUBMITTED,
            actor,
            data={"due_on": contract.due_on.isoformat(), "provisional": contract.due_provisional},
        )
    # A contract with a foreign buyer is screened against the export-control catalogue (技术出口管制审查).
    exportcontrol.screen_contract(actor, contract)
    return contract
