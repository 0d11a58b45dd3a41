"""Filing and review through the services: who must file, validation and cross-checks, explanations of differences
from the registered figures, the workflow with its wrong-state refusals, the credit record closed by a late
acceptance, and the scope of who sees and reviews what."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.audit.models import AuditEntry
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from techtransfer.notifications.models import Notification
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import LegalForm, OrgKind
from techtransfer.reports.models import ActionKind, ReportingRound, ReportStatus
from techtransfer.reports.services import filing, prefill, templates
from tests.conftest import KUNMING, WUHUA
from tests.reports.conftest import complete_values

pytestmark = pytest.mark.django_db


def started(rw):
    return filing.get_or_start(rw.uni_admin, rw.uni, rw.year)


def submitted(rw, **overrides):
    report = filing.save_draft(rw.uni_admin, started(rw), complete_values(**overrides))
    return filing.submit(rw.uni_admin, report)


# --- starting ------------------------------------------------------------------------------------------------------


def test_start_creates_one_draft_with_the_round_template_and_supervisor(rw):
    report = started(rw)
    assert (report.status, report.round, report.template, report.supervisor, report.region_id) == (
        ReportStatus.DRAFT,
        rw.round,
        rw.round.template,
        rw.dept,
        WUHUA,
    )
    assert report.values == {} and report.registered == {}
    assert filing.get_or_start(rw.uni_admin, rw.uni, rw.year).pk == report.pk
    assert AuditEntry.objects.filter(action="reports.report_start", object_id=str(report.pk)).count() == 1


def test_start_refused_for_a_unit_that_need_not_file(rw, make_user):
    from techtransfer.accounts.models import Role

    admin = make_user(role=Role.ORG_ADMIN, org=rw.company)
    with pytest.raises(DomainError) as exc:
        filing.get_or_start(admin, rw.company, rw.year)
    assert exc.value.code == "not_obliged"
    rw.uni.legal_form = LegalForm.PRIVATE_NON_ENTERPRISE  # a private university does not file
    rw.uni.save()
    with pytest.raises(DomainError) as exc:
        filing.get_or_start(rw.uni_admin, rw.uni, rw.year)
    assert exc.value.code == "not_obliged"


def test_start_needs_a_supervisor_and_a_round(rw):
    rw.uni.supervisor = None
    rw.uni.save()
    with pytest.raises(DomainError) as exc:
        filing.get_or_start(rw.uni_admin, rw.uni, rw.year)
    assert (exc.value.code, exc.value.field) == ("no_supervisor", "supervisor")
    rw.uni.supervisor = rw.dept
    rw.uni.save()
    with pytest.raises(NotFound) as exc:
        filing.get_or_start(rw.uni_admin, rw.uni, rw.year - 3)
    assert str(rw.year - 3) in exc.value.message


def test_the_nearest_region_round_applies(rw):
    city = ReportingRound.objects.create(
        year=rw.year,
        region_id=KUNMING,
        template=rw.round.template,
        opens_on=rw.round.opens_on,
        due_on=datetime.date(rw.year + 1, 3, 15),
    )
    assert filing.round_for(rw.uni, rw.year) == city
    assert filing.round_for(rw.institute, rw.year) == city  # 盘龙 is in 昆明 too
    city.delete()
    assert filing.round_for(rw.uni, rw.year) == rw.round


def test_only_the_units_admins_start_or_save(rw):
    for user in (rw.uni_member, rw.dept_admin, rw.province_admin):
        with pytest.raises(Forbidden):
            filing.get_or_start(user, rw.uni, rw.year)
    report = started(rw)
    with pytest.raises(Forbidden):
        filing.save_draft(rw.dept_admin, report, {"patents_granted": "1"})


# --- validation ----------------------------------------------------------------------------------------------------


def test_draft_may_be_incomplete_but_values_are_checked(rw):
    report = filing.save_draft(rw.uni_admin, started(rw), {"patents_granted": "12", "transfer_amount": "¥50,000"})
    assert report.values == {"patents_granted": 12, "transfer_amount": "50000.00"}
    with pytest.raises(DomainError) as exc:
        filing.save_draft(rw.uni_admin, report, {"patents_granted": "-1"})
    assert exc.value.field == "patents_granted"
    with pytest.raises(DomainError) as exc:
        filing.save_draft(rw.uni_admin, report, {"no_such_field": "1"})
    assert exc.value.field == "no_such_field"
    report.refresh_from_db()
    assert report.values == {"patents_granted": 12, "transfer_amount": "50000.00"}


def test_cross_checks_name_the_field(rw):
    with pytest.raises(DomainError) as exc:
        filing.save_draft(rw.uni_admin, started(rw), {"transfer_amount": "100", "transfer_received": "200"})
    assert (exc.value.code, exc.value.field) == ("invalid_report", "transfer_received")
    with pytest.raises(DomainError) as exc:
        filing.save_draft(rw.uni_admin, started(rw), complete_values(reward_amount="999999"))
    assert exc.value.field == "reward_amount"


def test_submission_must_be_complete(rw):
    values = complete_values()
    del values["office_budget"]
    report = filing.save_draft(rw.uni_admin, started(rw), values)
    with pytest.raises(DomainError) as exc:
        filing.submit(rw.uni_admin, report)
    assert exc.value.field == "office_budget"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_explanations_only_for_fields_with_a_registered_figure(rw):
    with pytest.raises(DomainError) as exc:
        filing.save_draft(rw.uni_admin, started(rw), complete_values(), {"measures": "x"})
    assert exc.value.field == "measures"


# --- registered figures and explanations ---------------------------------------------------------------------------


def test_registered_figures_count_certified_sales_of_the_year(rw):
    from tests.reports.conftest import sell

    sell(rw.uni, "consulting", Decimal("7000"), datetime.date(rw.year, 2, 1), status="submitted")  # not certified
    figures = prefill.registered_figures(rw.uni, rw.year)
    assert figures["development_count"] == 2 and figures["development_amount"] == Decimal("300000.00")
    assert figures["transfer_count"] == 1 and figures["transfer_amount"] == Decimal("50000.00")
    assert figures["consulting_count"] == 0 and figures["equity_count"] == 0 and figures["office_brokers"] == 0


def test_submit_needs_an_explanation_for_a_difference(rw):
    report = filing.save_draft(rw.uni_admin, started(rw), complete_values(development_count="3"))
    with pytest.raises(DomainError) as exc:
        filing.submit(rw.uni_admin, report)
    assert (exc.value.code, exc.value.field) == ("needs_explanation", "development_count")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.submitted_at is None
    report = filing.save_draft(rw.uni_admin, report, report.values, {"development_count": "一项合同未登记。"})
    report = filing.submit(rw.uni_admin, report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.registered["development_count"] == "2"


def test_a_difference_within_the_tolerance_needs_no_explanation(rw):
    # ¥300,000 registered: 5% is ¥15,000, so ¥310,000 passes and ¥320,000 does not.
    report = submitted(rw, development_amount="310000")
    assert report.status == ReportStatus.SUBMITTED
    assert not templates.unexplained(report.template, report.values, report.registered, {})


# --- workflow ------------------------------------------------------------------------------------------------------


def test_submit_return_resubmit_accept(rw):
    report = submitted(rw)
    assert report.submitted_at is not None and report.late is False
    assert Notification.objects.filter(user=rw.dept_admin, url=f"/reports/{report.pk}/").exists()
    with pytest.raises(Conflict):
        filing.submit(rw.uni_admin, report)
    with pytest.raises(DomainError) as exc:
        filing.return_report(rw.dept_admin, report, "  ")
    assert exc.value.field == "comment"
    report = filing.return_report(rw.dept_admin, report, "奖励金额请附分配明细。")
    assert report.status == ReportStatus.RETURNED and report.review_comment == "奖励金额请附分配明细。"
    assert Notification.objects.filter(user=rw.uni_admin, title__contains="奖励金额请附分配明细").exists()
    with pytest.raises(Conflict):
        filing.accept(rw.dept_admin, report)
    report = filing.save_draft(rw.uni_admin, report, complete_values(reward_amount="90000"))
    report = filing.submit(rw.uni_admin, report)
    report = filing.accept(rw.dept_admin, report, "同意。")
    assert report.status == ReportStatus.ACCEPTED and report.accepted_at is not None
    assert list(report.actions.values_list("action", "comment")) == [
        (ActionKind.SUBMIT, ""),
        (ActionKind.RETURN, "奖励金额请附分配明细。"),
        (ActionKind.SUBMIT, ""),
        (ActionKind.ACCEPT, "同意。"),
    ]
    for step in (
        lambda: filing.return_report(rw.dept_admin, report, "x"),
        lambda: filing.accept(rw.dept_admin, report),
        lambda: filing.save_draft(rw.uni_admin, report, {}),
    ):
        with pytest.raises(Conflict) as exc:
            step()
        assert exc.value.status == 409
    actions = set(
        AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="reports.").values_list(
            "action", flat=True
        )
    )
    assert {"reports.report_submit", "reports.report_return", "reports.report_accept"} <= actions


def test_only_the_supervising_department_reviews(rw):
    report = submitted(rw)
    for user in (rw.other_dept_admin, rw.province_admin, rw.wuhua_admin, rw.uni_admin):
        with pytest.raises(Forbidden):
            filing.accept(user, report)
        with pytest.raises(Forbidden):
            filing.return_report(user, report, "no")
    assert filing.accept(rw.platform_admin, report).status == ReportStatus.ACCEPTED


def test_late_submission_and_acceptance_close_the_credit_record(rw):
    rw.round.opens_on = datetime.date(rw.year + 1, 1, 1)
    rw.round.due_on = timezone.localdate() - datetime.timedelta(days=1)
    rw.round.save()
    key = filing.not_filed_key(rw.uni.pk, rw.year)
    record, _ = orgs.record_by_rule(
        rw.uni,
        key=key,
        kind="warning",
        cause="reports.not_filed",
        summary="未按规定报送科技成果转化年度报告",
        rule="促进科技成果转化法第二十一条",
        occurred_on=rw.round.due_on,
        year=rw.year,
    )
    report = submitted(rw)
    assert report.late is True
    record.refresh_from_db()
    assert record.is_open  # submitting is not enough: the department must accept
    filing.accept(rw.dept_admin, report)
    record.refresh_from_db()
    assert record.closed_on == timezone.localdate() and record.closed_reason == "late report accepted"


# --- scope ---------------------------------------------------------------------------------------------------------


def test_scope_of_who_sees_what(rw):
    draft = started(rw)
    inst = filing.get_or_start(rw.inst_admin, rw.institute, rw.year)

    def seen(user):
        return set(filing.visible_reports(user).values_list("pk", flat=True))

    assert seen(rw.uni_member) == {draft.pk} and seen(rw.uni_admin) == {draft.pk}
    for user in (rw.dept_admin, rw.other_dept_admin, rw.province_admin, rw.wuhua_admin, rw.visitor):
        assert seen(user) == set()  # drafts stay with the unit
    assert seen(rw.platform_admin) == {draft.pk, inst.pk}
    report = submitted(rw)
    assert seen(rw.dept_admin) == {report.pk}
    assert seen(rw.other_dept_admin) == set()  # another department sees nothing of this unit
    assert seen(rw.province_admin) == {report.pk} and seen(rw.wuhua_admin) == {report.pk}
    assert seen(rw.panlong_admin) == set()  # a county administrator outside the unit's county
    assert set(filing.review_queue(rw.dept_admin)) == {report}
    assert not filing.review_queue(rw.other_dept_admin).exists()
    with pytest.raises(NotFound):
        filing.get_visible(rw.panlong_admin, report.pk)


def test_permission_rules_are_named(rw):
    from techtransfer.accounts import permissions

    report = submitted(rw)
    assert permissions.allowed("reports.review_report", rw.dept_admin, report)
    assert not permissions.allowed("reports.review_report", rw.other_dept_admin, report)
    assert permissions.allowed("reports.file_report", rw.uni_admin, report)
    assert permissions.allowed("reports.view_report", rw.wuhua_admin, report)
    assert not permissions.allowed("reports.view_report", rw.panlong_admin, report)


def test_new_rd_institutions_file_from_2019(rw, make_org):
    org = make_org(kind=OrgKind.NEW_RD, legal_form=LegalForm.PUBLIC_INSTITUTION, supervisor=rw.dept)
    from techtransfer.reports.services import obligation

    assert obligation.must_file(org, 2019) and not obligation.must_file(org, 2018)
