"""Status: what a program's lead reports, how they are asked, and the flags that follow.

A lead reports green, amber or red with a summary (and, off green, a path to green) by command,
modal or a reply to a prompt; the newest report is the program's status, and every change
recomputes the program's flags, announcing the alerting flags raised or cleared once.

The package, in dependency order: `flags` (one pure function from a program's facts and `now`
to its flags), `flag_alerts` (what of a transition reaches the PMO channel: one message per
person's change, one summary per scheduler pass), `program_flags` (load the facts, store the
flags, record and announce transitions), `reports` (submit, edit and read status updates),
`prompts` (the scheduled work of a program's slot: prompt, remind, flag overdue) and `replies`
(free-text answers to prompts, snooze, no change). When a program's slots fall is
`bot.scheduling`; DMs are routed by `bot.dm`. Callers use the names re-exported here from
`reports`, and the other modules by name (`from bot.status import prompts`).
"""

from bot.status.reports import (
    RAGS,
    TREND_LENGTH,
    StatusInput,
    edit,
    get_update,
    latest,
    recent,
    report,
    report_from_modal,
    require_editable,
    start,
    start_edit,
    submit,
    validate,
)

__all__ = [
    "RAGS",
    "TREND_LENGTH",
    "StatusInput",
    "edit",
    "get_update",
    "latest",
    "recent",
    "report",
    "report_from_modal",
    "require_editable",
    "start",
    "start_edit",
    "submit",
    "validate",
]
