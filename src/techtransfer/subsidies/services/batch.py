"""The yearly batch — 年度批量测算: a policy evaluated over every contract certified in a year.

``evaluate_year`` streams the year's certified contracts (one query: both parties, their linked organizations'
kind, region and ownership, through ``FilteredRelation`` joins; no query per contract), builds the engine's
``Facts`` from the rows without model instances, and runs the engine in the order of registration (date, id) with
a running total per beneficiary (the per-beneficiary yearly cap) and of the policy (its yearly budget). The
decisions equal those of ``policies.evaluate_contract`` for each contract given the same running totals — the
tests prove it. Nothing is written to the database; ``out`` receives one JSON line per eligible decision.

Beneficiaries: the buyer and the seller. The beneficiary unit (whose yearly cap applies) is the party's linked
organization (``org:<id>``; the seller falls back to the contract's seller organization); a buyer party without
an organization is keyed by its credit code (``credit:<code>``), else it is a unit of its own contract. Brokers
and institutions need ``ContractBroker`` rows and are left out (docs/subsidies.md, "The yearly batch").
Running totals start from zero: the batch tells what the policy would grant for the year, not what is left.
"""

from __future__ import annotations

import datetime
import decimal
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from django.db import connection
from django.db.models import FilteredRelation, Q
from django.utils.translation import gettext as _

from techtransfer.contracts.models import PartyRole, Status, TechContract
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import OrgKind
from techtransfer.subsidies import engine
from techtransfer.subsidies.engine import Facts, Party
from techtransfer.subsidies.models import Policy, VersionStatus
from techtransfer.subsidies.rules import parse_rules
from techtransfer.subsidies.services.policies import default_rates, state_owned_codes

BATCH_BENEFICIARIES = ("buyer", "seller")
CHUNK = 5000
MMAP_SIZE = 2**31 - 2**16  # SQLite's default upper bound
_KINDS = frozenset(OrgKind.values)

# One row per contract: the contract's own facts, then per party (seller, buyer): region, country, party type,
# organization id, the organization's kind, region and ownership, and the party's credit code.
_PARTY_COLUMNS = ("region_id", "country_id", "party_type", "organization_id", "organization__kind",
                  "organization__region_id", "organization__ownership_id", "credit_code")
COLUMNS = ("id", "registration_number", "category_id", "subcategory_id", "contract_amount", "tech_amount",
           "registered_on", "ip_type_id", "seller_org_id",
           *(f"sp__{c}" for c in _PARTY_COLUMNS), *(f"bp__{c}" for c in _PARTY_COLUMNS))
_SELLER = slice(COLUMNS.index("sp__region_id"), COLUMNS.index("sp__credit_code"))  # a party's facts (_Parties)
_BUYER = slice(COLUMNS.index("bp__region_id"), COLUMNS.index("bp__credit_code"))
_S_ORG, _B_ORG, _B_CREDIT = (COLUMNS.index(c) for c in ("sp__organization_id", "bp__organization_id",
                                                         "bp__credit_code"))


@dataclass
class BatchResult:
    """What the batch found. ``unmet`` counts the not-eligible decisions under each unmet condition code (a
    decision with several unmet conditions counts under each); ``beneficiaries`` is the number of beneficiary
    units granted a positive amount; ``capped`` the eligible decisions reduced by a cap."""

    policy: str
    year: int
    beneficiaries_evaluated: tuple[str, ...]
    contracts: int = 0
    decisions: int = 0
    eligible: int = 0
    not_eligible: int = 0
    errors: int = 0
    capped: int = 0
    amount: Decimal = engine.ZERO
    unmet: Counter = field(default_factory=Counter)
    totals: dict[str, Decimal] = field(default_factory=dict, repr=False)  # beneficiary key -> granted this year
    elapsed: float = 0.0

    @property
    def beneficiaries(self) -> int:
        return sum(1 for v in self.totals.values() if v > 0)

    def as_dict(self) -> dict:
        return {
            "policy": self.policy, "year": self.year, "beneficiaries_evaluated": list(self.beneficiaries_evaluated),
            "contracts": self.contracts, "decisions": self.decisions, "eligible": self.eligible,
            "not_eligible": self.not_eligible, "errors": self.errors, "capped": self.capped,
            "amount": str(self.amount), "beneficiaries": self.beneficiaries,
            "unmet": dict(sorted(self.unmet.items(), key=lambda kv: (-kv[1], kv[0]))),
            "elapsed_seconds": round(self.elapsed, 3),
        }


