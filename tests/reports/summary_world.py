"""A small province of reporting units for the summary tests: two supervising departments, units in three
counties of two cities, reports of two years in every status, and users of every role. Figures are drawn from a
seeded generator so that the tests can sum them again by brute force."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from techtransfer.accounts.models import Role
from techtransfer.orgs.models import LegalForm, OrgKind
from techtransfer.reports.models import AnnualReport, ReportingRound, ReportStatus
from techtransfer.reports.services import templates
from tests.conftest import PANLONG, QILIN, WUHUA

PROVINCE, KUNMING = "530000", "530100"
DUE = {2023: datetime.date(2024, 3, 31), 2024: datetime.date(2025, 3, 31)}
KUNMING_DUE_2024 = datetime.date(2025, 4, 15)  # Kunming's own round, later than the province's


class World:
    pass


def figures(rng: random.Random, template) -> dict:
    """Random declared figures for every numeric field (counts as int, money as two-place strings)."""
    values = {}
    for field in templates.fields(template).values():
        if field.kind == "count":
            values[field.key] = rng.randint(0, 40)
        elif field.kind == "money":
            values[field.key] = f"{Decimal(rng.randint(0, 90_000_000)) / 100:.2f}"
    # one field left empty: it counts as zero
    values.pop("office_budget", None)
    return values


def build(make_org, make_user, seed: int = 14) -> World:
    rng = random.Random(seed)
    w = World()
    w.edu = make_org("省教育厅", region=PROVINCE, kind=OrgKind.GOVERNMENT, legal_form=LegalForm.GOVERNMENT)
    w.km_dept = make_org("昆明市科技局", region=KUNMING, kind=OrgKind.GOVERNMENT, legal_form=LegalForm.GOVERNMENT)

    def unit(name, region, kind, supervisor):
        return make_org(name, region=region, kind=kind, legal_form=LegalForm.PUBLIC_INSTITUTION, supervisor=supervisor)

    w.u_wuhua = unit("五华大学", WUHUA, OrgKind.UNIVERSITY, w.edu)
    w.u_panlong = unit("盘龙学院", PANLONG, OrgKind.UNIVERSITY, w.edu)
    w.u_qilin = unit("麒麟研究所", QILIN, OrgKind.INSTITUTE, w.edu)
    w.u_returned = unit("五华农科所", WUHUA, OrgKind.INSTITUTE, w.km_dept)
    w.u_none = unit("盘龙材料所", PANLONG, OrgKind.INSTITUTE, w.km_dept)
    w.u_draft = unit("麒麟师范学院", QILIN, OrgKind.UNIVERSITY, w.edu)
    w.company = make_org("五华科技有限公司", region=WUHUA)  # not obliged

    w.rounds = {}
    for year in (2023, 2024):
        t = templates.template_for(year)
        w.rounds[year] = ReportingRound.objects.create(
            year=year, region_id=PROVINCE, template=t, opens_on=datetime.date(year + 1, 1, 1), due_on=DUE[year]
        )
    w.km_round = ReportingRound.objects.create(
        year=2024,
        region_id=KUNMING,
        template=templates.template_for(2024),
        opens_on=datetime.date(2025, 1, 1),
        due_on=KUNMING_DUE_2024,
    )

    def report(org, year, status, late=False):
        t = templates.template_for(year)
        values = figures(rng, t)
        values.update(
            measures=f"SECRET-measures-{org.pk}-{year}-{status}",
            cases=f"SECRET-cases-{org.pk}-{year}-{status}",
            problems=f"=SECRET-problems-{org.pk}-{year}-{status}",
        )
        submitted = None if status == ReportStatus.DRAFT else datetime.datetime(year + 1, 3, 1, tzinfo=datetime.UTC)
        rnd = w.km_round if year == 2024 and org.region_id.startswith("5301") else w.rounds[year]
        return AnnualReport.objects.create(
            organization=org,
            year=year,
            round=rnd,
            template=t,
            supervisor=org.supervisor,
            region_id=org.region_id,
            status=status,
            values=values,
            late=late,
            submitted_at=submitted,
        )

    w.reports = [
        report(w.u_wuhua, 2024, ReportStatus.ACCEPTED),
        report(w.u_panlong, 2024, ReportStatus.ACCEPTED, late=True),
        report(w.u_qilin, 2024, ReportStatus.ACCEPTED),
        report(w.u_returned, 2024, ReportStatus.RETURNED),
        report(w.u_draft, 2024, ReportStatus.DRAFT),
        report(w.u_wuhua, 2023, ReportStatus.ACCEPTED),
        report(w.u_panlong, 2023, ReportStatus.ACCEPTED),
        report(w.u_returned, 2023, ReportStatus.ACCEPTED),
        report(w.u_qilin, 2023, ReportStatus.SUBMITTED),
    ]

    w.platform = make_user("sum_platform", Role.PLATFORM_ADMIN)
    w.province = make_user("sum_province", Role.REGION_ADMIN, region=PROVINCE)
    w.kunming = make_user("sum_kunming", Role.REGION_ADMIN, region=KUNMING)
    w.wuhua = make_user("sum_wuhua", Role.REGION_ADMIN, region=WUHUA)
    w.edu_admin = make_user("sum_edu", Role.ORG_ADMIN, org=w.edu)
    w.km_dept_admin = make_user("sum_kmdept", Role.ORG_ADMIN, org=w.km_dept)
    w.unit_admin = make_user("sum_unit", Role.ORG_ADMIN, org=w.u_wuhua)
    w.member = make_user("sum_member", Role.ORG_MEMBER, org=w.edu)
    w.visitor = make_user("sum_visitor")
    return w


def brute_totals(reports, year: int, *, region_prefix: str = "", supervisor=None) -> dict[str, Decimal]:
    """Every numeric figure summed over the accepted reports of ``year`` (read straight from ``values``)."""
    t = templates.template_for(year)
    keys = [f.key for f in templates.fields(t).values() if f.numeric]
    totals = dict.fromkeys(keys, Decimal(0))
    for r in reports:
        if r.year != year or r.status != ReportStatus.ACCEPTED or not r.region_id.startswith(region_prefix):
            continue
        if supervisor is not None and r.supervisor_id != supervisor.pk:
            continue
        for key in keys:
            if key in r.values:
                totals[key] += Decimal(str(r.values[key]))
    return totals
