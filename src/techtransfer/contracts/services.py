"""Technology contract registration rules — 技术合同认定登记.

Sources: 《技术合同认定登记管理办法》 (国科发政字〔2000〕63号), 《技术合同认定规则》 (国科发政字〔2001〕253号),
Civil Code book III chapter 20. Summary of what is encoded here:

- the seller (卖方; for development contracts the developer) files the contract — a member or administrator of the
  seller organization — and submits it to a registration point whose region contains the seller's region;
  submission is acceptance (受理) and starts the decision time limit;
- only a reviewer of that registration point whose region scope contains the seller's region decides: certifies
  (认定登记) or refuses (未予登记) with reasons; oral contracts are never certified;
- certification fixes the category and splits the contract amount into the technology transaction amount
  (技术交易额) and the non-technical lines the rules exclude (equipment, instruments, parts, materials, other);
- large development/transfer contracts need an expert re-review first (see ``conf``);
- registration numbers are gapless per registration point and year (see ``next_registration_number``);
- amendments and cancellations are registered as events that change the statistics, never silent edits.

Permissions come from ``accounts.permissions``; every state change is audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.audit import services as audit
from techtransfer.contracts import conf, ledger
from techtransfer.contracts.models import (
    ZERO,
    AmountKind,
    AmountLine,
    ContractCategory,
    ContractEvent,
    ContractParty,
    ContractSubcategory,
    EventKind,
    ExpertReview,
    Flow,
    IPType,
    LicenceScope,
    PartyRole,
    PartyType,
    PaymentLine,
    PointProfile,
    RefusalReason,
    RegistrationCounter,
    SocioEconomicObjective,
    Status,
    TechContract,
)
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.orgs import creditcode
from techtransfer.orgs.models import Organization, OrgKind
from techtransfer.regions.models import Country
from techtransfer.regions.services import exists as region_exists
from techtransfer.regions.services import is_within, scope_q
from techtransfer.taxonomy.models import TechField

CENT = Decimal("0.01")
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


def _now() -> datetime.datetime:
    return timezone.now()


def _today() -> datetime.date:
    return timezone.localdate(_now())


# --- parsing helpers -----------------------------------------------------------------------------------------


MAX_AMOUNT = Decimal("999999999999.99")  # fits the 16-digit money columns with room for sums


def money(value, field: str) -> Decimal:
    """A non-negative amount in yuan with at most two decimal places (below ¥1,000,000,000,000)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise DomainError(_("Not an amount: %s") % str(value)[:40], field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Not an amount: %s") % str(value)[:40], field=field)
    if not amount.is_finite():
        raise DomainError(_("Not an amount: %s") % str(value)[:40], field=field)
    if amount < 0:
        raise DomainError(_("An amount cannot be negative."), field=field)
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field=field)
    if amount != amount.quantize(CENT):
        raise DomainError(_("Amounts are in yuan with at most two decimal places."), field=field)
    return amount.quantize(CENT)


def _date(value, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise DomainError(_("Not a date (YYYY-MM-DD): %s") % str(value)[:40], field=field)
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("Not a date (YYYY-MM-DD): %s") % value, field=field)
    if day.year < 1950 or day.year > 2200:
        raise DomainError(_("The date is out of range: %s") % value, field=field)
    return day


