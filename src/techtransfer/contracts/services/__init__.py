"""Technology contract registration rules — 技术合同认定登记.

Sources: 《技术合同认定登记管理办法》 (国科发政字〔2000〕63号), 《技术合同认定规则》 (国科发政字〔2001〕253号),
Civil Code book III chapter 20. Summary of what is encoded here:

- written contracts only: an oral contract is not accepted at submission (不予受理) (``filing``);
- the point may return a filing for correction (补正); the clock stops and restarts on resubmission, and a filing
  not corrected in time lapses (``corrections``);
- the seller (卖方; for development contracts the developer) files the contract — a member or administrator of the
  seller organization — and submits it to a registration point whose region contains the seller's region;
  submission is acceptance (受理) and starts the decision time limit (``filing``, ``deadlines``);
- only a reviewer of that registration point whose region scope contains the seller's region decides: certifies
  (认定登记) or refuses (不予登记) with reasons; oral contracts are never certified (``decisions``);
- certification fixes the category and splits the contract amount into the technology transaction amount
  (技术交易额) and the non-technical lines the rules exclude (equipment, instruments, parts, materials, other)
  (``amounts``);
- large development/transfer contracts need an expert re-review first (see ``conf``);
- registration numbers are gapless per registration point and year (``numbering``);
- amendments and cancellations are registered as events that change the statistics, never silent edits
  (``events``).

Who may do what is answered by ``contracts.permissions`` (named rules of ``accounts.permissions``); every state
change is audited. This package face re-exports the public functions, so callers import
``techtransfer.contracts.services`` and need not know the modules.
"""

from techtransfer.contracts.ledger import Totals
from techtransfer.contracts.permissions import is_seller_side, may_decide, visible_contracts
from techtransfer.contracts.services import clock
from techtransfer.contracts.services.access import get_visible, require_decider
from techtransfer.contracts.services.amounts import Split, split_amount
from techtransfer.contracts.services.corrections import (
    default_correction_due,
    lapse_if_overdue,
    lapse_overdue,
    resubmit,
    return_for_correction,
)
from techtransfer.contracts.services.deadlines import (
    Deadline,
    Processing,
    TimeLimit,
    add_days,
    days_between,
    deadline,
    decision_limit,
    is_working_day,
    processing,
    time_limit,
)
from techtransfer.contracts.services.decisions import (
    amend,
    cancel,
    certify,
    needs_expert_review,
    record_expert_review,
    refuse,
)
from techtransfer.contracts.services.events import counted_contracts, ledger_totals, record_event
from techtransfer.contracts.services.filing import (
    CONTRACT_FIELDS,
    FOREIGN_KEYS,
    INPUT_FIELDS,
    ORG_KIND_TO_PARTY_TYPE,
    PARTY_FIELDS,
    check_complete,
    check_written,
    file_contract,
    submit,
    update_draft,
)
from techtransfer.contracts.services.numbering import format_number, next_registration_number, point_profile

__all__ = [
    "CONTRACT_FIELDS",
    "Deadline",
    "TimeLimit",
    "check_written",
    "deadline",
    "default_correction_due",
    "format_number",
    "is_working_day",
    "lapse_if_overdue",
    "lapse_overdue",
    "resubmit",
    "return_for_correction",
    "time_limit",
    "FOREIGN_KEYS",
    "INPUT_FIELDS",
    "ORG_KIND_TO_PARTY_TYPE",
    "PARTY_FIELDS",
    "Processing",
    "Split",
    "Totals",
    "add_days",
    "amend",
    "cancel",
    "certify",
    "check_complete",
    "clock",
    "counted_contracts",
    "days_between",
    "decision_limit",
    "file_contract",
    "get_visible",
    "is_seller_side",
    "ledger_totals",
    "may_decide",
    "needs_expert_review",
    "next_registration_number",
    "point_profile",
    "processing",
    "record_event",
    "record_expert_review",
    "refuse",
    "require_decider",
    "split_amount",
    "submit",
    "update_draft",
    "visible_contracts",
]
