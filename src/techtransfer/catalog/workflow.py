"""The review workflow of achievements and demands — one function per transition.

    draft → submitted → org_reviewed → published → in_negotiation → transferred
                                                 ↘ closed           ↘ closed / back to published
    rejected at either review → draft (with a reason); withdrawn from any non-final state by the owner's
    organization administrator.

Who may do what:
- submit: a member or administrator of the owner organization;
- organization review (approve / reject): an administrator of the owner organization;
- platform review (publish / reject): a region administrator whose scope contains the record's region, or a
  platform administrator;
- negotiation, transfer, closing: the owner's organization administrator or a platform reviewer in scope;
- withdrawal: the owner's organization administrator.

Each transition locks the row, checks the person (``Forbidden``), then the state (``Conflict``), then its own
preconditions, and saves the change, its audit entry and (on submit and publish) a version snapshot in one
transaction. Nothing changes when a check fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.catalog import signals
from techtransfer.catalog.models import (
    PATENT_KINDS,
    Achievement,
    Demand,
    IPKind,
    RecordVersion,
    Status,
    TransferMode,
)
from techtransfer.catalog.permissions import (  # is_owner_admin, is_platform_reviewer: trading uses them from here
    is_owner_admin,
    is_owner_member,
    is_platform_reviewer,
    owner_admin_or_reviewer,
)
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.orgs.models import Verification

Record = Achievement | Demand


# --- snapshots ---------------------------------------------------------------------------------------------------


def snapshot(record: Record) -> dict:
    """The record's content as JSON, with its related items, for the version history."""
    data = audit.snapshot(record, exclude=("created_at", "updated_at"))
    if isinstance(record, Achievement):
        data["team"] = sorted(record.team.values_list("pk", flat=True))
        data["ip_items"] = [
            {"kind": i.kind, "title": i.title, "number": i.number, "granted": i.granted, "holder": i.holder}
            for i in record.ip_items.all()
        ]
        latest = record.trl_assessments.first()
        data["trl_assessment"] = (
            {"id": latest.pk, "proposed_level": latest.proposed_level, "answers": latest.answers} if latest else None
        )
    return data


