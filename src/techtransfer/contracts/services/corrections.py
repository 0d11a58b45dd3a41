"""Return for correction — 补正: the registration point sends a filing back with what to correct and by when.

submitted → returned (the clock stops) → submitted again on resubmission (the time limit counts again from the
resubmission, which is the new acceptance day), or → lapsed when the filer has not corrected it by the date.

Sources: 《技术合同认定登记管理办法》 (the point examines the complete written text and attachments the applicant
submits) and the national guidance (科技部火炬中心, 2021: a contract whose name does not match its rights and duties
is not registered when the filer, asked to correct it, does not); the restart of the limit on resubmission follows
the 2024 draft revision of the 办法 (art. 14: "受理日期为补正材料提交之日") and local practice. A lapsed filing is
closed without a decision: the seller files the contract anew.

Every transition locks the contract, checks the state, is audited, writes a ledger event (no statistical effect)
and tells the other side through ``notifications.services.notify``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from techtransfer.audit import services as audit
from techtransfer.contracts import conf
from techtransfer.contracts.models import EventKind, Status, TechContract
from techtransfer.contracts.permissions import is_seller_side, may_decide
from techtransfer.contracts.services import clock, exportcontrol
from techtransfer.contracts.services.events import record_event
from techtransfer.contracts.services.filing import accept, check_complete, check_not_duplicate, check_written
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.core.fields import in_field, parse_date, parse_text
from techtransfer.notifications import services as notifications

MAX_REQUEST = 4000


def _url(contract: TechContract) -> str:
    return reverse("contracts:detail", kwargs={"pk": contract.pk})


def _lock(contract: TechContract) -> TechContract:
    fresh = TechContract.objects.select_for_update().get(pk=contract.pk)
    for name in ("status", "correction_due", "correction_request", "returned_at", "accepted_at", "due_on"):
        setattr(contract, name, getattr(fresh, name))
    return contract


def default_correction_due(today: datetime.date | None = None) -> datetime.date:
    """The correction deadline when the reviewer names none: ``CONTRACTS_CORRECTION_DAYS`` (15) calendar days."""
    return (today or clock.today()) + datetime.timedelta(days=conf.correction_days())


def return_for_correction(reviewer, contract: TechContract, what: str, due=None) -> TechContract:
    """Send a submitted filing back to the filer to correct — 退回补正 — saying what to correct (required) and by
    when (a date after today; default ``CONTRACTS_CORRECTION_DAYS``, 15 calendar days). The decision clock stops."""
    if not may_decide(reviewer, contract):
        raise Forbidden(_("Only a reviewer of this registration point, within its jurisdiction, may decide."))
    what = in_field(parse_text, what, "what", max_length=MAX_REQUEST)
    if not what:
        raise DomainError(_("Say what the filer has to correct."), field="what")
    today = clock.today()
    due = in_field(parse_date, due, "due_on") or default_correction_due(today)
    if due <= today:
        raise DomainError(_("The correction deadline must be after today."), field="due_on")
    with transaction.atomic():
        _lock(contract)
        if contract.status != Status.SUBMITTED:
            raise Conflict(_("Only a submitted contract can be returned for correction."), field="status")
        with audit.tracking(reviewer, contract, "contracts.return_for_correction", reason=what[:200]):
            contract.status = Status.RETURNED
            contract.correction_request = what
            contract.correction_due = due
            contract.returned_at = clock.now()
            contract.reviewer = reviewer
        record_event(contract, EventKind.RETURNED, reviewer, note=what, data={"correct_by": due.isoformat()})
        notifications.notify(
            contract.filed_by,
            _("Returned for correction by %(date)s: %(name)s") % {"date": due.isoformat(), "name": contract.name},
            _url(contract),
        )
    return contract


def resubmit(actor, contract: TechContract) -> TechContract:
    """The filer resubmits a corrected filing — 补正后重新提交 — before its correction deadline. It is checked like
    a first submission (written form, completeness, duplicates) and accepted again: the time limit counts anew from
    today. After the deadline the filing has lapsed and cannot be resubmitted."""
    if not is_seller_side(actor, contract):
        raise Forbidden(_("Only members of the seller organization may resubmit this contract."))
    if lapse_if_overdue(contract):
        raise Conflict(
            _("The correction deadline has passed and the filing has lapsed; file the contract again."),
            code="correction_lapsed",
            field="status",
        )
    if contract.status != Status.RETURNED:
        raise Conflict(_("Only a filing returned for correction can be resubmitted."), field="status")
    check_written(contract)
    check_complete(contract)
    check_not_duplicate(contract)
    with transaction.atomic():
        _lock(contract)
        if contract.status != Status.RETURNED:
            raise Conflict(_("Only a filing returned for correction can be resubmitted."), field="status")
        request = contract.correction_request
        with audit.tracking(actor, contract, "contracts.resubmit"):
            contract.status = Status.SUBMITTED
            accept(contract)
            contract.correction_request = ""
            contract.correction_due = None
        record_event(
            contract,
            EventKind.RESUBMITTED,
            actor,
            note=request,
            data={"due_on": contract.due_on.isoformat(), "provisional": contract.due_provisional},
        )
        notifications.notify(
            [contract.reviewer, contract.filed_by],
            _("Corrected and resubmitted: %(name)s") % {"name": contract.name},
            _url(contract),
        )
        # The corrected filing is screened again (export control) unless its screening was already confirmed.
        exportcontrol.screen_contract(actor, contract)
    return contract


def _lapse(contract: TechContract, today: datetime.date) -> bool:
    with transaction.atomic():
        _lock(contract)
        if contract.status != Status.RETURNED or contract.correction_due is None or contract.correction_due >= today:
            return False
        with audit.tracking(None, contract, "contracts.lapse", reason="correction not made in time"):
            contract.status = Status.LAPSED
        record_event(contract, EventKind.LAPSED, None, data={"correct_by": contract.correction_due.isoformat()})
        notifications.notify(
            contract.filed_by,
            _("Lapsed, not corrected by %(date)s: %(name)s")
            % {"date": contract.correction_due.isoformat(), "name": contract.name},
            _url(contract),
        )
    return True


def lapse_if_overdue(contract: TechContract, today: datetime.date | None = None) -> bool:
    """Close one returned filing whose correction deadline has passed (the day after ``correction_due``) —
    the check made whenever the filing is read or acted on. Returns whether it lapsed."""
    today = today or clock.today()
    if contract.status != Status.RETURNED or contract.correction_due is None or contract.correction_due >= today:
        return False
    return _lapse(contract, today)


def lapse_overdue(today: datetime.date | None = None) -> int:
    """Close every returned filing not corrected in time (the periodic task ``contracts.tasks``). Returns how many
    lapsed; idempotent."""
    today = today or clock.today()
    overdue = TechContract.objects.filter(status=Status.RETURNED, correction_due__lt=today)
    return sum(1 for contract in overdue if _lapse(contract, today))
