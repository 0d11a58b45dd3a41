"""Demo annual reports — 年度报告演示: the province's education department (主管部门 of the demo universities, with the
demo account ``edu_dept``) and science department (of the research institutes) are recorded as supervisors; the
province opens rounds for the last two report years (due 31 March of the next year); the units' reports go through
the filing services — accepted on time, accepted late (the not-filed credit record closed by the acceptance),
returned with comments (the demo university's current report), submitted, a draft — and one obligated unit is left
without a report on the current year (the deadlines job gives it its credit record). Filing dates are then set back
to the filing season (a demo shows the past). Deterministic; does nothing without the demo accounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from techtransfer.accounts.models import Role, RoleAssignment, User
from techtransfer.orgs import creditcode
from techtransfer.orgs import services as orgs
from techtransfer.orgs.models import CreditRecord, LegalForm, Organization, OrgKind, Verification
from techtransfer.reports.models import ActionKind, AnnualReport, ReportingRound
from techtransfer.reports.services import deadlines, filing, obligation, prefill, templates

PROVINCE = "530000"
DEPARTMENTS = {
    "edu": ("云南省教育厅（演示）", "00530001"),
    "sci": ("云南省科学技术厅（演示）", "00530002"),
}
DEPT_USER = "edu_dept"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_demo=True).first()


def department(key: str) -> Organization:
    """The demo supervising department ``key`` (``edu`` or ``sci``), made once (the demo accounts part asks for the
    education department, whose administrator is a printed demo account)."""
    name, body = DEPARTMENTS[key]
    org = Organization.objects.filter(name=name).first()
    if org is None:
        org = Organization.objects.create(
            name=name,
            kind=OrgKind.GOVERNMENT,
            region_id=PROVINCE,
            credit_code=creditcode.make("1", "1", PROVINCE, body),
            verification=Verification.VERIFIED,
            legal_form=LegalForm.GOVERNMENT,
            ownership_id="state",
            contact_name="科技成果转化工作联系人（演示）",
            contact_phone=f"0871-6{body[-7:]}",
            contact_email=f"dept{body[-4:]}@example.cn",
            is_demo=True,
            description="主管部门：审核所属单位的科技成果转化年度报告（演示）。",
        )
    return org


def _values(template, registered: dict, i: int) -> dict:
    """Declared figures that agree with the registered ones and pass every check."""
    values = {}
    for key, field in templates.fields(template).items():
        if field.kind == "count":
            values[key] = 0
        elif field.kind == "money":
            values[key] = "0.00"
    for key, field in templates.fields(template).items():
        if field.registered and field.registered in registered:
            values[key] = registered[field.registered]
    for prefix in ("transfer", "licence", "equity", "development", "consulting", "service"):
        amount = Decimal(str(values.get(f"{prefix}_amount", "0")))
        values[f"{prefix}_received"] = str((amount * Decimal("0.6")).quantize(Decimal("0.01")))
    income = sum(Decimal(str(values[f"{p}_received"])) for p in ("transfer", "licence", "equity"))
    income += Decimal(30000 * (1 + i % 5))
    values.update(
        patents_granted=20 + 7 * (i % 6),
        invention_patents_granted=8 + 3 * (i % 4),
        other_ip_granted=5 + i % 9,
        income_total=str(income),
        reward_persons=4 + i % 7,
        reward_amount=str((income / 2).quantize(Decimal("0.01"))),
        leader_persons=i % 2,
        leader_amount=str((income / 20).quantize(Decimal("0.01")) if i % 2 else "0.00"),
        companies_created=i % 3,
        companies_invested=i % 2,
        equity_held=str(Decimal(200000 * (i % 3))),
        office_staff=int(values.get("office_brokers", 0)) + 2 + i % 4,
        office_budget=str(Decimal(150000 + 10000 * i)),
        measures="修订科技成果转化管理办法，设立技术转移中心，落实成果完成人奖励。",
        cases="某项新品种权许可给省内种业企业，当年到账。" if i % 2 else "",
    )
    if "fiscal_funded" in values:
        values["fiscal_funded"] = 3 + i % 5
    return {k: str(v) for k, v in values.items()}


def _backdate(report: AnnualReport, submitted: datetime.datetime, accepted: datetime.datetime | None, late: bool):
    AnnualReport.objects.filter(pk=report.pk).update(
        submitted_at=submitted, late=late, accepted_at=accepted, reviewed_at=accepted or submitted
    )
    report.actions.filter(action=ActionKind.SUBMIT).update(at=submitted)
    if accepted:
        report.actions.filter(action=ActionKind.ACCEPT).update(at=accepted)
    report.actions.filter(action=ActionKind.RETURN).update(at=submitted + datetime.timedelta(days=5))


def _file(unit, year, state, i, filer, reviewer, rnd) -> AnnualReport:
    report = filing.get_or_start(filer, unit, year)
    values = _values(report.template, prefill.registered_figures(unit, year), i)
    report = filing.save_draft(filer, report, values)
    if state == "draft":
        return report
    tz = timezone.get_current_timezone()
    late = state == "late"
    if late:  # the deadline passed without a report: the not-filed record, closed when the late report is accepted
        orgs.record_by_rule(
            unit,
            key=filing.not_filed_key(unit.pk, year),
            kind="warning",
            cause="reports.not_filed",
            summary=f"未按规定报送科技成果转化年度报告（{year}年度）",
            rule=f"促进科技成果转化法第二十一条; {rnd.notice}",
            occurred_on=rnd.due_on + datetime.timedelta(days=1),
            year=year,
        )
    report = filing.submit(filer, report)
    if state == "returned":
        report = filing.return_report(reviewer, report, "奖励金额与收入分配明细不一致，请核对后重新报送（演示）。")
    elif state in ("accepted", "late"):
        report = filing.accept(reviewer, report, "经审核，同意报送（演示）。")
    day = (
        rnd.due_on + datetime.timedelta(days=20 + i % 20) if late else rnd.due_on - datetime.timedelta(days=25 - i % 20)
    )
    submitted = datetime.datetime.combine(day, datetime.time(10, 0), tz)
    accepted = submitted + datetime.timedelta(days=7) if state in ("accepted", "late") else None
    _backdate(report, submitted, accepted, late)
    if late:
        CreditRecord.objects.filter(key=filing.not_filed_key(unit.pk, year)).update(closed_on=accepted.date())
    return report


def load(progress) -> int:
    platform, uni_admin = _user("platform"), _user("uni_admin")
    if platform is None or uni_admin is None:
        progress("reports: no demo accounts; skipped")
        return 0
    if AnnualReport.objects.filter(is_demo=True).exists():
        return 0
    edu, sci = department("edu"), department("sci")
    dept_user = _user(DEPT_USER)
    if dept_user is None:
        dept_user = User.objects.create(
            username=DEPT_USER,
            display_name="主管部门管理员（演示）",
            email=f"{DEPT_USER}@example.cn",
            password=uni_admin.password,  # the demo password (demo sits above reports)
            is_demo=True,
        )
        RoleAssignment.objects.create(user=dept_user, role=Role.ORG_ADMIN, organization=edu)
    Organization.objects.filter(is_demo=True, kind=OrgKind.UNIVERSITY, region__code__startswith="53").update(
        supervisor=edu
    )
    Organization.objects.filter(is_demo=True, kind=OrgKind.INSTITUTE, region__code__startswith="53").update(
        supervisor=sci
    )

    current = filing.current_report_year()
    demo_uni = RoleAssignment.objects.filter(user=uni_admin, role=Role.ORG_ADMIN).values_list(
        "organization_id", flat=True
    )
    count = 0
    for year in (current - 1, current):
        template = templates.template_for(year)
        rnd, _made = ReportingRound.objects.get_or_create(
            year=year,
            region_id=PROVINCE,
            defaults={
                "template": template,
                "opens_on": datetime.date(year + 1, 1, 1),
                "due_on": datetime.date(year + 1, 3, 31),
                "notice": f"关于报送{year}年度科技成果转化年度报告的通知（演示）",
            },
        )
        units = [u for u in obligation.obligated_units(year, PROVINCE).filter(is_demo=True) if u.supervisor_id]
        units.sort(key=lambda u: (u.pk not in demo_uni, u.name, u.pk))
        for i, unit in enumerate(units):
            if year == current:
                if i == len(units) - 1:
                    continue  # not filed: the deadlines job makes its credit record
                state = (
                    "returned"
                    if i == 0
                    else {1: "submitted", 2: "late", 3: "draft", 4: "submitted"}.get(i % 6, "accepted")
                )
            else:
                state = "late" if i % 7 == 2 else "accepted"
            filer = uni_admin if unit.pk in demo_uni else platform
            reviewer = dept_user if unit.supervisor_id == edu.pk else platform
            _file(unit, year, state, i, filer, reviewer, rnd)
            count += 1
        progress(f"reports: {len(units)} units must file on {year}; round due {rnd.due_on}")
    # The demo world has been on the platform for years: its units were registered before the rounds' deadlines, so
    # the daily job gives the units that did not file by a deadline their credit records (once; see deadlines).
    Organization.objects.filter(is_demo=True, created_at__gt=_long_ago(current)).update(created_at=_long_ago(current))
    overdue = deadlines.mark_overdue(timezone.localdate())
    progress(f"reports: {overdue.records} not-filed credit records")
    return count + overdue.records


def _long_ago(current: int) -> datetime.datetime:
    return datetime.datetime(current - 2, 1, 1, tzinfo=datetime.UTC)
