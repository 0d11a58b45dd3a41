"""Filing and submitting technology contracts: drafts, field checks, completeness, who may file."""

import datetime

import pytest
from django.utils import timezone

from techtransfer.audit.services import entries_for
from techtransfer.contracts import services
from techtransfer.contracts.models import ContractEvent, EventKind, Flow, PartyType, Status, TechContract
from techtransfer.core.errors import Conflict, DomainError, Forbidden

pytestmark = pytest.mark.django_db


def test_member_files_a_draft_with_parties_from_the_organizations(cw):
    contract = cw.filed()
    assert contract.status == Status.DRAFT
    seller, buyer = contract.seller, contract.buyer
    assert seller.name == cw.w.wuhua_org.name and seller.credit_code == cw.w.wuhua_org.credit_code
    assert seller.region_id == "530102" and seller.party_type == PartyType.ENTERPRISE
    assert buyer.organization == cw.w.panlong_org and buyer.region_id == "530103"
    assert contract.seller_region_id == "530102" and contract.buyer_region_id == "530103"
    assert contract.flow == Flow.IN_PROVINCE
    assert [p.amount for p in contract.payments.all()] == [cw.D("400000.00"), cw.D("600000.00")]
    assert entries_for(contract).filter(action="contracts.file").count() == 1
    assert list(contract.events.values_list("kind", flat=True)) == [EventKind.FILED]


def test_a_draft_may_be_incomplete_but_submit_names_the_gap(cw):
    contract = services.file_contract(cw.w.member, {"seller": {"organization": cw.w.wuhua_org.pk}, "name": "草稿"})
    assert contract.status == Status.DRAFT
    with pytest.raises(DomainError) as exc:
        services.submit(cw.w.member, contract)
    assert exc.value.field == "category"
    contract.refresh_from_db()
    assert contract.status == Status.DRAFT


@pytest.mark.parametrize(
    "override, field",
    [
        ({"technical_summary": ""}, "technical_summary"),
        ({"contract_amount": None}, "contract_amount"),
        ({"contract_amount": "0"}, "contract_amount"),
        ({"tech_field": None}, "tech_field"),
        ({"objective": None}, "objective"),
        ({"ip_type": None}, "ip_type"),
        ({"registration_point": None}, "registration_point"),
        ({"payments": []}, "payments"),
        ({"payments": [{"amount": "1000000.01"}]}, "payments"),
        ({"buyer": None}, "buyer"),
        ({"signed_on": datetime.date.today() + datetime.timedelta(days=3)}, "signed_on"),
        ({"term_end": datetime.date.today() - datetime.timedelta(days=400)}, "term_end"),
        ({"category": "licence", "subcategory": "lic_patent"}, "licence_scope"),
        ({"licence_scope": "exclusive"}, "licence_scope"),
    ],
)
def test_submit_checks_completeness(cw, override, field):
    contract = cw.filed(**override)
    with pytest.raises(DomainError) as exc:
        services.submit(cw.w.member, contract)
    assert exc.value.field == field
    assert TechContract.objects.get(pk=contract.pk).status == Status.DRAFT


@pytest.mark.parametrize(
    "override, field",
    [
        ({"contract_amount": "-5"}, "contract_amount"),
        ({"contract_amount": "12.345"}, "contract_amount"),
        ({"contract_amount": "abc"}, "contract_amount"),
        ({"signed_on": "2024-13-01"}, "signed_on"),
        ({"category": "sale"}, "category"),
        ({"category": "transfer", "subcategory": "dev_commissioned"}, "subcategory"),
        ({"licence_scope": "global"}, "licence_scope"),
        ({"registration_point": None, "colour": "red"}, "colour"),
        ({"buyer": {"name": "某公司", "credit_code": "91530102MA6XXXXXXX", "region": "530103"}}, "buyer.credit_code"),
        ({"buyer": {"name": "某公司", "region": "999999"}}, "buyer.region"),
        ({"buyer": {"name": "Acme", "country": "US", "region": "530103"}}, "buyer.region"),
        ({"buyer": {"name": "Acme", "country": "QQ"}}, "buyer.country"),
        ({"buyer": {"name": "某公司", "party_type": "alien"}}, "buyer.party_type"),
        ({"payments": [{"amount": "-1"}]}, "payments.0.amount"),
    ],
)
def test_filing_rejects_bad_values_naming_the_field(cw, override, field):
    before = TechContract.objects.count()
    with pytest.raises(DomainError) as exc:
        cw.filed(**override)
    assert exc.value.field == field
    assert TechContract.objects.count() == before


