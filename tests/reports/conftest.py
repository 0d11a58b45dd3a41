"""A small reporting world: a province education department supervising a public university in 五华 (Kunming), a
second department with its own institute, administrators of each, region administrators, the province's round for
last year (still open: due in 60 days), and certified contracts where the university sells (the registered figures)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.contracts.models import ContractParty, PartyRole, PartyType, Status, TechContract
from techtransfer.orgs.models import LegalForm, OrgKind
from techtransfer.reports.models import ReportingRound
from techtransfer.reports.services import filing, templates
from tests.conftest import PANLONG, WUHUA

PROVINCE = "530000"


def complete_values(**overrides) -> dict:
    """A complete report agreeing with the world's registered figures (2 development contracts, ¥300,000; 1
    transfer, ¥50,000; no brokers)."""
    values = {
        key: "0"
        for key, f in templates.fields(templates.template_for(filing.current_report_year())).items()
        if f.numeric
    }
    values.update(
        patents_granted="12",
        invention_patents_granted="5",
        transfer_count="1",
        transfer_amount="50000",
        transfer_received="50000",
        development_count="2",
        development_amount="300000",
        development_received="120000",
        income_total="170000",
        reward_persons="6",
        reward_amount="80000",
        office_staff="3",
        measures="设立技术转移中心，完善成果转化收益分配办法。",
    )
    values.update(overrides)
    return values


class ReportWorld:
    pass


@pytest.fixture
def rw(db, make_org, make_user):
    w = ReportWorld()
    w.year = filing.current_report_year()
    w.dept = make_org("云南省教育厅（测试）", region=PROVINCE, kind=OrgKind.GOVERNMENT)
    w.other_dept = make_org("云南省农业农村厅（测试）", region=PROVINCE, kind=OrgKind.GOVERNMENT)
    w.uni = make_org(
        "滇池测试大学",
        region=WUHUA,
        kind=OrgKind.UNIVERSITY,
        legal_form=LegalForm.PUBLIC_INSTITUTION,
        supervisor=w.dept,
    )
    w.institute = make_org(
        "盘龙测试农科所",
        region=PANLONG,
        kind=OrgKind.INSTITUTE,
        legal_form=LegalForm.PUBLIC_INSTITUTION,
        supervisor=w.other_dept,
    )
    w.company = make_org("五华报告测试科技有限公司", region=WUHUA)
    w.uni_admin = make_user("uni_admin_r", Role.ORG_ADMIN, org=w.uni)
    w.uni_member = make_user("uni_member_r", Role.ORG_MEMBER, org=w.uni)
    w.inst_admin = make_user("inst_admin_r", Role.ORG_ADMIN, org=w.institute)
    w.dept_admin = make_user("dept_admin_r", Role.ORG_ADMIN, org=w.dept)
    w.other_dept_admin = make_user("other_dept_admin_r", Role.ORG_ADMIN, org=w.other_dept)
    w.wuhua_admin = make_user("wuhua_admin_r", Role.REGION_ADMIN, region=WUHUA)
    w.panlong_admin = make_user("panlong_admin_r", Role.REGION_ADMIN, region=PANLONG)
    w.province_admin = make_user("province_admin_r", Role.REGION_ADMIN, region=PROVINCE)
    w.platform_admin = make_user("platform_admin_r", Role.PLATFORM_ADMIN)
    w.visitor = make_user("visitor_r")
    w.round = ReportingRound.objects.create(
        year=w.year,
        region_id=PROVINCE,
        template=templates.template_for(w.year),
        opens_on=datetime.date(w.year + 1, 1, 1),
        due_on=timezone.localdate() + datetime.timedelta(days=60),
        notice="测试通知",
    )
    for category, amount in (("development", "100000"), ("development", "200000"), ("transfer", "50000")):
        sell(w.uni, category, Decimal(amount), datetime.date(w.year, 6, 1))
    sell(w.uni, "development", Decimal("999999"), datetime.date(w.year - 1, 6, 1))  # another year: not counted
    return w


def sell(org, category: str, amount: Decimal, on: datetime.date, status: str = Status.CERTIFIED) -> TechContract:
    contract = TechContract.objects.create(
        name=f"{category} {amount}",
        status=status,
        category_id=category,
        seller_org=org,
        seller_region_id=org.region_id,
        contract_amount=amount,
        registered_on=on,
    )
    ContractParty.objects.create(
        contract=contract,
        role=PartyRole.SELLER,
        name=org.name,
        credit_code=org.credit_code,
        region_id=org.region_id,
        party_type=PartyType.UNIVERSITY,
        organization=org,
    )
    return contract