def _text(value, field: str, max_length: int | None = 200) -> str:
    """A text value: None or a string, stripped, at most ``max_length`` characters."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError(_("Expected text."), field=field)
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        raise DomainError(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return value


def _lookup(model, value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    if not isinstance(value, str):
        raise DomainError(_("Unknown %(what)s: %(code)s") % {"what": field, "code": str(value)[:40]}, field=field)
    obj = model.objects.filter(pk=value, active=True).first() if hasattr(model, "active") else None
    if obj is None:
        raise DomainError(_("Unknown %(what)s: %(code)s") % {"what": field, "code": value}, field=field)
    return obj


def _organization(value, field: str) -> Organization | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organization):
        return value
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        pk = int(value)
        org = Organization.objects.filter(pk=pk).first() if 0 < pk < 2**62 else None
    except (TypeError, ValueError):
        org = None
    if org is None:
        raise DomainError(_("No such organization: %s") % value, field=field)
    return org


def _achievement(value, field: str) -> int | None:
    """The id of an existing achievement (科技成果) the contract transfers or develops, or None."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        pk = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Not an achievement id: %s") % str(value)[:40], field=field)
    from techtransfer.catalog.models import Achievement

    if not (0 < pk < 2**62) or not Achievement.objects.filter(pk=pk).exists():
        raise DomainError(_("No such achievement: %s") % pk, field=field)
    return pk


# --- permissions ---------------------------------------------------------------------------------------------


def is_seller_side(user, contract: TechContract) -> bool:
    """Members and administrators of the seller organization act for the seller."""
    return contract.seller_org_id in permissions.principal(user).org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)


def _grant_covers(grant, point: Organization, region: str) -> bool:
    scope = grant.region or point.region_id
    return grant.org_id == point.pk and bool(scope) and is_within(region, scope)


def may_decide(user, contract: TechContract) -> bool:
    """A reviewer (role ``reviewer``) of the contract's registration point whose region scope contains the
    seller's region — 登记机构在其管辖范围内认定登记. A reviewer grant without a region has the point's region."""
    point, region = contract.registration_point, contract.seller_region_id
    if point is None or not region:
        return False
    p = permissions.principal(user)
    return any(g.role == Role.REVIEWER and _grant_covers(g, point, region) for g in p.grants)


def _require_reviewer(user, contract: TechContract) -> None:
    if not may_decide(user, contract):
        raise Forbidden(_("Only a reviewer of this registration point, within its jurisdiction, may decide."))


def visible_contracts(user):
    """Contracts the user may see: the seller's members (drafts included), members of the buyer organization,
    the reviewers of the registration point within their jurisdiction, region administrators within their scope
    (not drafts), platform administrators all."""
    qs = TechContract.objects.select_related("category", "subcategory", "registration_point", "seller_org")
    p = permissions.principal(user)
    if p.is_platform_admin:
        return qs
    if not p.authenticated:
        return qs.none()
    q = permissions.member_q(user, TechContract)
    submitted = ~Q(status=Status.DRAFT)
    q |= permissions.region_scope_q(p, TechContract) & submitted
    for g in p.grants:
        if g.role == Role.REVIEWER and g.org_id:
            point_q = Q(registration_point_id=g.org_id) & submitted
            q |= point_q & scope_q("seller_region_id", g.region) if g.region else point_q
    buyer_orgs = p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN)
    if buyer_orgs:
        buyer = ContractParty.objects.filter(role=PartyRole.BUYER, organization_id__in=sorted(buyer_orgs))
        q |= Q(pk__in=buyer.values("contract_id")) & submitted
    return qs.filter(q)


def get_visible(user, pk: int) -> TechContract:
    contract = visible_contracts(user).filter(pk=pk).first()
    if contract is None:
        raise NotFound(_("No such contract, or you may not see it."))
    return contract


# --- registration points ---------------------------------------------------------------------------------------


def point_profile(point: Organization) -> PointProfile:
    """The registration settings of a point, created on first use with code = region code + two-digit serial."""
    profile = PointProfile.objects.filter(point=point).first()
    if profile:
        return profile
    for _attempt in range(5):
        taken = PointProfile.objects.filter(code__startswith=point.region_id).count()
        try:
            with transaction.atomic():
                return PointProfile.objects.create(point=point, code=f"{point.region_id}{taken + 1:02d}")
        except IntegrityError:
            profile = PointProfile.objects.filter(point=point).first()
            if profile:
                return profile
    raise Conflict(_("Could not allocate a code for the registration point; try again."))


