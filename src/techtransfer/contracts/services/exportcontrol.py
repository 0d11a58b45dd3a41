"""Export control of technology — 技术出口管制: the catalogue, the screening of every contract and trade with a
foreign counterparty, and what a confirmed screening does.

Sources: 《中华人民共和国技术进出口管理条例》 (2001, rev. 2020) arts. 30–44 — technology whose export is prohibited is
not exported (art. 32); restricted technology is exported only under a licence (技术出口许可证, arts. 33–38); free
technology is exported under contract registration with the commerce department (技术出口合同登记, arts. 39–41);
《中华人民共和国出口管制法》 (2020) for dual-use items; the catalogue 《中国禁止出口限制出口技术目录》 (商务部 科技部,
current revision published 2023-12-21), kept as editable data (``ExportControlEdition``/``ExportControlItem``).

The rules encoded here:

- **who is screened**: a technology contract whose buyer is a foreign party (``ContractParty.foreign``: a country
  other than CN), at submission; a buyer registration on a listing or auction and a deal whose buyer organization
  is foreign (``trading`` calls ``screen_trade``). Domestic contracts and trades are not screened, and neither are
  technology imports (a foreign seller): the import catalogue is a different one.
- **the automatic first pass** (``propose``): the subject's text (title, abstract, English versions, keywords,
  technical summary) is matched against the active items of active editions: an item matches when one of its
  keywords or its name occurs in the text, or one of its IPC prefixes starts one of the subject's IPC codes; the
  platform field codes an item lists are recorded as supporting evidence only (a field alone is not a match).
  Proposed outcome: ``prohibited`` if a prohibited item matched, else ``restricted`` if a restricted one did, else
  ``free``; the matched items and why are kept.
- **confirmation** (``confirm``): a reviewer of the registration point (within its jurisdiction) or a region
  administrator in scope confirms, and may change the outcome and the items with a reason. Only a confirmed
  screening counts. Every screening decision is audited; the reviewers are told when one awaits them, the parties
  when it is decided.
- **effects**: prohibited → a submitted contract is refused (不予登记, ground ``export_prohibited``) naming the item,
  and trading with a foreign counterparty is refused naming the item; restricted → certification needs the export
  licence number first (``record_licence``); free → the registration records the technology-export contract
  registration with the commerce department as a condition (``TechContract.conditions``).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from techtransfer.accounts.models import Role, RoleAssignment
from techtransfer.audit import services as audit
from techtransfer.catalog.models import Achievement
from techtransfer.contracts.models import (
    ControlStatus,
    EventKind,
    ExportControlEdition,
    ExportControlItem,
    PartyRole,
    RefusalReason,
    Screening,
    ScreeningOutcome,
    ScreeningStatus,
    ScreeningSubject,
    Status,
    TechContract,
)
from techtransfer.contracts.permissions import (
    may_confirm_screening,
    may_record_export_licence,
    may_see_screening,
    visible_screenings,
)
from techtransfer.contracts.services import clock
from techtransfer.contracts.services.events import record_event
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.core.fields import FieldError, check_text
from techtransfer.notifications.services import notify
from techtransfer.regions.services import is_within

FORMAT = "techtransfer.exportcontrol/1"
REFUSAL_CODE = "export_prohibited"
FREE_CONDITION = (
    "技术出口合同登记：属自由出口技术，应向商务主管部门办理技术出口合同登记（《技术进出口管理条例》第39–41条）。"
    " Free technology export: register the technology-export contract with the commerce department."
)
LICENCE_RE = re.compile(r"^[0-9A-Za-z\-_/()（）\u4e00-\u9fff]{4,64}$")


# --- the catalogue: loading from a file ---


class CatalogueFileError(DomainError):
    """A catalogue file that cannot be loaded; ``problems`` lists every problem found (nothing is loaded)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:20]), code="bad_catalogue_file", field="file")


_ITEM_TEXT = {
    "number": 16,
    "field": 200,
    "field_en": 200,
    "name": 200,
    "name_en": 200,
    "control_points": 20000,
    "note": 5000,
}
_EDITION_TEXT = {"name": 200, "name_en": 200, "notice": 200, "source_url": 500, "note": 5000}


