"""The shipped policies on worked examples, version selection by date, and published versions never changing."""

from __future__ import annotations

import datetime

import pytest

from techtransfer.accounts.models import Role
from techtransfer.audit.models import AuditEntry
from techtransfer.core.errors import Conflict, Forbidden
from techtransfer.subsidies import services
from techtransfer.subsidies.admin import PolicyVersionAdmin
from techtransfer.subsidies.models import Policy, PolicyVersion
from techtransfer.subsidies.rules import RulesError

pytestmark = pytest.mark.django_db

YN_SELLER_OUTSIDE = {"region": "110105", "kind": "university", "ownership": "state"}
YN_ENTERPRISE = {"region": "530102", "kind": "enterprise", "ownership": "private"}


def case(beneficiary="buyer", granted="0.00", **contract):
    c = {"category": "transfer", "subcategory": "tr_patent", "contract_amount": "1200000.00",
         "tech_amount": "1000000.00", "certified_on": "2025-03-01", "seller": YN_SELLER_OUTSIDE,
         "buyer": YN_ENTERPRISE}
    c.update(contract)
    return {"id": "x", "beneficiary": beneficiary, "contract": c, "granted_this_year": granted}


def run(code, line, **kwargs):
    return services.evaluate_case(Policy.objects.get(code=code), line, **kwargs)


def revise(code, on, admin, **rule_changes):
    """A new version of the shipped policy, with ``rule_changes`` merged into its formula, published from ``on``."""
    v1 = Policy.objects.get(code=code).versions.get(number=1)
    draft = services.new_draft(admin, v1)
    draft.rules = {**draft.rules, "formula": {**draft.rules["formula"], **rule_changes}}
    draft.effective_from = on
    draft.save()
    return services.publish(admin, draft)


@pytest.fixture
def admin(make_user):
    return make_user("platform", Role.PLATFORM_ADMIN)


def test_six_policies_are_shipped_published_citing_their_seed_clause():
    codes = set(Policy.objects.values_list("code", flat=True))
    assert {"yn-absorb", "yn-local", "tj-institution", "tj-broker", "gx-county", "tiered-example"} <= codes
    for policy in Policy.objects.all():
        v = policy.versions.get(number=1)
        assert v.published and v.rules["clause"] and policy.legal_document


def test_yn_absorb_worked_example():
    """Seed 004 §19, first clause: 对引进先进技术成果的企业，按照技术交易实际金额的20%、最高不超过200万元给予奖补."""
    r = run("yn-absorb", case())
    assert (r["eligible"], r["amount"]) == (True, "200000.00")
    r = run("yn-absorb", case(tech_amount="15000000.00"))  # 20 % is ¥3 m: capped at ¥2 m per case
    assert r["amount"] == "2000000.00" and r["lines"][-1]["before"] == "3000000.00"
    # Reading of 引进: the technology comes from outside Yunnan (abroad counts); a Yunnan seller is yn-local's case.
    assert run("yn-absorb", case(seller={"region": "530302", "kind": "university"}))["unmet"] == [
        "seller_region_outside"]
    assert run("yn-absorb", case(seller={"country": "DE", "kind": "enterprise"}))["eligible"]
    # Reading of 企业: an organization of kind enterprise.
    assert run("yn-absorb", case(buyer={"region": "530102", "kind": "university"}))["unmet"] == ["buyer_kind"]
    assert run("yn-absorb", case(buyer={"region": "110105", "kind": "enterprise"}))["unmet"] == [
        "buyer_region_inside"]
    assert run("yn-absorb", case("seller"))["unmet"] == ["beneficiary_not_covered"]


def test_yn_local_worked_example():
    """Seed 004 §19, second clause: 对我省高校、科研院所以及企业将科技成果在省内完成技术交易的，按照技术交易实际金额的
    20%、最高不超过200万元给予奖补 — the seller is the beneficiary, both parties in Yunnan."""
    line = case("seller", seller={"region": "530302", "kind": "institute"}, tech_amount="12345.67")
    r = run("yn-local", line)
    assert (r["eligible"], r["amount"]) == (True, "2469.13")  # 2469.134 -> 2469.13
    assert run("yn-local", case("seller", seller={"region": "530302", "kind": "university"},
                                tech_amount="20000000.00"))["amount"] == "2000000.00"
    assert run("yn-local", case("seller"))["unmet"] == ["seller_region_inside"]
    assert run("yn-local", case("seller", seller={"region": "530302", "kind": "tt_service"}))["unmet"] == [
        "seller_kind"]
    assert run("yn-local", case("seller", seller={"region": "530302", "kind": "university"},
                                buyer={"country": "US", "kind": "enterprise"}))["unmet"] == ["buyer_region_inside"]


def test_tj_institution_worked_example(admin):
    """Seed 001 §14: 高校、科研机构和技术转移机构按照上年度签订技术交易合同额的一定比例给予补贴 (rate by
    implementing rules: shipped unset, set by a new version)."""
    tj = {"region": "120101", "kind": "university"}
    r = run("tj-institution", case("seller", seller=tj))
    assert (r["eligible"], r["amount"], r["unmet"], r["lines"][-1]["step"]) == (True, "0.00", [], "rate_not_set")
    revise("tj-institution", datetime.date(2025, 1, 1), admin, rate="0.01")
    r = run("tj-institution", case("seller", seller=tj))
    assert (r["eligible"], r["amount"], r["version"]) == (True, "12000.00", 2)  # 1 % of the contract amount
    line = case("institution", seller=tj, last_year_total="50000000.00")
    assert run("tj-institution", line)["amount"] == "500000.00"
    assert run("tj-institution", case("seller", seller={"region": "120101", "kind": "enterprise"}))["unmet"] == [
        "beneficiary_kind"]


