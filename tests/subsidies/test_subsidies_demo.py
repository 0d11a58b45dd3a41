"""The subsidies demo part: budgets, candidates and claims in every state, built through the services on top of
the demo contracts; nothing without them."""

import pytest
from django.db.models import Sum

from techtransfer.audit.models import AuditEntry
from techtransfer.demo.services import load_demo
from techtransfer.subsidies import demo
from techtransfer.subsidies.models import Budget, Claim, ClaimEntry, ClaimStatus, EntryKind

pytestmark = pytest.mark.django_db


def test_demo_does_nothing_without_demo_contracts():
    said = []
    assert demo.load(said.append) == 0
    assert said and not Claim.objects.exists()


def test_demo_claims_in_every_state_with_a_consistent_budget():
    load_demo()
    states = set(Claim.objects.values_list("status", flat=True))
    assert {ClaimStatus.CANDIDATE, ClaimStatus.APPLIED, ClaimStatus.APPROVED, ClaimStatus.REFUSED,
            ClaimStatus.PAID} <= states
    assert Claim.objects.filter(policy__code="yn-local").count() > 50
    # Paid in two instalments; one paid claim partly clawed back after its contract was amended down.
    paid = Claim.objects.filter(status=ClaimStatus.PAID).first()
    assert paid.entries.filter(kind=EntryKind.PAID).count() == 2
    clawback = ClaimEntry.objects.filter(kind=EntryKind.ADJUSTED)
    assert clawback.exists() and all(e.amount < 0 for e in clawback)
    # The budget reserved is what the approved and paid claims hold, and never beyond the year's budget.
    for budget in Budget.objects.all():
        held = Claim.objects.filter(policy=budget.policy, year=budget.year,
                                    status__in=(ClaimStatus.APPROVED, ClaimStatus.PAID)).aggregate(s=Sum("amount"))
        assert budget.reserved == (held["s"] or 0)
        assert budget.amount is None or budget.reserved <= budget.amount
    assert AuditEntry.objects.filter(action__startswith="subsidies.").exists()
    assert set(Claim.objects.values_list("contract__is_demo", flat=True)) == {True}
