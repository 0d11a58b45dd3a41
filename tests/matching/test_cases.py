"""Follow-up cases: each transition, who may make it, refusal of invalid transitions, audit, conversion figures."""

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.matching import cases
from techtransfer.matching.models import CaseStatus, MatchCase


def _open(world, pair):
    demand, ach, broker, _ = pair
    return cases.open_case(world.member, demand, achievement=ach, broker=broker, note="first call")


def test_full_path_to_contract_is_audited(world, pair):
    case = _open(world, pair)
    assert case.status == CaseStatus.CONTACTED
    assert case.notes.count() == 1
    broker = pair[2]
    cases.hold_meeting(broker, case)
    cases.start_negotiation(world.org_admin, case)
    cases.sign_contract(world.wuhua_admin, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONTRACT
    actions = list(AuditEntry.objects.filter(object_type="matching.matchcase", object_id=str(case.pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["matching.case.open", "matching.case.meeting", "matching.case.negotiation",
                       "matching.case.contract"]


@pytest.mark.parametrize("who,allowed", [
    ("member", True), ("org_admin", True), ("wuhua_admin", True), ("kunming_admin", True),
    ("province_admin", True), ("platform_admin", True), ("panlong_admin", False), ("visitor", False),
])
def test_who_may_move_a_case(world, pair, who, allowed):
    case = _open(world, pair)
    user = getattr(world, who)
    if allowed:
        cases.hold_meeting(user, case)
        case.refresh_from_db()
        assert case.status == CaseStatus.MEETING
    else:
        with pytest.raises(Forbidden):
            cases.hold_meeting(user, case)
        case.refresh_from_db()
        assert case.status == CaseStatus.CONTACTED


def test_assigned_broker_may_act_other_broker_may_not(world, pair):
    case = _open(world, pair)
    with pytest.raises(Forbidden):
        cases.hold_meeting(pair[3], case)
    cases.hold_meeting(pair[2], case)
    assert MatchCase.objects.get(pk=case.pk).status == CaseStatus.MEETING


def test_invalid_transitions_refused(world, pair):
    case = _open(world, pair)
    with pytest.raises(Conflict):
        cases.sign_contract(world.member, case)
    with pytest.raises(Conflict):
        cases.start_negotiation(world.member, case)
    cases.close(world.member, case, reason="no budget")
    for fn in (cases.hold_meeting, cases.start_negotiation, cases.sign_contract):
        with pytest.raises(Conflict):
            fn(world.member, case)
    with pytest.raises(Conflict):
        cases.close(world.member, case, reason="again")
    assert MatchCase.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_close_needs_reason_and_open_needs_counterpart(world, pair):
    case = _open(world, pair)
    with pytest.raises(DomainError):
        cases.close(world.member, case, reason=" ")
    with pytest.raises(DomainError):
        cases.open_case(world.member, pair[0])


def test_outsider_may_not_open(world, pair):
    with pytest.raises(Forbidden):
        cases.open_case(world.panlong_admin, pair[0], achievement=pair[1])
    assert MatchCase.objects.count() == 0


def test_visible_cases_scope(world, pair):
    case = _open(world, pair)
    assert list(cases.visible_cases(world.kunming_admin)) == [case]
    assert list(cases.visible_cases(world.panlong_admin)) == []
    assert list(cases.visible_cases(pair[2])) == [case]
    assert list(cases.visible_cases(pair[3])) == []


def test_conversion_figures_equal_brute_force(world, pair):
    demand, ach, broker, _ = pair
    made = [cases.open_case(world.member, demand, achievement=ach) for _ in range(5)]
    for c in made[:3]:
        cases.hold_meeting(world.member, c)
        cases.start_negotiation(world.member, c)
    cases.sign_contract(world.member, made[0])
    cases.sign_contract(world.member, made[1])
    cases.close(world.member, made[4], reason="lost")
    rows = cases.conversion_figures(world.province_admin)
    assert len(rows) == 1
    row = rows[0]
    brute = {s: sum(1 for c in MatchCase.objects.all() if c.status == s) for s in CaseStatus.values}
    for s, n in brute.items():
        assert row[s] == n
    assert row["total"] == 5
    assert row["conversion_rate"] == pytest.approx(2 / 5)
    assert cases.conversion_figures(world.panlong_admin) == []
    with pytest.raises(Forbidden):
        cases.conversion_figures(world.member)


def test_assign_broker_rules(world, pair):
    demand, ach, broker, other = pair
    case = cases.open_case(world.member, demand, achievement=ach)
    with pytest.raises(Forbidden):
        cases.assign_broker(world.member, case, broker)  # plain member may not assign
    with pytest.raises(DomainError):
        cases.assign_broker(world.org_admin, case, world.visitor)  # not a broker
    cases.assign_broker(world.org_admin, case, broker)
    cases.hold_meeting(broker, case)
    cases.assign_broker(world.wuhua_admin, case, other)
    with pytest.raises(Forbidden):
        cases.start_negotiation(broker, case)  # replaced broker lost access
    assert AuditEntry.objects.filter(action="matching.case.assign_broker").count() == 2
