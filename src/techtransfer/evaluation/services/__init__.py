"""The evaluation app's rules: rounds, declarations, scores and decisions (``rounds``), the platform's figures of
an institution (``figures``) and plan supervision with its PDF brief (``supervision``)."""

from techtransfer.evaluation.services.figures import platform_values  # noqa: F401
from techtransfer.evaluation.services.rounds import (  # noqa: F401
    TOLERANCE,
    candidates,
    compute,
    decide,
    declare,
    enter_complaints,
    get_round,
    get_visible,
    history,
    may_be_candidate,
    may_decide,
    may_declare,
    may_manage_round,
    open_round,
    visible_evaluations,
    visible_rounds,
)
