"""The policy pages: the policies in force in plain language, one policy with its versions, clause and calculator."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from techtransfer.subsidies import describe, services
from techtransfer.subsidies.models import Policy
from techtransfer.subsidies.rules import parse_rules

pytestmark = pytest.mark.django_db

YN_CASE = {"calculate": "1", "beneficiary": "buyer", "category": "transfer", "subcategory": "tr_patent",
           "contract_amount": "12000000.00", "tech_amount": "11000000.00", "certified_on": "2025-03-01",
           "seller_region": "110105", "seller_kind": "university", "buyer_region": "530102",
           "buyer_kind": "enterprise", "buyer_ownership": "private"}


def test_the_list_shows_every_policy_in_force_with_what_it_pays(client):
    with translation.override("en"):
        page = client.get(reverse("subsidies:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for code in ("yn-absorb", "yn-local", "tj-institution", "tj-broker", "gx-county", "tiered-example"):
        assert f'href="/subsidies/{code}/"' in page
    assert "20 % of the technology transaction amount" in page  # yn-absorb's one sentence
    assert "Seed 004 (Yunnan), §19" in page


def test_a_policy_no_longer_in_force_leaves_the_list(client):
    v1 = Policy.objects.get(code="tiered-example").versions.get(number=1)
    v1.__class__.objects.filter(pk=v1.pk).update(effective_to=datetime.date(2001, 1, 1))
    assert 'href="/subsidies/tiered-example/"' not in client.get("/subsidies/").content.decode()
    assert client.get("/subsidies/tiered-example/").status_code == 200  # its page stays, with its history


def test_the_policy_page_describes_the_rules_in_both_languages(client):
    page = client.get("/subsidies/yn-absorb/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "技术交易实际金额的20%" in page  # the legal clause
    assert "at most ¥2,000,000.00 per contract" in page
    assert "The buyer is located in" in page and "The seller is located outside" in page
    assert 'data-testid="versions"' in page and 'name="subcategory"' in page and 'value="tr_patent"' in page
    zh = client.get("/subsidies/yn-absorb/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-testid="description"' in zh
    assert client.get("/subsidies/no-such-policy/").status_code == 404


def test_the_description_follows_the_rules_document():
    with translation.override("en"):
        tiered = describe.formula(parse_rules(Policy.objects.get(code="tiered-example").versions.get().rules))
        assert "1 % from ¥0.00 to ¥100,000.00" in tiered and "0.1 % above ¥1,000,000.00" in tiered
        assert "at most ¥50,000.00 per beneficiary per year" in tiered
        tj = parse_rules(Policy.objects.get(code="tj-institution").versions.get().rules)
        assert "not set yet" in describe.formula(tj)
        assert "5 % of" in describe.formula(tj, {"": services.policies.engine.Decimal("0.05")})
        broker = parse_rules(Policy.objects.get(code="tj-broker").versions.get().rules)
        assert "shared among the brokers" in describe.formula(broker)


def test_the_calculator_shows_the_engines_decision_and_lines(client):
    page = client.get("/subsidies/yn-absorb/", YN_CASE).content.decode()
    assert 'data-testid="amount">2000000.00<' in page
    assert "per_case" in page and "11000000.00" in page  # the cap line and the base


def test_the_calculator_names_unmet_conditions_and_bad_fields(client):
    page = client.get("/subsidies/yn-absorb/", {**YN_CASE, "seller_region": "530102"}).content.decode()
    assert 'data-testid="unmet"' in page and "seller_region_outside" in page
    page = client.get("/subsidies/yn-absorb/", {**YN_CASE, "tech_amount": "-5"}).content.decode()
    assert 'data-testid="form-error"' in page and "tech_amount" in page
    page = client.get("/subsidies/yn-absorb/", {**YN_CASE, "seller_region": "foreign"}).content.decode()
    assert 'data-testid="amount">2000000.00<' in page  # a foreign seller is outside Yunnan


def test_the_calculator_uses_the_rate_setting(client, settings):
    case = {**YN_CASE, "beneficiary": "seller", "seller_region": "120101", "buyer_region": "530102"}
    page = client.get("/subsidies/tj-institution/", case).content.decode()
    assert 'data-testid="amount">0.00<' in page and "rate_not_set" in page
    settings.SUBSIDY_RATES = {"tj-institution": {"": services.policies.engine.Decimal("0.01")}}
    page = client.get("/subsidies/tj-institution/", case).content.decode()
    assert 'data-testid="amount">120000.00<' in page  # 1 % of the contract amount


@pytest.mark.parametrize("garbage", [
    {"beneficiary": "mayor"}, {"certified_on": "2025-13-45"}, {"seller_region": "abc"}, {"buyer_kind": "alien"},
    {"contract_amount": "1e400"}, {"tech_amount": "ten"}, {"category": "x" * 300}, {"granted_this_year": "-1"},
    {"buyer_ownership": "x y"}, {"certified_on": "yesterday"},
])
def test_the_calculator_never_fails_on_garbage(client, garbage):
    r = client.get("/subsidies/yn-absorb/", {**YN_CASE, **garbage})
    assert r.status_code == 200 and 'data-testid="form-error"' in r.content.decode()
    # a control character is refused by the platform before the page (400), as everywhere
    assert client.get("/subsidies/yn-absorb/", {**YN_CASE, "buyer_ownership": "\x00"}).status_code == 400


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_shipped_policy_is_described(client, language):
    for policy in Policy.objects.all():
        page = client.get(f"/subsidies/{policy.code}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'data-testid="pays"' in page and 'data-testid="calculator"' in page, policy.code
