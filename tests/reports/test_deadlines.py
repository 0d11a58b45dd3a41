"""Deadlines, reminders and the overdue credit records (issue 14, items 3–4): reminders 30, 7 and 1 days before,
each sent once (job run twice, or late), in the platform and by e-mail; after the deadline a unit that has not
filed gets one credit record (job run twice), a unit that submitted in time none; closing it keeps the history;
the daily command."""

from __future__ import annotations

import datetime
import io
import json
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications.models import Notification
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import CreditKind, CreditRecord, LegalForm, OrgKind
from techtransfer.reports.models import (
    ActionKind,
    AnnualReport,
    Reminder,
    ReportAction,
    ReportStatus,
)
from techtransfer.reports.services import deadlines
from tests.conftest import KUNMING, PANLONG, QILIN, WUHUA

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year  # the round on the current year: its default deadline is ahead
DUE = datetime.date(YEAR + 1, 3, 31)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def rw(make_org, make_user):
    """A province round with four units in 五华/盘龙: no report, a draft, a returned one, one submitted in time."""

    class R:
        pass

    r = R()
    r.dept = make_org("云南省教育厅", region="530000", kind=OrgKind.GOVERNMENT, legal_form=LegalForm.GOVERNMENT)
    r.province_admin = make_user("prov", Role.REGION_ADMIN, region="530000")
    r.round = deadlines.open_round(r.province_admin, "530000", YEAR, notice="云科发〔2026〕1号")
    r.units, r.admins = {}, {}
    for name, region in (("none", WUHUA), ("draft", WUHUA), ("returned", PANLONG), ("filed", PANLONG)):
        org = make_org(f"测试大学{name}", region=region, kind=OrgKind.UNIVERSITY,
                       legal_form=LegalForm.PUBLIC_INSTITUTION, supervisor=r.dept)
        r.units[name] = org
        r.admins[name] = make_user(f"admin_{name}", Role.ORG_ADMIN, org=org, email=f"{name}@uni.example.cn")
    make_user("member_none", Role.ORG_MEMBER, org=r.units["none"], email="member@uni.example.cn")  # not an admin
    make_org("五华科技有限公司", region=WUHUA)  # an enterprise: files nothing
    for name, status in (("draft", ReportStatus.DRAFT), ("returned", ReportStatus.RETURNED),
                         ("filed", ReportStatus.SUBMITTED)):
        org = r.units[name]
        report = AnnualReport.objects.create(
            organization=org, year=YEAR, round=r.round, template=r.round.template, supervisor=r.dept,
            region_id=org.region_id, status=status,
            submitted_at=timezone.now() if status != ReportStatus.DRAFT else None,
        )
        if status != ReportStatus.DRAFT:
            ReportAction.objects.create(report=report, action=ActionKind.SUBMIT, actor=r.admins[name])
        if status == ReportStatus.RETURNED:
            ReportAction.objects.create(report=report, action=ActionKind.RETURN, comment="请补充")
    return r


def test_national_deadline_and_who_opens_a_round(rw, make_user):
    assert deadlines.default_due_on(2025) == datetime.date(2026, 3, 31)
    assert (rw.round.due_on, rw.round.opens_on) == (DUE, datetime.date(YEAR + 1, 1, 1))
    with pytest.raises(Conflict):
        deadlines.open_round(rw.province_admin, "530000", YEAR)
    qilin_admin = make_user("qilin", Role.REGION_ADMIN, region=QILIN)
    with pytest.raises(Forbidden):
        deadlines.open_round(qilin_admin, KUNMING, YEAR)  # a county administrator, another city
    with pytest.raises(Forbidden):
        deadlines.open_round(rw.admins["none"], WUHUA, YEAR)
    with pytest.raises(DomainError) as exc:
        deadlines.open_round(rw.province_admin, KUNMING, YEAR, due_on=datetime.date(YEAR, 6, 30))
    assert exc.value.field == "due_on"
    kunming = deadlines.open_round(make_user("km", Role.REGION_ADMIN, region=KUNMING), KUNMING, YEAR)
    assert kunming.due_on == DUE


def _reminded(name, rw):
    return sorted(Reminder.objects.filter(organization=rw.units[name]).values_list("days_before", flat=True))


def test_reminders_30_7_1_each_once_even_when_run_twice(rw):
    for days in (30, 7, 1):
        for _ in range(2):
            deadlines.run_daily(DUE - days * DAY)
    for name in ("none", "draft", "returned"):
        assert _reminded(name, rw) == [1, 7, 30]
        assert Notification.objects.filter(user=rw.admins[name]).count() == 3
    assert _reminded("filed", rw) == []  # submitted: no reminder
    assert Notification.objects.filter(user=rw.admins["filed"]).count() == 0
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted(3 * ["none@uni.example.cn", "draft@uni.example.cn", "returned@uni.example.cn"])
    assert "member@uni.example.cn" not in to
    message = next(m for m in mail.outbox if m.to == ["none@uni.example.cn"])
    assert DUE.isoformat() in message.subject and DUE.isoformat() in message.body
    assert "截止" in message.body and "due on" in message.body  # both languages
    assert Reminder.objects.get(organization=rw.units["none"], days_before=7).emails == 1


def test_days_between_reminders_send_nothing(rw):
    assert deadlines.run_daily(DUE - 31 * DAY)["reminders"] == 0
    assert deadlines.run_daily(DUE - 30 * DAY)["reminders"] == 3
    assert deadlines.run_daily(DUE - 20 * DAY)["reminders"] == 0


