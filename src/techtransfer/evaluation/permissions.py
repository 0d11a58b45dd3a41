"""Who may do what in the evaluation of institutions and plan supervision — the app's named rules
(docs/evaluation.md; the roles table of docs/architecture.md)."""

from __future__ import annotations

from techtransfer.accounts import permissions
from techtransfer.evaluation.services import rounds


@permissions.rule("evaluation.manage_round")
def may_manage_round(user, round_) -> bool:
    """Open a round, compute its scores: region administrators of the issuing region, platform administrators."""
    return rounds.may_manage_round(user, round_)


@permissions.rule("evaluation.decide")
def may_decide(user, evaluation) -> bool:
    """Decide on an evaluation: the round's managers whose scope contains the institution."""
    return rounds.may_decide(user, evaluation)


@permissions.rule("evaluation.declare")
def may_declare(user, org) -> bool:
    """Declare an institution's figures: its administrators."""
    return rounds.may_declare(user, org)


@permissions.rule("evaluation.supervise")
def may_supervise(user, region: str | None = None) -> bool:
    """Plan supervision pages and the PDF brief: platform administrators, and region administrators (for a region
    inside their scope when one is named)."""
    p = permissions.principal(user)
    if region is None:
        return p.is_region_admin
    return p.in_region_scope(region)
