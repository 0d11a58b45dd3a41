"""Subsidies and rewards — 奖补: the package face. Callers import ``techtransfer.subsidies.services``.

- ``policies``: publishing versions, the version in force, evaluating a case or a contract with the engine;
- ``claims``: candidates at certification, applying, review, budget reservation, payments, recompute/clawback;
- ``batch``: evaluating a policy over a year's contracts (the yearly batch, benchmarks/).
"""

from techtransfer.subsidies.services import claims  # noqa: F401
from techtransfer.subsidies.services.policies import (  # noqa: F401
    SHIPPED_STATE_OWNED,
    ShippedPolicy,
    ShippedVersion,
    evaluate_case,
    evaluate_contract,
    get_policy,
    new_draft,
    publish,
    shipped_policy,
    state_owned_codes,
    tables_ready,
    validate_version,
    version_on,
)
