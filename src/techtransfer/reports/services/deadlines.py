"""Rounds, deadlines, reminders and the overdue credit records — 报送期限、提醒与诚信记录 (issue 14, items 3–4).

- A region's science department opens a round (``open_round``) for a report year with a deadline; national
  practice is 31 March of the following year (domain.md §9: the yearly MOST/MOF notices), kept as data per round.
- Reminders (``send_reminders``) go 30, 7 and 1 days before the deadline to the administrators of every unit that
  must file (``obligation.obligated_units``) and has not submitted: an in-app notification and an e-mail (Django's
  mail settings). Each (round, unit, days) is sent once (``Reminder``): running the job twice sends nothing more, and
  a job that missed days sends only the most recent reminder that fell due.
- After the deadline (``mark_overdue``) a unit whose report was not submitted by the deadline (draft, returned or
  none) gets the credit record "未按规定报送科技成果转化年度报告" (促进科技成果转化法 art. 21; "纳入科技系统诚信体系"
  in the seeds), once per unit and year (``orgs.services.record_by_rule`` with the key below). Accepting a late
  report closes it (the filing area, ``close_by_rule``); the record stays in the history.

A unit falls under the most specific round of its year whose region contains it (a city's round over a province's),
so that two rounds never remind or record the same unit twice. Units registered on the platform after a round's
deadline are not recorded for it (the platform was not their channel then).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import get_connection, send_mass_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications import services as notifications
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import CreditKind, CreditRecord, Organization
from techtransfer.regions.models import Region
from techtransfer.regions.services import is_within
from techtransfer.reports.models import (
    ActionKind,
    AnnualReport,
    Reminder,
    ReportingRound,
    ReportStatus,
    ReportTemplate,
)
from techtransfer.reports.services.obligation import obligated_units
from techtransfer.reports.services.templates import template_for

log = logging.getLogger(__name__)

REMINDER_DAYS = (30, 7, 1)
FILED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
CAUSE = "reports.not_filed"
LAW = "促进科技成果转化法第二十一条"
FIRST_YEAR = 2000


def credit_key(org_id: int, year: int) -> str:
    """The key of a unit's not-filed credit record (the filing area closes it by this key)."""
    return f"{CAUSE}:{org_id}:{year}"


def default_due_on(year: int) -> datetime.date:
    """National practice: the report on ``year`` is due by 31 March of the following year (domain.md §9)."""
    return datetime.date(year + 1, 3, 31)


def deadline_end(round_: ReportingRound) -> datetime.datetime:
    """The end of the deadline day in local time: a report submitted on the deadline day is in time."""
    return datetime.datetime.combine(
        round_.due_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


# --- rounds --------------------------------------------------------------------------------------------------------


def open_round(
    actor, region, year: int, due_on=None, template: ReportTemplate | int | None = None, notice: str = ""
) -> ReportingRound:
    """Open the collection of ``region``'s reports on ``year`` (年度报告汇交工作) — by a region administrator whose
    scope contains the region (or a platform administrator). The deadline defaults to 31 March of the next year
    and must fall after the report year and not in the past; the template defaults to the one of the year."""
    region_code = region.pk if isinstance(region, Region) else str(region or "")
    if not Region.objects.filter(pk=region_code).exists():
        raise DomainError(_("Unknown region code: %s") % region_code, field="region")
    p = permissions.principal(actor)
    if not (p.is_region_admin and p.in_region_scope(region_code)):
        raise Forbidden(_("Only an administrator of the region may open its reporting round."))
    today = timezone.localdate()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= today.year:
        raise DomainError(_("The report year must be a past or the current year."), field="year")
    due_on = due_on or default_due_on(year)
    opens_on = datetime.date(year + 1, 1, 1)
    if due_on < opens_on:
        raise DomainError(_("The deadline must fall after the end of the report year."), field="due_on")
    if due_on < today:
        raise DomainError(_("The deadline cannot be in the past."), field="due_on")
    if template is None:
        template = template_for(year)
    elif not isinstance(template, ReportTemplate):
        template = ReportTemplate.objects.filter(version=template).first()
        if template is None:
            raise DomainError(_("No such report template."), field="template")
    notice = (notice or "").strip()
    if len(notice) > 300:
        raise DomainError(_("The notice is too long (300 characters at most)."), field="notice")
    with transaction.atomic():
        if ReportingRound.objects.filter(year=year, region_id=region_code).exists():
            raise Conflict(_("This region already has a round for that year."), field="year")
        round_ = ReportingRound.objects.create(
            year=year, region_id=region_code, template=template, opens_on=opens_on, due_on=due_on, notice=notice
        )
        audit.created(actor, round_, "reports.round_opened")
    return round_


def rounds_list(year: int | None = None):
    """Every round (deadlines are public), newest year first."""
    qs = ReportingRound.objects.select_related("region", "template")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "due_on", "region_id")


