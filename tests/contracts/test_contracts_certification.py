"""Certification and refusal: categories, refusal reasons, the amount split, who may decide, oral contracts,
expert re-review of large contracts, processing time."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from techtransfer.audit.services import entries_for
from techtransfer.contracts import data, services
from techtransfer.contracts.models import (
    AmountKind,
    ContractEvent,
    EventKind,
    PointProfile,
    RefusalReason,
    Status,
    TechContract,
)
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from tests.contracts.conftest import CATEGORY_SAMPLES

pytestmark = pytest.mark.django_db


def lines_of(contract):
    return sorted((line.kind, line.amount) for line in contract.amount_lines.all())


def test_classification_tables_are_seeded_per_the_rules():
    from techtransfer.contracts.models import ContractCategory, ContractSubcategory, IPType

    assert list(ContractCategory.objects.values_list("name", flat=True)) == [
        "技术开发",
        "技术转让",
        "技术许可",
        "技术咨询",
        "技术服务",
    ]
    assert set(ContractSubcategory.objects.filter(category="licence").values_list("name", flat=True)) == {
        "专利实施许可",
        "技术秘密使用许可",
        "其他技术许可",
    }
    assert set(ContractSubcategory.objects.filter(category="service").values_list("name", flat=True)) >= {
        "技术培训",
        "技术中介",
    }
    assert set(IPType.objects.values_list("name", flat=True)) == {
        "专利",
        "计算机软件著作权",
        "技术秘密",
        "集成电路布图设计",
        "植物新品种",
        "生物医药新品种",
        "未涉及知识产权",
    }
    assert RefusalReason.objects.count() == len(data.REFUSAL_REASONS) == 15  # 14 + export_prohibited (export control)
    assert set(RefusalReason.objects.filter(credit_record=True).values_list("code", flat=True)) == {
        "false_contract",
        "split_contract",
    }


@pytest.mark.parametrize("category, subcategory, scope", CATEGORY_SAMPLES)
def test_each_category_and_subcategory_can_be_certified(cw, category, subcategory, scope):
    contract = cw.submitted(category=category, subcategory=subcategory, licence_scope=scope)
    services.certify(cw.reviewer, contract, category, subcategory, [])
    contract = TechContract.objects.get(pk=contract.pk)
    assert contract.status == Status.CERTIFIED
    assert contract.category_id == category and contract.subcategory_id == subcategory
    assert contract.licence_scope == scope
    assert contract.tech_amount == contract.contract_amount == cw.D("1000000.00")
    assert contract.registration_number and contract.registered_on and contract.decided_at
    assert entries_for(contract).filter(action="contracts.certify").count() == 1


def test_reviewer_fixes_the_category(cw):
    contract = cw.submitted(category="development", subcategory="dev_commissioned")
    services.certify(cw.reviewer, contract, "service", "svc_general", [])
    contract.refresh_from_db()
    assert (contract.category_id, contract.subcategory_id) == ("service", "svc_general")


def test_certifying_as_licence_needs_a_scope_and_matching_subcategory(cw):
    contract = cw.submitted()
    with pytest.raises(DomainError) as exc:
        services.certify(cw.reviewer, contract, "licence", "lic_patent", [])
    assert exc.value.field == "licence_scope"
    with pytest.raises(DomainError) as exc:
        services.certify(cw.reviewer, contract, "transfer", "lic_patent", [])
    assert exc.value.field == "subcategory"
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED
    services.certify(cw.reviewer, contract, "licence", "lic_patent", [], licence_scope="sole")
    assert TechContract.objects.get(pk=contract.pk).licence_scope == "sole"


def test_amount_split_excludes_the_non_technical_lines(cw):
    contract = cw.submitted(contract_amount="1000000.00")
    services.certify(
        cw.reviewer,
        contract,
        "development",
        "dev_commissioned",
        [
            {"kind": "equipment", "amount": "200000.00", "description": "层压机"},
            {"kind": "instruments", "amount": "50000.00"},
            {"kind": "parts", "amount": "30000.00"},
            {"kind": "materials", "amount": "15000.50"},
            {"kind": "other", "amount": "4999.50"},
            {"kind": "technology", "amount": "700000.00", "description": "工艺开发"},
        ],
    )
    contract.refresh_from_db()
    assert contract.non_tech_amount == cw.D("300000.00")
    assert contract.tech_amount == cw.D("700000.00")
    assert lines_of(contract) == sorted(
        [
            (AmountKind.TECHNOLOGY, cw.D("700000.00")),
            (AmountKind.EQUIPMENT, cw.D("200000.00")),
            (AmountKind.INSTRUMENTS, cw.D("50000.00")),
            (AmountKind.PARTS, cw.D("30000.00")),
            (AmountKind.MATERIALS, cw.D("15000.50")),
            (AmountKind.OTHER, cw.D("4999.50")),
        ]
    )
    assert sum(line.amount for line in contract.amount_lines.all()) == contract.contract_amount
    assert contract.amount_lines.get(kind="technology").description == "工艺开发"


def test_split_of_a_pure_equipment_contract_leaves_zero_technology(cw):
    split = services.split_amount(cw.D("100.00"), [{"kind": "equipment", "amount": "100.00"}])
    assert split.tech_amount == cw.D("0.00") and split.non_tech_amount == cw.D("100.00")


@pytest.mark.parametrize(
    "lines, field",
    [
        ([{"kind": "equipment", "amount": "-1.00"}], "amount_lines.0.amount"),
        ([{"kind": "equipment", "amount": "1000000.01"}], "amount_lines"),
        ([{"kind": "equipment", "amount": "600000"}, {"kind": "materials", "amount": "400000.01"}], "amount_lines"),
        ([{"kind": "technology", "amount": "900000"}, {"kind": "parts", "amount": "100000.01"}], "amount_lines"),
        ([{"kind": "technology", "amount": "600000"}, {"kind": "parts", "amount": "300000"}], "amount_lines"),
        ([{"kind": "land", "amount": "1.00"}], "amount_lines.0.kind"),
        ([{"kind": "parts", "amount": "1e20"}], "amount_lines.0.amount"),
        ([{"kind": "parts", "amount": True}], "amount_lines.0.amount"),
        (["parts"], "amount_lines.0"),
        ([{"kind": "parts", "amount": "1.001"}], "amount_lines.0.amount"),
    ],
)
def test_amount_split_is_validated_and_nothing_changes(cw, lines, field):
    contract = cw.submitted(contract_amount="1000000.00")
    with pytest.raises(DomainError) as exc:
        services.certify(cw.reviewer, contract, "development", "dev_commissioned", lines)
    assert exc.value.field == field
    fresh = TechContract.objects.get(pk=contract.pk)
    assert fresh.status == Status.SUBMITTED and fresh.registration_number is None and fresh.tech_amount is None
    assert not fresh.amount_lines.exists()


def test_split_may_use_the_whole_amount(cw):
    contract = cw.submitted(contract_amount="1000000.00")
    services.certify(
        cw.reviewer, contract, "development", "dev_commissioned", [{"kind": "equipment", "amount": "1000000.00"}]
    )
    assert TechContract.objects.get(pk=contract.pk).tech_amount == cw.D("0.00")


@pytest.mark.parametrize("code", [row[0] for row in data.REFUSAL_REASONS])
def test_each_refusal_reason(cw, code):
    contract = cw.submitted()
    services.refuse(cw.reviewer, contract, [code], note="见审查意见")
    contract = TechContract.objects.get(pk=contract.pk)
    assert contract.status == Status.REFUSED and contract.registration_number is None
    assert list(contract.refusal_reasons.values_list("code", flat=True)) == [code]
    assert contract.refusal_note == "见审查意见" and contract.decided_at is not None
    event = contract.events.get(kind=EventKind.REFUSED)
    assert event.data == {"reasons": [code]} and event.count_delta == 0
    assert entries_for(contract).filter(action="contracts.refuse", reason=code).exists()


def test_refusal_needs_known_reasons(cw):
    contract = cw.submitted()
    with pytest.raises(DomainError):
        services.refuse(cw.reviewer, contract, [])
    with pytest.raises(DomainError):
        services.refuse(cw.reviewer, contract, ["too_expensive"])
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED
    services.refuse(cw.reviewer, contract, ["unclear_price", "missing_content"])
    assert set(contract.refusal_reasons.values_list("code", flat=True)) == {"unclear_price", "missing_content"}


def test_oral_contract_cannot_be_certified_and_is_refused(cw):
    """A submitted oral contract (accepted before oral filings were stopped at submission) is still never
    certified — 《技术合同认定登记管理办法》 (written contracts only); it can be refused with 'oral form'."""
    contract = cw.submitted()
    TechContract.objects.filter(pk=contract.pk).update(written_form=False)
    contract.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.certify(cw.reviewer, contract, "development", "dev_commissioned", [])
    assert exc.value.code == "oral_contract"
    fresh = TechContract.objects.get(pk=contract.pk)
    assert fresh.status == Status.SUBMITTED and fresh.registration_number is None
    services.refuse(cw.reviewer, contract, ["oral_form"])
    assert TechContract.objects.get(pk=contract.pk).status == Status.REFUSED


def snapshot(contract):
    fresh = TechContract.objects.get(pk=contract.pk)
    return (fresh.status, fresh.registration_number, fresh.tech_amount, fresh.decided_at, fresh.events.count())


@pytest.mark.parametrize(
    "who",
    [
        "qujing_reviewer",
        "panlong_reviewer",
        "member",
        "org_admin",
        "wuhua_admin",
        "kunming_admin",
        "platform_admin",
        "expert",
        "visitor",
    ],
)
def test_who_may_not_decide(cw, who):
    contract = cw.submitted()
    user = getattr(cw, who, None) or getattr(cw.w, who)
    before = snapshot(contract)
    with pytest.raises(Forbidden):
        services.certify(user, contract, "development", "dev_commissioned", [])
    with pytest.raises(Forbidden):
        services.refuse(user, contract, ["oral_form"])
    assert snapshot(contract) == before
    assert not contract.amount_lines.exists() and not contract.refusal_reasons.exists()


def test_reviewer_of_another_point_in_scope_may_not_decide(cw, make_user):
    from techtransfer.accounts.models import Role

    # Holds the seller's region, but through another registration point.
    other = make_user("other_point_reviewer", Role.REVIEWER, region="530000", org=cw.qujing_point)
    contract = cw.submitted()
    with pytest.raises(Forbidden):
        services.certify(other, contract, "development", "dev_commissioned", [])
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED


def test_reviewer_grant_without_region_has_the_points_jurisdiction(cw, make_user):
    from techtransfer.accounts.models import Role

    plain = make_user("plain_reviewer", Role.REVIEWER, org=cw.kunming_point)
    contract = cw.submitted()
    assert services.may_decide(plain, contract)
    plain_qj = make_user("plain_qj_reviewer", Role.REVIEWER, org=cw.qujing_point)
    assert not services.may_decide(plain_qj, contract)


def test_a_decision_is_final(cw):
    contract = cw.certified()
    with pytest.raises(Conflict):
        services.certify(cw.reviewer2, contract, "development", "dev_commissioned", [])
    with pytest.raises(Conflict):
        services.refuse(cw.reviewer2, contract, ["oral_form"])
    draft = cw.filed(name="草稿合同")
    with pytest.raises(Forbidden):
        services.certify(cw.qujing_reviewer, draft, "development", "dev_commissioned", [])
    with pytest.raises(Conflict):
        services.certify(cw.reviewer, draft, "development", "dev_commissioned", [])


@pytest.mark.parametrize(
    "category, subcategory, amount, needed",
    [
        ("development", "dev_cooperative", "10000000.01", True),
        ("transfer", "tr_patent", "25000000.00", True),
        ("development", "dev_commissioned", "10000000.00", False),
        ("licence", "lic_patent", "30000000.00", False),
        ("service", "svc_general", "30000000.00", False),
    ],
)
def test_large_contract_extra_review(cw, category, subcategory, amount, needed):
    scope = "exclusive" if category == "licence" else ""
    contract = cw.submitted(
        category=category,
        subcategory=subcategory,
        licence_scope=scope,
        contract_amount=amount,
        payments=[{"amount": amount}],
    )
    assert services.needs_expert_review(contract) is needed
    if needed:
        with pytest.raises(Conflict) as exc:
            services.certify(cw.reviewer, contract, category, subcategory, [])
        assert exc.value.code == "expert_review_required"
        services.record_expert_review(cw.expert, contract, "王教授、李研究员", approved=False, opinion="需补充材料")
        with pytest.raises(Conflict):
            services.certify(cw.reviewer, contract, category, subcategory, [])
        assert TechContract.objects.get(pk=contract.pk).registration_number is None
        services.record_expert_review(cw.reviewer, contract, "王教授、李研究员", approved=True)
        assert contract.events.filter(kind=EventKind.EXPERT_REVIEW).count() == 2
    services.certify(cw.reviewer, contract, category, subcategory, [])
    assert TechContract.objects.get(pk=contract.pk).status == Status.CERTIFIED


def test_reclassifying_into_a_large_review_category_needs_the_review(cw):
    contract = cw.submitted(
        category="service",
        subcategory="svc_general",
        contract_amount="12000000.00",
        payments=[{"amount": "12000000.00"}],
    )
    with pytest.raises(Conflict):
        services.certify(cw.reviewer, contract, "transfer", "tr_secret", [])


@override_settings(CONTRACTS_LARGE_AMOUNT="500000")
def test_large_contract_threshold_is_configurable(cw):
    assert services.needs_expert_review(cw.submitted(contract_amount="600000.00", payments=[{"amount": "1"}]))


def test_expert_review_only_by_the_points_reviewers_or_experts(cw, make_user):
    from techtransfer.accounts.models import Role

    contract = cw.submitted()
    stranger = make_user("other_expert", Role.EXPERT, org=cw.qujing_point)
    for user in (stranger, cw.qujing_reviewer, cw.w.member):
        with pytest.raises(Forbidden):
            services.record_expert_review(user, contract, "某专家", approved=True)
    assert not contract.expert_reviews.exists()


def test_processing_time_against_the_statutory_limit(cw):
    contract = cw.submitted()
    accepted = timezone.localdate(contract.accepted_at)
    state = services.processing(contract, today=accepted + datetime.timedelta(days=12))
    assert (state.limit_days, state.working_days, state.elapsed, state.overdue) == (30, False, 12, False)
    state = services.processing(contract, today=accepted + datetime.timedelta(days=31))
    assert state.overdue and state.elapsed == 31
    services.certify(cw.reviewer, contract, "development", "dev_commissioned", [])
    state = services.processing(contract, today=accepted + datetime.timedelta(days=90))
    assert state.decided and not state.overdue and state.elapsed <= 1


def test_point_may_set_a_working_day_limit(cw):
    profile = services.point_profile(cw.kunming_point)
    profile.decision_days, profile.working_days = 10, True
    profile.save()
    assert services.add_days(datetime.date(2026, 11, 20), 10, True) == datetime.date(2026, 12, 4)  # Fri → Fri
    assert services.days_between(datetime.date(2026, 11, 20), datetime.date(2026, 11, 23), True) == 1
    contract = cw.submitted()
    accepted = timezone.localdate(contract.accepted_at)
    assert contract.due_on == services.add_days(accepted, 10, True)
    assert (contract.due_on - accepted).days in (12, 14)


@override_settings(CONTRACTS_DECISION_DAYS=15)
def test_default_limit_is_configurable(cw):
    contract = cw.submitted()
    assert contract.due_on == timezone.localdate(contract.accepted_at) + datetime.timedelta(days=15)


def test_point_profile_codes_are_unique_per_region(cw, make_org):
    from techtransfer.orgs.models import OrgKind

    second = make_org("昆明第二登记点", region="530100", kind=OrgKind.REGISTRATION_POINT)
    assert services.point_profile(cw.kunming_point).code == "53010001"
    assert services.point_profile(second).code == "53010002"
    assert PointProfile.objects.count() == 2


def test_events_record_the_history(cw):
    contract = cw.certified()
    kinds = list(ContractEvent.objects.filter(contract=contract).values_list("kind", flat=True))
    assert kinds == [EventKind.FILED, EventKind.SUBMITTED, EventKind.CERTIFIED]


def test_a_refusal_for_deceit_enters_the_sellers_credit_record_once(cw):
    """Grounds of deceit (RefusalReason.credit_record: a fictitious contract, a contract split for benefits) make a
    dishonesty record of the seller naming the contract; other grounds do not."""
    from techtransfer.orgs.models import CreditRecord

    plain = cw.submitted()
    services.refuse(cw.reviewer, plain, ["unclear_price"])
    assert not CreditRecord.objects.filter(organization=plain.seller_org).exists()
    deceit = cw.submitted()
    services.refuse(cw.reviewer, deceit, ["false_contract", "missing_content"])
    record = CreditRecord.objects.get(organization=deceit.seller_org)
    assert (record.kind, record.cause) == ("dishonest", "contracts.refused")
    assert record.key == f"contracts.refused:{deceit.pk}"
    assert "虚构" in record.summary and "技术合同认定登记管理办法" in record.rule and record.is_open
