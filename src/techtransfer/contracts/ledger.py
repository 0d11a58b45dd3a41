"""The monthly summary of the contract ledger — 技术合同统计汇总 (``LedgerSummary``).

Every ``ContractEvent`` with a statistical effect adds its deltas to the summary rows of its month in the same
transaction (``add``), so a dashboard reads a few thousand summary rows instead of scanning a million events,
and the summary can never disagree with the ledger. Bulk loaders (demo, benchmarks) write events with
``bulk_create`` and then call ``rebuild``. Both also give the ledger a new generation (``bump_generation``), the
token that keys the statistics' caches (``stats.cache``).

Output rows (side ``o``) are attributed to the seller's region and split by each classification the statistics
use; absorption rows (side ``a``) to the buyer's region (empty for foreign buyers): ``total`` keyed by the
foreign buyer's country, ``flow`` by where the seller is (same province, another province).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, CharField, F, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, TruncMonth

from techtransfer.contracts.models import (
    ZERO,
    ContractEvent,
    ContractParty,
    LedgerGeneration,
    LedgerSummary,
    PartyRole,
    TechContract,
)

OUTPUT, ABSORPTION = "o", "a"
# Output dimensions: name -> contract field, or the party role whose type (``*_type``) or organization's ownership
# (``*_ownership``, orgs.Ownership: 国有, 集体, 私营, …) is the key.
OUTPUT_DIMENSIONS = {
    "total": None,
    "category": "category_id",
    "subcategory": "subcategory_id",
    "tech_field": "tech_field_id",
    "ip_type": "ip_type_id",
    "objective": "objective_id",
    "flow": "flow",
    "seller_type": PartyRole.SELLER,
    "buyer_type": PartyRole.BUYER,
    "seller_ownership": PartyRole.SELLER,
    "buyer_ownership": PartyRole.BUYER,
}
PARTY_DIMENSIONS = {"seller_type", "buyer_type"}
# Keyed by the ownership the party's organization has when the event is written (parties without an organization
# on the platform have none); ``rebuild`` reads the current ownership.
OWNERSHIP_DIMENSIONS = {"seller_ownership", "buyer_ownership"}


@dataclass
class Totals:
    """Contracts, contract amount and technology transaction amount counted by the statistics."""

    count: int
    contract_amount: Decimal
    tech_amount: Decimal


def fen(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _rows_for(event: ContractEvent, contract: TechContract) -> list[tuple]:
    month = month_of(event.effective_on)
    n, a, t = event.count_delta, fen(event.contract_amount_delta), fen(event.tech_amount_delta)
    party_rows = ContractParty.objects.filter(contract_id=contract.pk).values_list(
        "role", "party_type", "organization__ownership_id"
    )
    parties = {role: party_type for role, party_type, _own in party_rows}
    ownerships = {role: own for role, _type, own in party_rows}
    seller_region = contract.seller_region_id or ""
    rows = []
    for dimension, source in OUTPUT_DIMENSIONS.items():
        if dimension == "total":
            key = ""
        elif dimension in PARTY_DIMENSIONS:
            key = parties.get(source) or ""
        elif dimension in OWNERSHIP_DIMENSIONS:
            key = ownerships.get(source) or ""
        else:
            key = getattr(contract, source) or ""
        rows.append((month, OUTPUT, seller_region, dimension, str(key), n, a, t))
    buyer_region = contract.buyer_region_id or ""
    rows.append((month, ABSORPTION, buyer_region, "total", contract.buyer_country_id or "", n, a, t))
    rows.append((month, ABSORPTION, buyer_region, "flow", contract.flow or "", n, a, t))
    return rows


def add(event: ContractEvent, contract: TechContract) -> None:
    """Add an event's deltas to its month's summary rows (an upsert that increments). Call inside the
    transaction that writes the event."""
    if not (event.count_delta or event.contract_amount_delta or event.tech_amount_delta):
        return
    table = connection.ops.quote_name(LedgerSummary._meta.db_table)
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in ("month", "side", "region", "dimension", "key", "count", "contract_fen", "tech_fen"))
    conflict = ", ".join(q(c) for c in ("dimension", "side", "month", "region", "key"))
    updates = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in ("count", "contract_fen", "tech_fen"))
    # Only quoted identifiers of this model are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    rows = [(connection.ops.adapt_datefield_value(r[0]), *r[1:]) for r in _rows_for(event, contract)]
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(sql, rows)
        bump_generation()


def bump_generation() -> None:
    """Give the ledger a new generation (``LedgerGeneration``): call in the transaction that changes the summary,
    so the new token commits, or rolls back, with the change. One row, updated by every change: concurrent
    registrations queue on its lock for the rest of their transactions, which are short."""
    q = connection.ops.quote_name
    table = q(LedgerGeneration._meta.db_table)
    number, token = q("number"), q("token")
    # Only quoted identifiers of this model are formatted in; the token is a parameter.
    sql = (
        f"INSERT INTO {table} ({q('id')}, {number}, {token}) VALUES (1, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({q('id')}) DO UPDATE SET {number} = {table}.{number} + 1, {token} = excluded.{token}"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [uuid.uuid4().hex])


def generation() -> str:
    """The current generation's token (``"0"`` before the first change): part of every cached statistic's key."""
    row = LedgerGeneration.objects.filter(pk=1).values_list("token", flat=True).first()
    return row or "0"


def _party_type(role: str, field: str = "party_type"):
    return Subquery(ContractParty.objects.filter(contract_id=OuterRef("contract_id"), role=role).values(field)[:1])


def rebuild(progress=None) -> int:
    """Recompute the whole summary from the ledger (after bulk loads). Returns the number of summary rows."""
    events = ContractEvent.objects.exclude(count_delta=0, contract_amount_delta=0, tech_amount_delta=0).annotate(
        m=TruncMonth("effective_on")
    )
    sums = {"n": Sum("count_delta"), "a": Sum("contract_amount_delta"), "t": Sum("tech_amount_delta")}
    made = 0
    with transaction.atomic():
        LedgerSummary.objects.all().delete()
        specs = []
        for dimension, source in OUTPUT_DIMENSIONS.items():
            if dimension == "total":
                key = Value("")
            elif dimension in PARTY_DIMENSIONS:
                key = Coalesce(_party_type(source), Value(""))
            elif dimension in OWNERSHIP_DIMENSIONS:
                key = Coalesce(_party_type(source, "organization__ownership_id"), Value(""), output_field=CharField())
            else:
                key = Coalesce(F(f"contract__{source}"), Value(""), output_field=CharField())
            specs.append((OUTPUT, dimension, Coalesce(F("contract__seller_region_id"), Value("")), key))
        buyer_region = Coalesce(F("contract__buyer_region_id"), Value(""))
        country = Case(
            When(contract__buyer_country_id__isnull=True, then=Value("")),
            default=F("contract__buyer_country_id"),
            output_field=CharField(),
        )
        specs.append((ABSORPTION, "total", buyer_region, country))
        specs.append((ABSORPTION, "flow", buyer_region, Coalesce(F("contract__flow"), Value(""))))
        for side, dimension, region, key in specs:
            grouped = events.annotate(r=region, k=key).values("m", "r", "k").annotate(**sums).order_by()
            batch = [
                LedgerSummary(
                    month=g["m"].date() if isinstance(g["m"], datetime.datetime) else g["m"],
                    side=side,
                    region=g["r"] or "",
                    dimension=dimension,
                    key=str(g["k"] or ""),
                    count=g["n"] or 0,
                    contract_fen=fen(Decimal(g["a"] or 0).quantize(Decimal("0.01"))),
                    tech_fen=fen(Decimal(g["t"] or 0).quantize(Decimal("0.01"))),
                )
                for g in grouped.iterator(chunk_size=5000)
            ]
            LedgerSummary.objects.bulk_create(batch, batch_size=2000)
            made += len(batch)
            if progress:
                progress(f"ledger summary: {dimension}/{side} {len(batch)} rows")
        bump_generation()
    return made


def summary_totals() -> Totals:
    """What the summary counts over all months (its output ``total`` rows), to compare with the ledger itself
    (``services.ledger_totals``): the two agree unless events were written in bulk without a ``rebuild``."""
    agg = LedgerSummary.objects.filter(side=OUTPUT, dimension="total").aggregate(
        n=Sum("count"), a=Sum("contract_fen"), t=Sum("tech_fen")
    )
    return Totals(
        count=int(agg["n"] or 0),
        contract_amount=(Decimal(int(agg["a"] or 0)) / 100).quantize(ZERO),
        tech_amount=(Decimal(int(agg["t"] or 0)) / 100).quantize(ZERO),
    )
