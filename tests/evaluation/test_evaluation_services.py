"""Rounds, platform values counted from the records, scores equal to a hand computation, ranks, the declared-vs-
platform flag, decisions (demonstration level, credit record once), audit and notices."""

from decimal import Decimal

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.evaluation import services
from techtransfer.evaluation.models import Evaluation, Source, Status
from techtransfer.notifications.models import Notification
from techtransfer.orgs.models import CreditRecord, DemoLevel
from tests.conftest import KUNMING

pytestmark = pytest.mark.django_db
D = Decimal


def _round(ew):
    return services.open_round(ew.admin, KUNMING, ew.year, "昆明市年度评价")


def test_open_round_makes_the_candidates_and_tells_their_administrators(ew):
    r = _round(ew)
    orgs = set(Evaluation.objects.filter(indicator_set=r).values_list("organization_id", flat=True))
    # Service institutions inside Kunming and the demonstration university; not 曲靖's, not a plain university.
    assert orgs == {ew.a.pk, ew.b.pk, ew.uni.pk}
    assert r.indicators.count() == 9
    assert Notification.objects.filter(user=ew.a_admin).exists()
    assert AuditEntry.objects.filter(action="evaluation.round.open", object_id=str(r.pk)).exists()
    with pytest.raises(Conflict):
        _round(ew)


def test_only_an_administrator_of_the_region_opens_a_round(ew):
    with pytest.raises(Forbidden):
        services.open_round(ew.qujing_admin, KUNMING, ew.year)
    with pytest.raises(Forbidden):
        services.open_round(ew.a_admin, KUNMING, ew.year)
    with pytest.raises(DomainError) as exc:
        services.open_round(ew.admin, KUNMING, ew.year + 1)
    assert exc.value.field == "year"


def test_platform_values_are_counted_from_the_records(ew):
    a = services.platform_values(ew.a, ew.year)
    assert a[Source.CONTRACTS_BROKERED] == 2  # the cancelled and last year's contracts do not count
    assert a[Source.TECH_AMOUNT_BROKERED] == D("150000.00")
    assert a[Source.SERVICES_DELIVERED] == 1
    assert (a[Source.CASES_OPENED], a[Source.CASES_CONVERTED]) == (2, 1)
    assert a[Source.CERTIFIED_BROKERS] == 1
    assert a[Source.SUBSIDIES_RECEIVED] == D("1000.00")
    b = services.platform_values(ew.b, ew.year)
    assert b[Source.CONTRACTS_BROKERED] == 2  # its consulting contract and the one its broker contributed to
    assert b[Source.TECH_AMOUNT_BROKERED] == D("230000.00")
    assert b[Source.SERVICES_DELIVERED] == 1
    assert b[Source.CERTIFIED_BROKERS] == 2
    last = services.platform_values(ew.a, ew.year - 1)
    assert last[Source.CONTRACTS_BROKERED] == 1 and last[Source.TECH_AMOUNT_BROKERED] == D("700000.00")