def _text(value, where: str, max_length: int, problems: list[str], required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(_("%s: text expected") % where)
        return ""
    value = value.strip()
    try:
        check_text(value)
    except FieldError as exc:
        problems.append(f"{where}: {exc}")
    if required and not value:
        problems.append(_("%s: required") % where)
    if len(value) > max_length:
        problems.append(_("%(w)s: at most %(n)d characters") % {"w": where, "n": max_length})
    return value


def _words(value, where: str, problems: list[str]) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(_("%s: a list of non-empty words expected") % where)
        return []
    return [v.strip()[:100] for v in value]


def _date(value, where: str, problems: list[str]):
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        problems.append(_("%s: a date YYYY-MM-DD expected") % where)
        return None


def parse_catalogue(raw: bytes | str) -> tuple[dict, list[dict]]:
    """Read and check a catalogue file (format ``techtransfer.exportcontrol/1``, JSON): the edition and its items.
    Raises ``CatalogueFileError`` listing every problem; returns clean values otherwise."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogueFileError([_("not a JSON file: %s") % exc]) from None
    if not isinstance(doc, dict):
        raise CatalogueFileError([_("the file must hold an object with 'edition' and 'items'")])
    problems: list[str] = []
    if doc.get("format") != FORMAT:
        problems.append(_("format: %(f)s expected, got %(g)r") % {"f": FORMAT, "g": doc.get("format")})
    ed = doc.get("edition")
    if not isinstance(ed, dict):
        raise CatalogueFileError([*problems, _("edition: an object expected")])
    edition = {
        k: _text(ed.get(k), f"edition.{k}", n, problems, required=k in ("name", "notice"))
        for k, n in _EDITION_TEXT.items()
    }
    edition["issued_on"] = _date(ed.get("issued_on"), "edition.issued_on", problems)
    edition["effective_on"] = _date(ed.get("effective_on"), "edition.effective_on", problems)
    raw_items = doc.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise CatalogueFileError([*problems, _("items: a non-empty list expected")])
    items: list[dict] = []
    numbers: set[str] = set()
    for n, it in enumerate(raw_items, 1):
        where = f"items[{n}]"
        if not isinstance(it, dict):
            problems.append(_("%s: an object expected") % where)
            continue
        item = {
            k: _text(it.get(k), f"{where}.{k}", m, problems, required=k in ("number", "name"))
            for k, m in _ITEM_TEXT.items()
        }
        status = it.get("status")
        if status not in ControlStatus.values:
            problems.append(
                _("%(w)s.status: one of %(v)s expected") % {"w": where, "v": ", ".join(ControlStatus.values)}
            )
        item["status"] = status
        item["keywords"] = _words(it.get("keywords"), f"{where}.keywords", problems)
        item["ipc_prefixes"] = _words(it.get("ipc_prefixes"), f"{where}.ipc_prefixes", problems)
        item["tech_fields"] = _words(it.get("tech_fields"), f"{where}.tech_fields", problems)
        item["active"] = bool(it.get("active", True))
        if item["number"] in numbers:
            problems.append(_("%(w)s.number: %(n)s appears twice") % {"w": where, "n": item["number"]})
        numbers.add(item["number"])
        items.append(item)
    if problems:
        raise CatalogueFileError(problems)
    return edition, items


# The shipped sample of the catalogue (6 items; the file names its source and which items are verified).
SAMPLE_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "exportcontrol-2023-sample.json"


def load_catalogue(actor, raw: bytes | str, *, notice: str | None = None, deactivate_others: bool = False):
    """Load an edition from a file: create it, or replace the items of the edition with the same notice (items
    missing from the file are deactivated, not deleted: confirmed screenings keep naming them). ``notice``
    overrides the file's. All or nothing. Returns ``(edition, created, updated, deactivated)``."""
    edition_data, items = parse_catalogue(raw)
    if notice:
        edition_data["notice"] = notice.strip()[:200]
    with transaction.atomic():
        edition = ExportControlEdition.objects.filter(notice=edition_data["notice"]).first()
        if edition is None:
            edition = ExportControlEdition.objects.create(**edition_data)
            audit.created(actor, edition, "contracts.exportcontrol.load")
        else:
            with audit.tracking(actor, edition, "contracts.exportcontrol.reload"):
                for key, value in edition_data.items():
                    setattr(edition, key, value)
                edition.active = True
        created = updated = 0
        for item in items:
            _obj, was_created = ExportControlItem.objects.update_or_create(
                edition=edition, number=item["number"], defaults=item
            )
            created += was_created
            updated += not was_created
        gone = edition.items.exclude(number__in=[i["number"] for i in items]).filter(active=True)
        deactivated = gone.update(active=False)
        if deactivate_others:
            for other in ExportControlEdition.objects.filter(active=True).exclude(pk=edition.pk):
                with audit.tracking(actor, other, "contracts.exportcontrol.deactivate"):
                    other.active = False
    return edition, created, updated, deactivated


def active_items():
    return ExportControlItem.objects.filter(active=True, edition__active=True).select_related("edition")


# --- the automatic first pass ---


@dataclass
class Subject:
    """What is screened: the texts of the technology, its IPC codes and platform field codes."""

    texts: dict[str, str] = field(default_factory=dict)
    ipc_codes: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


@dataclass
class Match:
    item: ExportControlItem
    why: list[str]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").casefold())


def _ipc(code: str) -> str:
    return re.sub(r"\s+", "", code or "").upper()


def achievement_subject(achievement: Achievement | None, subject: Subject | None = None) -> Subject:
    subject = subject or Subject()
    if achievement is None:
        return subject
    a = achievement
    subject.texts.update(
        {
            "title": a.title,
            "abstract": a.abstract,
            "title_en": a.title_en,
            "abstract_en": a.abstract_en,
            "keywords": " ".join(a.keywords or ()),
        }
    )
    subject.ipc_codes += list(a.ipc_codes or ())
    if a.tech_field_id:
        subject.fields.append(a.tech_field_id)
    return subject


def contract_subject(contract: TechContract) -> Subject:
    subject = Subject(texts={"name": contract.name, "technical_summary": contract.technical_summary})
    if contract.tech_field_id:
        subject.fields.append(contract.tech_field_id)
        subject.texts["field"] = str(contract.tech_field)
    if contract.achievement_id:
        achievement_subject(Achievement.objects.filter(pk=contract.achievement_id).first(), subject)
    return subject


def match(subject: Subject, items=None) -> list[Match]:
    """The catalogue items the subject matches, with why (keyword or name found in which text, IPC prefix;
    the platform field recorded as supporting evidence)."""
    texts = {k: _norm(v) for k, v in subject.texts.items() if v}
    codes = [_ipc(c) for c in subject.ipc_codes if c]
    found: list[Match] = []
    for item in active_items() if items is None else items:
        why: list[str] = []
        for word in [item.name, *(item.keywords or ())]:
            w = _norm(word)
            if len(w) < 2:
                continue
            where = [k for k, t in texts.items() if w in t]
            if where:
                why.append(_("keyword “%(w)s” in %(where)s") % {"w": word, "where": ", ".join(where)})
        for prefix in item.ipc_prefixes or ():
            hit = [c for c in codes if c.startswith(_ipc(prefix))]
            if hit:
                why.append(_("IPC %(p)s: %(c)s") % {"p": prefix, "c": ", ".join(hit)})
        if why:
            if set(item.tech_fields or ()) & set(subject.fields):
                why.append(_("technical field %s") % ", ".join(sorted(set(item.tech_fields) & set(subject.fields))))
            found.append(Match(item, why))
    return found


def outcome_of(items) -> str:
    statuses = {i.status for i in items}
    if ControlStatus.PROHIBITED in statuses:
        return ScreeningOutcome.PROHIBITED
    if ControlStatus.RESTRICTED in statuses:
        return ScreeningOutcome.RESTRICTED
    return ScreeningOutcome.FREE


def propose(subject: Subject) -> tuple[str, list[Match]]:
    matches = match(subject)
    return outcome_of([m.item for m in matches]), matches


# --- screening records ---


def foreign_buyer(contract: TechContract):
    """The contract's foreign buyer party (technology export), or None."""
    buyer = contract.parties.filter(role=PartyRole.BUYER).select_related("country").first()
    return buyer if buyer is not None and buyer.foreign else None


def _screen(
    actor,
    *,
    kind: str,
    subject_id: int,
    label: str,
    subject: Subject,
    achievement_id,
    counterparty: str,
    country_id: str,
    counterparty_org_id,
    org_id: int,
    region_id: str,
    point_id=None,
) -> Screening:
    """Create the screening of a subject, or refresh the proposal of one not yet confirmed (a confirmed screening
    stays as decided)."""
    outcome, matches = propose(subject)
    existing = Screening.objects.select_for_update().filter(subject_kind=kind, subject_id=subject_id).first()
    if existing is not None and existing.confirmed:
        return existing
    values = {
        "subject_label": label[:300],
        "achievement_id": achievement_id,
        "counterparty": counterparty[:200],
        "counterparty_country_id": country_id,
        "counterparty_org_id": counterparty_org_id,
        "org_id": org_id,
        "region_id": region_id,
        "point_id": point_id,
        "proposed_outcome": outcome,
        "matches": [
            {"item": m.item.pk, "number": m.item.number, "name": m.item.name, "status": m.item.status, "why": m.why}
            for m in matches
        ],
    }
    if existing is None:
        screening = Screening.objects.create(subject_kind=kind, subject_id=subject_id, **values)
        screening.proposed_items.set([m.item for m in matches])
        audit.created(actor, screening, "contracts.screening.propose")
        _notify_reviewers(screening)
        return screening
    with audit.tracking(actor, existing, "contracts.screening.propose"):
        for key, value in values.items():
            setattr(existing, key, value)
    existing.proposed_items.set([m.item for m in matches])
    return existing


def screen_contract(actor, contract: TechContract) -> Screening | None:
    """Screen a contract with a foreign buyer (technology export); None for a domestic contract."""
    buyer = foreign_buyer(contract)
    if buyer is None:
        return None
    with transaction.atomic():
        return _screen(
            actor,
            kind=ScreeningSubject.CONTRACT,
            subject_id=contract.pk,
            label=contract.name or str(contract),
            subject=contract_subject(contract),
            achievement_id=contract.achievement_id,
            counterparty=buyer.name,
            country_id=buyer.country_id,
            counterparty_org_id=buyer.organization_id,
            org_id=contract.seller_org_id,
            region_id=contract.seller_region_id,
            point_id=contract.registration_point_id,
        )


def is_foreign(organization) -> bool:
    return bool(organization is not None and organization.country_id and organization.country_id != "CN")


def screen_trade(actor, kind: str, subject_id: int, achievement: Achievement, seller, region_id: str, buyer):
    """Screen a trade (a buyer registration or a deal) whose buyer organization is foreign; None when domestic.
    Called by the ``trading`` app inside its own transaction."""
    if not is_foreign(buyer):
        return None
    return _screen(
        actor,
        kind=kind,
        subject_id=subject_id,
        label=achievement.title,
        subject=achievement_subject(achievement),
        achievement_id=achievement.pk,
        counterparty=buyer.name,
        country_id=buyer.country_id,
        counterparty_org_id=buyer.pk,
        org_id=seller.pk,
        region_id=region_id,
    )


def prohibited_items_for(achievement_id: int) -> list[ExportControlItem]:
    """The catalogue items of the confirmed prohibited screenings of an achievement (any subject)."""
    found = Screening.objects.filter(
        achievement_id=achievement_id, status=ScreeningStatus.CONFIRMED, outcome=ScreeningOutcome.PROHIBITED
    )
    return list(ExportControlItem.objects.filter(pk__in=found.values("items")).distinct())


def trade_allowed(achievement_id: int, buyer) -> bool:
    """Whether ``buyer`` may acquire the achievement (no confirmed prohibited screening when it is foreign): the
    closing of a lot passes over buyers for whom it is not, instead of failing at every run of the clock."""
    return not is_foreign(buyer) or not prohibited_items_for(achievement_id)


def require_trade_allowed(achievement_id: int, buyer) -> None:
    """Refuse a trading action with a foreign buyer on an achievement whose export a confirmed screening found
    prohibited, naming the catalogue item(s)."""
    if not is_foreign(buyer):
        return
    items = prohibited_items_for(achievement_id)
    if items:
        raise DomainError(
            _(
                "Export prohibited: this technology is in the catalogue of technologies prohibited from export "
                "(%s); it cannot be traded with a foreign party."
            )
            % "; ".join(i.label for i in items),
            code="export_prohibited",
            field="buyer",
            status=409,
        )


def require_confirmed_trade(kind: str, subject_id: int) -> Screening | None:
    """A foreign buyer's registration is qualified only after its screening is confirmed and not prohibited."""
    screening = Screening.objects.filter(subject_kind=kind, subject_id=subject_id).first()
    if screening is None:
        return None
    if not screening.confirmed:
        raise Conflict(
            _("The export-control screening of this foreign buyer awaits a reviewer's confirmation."),
            code="export_screening_pending",
            field="buyer",
        )
    if screening.outcome == ScreeningOutcome.PROHIBITED:
        raise DomainError(
            _("Export prohibited: %s.") % "; ".join(i.label for i in screening.items.all()),
            code="export_prohibited",
            field="buyer",
            status=409,
        )
    return screening


# --- confirmation ---


def get_visible(user, pk: int) -> Screening:
    screening = visible_screenings(user).filter(pk=pk).first()
    if screening is None or not may_see_screening(user, screening):
        raise NotFound(_("No such screening, or you may not see it."))
    return screening


def awaiting(user):
    """The screenings awaiting the user's confirmation (the reviewers' queue), oldest first."""
    qs = visible_screenings(user).filter(status=ScreeningStatus.PROPOSED).order_by("created_at", "id")
    return [s for s in qs if may_confirm_screening(user, s)]


def _items(values) -> list[ExportControlItem]:
    ids = []
    for v in values or []:
        if isinstance(v, ExportControlItem):
            ids.append(v.pk)
            continue
        try:
            ids.append(int(v))
        except (TypeError, ValueError):
            raise DomainError(_("Unknown catalogue item: %s") % v, field="items") from None
    found = {i.pk: i for i in ExportControlItem.objects.filter(pk__in=ids)}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise DomainError(_("Unknown catalogue item: %s") % ", ".join(unknown), field="items")
    return list(found.values())


def confirm(actor, screening: Screening, outcome: str | None = None, items=None, reason: str = "") -> Screening:
    """The reviewer's confirmation — 审查确认. Without ``outcome``/``items`` the proposal stands; a change of either
    needs a reason. Prohibited needs at least one prohibited item, restricted at least one restricted item, free
    none. A contract found prohibited is refused at once (if still awaiting its decision)."""
    if not may_confirm_screening(actor, screening):
        raise Forbidden(
            _(
                "Only a reviewer of the registration point or a region administrator in scope may "
                "confirm an export-control screening."
            )
        )
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise DomainError(_("The reason is too long (at most 2000 characters)."), field="reason")
    outcome = outcome or screening.proposed_outcome
    if outcome not in ScreeningOutcome.values:
        raise DomainError(_("Unknown outcome: %s") % outcome, field="outcome")
    chosen = list(screening.proposed_items.all()) if items is None else _items(items)
    if outcome == ScreeningOutcome.FREE:
        chosen = [] if items is None else chosen
        if chosen:
            raise DomainError(_("A free technology names no catalogue item."), field="items")
    else:
        wanted = ControlStatus.PROHIBITED if outcome == ScreeningOutcome.PROHIBITED else ControlStatus.RESTRICTED
        if not any(i.status == wanted for i in chosen):
            raise DomainError(_("Name the catalogue item that makes the technology %s.") % outcome, field="items")
    changed = outcome != screening.proposed_outcome or {i.pk for i in chosen} != set(
        screening.proposed_items.values_list("pk", flat=True)
    )
    if changed and not reason:
        raise DomainError(_("Give the reason for changing the proposed outcome or items."), field="reason")
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk)
        if locked.confirmed:
            raise Conflict(_("This screening has already been confirmed."), field="status")
        with audit.tracking(actor, screening, "contracts.screening.confirm", reason=reason or outcome):
            screening.status = ScreeningStatus.CONFIRMED
            screening.outcome = outcome
            screening.reason = reason
            screening.confirmed_by = actor
            screening.confirmed_at = clock.now()
        screening.items.set(chosen)
        audit.record(
            actor,
            "contracts.screening.items",
            screening,
            None,
            {"items": [i.number for i in chosen], "outcome": outcome},
            reason,
        )
        if screening.subject_kind == ScreeningSubject.CONTRACT and outcome == ScreeningOutcome.PROHIBITED:
            _refuse_prohibited(actor, screening, chosen)
        _notify_parties(screening)
    return screening


