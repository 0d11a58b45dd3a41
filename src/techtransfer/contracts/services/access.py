"""Fetching a contract for a caller and refusing callers the rules do not allow (``contracts.permissions``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from techtransfer.contracts.models import TechContract
from techtransfer.contracts.permissions import may_decide, visible_contracts
from techtransfer.contracts.services.corrections import lapse_if_overdue
from techtransfer.core.errors import Forbidden, NotFound


def get_visible(user, pk: int) -> TechContract:
    """The contract ``pk`` if ``user`` may see it (``visible_contracts``); else 404, whether or not it exists.
    A filing returned for correction whose deadline has passed lapses here, so nobody reads a stale state
    between two runs of the periodic task."""
    contract = visible_contracts(user).filter(pk=pk).first()
    if contract is None:
        raise NotFound(_("No such contract, or you may not see it."))
    lapse_if_overdue(contract)
    return contract


def require_decider(user, contract: TechContract) -> None:
    """Raise ``Forbidden`` unless ``user`` may decide ``contract`` (rule ``contracts.decide``)."""
    if not may_decide(user, contract):
        raise Forbidden(_("Only a reviewer of this registration point, within its jurisdiction, may decide."))
