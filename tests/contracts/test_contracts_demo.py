"""Demo contracts: loaded after the foundation, certified, gapless numbers, all flows, ledger consistent."""

from collections import defaultdict

import pytest
from django.db.models import Sum

from techtransfer.contracts import services
from techtransfer.contracts.demo import N_CONTRACTS
from techtransfer.contracts.models import RegistrationCounter, Status, TechContract
from techtransfer.demo.services import load_demo
from techtransfer.stats import services as stats

pytestmark = pytest.mark.django_db


def test_demo_contracts():
    load_demo()
    # Other demo parts (trading deals) may add drafts; the contract demo loads certified contracts.
    qs = TechContract.objects.filter(is_demo=True, status=Status.CERTIFIED)
    assert qs.count() == N_CONTRACTS
    assert set(qs.values_list("flow", flat=True)) == {"in_province", "cross_province", "international"}
    assert qs.values("seller_region_id").distinct().count() > 5
    seqs = defaultdict(list)
    for number, point, year in qs.values_list("registration_number", "registration_point_id", "registered_on__year"):
        seqs[(point, year)].append(int(number[-6:]))
    for key, numbers in seqs.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
        assert RegistrationCounter.objects.get(point_id=key[0], year=key[1]).last == len(numbers)
    totals = services.ledger_totals()
    raw = qs.aggregate(a=Sum("contract_amount"), t=Sum("tech_amount"))
    assert (totals.count, totals.contract_amount, totals.tech_amount) == (N_CONTRACTS, raw["a"], raw["t"])
    # The dashboards read the ledger summary the demo loader rebuilt: the same figures.
    summary = stats.totals(None)
    assert (summary.count, summary.contract_amount, summary.tech_amount) == (N_CONTRACTS, raw["a"], raw["t"])
    by_city = stats.regions(None, "output", "city", "530000")
    assert sum(r.count for r in by_city) == N_CONTRACTS and len(by_city) > 3
    # Besides the registered ones: a filing returned for correction (补正) and one not registered with its reason.
    returned = TechContract.objects.get(is_demo=True, status=Status.RETURNED)
    assert returned.correction_request and returned.correction_due > returned.returned_at.date()
    refused = TechContract.objects.get(is_demo=True, status=Status.REFUSED)
    assert list(refused.refusal_reasons.values_list("code", flat=True)) == ["no_tech_content"]
