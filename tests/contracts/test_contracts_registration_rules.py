"""Registration rules of issue 12 (items 1–4): oral contracts not accepted, the grounds for not registering, return
for correction, and decision time limits on the official calendar. Each test names the rule it checks."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from techtransfer.audit.services import entries_for
from techtransfer.contracts import data, services
from techtransfer.contracts.models import (
    ContractCategory,
    EventKind,
    PointProfile,
    RefusalReason,
    SpecialTimeLimit,
    Status,
    TechContract,
)
from techtransfer.contracts.permissions import may_attach
from techtransfer.core.errors import Conflict, DomainError, Forbidden
from techtransfer.notifications.models import Notification

pytestmark = pytest.mark.django_db
D = datetime.date
SIGNED = {"signed_on": "2026-01-05", "term_start": "2026-01-05", "term_end": "2027-12-31"}


def at(monkeypatch, day: datetime.date, hour: int = 10) -> None:
    tz = timezone.get_current_timezone()
    monkeypatch.setattr(services.clock, "now", lambda: datetime.datetime.combine(day, datetime.time(hour), tz))


def _post(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}, default=str), content_type="application/json")


def tianjin_like(cw, days=10, working=True) -> PointProfile:
    profile = services.point_profile(cw.kunming_point)
    profile.decision_days, profile.working_days = days, working
    profile.full_clean()
    profile.save()
    return profile


# --- 1. oral contracts are not accepted ----------------------------------------------------------------------------


ORAL_NOT_ACCEPTED = (
    "Not accepted: an oral contract cannot be filed for registration. Only written technology contracts are accepted; "
    "submit the signed written contract."
)


def test_an_oral_contract_is_not_accepted_at_submission(cw):
    """《技术合同认定登记管理办法》: a contract concluded orally is not accepted (不予受理); 民法典 art. 469, 851, 863
    (technology contracts in writing). It gets no acceptance date, no deadline, and stays a draft."""
    draft = cw.filed(written_form=False)
    with pytest.raises(DomainError) as exc:
        services.submit(cw.w.member, draft)
    assert exc.value.code == "oral_contract_not_accepted" and exc.value.field == "written_form"
    assert exc.value.message == gettext(ORAL_NOT_ACCEPTED) and exc.value.status == 400
    fresh = TechContract.objects.get(pk=draft.pk)
    assert fresh.status == Status.DRAFT and fresh.accepted_at is None and fresh.due_on is None
    assert not fresh.events.filter(kind=EventKind.SUBMITTED).exists()


def test_an_oral_contract_is_not_accepted_through_the_api_and_the_written_one_is(cw, client_for):
    """《技术合同认定登记管理办法》 (不予受理 for oral contracts) through the API: 400 naming ``written_form``; once the
    written contract is filed the same draft is accepted. Refusal (不予登记) stays a separate, later outcome."""
    seller = client_for(cw.w.member)
    cid = _post(seller, "/api/v1/contracts", cw.data(written_form=False)).json()["id"]
    r = _post(seller, f"/api/v1/contracts/{cid}/submit")
    assert r.status_code == 400
    assert r.json()["code"] == "oral_contract_not_accepted" and r.json()["field"] == "written_form"
    body = seller.get(f"/api/v1/contracts/{cid}").json()
    assert body["status"] == "draft" and body["due_on"] is None
    body = json.dumps({"written_form": True})
    r = seller.patch(f"/api/v1/contracts/{cid}", data=body, content_type="application/json")
    assert r.status_code == 200
    r = _post(seller, f"/api/v1/contracts/{cid}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["due_on"]


def test_the_filing_page_shows_the_not_accepted_message(cw, client_for):
    """《技术合同认定登记管理办法》: the page says why an oral contract is not accepted, at the field."""
    seller = client_for(cw.w.member)
    draft = cw.filed(written_form=False)
    r = seller.post(f"/contracts/{draft.pk}/submit/", follow=True)
    assert gettext(ORAL_NOT_ACCEPTED) in r.content.decode()
    assert TechContract.objects.get(pk=draft.pk).status == Status.DRAFT


# --- 2. grounds for not registering --------------------------------------------------------------------------------

NATIONAL_GROUNDS = {
    "no_tech_content",
    "not_sellers",
    "illegal_tech",
    "monopoly_clauses",
    "approval_missing",
    "invalid_contract",
    "unclear_price",
    "split_contract",
    "oral_form",
    "seal_mismatch",
}


def test_the_refusal_reasons_cover_the_national_grounds_with_their_legal_basis():
    """The national guidance's grounds for 不予登记 (科技部火炬中心 2021; 《技术合同认定规则》) and 民法典 art. 850
    (clauses illegally monopolising technology or hindering technical progress): seeded as data, each with its
    legal basis."""
    reasons = {r.code: r for r in RefusalReason.objects.all()}
    assert NATIONAL_GROUNDS <= set(reasons)
    assert all(r.legal_basis and r.name and r.name_en and r.active for r in reasons.values())
    assert "850" in reasons["monopoly_clauses"].legal_basis
    assert "限制出口" in reasons["approval_missing"].name
    assert {row[0] for row in data.REFUSAL_REASONS} == set(reasons)


def test_an_inactive_reason_stays_on_old_decisions_but_cannot_be_given_again(cw):
    """Refusal reasons are editable data: deactivating one keeps the decisions that named it intact."""
    old = cw.submitted(name="旧合同")
    services.refuse(cw.reviewer, old, ["seal_mismatch"])
    RefusalReason.objects.filter(pk="seal_mismatch").update(active=False)
    assert list(TechContract.objects.get(pk=old.pk).refusal_reasons.values_list("code", flat=True)) == [
        "seal_mismatch"
    ]
    new = cw.submitted(name="新合同")
    with pytest.raises(DomainError) as exc:
        services.refuse(cw.reviewer, new, ["seal_mismatch"])
    assert exc.value.field == "reasons"


def test_refusal_reasons_are_listed_with_their_basis_in_the_api_and_editable_in_the_back_office(
    cw, client_for, make_user
):
    """The grounds (with legal basis) for the filer and the reviewer; platform administrators edit them."""
    from techtransfer.accounts.models import Role

    rows = client_for(cw.w.member).get("/api/v1/contracts/refusal-reasons").json()
    by_code = {r["code"]: r for r in rows}
    assert NATIONAL_GROUNDS <= set(by_code) and by_code["monopoly_clauses"]["legal_basis"]
    admin = make_user("platform_boss", Role.PLATFORM_ADMIN, is_staff=True)
    page = client_for(admin).get("/admin/contracts/refusalreason/monopoly_clauses/change/")
    assert page.status_code == 200
    assert client_for(cw.reviewer).get("/admin/contracts/refusalreason/").status_code in (302, 403)


def test_a_refused_contract_shows_the_reason_and_its_basis(cw, client_for):
    """不予登记 with the reason from the rules, shown to the filer with the rule it rests on."""
    contract = cw.submitted()
    services.refuse(cw.reviewer, contract, ["monopoly_clauses"], note="第七条限制买方改进技术")
    page = client_for(cw.w.member).get(f"/contracts/{contract.pk}/").content.decode()
    assert "民法典 art. 850" in page


# --- 3. return for correction (补正) -------------------------------------------------------------------------------


def test_return_for_correction_stops_the_clock_and_resubmission_restarts_it(cw, monkeypatch):
    """补正 (《技术合同认定登记管理办法》; 2024 draft art. 14: the acceptance day is the day the corrections are
    submitted): the reviewer returns the filing with what to fix and a date; the clock stops while it is with the
    filer; the resubmission is accepted again and the time limit counts from it."""
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(**SIGNED)
    assert contract.due_on == D(2026, 4, 1)
    at(monkeypatch, D(2026, 3, 10))
    services.return_for_correction(cw.reviewer, contract, "请补充乙方签章页", D(2026, 3, 25))
    contract = TechContract.objects.get(pk=contract.pk)
    assert contract.status == Status.RETURNED and contract.correction_due == D(2026, 3, 25)
    assert contract.correction_request == "请补充乙方签章页"
    assert contract.events.filter(kind=EventKind.RETURNED).get().data == {"correct_by": "2026-03-25"}
    assert entries_for(contract).filter(action="contracts.return_for_correction").exists()
    note = Notification.objects.get(user=cw.w.member)
    assert contract.name in note.title and note.url == f"/contracts/{contract.pk}/"

    # With the filer: the clock is stopped, even well past the original deadline.
    at(monkeypatch, D(2026, 3, 20))
    shown = services.processing(contract, today=D(2026, 4, 20))
    assert shown.paused and not shown.overdue and shown.elapsed == 8

    # The filer corrects and resubmits: accepted again, 30 days from the resubmission.
    services.update_draft(cw.w.member, contract, {"technical_summary": "补充后的技术内容摘要"})
    services.resubmit(cw.w.member, contract)
    contract = TechContract.objects.get(pk=contract.pk)
    assert contract.status == Status.SUBMITTED
    assert timezone.localdate(contract.accepted_at) == D(2026, 3, 20) and contract.due_on == D(2026, 4, 19)
    assert contract.correction_due is None
    assert contract.events.filter(kind=EventKind.RESUBMITTED).get().note == "请补充乙方签章页"
    assert Notification.objects.filter(user=cw.reviewer, url=f"/contracts/{contract.pk}/").exists()
    assert entries_for(contract).filter(action="contracts.resubmit").exists()
    # and it can be certified as usual
    services.certify(cw.reviewer, contract, "development", "dev_commissioned", [])


def test_a_filing_not_corrected_in_time_lapses(cw, monkeypatch):
    """补正 not made by the date: the filing lapses (the periodic task); it cannot be resubmitted, the filer files
    anew; the last day itself is still in time."""
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(**SIGNED)
    services.return_for_correction(cw.reviewer, contract, "合同名称与权利义务不一致", D(2026, 3, 16))
    assert services.lapse_overdue(today=D(2026, 3, 16)) == 0
    assert services.lapse_overdue(today=D(2026, 3, 17)) == 1
    assert services.lapse_overdue(today=D(2026, 3, 17)) == 0
    contract = TechContract.objects.get(pk=contract.pk)
    assert contract.status == Status.LAPSED and contract.registration_number is None
    assert contract.events.filter(kind=EventKind.LAPSED).count() == 1
    assert entries_for(contract).filter(action="contracts.lapse").exists()
    lapsed = gettext("Lapsed, not corrected by %(date)s: %(name)s") % {
        "date": contract.correction_due.isoformat(), "name": contract.name}
    assert Notification.objects.filter(user=cw.w.member, title=lapsed).exists()
    at(monkeypatch, D(2026, 3, 18))
    with pytest.raises(Conflict):
        services.resubmit(cw.w.member, contract)


def test_an_overdue_filing_lapses_when_it_is_read_or_resubmitted(cw, monkeypatch, client_for):
    """The on-read check: between two runs of the task nobody sees an overdue filing as still correctable."""
    at(monkeypatch, D(2026, 3, 2))
    first = cw.submitted(name="合同一", **SIGNED)
    second = cw.submitted(name="合同二", **SIGNED)
    services.return_for_correction(cw.reviewer, first, "补充附件", D(2026, 3, 5))
    services.return_for_correction(cw.reviewer, second, "补充附件", D(2026, 3, 5))
    at(monkeypatch, D(2026, 3, 6))
    assert services.get_visible(cw.w.member, first.pk).status == Status.LAPSED
    with pytest.raises(Conflict) as exc:
        services.resubmit(cw.w.member, TechContract.objects.get(pk=second.pk))
    assert exc.value.code == "correction_lapsed"
    assert TechContract.objects.get(pk=second.pk).status == Status.LAPSED


def test_only_the_point_returns_and_only_the_seller_resubmits(cw, monkeypatch):
    """The point's reviewer (contracts.decide) returns a submitted filing, saying what and by a later date; the
    seller's members resubmit."""
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(**SIGNED)
    with pytest.raises(Forbidden):
        services.return_for_correction(cw.w.member, contract, "x", D(2026, 3, 20))
    with pytest.raises(Forbidden):
        services.return_for_correction(cw.qujing_reviewer, contract, "x", D(2026, 3, 20))
    with pytest.raises(DomainError) as exc:
        services.return_for_correction(cw.reviewer, contract, "  ", D(2026, 3, 20))
    assert exc.value.field == "what"
    with pytest.raises(DomainError) as exc:
        services.return_for_correction(cw.reviewer, contract, "补充附件", D(2026, 3, 2))
    assert exc.value.field == "due_on"
    with pytest.raises(Conflict):
        services.resubmit(cw.w.member, contract)
    services.return_for_correction(cw.reviewer, contract, "补充附件")
    contract = TechContract.objects.get(pk=contract.pk)
    assert contract.correction_due == D(2026, 3, 17)  # CONTRACTS_CORRECTION_DAYS (15) by default
    with pytest.raises(Conflict):
        services.return_for_correction(cw.reviewer, contract, "again")
    with pytest.raises(Conflict):
        services.certify(cw.reviewer, contract, "development", "dev_commissioned", [])
    with pytest.raises(Forbidden):
        services.resubmit(cw.reviewer, contract)
    # a resubmission is checked like a submission: an oral contract is still not accepted
    services.update_draft(cw.w.member, contract, {"written_form": False})
    with pytest.raises(DomainError) as exc:
        services.resubmit(cw.w.member, contract)
    assert exc.value.code == "oral_contract_not_accepted"


