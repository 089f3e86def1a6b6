"""How much text each stored field takes: its column's length, enforced before anything is stored.

Every field people type into is named here with the column that holds it, so its limit is
declared once, as that column's length in `storage/models.py` (`String(n)`, or `LimitedText(n)`
for text kept as TEXT). Entry points refuse longer text with `check`, so the rule is the same on
SQLite (which would store anything) and PostgreSQL (which would fail the request with a
`DataError`); the forms carry the same limit as `max_length`. Text Slack gives us about people
is not refused but cut to fit (`fitted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import InstrumentedAttribute

from bot.errors import UserError
from bot.forms import without_nul
from storage.models import (
    ActionItem,
    Decision,
    DecisionRequest,
    IntakeRequest,
    Milestone,
    Person,
    Program,
    RaidItem,
    StandupAnswer,
    StatusUpdate,
    StrategicGoal,
)

Column = InstrumentedAttribute[Any]
# The most a Slack plain_text_input takes (its `max_length` may not be larger).
FORM_INPUT_MAX = 3000


def column_length(column: Column) -> int:
    """The length a column declares (`String(n)` or `LimitedText(n)`)."""
    length = getattr(column.expression.type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{column} declares no length")
    return length


@dataclass(frozen=True)
class TextField:
    """A stored field people type into: what to call it, and the column that bounds it."""

    label: str
    column: Column

    @property
    def limit(self) -> int:
        """The most characters it takes: its column's length."""
        return column_length(self.column)

    @property
    def form_limit(self) -> int:
        """The `max_length` of its form input: the limit, or Slack's most if that is less."""
        return min(self.limit, FORM_INPUT_MAX)


PROGRAM_NAME = TextField("program name", Program.name)
PORTFOLIO = TextField("portfolio name", Program.portfolio)
CADENCE = TextField("cadence", Program.cadence)
SUMMARY = TextField("summary", StatusUpdate.summary)
ACCOMPLISHMENTS = TextField("accomplishments", StatusUpdate.accomplishments)
NEXT_STEPS = TextField("next steps", StatusUpdate.next_steps)
BLOCKERS = TextField("blockers", StatusUpdate.blockers)
PATH_TO_GREEN = TextField("path to green", StatusUpdate.path_to_green)
RAID_TITLE = TextField("title", RaidItem.title)
RAID_DESCRIPTION = TextField("description", RaidItem.description)
MITIGATION = TextField("mitigation", RaidItem.mitigation)
CLOSE_REASON = TextField("reason", RaidItem.close_reason)
INTAKE_TITLE = TextField("title", IntakeRequest.title)
PROBLEM = TextField("problem", IntakeRequest.problem)
NOTES = TextField("notes", IntakeRequest.notes)
REASON = TextField("reason", IntakeRequest.reason)
GOAL = TextField("goal name", StrategicGoal.name)
MILESTONE = TextField("milestone name", Milestone.name)
# Each stand-up answer (they are kept as a list) takes what its blockers answer takes.
STANDUP_ANSWER = TextField("answer", StandupAnswer.blockers)
QUESTION = TextField("question", DecisionRequest.question)
DECISION = TextField("decision", Decision.text)
RATIONALE = TextField("rationale", Decision.rationale)
OPTION = TextField("option", Decision.option)
ACTION_TITLE = TextField("action title", ActionItem.title)

# A status update's text fields by the name they have in `StatusInput` and the modal.
STATUS_FIELDS = {
    "summary": SUMMARY,
    "accomplishments": ACCOMPLISHMENTS,
    "next_steps": NEXT_STEPS,
    "blockers": BLOCKERS,
    "path_to_green": PATH_TO_GREEN,
}
FIELDS = (
    PROGRAM_NAME,
    PORTFOLIO,
    CADENCE,
    *STATUS_FIELDS.values(),
    RAID_TITLE,
    RAID_DESCRIPTION,
    MITIGATION,
    CLOSE_REASON,
    INTAKE_TITLE,
    PROBLEM,
    NOTES,
    REASON,
    GOAL,
    MILESTONE,
    STANDUP_ANSWER,
    QUESTION,
    DECISION,
    RATIONALE,
    OPTION,
    ACTION_TITLE,
)
# Text about people that Slack sends (users.info, user_change): cut to fit, never refused.
FROM_SLACK = (Person.name, Person.display_name, Person.away_status)


def check(field: TextField, text: str | None, *, block_id: str | None = None) -> None:
    """Refuse text longer than its field takes, saying which field, its length and the limit.

    Raises:
        UserError: With the text to echo (a command's error echoes the whole command) and
            `block_id`, the modal input the error is shown on.
    """
    if text is None or len(text) <= field.limit:
        return
    raise UserError(
        f"The {field.label} is {len(text):,} characters long; it can be at most "
        f"{field.limit:,}. Shorten it and send it again.",
        echo=text,
        field=block_id,
    )


def fitted(column: Column, text: str) -> str:
    """Text from Slack as stored: NUL characters dropped, cut to what its column holds."""
    return without_nul(text)[: column_length(column)]
