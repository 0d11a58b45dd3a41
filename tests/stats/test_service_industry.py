"""Service-industry statistics — 技术转移服务业专项统计 (seed 004, issue 12 item 11): derived figures, the yearly
return of each institution (validated, audited, its admin only), the table by region with export."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.audit.models import AuditEntry
from techtransfer.contracts import services as contracts
from techtransfer.core.errors import DomainError, Forbidden
from techtransfer.orgs.models import OrgKind
from techtransfer.people.models import BrokerLevel, BrokerProfile, Person
from techtransfer.stats import service_industry
from techtransfer.stats.models import ServiceReturn
from tests.conftest import QILIN, WUHUA
from tests.contracts.conftest import cw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def svc(cw, make_org, make_user):  # noqa: F811
    s = cw
    s.inst = make_org("五华技术转移服务中心", region=WUHUA, kind=OrgKind.TT_SERVICE)
    s.qj_inst = make_org("麒麟技术转移服务中心", region=QILIN, kind=OrgKind.TT_SERVICE)
    s.inst_admin = make_user("inst_admin", Role.ORG_ADMIN, org=s.inst)
    s.inst_member = make_user("inst_member", Role.ORG_MEMBER, org=s.inst)
    for i, level in enumerate((BrokerLevel.JUNIOR, BrokerLevel.SENIOR)):
        person = Person.objects.create(name=f"经纪人{i}", organization=s.inst, region_id=WUHUA)
        BrokerProfile.objects.create(person=person, level=level, certificate_no=f"JJ-{i}")
    Person.objects.create(name="非经纪人", organization=s.inst, region_id=WUHUA)
    # A technology intermediary contract (技术中介合同) filed by the institution as the intermediary.
    data = cw.data(
        name="光伏封装技术中介合同",
        category="service",
        subcategory="svc_intermediary",
        contract_amount="50000.00",
        seller={"organization": s.inst.pk},
        payments=[{"due_on": datetime.date.today() + datetime.timedelta(days=30), "amount": "50000.00"}],
    )
    contract = contracts.file_contract(s.inst_member, data)
    contract = contracts.submit(s.inst_member, contract)
    contracts.certify(cw.reviewer, contract, "service", "svc_intermediary", [])
    cw.certified()  # an ordinary contract of another seller: not brokered
    return s


def test_derived_figures_and_the_return(svc):
    """Seed 004 (技术转移服务业专项统计): institutions, brokers and registered intermediary contracts come from the
    records; staff, services and income from the return."""
    table = service_industry.service_table(None, YEAR, "530102")
    row = next(r for r in table.rows if r.org_id == svc.inst.pk)
    assert (row.brokers, row.contracts, row.contract_amount, row.filed) == (2, 1, Decimal("50000.00"), False)
    assert row.staff is None and row.income is None
    service_industry.file_return(
        svc.inst_admin, svc.inst, YEAR,
        {"staff": "12", "services": 40, "income": "1,200,000", "other_contracts": 3, "other_amount": "300000"},
    )
    table = service_industry.service_table(None, YEAR, "530102")
    row = next(r for r in table.rows if r.org_id == svc.inst.pk)
    assert (row.staff, row.services, row.income) == (12, 40, Decimal("1200000.00"))
    assert (row.contracts, row.contract_amount) == (4, Decimal("350000.00"))
    assert table.total.income == Decimal("1200000.00") and table.returns == 1
    assert svc.qj_inst.pk not in {r.org_id for r in table.rows}  # 曲靖 is outside 五华区


def test_return_is_validated(svc):
    good = {"staff": 5, "services": 10, "income": "100000"}
    cases = [
        ({**good, "staff": -1}, "staff"),
        ({**good, "staff": "x"}, "staff"),
        ({**good, "income": "-5"}, "income"),
        ({k: v for k, v in good.items() if k != "services"}, "services"),
        ({**good, "staff": 0}, "staff"),
        ({**good, "other_amount": "1000"}, "other_contracts"),
        ({**good, "bogus": 1}, "bogus"),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as exc:
            service_industry.file_return(svc.inst_admin, svc.inst, YEAR, data)
        assert exc.value.field == field, data
    with pytest.raises(DomainError) as exc:
        service_industry.file_return(svc.inst_admin, svc.inst, YEAR + 1, good)
    assert exc.value.field == "year"
    with pytest.raises(DomainError):
        service_industry.file_return(svc.w.org_admin, svc.w.wuhua_org, YEAR, good)  # not a service institution
    assert not ServiceReturn.objects.exists()


def test_only_the_institutions_admin_files_and_changes_are_audited(svc):
    data = {"staff": 5, "services": 10, "income": "100000"}
    for user in (svc.inst_member, svc.w.wuhua_admin, svc.w.org_admin):
        with pytest.raises(Forbidden):
            service_industry.file_return(user, svc.inst, YEAR, data)
    ret = service_industry.file_return(svc.inst_admin, svc.inst, YEAR, data)
    service_industry.file_return(svc.inst_admin, svc.inst, YEAR, {**data, "staff": 6})
    ret.refresh_from_db()
    assert ret.staff == 6 and ServiceReturn.objects.count() == 1
    entries = AuditEntry.objects.filter(object_id=str(ret.pk), action__startswith="stats.service_return")
    assert sorted(entries.values_list("action", flat=True)) == [
        "stats.service_return.create", "stats.service_return.update"
    ]


def test_scope_like_the_other_statistics(svc):
    """Region administrators count their region, members their own institution, visitors nothing."""
    kunming = {r.org_id for r in service_industry.service_table(svc.w.kunming_admin, YEAR).rows}
    assert svc.inst.pk in kunming and svc.qj_inst.pk not in kunming
    everything = {r.org_id for r in service_industry.service_table(None, YEAR).rows}
    assert {svc.inst.pk, svc.qj_inst.pk} <= everything
    assert {r.org_id for r in service_industry.service_table(svc.inst_member, YEAR).rows} == {svc.inst.pk}
    assert service_industry.service_table(svc.w.visitor, YEAR).rows == []


def test_api_table_return_and_export(svc, client_for):
    admin = client_for(svc.inst_admin)
    url = f"/api/v1/stats/services/returns/{svc.inst.pk}/{YEAR}"
    r = admin.put(url, json.dumps({"staff": 8, "services": 20, "income": "500000.00"}),
                  content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["staff"] == 8 and r.json()["income"] == "500000.00"
    r = admin.put(url, json.dumps({"staff": -1, "services": 20, "income": "1"}), content_type="application/json")
    assert 400 <= r.status_code < 500
    r = client_for(svc.inst_member).put(url, json.dumps({"staff": 1, "services": 1, "income": "1"}),
                                        content_type="application/json")
    assert r.status_code == 403
    assert client_for(svc.w.panlong_admin).get(url).status_code == 404  # another county's institution
    assert client_for(svc.w.wuhua_admin).get(url).json()["services"] == 20
    body = client_for(svc.w.province_admin).get(f"/api/v1/stats/services?year={YEAR}&region=530100").json()
    row = next(x for x in body["rows"] if x["org_id"] == svc.inst.pk)
    assert (row["staff"], row["brokers"], row["contracts"]) == (8, 2, 1)
    assert body["returns"] == 1 and body["total"]["contract_amount"] == "50000.00"
    export = client_for(svc.w.province_admin).get(f"/api/v1/stats/services?year={YEAR}&region=530100&format=csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert any(svc.inst.name in line for line in lines)
    assert client_for(svc.w.visitor).get(f"/api/v1/stats/services?year={YEAR}").json()["rows"] == []


def test_pages(svc, client_for):
    admin = client_for(svc.inst_admin)
    url = reverse("stats:service-return", args=[svc.inst.pk, YEAR])
    r = admin.post(url, {"staff": "3", "services": "", "income": "1000"})
    assert r.status_code == 400 and "field-error" in r.content.decode()
    r = admin.post(url, {"staff": "3", "services": "7", "income": "1000"})
    assert r.status_code == 302
    assert ServiceReturn.objects.get(organization=svc.inst, year=YEAR).services == 7
    page = client_for(svc.w.kunming_admin).get(reverse("stats:services"), {"year": YEAR, "region": "530100"})
    assert page.status_code == 200 and svc.inst.name in page.content.decode()
    assert 'data-testid="service-return-form"' not in client_for(svc.w.kunming_admin).get(url).content.decode()
    xlsx = client_for(svc.w.kunming_admin).get(reverse("stats:services"), {"year": YEAR, "region": "530100",
                                                                            "format": "xlsx"})
    assert xlsx.status_code == 200