def year_queryset(year: int):
    """The certified contracts registered in ``year``, in the order of registration (date, id), as tuples of
    ``COLUMNS`` — one query."""
    return (
        TechContract.objects.filter(
            status=Status.CERTIFIED,
            registered_on__gte=datetime.date(year, 1, 1), registered_on__lte=datetime.date(year, 12, 31),
        )
        .annotate(
            sp=FilteredRelation("parties", condition=Q(parties__role=PartyRole.SELLER)),
            bp=FilteredRelation("parties", condition=Q(parties__role=PartyRole.BUYER)),
        )
        .order_by("registered_on", "id")
        .values_list(*COLUMNS)
    )


def year_rows(year: int):
    """``year_queryset`` streamed: the same tuples as its ``values_list`` gives. On SQLite the query's own SQL is
    fetched from the cursor (the driver parses the dates) and the amounts converted here as Django's converter
    does (15 significant digits, quantized to the fen), which halves the per-row overhead of the ORM's converters; the
    database file is memory-mapped for the read (``PRAGMA mmap_size``) so that the rows of a year, scattered over
    the file, are not read page by page through system calls."""
    qs = year_queryset(year)
    if connection.vendor != "sqlite":
        yield from qs.iterator(chunk_size=CHUNK)
        return
    sql, params = qs.query.sql_with_params()
    fields = TechContract._meta
    context = fields.get_field("tech_amount").context
    create = decimal.Context(prec=15).create_decimal_from_float
    cent = Decimal("0.01")
    assert COLUMNS[4:6] == ("contract_amount", "tech_amount")  # noqa: S101 - the conversion below relies on it
    with connection.cursor() as cur:
        cur.execute("PRAGMA mmap_size")
        mmap_before = cur.fetchone()  # none for an in-memory database
        if mmap_before is not None:
            cur.execute(f"PRAGMA mmap_size={MMAP_SIZE}")
        try:
            cur.execute(sql, params)
            while chunk := cur.fetchmany(CHUNK):
                for row in chunk:  # COLUMNS[4:6]: the two amounts
                    c, t = row[4], row[5]
                    yield (*row[:4], None if c is None else create(c).quantize(cent, context=context),
                           None if t is None else create(t).quantize(cent, context=context), *row[6:])
        finally:
            if mmap_before is not None:
                cur.execute(f"PRAGMA mmap_size={int(mmap_before[0])}")


class _Parties:
    """Party facts from a row's eight party columns, as ``facts.facts_from_contract`` reads a party; equal parties
    share one (frozen) ``Party``."""

    def __init__(self):
        self.cache: dict[tuple, Party] = {}

    def make(self, key: tuple) -> Party:
        """``key``: (region, country, party type, organization id, its kind, its region, its ownership)."""
        region, country, party_type, org_id, org_kind, org_region, org_ownership = key
        if party_type is None:  # no party row
            party = Party()
        else:
            kind = org_kind if org_id is not None else (party_type if party_type in _KINDS else None)
            party = Party(
                region=region or (org_region if org_id is not None and not country else None),
                country=country, kind=kind, ownership=org_ownership if org_id is not None else None,
            )
        self.cache[key] = party
        return party

    def get(self, key: tuple) -> Party:
        return self.cache.get(key) or self.make(key)


