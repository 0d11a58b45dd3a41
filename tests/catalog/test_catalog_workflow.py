"""The review workflow: each transition, who may make it, and that a refused transition changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.audit.models import AuditEntry
from techtransfer.audit.services import entries_for
from techtransfer.catalog import services, workflow
from techtransfer.catalog.models import Achievement, Demand, IPKind, RecordVersion, Status
from techtransfer.catalog.validators import patent_check_digit
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from tests.catalog.factories import FULL_EVIDENCE, STAGES, achievement_data

pytestmark = pytest.mark.django_db


def actions(record):
    return [e.action for e in entries_for(record).order_by("at", "id")]


def assert_unchanged(record, status, audit_count):
    fresh = type(record).objects.get(pk=record.pk)
    assert fresh.status == status
    assert AuditEntry.objects.count() == audit_count


def test_happy_path_from_draft_to_transferred(world, make_achievement):
    ach = make_achievement()
    assert ach.status == Status.DRAFT and ach.region_id == "530102"
    workflow.submit(world.member, ach)
    assert ach.status == Status.SUBMITTED and ach.submitted_at is not None
    workflow.approve_by_org(world.org_admin, ach)
    assert ach.status == Status.ORG_REVIEWED
    workflow.publish(world.wuhua_admin, ach)
    assert ach.status == Status.PUBLISHED and ach.published_at is not None
    workflow.start_negotiation(world.org_admin, ach)
    assert ach.status == Status.IN_NEGOTIATION
    workflow.mark_transferred(world.wuhua_admin, ach)
    assert ach.status == Status.TRANSFERRED
    assert actions(ach) == [
        "catalog.achievement.create",
        "catalog.achievement.submit",
        "catalog.achievement.org_approve",
        "catalog.achievement.publish",
        "catalog.achievement.start_negotiation",
        "catalog.achievement.transferred",
    ]
    publish_entry = entries_for(ach).get(action="catalog.achievement.publish")
    assert publish_entry.actor == world.wuhua_admin and publish_entry.region_code == "530102"
    assert (publish_entry.before["status"], publish_entry.after["status"]) == ("org_reviewed", "published")


# (transition, source state, allowed users, refused users)
CASES = [
    (workflow.submit, Status.DRAFT, ["member", "org_admin"], ["visitor", "wuhua_admin", "platform_admin"]),
    (workflow.approve_by_org, Status.SUBMITTED, ["org_admin"], ["member", "wuhua_admin", "visitor"]),
    (
        workflow.publish,
        Status.ORG_REVIEWED,
        ["wuhua_admin", "kunming_admin", "province_admin", "platform_admin"],
        ["panlong_admin", "org_admin", "member", "visitor"],
    ),
    (
        workflow.start_negotiation,
        Status.PUBLISHED,
        ["org_admin", "wuhua_admin", "platform_admin"],
        ["member", "panlong_admin", "visitor"],
    ),
    (workflow.mark_transferred, Status.IN_NEGOTIATION, ["org_admin", "kunming_admin"], ["member", "panlong_admin"]),
    (workflow.end_negotiation, Status.IN_NEGOTIATION, ["org_admin", "wuhua_admin"], ["member", "visitor"]),
    (workflow.close, Status.PUBLISHED, ["org_admin", "province_admin"], ["member", "panlong_admin"]),
    (workflow.withdraw, Status.PUBLISHED, ["org_admin"], ["member", "wuhua_admin", "platform_admin"]),
]


@pytest.mark.parametrize("fn, source, allowed, refused", CASES, ids=[c[0].__name__ for c in CASES])
def test_who_may_make_each_transition(world, make_achievement, fn, source, allowed, refused):
    for name in refused:
        ach = make_achievement(source)
        count = AuditEntry.objects.count()
        with pytest.raises(Forbidden):
            fn(getattr(world, name), ach)
        assert_unchanged(ach, source, count)
    for name in allowed:
        ach = make_achievement(source)
        fn(getattr(world, name), ach)
        assert ach.status != source


@pytest.mark.parametrize("fn, source, allowed, refused", CASES, ids=[c[0].__name__ for c in CASES])
def test_each_transition_refuses_wrong_states(world, make_achievement, fn, source, allowed, refused):
    actor = getattr(world, allowed[0])
    for status in STAGES:
        if status in fn_sources(fn):
            continue
        ach = make_achievement(status)
        count = AuditEntry.objects.count()
        with pytest.raises(Conflict):
            fn(actor, ach)
        assert_unchanged(ach, status, count)


def fn_sources(fn):
    return {
        workflow.submit: workflow.SUBMIT,
        workflow.approve_by_org: workflow.ORG_APPROVE,
        workflow.publish: workflow.PUBLISH,
        workflow.start_negotiation: workflow.START_NEGOTIATION,
        workflow.mark_transferred: workflow.MARK_TRANSFERRED,
        workflow.end_negotiation: workflow.END_NEGOTIATION,
        workflow.close: workflow.CLOSE,
        workflow.withdraw: workflow.WITHDRAW,
    }[fn].sources


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.ORG_REVIEWED, Status.IN_NEGOTIATION])
def test_withdraw_from_any_non_final_state(world, make_achievement, status):
    ach = make_achievement(status)
    workflow.withdraw(world.org_admin, ach, "改变计划")
    assert ach.status == Status.WITHDRAWN
    assert entries_for(ach).get(action="catalog.achievement.withdraw").reason == "改变计划"


@pytest.mark.parametrize(
    "reject, source, reviewer",
    [
        (workflow.reject_by_org, Status.SUBMITTED, "org_admin"),
        (workflow.reject_by_platform, Status.ORG_REVIEWED, "wuhua_admin"),
    ],
)
def test_rejection_needs_a_reason_and_returns_to_draft(world, make_achievement, reject, source, reviewer):
    ach = make_achievement(source)
    count = AuditEntry.objects.count()
    for empty in ("", "   "):
        with pytest.raises(DomainError) as exc:
            reject(getattr(world, reviewer), ach, empty)
        assert exc.value.field == "reason"
        assert_unchanged(ach, source, count)
    reject(getattr(world, reviewer), ach, "缺少检测报告")
    assert ach.status == Status.DRAFT and ach.rejection_reason == "缺少检测报告"
    assert entries_for(ach).filter(reason="缺少检测报告").count() == 1
    # The owner fixes the draft and submits again; the old reason is cleared.
    services.update_achievement(world.member, ach, {"abstract": "补充了检测报告。"})
    workflow.submit(world.member, ach)
    assert ach.status == Status.SUBMITTED and ach.rejection_reason == ""


def test_rejections_refused_for_wrong_people(world, make_achievement):
    ach = make_achievement(Status.SUBMITTED)
    with pytest.raises(Forbidden):
        workflow.reject_by_org(world.member, ach, "x")
    with pytest.raises(Forbidden):
        workflow.reject_by_org(world.wuhua_admin, ach, "x")
    ach = make_achievement(Status.ORG_REVIEWED)
    with pytest.raises(Forbidden):
        workflow.reject_by_platform(world.panlong_admin, ach, "x")
    with pytest.raises(Forbidden):
        workflow.reject_by_platform(world.org_admin, ach, "x")
    with pytest.raises(Conflict):
        workflow.reject_by_platform(world.wuhua_admin, make_achievement(Status.PUBLISHED), "x")


def test_versions_are_snapshotted_on_submit_and_publish(world, make_achievement):
    ach = make_achievement()
    assert not RecordVersion.objects.filter(achievement=ach).exists()
    workflow.submit(world.member, ach)
    workflow.approve_by_org(world.org_admin, ach)
    workflow.reject_by_platform(world.wuhua_admin, ach, "价格依据不足")
    services.update_achievement(world.member, ach, {"asking_price": Decimal("800000.00")})
    workflow.submit(world.member, ach)
    workflow.approve_by_org(world.org_admin, ach)
    workflow.publish(world.wuhua_admin, ach)
    history = services.versions(world.org_admin, ach)
    assert [(h.version, h.event) for h in history] == [(1, "submit"), (2, "submit"), (3, "publish")]
    assert history[0].data["asking_price"] == "1200000.00"
    assert history[1].data["asking_price"] == "800000.00"
    assert history[2].data["status"] == "published"
    assert history[0].created_by == world.member and history[2].created_by == world.wuhua_admin


def test_editing_only_in_draft_and_only_by_owner_members(world, make_achievement):
    ach = make_achievement()
    with pytest.raises(Forbidden):
        services.update_achievement(world.visitor, ach, {"title": "改名"})
    with pytest.raises(Forbidden):
        services.update_achievement(world.wuhua_admin, ach, {"title": "改名"})
    services.update_achievement(world.org_admin, ach, {"title": "新标题"})
    assert Achievement.objects.get(pk=ach.pk).title == "新标题"
    assert "catalog.achievement.update" in actions(ach)
    for status in (Status.SUBMITTED, Status.PUBLISHED):
        other = make_achievement(status)
        with pytest.raises(Conflict):
            services.update_achievement(world.member, other, {"title": "改名"})
        with pytest.raises(Conflict):
            services.add_ip_item(world.member, other, {"kind": "technical_secret", "title": "诀窍"})
        assert Achievement.objects.get(pk=other.pk).title == "高安全锂离子电池正极材料"


def test_unknown_fields_and_invalid_values_are_refused(world, make_achievement):
    ach = make_achievement()
    with pytest.raises(DomainError) as exc:
        services.update_achievement(world.member, ach, {"status": "published"})
    assert exc.value.field == "status"
    with pytest.raises(DomainError) as exc:
        services.update_achievement(world.member, ach, {"ipc_codes": ["not-ipc"]})
    assert exc.value.field == "ipc_codes"
    with pytest.raises(DomainError) as exc:
        services.update_achievement(world.member, ach, {"trl": 10})
    assert exc.value.field == "trl"
    with pytest.raises(DomainError) as exc:
        services.update_achievement(world.member, ach, {"price_negotiable": True})
    assert exc.value.field == "asking_price"
    with pytest.raises(DomainError) as exc:
        services.update_achievement(world.member, ach, {"transfer_modes": ["barter"]})
    assert exc.value.field == "transfer_modes"
    with pytest.raises(DomainError):
        services.create_achievement(world.member, world.wuhua_org, achievement_data(title=""))
    fresh = Achievement.objects.get(pk=ach.pk)
    assert fresh.ipc_codes == ["H01M 10/0525"] and fresh.trl == 6 and fresh.status == Status.DRAFT


def test_only_members_draft_for_their_organization(world):
    with pytest.raises(Forbidden):
        services.create_achievement(world.member, world.panlong_org, achievement_data())
    with pytest.raises(Forbidden):
        services.create_achievement(world.visitor, world.wuhua_org, achievement_data())
    with pytest.raises(Forbidden):
        services.create_achievement(world.wuhua_admin, world.wuhua_org, achievement_data())
    assert not Achievement.objects.exists()


def test_submission_requires_a_complete_record(world, make_achievement):
    cases = [
        ({"tech_field_id": None}, "tech_field"),
        ({"trl": None}, "trl"),
        ({"transfer_modes": []}, "transfer_modes"),
        ({"asking_price": None}, "asking_price"),
        ({"transfer_modes": ["open_licence"]}, "transfer_modes"),  # open licence without a patent
        ({"transfer_modes": ["open_licence"], "asking_price": None, "price_negotiable": True}, "asking_price"),
    ]
    for data, field in cases:
        ach = make_achievement(**data)
        with pytest.raises(DomainError) as exc:
            workflow.submit(world.member, ach)
        assert exc.value.field == field, data
        assert Achievement.objects.get(pk=ach.pk).status == Status.DRAFT
    negotiable = make_achievement(asking_price=None, price_negotiable=True)
    workflow.submit(world.member, negotiable)
    assert negotiable.status == Status.SUBMITTED


def test_open_licence_with_a_patent_and_fee_is_submittable(world, make_achievement):
    ach = make_achievement(transfer_modes=["open_licence"])
    digits = "202110123456"
    services.add_ip_item(
        world.member, ach, {"kind": IPKind.INVENTION, "title": "一种正极材料", "number": f"zl{digits}.7"}
    )
    assert ach.ip_items.get().number == f"ZL{digits}.{patent_check_digit(digits)}"
    workflow.submit(world.member, ach)
    assert ach.status == Status.SUBMITTED


def test_unverified_owner_cannot_submit(world, make_user, make_achievement):
    pending_member = make_user("pending_member", Role.ORG_MEMBER, org=world.wuhua_pending)
    ach = services.create_achievement(pending_member, world.wuhua_pending, achievement_data())
    with pytest.raises(DomainError) as exc:
        workflow.submit(pending_member, ach)
    assert exc.value.field == "owner"


def test_trl_self_assessment_sets_the_level_and_keeps_evidence(world, make_achievement):
    ach = make_achievement(trl=None)
    assessment = services.assess_trl(world.member, ach, FULL_EVIDENCE)
    assert assessment.proposed_level == 6 and assessment.answers["6b"] == "中试验证报告"
    assert Achievement.objects.get(pk=ach.pk).trl == 6
    assert {"catalog.achievement.trl"} <= set(actions(ach))
    with pytest.raises(DomainError):
        services.assess_trl(world.member, ach, {"2a": "only level 2"})
    with pytest.raises(DomainError):
        services.assess_trl(world.member, ach, {"99z": "x"})
    assert Achievement.objects.get(pk=ach.pk).trl == 6
    with pytest.raises(Forbidden):
        services.assess_trl(world.visitor, ach, FULL_EVIDENCE)


def test_ip_item_with_bad_patent_number_is_refused(world, make_achievement):
    ach = make_achievement()
    with pytest.raises(DomainError) as exc:
        services.add_ip_item(world.member, ach, {"kind": "invention", "title": "x", "number": "ZL202110123456.8"})
    assert exc.value.field == "number"
    assert not ach.ip_items.exists()
    services.add_ip_item(world.member, ach, {"kind": "invention", "title": "x", "number": "CN117151122A"})
    with pytest.raises(Conflict):
        services.add_ip_item(world.member, ach, {"kind": "invention", "title": "y", "number": "cn117151122a"})


def test_public_funding_means_must_report(world, make_achievement):
    ach = make_achievement(public_funding="云南省重点研发计划 2022YFB")
    plain = make_achievement()
    assert ach.must_report and not plain.must_report
    assert list(Achievement.objects.filter(Achievement.must_report_q())) == [ach]


# --- demands -------------------------------------------------------------------------------------------------------


def test_demand_goes_through_the_same_workflow(world, make_demand):
    demand = make_demand(Status.PUBLISHED)
    assert demand.status == Status.PUBLISHED
    assert [a.split(".")[-1] for a in actions(demand)] == ["create", "submit", "org_approve", "publish"]
    assert [v.event for v in services.versions(world.org_admin, demand)] == ["submit", "publish"]
    with pytest.raises(Forbidden):
        workflow.publish(world.panlong_admin, make_demand(Status.ORG_REVIEWED))


def test_demand_budget_range_is_validated(world, make_demand):
    with pytest.raises(DomainError) as exc:
        make_demand(budget_min=Decimal("500000"), budget_max=Decimal("100000"))
    assert exc.value.field == "budget_max"
    with pytest.raises(DomainError) as exc:
        make_demand(budget_min=Decimal("-1"), budget_max=None)
    assert exc.value.field == "budget_min"
    assert not Demand.objects.exists()
    demand = make_demand(budget_min=Decimal("100000"), budget_max=Decimal("100000"))
    with pytest.raises(DomainError):
        services.update_demand(world.member, demand, {"budget_max": Decimal("99999.99")})
    assert Demand.objects.get(pk=demand.pk).budget_max == Decimal("100000.00")


def test_demand_submission_checks_deadline_and_contact(world, make_demand):
    past = make_demand(deadline=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        workflow.submit(world.member, past)
    assert exc.value.field == "deadline"
    nocontact = make_demand(contact_name="")
    with pytest.raises(DomainError) as exc:
        workflow.submit(world.member, nocontact)
    assert exc.value.field == "contact_name"
    nomode = make_demand(cooperation_modes=[])
    with pytest.raises(DomainError) as exc:
        workflow.submit(world.member, nomode)
    assert exc.value.field == "cooperation_modes"


def test_expert_refinement_is_versioned_beside_the_enterprise_text(world, make_user, make_demand):
    expert = make_user("expert", Role.EXPERT)
    demand = make_demand(Status.PUBLISHED)
    first = services.refine_demand(
        expert, demand, {"title": "果蔬气调保鲜技术", "description": "标准化描述", "ipc_codes": ["a23b7/148"]}
    )
    second = services.refine_demand(
        world.wuhua_admin, demand, {"title": "果蔬冷链气调保鲜", "description": "修订后的描述"}
    )
    assert (first.version, second.version) == (1, 2)
    assert first.ipc_codes == ["A23B 7/148"]
    fresh = Demand.objects.get(pk=demand.pk)
    assert fresh.title == "高原果蔬保鲜技术需求" and fresh.problem.startswith("运输途中")
    assert [r.version for r in services.refinements(world.visitor, demand)] == [2, 1]
    with pytest.raises(Forbidden):
        services.refine_demand(world.visitor, demand, {"title": "x", "description": "y"})
    with pytest.raises(Forbidden):
        services.refine_demand(world.member, demand, {"title": "x", "description": "y"})
    draft = make_demand()
    with pytest.raises(Conflict):
        services.refine_demand(expert, draft, {"title": "x", "description": "y"})
    assert demand.refinements.count() == 2