def test_registration_point_must_be_one(cw):
    with pytest.raises(DomainError) as exc:
        cw.filed(registration_point=cw.w.panlong_org.pk)
    assert exc.value.field == "registration_point"


def test_seller_applies_at_a_point_of_its_locality(cw):
    contract = cw.filed(registration_point=cw.qujing_point.pk)
    with pytest.raises(DomainError) as exc:
        services.submit(cw.w.member, contract)
    assert exc.value.field == "registration_point"


def test_domestic_party_needs_credit_code_and_region_foreign_party_a_country(cw):
    contract = cw.filed(buyer={"name": "某合作社", "party_type": "enterprise", "region": "530103"})
    with pytest.raises(DomainError) as exc:
        services.submit(cw.w.member, contract)
    assert exc.value.field == "buyer.credit_code"
    contract = cw.filed(buyer={"name": "某公司", "party_type": "enterprise", "credit_code": cw.credit_code("530103")})
    with pytest.raises(DomainError) as exc:
        services.submit(cw.w.member, contract)
    assert exc.value.field == "buyer.region"
    # Individuals have no credit code.
    contract = cw.filed(buyer={"name": "张三", "party_type": "individual", "region": "530103"})
    assert services.submit(cw.w.member, contract).status == Status.SUBMITTED


def test_foreign_and_cross_province_buyers_set_the_flow(cw):
    foreign = cw.submitted(buyer={"name": "Acme Solar GmbH", "party_type": "enterprise", "country": "DE"})
    assert foreign.flow == Flow.INTERNATIONAL and foreign.buyer_country_id == "DE" and foreign.buyer_region_id is None
    beijing = cw.submitted(
        name="另一份合同",
        buyer={
            "name": "北京某科技有限公司",
            "party_type": "enterprise",
            "region": "110108",
            "credit_code": cw.credit_code("110108"),
        },
    )
    assert beijing.flow == Flow.CROSS_PROVINCE


def test_only_seller_members_file_and_submit(cw):
    for outsider in (cw.w.visitor, cw.w.wuhua_admin, cw.reviewer, cw.w.platform_admin):
        with pytest.raises(Forbidden):
            services.file_contract(outsider, cw.data())
    assert TechContract.objects.count() == 0
    contract = services.file_contract(cw.w.org_admin, cw.data())
    with pytest.raises(Forbidden):
        services.submit(cw.reviewer, contract)
    assert TechContract.objects.get(pk=contract.pk).status == Status.DRAFT


def test_update_draft_then_no_more_changes_after_submission(cw):
    contract = cw.filed(contract_amount="500000.00", payments=[{"amount": "500000.00"}])
    services.update_draft(cw.w.member, contract, {"contract_amount": "800000.00", "buyer": {"name": "新买方名称"}})
    contract.refresh_from_db()
    assert contract.contract_amount == cw.D("800000.00") and contract.buyer.name == "新买方名称"
    assert entries_for(contract).filter(action="contracts.update").exists()
    with pytest.raises(DomainError):
        services.update_draft(cw.w.member, contract, {"seller": {"organization": cw.w.panlong_org.pk}})
    services.submit(cw.w.member, contract)
    with pytest.raises(Conflict):
        services.update_draft(cw.w.member, contract, {"contract_amount": "1.00"})
    assert TechContract.objects.get(pk=contract.pk).contract_amount == cw.D("800000.00")


def test_submission_is_acceptance_and_sets_the_due_date(cw):
    contract = cw.submitted()
    assert contract.status == Status.SUBMITTED and contract.accepted_at is not None
    accepted = timezone.localdate(contract.accepted_at)
    assert contract.due_on == accepted + datetime.timedelta(days=30)
    assert ContractEvent.objects.filter(contract=contract, kind=EventKind.SUBMITTED).count() == 1


def test_one_contract_is_registered_once(cw):
    cw.submitted()
    with pytest.raises(Conflict):
        cw.submitted()
    assert TechContract.objects.filter(status=Status.SUBMITTED).count() == 1