def _add_version(actor, record: Record, event: str) -> RecordVersion:
    key = "achievement" if isinstance(record, Achievement) else "demand"
    last = RecordVersion.objects.filter(**{key: record}).aggregate(n=Max("version"))["n"] or 0
    return RecordVersion.objects.create(
        **{key: record},
        version=last + 1,
        event=event,
        data=snapshot(record),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


# --- submission completeness ---------------------------------------------------------------------------------------


def check_submittable(record: Record) -> None:
    """What a record needs before it goes to review; raises ``DomainError`` naming the first missing field."""
    if record.owner.verification != Verification.VERIFIED:
        raise DomainError(_("The owner organization must be verified before it submits records."), field="owner")
    if not record.tech_field_id:
        raise DomainError(_("Choose the technical field."), field="tech_field")
    if isinstance(record, Achievement):
        _check_achievement(record)
    else:
        _check_demand(record)


def _check_achievement(a: Achievement) -> None:
    if not a.trl:
        raise DomainError(_("Give the technology readiness level (TRL 1–9)."), field="trl")
    if not a.transfer_modes:
        raise DomainError(_("Choose at least one transfer mode."), field="transfer_modes")
    if a.asking_price is None and not a.price_negotiable:
        raise DomainError(_("Give an asking price or mark the price negotiable."), field="asking_price")
    if TransferMode.OPEN_LICENCE in a.transfer_modes:
        # Patent Law art. 50: an open licence declaration states the licence fee; only patents can be offered.
        if a.asking_price is None:
            raise DomainError(_("An open licence must state its licence fee."), field="asking_price")
        if not a.ip_items.filter(kind__in=PATENT_KINDS).exists():
            raise DomainError(_("An open licence needs at least one patent."), field="transfer_modes")
    if a.ip_items.filter(kind=IPKind.TECHNICAL_SECRET).exists() and not a.protected_details.strip():
        raise DomainError(
            _("Describe the technical secret in the protected details, not in the public summary."),
            field="protected_details",
        )


def _check_demand(d: Demand) -> None:
    if not d.cooperation_modes:
        raise DomainError(_("Choose at least one cooperation mode."), field="cooperation_modes")
    if d.deadline and d.deadline < timezone.localdate():
        raise DomainError(_("The deadline has passed."), field="deadline")
    if not d.contact_name.strip() or not (d.contact_phone.strip() or d.contact_email.strip()):
        raise DomainError(_("Give a contact person with a phone number or email."), field="contact_name")


# --- the transitions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    who: Callable[[object, Record], bool]
    forbidden: object  # lazy translation
    needs_reason: bool = False
    version_event: str = ""


NON_FINAL = (Status.DRAFT, Status.SUBMITTED, Status.ORG_REVIEWED, Status.PUBLISHED, Status.IN_NEGOTIATION)

_BY_OWNER_ADMIN = gettext_lazy("Only an administrator of the owner organization may review it.")
_BY_REVIEWER = gettext_lazy("Only a platform reviewer whose region covers the record may review it.")
_BY_EITHER = gettext_lazy("Only the owner organization's administrator or a platform reviewer may change this.")

# name, from, to, who, refusal message; rejections need a reason; submit and publish keep a version snapshot.
SUBMIT = Transition("submit", (Status.DRAFT,), Status.SUBMITTED, is_owner_member,
                    gettext_lazy("Only members of the owner organization may submit it."), version_event="submit")
ORG_APPROVE = Transition("org_approve", (Status.SUBMITTED,), Status.ORG_REVIEWED, is_owner_admin, _BY_OWNER_ADMIN)
ORG_REJECT = Transition("org_reject", (Status.SUBMITTED,), Status.DRAFT, is_owner_admin, _BY_OWNER_ADMIN,
                        needs_reason=True)
PUBLISH = Transition("publish", (Status.ORG_REVIEWED,), Status.PUBLISHED, is_platform_reviewer,
                     gettext_lazy("Only a platform reviewer whose region covers the record may publish it."),
                     version_event="publish")
PLATFORM_REJECT = Transition("platform_reject", (Status.ORG_REVIEWED,), Status.DRAFT, is_platform_reviewer,
                             _BY_REVIEWER, needs_reason=True)
START_NEGOTIATION = Transition("start_negotiation", (Status.PUBLISHED,), Status.IN_NEGOTIATION,
                               owner_admin_or_reviewer, _BY_EITHER)
END_NEGOTIATION = Transition("end_negotiation", (Status.IN_NEGOTIATION,), Status.PUBLISHED,
                             owner_admin_or_reviewer, _BY_EITHER)
MARK_TRANSFERRED = Transition("transferred", (Status.IN_NEGOTIATION,), Status.TRANSFERRED,
                              owner_admin_or_reviewer, _BY_EITHER)
CLOSE = Transition("close", (Status.PUBLISHED, Status.IN_NEGOTIATION), Status.CLOSED, owner_admin_or_reviewer,
                   gettext_lazy("Only the owner organization's administrator or a platform reviewer may close it."))
WITHDRAW = Transition("withdraw", NON_FINAL, Status.WITHDRAWN, is_owner_admin,
                      gettext_lazy("Only an administrator of the owner organization may withdraw it."))
ALL_TRANSITIONS = (SUBMIT, ORG_APPROVE, ORG_REJECT, PUBLISH, PLATFORM_REJECT, START_NEGOTIATION, END_NEGOTIATION,
                   MARK_TRANSFERRED, CLOSE, WITHDRAW)


def _kind(record: Record) -> str:
    return type(record)._meta.model_name


def _run(actor, record: Record, t: Transition, reason: str = "", check: Callable[[Record], None] | None = None):
    reason = (reason or "").strip()
    permissions.require_user(actor)
    with transaction.atomic():
        rec = type(record).objects.select_for_update().select_related("owner").get(pk=record.pk)
        if not t.who(actor, rec):
            raise Forbidden(str(t.forbidden))
        if rec.status not in t.sources:
            raise Conflict(
                _("This cannot be done while the record is %(status)s.") % {"status": rec.get_status_display()},
                field="status",
            )
        if t.needs_reason and not reason:
            raise DomainError(_("Give the reason for the rejection."), field="reason")
        if check:
            check(rec)
        with audit.tracking(actor, rec, f"catalog.{_kind(rec)}.{t.name}", reason=reason):
            now = timezone.now()
            rec.status = t.target
            if t.name == "submit":
                rec.submitted_at = now
                rec.rejection_reason = ""
            elif t.needs_reason:
                rec.rejection_reason = reason
            elif t.name == "publish" and rec.published_at is None:
                rec.published_at = now
            if t.version_event:
                _add_version(actor, rec, t.version_event)
        signals.announce(rec)
    record.refresh_from_db()
    return record


def submit(actor, record: Record) -> Record:
    """Draft → submitted, by a member of the owner organization; the record must be complete."""
    return _run(actor, record, SUBMIT, check=check_submittable)


def approve_by_org(actor, record: Record) -> Record:
    """Submitted → org_reviewed: the owner organization's administrator vouches for the record (单位审核)."""
    return _run(actor, record, ORG_APPROVE)


def reject_by_org(actor, record: Record, reason: str) -> Record:
    """Submitted → draft, with a reason, by the owner organization's administrator."""
    return _run(actor, record, ORG_REJECT, reason)


def publish(actor, record: Record) -> Record:
    """Org_reviewed → published, by a platform reviewer in scope (平台审核)."""
    return _run(actor, record, PUBLISH)


def reject_by_platform(actor, record: Record, reason: str) -> Record:
    """Org_reviewed → draft, with a reason, by a platform reviewer in scope."""
    return _run(actor, record, PLATFORM_REJECT, reason)


def start_negotiation(actor, record: Record) -> Record:
    return _run(actor, record, START_NEGOTIATION)


def end_negotiation(actor, record: Record, reason: str = "") -> Record:
    """In_negotiation → published: the talks failed and the record is on offer again."""
    return _run(actor, record, END_NEGOTIATION, reason)


def mark_transferred(actor, record: Record) -> Record:
    return _run(actor, record, MARK_TRANSFERRED)


def close(actor, record: Record, reason: str = "") -> Record:
    return _run(actor, record, CLOSE, reason)


def withdraw(actor, record: Record, reason: str = "") -> Record:
    """Any non-final state → withdrawn, by the owner organization's administrator."""
    return _run(actor, record, WITHDRAW, reason)


def allowed_transitions(user, record: Record) -> list[str]:
    """Names of the transitions the user could make now (for buttons and the API)."""
    return [
        t.name
        for t in ALL_TRANSITIONS
        if record.status in t.sources and permissions.principal(user).authenticated and t.who(user, record)
    ]


# Transition name → function(actor, record, reason), for the API and the pages.
TRANSITIONS: dict[str, Callable[[object, Record, str], Record]] = {
    "submit": lambda actor, record, reason="": submit(actor, record),
    "org_approve": lambda actor, record, reason="": approve_by_org(actor, record),
    "org_reject": reject_by_org,
    "publish": lambda actor, record, reason="": publish(actor, record),
    "platform_reject": reject_by_platform,
    "start_negotiation": lambda actor, record, reason="": start_negotiation(actor, record),
    "end_negotiation": end_negotiation,
    "transferred": lambda actor, record, reason="": mark_transferred(actor, record),
    "close": close,
    "withdraw": withdraw,
}

# Labels of the transitions for buttons (lazy translations).
TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "org_approve": gettext_lazy("Approve (organization)"),
    "org_reject": gettext_lazy("Reject (organization)"),
    "publish": gettext_lazy("Publish"),
    "platform_reject": gettext_lazy("Reject (platform)"),
    "start_negotiation": gettext_lazy("Start negotiation"),
    "end_negotiation": gettext_lazy("End negotiation"),
    "transferred": gettext_lazy("Mark transferred"),
    "close": gettext_lazy("Close"),
    "withdraw": gettext_lazy("Withdraw"),
}
NEEDS_REASON = {"org_reject", "platform_reject"}
