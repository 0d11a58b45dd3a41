"""The decision time limit and its calendar — 认定登记时限.

Submission is acceptance (受理) and starts the limit: 30 days unless the point sets less or counts working days
in its ``PointProfile``; the defaults are ``CONTRACTS_DECISION_DAYS`` and ``CONTRACTS_DECISION_WORKING_DAYS``
(``conf``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from techtransfer.contracts import conf
from techtransfer.contracts.models import TechContract
from techtransfer.contracts.services import clock
from techtransfer.contracts.services.numbering import point_profile
from techtransfer.orgs.models import Organization


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
    """Days from ``start`` to ``end``: calendar days, or working days (Monday to Friday) after ``start``."""
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
    """How long a submitted contract has waited (until today, or until its decision) against its limit."""
    if contract.accepted_at is None or contract.registration_point is None:
        return None
    days, working = decision_limit(contract.registration_point)
    accepted = timezone.localdate(contract.accepted_at)
    until = timezone.localdate(contract.decided_at) if contract.decided_at else (today or clock.today())
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