def governing_rounds(year: int) -> list[ReportingRound]:
    """The year's rounds, most specific region first."""
    rounds = list(ReportingRound.objects.filter(year=year))
    return sorted(rounds, key=lambda r: (-len(r.region_id.rstrip("0")), r.region_id))


def round_for(org: Organization, year: int, rounds: list[ReportingRound] | None = None) -> ReportingRound | None:
    """The round a unit files in: of the year's rounds whose region contains it, the most specific."""
    for r in rounds if rounds is not None else governing_rounds(year):
        if is_within(org.region_id, r.region_id):
            return r
    return None


def units_of(round_: ReportingRound) -> list[Organization]:
    """The obligated units that file in this round (not in a more specific round of the same year)."""
    rounds = governing_rounds(round_.year)
    return [o for o in obligated_units(round_.year, round_.region_id) if round_for(o, round_.year, rounds) == round_]


def _reports(round_: ReportingRound, org_ids) -> dict[int, AnnualReport]:
    qs = AnnualReport.objects.filter(year=round_.year, organization_id__in=list(org_ids)).prefetch_related("actions")
    return {r.organization_id: r for r in qs}


def filed_by(report: AnnualReport | None, moment: datetime.datetime) -> bool:
    """Whether the report stood submitted (or accepted) at ``moment``: its last step up to then was a submission
    or an acceptance. A report without recorded steps counts by its status and submission time."""
    if report is None:
        return False
    actions = list(report.actions.all())
    if actions:
        steps = [a for a in actions if a.at <= moment]
        return bool(steps) and steps[-1].action in (ActionKind.SUBMIT, ActionKind.ACCEPT)
    return report.status in FILED and report.submitted_at is not None and report.submitted_at <= moment


# --- reminders -----------------------------------------------------------------------------------------------------


def _slot(days_left: int) -> int | None:
    """The most recent reminder due with ``days_left`` days to go (30, 7 or 1), or None."""
    if days_left < 0 or days_left > REMINDER_DAYS[0]:
        return None
    return min(d for d in REMINDER_DAYS if d >= days_left)


@dataclass
class Due:
    round: ReportingRound
    organization: Organization
    days_before: int
    days_left: int


def reminders_due(today: datetime.date | None = None) -> list[Due]:
    """Reminders to send on ``today``: for each round whose deadline is 0–30 days ahead, the most recent of the 30,
    7 and 1-day reminders that fell due, for each of its units without a submitted or accepted report, unless that
    reminder (or a later one) was already sent."""
    today = today or timezone.localdate()
    due: list[Due] = []
    rounds = ReportingRound.objects.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30))
    for round_ in rounds.order_by("due_on", "id"):
        days_left = (round_.due_on - today).days
        slot = _slot(days_left)
        if slot is None:
            continue
        units = units_of(round_)
        reports = _reports(round_, [u.pk for u in units])
        sent = set(
            Reminder.objects.filter(round=round_, days_before__lte=slot).values_list("organization_id", flat=True)
        )
        for org in units:
            report = reports.get(org.pk)
            if org.pk in sent or (report is not None and report.status in FILED):
                continue
            due.append(Due(round_, org, slot, days_left))
    return due


def _reminder_text(d: Due) -> tuple[str, str, str]:
    r, org = d.round, d.organization
    due = r.due_on.isoformat()
    title = f"科技成果转化年度报告（{r.year}年度）将于{due}截止，请按时报送 / Annual report {r.year} due on {due}"
    body = (
        f"{org.name}：\n\n"
        f"贵单位{r.year}年度科技成果转化年度报告的报送截止日期为{due}（还有{d.days_left}天）。"
        f"请在截止日期前通过平台提交报告；逾期未报送的，将依照{LAW}记入诚信记录。\n"
        f"{r.notice}\n\n"
        f"Dear {org.name_en or org.name},\n\n"
        f"your annual technology-transfer report for {r.year} is due on {due} ({d.days_left} days left). "
        f"Please submit it on the platform before the deadline; a unit that has not filed by then receives a "
        f"credit record (Law on Promoting the Transformation of Scientific and Technological Achievements, "
        f"art. 21).\n"
    )
    return title, body, _reports_url()


def _reports_url() -> str:
    try:
        return reverse("reports:index")
    except NoReverseMatch:  # the filing area's page, joined at the merge
        return reverse("reports:rounds")


@dataclass
class ReminderResult:
    reminders: int = 0
    notifications: int = 0
    emails: int = 0
    email_errors: int = 0
    sent: list[dict] = field(default_factory=list)