def _versions(policy: Policy):
    """The version in force on a day (``policies.version_on``), from the published versions read once."""
    published = list(policy.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number"))
    rules = {v.pk: parse_rules(v.rules) for v in published}
    by_day: dict[datetime.date, object] = {}

    def on(day: datetime.date):
        if day not in by_day:
            by_day[day] = next((v for v in published if v.effective_from <= day
                                and (v.effective_to is None or v.effective_to >= day)), None)
        return by_day[day]

    return on, rules


def check_year(year) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise DomainError(_("A year is four digits, e.g. 2025."), field="year")
    return year


def evaluate_year(policy: Policy, year: int, *, beneficiary: str | None = None,
                  progress: Callable[[int, BatchResult], None] | None = None, progress_every: int = 100_000,
                  out: IO[str] | None = None) -> BatchResult:
    """Evaluate ``policy`` over the contracts certified in ``year`` for the buyer and/or seller (``beneficiary``;
    default: those of the two the policy names, both evaluated when it names both). ``progress(contracts_read,
    result)`` is called every ``progress_every`` contracts; ``out`` gets one JSON line per eligible decision."""
    check_year(year)
    progress_every = max(1, progress_every)
    if beneficiary is not None and beneficiary not in BATCH_BENEFICIARIES:
        raise DomainError(_("The batch evaluates the buyer or the seller."), field="beneficiary")
    started = time.perf_counter()
    version_on, rules_of = _versions(policy)
    if beneficiary:
        roles = (beneficiary,)
    else:
        named = {b for r in rules_of.values() for b in r.beneficiaries}
        roles = tuple(b for b in BATCH_BENEFICIARIES if b in named)
    result = BatchResult(policy.code, year, roles)
    if not roles:
        result.elapsed = time.perf_counter() - started
        return result
    state_owned = state_owned_codes()
    rates = default_rates(policy.code)  # as contract by contract: the setting's rates where the rules leave none
    region = policy.region_id
    evaluate = engine.evaluate
    parties = _Parties()
    known_party = parties.cache.get
    totals = result.totals
    unmet_counter = result.unmet
    budget_used = engine.ZERO
    amount_total = engine.ZERO
    contracts = decisions = eligible = errors = capped = 0
    write = out.write if out is not None else None
    dumps = json.dumps
    for row in year_rows(year):
        cid, number, category, subcategory, contract_amount, tech_amount, day, ip_type, seller_org = row[:9]
        contracts += 1
        if progress is not None and contracts % progress_every == 0:
            result.contracts, result.decisions, result.eligible, result.errors = contracts, decisions, eligible, errors
            result.amount = amount_total
            progress(contracts, result)
        version = version_on(day)
        if version is None:
            decisions += len(roles)
            unmet_counter["no_version_in_force"] += len(roles)
            continue
        rules = rules_of[version.pk]
        facts = Facts(
            category=category, subcategory=subcategory, contract_amount=contract_amount, tech_amount=tech_amount,
            certified_on=day, ip_type=ip_type,
            seller=known_party(row[_SELLER]) or parties.make(row[_SELLER]),
            buyer=known_party(row[_BUYER]) or parties.make(row[_BUYER]),
        )
        for role in roles:
            decisions += 1
            if role == "seller":
                s_org = row[_S_ORG]
                key = f"org:{s_org if s_org is not None else seller_org}"
            elif (b_org := row[_B_ORG]) is not None:
                key = f"org:{b_org}"
            else:
                key = f"credit:{row[_B_CREDIT]}" if row[_B_CREDIT] else f"contract:{cid}:buyer"
            granted = totals.get(key, engine.ZERO)
            try:
                decision = evaluate(rules, facts, beneficiary=role, policy_region=region, granted_this_year=granted,
                                    budget_per_year=version.budget_per_year, budget_used=budget_used,
                                    state_owned_codes=state_owned, default_rates=rates)
            except engine.FactsError:
                errors += 1
                continue
            if not decision.eligible:
                unmet_counter.update(decision.unmet)
                continue
            eligible += 1
            amount = decision.amount
            if amount:
                totals[key] = granted + amount
                budget_used += amount
                amount_total += amount
            if any(line["step"] == "cap" and line["before"] != line["after"] for line in decision.lines):
                capped += 1
            if write is not None:
                write(dumps({"contract": cid, "registration_number": number, "beneficiary": role,
                             "beneficiary_key": key, "registered_on": day.isoformat(), "version": version.number,
                             "amount": str(amount), "lines": decision.lines}, ensure_ascii=False) + "\n")
    result.contracts, result.decisions, result.eligible, result.errors = contracts, decisions, eligible, errors
    result.not_eligible = decisions - eligible - errors
    result.capped, result.amount = capped, amount_total
    result.elapsed = time.perf_counter() - started
    return result
