"""Contract pages: the seller files and submits through the form, the reviewer decides from its queue (only in
its jurisdiction), the certificate downloads, the public page verifies the code."""

import datetime

import pytest

from techtransfer.contracts import certificates, services
from techtransfer.contracts.models import Status, TechContract

pytestmark = pytest.mark.django_db


def _form(cw, **over):
    today = datetime.date.today()
    data = {
        "name": "页面填报的技术开发合同",
        "category": "development",
        "subcategory": "dev_commissioned",
        "written_form": "on",
        "signed_on": (today - datetime.timedelta(days=5)).isoformat(),
        "term_start": (today - datetime.timedelta(days=5)).isoformat(),
        "term_end": (today + datetime.timedelta(days=200)).isoformat(),
        "contract_amount": "500000.00",
        "technical_summary": "开发一种新的工艺。",
        "ip_type": "patent",
        "tech_field": "06",
        "objective": "energy",
        "registration_point": str(cw.kunming_point.pk),
        "seller_organization": str(cw.w.wuhua_org.pk),
        "buyer_name": "盘龙测试科技有限公司",
        "buyer_party_type": "enterprise",
        "buyer_credit_code": cw.w.panlong_org.credit_code,
        "buyer_region": "530103",
        "payments_0_due_on": (today + datetime.timedelta(days=30)).isoformat(),
        "payments_0_amount": "500000.00",
        "payments_0_note": "一次付清",
        "amount_lines_0_kind": "equipment",
        "amount_lines_0_amount": "100000.00",
        "amount_lines_0_description": "设备",
        "action": "submit",
    }
    data.update(over)
    return data


def test_seller_files_and_submits_through_the_form(cw, client_for):
    seller = client_for(cw.w.member)
    assert seller.get("/contracts/new/").status_code == 200
    r = seller.post("/contracts/new/", _form(cw))
    assert r.status_code == 302, r.content.decode()[:2000]
    contract = TechContract.objects.get(name="页面填报的技术开发合同")
    assert contract.status == Status.SUBMITTED
    assert contract.declared_lines == [{"kind": "equipment", "amount": "100000.00", "description": "设备"}]
    assert contract.buyer.region_id == "530103" and contract.flow == "in_province"
    page = seller.get(f"/contracts/{contract.pk}/").content.decode()
    assert "页面填报的技术开发合同" in page
    assert "contracts/" in seller.get("/contracts/").content.decode()


@pytest.mark.parametrize(
    "over, field",
    [
        ({"contract_amount": "-5"}, "contract_amount"),
        ({"term_end": "2000-01-01"}, "term_end"),
        ({"category": "nonsense"}, "category"),
        ({"buyer_region": "", "buyer_credit_code": ""}, "buyer.country"),
        ({"buyer_foreign": "on", "buyer_country": ""}, "buyer.country"),
        ({"amount_lines_0_amount": "900000.00"}, "amount_lines"),
        ({"payments_0_amount": "abc"}, "payments.0.amount"),
    ],
)
def test_form_errors_are_shown_at_the_field_and_nothing_is_submitted(cw, client_for, over, field):
    r = client_for(cw.w.member).post("/contracts/new/", _form(cw, **over))
    assert r.status_code == 400
    assert r.context["error"].field == field
    assert 'data-testid="form-error"' in r.content.decode()
    assert not TechContract.objects.filter(status=Status.SUBMITTED).exists()


def test_foreign_buyer_by_country(cw, client_for):
    r = client_for(cw.w.member).post(
        "/contracts/new/",
        _form(cw, buyer_foreign="on", buyer_country="LA", buyer_region="", buyer_credit_code="", buyer_name="Lao Co"),
    )
    assert r.status_code == 302
    contract = TechContract.objects.get()
    assert contract.flow == "international" and contract.buyer_country_id == "LA"


def test_draft_edit_and_submit(cw, client_for):
    seller = client_for(cw.w.member)
    r = seller.post("/contracts/new/", {"name": "草稿", "seller_organization": cw.w.wuhua_org.pk, "action": "save"})
    assert r.status_code == 302
    contract = TechContract.objects.get()
    assert contract.status == Status.DRAFT
    assert seller.get(f"/contracts/{contract.pk}/edit/").status_code == 200
    r = seller.post(f"/contracts/{contract.pk}/edit/", _form(cw, name="草稿改好了"))
    assert r.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED and contract.name == "草稿改好了"


def test_reviewer_queue_is_limited_to_its_jurisdiction(cw, client_for):
    mine = cw.submitted(name="五华的合同")
    r = client_for(cw.reviewer).get("/contracts/queue/")
    assert r.status_code == 200 and "五华的合同" in r.content.decode()
    assert 'data-testid="processing"' in r.content.decode()
    # The Panlong-scoped reviewer of the same point and the Qujing reviewer do not see a Wuhua seller's contract.
    for other in (cw.panlong_reviewer, cw.qujing_reviewer):
        assert "五华的合同" not in client_for(other).get("/contracts/queue/").content.decode()
        assert client_for(other).get(f"/contracts/{mine.pk}/").status_code == 404
        r = client_for(other).post(f"/contracts/{mine.pk}/certify/", {"category": "development"})
        assert r.status_code == 404
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED


