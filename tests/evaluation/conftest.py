"""An evaluation world: two technology-transfer institutions and a demonstration university in 昆明市, one
institution in 曲靖市 (outside the round), an enterprise, their administrators, and platform records of the
current year whose figures the tests count by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from techtransfer.accounts.models import Role
from techtransfer.catalog import services as catalog
from techtransfer.contracts.models import ContractParty, PartyRole, Status, TechContract
from techtransfer.matching.models import CaseStatus, MatchCase
from techtransfer.orgs.models import DemoLevel, OrgKind
from techtransfer.people.models import BrokerProfile, Person
from techtransfer.subsidies.models import Claim, ClaimEntry, ContractBroker, EntryKind, Policy
from tests.catalog.factories import demand_data
from tests.conftest import PANLONG, QILIN, WUHUA

D = Decimal


class EvalWorld:
    year: int

    def contract(self, seller, category="development", tech="100000.00", status=Status.CERTIFIED, year=None):
        on = datetime.date(year or self.year, 3, 1)
        c = TechContract.objects.create(
            name="测试合同",
            status=status,
            category_id=category,
            contract_amount=D(tech),
            tech_amount=D(tech),
            seller_org=seller,
            seller_region_id=seller.region_id,
            registered_on=on,
        )
        ContractParty.objects.create(
            contract=c,
            role=PartyRole.SELLER,
            name=seller.name,
            party_type="other",
            organization=seller,
            region_id=seller.region_id,
        )
        return c

    def broker(self, org, certificate="", user=None):
        person = Person.objects.create(
            name=f"经纪人{org.pk}{certificate}", organization=org, region_id=org.region_id, user=user
        )
        BrokerProfile.objects.create(person=person, level="junior", certificate_no=certificate)
        return person


@pytest.fixture
def ew(world, make_org, make_user):
    w = EvalWorld()
    w.w = world
    w.year = datetime.date.today().year
    w.a = make_org("甲技术转移中心", region=WUHUA, kind=OrgKind.TT_SERVICE)
    w.b = make_org("乙技术转移中心", region=PANLONG, kind=OrgKind.TT_SERVICE)
    w.c = make_org("曲靖技术转移中心", region=QILIN, kind=OrgKind.TT_SERVICE)
    w.uni = make_org("滇池大学", region=WUHUA, kind=OrgKind.UNIVERSITY, demo_level=DemoLevel.PROVINCIAL, demo_year=2020)
    w.plain_uni = make_org("盘龙学院", region=PANLONG, kind=OrgKind.UNIVERSITY)
    w.ent = world.wuhua_org
    w.a_admin = make_user("a_admin", Role.ORG_ADMIN, org=w.a)
    w.a_member = make_user("a_member", Role.ORG_MEMBER, org=w.a)
    w.b_admin = make_user("b_admin", Role.ORG_ADMIN, org=w.b)
    w.plain_uni_admin = make_user("pu_admin", Role.ORG_ADMIN, org=w.plain_uni)
    w.admin = world.kunming_admin
    w.qujing_admin = make_user("qujing_admin", Role.REGION_ADMIN, region="530300")

    # A: a development and a service contract as seller, a cancelled one (not counted), one of last year.
    w.contract(w.a, "development", "100000.00")
    w.contract(w.a, "service", "50000.00")
    w.contract(w.a, "development", "900000.00", status=Status.CANCELLED)
    w.contract(w.a, "development", "700000.00", year=w.year - 1)
    # B: a consulting contract as seller, and an enterprise's contract its broker contributed to.
    w.contract(w.b, "consulting", "30000.00")
    sold = w.contract(w.ent, "transfer", "200000.00")
    broker_user = make_user("b_broker", Role.BROKER)
    b_broker = w.broker(w.b, "B-001", user=broker_user)
    w.broker(w.b, "B-002")
    ContractBroker.objects.create(contract=sold, broker=b_broker)
    # Brokers of A: one certified, one without a certificate.
    a_user = make_user("a_broker", Role.BROKER)
    w.broker(w.a, "A-001", user=a_user)
    w.broker(w.a, "")
    # Cases of A's broker: two opened this year, one converted.
    demand = catalog.create_demand(world.member, world.wuhua_org, demand_data())
    MatchCase.objects.create(demand=demand, broker=a_user, status=CaseStatus.CONTRACT)
    MatchCase.objects.create(demand=demand, broker=a_user, status=CaseStatus.MEETING)
    # A subsidy paid to A this year.
    policy = Policy.objects.filter(versions__isnull=False).first()
    claim = Claim.objects.create(
        policy=policy,
        version=policy.versions.first(),
        contract=sold,
        beneficiary_role="institution",
        beneficiary_key=f"org:{w.a.pk}",
        organization=w.a,
        region_id=w.a.region_id,
        year=w.year,
        status="paid",
        amount=D("1000.00"),
    )
    ClaimEntry.objects.create(claim=claim, kind=EntryKind.PAID, amount=D("1000.00"))
    return w