def _refuse_prohibited(actor, screening: Screening, items: list[ExportControlItem]) -> None:
    """A contract whose technology is prohibited from export is refused (不予登记), naming the catalogue items."""
    contract = TechContract.objects.select_for_update().filter(pk=screening.subject_id).first()
    if contract is None or contract.status not in (Status.SUBMITTED, Status.RETURNED):
        return
    reason = RefusalReason.objects.filter(pk=REFUSAL_CODE).first() or RefusalReason.objects.get(pk="approval_missing")
    named = "; ".join(i.label for i in items)
    note = _("Export-control screening: the technology is prohibited from export — %s.") % named
    with audit.tracking(actor, contract, "contracts.refuse", reason=f"{reason.pk}: {named}"):
        contract.status = Status.REFUSED
        contract.decided_at = clock.now()
        contract.reviewer = actor
        contract.refusal_note = note
    contract.refusal_reasons.set([reason])
    record_event(
        contract,
        EventKind.REFUSED,
        actor,
        note=note,
        data={"reasons": [reason.pk], "screening": screening.pk, "items": [i.number for i in items]},
    )


def record_licence(actor, screening: Screening, number: str) -> Screening:
    """Enter the export licence number (技术出口许可证编号) of a technology confirmed as restricted."""
    if not may_record_export_licence(actor, screening):
        raise Forbidden(_("Only the seller or a reviewer may enter the export licence number."))
    number = (number or "").strip()
    if not LICENCE_RE.match(number):
        raise DomainError(
            _("Enter the export licence number (4–64 letters, digits or hyphens)."), field="licence_number"
        )
    if not (screening.confirmed and screening.outcome == ScreeningOutcome.RESTRICTED):
        raise Conflict(
            _("An export licence is entered only for a technology confirmed as restricted."),
            field="licence_number",
            code="licence_not_needed",
        )
    with audit.tracking(actor, screening, "contracts.screening.licence", reason=number):
        screening.licence_number = number
    return screening


