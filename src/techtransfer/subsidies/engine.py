"""The subsidy engine — 奖补测算: a pure function from (a policy version's rules, the facts of a contract, what was
already granted) to a decision. No database: the callers (``services``, the ``subsidies evaluate`` command) read
the policy version and the facts and pass them in.

The decision names every unmet condition by a stable code (``CONDITION_CODES``), gives the amount in yuan
(``Decimal``, rounded to the fen with ROUND_HALF_UP at each line) and the lines that produced it, the explanation:
the base, the rate or each tier, the amount before and after each cap, and each broker's share.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

from techtransfer.core.errors import DomainError
from techtransfer.regions.services import is_within, scope_prefix
from techtransfer.subsidies.rules import PartyConditions, Rules

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Stable condition codes (documented in docs/subsidies.md); "<party>_" codes exist for "seller_" and "buyer_".
PARTY_CODES = ("region_inside", "region_outside", "kind", "ownership", "state_owned", "foreign")
CONDITION_CODES = (
    "no_version_in_force", "beneficiary_not_covered", "beneficiary_kind", "category", "subcategory", "ip_type",
    "not_certified", "certified_out_of_period",
    *(f"{party}_{code}" for party in ("seller", "buyer") for code in PARTY_CODES),
    "flow", "base_missing", "min_amount", "no_brokers",
)
# Not a condition: a percentage whose rate neither the rules nor the setting give. The case stays as eligible as
# its conditions say, its amount is 0.00 and a ``rate_not_set`` line explains why.
RATE_NOT_SET = "rate_not_set"


class FactsError(DomainError):
    """Facts the engine cannot read (a negative amount, a malformed region code, …)."""

    code = "invalid_facts"


@dataclass(frozen=True)
class Party:
    region: str | None = None  # GB/T 2260 code; None for a foreign party
    country: str | None = None  # ISO 3166 alpha-2; None or "CN" for a domestic party
    kind: str | None = None  # orgs.OrgKind value
    ownership: str | None = None  # orgs ownership code

    @property
    def foreign(self) -> bool:
        return bool(self.country) and self.country != "CN"


@dataclass(frozen=True)
class Broker:
    id: str
    contribution: Decimal  # a weight: shares are proportional to it


@dataclass(frozen=True)
class Facts:
    category: str | None = None
    subcategory: str | None = None
    contract_amount: Decimal | None = None
    tech_amount: Decimal | None = None
    equity_amount: Decimal | None = None
    certified_on: datetime.date | None = None
    seller: Party = Party()
    buyer: Party = Party()
    ip_type: str | None = None
    last_year_total: Decimal | None = None  # the beneficiary's total of last year, for that base
    brokers: tuple[Broker, ...] = ()


@dataclass
class Decision:
    eligible: bool
    amount: Decimal
    unmet: list[str] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"eligible": self.eligible, "amount": str(self.amount), "unmet": list(self.unmet),
                "lines": self.lines}


@lru_cache(maxsize=65536)
def inside(region: str | None, outer: str) -> bool:
    """Region containment as everywhere on the platform (``regions.services``); a foreign party has no region.
    Memoized: a pure function of two codes, asked for every party of every case (the yearly batch)."""
    return region is not None and is_within(region, outer)


def flow_of(facts: Facts) -> str | None:
    """省内 / 跨省 / 国际 as the contracts app counts them: international when a party is foreign."""
    if facts.seller.foreign or facts.buyer.foreign:
        return "international"
    if facts.seller.region is None or facts.buyer.region is None:
        return None
    return "in_province" if facts.seller.region[:2] == facts.buyer.region[:2] else "cross_province"


def _money(value) -> str:
    return str(Decimal(value).quantize(CENT, ROUND_HALF_UP))


_AMOUNT_NAMES = ("contract_amount", "tech_amount", "equity_amount", "last_year_total", "granted_this_year",
                 "budget_used")
_AMOUNT_LIMIT = Decimal("1e13")


def _bad_amount(value) -> bool:
    return value is not None and (
        not isinstance(value, Decimal) or not value.is_finite() or value < ZERO or value >= _AMOUNT_LIMIT
    )


def _check_facts(facts: Facts, granted: Decimal, budget_used: Decimal) -> None:
    amounts = (facts.contract_amount, facts.tech_amount, facts.equity_amount, facts.last_year_total, granted,
               budget_used)
    # One pass for the usual case (every amount readable); the name of the first bad one only when there is one.
    if any(map(_bad_amount, amounts)):
        name = next(n for n, v in zip(_AMOUNT_NAMES, amounts, strict=True) if _bad_amount(v))
        raise FactsError(f"{name}: not an amount in yuan", field=name)
    for role in ("seller", "buyer"):
        party = getattr(facts, role)
        if party.region is not None and not (len(party.region) == 6 and party.region.isdigit()):
            raise FactsError(f"{role}.region: not a GB/T 2260 code", field=f"{role}.region")
    for broker in facts.brokers:
        c = broker.contribution
        if not isinstance(c, Decimal) or not c.is_finite() or c < 0 or c >= Decimal("1e13"):
            raise FactsError("brokers: a contribution is a non-negative number", field="brokers")


def _party_unmet(role: str, party: Party, cond: PartyConditions, policy_region: str,
                 state_owned_codes: frozenset[str]) -> list[str]:
    unmet = []
    region_inside, region_outside = cond.region_inside, cond.region_outside  # "policy": the issuing region
    if region_inside and (party.foreign or not inside(
            party.region, policy_region if region_inside == "policy" else region_inside)):
        unmet.append(f"{role}_region_inside")
    if region_outside and not party.foreign and (party.region is None or inside(
            party.region, policy_region if region_outside == "policy" else region_outside)):
        unmet.append(f"{role}_region_outside")
    if cond.kinds is not None and party.kind not in cond.kinds:
        unmet.append(f"{role}_kind")
    if cond.ownership is not None and party.ownership not in cond.ownership:
        unmet.append(f"{role}_ownership")
    if cond.state_owned is not None and (party.ownership in state_owned_codes) != cond.state_owned:
        unmet.append(f"{role}_state_owned")
    if cond.foreign is not None and party.foreign != cond.foreign:
        unmet.append(f"{role}_foreign")
    return unmet


def base_of(rules: Rules, facts: Facts) -> tuple[Decimal | None, str]:
    """The base amount and the name of what it is."""
    if rules.base == "equity_or_contract":
        if facts.equity_amount:
            return facts.equity_amount, "equity_amount"
        return facts.contract_amount, "contract_amount"
    if rules.base == "last_year_total" and facts.last_year_total is None:
        # One contract's part of last year's total: the share of a total is the sum of the contracts' shares.
        return facts.contract_amount, "contract_amount (part of last year's total)"
    return getattr(facts, rules.base), rules.base


def _most_specific(rates: Mapping[str, Decimal], region: str | None) -> str | None:
    matches = [code for code in rates if code and inside(region, code)]
    return max(matches, key=lambda c: len(scope_prefix(c))) if matches else None


def _rate_for(rules: Rules, region: str | None,
              default_rates: Mapping[str, Decimal] | None = None) -> tuple[Decimal | None, str | None, str]:
    """The rate for a beneficiary in ``region`` and where it comes from: the most specific ``rates_by_region``
    entry, else ``rate`` (the rules document); when the document sets neither, the most specific region entry of
    ``default_rates`` (the setting, ``TECHTRANSFER_SUBSIDY_RATES`` or ``--rate``), else its policy-wide entry
    (key ``""``)."""
    code = _most_specific(rules.formula.rates_by_region, region)
    if code:
        return rules.formula.rates_by_region[code], code, "rules"
    if rules.formula.rate is not None:
        return rules.formula.rate, None, "rules"
    default_rates = default_rates or {}
    code = _most_specific(default_rates, region)
    if code:
        return default_rates[code], code, "setting"
    if default_rates.get("") is not None:
        return default_rates[""], None, "setting"
    return None, None, "setting"


def split_shares(total: Decimal, brokers: tuple[Broker, ...]) -> list[tuple[Broker, Decimal]]:
    """``total`` split by contribution to the fen, summing exactly to it: each share rounded down, the fens left
    over go to the largest remainders (ties: the order recorded). Equal shares when every contribution is zero."""
    weights = [b.contribution for b in brokers]
    whole = sum(weights)
    if whole == 0:
        weights, whole = [Decimal(1)] * len(brokers), Decimal(len(brokers))
    exact = [total * w / whole for w in weights]
    shares = [e.quantize(CENT, ROUND_DOWN) for e in exact]
    left = int(((total - sum(shares)) / CENT).to_integral_value())
    order = sorted(range(len(brokers)), key=lambda i: -(exact[i] - shares[i]))
    for i in order[:left]:
        shares[i] += CENT
    return list(zip(brokers, shares, strict=True))


def evaluate(
    rules: Rules,
    facts: Facts,
    *,
    beneficiary: str,
    policy_region: str,
    granted_this_year: Decimal = ZERO,
    budget_per_year: Decimal | None = None,
    budget_used: Decimal = ZERO,
    state_owned_codes: frozenset[str] = frozenset({"state"}),
    default_rates: Mapping[str, Decimal] | None = None,
) -> Decision:
    """Decide one case: is ``beneficiary`` (buyer, seller, broker, institution) of the contract ``facts`` eligible
    under ``rules`` (a published version of a policy issued by ``policy_region``), and for how much, given
    ``granted_this_year`` to that beneficiary under the policy and ``budget_used`` of the year's budget.
    ``default_rates`` (``{region code or "": rate}``, from the setting) supply a percentage's rate when the
    rules leave it unset; with no rate at all the amount is 0.00 and a ``rate_not_set`` line says so.

    Raises only ``FactsError`` (unreadable facts). The seeds' policies this encodes are in docs/subsidies.md.
    """
    _check_facts(facts, granted_this_year, budget_used)
    c = rules.conditions
    unmet: list[str] = []
    if beneficiary not in rules.beneficiaries:
        unmet.append("beneficiary_not_covered")
    if c.beneficiary_kinds is not None:
        party = getattr(facts, beneficiary, None) if beneficiary in ("buyer", "seller") else None
        kind = party.kind if party else ("tt_service" if beneficiary == "institution" else None)
        if kind not in c.beneficiary_kinds:
            unmet.append("beneficiary_kind")
    if c.categories is not None and facts.category not in c.categories:
        unmet.append("category")
    if c.subcategories is not None and facts.subcategory not in c.subcategories:
        unmet.append("subcategory")
    if c.ip_types is not None and facts.ip_type not in c.ip_types:
        unmet.append("ip_type")
    if facts.certified_on is None:
        unmet.append("not_certified")
    elif (c.certified_from and facts.certified_on.isoformat() < c.certified_from) or (
        c.certified_to and facts.certified_on.isoformat() > c.certified_to
    ):
        unmet.append("certified_out_of_period")
    unmet += _party_unmet("seller", facts.seller, c.seller, policy_region, state_owned_codes)
    unmet += _party_unmet("buyer", facts.buyer, c.buyer, policy_region, state_owned_codes)
    if c.flows is not None and flow_of(facts) not in c.flows:
        unmet.append("flow")
    base, base_name = base_of(rules, facts)
    if base is None:
        unmet.append("base_missing")
    elif c.min_amount is not None and base < c.min_amount:
        unmet.append("min_amount")
    formula = rules.formula
    rate, rate_region, rate_source, rate_party = None, None, "rules", None
    if formula.kind == "percentage":
        rate_party = getattr(facts, beneficiary) if beneficiary in ("buyer", "seller") else facts.seller
        rate, rate_region, rate_source = _rate_for(rules, rate_party.region, default_rates)
    if formula.split_among_brokers and not facts.brokers:
        unmet.append("no_brokers")
    if unmet:
        return Decision(False, ZERO, unmet, [])

    lines: list[dict] = [{"step": "base", "rule": rules.clause, "base": base_name, "value": _money(base)}]
    if formula.kind == "percentage" and rate is None:
        lines.append({"step": RATE_NOT_SET, "region": rate_party.region, "amount": str(ZERO),
                      "reason": "the rules leave the rate to the setting (TECHTRANSFER_SUBSIDY_RATES) "
                                "and none is set for this policy and region"})
        return Decision(True, ZERO, [], lines)
    if formula.kind == "percentage":
        amount = (base * rate).quantize(CENT, ROUND_HALF_UP)
        line = {"step": "percentage", "base": _money(base), "rate": str(rate), "amount": str(amount)}
        if rate_region:
            line["rate_region"] = rate_region
        if rate_source == "setting":
            line["rate_source"] = "setting"
        lines.append(line)
    elif formula.kind == "tiered":
        amount, lower = ZERO, ZERO
        for tier in formula.tiers:
            upper = tier.up_to
            portion = (min(base, upper) if upper is not None else base) - lower
            if portion > 0:
                part = (portion * tier.rate).quantize(CENT, ROUND_HALF_UP)
                amount += part
                lines.append({"step": "tier", "from": _money(lower), "to": _money(upper) if upper is not None else None,
                              "rate": str(tier.rate), "portion": _money(portion), "amount": str(part)})
            if upper is None or base <= upper:
                break
            lower = upper
    else:
        amount = formula.amount.quantize(CENT)
        lines.append({"step": "fixed", "amount": str(amount)})

    caps = [("per_case", rules.caps.per_case, ZERO),
            ("per_beneficiary_year", rules.caps.per_beneficiary_year, granted_this_year),
            ("budget", budget_per_year, budget_used)]
    for name, limit, used in caps:
        if limit is None:
            continue
        room = max(ZERO, limit - used)
        after = min(amount, room).quantize(CENT)
        lines.append({"step": "cap", "cap": name, "limit": _money(limit), "used": _money(used),
                      "before": str(amount), "after": str(after)})
        amount = after

    if formula.split_among_brokers:
        for broker, share in split_shares(amount, facts.brokers):
            lines.append({"step": "share", "broker": broker.id, "contribution": str(broker.contribution),
                          "amount": str(share)})
    return Decision(True, amount, [], lines)