def test_tj_broker_worked_example(admin):
    """Seed 001 §14: 对作出贡献的技术经纪人给予奖励 — split among the brokers by their recorded contribution."""
    revise("tj-broker", datetime.date(2025, 1, 1), admin, rate="0.001")
    brokers = [{"id": "b1", "contribution": "2"}, {"id": "b2", "contribution": "1"}]
    r = run("tj-broker", case("broker", seller={"region": "120101", "kind": "university"}, brokers=brokers,
                              tech_amount="100000.00"))
    shares = [(line["broker"], line["amount"]) for line in r["lines"] if line["step"] == "share"]
    assert r["amount"] == "100.00" and shares == [("b1", "66.67"), ("b2", "33.33")]


def test_gx_county_worked_example(admin):
    """Seed 002 §4.2: 县级以上人民政府可以对承接科技成果转化的企业，按照技术合同交易额或者技术入股出资额的一定比例给予
    补助 — the rate set per county; a county without one grants nothing."""
    nanning_qingxiu = {"region": "450103", "kind": "enterprise"}
    assert run("gx-county", case(buyer=nanning_qingxiu))["lines"][-1]["step"] == "rate_not_set"
    revise("gx-county", datetime.date(2025, 1, 1), admin, rates_by_region={"450103": "0.05", "450100": "0.02"})
    assert run("gx-county", case(buyer=nanning_qingxiu))["amount"] == "60000.00"  # 5 % of the contract amount
    r = run("gx-county", case(buyer=nanning_qingxiu, equity_amount="300000.00"))
    assert r["amount"] == "15000.00" and r["lines"][0]["base"] == "equity_amount"
    assert run("gx-county", case(buyer={"region": "450102", "kind": "enterprise"}))["amount"] == "24000.00"
    r = run("gx-county", case(buyer={"region": "450203", "kind": "enterprise"}))
    assert (r["amount"], r["unmet"], r["lines"][-1]["step"]) == ("0.00", [], "rate_not_set")


def test_tiered_example_worked_example():
    """Sanming 2023 (domain facts §5): 1 % up to ¥100 k, 0.5 % to ¥1 m, 0.1 % above, at most ¥50 k per unit a year."""
    seller = {"region": "350402", "kind": "enterprise"}
    r = run("tiered-example", case("seller", seller=seller, tech_amount="3000000.00"))
    assert r["amount"] == "7500.00"  # 1000 + 4500 + 2000
    assert [line["rate"] for line in r["lines"] if line["step"] == "tier"] == ["0.01", "0.005", "0.001"]
    r = run("tiered-example", case("seller", "46000.00", seller=seller, tech_amount="3000000.00"))
    assert r["amount"] == "4000.00"


def test_version_selection_by_certified_date_and_the_on_override(admin):
    revise("yn-absorb", datetime.date(2026, 1, 1), admin, rate="0.10")
    assert run("yn-absorb", case())["amount"] == "200000.00"
    assert run("yn-absorb", case(certified_on="2026-01-01"))["amount"] == "100000.00"
    assert run("yn-absorb", case(), on=datetime.date(2026, 6, 1))["version"] == 2
    # A draft never applies; nor does anything before the first version.
    draft = services.new_draft(admin, Policy.objects.get(code="yn-absorb").versions.get(number=2))
    assert draft.number == 3 and not draft.published
    assert run("yn-absorb", case(certified_on="2027-01-01"))["version"] == 2
    assert run("yn-absorb", case(certified_on="1999-12-31"))["unmet"] == ["no_version_in_force"]


def test_published_versions_never_change(admin, rf):
    v1 = Policy.objects.get(code="yn-absorb").versions.get(number=1)
    with pytest.raises(Conflict):
        services.publish(admin, v1)
    request = rf.get("/")
    request.user = admin
    model_admin = PolicyVersionAdmin(PolicyVersion, None)
    assert not model_admin.has_change_permission(request, v1)
    draft = services.new_draft(admin, v1)
    assert model_admin.has_change_permission(request, draft)
    assert draft.rules == v1.rules
    assert AuditEntry.objects.filter(action="subsidies.new_draft").count() == 1
    draft.rules = {"beneficiaries": [], "base": "tech_amount", "formula": {"kind": "fixed", "amount": "1"}}
    draft.save()
    with pytest.raises(RulesError):
        services.publish(admin, draft)
    assert not PolicyVersion.objects.get(pk=draft.pk).published


def test_only_administrators_of_the_issuing_region_manage_a_policy(make_user):
    v1 = Policy.objects.get(code="yn-absorb").versions.get(number=1)
    with pytest.raises(Forbidden):
        services.new_draft(make_user("tj_admin", Role.REGION_ADMIN, region="120000"), v1)
    draft = services.new_draft(make_user("yn_admin", Role.REGION_ADMIN, region="530000"), v1)
    services.publish(make_user("yn_admin2", Role.REGION_ADMIN, region="530000"), draft)
    assert AuditEntry.objects.filter(action="subsidies.publish_version").count() == 1


def test_the_adapter_reads_a_registered_contract(cw):
    """A certified contract between two Yunnan enterprises: yn-local grants the seller 20 % of 技术交易额."""
    contract = cw.certified()
    decision = services.evaluate_contract(Policy.objects.get(code="yn-local"), contract, "seller")
    assert decision.eligible and decision.amount == (contract.tech_amount * 2 / 10).quantize(cw.D("0.01"))
    assert services.evaluate_contract(Policy.objects.get(code="yn-absorb"), contract, "buyer").unmet == [
        "seller_region_outside"]
    submitted = cw.submitted(name="另一份合同")
    assert services.evaluate_contract(Policy.objects.get(code="yn-local"), submitted, "seller").unmet == [
        "not_certified"]
