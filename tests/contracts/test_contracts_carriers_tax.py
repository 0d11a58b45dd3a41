"""Technology carriers in 技术交易额 and the tax-relief hints (issue 12, items 6–8)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from techtransfer.contracts import services, tax
from techtransfer.contracts.models import AmountKind
from techtransfer.contracts.services.amounts import split_amount
from techtransfer.core.errors import DomainError

D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- item 6: technology carriers ---------------------------------------------------------------------------------


def test_carriers_stay_in_the_technology_transaction_amount():
    """《技术合同认定规则》 ch. 7 (核定技术性收入): equipment is deducted, the direct cost of a reasonable quantity of
    technology carriers (one or two prototype sets) is not."""
    split = split_amount(
        D("1000000.00"),
        [
            {"kind": "equipment", "amount": "200000.00", "description": "通用层压机"},
            {"kind": "carriers", "amount": "150000.00", "description": "样机2套（体现封装工艺）"},
        ],
    )
    assert split.tech_amount == D("800000.00")
    assert split.non_tech_amount == D("200000.00")
    assert split.carriers_amount == D("150000.00")
    kinds = {line.kind: line.amount for line in split.lines}
    assert kinds == {"technology": D("650000.00"), "carriers": D("150000.00"), "equipment": D("200000.00")}
    assert sum(kinds.values()) == D("1000000.00")


def test_carrier_line_needs_the_reviewers_note():
    """《技术合同认定规则》 ch. 7: only a reasonable quantity of carriers stays in; the reviewer notes what they
    are."""
    with pytest.raises(DomainError) as exc:
        split_amount(D("1000000.00"), [{"kind": "carriers", "amount": "100000.00", "description": "  "}])
    assert exc.value.field == "amount_lines.0.description"


def test_carriers_count_towards_the_lines_total():
    """The lines may not exceed the contract amount (《技术合同认定规则》 ch. 7), carriers included."""
    with pytest.raises(DomainError):
        split_amount(
            D("100.00"),
            [
                {"kind": "carriers", "amount": "60.00", "description": "样机1套"},
                {"kind": "materials", "amount": "50.00"},
            ],
        )


def test_certified_contract_with_carriers_keeps_them_in_the_ledger(cw):
    """《技术合同认定规则》 ch. 7: the registered 技术交易额 (and the statistics event) include the carriers."""
    contract = cw.certified(
        lines=[
            {"kind": "materials", "amount": "100000.00", "description": "原材料"},
            {"kind": "carriers", "amount": "300000.00", "description": "中试样机1套"},
        ]
    )
    assert contract.tech_amount == D("900000.00")
    assert contract.non_tech_amount == D("100000.00")
    assert set(contract.amount_lines.values_list("kind", flat=True)) == {"technology", "carriers", "materials"}
    event = contract.events.get(kind="certified")
    assert event.tech_amount_delta == D("900000.00")
    # An amendment of the amount alone keeps the carrier line and the deduction.
    services.amend(cw.reviewer, contract, note="金额变更", contract_amount="1200000.00")
    contract.refresh_from_db()
    assert contract.tech_amount == D("1100000.00")
    assert contract.amount_lines.get(kind=AmountKind.CARRIERS).amount == D("300000.00")


def test_carrier_line_through_the_api(cw, client_for):
    """《技术合同认定规则》 ch. 7 via the certify endpoint: the missing note is a 4xx with its field."""
    import json

    contract = cw.submitted()
    reviewer = client_for(cw.reviewer)
    body = {
        "category": contract.category_id,
        "subcategory": contract.subcategory_id,
        "amount_lines": [{"kind": "carriers", "amount": "100000.00", "description": ""}],
    }
    url = f"/api/v1/contracts/{contract.pk}/certify"
    r = reviewer.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code in (400, 422), r.content
    assert r.json()["field"] == "amount_lines.0.description"
    body["amount_lines"][0]["description"] = "样机1套"
    r = reviewer.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.content
    assert D(r.json()["tech_amount"]) == D("1000000.00")


# --- item 7: enterprise income tax ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime.date(2024, 1, 1), datetime.date(2028, 12, 31), True),
        (datetime.date(2024, 1, 2), datetime.date(2028, 12, 31), False),
        (datetime.date(2024, 1, 1), datetime.date(2028, 12, 30), False),
        (datetime.date(2024, 2, 29), datetime.date(2029, 2, 28), True),
        (datetime.date(2024, 2, 29), datetime.date(2029, 2, 27), False),
        (datetime.date(2024, 3, 1), datetime.date(2029, 2, 28), True),
        (None, datetime.date(2030, 1, 1), False),
    ],
)
def test_licence_length_counts_first_to_last_day(start, end, expected):
    """财税〔2015〕116号 / 财税〔2010〕111号 "5年以上（含5年）": counted from the first to the last day inclusive."""
    assert tax.licence_years_at_least(start, end, 5) is expected


def _eit(contract):
    return next((h for h in tax.tax_hints(contract) if h.code == "eit"), None)


def test_eit_for_a_granted_patent_transfer(cw):
    """企业所得税法实施条例 art. 90 with 财税〔2010〕111号: a granted patent's transfer qualifies; the hint states the
    ¥5 m exemption and the halving above it."""
    contract = cw.certified(category="transfer", subcategory="tr_patent", ip_type="patent")
    hint = _eit(contract)
    assert hint is not None and hint.status == tax.LIKELY
    assert "5,000,000" in hint.reason and "half" in hint.reason
    assert "第九十条" in hint.rule and "111" in hint.rule
    assert any("design" in c for c in hint.conditions)


@pytest.mark.parametrize(
    ("subcategory", "ip_type"),
    [("tr_secret", "secret"), ("tr_patent_app", "patent"), ("tr_other", "secret"), ("tr_other", "none")],
)
def test_eit_not_for_secrets_or_patent_applications(cw, subcategory, ip_type):
    """财税〔2010〕111号 art. 1: technical secrets and patent-application rights are out of the relief's scope."""
    contract = cw.certified(category="transfer", subcategory=subcategory, ip_type=ip_type)
    assert _eit(contract) is None
    assert any(h.code == "vat" for h in tax.tax_hints(contract))


