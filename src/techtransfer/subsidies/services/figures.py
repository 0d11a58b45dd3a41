"""Subsidy statistics — 奖补统计: by policy, region (the beneficiary's province or city) and budget year, the claims
approved and paid, the amounts approved, paid and clawed back, and the ratio of subsidy to 技术交易额 — of the
contracts concerned, and of every contract registered in that region and year (sellers' region, as the contract
statistics count output). Public aggregates: no claim, beneficiary or bank detail is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from techtransfer.contracts.services.events import counted_contracts
from techtransfer.regions.services import name_of, scope_q
from techtransfer.subsidies.models import Claim, ClaimEntry, ClaimStatus, EntryKind, Policy

ZERO = Decimal("0.00")
LEVELS = ("province", "city")
STANDING = (ClaimStatus.APPROVED, ClaimStatus.PAID)  # approved and still standing (paid ones included)


def level_code(region: str, level: str) -> str:
    """The province (``530000``) or city (``530100``) containing ``region``."""
    return region[:2] + "0000" if level == "province" else region[:4] + "00"


def ratio(part: Decimal, whole: Decimal | None) -> Decimal | None:
    if not whole:
        return None
    return (part / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP)


@dataclass
class Row:
    policy: str
    policy_name: str
    region: str
    region_name: str
    year: int
    approved: int = 0  # claims approved (and still standing; paid ones included)
    paid: int = 0  # claims paid
    amount_approved: Decimal = ZERO
    amount_paid: Decimal = ZERO
    clawed_back: Decimal = ZERO  # negative adjustments, shown positive
    tech_amount: Decimal = ZERO  # 技术交易额 of the contracts of the approved claims (each contract once)
    region_tech_amount: Decimal | None = None  # 技术交易额 of every contract registered in the region that year
    contracts: set = field(default_factory=set, repr=False)

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.amount_approved, self.tech_amount)

    @property
    def region_ratio(self) -> Decimal | None:
        return ratio(self.amount_approved, self.region_tech_amount)

    def as_dict(self) -> dict:
        money = ("amount_approved", "amount_paid", "clawed_back", "tech_amount")
        out = {k: getattr(self, k) for k in ("policy", "policy_name", "region", "region_name", "year", "approved",
                                             "paid")}
        out.update({k: str(getattr(self, k)) for k in money})
        out["region_tech_amount"] = None if self.region_tech_amount is None else str(self.region_tech_amount)
        out["ratio"] = None if self.ratio is None else str(self.ratio)
        out["region_ratio"] = None if self.region_ratio is None else str(self.region_ratio)
        return out


def years() -> list[int]:
    return sorted(set(Claim.objects.values_list("year", flat=True)), reverse=True)


def subsidy_figures(*, year: int | None = None, policy: str | None = None, level: str = "province") -> list[Row]:
    """The figures, one row per (policy, region at ``level``, year), ordered by year (newest first), policy,
    region. ``policy`` is a policy code."""
    if level not in LEVELS:
        level = "province"
    claims = Claim.objects.all()
    entries = ClaimEntry.objects.all()
    if year is not None:
        claims, entries = claims.filter(year=year), entries.filter(claim__year=year)
    if policy:
        claims, entries = claims.filter(policy__code=policy), entries.filter(claim__policy__code=policy)
    names = dict(Policy.objects.values_list("id", "name"))
    codes = dict(Policy.objects.values_list("id", "code"))
    rows: dict[tuple, Row] = {}

    def row(policy_id, region, yr) -> Row:
        key = (policy_id, level_code(region, level), yr)
        if key not in rows:
            rows[key] = Row(codes[policy_id], names[policy_id], key[1], name_of(key[1]), yr)
        return rows[key]

    standing = claims.filter(status__in=STANDING).values_list(
        "policy_id", "region_id", "year", "status", "amount", "contract_id", "contract__tech_amount")
    for policy_id, region, yr, status, amount, contract_id, tech in standing:
        r = row(policy_id, region, yr)
        r.approved += 1
        r.paid += status == ClaimStatus.PAID
        r.amount_approved += amount
        if contract_id not in r.contracts:
            r.contracts.add(contract_id)
            r.tech_amount += tech or ZERO
    sums = entries.values("claim__policy_id", "claim__region_id", "claim__year", "kind").annotate(total=Sum("amount"))
    negative = entries.filter(kind=EntryKind.ADJUSTED, amount__lt=0).values(
        "claim__policy_id", "claim__region_id", "claim__year").annotate(total=Sum("amount"))
    for s in sums:
        if s["kind"] == EntryKind.PAID:
            row(s["claim__policy_id"], s["claim__region_id"], s["claim__year"]).amount_paid += s["total"] or ZERO
    for s in negative:
        row(s["claim__policy_id"], s["claim__region_id"], s["claim__year"]).clawed_back -= s["total"] or ZERO
    totals: dict[tuple, Decimal] = {}
    for r in rows.values():
        key = (r.region, r.year)
        if key not in totals:
            totals[key] = counted_contracts().filter(
                scope_q("seller_region_id", r.region), registered_on__year=r.year,
            ).aggregate(t=Sum("tech_amount"))["t"] or ZERO
            totals[key] = Decimal(totals[key]).quantize(ZERO)
        r.region_tech_amount = totals[key]
    return sorted(rows.values(), key=lambda r: (-r.year, r.policy, r.region))


def summary(rows: list[Row]) -> dict:
    """Totals over ``rows`` (the ratio against the contracts concerned; each row's contracts counted once)."""
    approved = sum((r.amount_approved for r in rows), ZERO)
    tech = sum((r.tech_amount for r in rows), ZERO)
    return {"approved": sum(r.approved for r in rows), "paid": sum(r.paid for r in rows),
            "amount_approved": approved, "amount_paid": sum((r.amount_paid for r in rows), ZERO),
            "clawed_back": sum((r.clawed_back for r in rows), ZERO), "tech_amount": tech,
            "ratio": ratio(approved, tech)}
