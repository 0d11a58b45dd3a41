"""Approvals racing for the last of a policy's budget (PostgreSQL): whatever the number of reviewers approving at
the same moment, exactly one claim gets the last budget and ``reserved`` never exceeds the budget. The budget row
is locked (``SELECT … FOR UPDATE``) between reading what is left and reserving it; without the lock every racer
reads the same remainder and all of them are approved (checked by hand when this test was written)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from techtransfer.accounts.models import User
from techtransfer.core.errors import Conflict
from techtransfer.subsidies.models import Budget, Claim, ClaimEntry, ClaimStatus, EntryKind
from techtransfer.subsidies.services import claims
from tests.subsidies.test_claims import BANK

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(cw, django_capture_on_commit_callbacks, racers: int):
    if connection.vendor != "postgresql":
        pytest.skip("the budget race needs PostgreSQL (row locks); SQLite serializes writers anyway")
    pending = []
    for i in range(racers):
        with django_capture_on_commit_callbacks(execute=True):
            contract = cw.certified(name=f"竞争预算的合同{i}")
        claim = Claim.objects.get(contract=contract, policy__code="yn-local")
        pending.append(claims.apply(cw.w.org_admin, claim, **BANK))
    amount = pending[0].amount
    assert all(c.amount == amount for c in pending)
    # The budget has exactly one claim's amount left (plus a fen short of a second one).
    budget = Budget.objects.create(policy=pending[0].policy, year=pending[0].year,
                                   amount=Decimal("1000000.00") + 2 * amount - Decimal("0.01"),
                                   reserved=Decimal("1000000.00"))
    reviewers = [cw.w.wuhua_admin, cw.w.kunming_admin, cw.w.province_admin, cw.w.platform_admin]
    barrier = threading.Barrier(racers)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def approve(index: int) -> None:
        user = User.objects.get(pk=reviewers[index % len(reviewers)].pk)
        try:
            barrier.wait()
            claims.approve(user, pending[index])
            outcomes.append("approved")
        except Conflict as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(outcomes) == ["approved"] + ["budget_exhausted"] * (racers - 1)
    budget.refresh_from_db()
    assert budget.reserved == Decimal("1000000.00") + amount <= budget.amount
    assert Claim.objects.filter(pk__in=[c.pk for c in pending], status=ClaimStatus.APPROVED).count() == 1
    assert ClaimEntry.objects.filter(kind=EntryKind.RESERVED).count() == 1


def test_two_reviewers_approving_for_the_last_budget_at_once(cw, django_capture_on_commit_callbacks):
    _race(cw, django_capture_on_commit_callbacks, 2)


def test_eight_reviewers_approving_for_the_last_budget_at_once(cw, django_capture_on_commit_callbacks):
    _race(cw, django_capture_on_commit_callbacks, 8)