def test_scores_equal_a_hand_computation_and_rank(ew):
    r = _round(ew)
    services.declare(ew.a_admin, r, ew.a, {"training": "100", "complaints": "1", "contracts": "2"})
    services.declare(ew.b_admin, r, ew.b, {"training": "50", "complaints": "0"})
    ranked = services.compute(ew.admin, r)
    # weights: contracts 20, tech 25, services 10, cases 5, converted 10, brokers 15, training 5, subsidies 10,
    # complaints 10 lower-is-better; each value divided by the best in the round.
    a = (
        20 * D(2) / 2
        + 25 * D(150000) / 230000
        + 10 * D(1) / 1
        + 5 * D(2) / 2
        + 10 * D(1) / 1
        + 15 * D(1) / 2
        + 5 * D(100) / 100
        + 10 * D(1000) / 1000
        + 10 * (1 - D(1) / 1)
    )
    b = (
        20 * D(2) / 2
        + 25 * D(230000) / 230000
        + 10 * D(1) / 1
        + 0
        + 0
        + 15 * D(2) / 2
        + 5 * D(50) / 100
        + 0
        + 10 * (1 - D(0) / 1)
    )
    uni = 10 * (1 - D(0) / 1)
    scores = {e.organization_id: e.score for e in ranked}
    assert scores == {ew.a.pk: a.quantize(D("0.0001")), ew.b.pk: b.quantize(D("0.0001")), ew.uni.pk: D("10.0000")}
    assert uni == 10
    assert [(e.organization_id, e.rank) for e in ranked] == [(ew.a.pk, 1), (ew.b.pk, 2), (ew.uni.pk, 3)]
    assert all(e.status == Status.SCORED for e in ranked)
    ev = Evaluation.objects.get(indicator_set=r, organization=ew.a)
    assert ev.platform["tech_amount"] == "150000.00" and ev.breakdown["tech_amount"]["points"] == str(
        (25 * D(150000) / 230000).quantize(D("0.0001"))
    )
    # recomputing from the same data gives the same scores
    assert [e.score for e in services.compute(ew.admin, r)] == [e.score for e in ranked]


def test_equal_scores_share_a_rank(ew):
    r = _round(ew)
    for i in r.indicators.all():
        i.weight = D("0") if i.code != "complaints" else D("10")
        i.save()
    ranked = services.compute(ew.admin, r)
    assert [e.rank for e in ranked] == [1, 1, 1]


def test_a_declared_value_far_from_the_platform_is_flagged(ew):
    r = _round(ew)
    services.declare(ew.a_admin, r, ew.a, {"contracts": "2.2", "tech_amount": "170000"})  # within 10 % / 13 % off
    services.declare(ew.b_admin, r, ew.b, {"contracts": "5"})
    services.compute(ew.admin, r)
    a = Evaluation.objects.get(indicator_set=r, organization=ew.a)
    b = Evaluation.objects.get(indicator_set=r, organization=ew.b)
    assert [f["code"] for f in a.flags] == ["tech_amount"]
    assert b.flags == [{"code": "contracts", "declared": "5.00", "platform": "2"}]
    # the platform's figure counts in the score, not the declared one
    assert b.breakdown["contracts"]["value"] == "2"


def test_declaration_rules(ew):
    r = _round(ew)
    with pytest.raises(Forbidden):
        services.declare(ew.a_member, r, ew.a, {"training": "1"})
    with pytest.raises(Forbidden):
        services.declare(ew.b_admin, r, ew.a, {"training": "1"})
    with pytest.raises(DomainError) as exc:
        services.declare(ew.a_admin, r, ew.a, {"nonsense": "1"})
    assert exc.value.field == "nonsense"
    with pytest.raises(DomainError) as exc:
        services.declare(ew.a_admin, r, ew.a, {"training": "-3"})
    assert exc.value.field == "training"
    # a university without a level becomes a candidate by declaring
    ev = services.declare(ew.plain_uni_admin, r, ew.plain_uni, {"training": "12"})
    assert ev.status == Status.SUBMITTED and ev.declared == {"training": "12.00"}


def test_recognise_sets_the_demonstration_level(ew):
    r = _round(ew)
    services.compute(ew.admin, r)
    ev = Evaluation.objects.get(indicator_set=r, organization=ew.a)
    services.decide(ew.admin, ev, "recognise", DemoLevel.MUNICIPAL, "")
    ew.a.refresh_from_db()
    assert (ew.a.demo_level, ew.a.demo_year) == (DemoLevel.MUNICIPAL, ew.year)
    ev.refresh_from_db()
    assert ev.status == Status.DECIDED and ev.decided_by == ew.admin
    assert AuditEntry.objects.filter(action="evaluation.recognise", object_id=str(ev.pk)).exists()
    assert AuditEntry.objects.filter(action="orgs.demonstration_level", object_id=str(ew.a.pk)).exists()
    assert Notification.objects.filter(user=ew.a_admin, url=f"/evaluation/institutions/{ew.a.pk}/").exists()
    with pytest.raises(Conflict):
        services.decide(ew.admin, ev, "keep")


