"""Stand-ups: a facilitator's recurring, or live, check-in with the people of a channel.

A `Standup` says on which days it opens and when it closes (in one zone), what it asks and
whom. Each opening is a run (`StandupRun`): participants are asked by DM at that moment, or
when their working time next starts before the close (a `local` stand-up asks each at the
opening time on their own clock); whoever cannot be asked before the close, is on a day off or
out of office is listed instead. Participants answer by modal or by a reply with one line
per question (`StandupAnswer`, editable until close), get one reminder 30 minutes before
close, and at close the channel gets one summary: blockers first, each person's answers, then
who did not answer and who was not asked. A blocker naming a program key becomes a blocking
issue on that program. A scheduled run is three jobs (open, remind, close) claimed like every
other job, and the summary's outbox key is the run, so each happens once. Three scheduled
runs in a row that nobody answered pause the stand-up until its facilitator resumes it.

The package, in dependency order: `facts` (what a run yields, as the renderers take it),
`plans` (days, times, `local`, questions), `manage` (schedule, edit, cancel, look up,
permissions), `timing` (when each participant is asked, or why not), `answers`, `pausing`
(three unanswered runs pause it; *Resume*), `summary` (at close, blockers as issues), `runs`
(slots become jobs; open, remind, close) and `live` (start now, agenda, close now, order).
Callers use the names re-exported here.
"""

from bot.standups.answers import (
    awaiting,
    get_run,
    open_run,
    previous_answer,
    run_in_thread,
    save_answer,
    split_reply,
)
from bot.standups.facts import Agenda, AgendaItem, Blocker, SkipReason, Summary
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
from bot.standups.pausing import PAUSE_AFTER, resume
from bot.standups.plans import (
    DEFAULT_QUESTIONS,
    blocker_index,
    change_plan,
    format_days,
    make_plan,
    parse_days,
    parse_questions,
    parse_spec,
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
from bot.standups.timing import skip_reasons

__all__ = [
    "CLOSE",
    "DEFAULT_QUESTIONS",
    "JOB_KINDS",
    "OPEN",
    "PAUSE_AFTER",
    "REMIND",
    "Agenda",
    "AgendaItem",
    "Blocker",
    "SkipReason",
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
    "parse_spec",
    "parse_when",
    "post_order",
    "previous_answer",
    "require_manage",
    "require_member",
    "resume",
    "run_in_thread",
    "run_job",
    "save_answer",
    "schedule",
    "skip_reasons",
    "slot_jobs",
    "slot_schedule",
    "speaking_order",
    "split_reply",
    "start_live",
]