def test_reviewer_certifies_with_split_then_certificate_and_public_verification(cw, client_for):
    contract = cw.submitted(contract_amount="1000000.00")
    reviewer = client_for(cw.reviewer)
    r = reviewer.post(
        f"/contracts/{contract.pk}/certify/",
        {
            "category": "development",
            "subcategory": "dev_cooperative",
            "amount_lines_0_kind": "equipment",
            "amount_lines_0_amount": "250000.00",
            "amount_lines_1_kind": "materials",
            "amount_lines_1_amount": "50000.00",
        },
    )
    assert r.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Status.CERTIFIED and contract.subcategory_id == "dev_cooperative"
    assert contract.tech_amount == cw.D("700000.00")
    pdf = client_for(cw.w.member).get(f"/contracts/{contract.pk}/certificate/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    code = certificates.verification_code(contract.registration_number)
    anonymous = client_for()
    ok = anonymous.get("/contracts/verify/", {"number": contract.registration_number, "code": code})
    assert ok.status_code == 200 and 'data-testid="verify-result"' in ok.content.decode()
    bad = anonymous.get("/contracts/verify/", {"number": contract.registration_number, "code": "AAAA-AAAA-AAAA"})
    assert bad.status_code == 404 and 'data-testid="verify-result"' not in bad.content.decode()
    # The contract page shows the tax hints of a registered development contract.
    page = client_for(cw.w.member).get(f"/contracts/{contract.pk}/").content.decode()
    assert 'data-testid="tax-hints"' in page and "财税〔2016〕36号" in page


def test_refusal_with_reasons_and_errors(cw, client_for):
    contract = cw.submitted()
    reviewer = client_for(cw.reviewer)
    r = reviewer.post(f"/contracts/{contract.pk}/refuse/", {"note": "x"})
    assert r.status_code == 400 and r.context["error"].field == "reasons"
    r = reviewer.post(f"/contracts/{contract.pk}/refuse/", {"reasons": ["oral_form", "missing_content"]})
    assert r.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Status.REFUSED
    assert set(contract.refusal_reasons.values_list("pk", flat=True)) == {"oral_form", "missing_content"}


def test_amend_and_cancel_pages(cw, client_for):
    contract = cw.certified()
    reviewer = client_for(cw.reviewer)
    assert (
        reviewer.post(f"/contracts/{contract.pk}/amend/", {"note": "增加", "contract_amount": "1200000"}).status_code
        == 302
    )
    assert reviewer.post(f"/contracts/{contract.pk}/cancel/", {"reason": ""}).status_code == 400
    assert reviewer.post(f"/contracts/{contract.pk}/cancel/", {"reason": "双方解除"}).status_code == 302
    contract.refresh_from_db()
    assert contract.status == Status.CANCELLED and contract.contract_amount == cw.D("1200000.00")
    # The seller may not amend.
    other = cw.certified(name="另一份")
    r = client_for(cw.w.member).post(f"/contracts/{other.pk}/amend/", {"note": "x", "contract_amount": "1"})
    assert r.status_code == 403
    assert services.get_visible(cw.w.member, other.pk).contract_amount == cw.D("1000000.00")


def test_pages_need_sign_in_except_verification(cw, client_for):
    contract = cw.certified()
    anonymous = client_for()
    for url in ("/contracts/", "/contracts/new/", "/contracts/queue/", f"/contracts/{contract.pk}/"):
        assert anonymous.get(url).status_code == 302
    assert anonymous.get("/contracts/verify/").status_code == 200


def test_list_page_and_api_respect_scope(cw, client_for):
    draft = cw.filed(name="五华草稿")
    done = cw.certified(name="五华已登记")
    # The seller sees its draft and its registered contract.
    page = client_for(cw.w.member).get("/contracts/").content.decode()
    assert "五华草稿" in page and "五华已登记" in page
    # Region administrators of 五华区 / 昆明市 see registered ones (not drafts); 盘龙区 sees neither.
    for admin in (cw.w.wuhua_admin, cw.w.kunming_admin):
        page = client_for(admin).get("/contracts/").content.decode()
        assert "五华已登记" in page and "五华草稿" not in page
        assert client_for(admin).get(f"/contracts/{draft.pk}/").status_code == 404
    page = client_for(cw.w.panlong_admin).get("/contracts/").content.decode()
    assert "五华已登记" not in page
    assert client_for(cw.w.panlong_admin).get(f"/contracts/{done.pk}/").status_code == 404
    assert client_for(cw.w.panlong_admin).get(f"/contracts/{done.pk}/certificate/").status_code == 404
    ids = [c["id"] for c in client_for(cw.w.panlong_admin).get("/api/v1/contracts").json()["items"]]
    assert ids == []
    ids = [c["id"] for c in client_for(cw.w.kunming_admin).get("/api/v1/contracts").json()["items"]]
    assert ids == [done.pk]
    # A reviewer of another point may not decide or download.
    r = client_for(cw.qujing_reviewer).get(f"/api/v1/contracts/{done.pk}/certificate")
    assert r.status_code == 404
