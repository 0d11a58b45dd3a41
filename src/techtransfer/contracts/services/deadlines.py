"""The decision time limit and its calendar — 认定登记时限.

Sources: 《技术合同认定登记管理办法》 (国科发政字〔2000〕63号): the registration point decides within 30 days of
acceptance (受理) — the statutory ceiling; local practice is shorter (Tianjin: 10 working days; development and
transfer contracts above ¥10 m go to an expert re-review and have 30 days).

A point's rules are data: its ``PointProfile`` sets the ordinary limit (calendar or working days; default
``CONTRACTS_DECISION_DAYS`` / ``CONTRACTS_DECISION_WORKING_DAYS``, ``conf``) and ``SpecialTimeLimit`` rows set limits
by condition (categories, amount above). Whatever a rule says, the deadline never falls later than 30 calendar days
after acceptance.

Working days follow the official calendar of the State Council's yearly holiday notice (国务院办公厅 部分节假日安排
的通知): public holidays are not working days, adjusted working days (调休) on weekends are — read from the
maintained ``chinesecalendar`` package. For a year the installed package does not know yet, Monday to Friday are
counted and the deadline is marked provisional, with a message asking the operator to upgrade the package.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import chinese_calendar
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.contracts import conf
from techtransfer.contracts.models import STATUTORY_LIMIT_DAYS, ZERO, SpecialTimeLimit, Status, TechContract
from techtransfer.contracts.services import clock
from techtransfer.contracts.services.numbering import point_profile
from techtransfer.orgs.models import Organization

ONE_DAY = datetime.timedelta(days=1)


# --- the official calendar -----------------------------------------------------------------------------------------


def official_working_day(day: datetime.date) -> bool | None:
    """Whether ``day`` is a working day on the official calendar (holidays off, 调休 weekends on); ``None`` when the
    installed ``chinesecalendar`` does not know the year yet."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def is_working_day(day: datetime.date) -> bool:
    """A working day on the official calendar; for a year it does not know, Monday to Friday."""
    known = official_working_day(day)
    return day.weekday() < 5 if known is None else known


def unknown_years(start: datetime.date, end: datetime.date) -> list[int]:
    """The years in (start, end] whose official calendar the installed ``chinesecalendar`` does not have."""
    years = range(min(start, end).year, max(start, end).year + 1)
    return [y for y in years if official_working_day(datetime.date(y, 12, 31)) is None]


def calendar_message(years: list[int]) -> str:
    """What to tell the operator when a deadline counted days of years the calendar package does not know."""
    return _(
        "Provisional: the official holidays of %(years)s are not known to the installed calendar "
        "(chinesecalendar), so only weekends were taken off. Upgrade the chinesecalendar package."
    ) % {"years": ", ".join(str(y) for y in years)}


def add_days(start: datetime.date, days: int, working: bool) -> datetime.date:
    """``start`` plus ``days`` calendar days, or plus ``days`` working days of the official calendar (the day of
    ``start`` itself is not counted)."""
    if not working:
        return start + datetime.timedelta(days=days)
    current, left = start, days
    while left > 0:
        current += ONE_DAY
        if is_working_day(current):
            left -= 1
    return current


def days_between(start: datetime.date, end: datetime.date, working: bool) -> int:
    """Days from ``start`` to ``end`` (negative when ``end`` is earlier): calendar days, or working days of the
    official calendar after ``start`` up to and including ``end``."""
    if not working:
        return (end - start).days
    sign, low, high = (1, start, end) if start <= end else (-1, end, start)
    count, current = 0, low
    while current < high:
        current += ONE_DAY
        if is_working_day(current):
            count += 1
    return sign * count


# --- a point's rules -----------------------------------------------------------------------------------------------


@dataclass
class TimeLimit:
    """The limit that applies to one contract: days, calendar or working days, and which rule it comes from."""

    days: int
    working: bool
    rule: str
    special: SpecialTimeLimit | None = None


