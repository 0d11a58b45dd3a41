"""Following registered contracts: ``contracts.changed`` (published by ``contracts.services.events.record_event``
in the transaction of a certification, amendment or cancellation) generates the candidate claims of a certified
contract and recomputes the claims of an amended or cancelled one. At least once, so idempotent: the claims are
claimed once (contract, policy, beneficiary) and a recompute that finds nothing changed writes nothing."""

from __future__ import annotations

from techtransfer.contracts.models import TechContract
from techtransfer.contracts.services.events import CHANGED
from techtransfer.outbox import registry
from techtransfer.subsidies.services import claims


@registry.handler(CHANGED, name="subsidies.claims")
def on_contract_changed(delivery: registry.Delivery) -> int:
    """Candidates at certification; recompute (and clawback) at amendment or cancellation. Returns how many
    candidates were created."""
    contract = TechContract.objects.filter(pk=delivery.payload.get("contract")).first()
    if contract is None:
        return 0
    kind = delivery.payload.get("kind")
    if kind == "certified":
        return len(claims.generate_candidates(contract))
    if kind in ("amended", "cancelled"):
        claims.contract_changed(contract, kind)
    return 0