def add_days(start: datetime.date, days: int, working: bool) -> datetime.date:
    """``start`` plus ``days`` calendar days, or plus ``days`` working days (Monday to Friday; public holidays
    are not modelled)."""
    if not working:
        return start + datetime.timedelta(days=days)
    current, left = start, days
    while left > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def days_between(start: datetime.date, end: datetime.date, working: bool) -> int:
    if not working:
        return (end - start).days
    count, current = 0, start
    while current < end:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            count += 1
    return count


def decision_limit(point: Organization) -> tuple[int, bool]:
    """The time limit of a point: its profile's override, else ``CONTRACTS_DECISION_DAYS`` (30 days)."""
    profile = point_profile(point)
    days = profile.decision_days if profile.decision_days is not None else conf.decision_days()
    working = profile.working_days if profile.working_days is not None else conf.decision_working_days()
    return days, working


@dataclass
class Processing:
    """Processing time against the decision time limit (30 days after acceptance unless the point sets less)."""

    accepted_on: datetime.date
    due_on: datetime.date
    limit_days: int
    working_days: bool
    elapsed: int
    decided: bool
    overdue: bool


def processing(contract: TechContract, today: datetime.date | None = None) -> Processing | None:
    if contract.accepted_at is None or contract.registration_point is None:
        return None
    days, working = decision_limit(contract.registration_point)
    accepted = timezone.localdate(contract.accepted_at)
    until = timezone.localdate(contract.decided_at) if contract.decided_at else (today or _today())
    due = contract.due_on or add_days(accepted, days, working)
    return Processing(
        accepted_on=accepted,
        due_on=due,
        limit_days=days,
        working_days=working,
        elapsed=days_between(accepted, until, working),
        decided=contract.decided_at is not None,
        overdue=until > due,
    )


def next_registration_number(point: Organization, year: int) -> str:
    """Issue the next registration number of ``point`` in ``year``. Call inside the certifying transaction.

    Format: ``{year:04d}{point code}{seq:06d}`` — the four-digit year of registration, the point's code (its
    ``PointProfile.code``: by default its six-digit region code plus a two-digit serial) and a six-digit sequence
    starting at 000001 each year, e.g. ``2026 53010201 000042`` → ``202653010201000042``.

    Gapless and unique: the counter row of (point, year) is locked with ``SELECT … FOR UPDATE`` until the
    certifying transaction ends, so concurrent certifications at one point queue up, and a rolled-back
    certification rolls its number back with it. On SQLite the write transaction itself serializes writers.
    """
    code = point_profile(point).code
    RegistrationCounter.objects.bulk_create(
        [RegistrationCounter(point=point, year=year, last=0)], ignore_conflicts=True
    )
    counter = RegistrationCounter.objects.select_for_update().get(point=point, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year:04d}{code}{counter.last:06d}"


# --- filing --------------------------------------------------------------------------------------------------


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
        org = _organization(data["organization"], f"{field}.organization")
        party.organization = org
        if org is not None:
            # Defaults from the organization's record; explicit values below take precedence.
            party.name = org.name
            party.credit_code = org.credit_code or ""
            party.region_id = None if org.country_id and org.country_id != "CN" else org.region_id
            party.country_id = org.country_id
            party.party_type = ORG_KIND_TO_PARTY_TYPE.get(org.kind, PartyType.ENTERPRISE)
    if "name" in data:
        party.name = _text(data["name"], f"{field}.name")
    if "credit_code" in data:
        party.credit_code = creditcode.normalize(_text(data["credit_code"], f"{field}.credit_code", 40))
    if "region" in data:
        party.region_id = _text(data["region"], f"{field}.region", 6) or None
    if "country" in data:
        party.country_id = _text(data["country"], f"{field}.country", 2).upper() or None
    if "party_type" in data:
        party.party_type = _text(data["party_type"], f"{field}.party_type", 16)
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


