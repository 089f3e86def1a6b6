"""Who may be messaged, and when: guests hear no portfolio news; DMs wait for working time.

Every feature that DMs people about the portfolio (status prompts, flag alerts, intake
decisions) goes through here, so the rules are the same everywhere. A person may mute a kind
of news DM (`/pmo notify mute flags`); what asks them for something (status prompts,
reminders, stand-up questions) can't be muted.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import audit, outbox, working_time
from bot.commands import suggest
from bot.errors import UserError
from storage.models import Person, Workspace

# The kinds of DM a person may mute, and what each covers (help and `/pmo notify`).
KINDS: dict[str, str] = {
    "flags": "flag alerts about programs you own or sponsor",
    "raid": "RAID items assigned to you, and their reminders",
    "intake": "the decision on your intake requests",
    "actions": "actions you own: assigned, due soon, overdue",
}
# What asks people for something; they can't mute it (`/pmo notify mute prompts` says why).
UNMUTABLE = ("prompts", "reminders", "standups")


def muted_kinds(person: Person | None) -> list[str]:
    """The kinds of DM `person` muted, in KINDS order."""
    muted = set((person.muted if person is not None else "").split(","))
    return [kind for kind in KINDS if kind in muted]


def wants(session: Session, *, team_id: str, user_id: str, kind: str) -> bool:
    """Whether `user_id` still takes DMs of `kind` (one of KINDS): they did not mute it.

    Someone we have no row for yet muted nothing. Guests are a separate rule (`may_hear`).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown DM kind {kind!r}")
    return kind not in muted_kinds(session.get(Person, (team_id, user_id)))


GUESTS = (
    "Guests get no portfolio DMs (flag alerts, RAID items, intake decisions), so there is "
    "nothing to mute or unmute."
)


def settings_of(person: Person) -> list[str]:
    """`/pmo notify`: the kinds `person` muted; guests are told it doesn't apply to them."""
    if person.is_restricted:
        raise UserError(GUESTS)
    return muted_kinds(person)


def change_muted(session: Session, *, person: Person, words: list[str], now: datetime) -> list[str]:
    """`/pmo notify mute|unmute <kind>…` (or `all`): returns the kinds muted now.

    Raises:
        UserError: A guest, no `mute`/`unmute`, no kind, an unknown kind, or a prompt.
    """
    settings_of(person)
    verb = words[0].lower() if words else ""
    if verb not in ("mute", "unmute"):
        raise UserError("Say `mute` or `unmute`, then one or more kinds: " + _kinds_hint())
    kinds = parse_kinds(words[1:])
    before = muted_kinds(person)
    muted = set(before) | set(kinds) if verb == "mute" else set(before) - set(kinds)
    person.muted = ",".join(kind for kind in KINDS if kind in muted)
    audit.record(
        session,
        person,
        actor_id=person.user_id,
        action="notify",
        now=now,
        before={"muted": before},
        after={"muted": muted_kinds(person)},
    )
    return muted_kinds(person)


def parse_kinds(words: list[str]) -> list[str]:
    """Kinds of DM as typed (`flags raid`, `flags,raid`, `all`), in KINDS order."""
    lowered = [w for word in words for w in word.lower().split(",") if w]
    if not lowered:
        raise UserError("Name what to mute or unmute: " + _kinds_hint())
    if "all" in lowered:
        return list(KINDS)
    for word in lowered:
        if word.rstrip("s") in (kind.rstrip("s") for kind in UNMUTABLE):
            raise UserError(
                f"“{word}” can't be muted: status prompts, their reminders and stand-up "
                "questions ask you for something, so they always come (in your working "
                "hours). Away? `/pmo ooo until:<date>` sends prompts to your delegates."
            )
        if word not in KINDS:
            guess = suggest(word, [*KINDS, "all"])
            hint = f" Did you mean `{guess}`?" if guess else ""
            raise UserError(f"“{word}” is not a kind of DM.{hint} Use {_kinds_hint()}")
    return [kind for kind in KINDS if kind in lowered]


def _kinds_hint() -> str:
    return ", ".join(f"`{kind}`" for kind in KINDS) + ", or `all`."


def may_hear(session: Session, *, team_id: str, user_id: str) -> bool:
    """Whether portfolio news may be DMed to someone: not a guest (people change)."""
    person = session.get(Person, (team_id, user_id))
    return person is None or not (person.is_restricted or person.deleted)


def is_out_of_office(person: Person, *, now: datetime, workspace: Workspace) -> bool:
    """Whether `person` is away now: out of office through a date that is not past in their
    zone (`/pmo ooo`), or a Slack status that says so and has not expired."""
    if person.ooo_until is not None and person.ooo_until >= local_today(person, now, workspace):
        return True
    return person.away_status is not None and (person.away_until is None or person.away_until > now)


def local_today(person: Person | None, now: datetime, workspace: Workspace) -> date:
    """The person's local date (the workspace's when their zone is unknown)."""
    return now.astimezone(ZoneInfo(zone_of(person, workspace))).date()


def zone_of(person: Person | None, workspace: Workspace) -> str:
    """A person's time zone, else the workspace's."""
    return (person.tz if person is not None else None) or workspace.timezone


def calendar_of(
    session: Session, *, workspace: Workspace, user_id: str, zone: str | None = None
) -> working_time.WorkingTime:
    """A person's working calendar (theirs where they set it, else the workspace's); `zone`
    stands in for their time zone when Slack gave none."""
    person = session.get(Person, (workspace.team_id, user_id))
    return working_time.for_person(person, workspace, zone=zone)


def direct_message(
    session: Session,
    *,
    workspace: Workspace,
    user_id: str,
    now: datetime,
    key: str,
    payload: dict[str, object],
    purpose: str | None = None,
    kind: str | None = None,
    zone: str | None = None,
) -> int | None:
    """Queue a DM that waits for the recipient's message hours on a working day of theirs.

    Args:
        zone: The zone to read their hours in when Slack gave them none (say, their
            program's, as its grace is counted in).
        kind: What kind of news it is (one of KINDS); a DM of a kind the recipient muted is
            dropped (None returned). None: a prompt or reminder, which is always sent.
    """
    if kind is not None and not wants(
        session, team_id=workspace.team_id, user_id=user_id, kind=kind
    ):
        return None
    calendar = calendar_of(session, workspace=workspace, user_id=user_id, zone=zone)
    return outbox.enqueue(
        session,
        team_id=workspace.team_id,
        key=key,
        channel=user_id,
        payload=payload,
        now=now,
        not_before=calendar.next_window_start(now),
        purpose=purpose,
    )