def test_a_job_that_missed_days_sends_only_the_latest_reminder(rw):
    summary = deadlines.run_daily(DUE - 3 * DAY)  # first run with 3 days left: the 7-day reminder only
    assert summary["reminders"] == 3 and summary["emails"] == 3
    assert _reminded("none", rw) == [7]
    deadlines.run_daily(DUE - 2 * DAY)
    assert _reminded("none", rw) == [7]
    deadlines.run_daily(DUE)  # the 1-day reminder was missed: sent on the deadline day
    assert _reminded("none", rw) == [1, 7]
    assert len(mail.outbox) == 6


def test_a_unit_that_submits_gets_no_further_reminder(rw):
    deadlines.run_daily(DUE - 30 * DAY)
    AnnualReport.objects.filter(organization=rw.units["draft"]).update(
        status=ReportStatus.SUBMITTED, submitted_at=timezone.now()
    )
    deadlines.run_daily(DUE - 7 * DAY)
    assert _reminded("draft", rw) == [30]
    assert _reminded("none", rw) == [7, 30]


def test_overdue_units_get_one_credit_record_even_when_run_twice(rw):
    assert deadlines.run_daily(DUE)["credit_records"] == 0  # the deadline day itself is in time
    first = deadlines.run_daily(DUE + DAY)
    second = deadlines.run_daily(DUE + DAY)
    deadlines.run_daily(DUE + 40 * DAY)
    assert (first["credit_records"], second["credit_records"]) == (3, 0)
    records = CreditRecord.objects.filter(cause="reports.not_filed")
    assert sorted(records.values_list("organization_id", flat=True)) == sorted(
        rw.units[n].pk for n in ("none", "draft", "returned")
    )
    rec = records.get(organization=rw.units["returned"])
    assert rec.key == f"reports.not_filed:{rw.units['returned'].pk}:{YEAR}"
    assert (rec.kind, rec.year, rec.occurred_on, rec.public) == (CreditKind.WARNING, YEAR, DUE + DAY, False)
    assert rec.summary == f"未按规定报送科技成果转化年度报告（{YEAR}年度）"
    assert rec.rule == "促进科技成果转化法第二十一条; 云科发〔2026〕1号"
    assert rec.closed_on is None
    assert not CreditRecord.objects.filter(organization=rw.units["filed"]).exists()  # submitted in time
    overdue_notes = Notification.objects.filter(user=rw.admins["none"], title__contains="诚信记录")
    assert overdue_notes.count() == 1


def test_closing_by_rule_keeps_the_history_and_the_job_does_not_reopen(rw):
    deadlines.run_daily(DUE + DAY)
    key = deadlines.credit_key(rw.units["draft"].pk, YEAR)
    closed = orgs.close_by_rule(key, on=DUE + 20 * DAY, reason="late report accepted")
    assert closed is not None
    deadlines.run_daily(DUE + 30 * DAY)
    rec = CreditRecord.objects.get(organization=rw.units["draft"])  # one record, kept
    assert (rec.closed_on, rec.closed_reason) == (DUE + 20 * DAY, "late report accepted")


def test_a_late_report_already_accepted_gets_the_record_closed_at_once(rw):
    report = AnnualReport.objects.get(organization=rw.units["draft"])
    end = deadlines.deadline_end(rw.round)
    late = ReportAction.objects.create(report=report, action=ActionKind.SUBMIT)
    accepted = ReportAction.objects.create(report=report, action=ActionKind.ACCEPT)
    ReportAction.objects.filter(pk__in=[late.pk, accepted.pk]).update(at=end + datetime.timedelta(days=3))
    AnnualReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.ACCEPTED, accepted_at=end + datetime.timedelta(days=3), late=True
    )
    summary = deadlines.run_daily(DUE + 10 * DAY)
    assert summary["closed_at_once"] == 1
    rec = CreditRecord.objects.get(organization=rw.units["draft"])
    assert rec.closed_on == DUE + 4 * DAY and rec.closed_reason == "late report accepted"


def test_the_daily_command(rw):
    out = io.StringIO()
    call_command("reports", "daily", "--today", (DUE + DAY).isoformat(), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["today"], summary["credit_records"]) == ((DUE + DAY).isoformat(), 3)
    out = io.StringIO()
    call_command("reports", "daily", "--today", (DUE + DAY).isoformat(), stdout=out)
    assert "credit records made for units overdue: 0" in out.getvalue()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("reports", "daily", "--today", "31/03/2027", stderr=err)
    assert exc.value.code == 2 and "--today" in err.getvalue()


def test_a_unit_is_reminded_and_recorded_in_its_most_specific_round(rw, make_user):
    """A city's round governs its units; the province's round no longer reminds or records them."""
    kunming = deadlines.open_round(make_user("km", Role.REGION_ADMIN, region=KUNMING), KUNMING, YEAR,
                                   due_on=DUE - 10 * DAY)
    assert {o.pk for o in deadlines.units_of(kunming)} == {u.pk for u in rw.units.values()}
    assert deadlines.units_of(rw.round) == []
    deadlines.run_daily(DUE - 10 * DAY)
    assert set(Reminder.objects.values_list("round_id", flat=True)) == {kunming.pk}
    deadlines.run_daily(DUE - 9 * DAY)  # the city's deadline has passed, not the province's
    assert CreditRecord.objects.filter(cause="reports.not_filed").count() == 3


def test_a_mail_server_failure_is_counted_and_does_not_stop_the_job(rw, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPConnectError(421, "service not available")

    monkeypatch.setattr(deadlines, "send_mass_mail", refuse)
    summary = deadlines.run_daily(DUE - 30 * DAY)
    assert (summary["reminders"], summary["emails"], summary["email_errors"]) == (3, 0, 3)
    assert Notification.objects.filter(user=rw.admins["none"]).count() == 1  # the in-app notice went out
    assert Reminder.objects.get(organization=rw.units["none"]).emails == 0
    assert deadlines.run_daily(DUE - 30 * DAY)["reminders"] == 0  # recorded: not sent again
