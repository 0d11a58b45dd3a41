"""The monthly ledger summary behind the dashboards: every dashboard query equals the plain ledger query and a
brute-force recomputation from the raw contracts — over whole and partial months, after amendments and
cancellations, within each user's scope — and a rebuild gives the same rows as the incremental upkeep."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.contracts import ledger
from techtransfer.contracts import services as contracts
from techtransfer.contracts.models import LedgerSummary, Status, TechContract
from techtransfer.stats import services as stats
from tests.contracts.conftest import confirm_screening, cw  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
D = Decimal


def _at(monkeypatch, day: str):
    tz = timezone.get_current_timezone()
    moment = datetime.datetime.fromisoformat(day).replace(hour=10, tzinfo=tz)
    monkeypatch.setattr(contracts.clock, "now", lambda: moment)


def _pay(amount):
    return [{"due_on": "2025-06-30", "amount": amount, "note": "一次付清"}]


@pytest.fixture
def history(cw, monkeypatch, make_org, make_user):  # noqa: F811
    """Contracts certified over four months by sellers in 五华区 and 麒麟区, with in-province, cross-province and
    foreign buyers, one amended and one cancelled later."""
    seller_qj = make_org("麒麟卖方科技", region="530302")
    member_qj = make_user("qj_member", Role.ORG_MEMBER, org=seller_qj)
    # Ownerships (orgs.Ownership) for the seller/buyer ownership dimensions; the 盘龙 buyer has none.
    type(seller_qj).objects.filter(pk=seller_qj.pk).update(ownership_id="state")
    type(seller_qj).objects.filter(pk=cw.w.wuhua_org.pk).update(ownership_id="private")
    base = {"signed_on": "2024-12-01", "term_start": "2024-12-01", "term_end": "2026-12-01"}

    def make(day, member, lines=(), **over):
        _at(monkeypatch, day)
        data = cw.data(**base)
        data.update(over)
        contract = contracts.submit(member, contracts.file_contract(member, data))
        reviewer = cw.reviewer if contract.registration_point_id == cw.kunming_point.pk else cw.qujing_reviewer
        confirm_screening(reviewer, contract)  # a foreign buyer: the export-control screening first
        return contracts.certify(reviewer, contract, contract.category_id, contract.subcategory_id, list(lines))

    qj = {"registration_point": cw.qujing_point.pk, "seller": {"organization": seller_qj.pk}}
    a = make("2025-01-15", cw.w.member, [{"kind": "equipment", "amount": "100000.00"}], name="甲")
    b = make(
        "2025-01-31",
        cw.w.member,
        name="乙",
        category="transfer",
        subcategory="tr_patent",
        ip_type="software",
        contract_amount="300000.00",
        payments=_pay("300000.00"),
        buyer={
            "name": "北京买方",
            "region": "110108",
            "party_type": "university",
            "credit_code": cw.credit_code("110108"),
        },
    )
    c = make(
        "2025-02-10",
        member_qj,
        name="丙",
        category="consulting",
        subcategory="con_feasibility",
        tech_field="01",
        objective="health",
        contract_amount="80000.50",
        payments=_pay("80000.50"),
        buyer={"name": "Lao Trading", "country": "LA", "party_type": "enterprise"},
        **qj,
    )
    d = make("2025-03-31", member_qj, name="丁", **qj)
    _at(monkeypatch, "2025-03-05")
    contracts.amend(cw.reviewer, a, note="追加", contract_amount="1500000.00")
    _at(monkeypatch, "2025-04-02")
    contracts.cancel(cw.qujing_reviewer, d, "双方解除")
    cw.made = [a, b, c, d]
    cw.seller_qj, cw.member_qj = seller_qj, member_qj
    return cw


def _brute(dimension, user_filter=lambda c: True):
    """Straight from the contracts: what is registered and not cancelled now, with its current amounts."""
    out = defaultdict(lambda: [0, D("0.00"), D("0.00")])
    for c in TechContract.objects.filter(status=Status.CERTIFIED):
        if not user_filter(c):
            continue
        if dimension in ("seller_type", "buyer_type"):
            party = c.seller if dimension == "seller_type" else c.buyer
            key = party.party_type
        elif dimension in ("seller_ownership", "buyer_ownership"):
            party = c.seller if dimension == "seller_ownership" else c.buyer
            key = party.organization.ownership_id if party.organization else None
        else:
            key = getattr(c, stats.DIMENSIONS[dimension].removeprefix("contract__"))
        t = out[key or None]
        t[0] += 1
        t[1] += c.contract_amount
        t[2] += c.tech_amount
    return {k: tuple(v) for k, v in out.items()}


def _as_dict(rows):
    return {r.key: (r.count, r.contract_amount, r.tech_amount) for r in rows}


@pytest.mark.parametrize("dimension", stats.OUTPUT_DIMENSIONS)
def test_every_dimension_equals_brute_force(history, dimension):
    assert _as_dict(stats.table(None, dimension)) == _brute(dimension)


PERIODS = [
    (None, None),
    (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    (datetime.date(2025, 1, 16), datetime.date(2025, 3, 30)),
    (datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)),
    (datetime.date(2025, 2, 1), datetime.date(2025, 3, 31)),
    (datetime.date(2025, 1, 20), datetime.date(2025, 1, 31)),
    (None, datetime.date(2025, 3, 15)),
    (datetime.date(2025, 3, 6), None),
    (datetime.date(2025, 4, 2), datetime.date(2025, 4, 2)),
]


@pytest.mark.parametrize("start, end", PERIODS)
def test_summary_queries_equal_the_ledger_in_any_period(history, start, end):
    events = stats.ledger(None, start, end)
    for dimension in stats.OUTPUT_DIMENSIONS:
        assert _as_dict(stats.table(None, dimension, start, end)) == _as_dict(stats.breakdown(dimension, events))
    for side in ("output", "absorption"):
        for tier, parent in (("province", None), ("city", "530000"), ("county", "530100"), ("county", "530300")):
            expected = stats.by_region(events, side=side, tier=tier, parent=parent)
            assert _as_dict(stats.regions(None, side, tier, parent, start, end)) == _as_dict(expected)
    total = stats.totals(None, start, end)
    agg = contracts.ledger_totals(events)
    assert (total.count, total.contract_amount, total.tech_amount) == (agg.count, agg.contract_amount, agg.tech_amount)
    assert sum(r.count for r in stats.periods(None, start, end)) == agg.count


def test_amendment_and_cancellation_count_when_registered(history):
    jan = stats.totals(None, datetime.date(2025, 1, 1), datetime.date(2025, 1, 31))
    mar = stats.totals(None, datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
    apr = stats.totals(None, datetime.date(2025, 4, 1), datetime.date(2025, 4, 30))
    assert (jan.count, jan.contract_amount, jan.tech_amount) == (2, D("1300000.00"), D("1200000.00"))
    # March: 丁 certified (+1, 1,000,000) and 甲 amended (+500,000 contract and technology amount).
    assert (mar.count, mar.contract_amount, mar.tech_amount) == (1, D("1500000.00"), D("1500000.00"))
    assert (apr.count, apr.contract_amount) == (-1, D("-1000000.00"))
    months = {r.key: r.count for r in stats.periods(None)}
    assert months == {"2025-01": 2, "2025-02": 1, "2025-03": 1, "2025-04": -1}


def test_flows_and_absorption(history):
    flows = _as_dict(stats.table(None, "flow"))
    assert set(flows) == {"in_province", "cross_province", "international"}
    absorbed = _as_dict(stats.regions(None, "absorption", "province"))
    assert absorbed["110000"][0] == 1 and absorbed[None][0] == 1  # 北京 buyer, the foreign buyer "abroad"
    inflow = _as_dict(stats.absorption_flows(None, region="530000"))
    assert inflow == {"in_province": (1, D("1500000.00"), D("1400000.00"))}


def test_scope_limits(history):
    w = history.w
    kunming = _as_dict(stats.table(w.kunming_admin, "category"))
    assert kunming == _brute("category", lambda c: c.seller_region_id.startswith("5301"))
    assert stats.table(w.panlong_admin, "category") == []
    assert stats.totals(w.visitor).count == 0 and stats.table(None, "category") != []
    assert stats.table(w.province_admin, "category") == stats.table(None, "category")
    # Absorption in scope: buyers inside the administrator's region.
    assert _as_dict(stats.regions(w.kunming_admin, "absorption", "county", "530100")) == {
        "530103": (1, D("1500000.00"), D("1400000.00"))
    }
    # An organization member counts its own organization's contracts (answered from the ledger).
    mine = _as_dict(stats.table(history.member_qj, "category"))
    assert mine == _brute("category", lambda c: c.seller_org_id == history.seller_qj.pk)
    # A reviewer scoped to 曲靖市 counts the sellers there.
    assert stats.totals(history.qujing_reviewer).count == 1


def test_rebuild_equals_incremental_upkeep(history):
    def rows():
        return sorted(
            LedgerSummary.objects.exclude(count=0, contract_fen=0, tech_fen=0).values_list(
                "month", "side", "region", "dimension", "key", "count", "contract_fen", "tech_fen"
            )
        )

    before = rows()
    assert before
    ledger.rebuild()
    assert rows() == before
