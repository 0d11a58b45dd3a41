"""Claims at certification, applying, review, budget, payments, amendments and clawback (services.claims)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.notifications.models import Notification
from techtransfer.subsidies.models import Claim, ClaimStatus

D = Decimal
BANK = {"bank_name": "中国工商银行昆明五华支行", "bank_account": "6222 0210 0101 2345",
        "account_name": "五华测试科技有限公司"}

pytestmark = pytest.mark.django_db(transaction=True)


def certify(cw, capture, **overrides):
    """Certify a contract through the real flow; the outbox relays contracts.changed on commit."""
    with capture(execute=True):
        contract = cw.certified(**overrides)
    return contract


def local_claim(contract) -> Claim:
    return Claim.objects.get(contract=contract, policy__code="yn-local")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_certification_creates_a_candidate_notifies_the_beneficiary_and_audits(cw, capture):
    contract = certify(cw, capture)
    claim = local_claim(contract)
    assert claim.status == ClaimStatus.CANDIDATE
    assert claim.beneficiary_key == f"org:{cw.w.wuhua_org.pk}" and claim.organization == cw.w.wuhua_org
    assert claim.region_id == cw.wuhua and claim.year == contract.registered_on.year
    assert claim.amount == (contract.tech_amount * D("0.20")).quantize(D("0.01"))
    assert claim.base == contract.tech_amount and claim.decision["eligible"] is True
    assert claim.decision["version"] == 1 and claim.decision["lines"][0]["step"] == "base"
    notice = Notification.objects.get(user=cw.w.org_admin)
    assert claim.policy.name in notice.title and str(claim.amount) in notice.title
    assert not Notification.objects.filter(user=cw.w.member).exists()  # administrators apply, not members
    assert AuditEntry.objects.filter(action="subsidies.claim_candidate", object_id=str(claim.pk)).exists()
    # yn-absorb needs a seller from outside the province: no candidate for the buyer.
    assert not Claim.objects.filter(contract=contract, policy__code="yn-absorb").exists()