# --- what certification needs ---


def certification_condition(actor, contract: TechContract) -> str:
    """Check a contract's export control before certification and return the condition the registration records
    (empty for a domestic contract). Raises with a clear message while the screening is pending, when it found the
    technology prohibited, or while a restricted technology's licence number is missing."""
    if foreign_buyer(contract) is None:
        return ""
    screening = Screening.objects.filter(subject_kind=ScreeningSubject.CONTRACT, subject_id=contract.pk).first()
    if screening is None:
        screening = screen_contract(actor, contract)
    if not screening.confirmed:
        raise Conflict(
            _("The contract has a foreign buyer: its export-control screening must be confirmed before certification."),
            code="export_screening_pending",
            field="screening",
        )
    items = "; ".join(i.label for i in screening.items.all())
    if screening.outcome == ScreeningOutcome.PROHIBITED:
        raise Conflict(
            _("Export prohibited (%s): the contract cannot be registered; refuse it.") % items,
            code="export_prohibited",
            field="screening",
        )
    if screening.outcome == ScreeningOutcome.RESTRICTED:
        if not screening.licence_number:
            raise Conflict(
                _(
                    "The technology is restricted from export (%s): enter the export licence number "
                    "(技术出口许可证编号) before certification; without a licence the contract is refused with the "
                    "ground 'approval required'."
                )
                % items,
                code="export_licence_required",
                field="licence_number",
            )
        return _("Export licence (技术出口许可证) no. %(n)s for restricted technology: %(i)s.") % {
            "n": screening.licence_number,
            "i": items,
        }
    return FREE_CONDITION


