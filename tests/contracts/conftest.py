"""A contract world: registration points in 昆明市 and 曲靖市, their reviewers, and a helper that builds complete
contract data for the 五华区 seller of the shared ``world`` fixture."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from techtransfer.accounts.models import Role
from techtransfer.contracts import services
from techtransfer.contracts.models import Screening
from techtransfer.contracts.services import exportcontrol
from techtransfer.orgs.models import OrgKind
from tests.conftest import KUNMING, PANLONG, QUJING, WUHUA, make_credit_code

# (category, subcategory, licence scope) — one per category of the Civil Code.
CATEGORY_SAMPLES = [
    ("development", "dev_commissioned", ""),
    ("development", "dev_cooperative", ""),
    ("transfer", "tr_patent", ""),
    ("transfer", "tr_patent_app", ""),
    ("transfer", "tr_secret", ""),
    ("transfer", "tr_other", ""),
    ("licence", "lic_patent", "exclusive"),
    ("licence", "lic_secret", "sole"),
    ("licence", "lic_other", "ordinary"),
    ("consulting", "con_feasibility", ""),
    ("consulting", "con_forecast", ""),
    ("consulting", "con_investigation", ""),
    ("consulting", "con_evaluation", ""),
    ("service", "svc_general", ""),
    ("service", "svc_training", ""),
    ("service", "svc_intermediary", ""),
]


def confirm_screening(reviewer, contract) -> None:
    """Confirm the proposal of a contract's export-control screening (a contract with a foreign buyer is screened at
    submission and certified only once a reviewer confirmed it); nothing for a domestic contract."""
    screening = Screening.objects.filter(subject_kind="contract", subject_id=contract.pk, status="proposed").first()
    if screening is not None:
        exportcontrol.confirm(reviewer, screening)


class ContractWorld:
    def data(self, **overrides) -> dict:
        today = datetime.date.today()
        data = {
            "name": "高效光伏组件封装工艺开发合同",
            "category": "development",
            "subcategory": "dev_commissioned",
            "written_form": True,
            "signed_on": today - datetime.timedelta(days=10),
            "term_start": today - datetime.timedelta(days=10),
            "term_end": today + datetime.timedelta(days=365),
            "contract_amount": "1000000.00",
            "technical_summary": "研究开发光伏组件低温封装工艺，解决层压气泡问题。",
            "ip_type": "patent",
            "tech_field": "06",
            "objective": "energy",
            "registration_point": self.kunming_point.pk,
            "seller": {"organization": self.w.wuhua_org.pk},
            "buyer": {"organization": self.w.panlong_org.pk},
            "payments": [
                {"due_on": today + datetime.timedelta(days=30), "amount": "400000.00", "note": "签约后30日内"},
                {"due_on": today + datetime.timedelta(days=300), "amount": "600000.00", "note": "验收后"},
            ],
        }
        data.update(overrides)
        return data

    def filed(self, **overrides):
        return services.file_contract(self.w.member, self.data(**overrides))

    def submitted(self, **overrides):
        contract = self.filed(**overrides)
        return services.submit(self.w.member, contract)

    def certified(self, lines=None, **overrides):
        contract = self.submitted(**overrides)
        confirm_screening(self.reviewer, contract)
        return services.certify(self.reviewer, contract, contract.category_id, contract.subcategory_id, lines or [])


@pytest.fixture
def cw(world, make_org, make_user):
    c = ContractWorld()
    c.w = world
    c.kunming_point = make_org("昆明市技术合同认定登记点", region=KUNMING, kind=OrgKind.REGISTRATION_POINT)
    c.qujing_point = make_org("曲靖市技术合同认定登记点", region=QUJING, kind=OrgKind.REGISTRATION_POINT)
    c.reviewer = make_user("km_reviewer", Role.REVIEWER, region=KUNMING, org=c.kunming_point)
    c.reviewer2 = make_user("km_reviewer2", Role.REVIEWER, region=KUNMING, org=c.kunming_point)
    c.panlong_reviewer = make_user("pl_reviewer", Role.REVIEWER, region=PANLONG, org=c.kunming_point)
    c.qujing_reviewer = make_user("qj_reviewer", Role.REVIEWER, region=QUJING, org=c.qujing_point)
    c.expert = make_user("km_expert", Role.EXPERT, org=c.kunming_point)
    c.wuhua = WUHUA
    c.credit_code = make_credit_code
    c.D = Decimal
    return c