def test_return_and_resubmit_through_the_api(cw, client_for, monkeypatch):
    """补正 through the API: the reviewer returns (what, due_on), the filer sees it and resubmits."""
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(**SIGNED)
    reviewer, seller = client_for(cw.reviewer), client_for(cw.w.member)
    r = _post(seller, f"/api/v1/contracts/{contract.pk}/return", {"what": "x", "due_on": "2026-03-20"})
    assert r.status_code == 403
    r = _post(reviewer, f"/api/v1/contracts/{contract.pk}/return", {"what": "补充签章页", "due_on": "2026-03-20"})
    assert r.status_code == 200, r.content
    body = seller.get(f"/api/v1/contracts/{contract.pk}").json()
    assert (body["status"], body["correction_request"], body["correction_due"]) == (
        "returned",
        "补充签章页",
        "2026-03-20",
    )
    r = _post(seller, f"/api/v1/contracts/{contract.pk}/resubmit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    r = _post(seller, f"/api/v1/contracts/{contract.pk}/resubmit")
    assert r.status_code == 409


def test_return_and_resubmit_through_the_pages(cw, client_for, monkeypatch):
    """补正 on the pages: the reviewer's return form; the filer sees what to correct, edits and resubmits."""
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(**SIGNED)
    reviewer, seller = client_for(cw.reviewer), client_for(cw.w.member)
    assert 'data-testid="return-form"' in reviewer.get(f"/contracts/{contract.pk}/").content.decode()
    r = reviewer.post(f"/contracts/{contract.pk}/return/", {"what": "请补充签章页", "due_on": "2026-03-20"})
    assert r.status_code == 302
    page = seller.get(f"/contracts/{contract.pk}/").content.decode()
    assert "请补充签章页" in page and "2026-03-20" in page and 'data-testid="resubmit-contract"' in page
    assert "请补充签章页" in seller.get(f"/contracts/{contract.pk}/edit/").content.decode()
    # the corrected scan (e.g. the signature page) may be attached while the filing is with the filer
    assert may_attach(cw.w.member, TechContract.objects.get(pk=contract.pk))
    r = seller.post(f"/contracts/{contract.pk}/resubmit/")
    assert r.status_code == 302
    assert TechContract.objects.get(pk=contract.pk).status == Status.SUBMITTED


# --- 4. time limits on the official calendar -----------------------------------------------------------------------


def test_working_days_follow_the_official_calendar_with_holidays_and_adjusted_working_days(cw, monkeypatch):
    """Working days per the State Council's holiday notice for 2026 (via chinesecalendar): 中秋 (25 Sep) and the
    National Day week (1–7 Oct) are off, Saturday 10 Oct is an adjusted working day (调休). Tianjin practice:
    10 working days after acceptance — from Wed 23 Sep 2026 that is Wed 14 Oct, not 7 Oct."""
    tianjin_like(cw)
    at(monkeypatch, D(2026, 9, 23))
    contract = cw.submitted(**SIGNED)
    assert contract.due_on == D(2026, 10, 14) and not contract.due_provisional
    assert services.is_working_day(D(2026, 10, 10)) and not services.is_working_day(D(2026, 10, 5))
    assert services.days_between(D(2026, 9, 23), D(2026, 10, 14), True) == 10
    shown = services.processing(contract, today=D(2026, 10, 15))
    assert shown.overdue and shown.working_days and shown.limit_days == 10


def test_large_development_and_transfer_contracts_have_the_special_30_day_limit(cw, monkeypatch):
    """Tianjin practice: development and transfer contracts above ¥10 m go to an expert re-review with a 30-day
    limit, while the point's ordinary limit is 10 working days; other categories keep the ordinary limit."""
    tianjin_like(cw)
    at(monkeypatch, D(2026, 3, 2))
    large = cw.submitted(name="大额开发合同", contract_amount="12000000.00", **SIGNED)
    assert large.due_on == D(2026, 4, 1) and "expert re-review" in large.limit_rule
    assert services.needs_expert_review(large)
    at_limit = cw.submitted(name="恰好一千万", contract_amount="10000000.00", **SIGNED)
    assert at_limit.due_on == D(2026, 3, 16)  # not above ¥10 m: 10 working days
    service = cw.submitted(
        name="大额服务合同", category="service", subcategory="svc_general", contract_amount="12000000.00", **SIGNED
    )
    assert service.due_on == D(2026, 3, 16)


def test_a_points_own_special_limit_comes_before_the_installation_wide_one(cw, monkeypatch):
    """A registration point's rules are data: its own special limits apply before those for every point."""
    tianjin_like(cw)
    own = SpecialTimeLimit.objects.create(point=cw.kunming_point, label="本点大额合同", days=20, above_amount=5_000_000)
    own.categories.set([ContractCategory.objects.get(pk="development")])
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(contract_amount="12000000.00", **SIGNED)
    assert contract.due_on == D(2026, 3, 22) and contract.limit_rule == "本点大额合同"


def test_no_rule_goes_beyond_the_statutory_30_days(cw, monkeypatch):
    """《技术合同认定登记管理办法》: decide within 30 days of acceptance. A limit above 30 is refused as data, and a
    working-day limit is capped at 30 calendar days."""
    with pytest.raises(ValidationError):
        SpecialTimeLimit(label="too long", days=31).full_clean()
    with pytest.raises(ValidationError):
        tianjin_like(cw, days=45, working=False)
    tianjin_like(cw, days=30, working=True)
    at(monkeypatch, D(2026, 3, 2))
    contract = cw.submitted(**SIGNED)
    assert contract.due_on == D(2026, 4, 1)


def test_a_deadline_in_a_year_the_calendar_does_not_know_is_provisional(cw, monkeypatch, client_for):
    """chinesecalendar 1.11 knows 2004–2026. Accepted on Thu 24 Dec 2026 with 10 working days, the deadline falls
    in 2027: weekends only are taken off for 2027 (1 Jan counts), the deadline is flagged provisional and the
    message asks the operator to upgrade the package. Nothing crashes."""
    tianjin_like(cw)
    at(monkeypatch, D(2026, 12, 24))
    contract = cw.submitted(**SIGNED)
    assert contract.due_on == D(2027, 1, 7) and contract.due_provisional
    shown = services.processing(contract, today=D(2026, 12, 28))
    assert shown.provisional and "2027" in shown.message and "chinesecalendar" in shown.message
    body = client_for(cw.reviewer).get(f"/api/v1/contracts/{contract.pk}").json()
    provisional = gettext(
        "Provisional: the official holidays of %(years)s are not known to the installed calendar "
        "(chinesecalendar), so only weekends were taken off. Upgrade the chinesecalendar package."
    ) % {"years": "2027"}
    assert body["due_provisional"] and provisional in body["due_message"]
    page = client_for(cw.reviewer).get(f"/contracts/{contract.pk}/").content.decode()
    assert 'data-testid="due-provisional"' in page
    # Calendar days need no calendar: never provisional.
    tianjin_like(cw, days=30, working=False)
    other = cw.submitted(name="日历日合同", **SIGNED)
    assert other.due_on == D(2027, 1, 23) and not other.due_provisional