# --- notices ---


def screening_url(screening: Screening) -> str:
    if screening.subject_kind == ScreeningSubject.CONTRACT:
        return reverse("contracts:detail", args=[screening.subject_id]) + "#screening"
    return reverse("contracts:screening", args=[screening.pk])


def _confirmers(screening: Screening) -> list:
    q = Q(role=Role.REGION_ADMIN, region__isnull=False)
    if screening.point_id:
        q |= Q(role=Role.REVIEWER, organization_id=screening.point_id)
    users = []
    for ra in RoleAssignment.objects.filter(q).select_related("user"):
        if ra.role == Role.REGION_ADMIN and not is_within(screening.region_id, ra.region_id):
            continue
        if ra.user.is_active:
            users.append(ra.user)
    return users


def _notify_reviewers(screening: Screening) -> None:
    notify(
        _confirmers(screening),
        _("Export-control screening awaits your confirmation: %s") % screening.subject_label,
        screening_url(screening),
    )


def _notify_parties(screening: Screening) -> None:
    orgs = [screening.org_id, screening.counterparty_org_id]
    members = RoleAssignment.objects.filter(
        organization_id__in=[o for o in orgs if o], role__in=(Role.ORG_ADMIN, Role.ORG_MEMBER)
    ).select_related("user")
    users = [ra.user for ra in members if ra.user.is_active]
    if screening.subject_kind == ScreeningSubject.CONTRACT:
        contract = TechContract.objects.filter(pk=screening.subject_id).select_related("filed_by").first()
        if contract is not None:
            users.insert(0, contract.filed_by)
    notify(
        users,
        _("Export-control screening decided (%(o)s): %(s)s")
        % {"o": screening.get_outcome_display(), "s": screening.subject_label},
        screening_url(screening),
    )
