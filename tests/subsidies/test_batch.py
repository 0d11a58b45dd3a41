"""The yearly batch (``services.evaluate_year`` and ``techtransfer subsidies batch``): the same decisions as
``evaluate_contract`` contract by contract, the yearly cap in the order of registration, the beneficiary filter,
one query whatever the number of contracts, and the command's output, progress and errors."""

from __future__ import annotations

import datetime
import io
import json
from collections import Counter
from decimal import Decimal

import pytest

from techtransfer.accounts.models import Role
from techtransfer.cli import main
from techtransfer.contracts.models import ContractParty, Status, TechContract
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import OrgKind
from techtransfer.regions.models import Region
from techtransfer.subsidies import services
from techtransfer.subsidies.models import Policy, PolicyVersion, VersionStatus
from techtransfer.subsidies.services import batch

pytestmark = pytest.mark.django_db
D = Decimal
_numbers = iter(range(1, 10_000))


def contract(seller, buyer, day, tech, *, status=Status.CERTIFIED, buyer_country=None, buyer_credit=""):
    """A registered contract with its two parties (``buyer`` an organization, or None for an unlinked party)."""
    c = TechContract.objects.create(
        name="批量测算合同", status=status, category_id="transfer", subcategory_id="tr_patent",
        contract_amount=D(tech) + 1000, tech_amount=D(tech), registered_on=day,
        registration_number=f"T{next(_numbers):08d}", seller_org=seller, seller_region_id=seller.region_id,
        buyer_region_id=buyer.region_id if buyer else None, buyer_country_id=buyer_country,
    )
    ContractParty.objects.create(contract=c, role="seller", name=seller.name, region_id=seller.region_id,
                                 party_type=seller.kind, organization=seller)
    ContractParty.objects.create(
        contract=c, role="buyer", name=buyer.name if buyer else "Foreign Buyer Ltd", credit_code=buyer_credit,
        region_id=buyer.region_id if buyer else None, country_id=buyer_country, party_type="enterprise",
        organization=buyer,
    )
    return c


def day(month, d=1):
    return datetime.date(2025, month, d)


@pytest.fixture
def sanming(make_org):
    county = Region.objects.filter(pk__startswith="3504").exclude(pk="350400").order_by("pk").first().pk
    return make_org("三明测试科技有限公司", region=county), make_org("三明另一公司", region=county)


@pytest.fixture
def small_world(make_org, sanming):
    """A dozen contracts of 2025 for yn-absorb (buyer) and tiered-example (seller), and some the batch skips."""
    beijing = make_org("北京测试大学", region="110105", kind=OrgKind.UNIVERSITY)
    kunming = make_org("昆明测试科技有限公司", region="530102")
    kunming_uni = make_org("昆明测试大学", region="530102", kind=OrgKind.UNIVERSITY)
    sm1, sm2 = sanming
    made = [
        contract(beijing, kunming, day(3), "1000000.00"),  # yn-absorb: 200,000
        contract(beijing, kunming, day(1, 5), "20000000.00"),  # yn-absorb: capped at 2,000,000 per case
        contract(beijing, kunming_uni, day(2), "1000000.00"),  # buyer not an enterprise
        contract(kunming, kunming, day(4), "500000.00"),  # seller inside Yunnan
        contract(sm1, kunming, day(5), "10000000.00"),
        contract(sm1, None, day(6), "10000000.00", buyer_country="LA"),
        contract(sm1, beijing, day(7), "10000000.00"),
        contract(sm1, kunming, day(8), "10000000.00"),  # tiered: the fourth 14,500 of sm1 meets the 50,000 cap
        contract(sm2, None, day(9), "3000000.00", buyer_credit="91530100MA6K000000"),
        contract(beijing, kunming, day(12, 31), "100.00"),
    ]
    skipped = [
        contract(beijing, kunming, datetime.date(2024, 12, 31), "1000000.00"),  # another year
        contract(beijing, kunming, datetime.date(2026, 1, 1), "1000000.00"),
        contract(beijing, kunming, day(6), "1000000.00", status=Status.CANCELLED),
    ]
    return made, skipped