def decision_limit(point: Organization) -> tuple[int, bool]:
    """The ordinary time limit of a point: its profile's, else ``CONTRACTS_DECISION_DAYS`` (30 calendar days),
    never beyond the statutory 30 days."""
    profile = point_profile(point)
    days = profile.decision_days if profile.decision_days is not None else conf.decision_days()
    working = profile.working_days if profile.working_days is not None else conf.decision_working_days()
    return min(days, STATUTORY_LIMIT_DAYS), working


def special_limits(point: Organization | None):
    """The active special limits of ``point``: its own first, then those of every point, each in their order."""
    qs = SpecialTimeLimit.objects.filter(active=True).prefetch_related("categories")
    if point is None:
        return list(qs.filter(point=None))
    own = list(qs.filter(point=point))
    return own + list(qs.filter(point=None))


def _matches(rule: SpecialTimeLimit, category_id: str | None, amount: Decimal) -> bool:
    codes = {c.pk for c in rule.categories.all()}
    if codes and category_id not in codes:
        return False
    return rule.above_amount is None or amount > rule.above_amount


def time_limit(contract: TechContract) -> TimeLimit:
    """The limit for deciding ``contract`` at its point: the first special limit whose condition it meets (e.g. a
    large development or transfer contract), else the point's ordinary limit."""
    point = contract.registration_point
    amount = contract.contract_amount or ZERO
    for rule in special_limits(point):
        if _matches(rule, contract.category_id, amount):
            return TimeLimit(min(rule.days, STATUTORY_LIMIT_DAYS), rule.working_days, rule.label, rule)
    days, working = decision_limit(point)
    unit = _("working days") if working else _("days")
    return TimeLimit(days, working, _("Ordinary time limit: %(days)s %(unit)s") % {"days": days, "unit": unit})


@dataclass
class Deadline:
    due_on: datetime.date
    provisional: bool
    unknown_years: list[int] = field(default_factory=list)

    @property
    def message(self) -> str:
        return calendar_message(self.unknown_years) if self.provisional else ""


def deadline(start: datetime.date, limit: TimeLimit) -> Deadline:
    """The decision deadline counted from ``start`` (the acceptance day) under ``limit``, capped at the statutory
    30 calendar days; provisional when working days were counted in a year the calendar does not know."""
    due = min(add_days(start, limit.days, limit.working), start + datetime.timedelta(days=STATUTORY_LIMIT_DAYS))
    unknown = unknown_years(start, due) if limit.working else []
    return Deadline(due, bool(unknown), unknown)


# --- processing time -----------------------------------------------------------------------------------------------


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
    rule: str = ""
    provisional: bool = False
    message: str = ""
    paused: bool = False


def processing(contract: TechContract, today: datetime.date | None = None) -> Processing | None:
    """How long a submitted contract has waited (until today, its decision, or its return for correction, when the
    clock stops) against its limit. After a return the limit counts again from the resubmission (``accepted_at``)."""
    if contract.accepted_at is None or contract.registration_point is None:
        return None
    limit = time_limit(contract)
    accepted = timezone.localdate(contract.accepted_at)
    paused = contract.status in (Status.RETURNED, Status.LAPSED) and contract.returned_at is not None
    if contract.decided_at:
        until = timezone.localdate(contract.decided_at)
    elif paused:
        until = timezone.localdate(contract.returned_at)
    else:
        until = today or clock.today()
    counted = deadline(accepted, limit)
    due = contract.due_on or counted.due_on
    years = unknown_years(accepted, max(due, until)) if limit.working else []
    return Processing(
        accepted_on=accepted,
        due_on=due,
        limit_days=limit.days,
        working_days=limit.working,
        elapsed=days_between(accepted, until, limit.working),
        decided=contract.decided_at is not None,
        overdue=until > due and not paused,
        rule=contract.limit_rule or limit.rule,
        provisional=bool(years),
        message=calendar_message(years) if years else "",
        paused=paused,
    )
