"""Stand-ups: a facilitator's recurring, or live, check-in with the people of a channel.

A `Standup` says on which days it opens and when it closes (in one zone), what it asks and
whom. Each opening is a run (`StandupRun`): participants are asked by DM at that moment (a
stand-up is a meeting, so the business-hours window of status prompts does not apply), answer
by modal or by a reply with one line per question (`StandupAnswer`, editable until close), get
one reminder 30 minutes before close, and at close the channel gets one summary: blockers
first, each person's answers, then who did not answer. A blocker naming a program key becomes
a blocking issue on that program. A scheduled run is three jobs (open, remind, close) claimed
like every other job, and the summary's outbox key is the run, so each happens once.

The package, in dependency order: `facts` (what a run yields, as the renderers take it),
`plans` (days, times, questions), `manage` (schedule, edit, cancel, look up, permissions),
`answers`, `summary` (at close, blockers as issues), `runs`
(slots become jobs; open, remind, close) and `live` (start now, agenda, close now, order).
Callers use the names re-exported here.
"""

from bot.standups.answers import (
    awaiting,
    get_run,
    open_run,
    previous_answer,
    save_answer,
    split_reply,
)
from bot.standups.facts import Agenda, AgendaItem, Blocker, Summary
from bot.standups.live import (
    agenda,
    close_now,
    post_order,
    speaking_order,
    start_live,
)
from bot.standups.manage import (
    active,
    cancel,
    channel_members,
    edit,
    for_channel,
    managed,
    require_manage,
    require_member,
    schedule,
)
from bot.standups.plans import (
    DEFAULT_QUESTIONS,
    blocker_index,
    change_plan,
    format_days,
    make_plan,
    parse_days,
    parse_questions,
    parse_when,
)
from bot.standups.runs import (
    CLOSE,
    JOB_KINDS,
    OPEN,
    REMIND,
    run_job,
    slot_jobs,
    slot_schedule,
)
from bot.standups.summary import named_programs

__all__ = [
    "CLOSE",
    "DEFAULT_QUESTIONS",
    "JOB_KINDS",
    "OPEN",
    "REMIND",
    "Agenda",
    "AgendaItem",
    "Blocker",
    "Summary",
    "active",
    "agenda",
    "awaiting",
    "blocker_index",
    "cancel",
    "change_plan",
    "channel_members",
    "close_now",
    "edit",
    "for_channel",
    "format_days",
    "get_run",
    "make_plan",
    "managed",
    "named_programs",
    "open_run",
    "parse_days",
    "parse_questions",
    "parse_when",
    "post_order",
    "previous_answer",
    "require_manage",
    "require_member",
    "run_job",
    "save_answer",
    "schedule",
    "slot_jobs",
    "slot_schedule",
    "speaking_order",
    "split_reply",
    "start_live",
]
