"""Claims and ledger entries built directly on the models (the claims services are another module's), for the
statistics and the payments export: two certified contracts of the contract world (``cw``), claims in 五华区 and
盘龙区 in every state, a payment, a clawback, and a policy issued by 五华区 itself."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from techtransfer.subsidies import services
from techtransfer.subsidies.models import Claim, ClaimEntry, ClaimStatus, EntryKind, Policy, PolicyVersion
from tests.conftest import PANLONG, WUHUA

D = Decimal


@dataclass
class ClaimWorld:
    cw: object
    a: object  # contract: seller 五华 org, buyer 盘龙 org
    b: object
    paid: Claim  # yn-local, seller 五华, paid 200,000 of 200,000
    approved: Claim  # wuhua-local (issued by 五华区), seller 五华, approved 50,000
    panlong: Claim  # yn-local on contract b, beneficiary 盘龙 (the buyer), approved 30,000
    void: Claim  # paid, then clawed back
    candidate: Claim


def claim(policy, contract, org, region, status, amount, role="seller", **extra) -> Claim:
    version = policy.versions.filter(status="published").order_by("-number").first()
    decision = services.evaluate_contract(policy, contract, role).as_dict()
    return Claim.objects.create(
        policy=policy, version=version, contract=contract, beneficiary_role=role,
        beneficiary_key=f"org:{org.pk}", organization=org, region_id=region, year=contract.registered_on.year,
        status=status, amount=D(amount), base=contract.tech_amount, decision=decision, **extra)


def entry(c: Claim, kind: str, amount: str, reference: str = "") -> ClaimEntry:
    return ClaimEntry.objects.create(claim=c, kind=kind, amount=D(amount), reference=reference)


def build(cw) -> ClaimWorld:
    w = cw.w
    a = cw.certified()
    b = cw.certified(name="另一份技术开发合同", contract_amount="300000.00",
                     payments=[{"due_on": timezone.localdate(), "amount": "300000.00", "note": ""}])
    yn_local = Policy.objects.get(code="yn-local")
    wuhua_local = Policy.objects.create(code="wuhua-local", name="五华区技术合同奖励", region_id=WUHUA,
                                        department="五华区科技局", legal_document="五华区办法 第3条",
                                        legal_clause="按技术交易额的5%给予奖励")
    PolicyVersion.objects.create(policy=wuhua_local, number=1, status="published", effective_from="2000-01-01",
                                 rules={"clause": "五华 §3: 5 %", "beneficiaries": ["seller"], "base": "tech_amount",
                                        "formula": {"kind": "percentage", "rate": "0.05"}})
    bank = {"bank_name": "云南银行五华支行", "bank_account": "6222000011112222", "account_name": w.wuhua_org.name}
    paid = claim(yn_local, a, w.wuhua_org, WUHUA, ClaimStatus.PAID, "200000.00", **bank)
    entry(paid, EntryKind.RESERVED, "200000.00")
    entry(paid, EntryKind.PAID, "200000.00", "PAY-2025-001")
    approved = claim(wuhua_local, a, w.wuhua_org, WUHUA, ClaimStatus.APPROVED, "50000.00", **bank)
    entry(approved, EntryKind.RESERVED, "50000.00")
    panlong = claim(yn_local, b, w.panlong_org, PANLONG, ClaimStatus.APPROVED, "30000.00", role="buyer",
                    bank_name="盘龙银行", bank_account="6222000033334444", account_name=w.panlong_org.name)
    void = claim(wuhua_local, b, w.wuhua_org, WUHUA, ClaimStatus.VOID, "0.00")
    entry(void, EntryKind.PAID, "15000.00", "PAY-2025-002")
    entry(void, EntryKind.ADJUSTED, "-15000.00")
    candidate = claim(yn_local, b, w.wuhua_org, WUHUA, ClaimStatus.CANDIDATE, "60000.00")
    return ClaimWorld(cw, a, b, paid, approved, panlong, void, candidate)
