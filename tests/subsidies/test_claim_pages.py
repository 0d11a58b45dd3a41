"""Subsidy claim pages: the applicant sees its organizations' claims only and applies with its bank details; a region
administrator reviews the claims of its region from the queue (a county's administrator never another county's),
approves or refuses, and records the payment; bank details show only to those allowed to see them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from techtransfer.accounts.models import Role
from techtransfer.contracts import services as contract_services
from techtransfer.subsidies.models import Claim, ClaimStatus, EntryKind
from techtransfer.subsidies.services import claims as claim_services
from techtransfer.subsidies.views_claims import explanation, unmet_text

pytestmark = pytest.mark.django_db

BANK = {"bank_name": "中国工商银行昆明五华支行", "bank_account": "6222020200112233445",
        "account_name": "五华测试科技有限公司", "documents_note": "营业执照复印件、合同登记证明"}


def _claim_of(contract, org) -> Claim:
    """The candidate claim of ``org`` for ``contract`` (yn-local: a Yunnan seller trading inside the province)."""
    claim_services.generate_candidates(contract)  # idempotent: the certification's outbox handler may have run
    return Claim.objects.get(contract=contract, organization=org, policy__code="yn-local")


@pytest.fixture
def claims(cw, make_user):
    """A claim of the 五华 enterprise (seller of a certified contract) and one of the 盘龙 enterprise."""
    w = cw.w
    wuhua = _claim_of(cw.certified(), w.wuhua_org)
    pl_member = make_user("pl_member", Role.ORG_MEMBER, org=w.panlong_org)
    data = cw.data(name="盘龙卖方的技术转让合同", seller={"organization": w.panlong_org.pk},
                   buyer={"organization": w.wuhua_org.pk})
    contract = contract_services.submit(pl_member, contract_services.file_contract(pl_member, data))
    contract = contract_services.certify(cw.reviewer, contract, contract.category_id, contract.subcategory_id, [])
    panlong = _claim_of(contract, w.panlong_org)
    return type("Claims", (), {"wuhua": wuhua, "panlong": panlong, "pl_member": pl_member})


def _url(claim, action=""):
    return f"/subsidies/claims/{claim.pk}/" + (f"{action}/" if action else "")


def _applied(cw, claim):
    return claim_services.apply(cw.w.org_admin, claim, **BANK)


def test_the_applicant_sees_its_own_claims_only(cw, claims, client_for):
    r = client_for(cw.w.member).get("/subsidies/claims/")
    assert r.status_code == 200
    shown = {c.pk for c in r.context["claims"]}
    assert shown == {claims.wuhua.pk}
    page = r.content.decode()
    assert 'data-testid="claim-status" data-status="candidate"' in page
    assert 'data-testid="tab-review"' not in page  # members do not review
    # the other organization's claim is not there, and its page does not exist for this user
    assert client_for(cw.w.member).get(_url(claims.panlong)).status_code == 404
    assert client_for(claims.pl_member).get(_url(claims.wuhua)).status_code == 404
    assert client_for(cw.w.visitor).get(_url(claims.wuhua)).status_code == 404
    assert client_for().get(_url(claims.wuhua)).status_code == 302  # signed out: to the sign-in page


def test_claim_page_explains_the_amount(cw, claims, client_for):
    r = client_for(cw.w.member).get(_url(claims.wuhua))
    assert r.status_code == 200
    page = r.content.decode()
    assert claims.wuhua.policy.name in page and claims.wuhua.contract.registration_number in page
    assert claims.wuhua.amount == Decimal("200000.00")  # 20 % of the ¥1,000,000 technology transaction amount
    assert "20%" in page and "¥1,000,000.00" in page and "¥200,000.00" in page
    assert 'data-testid="apply-form"' not in page  # a member reads; the organization's administrator applies
    assert 'data-testid="apply-form"' in client_for(cw.w.org_admin).get(_url(claims.wuhua)).content.decode()


def test_explanation_lines_read_as_sentences():
    lines = explanation({"lines": [
        {"step": "base", "rule": "004 §19", "base": "tech_amount", "value": "11000000.00"},
        {"step": "percentage", "base": "11000000.00", "rate": "0.20", "amount": "2200000.00"},
        {"step": "cap", "cap": "per_case", "limit": "2000000.00", "used": "0.00", "before": "2200000.00",
         "after": "2000000.00"},
        {"step": "tier", "from": "1000000.00", "to": None, "rate": "0.001", "portion": "500.00", "amount": "0.50"},
        {"step": "share", "broker": "person:7", "contribution": "2.50", "amount": "1234.56"},
    ]}, {"person:7": "李经纪"})
    assert len(lines) == 5
    assert "李经纪" in lines[4] and "¥1,234.56" in lines[4]
    assert "¥11,000,000.00" in lines[0] and "004 §19" in lines[0]
    assert "20%" in lines[1] and "¥2,200,000.00" in lines[1]
    assert "¥2,200,000.00" in lines[2] and "¥2,000,000.00" in lines[2]
    assert "0.1%" in lines[3] and "¥0.50" in lines[3]
    assert unmet_text("buyer_region_inside") != "buyer_region_inside"
    assert unmet_text("rate_not_set") != "rate_not_set"


@pytest.mark.parametrize("field", ["bank_name", "bank_account", "account_name"])
def test_apply_errors_are_shown_on_the_form(cw, claims, client_for, field):
    r = client_for(cw.w.org_admin).post(_url(claims.wuhua, "apply"), {**BANK, field: ""})
    assert r.status_code == 400
    page = r.content.decode()
    assert 'data-testid="form-error"' in page and 'data-testid="apply-form"' in page
    # what was typed stays in the form
    if field != "bank_account":
        assert BANK["bank_account"] in page
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.CANDIDATE and claims.wuhua.bank_account == ""


def test_only_the_beneficiary_applies(cw, claims, client_for):
    # another organization's user: the claim does not exist for it
    assert client_for(claims.pl_member).post(_url(claims.wuhua, "apply"), BANK).status_code == 404
    # an administrator who reviews it may see it but does not apply for the enterprise
    assert client_for(cw.w.kunming_admin).post(_url(claims.wuhua, "apply"), BANK).status_code == 403
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.CANDIDATE


def test_apply_approve_pay_flow(cw, claims, client_for):
    applicant = client_for(cw.w.org_admin)
    r = applicant.post(_url(claims.wuhua, "apply"), BANK)
    assert r.status_code == 302 and r["Location"] == _url(claims.wuhua)
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.APPLIED and claims.wuhua.bank_account == BANK["bank_account"]

    admin = client_for(cw.w.wuhua_admin)  # the county's administrator, under a provincial policy
    queue = admin.get("/subsidies/claims/?tab=review")
    assert queue.status_code == 200 and [c.pk for c in queue.context["claims"]] == [claims.wuhua.pk]
    detail = admin.get(_url(claims.wuhua)).content.decode()
    assert 'data-testid="approve"' in detail and BANK["bank_account"] in detail

    r = admin.post(_url(claims.wuhua, "approve"))
    assert r.status_code == 302 and r["Location"] == _url(claims.wuhua)
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.APPROVED
    assert not admin.get("/subsidies/claims/?tab=review").context["claims"]
    to_pay = admin.get("/subsidies/claims/?tab=review&status=approved")
    assert [c.pk for c in to_pay.context["claims"]] == [claims.wuhua.pk]
    other_county = client_for(cw.w.panlong_admin).get("/subsidies/claims/?tab=review&status=approved")
    assert claims.wuhua.pk not in [c.pk for c in other_county.context["claims"]]

    page = admin.get(_url(claims.wuhua)).content.decode()
    assert 'data-testid="pay-form"' in page and 'value="200000.00"' in page
    r = admin.post(_url(claims.wuhua, "pay"), {"amount": "abc", "reference": "X"})
    assert r.status_code == 400 and 'data-testid="field-error"' in r.content.decode()
    assert claim_services.paid_total(claims.wuhua) == 0
    r = admin.post(_url(claims.wuhua, "pay"), {"amount": "200000.00", "reference": "YN-PAY-0001"})
    assert r.status_code == 302
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.PAID
    assert claim_services.paid_total(claims.wuhua) == Decimal("200000.00")
    assert claims.wuhua.entries.filter(kind=EntryKind.PAID, reference="YN-PAY-0001").exists()
    page = applicant.get(_url(claims.wuhua)).content.decode()
    assert 'data-status="paid"' in page and "YN-PAY-0001" in page
    assert 'data-testid="pay-form"' not in page


def test_refuse_needs_a_reason_and_shows_it(cw, claims, client_for):
    _applied(cw, claims.wuhua)
    admin = client_for(cw.w.kunming_admin)
    r = admin.post(_url(claims.wuhua, "refuse"), {"reason": ""})
    assert r.status_code == 400 and 'data-testid="form-error"' in r.content.decode()
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.APPLIED
    r = admin.post(_url(claims.wuhua, "refuse"), {"reason": "银行账户名称与受益单位不一致"})
    assert r.status_code == 302
    page = client_for(cw.w.member).get(_url(claims.wuhua)).content.decode()
    assert 'data-status="refused"' in page and "银行账户名称与受益单位不一致" in page


def test_a_county_administrator_cannot_act_on_another_countys_claim(cw, claims, client_for):
    _applied(cw, claims.wuhua)
    panlong_admin = client_for(cw.w.panlong_admin)
    queue = panlong_admin.get("/subsidies/claims/?tab=review")
    assert queue.status_code == 200 and 'data-testid="tab-review"' in queue.content.decode()
    assert claims.wuhua.pk not in [c.pk for c in queue.context["claims"]]
    assert panlong_admin.post(_url(claims.wuhua, "approve")).status_code in (403, 404)
    assert panlong_admin.post(_url(claims.wuhua, "refuse"), {"reason": "x"}).status_code in (403, 404)
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.APPLIED
    # members are not reviewers: no queue for them, and approving is refused
    assert client_for(cw.w.org_admin).post(_url(claims.wuhua, "approve")).status_code == 403
    r = client_for(cw.w.member).get("/subsidies/claims/?tab=review")
    assert r.context["tab"] == "mine"


def test_wrong_state_is_a_message_not_an_error_page(cw, claims, client_for):
    admin = client_for(cw.w.kunming_admin)
    _applied(cw, claims.wuhua)
    admin.post(_url(claims.wuhua, "approve"))
    r = admin.post(_url(claims.wuhua, "approve"))  # approved already
    assert r.status_code in (403, 409)
    if r.status_code == 409:
        assert 'data-testid="form-error"' in r.content.decode()


def test_bank_details_only_for_those_allowed(cw, claims, client_for, monkeypatch):
    _applied(cw, claims.wuhua)
    secret = BANK["bank_account"]
    for user in (cw.w.member, cw.w.org_admin, cw.w.wuhua_admin):
        page = client_for(user).get(_url(claims.wuhua)).content.decode()
        assert secret in page and 'data-testid="bank-fields"' in page, user
    for user in (cw.w.visitor, claims.pl_member, cw.w.panlong_admin):
        r = client_for(user).get(_url(claims.wuhua))
        assert r.status_code == 404 or secret not in r.content.decode(), user
    # the list never shows them
    assert secret not in client_for(cw.w.member).get("/subsidies/claims/").content.decode()
    # whoever sees the claim without the right to the restricted fields gets the page without them
    monkeypatch.setattr(claim_services, "may_see_bank", lambda user, claim: False)
    page = client_for(cw.w.member).get(_url(claims.wuhua)).content.decode()
    assert claims.wuhua.policy.name in page
    assert secret not in page and BANK["bank_name"] not in page and BANK["documents_note"] not in page


def test_a_clawback_shows_as_owed_back_and_its_recovery_is_recorded(cw, claims, client_for):
    _applied(cw, claims.wuhua)
    admin = client_for(cw.w.kunming_admin)
    admin.post(_url(claims.wuhua, "approve"))
    admin.post(_url(claims.wuhua, "pay"), {"amount": "200000.00", "reference": "YN-PAY-0002"})
    contract_services.cancel(cw.reviewer, claims.wuhua.contract, "双方协议解除")
    claim_services.contract_changed(claims.wuhua.contract, "cancelled")  # what the outbox handler does
    claims.wuhua.refresh_from_db()
    assert claim_services.outstanding(claims.wuhua) == Decimal("-200000.00")
    page = admin.get(_url(claims.wuhua)).content.decode()
    assert 'data-testid="owed-back"' in page and 'value="-200000.00"' in page
    assert 'data-kind="adjusted"' in page
    r = admin.post(_url(claims.wuhua, "pay"), {"amount": "-200000.00", "reference": "YN-BACK-0001"})
    assert r.status_code == 302
    assert claim_services.outstanding(claims.wuhua) == 0
    assert 'data-testid="pay-form"' not in admin.get(_url(claims.wuhua)).content.decode()


@pytest.fixture
def broker(cw):
    from techtransfer.people.models import BrokerProfile, Person

    person = Person.objects.create(name="李经纪", region_id=cw.wuhua)
    BrokerProfile.objects.create(person=person, level="senior")
    return person


def test_brokers_contributions_are_recorded_by_the_registration_point(cw, claims, client_for, broker):
    contract = claims.wuhua.contract
    url = f"/subsidies/claims/contracts/{contract.pk}/brokers/"
    point = client_for(cw.reviewer)
    page = point.get(url)
    assert page.status_code == 200 and 'data-testid="broker-form"' in page.content.decode()
    r = point.post(url, {"person": str(broker.pk), "contribution": "abc"})
    assert r.status_code == 400 and 'data-testid="field-error"' in r.content.decode()
    r = point.post(url, {"person": "", "contribution": "1"})
    assert r.status_code == 400
    r = point.post(url, {"person": str(broker.pk), "contribution": "2.5", "note": "促成交易"})
    assert r.status_code == 302 and r["Location"] == url
    page = point.get(url).content.decode()
    assert "李经纪" in page and "2.50" in page
    # the seller reads the list but may not record; a stranger does not see the contract
    member = client_for(cw.w.member)
    assert 'data-testid="broker-form"' not in member.get(url).content.decode()
    assert member.post(url, {"person": str(broker.pk), "contribution": "1"}).status_code == 403
    assert client_for(cw.w.visitor).get(url).status_code == 404


def test_an_exhausted_budget_is_said_on_the_page(cw, claims, client_for):
    from techtransfer.subsidies.models import Budget

    Budget.objects.create(policy=claims.wuhua.policy, year=claims.wuhua.year, amount=Decimal("1000.00"))
    _applied(cw, claims.wuhua)
    r = client_for(cw.w.kunming_admin).post(_url(claims.wuhua, "approve"))
    assert r.status_code == 409
    page = r.content.decode()
    assert 'data-testid="form-error"' in page and "¥1000.00" in page  # what is left of the year's budget
    claims.wuhua.refresh_from_db()
    assert claims.wuhua.status == ClaimStatus.APPLIED and not claims.wuhua.entries.exists()
