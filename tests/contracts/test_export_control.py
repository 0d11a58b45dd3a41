"""Export-control screening (技术出口管制) of technology contracts with a foreign buyer: the automatic first pass
against the catalogue, the reviewer's confirmation, and what each outcome does to the registration."""

from __future__ import annotations

import pytest

from techtransfer.accounts.models import Role
from techtransfer.audit.models import AuditEntry
from techtransfer.contracts import services
from techtransfer.contracts.models import (
    ControlStatus,
    ExportControlEdition,
    ExportControlItem,
    Screening,
    ScreeningOutcome,
    ScreeningStatus,
    Status,
)
from techtransfer.contracts.services import exportcontrol
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications.models import Notification
from tests.conftest import KUNMING, QUJING

FOREIGN_BUYER = {"name": "Battery GmbH", "country": "DE", "party_type": "enterprise"}


@pytest.fixture
def catalogue(db):
    edition = ExportControlEdition.objects.create(name="测试目录", notice="测试公告2023年第1号")
    c = type("Catalogue", (), {})()
    c.edition = edition
    c.prohibited = ExportControlItem.objects.create(
        edition=edition,
        number="050304J",
        field="畜牧业",
        name="蚕类品种、繁育和蚕茧采集加工利用技术",
        status=ControlStatus.PROHIBITED,
        keywords=["蚕遗传资源", "蚕种"],
    )
    c.restricted = ExportControlItem.objects.create(
        edition=edition,
        number="086501X",
        field="软件和信息技术服务业",
        name="信息处理技术",
        status=ControlStatus.RESTRICTED,
        keywords=["个性化推荐", "推荐算法"],
        ipc_prefixes=["G06F 16/9535"],
        tech_fields=["01"],
    )
    c.inactive = ExportControlItem.objects.create(
        edition=edition,
        number="999999X",
        name="光伏组件封装技术",
        status=ControlStatus.RESTRICTED,
        keywords=["光伏组件"],
        active=False,
    )
    return c


def foreign(cw, **overrides):
    return cw.submitted(buyer=FOREIGN_BUYER, **overrides)


def screening_of(contract) -> Screening:
    return Screening.objects.get(subject_kind="contract", subject_id=contract.pk)


def certify(cw, contract, user=None):
    return services.certify(user or cw.reviewer, contract, contract.category_id, contract.subcategory_id, [])


# --- who is screened and the first pass ------------------------------------------------------------------------------


def test_domestic_contract_is_not_screened_and_certifies_without_condition(cw, catalogue):
    contract = cw.certified(technical_summary="蚕种繁育技术开发，含蚕遗传资源。")
    assert not Screening.objects.exists()
    assert contract.status == Status.CERTIFIED and contract.conditions == ""


def test_foreign_contract_is_screened_at_submission_by_keyword(cw, catalogue):
    contract = foreign(cw, technical_summary="向境外提供蚕种及蚕遗传资源的繁育技术。")
    s = screening_of(contract)
    assert s.status == ScreeningStatus.PROPOSED and s.proposed_outcome == ScreeningOutcome.PROHIBITED
    assert list(s.proposed_items.all()) == [catalogue.prohibited]
    assert any("蚕遗传资源" in why for why in s.matches[0]["why"])
    assert s.counterparty == "Battery GmbH" and s.counterparty_country_id == "DE"
    # the point's reviewers are told a screening awaits them
    assert Notification.objects.filter(user=cw.reviewer, title__contains="待您确认").exists()
    assert AuditEntry.objects.filter(action="contracts.screening.propose", object_id=str(s.pk)).exists()


def test_matching_by_keyword_ipc_and_field_and_inactive_items_ignored(cw, catalogue, world):
    from techtransfer.catalog import services as catalog

    ach = catalog.create_achievement(
        world.member,
        world.wuhua_org,
        {
            "title": "电商用户画像",
            "abstract": "一种面向电商的用户画像方法。",
            "keywords": ["画像"],
            "tech_field_id": "01",
            "ipc_codes": ["G06F 16/9535"],
            "trl": 5,
        },
    )
    subject = exportcontrol.achievement_subject(ach)
    found = {m.item.number: m.why for m in exportcontrol.match(subject)}
    assert set(found) == {"086501X"}
    assert any("IPC" in w for w in found["086501X"]) and any("01" in w for w in found["086501X"])
    # a field alone is not a match
    ach.ipc_codes = []
    assert exportcontrol.match(exportcontrol.achievement_subject(ach)) == []
    # keyword in the English text, case-insensitive; inactive items never match
    catalogue.restricted.keywords = ["Recommendation Algorithm"]
    catalogue.restricted.save()
    subject = exportcontrol.Subject(texts={"abstract_en": "A recommendation algorithm for photovoltaic 光伏组件 shops"})
    assert [m.item.number for m in exportcontrol.match(subject)] == ["086501X"]
    assert exportcontrol.propose(exportcontrol.Subject(texts={"t": "水稻种植"}))[0] == ScreeningOutcome.FREE


# --- outcomes ---------------------------------------------------------------------------------------------------------


def test_prohibited_confirmed_refuses_the_contract_naming_the_item(cw, catalogue):
    contract = foreign(cw, technical_summary="向境外提供蚕遗传资源的繁育技术。")
    s = exportcontrol.confirm(cw.reviewer, screening_of(contract))
    contract.refresh_from_db()
    assert contract.status == Status.REFUSED
    assert list(contract.refusal_reasons.values_list("code", flat=True)) == ["export_prohibited"]
    assert "050304J" in contract.refusal_note
    assert s.outcome == ScreeningOutcome.PROHIBITED and s.confirmed_by == cw.reviewer
    assert AuditEntry.objects.filter(action="contracts.screening.confirm", object_id=str(s.pk)).exists()
    assert AuditEntry.objects.filter(action="contracts.refuse", object_id=str(contract.pk)).exists()
    assert Notification.objects.filter(user=cw.w.member, title__contains="出口管制筛查已确认").exists()