def _apply(contract: TechContract, data: dict) -> dict:
    """Set the contract's own fields from ``data`` (field-level checks); return the party and payment data."""
    if not isinstance(data, dict):
        raise DomainError(_("Expected a JSON object."), field=None)
    unknown = set(data) - set(INPUT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    for key in CONTRACT_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "name":
            contract.name = _text(value, key, 200)
        elif key == "technical_summary":
            contract.technical_summary = _text(value, key, 20000)
        elif key == "licence_scope":
            value = _text(value, key, 12)
            if value and value not in LicenceScope.values:
                raise DomainError(_("Unknown licence scope: %s") % value, field=key)
            contract.licence_scope = value
        elif key == "written_form":
            if not isinstance(value, bool):
                raise DomainError(_("Expected true or false."), field=key)
            contract.written_form = value
        elif key in ("signed_on", "term_start", "term_end"):
            setattr(contract, key, _date(value, key))
        elif key == "contract_amount":
            contract.contract_amount = None if value in (None, "") else money(value, key)
        elif key == "category":
            contract.category = _lookup(ContractCategory, value, key)
        elif key == "subcategory":
            contract.subcategory = _lookup(ContractSubcategory, value, key)
        elif key == "ip_type":
            contract.ip_type = _lookup(IPType, value, key)
        elif key == "tech_field":
            contract.tech_field = _lookup(TechField, value, key)
        elif key == "objective":
            contract.objective = _lookup(SocioEconomicObjective, value, key)
        elif key == "achievement_id":
            contract.achievement_id = _achievement(value, key)
        elif key == "registration_point":
            point = _organization(value, key)
            if point is not None and point.kind != OrgKind.REGISTRATION_POINT:
                raise DomainError(_("%s is not a technology contract registration point.") % point, field=key)
            contract.registration_point = point
    if contract.subcategory and contract.category and contract.subcategory.category_id != contract.category_id:
        raise DomainError(_("The subcategory does not belong to the category."), field="subcategory")
    if contract.subcategory and not contract.category:
        contract.category = contract.subcategory.category
    if "amount_lines" in data:
        contract.declared_lines = _declared_lines(data["amount_lines"])
    payments = None
    if "payments" in data:
        payments = []
        if not isinstance(data["payments"] or [], list):
            raise DomainError(_("The payment schedule must be a list."), field="payments")
        for i, line in enumerate(data["payments"] or []):
            if not isinstance(line, dict):
                raise DomainError(_("Each payment line is an object with due date and amount."), field=f"payments.{i}")
            extra = set(line) - {"due_on", "amount", "note"}
            if extra:
                raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(extra)), field=f"payments.{i}")
            payments.append(
                PaymentLine(
                    due_on=_date(line.get("due_on"), f"payments.{i}.due_on"),
                    amount=money(line.get("amount"), f"payments.{i}.amount"),
                    note=_text(line.get("note"), f"payments.{i}.note", 200),
                )
            )
    return {"payments": payments}


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


def _event(contract, kind, actor, *, effective_on=None, count=0, amount=ZERO, tech=ZERO, note="", data=None):
    now = _now()
    event = ContractEvent.objects.create(
        contract=contract,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=now,
        effective_on=effective_on or timezone.localdate(now),
        count_delta=count,
        contract_amount_delta=amount,
        tech_amount_delta=tech,
        note=note,
        data=data or {},
    )
    ledger.add(event, contract)
    return event