def one_by_one(policy, contracts, role):
    """The year contract by contract through ``evaluate_contract``, with the running totals the batch keeps."""
    totals: dict[str, Decimal] = {}
    budget_used = D("0.00")
    eligible, unmet, amount = 0, Counter(), D("0.00")
    for c in sorted(contracts, key=lambda c: (c.registered_on, c.pk)):
        party = c.seller if role == "seller" else c.buyer
        key = f"org:{party.organization_id}" if party.organization_id else (
            f"credit:{party.credit_code}" if party.credit_code else f"contract:{c.pk}:buyer")
        granted = totals.get(key, D("0.00"))
        decision = services.evaluate_contract(policy, c, role, granted_this_year=granted, budget_used=budget_used)
        if decision.eligible:
            eligible += 1
            totals[key] = granted + decision.amount
            budget_used += decision.amount
            amount += decision.amount
        else:
            unmet.update(decision.unmet)
    return eligible, unmet, amount, {k: v for k, v in totals.items() if v > 0}


@pytest.mark.parametrize(("code", "role"), [("yn-absorb", "buyer"), ("tiered-example", "seller"),
                                            ("yn-local", "seller")])
def test_the_batch_equals_the_contracts_evaluated_one_by_one(small_world, code, role):
    made, _skipped = small_world
    policy = Policy.objects.get(code=code)
    eligible, unmet, amount, totals = one_by_one(policy, made, role)
    result = services.evaluate_year(policy, 2025)
    assert result.beneficiaries_evaluated == (role,)
    assert (result.contracts, result.decisions) == (len(made), len(made))
    assert (result.eligible, result.not_eligible, result.errors) == (eligible, len(made) - eligible, 0)
    assert result.amount == amount and dict(result.unmet) == dict(unmet)
    assert {k: v for k, v in result.totals.items() if v > 0} == totals and result.beneficiaries == len(totals)
    assert eligible > 0 or code == "yn-local"


def test_a_rate_left_to_the_setting_applies_in_the_batch_as_contract_by_contract(small_world, settings):
    made, _skipped = small_world
    shipped = Policy.objects.get(code="yn-absorb")
    rules = dict(shipped.versions.get(number=1).rules)
    rules["formula"] = {"kind": "percentage", "rate": None}  # "一定比例": left to the operator
    policy = Policy.objects.create(code="yn-absorb-setting", name="设定比例", region_id=shipped.region_id)
    PolicyVersion.objects.create(policy=policy, number=1, status=VersionStatus.PUBLISHED,
                                 effective_from=datetime.date(2000, 1, 1), rules=rules)
    assert services.evaluate_year(policy, 2025).amount == D("0.00")  # no rate set: nothing, as one by one
    settings.SUBSIDY_RATES = {"yn-absorb-setting": {"": D("0.05")}}
    eligible, _unmet, amount, _totals = one_by_one(policy, made, "buyer")
    result = services.evaluate_year(policy, 2025)
    assert amount > 0 and (result.eligible, result.amount) == (eligible, amount)


def test_yn_absorb_figures(small_world):
    result = services.evaluate_year(Policy.objects.get(code="yn-absorb"), 2025)
    # 200,000 + 3 × 2,000,000 (one capped; two from Sanming) + 20 (¥100 on 31 December); the others are named by
    # their unmet condition.
    assert (result.eligible, result.amount, result.capped) == (5, D("6200020.00"), 1)
    assert result.unmet["buyer_kind"] == 2 and result.unmet["seller_region_outside"] >= 1