@pytest.mark.parametrize("ip_type", ["software", "ic_layout", "plant_variety", "biomed_variety"])
def test_eit_for_other_qualifying_rights(cw, ip_type):
    """财税〔2010〕111号 art. 1: software copyright, IC layouts, plant varieties and biomedical new varieties."""
    contract = cw.certified(category="transfer", subcategory="tr_other", ip_type=ip_type)
    assert _eit(contract).status == tax.LIKELY


@pytest.mark.parametrize(
    ("start", "end", "has_hint"),
    [
        (datetime.date(2024, 1, 1), datetime.date(2028, 12, 31), True),
        (datetime.date(2024, 1, 1), datetime.date(2028, 12, 30), False),
    ],
)
def test_eit_licence_five_years_or_more(cw, start, end, has_hint):
    """财税〔2015〕116号 art. 2: licences of qualifying technology for five years or more (1 Jan 2024 – 31 Dec 2028 is
    five years)."""
    contract = cw.certified(
        category="licence",
        subcategory="lic_patent",
        licence_scope="ordinary",
        ip_type="patent",
        signed_on=start,
        term_start=start,
        term_end=end,
    )
    hint = _eit(contract)
    assert (hint is not None) is has_hint
    if hint:
        assert "116" in hint.rule


def test_eit_not_for_a_secret_licence(cw):
    """财税〔2015〕116号 / 财税〔2010〕111号: a technical-secret licence is out of scope however long."""
    contract = cw.certified(
        category="licence",
        subcategory="lic_secret",
        licence_scope="sole",
        ip_type="secret",
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2034, 12, 31),
    )
    assert _eit(contract) is None


def test_eit_transfer_abroad_needs_export_registration(cw):
    """财税〔2010〕111号 art. 2: a cross-border transfer needs the commerce department's registration."""
    contract = cw.certified(
        category="transfer",
        subcategory="tr_patent",
        ip_type="patent",
        buyer={"name": "Example GmbH", "country": "DE", "party_type": "enterprise"},
    )
    hint = _eit(contract)
    assert hint.status == tax.CONDITIONAL
    assert any("commerce department" in c for c in hint.conditions)


def test_eit_exempt_amount_is_a_setting(cw, settings):
    """企业所得税法实施条例 art. 90 (¥5 m), kept configurable as CONTRACTS_EIT_EXEMPT_AMOUNT."""
    settings.CONTRACTS_EIT_EXEMPT_AMOUNT = "8000000"
    contract = cw.certified(category="transfer", subcategory="tr_patent", ip_type="patent")
    assert "8,000,000" in _eit(contract).reason


# --- item 8: VAT ---------------------------------------------------------------------------------------------------


def SAME_INVOICE() -> str:  # noqa: N802 - reads like the constant it stands for, in the active language
    return translation.gettext(
        "Consulting and service income directly related to the transfer or development is exempt only when it is "
        "on the same invoice as the transfer or development price."
    )


def test_vat_states_the_same_invoice_condition(cw, client_for):
    """财税〔2016〕36号 annex 3 item 26: related consulting and service only on the same invoice (also in the
    API)."""
    contract = cw.certified()
    r = client_for(cw.w.member).get(f"/api/v1/contracts/{contract.pk}/tax-hints")
    vat = next(h for h in r.json() if h["code"] == "vat")
    assert vat["status"] == "likely" and "36号" in vat["rule"]
    assert SAME_INVOICE() in vat["conditions"]
    service = cw.certified(name="技术服务合同", category="service", subcategory="svc_general")
    vat = next(h for h in tax.tax_hints(service) if h.code == "vat")
    assert vat.status == tax.CONDITIONAL and SAME_INVOICE() in vat.conditions
