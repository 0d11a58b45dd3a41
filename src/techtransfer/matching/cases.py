"""Follow-up cases (对接跟踪): opening, one function per status transition, notes and conversion figures.

Who may act on a case: the rules ``matching.act_on_case`` and ``matching.assign_broker`` in ``permissions``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from techtransfer.accounts.models import Role
from techtransfer.accounts.permissions import principal, require_signed_in
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden

from . import permissions
from .models import OPEN_STATUSES, CaseNote, CaseStatus, MatchCase
from .permissions import visible_cases  # noqa: F401 - callers read the scope here too


def may_act(user, case: MatchCase) -> bool:
    """Whether ``user`` may open, move or annotate ``case`` (the rule ``matching.act_on_case``)."""
    return permissions.allowed("matching.act_on_case", user, case)


def open_case(user, demand, achievement=None, expert=None, broker=None, note: str = "") -> MatchCase:
    require_signed_in(user)  # a case records who opened it; a visitor's request was a 500 (issue 11, API fuzzing)
    if achievement is None and expert is None:
        raise DomainError(_("Name an achievement or an expert for the case."), field="achievement")
    case = MatchCase(demand=demand, achievement=achievement, expert=expert, broker=broker, opened_by=user)
    if not may_act(user, case):
        raise Forbidden(_("You may not open a case for this demand."))
    with transaction.atomic():
        case.save()
        audit.created(user, case, "matching.case.open")
        if note:
            CaseNote.objects.create(case=case, author=user, happened_on=datetime.date.today(), text=note)
    return case


def _move(user, case: MatchCase, allowed_from: tuple, to: str, action: str, reason: str = "") -> MatchCase:
    if not may_act(user, case):
        raise Forbidden(_("You may not change this case."))
    if case.status not in allowed_from:
        raise Conflict(
            _("A case in status “%(current)s” cannot move to “%(target)s”.")
            % {"current": case.get_status_display(), "target": CaseStatus(to).label},
            field="status",
        )
    with audit.tracking(user, case, action, reason=reason):
        case.status = to
        if to in (CaseStatus.CONTRACT, CaseStatus.CLOSED):
            case.next_follow_up = None
    return case


def hold_meeting(user, case):
    return _move(user, case, (CaseStatus.CONTACTED,), CaseStatus.MEETING, "matching.case.meeting")


def start_negotiation(user, case):
    return _move(user, case, (CaseStatus.MEETING,), CaseStatus.NEGOTIATION, "matching.case.negotiation")


def sign_contract(user, case):
    return _move(user, case, (CaseStatus.NEGOTIATION,), CaseStatus.CONTRACT, "matching.case.contract")


def close(user, case, reason: str = ""):
    if not reason.strip():
        raise DomainError(_("Say why the case is closed."), field="reason")
    return _move(user, case, OPEN_STATUSES, CaseStatus.CLOSED, "matching.case.close", reason=reason)


def assign_broker(user, case, broker) -> MatchCase:
    """Assign (or replace) the broker: owner organization administrators and region administrators in scope."""
    if not permissions.allowed("matching.assign_broker", user, case):
        raise Forbidden(_("You may not assign a broker to this case."))
    if broker is None or not principal(broker).has_role(Role.BROKER):
        raise DomainError(_("The person assigned must be a technology broker."), field="broker")
    if case.status not in OPEN_STATUSES:
        raise Conflict(_("The case is finished."), field="status")
    with audit.tracking(user, case, "matching.case.assign_broker"):
        case.broker = broker
    return case


TRANSITIONS = {
    "meeting": hold_meeting,
    "negotiation": start_negotiation,
    "contract": sign_contract,
}


def add_note(user, case, text: str, happened_on: datetime.date | None = None, next_follow_up=None) -> CaseNote:
    if not may_act(user, case):
        raise Forbidden(_("You may not change this case."))
    if not text.strip():
        raise DomainError(_("Write the note."), field="text")
    with audit.tracking(user, case, "matching.case.note"):
        note = CaseNote.objects.create(case=case, author=user, happened_on=happened_on or datetime.date.today(),
                                       text=text)
        if next_follow_up is not None:
            case.next_follow_up = next_follow_up
    return note


def conversion_figures(user) -> list[dict]:
    """Cases by technical field and region (in the caller's scope): counts per status and the contract rate."""
    if not permissions.allowed("matching.view_conversion", user):
        raise Forbidden(_("Only region administrators see conversion figures."))
    rows: dict[tuple, dict] = {}
    qs = visible_cases(user).values_list("demand__tech_field_id", "demand__region_id", "status")
    for field, region, status in qs:
        row = rows.setdefault((field or "", region or ""), {"field": field or "", "region": region or "",
                                                            **{s.value: 0 for s in CaseStatus}, "total": 0})
        row[status] += 1
        row["total"] += 1
    out = []
    for key in sorted(rows):
        row = rows[key]
        row["conversion_rate"] = round(row[CaseStatus.CONTRACT] / row["total"], 4) if row["total"] else 0.0
        out.append(row)
    return out
