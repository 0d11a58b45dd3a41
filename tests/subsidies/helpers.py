"""Builders of rules and facts for the subsidy tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

from techtransfer.subsidies import engine
from techtransfer.subsidies.engine import Facts, Party
from techtransfer.subsidies.rules import parse_rules

D = Decimal
YUNNAN, KUNMING_WUHUA, BEIJING_CHAOYANG = "530000", "530102", "110105"


def rules(**overrides):
    doc = {"beneficiaries": ["buyer"], "base": "tech_amount", "formula": {"kind": "percentage", "rate": "0.20"}}
    doc.update(overrides)
    return parse_rules(doc)


def facts(**overrides) -> Facts:
    base = {
        "category": "transfer", "subcategory": "tr_patent", "contract_amount": D("1200000.00"),
        "tech_amount": D("1000000.00"), "certified_on": datetime.date(2025, 3, 1),
        "seller": Party(region=BEIJING_CHAOYANG, kind="university", ownership="state"),
        "buyer": Party(region=KUNMING_WUHUA, kind="enterprise", ownership="private"),
    }
    base.update(overrides)
    return Facts(**base)


def decide(r, f=None, beneficiary="buyer", **kwargs):
    return engine.evaluate(r, f or facts(), beneficiary=beneficiary, policy_region=YUNNAN, **kwargs)