def file_contract(actor, data: dict) -> TechContract:
    """Save a new contract as a draft for the seller — 卖方在线填报.

    ``data["seller"]["organization"]`` names the seller organization; the actor must be one of its members or
    administrators. Drafts may be incomplete; every value given is checked, and ``submit`` checks completeness.

    Stable entry point (trading pre-fills a filing with it after a deal). Keys: the contract fields of
    ``CONTRACT_FIELDS``, ``seller`` / ``buyer`` (``PARTY_FIELDS``, plus ``"foreign": true`` for a foreign party),
    ``payments`` and, optionally, ``amount_lines`` — the seller's declared non-technical parts.
    """
    p = permissions.principal(actor)
    if not p.authenticated:
        raise Forbidden(_("Sign in to file a technology contract."))
    if not isinstance(data, dict):
        raise DomainError(_("Expected a JSON object."))
    seller_data = data.get("seller") or {}
    if not isinstance(seller_data, dict):
        raise DomainError(_("Name the seller organization."), field="seller.organization")
    seller_org = _organization(seller_data.get("organization"), "seller.organization")
    if seller_org is None:
        raise DomainError(_("Name the seller organization."), field="seller.organization")
    if seller_org.pk not in p.org_ids(Role.ORG_MEMBER, Role.ORG_ADMIN):
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
        _event(contract, EventKind.FILED, actor)
    return contract


def update_draft(actor, contract: TechContract, data: dict) -> TechContract:
    """Change a draft. The seller organization itself cannot change (file a new contract instead)."""
    if not is_seller_side(actor, contract):
        raise Forbidden(_("Only members of the seller organization may change this contract."))
    if contract.status != Status.DRAFT:
        raise Conflict(_("Only drafts can be changed; register an amendment instead."), field="status")
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
    if contract.signed_on > _today():
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


def submit(actor, contract: TechContract) -> TechContract:
    """Submit a complete draft to its registration point — 申请认定登记; submission is acceptance (受理) and starts
    the decision time limit. One contract is registered once: a duplicate of a pending or registered contract of
    the same seller is rejected."""
    if not is_seller_side(actor, contract):
        raise Forbidden(_("Only members of the seller organization may submit this contract."))
    if contract.status != Status.DRAFT:
        raise Conflict(_("Only drafts can be submitted."), field="status")
    check_complete(contract)
    buyer = contract.buyer
    duplicate = (
        TechContract.objects.filter(
            seller_org_id=contract.seller_org_id,
            name=contract.name,
            signed_on=contract.signed_on,
            contract_amount=contract.contract_amount,
            status__in=[Status.SUBMITTED, Status.CERTIFIED],
            parties__role=PartyRole.BUYER,
            parties__name=buyer.name,
        )
        .exclude(pk=contract.pk)
        .exists()
    )
    if duplicate:
        raise Conflict(_("This contract has already been submitted for registration."), field="name")
    days, working = decision_limit(contract.registration_point)
    with audit.tracking(actor, contract, "contracts.submit"):
        contract.status = Status.SUBMITTED
        contract.accepted_at = _now()
        contract.due_on = add_days(timezone.localdate(contract.accepted_at), days, working)
        _event(contract, EventKind.SUBMITTED, actor, data={"due_on": contract.due_on.isoformat()})
    return contract


# --- certification -------------------------------------------------------------------------------------------


@dataclass
class Split:
    """A validated amount split: the non-technical lines and the technology transaction amount (the rest)."""

    lines: list[AmountLine]
    tech_amount: Decimal
    non_tech_amount: Decimal


