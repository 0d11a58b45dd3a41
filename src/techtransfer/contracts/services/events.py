"""The contract ledger — 技术合同登记台账: every registration step is a ``ContractEvent`` with the differences it
makes to the statistics (count, contract amount, technology transaction amount), effective on the day it is
registered; amendments and cancellations are events too, never silent edits. ``record_event`` also keeps the
monthly summary (``ledger``) in step in the same transaction. Certifications, amendments and cancellations also
publish the outbox topic ``contracts.changed`` (``CHANGED``) in that transaction, for the apps above that follow
registered contracts (subsidies' claims) without contracts importing them."""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.utils import timezone

from techtransfer.contracts import ledger
from techtransfer.contracts.ledger import Totals
from techtransfer.contracts.models import ZERO, ContractEvent, EventKind, Status, TechContract
from techtransfer.contracts.services import clock
from techtransfer.outbox import services as outbox

CHANGED = "contracts.changed"  # payload {"contract": id, "event": event id, "kind": kind}
CHANGED_KINDS = frozenset({EventKind.CERTIFIED, EventKind.AMENDED, EventKind.CANCELLED})


def record_event(contract, kind, actor, *, effective_on=None, count=0, amount=ZERO, tech=ZERO, note="", data=None):
    """Write one ledger event of ``contract`` (and its summary rows). Call inside the transaction of the change."""
    now = clock.now()
    event = ContractEvent.objects.create(
        contract=contract,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=now,
        effective_on=effective_on or timezone.localdate(now),
        count_delta=count,
        contract_amount_delta=amount,
        tech_amount_delta=tech,
        note=note,
        data=data or {},
    )
    ledger.add(event, contract)
    if kind in CHANGED_KINDS:
        outbox.publish(CHANGED, {"contract": contract.pk, "event": event.pk, "kind": str(kind)})
    return event


def ledger_totals(events=None, start: datetime.date | None = None, end: datetime.date | None = None) -> Totals:
    """What the statistics count for events effective in [start, end]: contracts, contract amount, technology
    transaction amount, with amendments and cancellations applied when they were registered."""
    qs = ContractEvent.objects.all() if events is None else events
    if start:
        qs = qs.filter(effective_on__gte=start)
    if end:
        qs = qs.filter(effective_on__lte=end)
    agg = qs.aggregate(n=Sum("count_delta"), a=Sum("contract_amount_delta"), t=Sum("tech_amount_delta"))
    return Totals(count=agg["n"] or 0, contract_amount=agg["a"] or ZERO, tech_amount=agg["t"] or ZERO)


def counted_contracts():
    """Contracts the statistics count today: registered and not cancelled, with their amended amounts."""
    return TechContract.objects.filter(status=Status.CERTIFIED)