def test_the_yearly_cap_is_honoured_in_the_order_of_registration(sanming, make_org):
    sm1, _sm2 = sanming
    buyer = make_org("昆明买方", region="530102")
    # Created out of order: the batch goes by registration date, then id.
    c4 = contract(sm1, buyer, day(9), "10000000.00")
    c1 = contract(sm1, buyer, day(1), "10000000.00")
    c3 = contract(sm1, buyer, day(5), "10000000.00")
    c2 = contract(sm1, buyer, day(5), "10000000.00")
    out = io.StringIO()
    result = services.evaluate_year(Policy.objects.get(code="tiered-example"), 2025, out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    # Each contract: 1,000 + 4,500 + 9,000 = 14,500; the year's cap of 50,000 leaves 6,500 for the fourth.
    assert [(x["contract"], x["amount"]) for x in lines] == [
        (c1.pk, "14500.00"), (c3.pk, "14500.00"), (c2.pk, "14500.00"), (c4.pk, "6500.00")]
    assert lines[-1]["lines"][-1] == {"step": "cap", "cap": "per_beneficiary_year", "limit": "50000.00",
                                      "used": "43500.00", "before": "14500.00", "after": "6500.00"}
    assert lines[0]["beneficiary"] == "seller" and lines[0]["beneficiary_key"] == f"org:{sm1.pk}"
    assert result.amount == D("50000.00") and result.totals == {f"org:{sm1.pk}": D("50000.00")}
    assert result.capped == 1


def test_the_beneficiary_filter(small_world):
    made, _ = small_world
    tiered = Policy.objects.get(code="tiered-example")
    as_buyer = services.evaluate_year(tiered, 2025, beneficiary="buyer")
    assert as_buyer.beneficiaries_evaluated == ("buyer",)
    assert as_buyer.eligible == 0 and as_buyer.unmet["beneficiary_not_covered"] == len(made)
    both = services.evaluate_year(Policy.objects.get(code="yn-absorb"), 2025, beneficiary="seller")
    assert both.unmet["beneficiary_not_covered"] == len(made)
    with pytest.raises(DomainError):
        services.evaluate_year(tiered, 2025, beneficiary="broker")
    with pytest.raises(DomainError):
        services.evaluate_year(tiered, 20255)


def test_one_query_for_the_contracts_whatever_their_number(small_world, django_assert_max_num_queries):
    policy = Policy.objects.get(code="tiered-example")
    with django_assert_max_num_queries(4):  # the versions, the state-owned codes, the contracts (and a PRAGMA)
        result = services.evaluate_year(policy, 2025)
    assert result.contracts == len(small_world[0])


def test_the_rows_read_raw_on_sqlite_equal_the_orms(small_world):
    rows = list(batch.year_rows(2025))
    assert rows == list(batch.year_queryset(2025)) and len(rows) == len(small_world[0])
    assert isinstance(rows[0][batch.COLUMNS.index("tech_amount")], Decimal)


def test_progress_is_reported_every_n_contracts(small_world):
    seen = []
    services.evaluate_year(Policy.objects.get(code="yn-absorb"), 2025, progress=lambda n, r: seen.append(n),
                           progress_every=3)
    assert seen == [3, 6, 9]


def test_the_command(small_world, tmp_path, capsys):
    out = tmp_path / "decisions.jsonl"
    assert main(["subsidies", "batch", "--policy", "yn-absorb", "--year", "2025", "--output", str(out),
                 "--progress", "4", "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["contracts"] == 10 and summary["eligible"] == 5 and summary["amount"] == "6200020.00"
    assert summary["unmet"]["buyer_kind"] == 2 and summary["beneficiaries"] == 1
    assert captured.err.count("contracts read") == 2 and "4 contracts read" in captured.err
    decisions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["amount"] for d in decisions] == ["2000000.00", "200000.00", "2000000.00", "2000000.00", "20.00"]
    assert {d["beneficiary"] for d in decisions} == {"buyer"}

    assert main(["subsidies", "batch", "--policy", "tiered-example", "--year", "2025"]) == 0
    text = capsys.readouterr().out
    assert "contracts certified in 2025: 10 read" in text and "total amount: 57500.00 yuan to 2" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--policy", "nope", "--year", "2025"], "nope"),
    (["--policy", "yn-absorb", "--year", "20x5"], "--year"),
    (["--policy", "yn-absorb", "--year", "0999"], "2025"),  # "… e.g. 2025" in either language
    (["--policy", "yn-absorb", "--year", "2025", "--progress", "-1"], "--progress"),
    (["--policy", "yn-absorb", "--year", "2025", "--output", "/nonexistent/dir/x.jsonl"], "/nonexistent"),
])
def test_command_errors_are_exit_2_without_a_traceback(args, message, capsys):
    assert main(["subsidies", "batch", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.startswith("error:")


def test_the_yearly_budget_runs_out_in_the_order_of_registration(small_world, make_user):
    admin = make_user("platform_batch", Role.PLATFORM_ADMIN)
    v1 = Policy.objects.get(code="tiered-example").versions.get(number=1)
    draft = services.new_draft(admin, v1)
    draft.budget_per_year = D("20000.00")
    draft.save()
    services.publish(admin, draft)
    policy = Policy.objects.get(code="tiered-example")
    result = services.evaluate_year(policy, 2025)
    eligible, _unmet, amount, totals = one_by_one(policy, small_world[0], "seller")
    # sm1's first contract takes 14,500, its second the 5,500 left; everything after gets 0.00 (still eligible).
    assert result.amount == amount == D("20000.00") and result.eligible == eligible == 5
    assert result.totals == totals