def split_amount(contract_amount: Decimal, lines: list[dict]) -> Split:
    """技术交易额 = contract amount − the non-technical lines (equipment, instruments, parts, materials, other).

    Each line is ``{"kind", "amount", "description"}`` with a non-negative amount; all lines together may not
    exceed the contract amount. Given only non-technical lines, whatever they leave is the technology transaction
    amount; when technology lines state an amount too, all lines must add up to the contract amount exactly. The
    stored lines always add up to the contract amount.
    """
    non_tech: list[AmountLine] = []
    tech_notes: list[str] = []
    total = ZERO
    tech_stated = False
    if not isinstance(lines, list | tuple):
        raise DomainError(_("The amount lines must be a list."), field="amount_lines")
    for i, line in enumerate(lines or []):
        if not isinstance(line, dict):
            raise DomainError(_("Each amount line is an object with kind and amount."), field=f"amount_lines.{i}")
        kind = line.get("kind")
        if kind not in AmountKind.values:
            raise DomainError(_("Unknown amount kind: %s") % kind, field=f"amount_lines.{i}.kind")
        amount = money(line.get("amount"), f"amount_lines.{i}.amount")
        total += amount
        description = _text(line.get("description"), f"amount_lines.{i}.description", 200)
        if kind == AmountKind.TECHNOLOGY:
            tech_stated = tech_stated or amount > 0
            if description:
                tech_notes.append(description)
        elif amount > 0:
            non_tech.append(AmountLine(kind=kind, amount=amount, description=description))
    if total > contract_amount:
        raise DomainError(
            _("The amount lines (%(total)s) exceed the contract amount (%(amount)s).")
            % {"total": total, "amount": contract_amount},
            field="amount_lines",
        )
    if tech_stated and total != contract_amount:
        raise DomainError(
            _("The amount lines (%(total)s) do not add up to the contract amount (%(amount)s).")
            % {"total": total, "amount": contract_amount},
            field="amount_lines",
        )
    non_tech_amount = sum((line.amount for line in non_tech), ZERO)
    tech_amount = contract_amount - non_tech_amount
    tech_line = AmountLine(kind=AmountKind.TECHNOLOGY, amount=tech_amount, description="; ".join(tech_notes)[:200])
    return Split(lines=[tech_line, *non_tech], tech_amount=tech_amount, non_tech_amount=non_tech_amount)


def needs_expert_review(contract: TechContract, category: ContractCategory | None = None) -> bool:
    """Large development/transfer contracts (above ``CONTRACTS_LARGE_AMOUNT``, ¥10 m) need an expert re-review
    before certification (Tianjin practice, *check*; the categories are flagged in the category table)."""
    category = category or contract.category
    return bool(category and category.large_review and (contract.contract_amount or ZERO) > conf.large_amount())


def _expert_approved(contract: TechContract) -> bool:
    last = contract.expert_reviews.order_by("-created_at", "-id").first()
    return bool(last and last.approved)


def record_expert_review(actor, contract: TechContract, experts: str, approved: bool, opinion: str = ""):
    """Record the expert re-review of a submitted contract — 专家复核. Recorded by a reviewer of the point (or a
    user with the expert role assigned to the point)."""
    p = permissions.principal(actor)
    point = contract.registration_point
    expert = point is not None and any(g.role == Role.EXPERT and g.org_id == point.pk for g in p.grants)
    if not (expert or may_decide(actor, contract)):
        raise Forbidden(_("Only the registration point's reviewers or experts may record an expert re-review."))
    if contract.status != Status.SUBMITTED:
        raise Conflict(_("Only a submitted contract can be re-reviewed."), field="status")
    experts = (experts or "").strip()
    if not experts:
        raise DomainError(_("Name the experts."), field="experts")
    with transaction.atomic():
        review = ExpertReview.objects.create(
            contract=contract, experts=experts[:200], approved=bool(approved), opinion=opinion or "", recorded_by=actor
        )
        audit.created(actor, review, "contracts.expert_review")
        _event(contract, EventKind.EXPERT_REVIEW, actor, note=opinion or "", data={"approved": bool(approved)})
    return review


def _locked(contract: TechContract) -> TechContract:
    """Re-read the contract under a row lock, so two decisions on one contract cannot both pass."""
    fresh = TechContract.objects.select_for_update().get(pk=contract.pk)
    for field in ("status", "contract_amount", "tech_amount", "non_tech_amount", "registration_number"):
        setattr(contract, field, getattr(fresh, field))
    return contract