def test_revoke_clears_the_level_and_records_credit_once(ew):
    r = _round(ew)
    services.compute(ew.admin, r)
    ev = Evaluation.objects.get(indicator_set=r, organization=ew.uni)
    with pytest.raises(DomainError) as exc:
        services.decide(ew.admin, ev, "revoke", "", "")
    assert exc.value.field == "reasons"
    services.decide(ew.admin, ev, "revoke", "", "连续两年评价不合格")
    ew.uni.refresh_from_db()
    assert ew.uni.demo_level == "" and ew.uni.demo_year is None
    rec = CreditRecord.objects.get(key=f"evaluation.revoked:{ew.uni.pk}:{ew.year}")
    assert (rec.kind, rec.cause, rec.year, rec.organization_id) == ("warning", "evaluation.revoked", ew.year, ew.uni.pk)
    # deciding again is refused; the record stays single
    with pytest.raises(Conflict):
        services.decide(ew.admin, ev, "revoke", "", "again")
    assert CreditRecord.objects.filter(cause="evaluation.revoked").count() == 1


def test_decision_rules(ew):
    r = _round(ew)
    ev = Evaluation.objects.get(indicator_set=r, organization=ew.a)
    with pytest.raises(Conflict):  # not scored yet
        services.decide(ew.admin, ev, "keep")
    services.compute(ew.admin, r)
    ev.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.decide(ew.admin, ev, "recognise", "", "")
    assert exc.value.field == "level"
    with pytest.raises(DomainError) as exc:
        services.decide(ew.admin, ev, "warn", "", "  ")
    assert exc.value.field == "reasons"
    with pytest.raises(Conflict):  # A holds no title
        services.decide(ew.admin, ev, "revoke", "", "reasons")
    with pytest.raises(Forbidden):
        services.decide(ew.qujing_admin, ev, "keep")
    with pytest.raises(Forbidden):
        services.decide(ew.w.wuhua_admin, ev, "keep")  # inside the institution's county but not the round's region
    services.decide(ew.admin, ev, "warn", "", "促成合同偏少")
    ev.refresh_from_db()
    assert (ev.decision, ev.reasons) == ("warn", "促成合同偏少")


def test_scope_of_evaluations_and_rounds(ew):
    r = _round(ew)
    assert set(services.visible_evaluations(ew.a_member).values_list("organization_id", flat=True)) == {ew.a.pk}
    assert set(services.visible_evaluations(ew.w.wuhua_admin).values_list("organization_id", flat=True)) == {
        ew.a.pk,
        ew.uni.pk,
    }
    assert not services.visible_evaluations(ew.qujing_admin).exists()
    assert not services.visible_evaluations(ew.w.visitor).exists()
    assert r in services.visible_rounds(ew.a_member)
    assert r not in services.visible_rounds(ew.qujing_admin)
    with pytest.raises(Forbidden):
        services.compute(ew.qujing_admin, r)
    with pytest.raises(Forbidden):
        services.compute(ew.a_admin, r)


def test_administrators_enter_complaints(ew):
    r = _round(ew)
    services.declare(ew.a_admin, r, ew.a, {"complaints": "0", "training": "8"})
    ev = Evaluation.objects.get(indicator_set=r, organization=ew.a)
    with pytest.raises(Forbidden):
        services.enter_complaints(ew.a_admin, ev, "0")
    with pytest.raises(DomainError) as exc:
        services.enter_complaints(ew.admin, ev, "many")
    assert exc.value.field == "value"
    services.enter_complaints(ew.admin, ev, "3")
    ev.refresh_from_db()
    assert ev.declared == {"complaints": "3.00", "training": "8.00"}
    assert AuditEntry.objects.filter(action="evaluation.complaints", object_id=str(ev.pk)).exists()
    ranked = services.compute(ew.admin, r)
    assert next(e for e in ranked if e.organization_id == ew.a.pk).breakdown["complaints"]["points"] == "0.0000"
