"""The reports demo part: rounds for the last two report years, reports in every state through the services, a late
acceptance that closed the not-filed record, one obligated unit left without a report; nothing without the demo."""

import pytest

from techtransfer.demo.services import load_demo
from techtransfer.orgs.models import CreditRecord
from techtransfer.reports import demo
from techtransfer.reports.models import AnnualReport, ReportingRound, ReportStatus
from techtransfer.reports.services import filing, obligation

pytestmark = pytest.mark.django_db


def test_demo_does_nothing_without_the_demo_accounts():
    said = []
    assert demo.load(said.append) == 0
    assert said and not AnnualReport.objects.exists()


def test_demo_reports_in_every_state():
    load_demo()
    current = filing.current_report_year()
    assert set(ReportingRound.objects.values_list("year", flat=True)) == {current - 1, current}
    now = AnnualReport.objects.filter(year=current)
    assert {ReportStatus.ACCEPTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED, ReportStatus.DRAFT} <= set(
        now.values_list("status", flat=True)
    )
    assert now.filter(status=ReportStatus.ACCEPTED, late=True).exists()
    assert now.filter(status=ReportStatus.ACCEPTED, late=False).exists()
    assert now.filter(status=ReportStatus.RETURNED, organization__role_assignments__user__username="uni_admin").exists()
    units = set(obligation.obligated_units(current, "530000").filter(is_demo=True).values_list("pk", flat=True))
    not_filed = units - set(now.values_list("organization_id", flat=True))
    assert len(not_filed) == 1  # one has not filed, and the daily job gave it its credit record
    record = CreditRecord.objects.get(cause="reports.not_filed", organization_id__in=not_filed)
    assert record.year == current and record.is_open
    never_submitted = now.filter(status=ReportStatus.DRAFT).values_list("organization_id", flat=True)
    assert set(never_submitted) <= set(
        CreditRecord.objects.filter(cause="reports.not_filed", year=current, closed_on=None).values_list(
            "organization_id", flat=True
        )
    )
    closed = CreditRecord.objects.filter(cause="reports.not_filed", closed_on__isnull=False)
    assert closed.exists() and closed.count() == AnnualReport.objects.filter(late=True, status="accepted").count()
    assert set(AnnualReport.objects.values_list("is_demo", flat=True)) == {True}
    on_time = now.filter(status=ReportStatus.ACCEPTED, late=False).first()
    assert on_time.submitted_at.date() <= on_time.round.due_on
    assert demo.load(lambda _m: None) == 0  # loaded once