def certify(
    reviewer,
    contract: TechContract,
    category,
    subcategory,
    amount_lines: list[dict],
    licence_scope: str | None = None,
) -> TechContract:
    """Certify and register a submitted contract — 认定登记.

    The reviewer fixes the category and subcategory (they may differ from the seller's claim) and the amount
    split; the contract gets the next registration number of its point and year. Oral contracts are never
    certified, and large development/transfer contracts need an approving expert re-review first.
    """
    _require_reviewer(reviewer, contract)
    category = _lookup(ContractCategory, category, "category")
    subcategory = _lookup(ContractSubcategory, subcategory, "subcategory")
    if category is None:
        raise DomainError(_("Choose the contract category."), field="category")
    if subcategory is None:
        raise DomainError(_("Choose the contract subcategory."), field="subcategory")
    if subcategory.category_id != category.pk:
        raise DomainError(_("The subcategory does not belong to the category."), field="subcategory")
    scope = contract.licence_scope if licence_scope is None else (licence_scope or "")
    if category.code != "licence":
        scope = ""
    elif scope not in LicenceScope.values:
        raise DomainError(_("A licence contract needs its licence scope."), field="licence_scope")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted contract can be certified."), field="status")
        if not contract.written_form:
            raise DomainError(
                _("An oral contract cannot be registered; refuse it with the reason 'oral form'."),
                code="oral_contract",
                field="written_form",
            )
        split = split_amount(contract.contract_amount, amount_lines)
        if needs_expert_review(contract, category) and not _expert_approved(contract):
            raise Conflict(
                _("This large contract needs an approving expert re-review before certification."),
                code="expert_review_required",
            )
        now = _now()
        today = timezone.localdate(now)
        with audit.tracking(reviewer, contract, "contracts.certify"):
            contract.registration_number = next_registration_number(contract.registration_point, today.year)
            contract.category = category
            contract.subcategory = subcategory
            contract.licence_scope = scope
            contract.status = Status.CERTIFIED
            contract.decided_at = now
            contract.registered_on = today
            contract.reviewer = reviewer
            contract.tech_amount = split.tech_amount
            contract.non_tech_amount = split.non_tech_amount
            contract.amount_lines.all().delete()
            for line in split.lines:
                line.contract = contract
            AmountLine.objects.bulk_create(split.lines)
        _event(
            contract,
            EventKind.CERTIFIED,
            reviewer,
            effective_on=today,
            count=1,
            amount=contract.contract_amount,
            tech=split.tech_amount,
            data={
                "registration_number": contract.registration_number,
                "lines": [{"kind": line.kind, "amount": str(line.amount)} for line in split.lines],
            },
        )
    return contract


