"""The back office of claims: read-only and scoped to the reviewer's region; budgets' amounts set by the policy's
managers, never below what is reserved; the ledger read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.subsidies.models import Budget, Claim, ClaimEntry
from techtransfer.subsidies.services import claims
from tests.subsidies.test_claims import BANK

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(cw):
    for u in (cw.w.wuhua_admin, cw.w.panlong_admin, cw.w.kunming_admin, cw.w.province_admin, cw.w.platform_admin):
        u.is_staff = True
        u.save()
    contract = cw.certified()
    claims.generate_candidates(contract)
    claim = Claim.objects.get(contract=contract, policy__code="yn-local")
    claims.apply(cw.w.org_admin, claim, **BANK)
    return claims.approve(cw.w.wuhua_admin, claim)


def test_claims_are_listed_in_the_review_scope_and_read_only(cw, approved, client_for):
    url = "/admin/subsidies/claim/"
    for user in (cw.w.wuhua_admin, cw.w.province_admin, cw.w.platform_admin):
        c = client_for(user)
        assert f"/admin/subsidies/claim/{approved.pk}/change/" in c.get(url).content.decode()
        page = c.get(f"{url}{approved.pk}/change/")
        assert page.status_code == 200 and "6222021001012345" in page.content.decode()
        assert c.get(f"{url}add/").status_code == 403
        c.post(f"{url}{approved.pk}/change/", {"status": "paid", "amount": "1"})
        c.post(f"{url}{approved.pk}/delete/", {"post": "yes"})
    approved.refresh_from_db()
    assert approved.status == "approved" and approved.amount == Decimal("200000.00")
    panlong = client_for(cw.w.panlong_admin)
    assert f"/admin/subsidies/claim/{approved.pk}/change/" not in panlong.get(url).content.decode()
    assert panlong.get(f"{url}{approved.pk}/change/").status_code in (302, 403, 404)


def test_the_ledger_is_read_only_and_scoped(cw, approved, client_for):
    entry = ClaimEntry.objects.get(claim=approved)
    url = "/admin/subsidies/claimentry/"
    assert f"{url}{entry.pk}/change/" in client_for(cw.w.kunming_admin).get(url).content.decode()
    assert f"{url}{entry.pk}/change/" not in client_for(cw.w.panlong_admin).get(url).content.decode()
    c = client_for(cw.w.platform_admin)
    c.post(f"{url}{entry.pk}/change/", {"amount": "1"})
    c.post(f"{url}{entry.pk}/delete/", {"post": "yes"})
    entry.refresh_from_db()
    assert entry.amount == Decimal("200000.00")


def test_a_policy_manager_sets_the_budget_never_below_what_is_reserved(cw, approved, client_for):
    budget = Budget.objects.get(policy=approved.policy, year=approved.year)
    url = f"/admin/subsidies/budget/{budget.pk}/change/"
    province = client_for(cw.w.province_admin)  # administers Yunnan's policies
    low = province.post(url, {"amount": "100.00"})
    assert low.status_code == 200 and "¥200000.00" in low.content.decode()
    assert province.post(url, {"amount": "5000000.00", "reserved": "0"}).status_code == 302
    budget.refresh_from_db()
    assert budget.amount == Decimal("5000000.00") and budget.reserved == Decimal("200000.00")
    assert AuditEntry.objects.filter(action="subsidies.budget.admin_change", object_id=str(budget.pk)).exists()
    # a county administrator reviews claims but does not manage the provincial policy's budget
    county = client_for(cw.w.wuhua_admin)
    county.post(url, {"amount": "1.00"})
    budget.refresh_from_db()
    assert budget.amount == Decimal("5000000.00")