def send_reminders(today: datetime.date | None = None) -> ReminderResult:
    """Send every due reminder once: record it (unique per round, unit and days), notify the unit's administrators
    in the platform and by e-mail (one message per address, plain text in Chinese and English). An e-mail that
    cannot be sent is logged and counted; the reminder stays recorded (the in-app notice went out)."""
    today = today or timezone.localdate()
    result = ReminderResult()
    outgoing: list[tuple[Reminder, list[tuple]]] = []
    for d in reminders_due(today):
        admins = permissions.org_administrators(d.organization.pk)
        title, body, url = _reminder_text(d)
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                round=d.round, organization=d.organization, days_before=d.days_before, defaults={"sent_on": today}
            )
            if not created:
                continue
            result.notifications += notifications.notify(admins, title, url)
        result.reminders += 1
        addresses = sorted({u.email for u in admins if u.email})
        result.sent.append(
            {
                "round": d.round.pk,
                "year": d.round.year,
                "organization": d.organization.pk,
                "days_before": d.days_before,
                "days_left": d.days_left,
                "admins": len(admins),
                "emails": len(addresses),
            }
        )
        messages = [(title, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses]
        if messages:
            outgoing.append((reminder, messages))
    if outgoing:
        connection = get_connection()
        for reminder, messages in outgoing:
            try:
                sent = send_mass_mail(messages, fail_silently=False, connection=connection)
            except Exception as exc:  # noqa: BLE001 - a mail server problem must not stop the job
                log.warning("reminder e-mail to organization %s failed: %s", reminder.organization_id, exc)
                result.email_errors += len(messages)
                continue
            Reminder.objects.filter(pk=reminder.pk).update(emails=sent)
            result.emails += sent
    return result


# --- overdue -------------------------------------------------------------------------------------------------------


def rule_text(round_: ReportingRound) -> str:
    return f"{LAW}; {round_.notice}" if round_.notice else LAW


@dataclass
class OverdueResult:
    records: int = 0
    closed: int = 0
    notifications: int = 0
    made: list[dict] = field(default_factory=list)


def mark_overdue(today: datetime.date | None = None) -> OverdueResult:
    """For every round whose deadline has passed, give each of its units whose report was not submitted by the end
    of the deadline day (draft, returned or none) the not-filed credit record, once (``record_by_rule``, key
    ``reports.not_filed:<org>:<year>``), and tell the unit's administrators. A report submitted late and already
    accepted when the job first sees it gets the record closed at once (kept in the history)."""
    today = today or timezone.localdate()
    result = OverdueResult()
    for round_ in ReportingRound.objects.filter(due_on__lt=today).order_by("due_on", "id"):
        end = deadline_end(round_)
        units = [u for u in units_of(round_) if u.created_at < end]
        reports = _reports(round_, [u.pk for u in units])
        existing = set(
            CreditRecord.objects.filter(key__in=[credit_key(u.pk, round_.year) for u in units]).values_list(
                "key", flat=True
            )
        )
        occurred = round_.due_on + datetime.timedelta(days=1)
        for org in units:
            key = credit_key(org.pk, round_.year)
            report = reports.get(org.pk)
            if key in existing or filed_by(report, end):
                continue
            with transaction.atomic():
                record, created = orgs.record_by_rule(
                    org,
                    key=key,
                    kind=CreditKind.WARNING,
                    cause=CAUSE,
                    summary=f"未按规定报送科技成果转化年度报告（{round_.year}年度）",
                    rule=rule_text(round_),
                    occurred_on=occurred,
                    year=round_.year,
                )
                if not created:
                    continue
                result.records += 1
                result.made.append({"organization": org.pk, "year": round_.year, "record": record.pk})
                if report is not None and report.status == ReportStatus.ACCEPTED:
                    accepted = timezone.localdate(report.accepted_at) if report.accepted_at else today
                    orgs.close_by_rule(key, on=max(accepted, occurred), reason="late report accepted")
                    result.closed += 1
                    continue
                title = (
                    f"贵单位未按期报送{round_.year}年度科技成果转化年度报告，已记入诚信记录 / "
                    f"Annual report {round_.year} not filed by {round_.due_on.isoformat()}: credit record made"
                )
                result.notifications += notifications.notify(
                    permissions.org_administrators(org.pk), title, reverse("reports:credit_org", args=[org.pk])
                )
    return result


def run_daily(today: datetime.date | None = None) -> dict:
    """The daily job: send the reminders due today, then record the units overdue. Idempotent."""
    today = today or timezone.localdate()
    reminders = send_reminders(today)
    overdue = mark_overdue(today)
    return {
        "today": today.isoformat(),
        "reminders": reminders.reminders,
        "reminder_notifications": reminders.notifications,
        "emails": reminders.emails,
        "email_errors": reminders.email_errors,
        "credit_records": overdue.records,
        "closed_at_once": overdue.closed,
        "overdue_notifications": overdue.notifications,
        "sent": reminders.sent,
        "recorded": overdue.made,
    }