def refuse(reviewer, contract: TechContract, reasons: list, note: str = "") -> TechContract:
    """Do not register a submitted contract — 未予登记 — recording the reasons from the rules (at least one)."""
    _require_reviewer(reviewer, contract)
    codes = [r.pk if isinstance(r, RefusalReason) else r for r in (reasons or [])]
    if not codes:
        raise DomainError(_("Give at least one reason."), field="reasons")
    found = {r.pk: r for r in RefusalReason.objects.filter(pk__in=codes, active=True)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(_("Unknown refusal reason: %s") % ", ".join(map(str, unknown)), field="reasons")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted contract can be refused."), field="status")
        now = _now()
        with audit.tracking(reviewer, contract, "contracts.refuse", reason=", ".join(codes)):
            contract.status = Status.REFUSED
            contract.decided_at = now
            contract.reviewer = reviewer
            contract.refusal_note = (note or "").strip()
            contract.refusal_reasons.set(found.values())
        _event(contract, EventKind.REFUSED, reviewer, note=contract.refusal_note, data={"reasons": sorted(found)})
    return contract


# --- after registration --------------------------------------------------------------------------------------


def amend(
    reviewer,
    contract: TechContract,
    *,
    note: str,
    contract_amount=None,
    amount_lines: list[dict] | None = None,
    term_end=None,
) -> ContractEvent:
    """Register an amendment of a certified contract — 变更登记. The change is an event with the differences it
    makes to the statistics (effective on the day it is registered); nothing is overwritten without a trace.

    A new contract amount without new lines keeps the non-technical lines and recomputes the technology part.
    """
    _require_reviewer(reviewer, contract)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what the amendment is."), field="note")
    new_term_end = _date(term_end, "term_end")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.CERTIFIED:
            raise Conflict(_("Only a registered contract can be amended."), field="status")
        old_amount, old_tech = contract.contract_amount, contract.tech_amount
        new_amount = old_amount if contract_amount in (None, "") else money(contract_amount, "contract_amount")
        if new_amount <= 0:
            raise DomainError(_("The contract amount must be positive."), field="contract_amount")
        if amount_lines is None:
            amount_lines = [
                {"kind": line.kind, "amount": line.amount, "description": line.description}
                for line in contract.amount_lines.exclude(kind=AmountKind.TECHNOLOGY)
            ]
        split = split_amount(new_amount, amount_lines)
        if new_term_end and new_term_end < contract.term_start:
            raise DomainError(_("The term cannot end before it starts."), field="term_end")
        before = {"contract_amount": str(old_amount), "tech_amount": str(old_tech), "term_end": str(contract.term_end)}
        with audit.tracking(reviewer, contract, "contracts.amend", reason=note):
            contract.contract_amount = new_amount
            contract.tech_amount = split.tech_amount
            contract.non_tech_amount = split.non_tech_amount
            if new_term_end:
                contract.term_end = new_term_end
            contract.amount_lines.all().delete()
            for line in split.lines:
                line.contract = contract
            AmountLine.objects.bulk_create(split.lines)
        after = {
            "contract_amount": str(new_amount),
            "tech_amount": str(split.tech_amount),
            "term_end": str(contract.term_end),
        }
        return _event(
            contract,
            EventKind.AMENDED,
            reviewer,
            amount=new_amount - old_amount,
            tech=split.tech_amount - old_tech,
            note=note,
            data={"before": before, "after": after},
        )


def cancel(reviewer, contract: TechContract, reason: str) -> ContractEvent:
    """Register the cancellation of a certified contract — 注销登记. The registration number stays with it (it is
    never reused); from the day of cancellation the statistics no longer count the contract."""
    _require_reviewer(reviewer, contract)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the cancellation."), field="reason")
    with transaction.atomic():
        _locked(contract)
        if contract.status != Status.CERTIFIED:
            raise Conflict(_("Only a registered contract can be cancelled."), field="status")
        with audit.tracking(reviewer, contract, "contracts.cancel", reason=reason):
            contract.status = Status.CANCELLED
        return _event(
            contract,
            EventKind.CANCELLED,
            reviewer,
            count=-1,
            amount=-contract.contract_amount,
            tech=-contract.tech_amount,
            note=reason,
        )


@dataclass
class Totals:
    count: int
    contract_amount: Decimal
    tech_amount: Decimal


def ledger_totals(events=None, start: datetime.date | None = None, end: datetime.date | None = None) -> Totals:
    """What the statistics count for events effective in [start, end]: contracts, contract amount, technology
    transaction amount, with amendments and cancellations applied when they were registered."""
    qs = ContractEvent.objects.all() if events is None else events
    if start:
        qs = qs.filter(effective_on__gte=start)
    if end:
        qs = qs.filter(effective_on__lte=end)
    agg = qs.aggregate(n=Sum("count_delta"), a=Sum("contract_amount_delta"), t=Sum("tech_amount_delta"))
    return Totals(count=agg["n"] or 0, contract_amount=agg["a"] or ZERO, tech_amount=agg["t"] or ZERO)


def counted_contracts():
    """Contracts the statistics count today: registered and not cancelled, with their amended amounts."""
    return TechContract.objects.filter(status=Status.CERTIFIED)