def test_restricted_needs_the_licence_number_before_certification(cw, catalogue):
    contract = foreign(cw, technical_summary="基于推荐算法的个性化推荐系统开发。")
    s = screening_of(contract)
    assert s.proposed_outcome == ScreeningOutcome.RESTRICTED
    with pytest.raises(Conflict) as exc:
        certify(cw, contract)  # not yet confirmed
    assert exc.value.code == "export_screening_pending"
    exportcontrol.confirm(cw.reviewer, s)
    with pytest.raises(Conflict) as exc:
        certify(cw, contract)
    assert exc.value.code == "export_licence_required" and "086501X" in exc.value.message
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED
    with pytest.raises(DomainError):
        exportcontrol.record_licence(cw.w.member, s, "x")
    with pytest.raises(Forbidden):
        exportcontrol.record_licence(cw.qujing_reviewer, s, "2024XK0001")
    exportcontrol.record_licence(cw.w.member, s, "2024XK0001")
    contract = certify(cw, contract)
    assert contract.status == Status.CERTIFIED and "2024XK0001" in contract.conditions
    assert AuditEntry.objects.filter(action="contracts.screening.licence", object_id=str(s.pk)).exists()


def test_free_records_the_export_contract_registration_condition(cw, catalogue):
    contract = foreign(cw)  # 光伏组件封装: only an inactive item names it
    s = screening_of(contract)
    assert s.proposed_outcome == ScreeningOutcome.FREE and not s.proposed_items.exists()
    exportcontrol.confirm(cw.reviewer, s)
    contract = certify(cw, contract)
    assert contract.status == Status.CERTIFIED
    assert "技术出口合同登记" in contract.conditions and "commerce department" in contract.conditions
    with pytest.raises(Conflict):
        exportcontrol.record_licence(cw.w.member, s, "2024XK0001")


def test_reviewer_may_change_the_outcome_with_a_reason(cw, catalogue):
    contract = foreign(cw)
    s = screening_of(contract)
    with pytest.raises(DomainError) as exc:
        exportcontrol.confirm(cw.reviewer, s, "restricted", [catalogue.restricted.pk])
    assert exc.value.field == "reason"
    with pytest.raises(DomainError) as exc:
        exportcontrol.confirm(cw.reviewer, s, "prohibited", [catalogue.restricted.pk], "误判")
    assert exc.value.field == "items"
    with pytest.raises(DomainError) as exc:
        exportcontrol.confirm(cw.reviewer, s, "restricted", [987654], "误判")
    assert exc.value.field == "items"
    exportcontrol.confirm(cw.reviewer, s, "restricted", [catalogue.restricted.pk], "合同附件含推荐算法源码")
    s.refresh_from_db()
    assert s.outcome == "restricted" and list(s.items.all()) == [catalogue.restricted]
    assert s.reason == "合同附件含推荐算法源码"
    with pytest.raises(Conflict):
        exportcontrol.confirm(cw.reviewer, s)
    entry = AuditEntry.objects.get(action="contracts.screening.confirm", object_id=str(s.pk))
    assert entry.reason == "合同附件含推荐算法源码" and entry.after["outcome"] == "restricted"


def test_only_reviewers_in_scope_and_region_admins_confirm(cw, catalogue, make_user):
    contract = foreign(cw)
    s = screening_of(contract)
    for user in (
        cw.w.member,
        cw.w.org_admin,
        cw.qujing_reviewer,
        cw.panlong_reviewer,
        cw.w.panlong_admin,
        make_user("qujing_admin", Role.REGION_ADMIN, region=QUJING),
    ):
        with pytest.raises(Forbidden):
            exportcontrol.confirm(user, s)
    assert exportcontrol.awaiting(cw.reviewer) == [s]
    assert exportcontrol.awaiting(cw.qujing_reviewer) == []
    assert exportcontrol.awaiting(cw.w.member) == []
    kunming_admin = make_user("km_admin2", Role.REGION_ADMIN, region=KUNMING)
    assert exportcontrol.confirm(kunming_admin, s).confirmed


def test_certifying_an_old_foreign_contract_screens_it_first(cw, catalogue):
    contract = foreign(cw)
    Screening.objects.all().delete()
    with pytest.raises(Conflict) as exc:
        certify(cw, contract)
    assert exc.value.code == "export_screening_pending"
    assert screening_of(contract).proposed_outcome == ScreeningOutcome.FREE


def test_a_corrected_filing_is_screened_again_until_confirmed(cw, catalogue):
    import datetime

    contract = foreign(cw)
    assert screening_of(contract).proposed_outcome == ScreeningOutcome.FREE
    services.return_for_correction(
        cw.reviewer, contract, "请补充技术内容", datetime.date.today() + datetime.timedelta(days=10)
    )
    contract.refresh_from_db()
    services.update_draft(cw.w.member, contract, {"technical_summary": "开发个性化推荐的推荐算法。"})
    services.resubmit(cw.w.member, contract)
    s = screening_of(contract)
    assert s.proposed_outcome == ScreeningOutcome.RESTRICTED and list(s.proposed_items.all()) == [catalogue.restricted]
    assert Screening.objects.count() == 1
