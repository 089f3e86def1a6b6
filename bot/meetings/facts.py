"""What a meeting's agenda holds, as the builders make it and the renderers and the live
meeting take it. An occurrence freezes its agenda as a list of `AgendaItem.as_json()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Why an item is on the agenda, in the order the agenda takes them.
DECISION = "decision"  # an open decision request (by its `by:` date, soonest first)
RED = "red"  # a program newly red since the last meeting
WORSENING = "worsening"  # amber in the last two updates running
MISMATCH = "mismatch"  # RAG_MISMATCH: the colour is better than the evidence
LATE = "late"  # PAST_TARGET or MILESTONE_LATE
RISK = "risk"  # an escalated open risk
ACTION = "action"  # an open action from an earlier meeting (overdue ones first)
INTAKE = "intake"  # an intake request awaiting a decision, top by WSJF
PARKED = "parked"  # parked last time
CARRIED = "carried"  # not reached last time
KINDS = (DECISION, RED, WORSENING, MISMATCH, LATE, RISK, ACTION, INTAKE, PARKED, CARRIED)

# What happened to an item in a meeting (`MeetingOccurrence.outcomes[ref]`).
DECIDED, ACTIONED, PARKED_OUTCOME, DISCUSSED = "decided", "actioned", "parked", "discussed"


@dataclass(frozen=True)
class AgendaItem:
    """One item of an agenda.

    Attributes:
        ref: Stable across agendas: "request:12", "program:5", "raid:7", "action:3",
            "intake:4". An item parked or not reached keeps its ref on the next agenda.
        kind: Why it is on the agenda (one of KINDS).
        title: What it is about, as typed by people (escaped when shown).
        owner_id: Who answers for it in the meeting (a program owner, an action owner…).
        minutes: Its timebox.
        detail: One line of context ("red since Tue 3 Nov", the question).
        program_id: The program it is about, if any.
        request_id: The decision request it puts to the meeting, if any.
        options: The request's options, if any.
        due: An ISO date the item is due by (a request's `by:`, an action's due date).
    """

    ref: str
    kind: str
    title: str
    owner_id: str | None
    minutes: int
    detail: str = ""
    program_id: int | None = None
    request_id: int | None = None
    options: tuple[str, ...] = ()
    due: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The item as an occurrence stores it."""
        values = asdict(self)
        values["options"] = list(self.options)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> AgendaItem:
        """An item as an occurrence stored it."""
        known = {name: values[name] for name in cls.__dataclass_fields__ if name in values}
        known["options"] = tuple(known.get("options") or ())
        return cls(**known)


@dataclass(frozen=True)
class Agenda:
    """A meeting's agenda as built for one occurrence.

    Attributes:
        items: What fits in the meeting's length, in order.
        unscheduled: What does not fit ("not scheduled"), in the same order.
        since: ISO instant of the last meeting held, or None for the first.
        not_listed: How many more did not fit and are not in `unscheduled` either (it keeps
            the first few); 0 for an agenda read back from an occurrence.
    """

    items: tuple[AgendaItem, ...]
    unscheduled: tuple[AgendaItem, ...] = ()
    since: str | None = None
    not_listed: int = 0

    @property
    def owners(self) -> list[str]:
        """Each scheduled item's owner, once, in agenda order."""
        seen: dict[str, None] = {}
        for item in self.items:
            if item.owner_id:
                seen.setdefault(item.owner_id)
        return list(seen)
