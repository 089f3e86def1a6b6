"""Project intake: requests scored by WSJF, checked for duplicates and decided by PMO admins.

A request gets the next `INT-n` of its workspace, a WSJF score
(business value + time criticality + risk reduction) / job size, and is posted for review
with *Approve* / *Reject* / *Defer*. The first decision wins; later ones are told it was
already decided. Deferred requests come back to the queue on their date, checked whenever
the queue is read or decided (`resurface`).

The package, in dependency order: `facts` (what intake yields, as the renderers take it),
`duplicates` (look-alike programs and requests), `filing` (input, score, number, review post,
finding a request), `decisions` (approve, reject, defer; deferrals coming back), `listing`
(the queue, one request in detail) and `goals` (the strategic goals requests name).
Callers use the names re-exported here.
"""

from bot.intake.decisions import (
    DECIDING,
    DECISION_ACTIONS,
    Approval,
    already_decided,
    approve,
    decidable,
    deciding,
    defer,
    local_today,
    reject,
    resurface,
)
from bot.intake.duplicates import (
    DUPLICATE_THRESHOLD,
    LIVE_PROGRAM_STATES,
    MAX_DUPLICATES,
    OPEN_STATES,
    find_duplicates,
    similarity,
)
from bot.intake.facts import SYSTEM_ACTOR, Capacity, Duplicate, Filed, IntakePage
from bot.intake.filing import (
    SCALE,
    SCORE_FIELDS,
    IntakeInput,
    capacity,
    file_request,
    find_request,
    get_request,
    label,
    parse_scale,
    post_key,
    quarter_start,
    reviewers,
    validate,
    wsjf,
)
from bot.intake.goals import MAX_GOALS, active_goals, add_goal, goal_name, remove_goal
from bot.intake.listing import STATES, IntakeDetail, detail, history, queue

__all__ = [
    "DECIDING",
    "DECISION_ACTIONS",
    "DUPLICATE_THRESHOLD",
    "LIVE_PROGRAM_STATES",
    "MAX_DUPLICATES",
    "MAX_GOALS",
    "OPEN_STATES",
    "SCALE",
    "SCORE_FIELDS",
    "STATES",
    "SYSTEM_ACTOR",
    "Approval",
    "Capacity",
    "Duplicate",
    "Filed",
    "IntakeDetail",
    "IntakeInput",
    "IntakePage",
    "active_goals",
    "add_goal",
    "already_decided",
    "approve",
    "capacity",
    "decidable",
    "deciding",
    "defer",
    "detail",
    "file_request",
    "find_duplicates",
    "find_request",
    "get_request",
    "goal_name",
    "history",
    "label",
    "local_today",
    "parse_scale",
    "post_key",
    "quarter_start",
    "queue",
    "reject",
    "remove_goal",
    "resurface",
    "reviewers",
    "similarity",
    "validate",
    "wsjf",
]
