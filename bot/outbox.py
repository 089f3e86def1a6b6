"""Messages decided inside a transaction, sent to Slack after it commits.

A change (a red status, a new high risk) and the alert it causes are written together, so a
rolled-back change sends nothing and a committed one is never forgotten. Delivery claims each
row before the Slack call and marks it after, so a message goes out once; only a crash between
the call and the mark can repeat it, once, on a later pass.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import insert_new
from storage.models import OutboxMessage, Prompt
from storage.types import OutboxState, PromptState

log = logging.getLogger(__name__)
# A row left "sending" this long was interrupted by a crash: send it again (once).
STUCK_AFTER = timedelta(minutes=10)
# Errors that will not go away by retrying.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_not_found",
        "account_inactive",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "user_disabled",
        "channel_is_archived",
    }
)
MAX_ATTEMPTS = 5
QUEUED = "outbox_queued"
# Payload keys naming another outbox message by its dedupe key (see `_resolve`).
THREAD_OF = "thread_of"
CLAIM_CHUNK = 25  # messages claimed in one transaction
RESENT = "resent after an interrupted send"
UPDATE_OF = "update_of"


def enqueue(
    session: Session,
    *,
    team_id: str,
    key: str,
    channel: str,
    payload: dict[str, Any],
    now: datetime,
    not_before: datetime | None = None,
    purpose: str | None = None,
) -> int | None:
    """Store a message to send; returns its id, or None if one with this key exists.

    Args:
        key: Deciding the same message twice (a retry, a second process) stores it once.
        channel: A channel id, or a user id for a DM.
        not_before: Hold the message until then (people's messaging window).
        purpose: What it is for ("prompt:42"), so a failure can be acted on.
    """
    row = {
        "team_id": team_id,
        "dedupe_key": key[:200],
        "channel": channel,
        "payload": payload,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "created_at": now,
        "not_before": not_before,
        "purpose": purpose,
    }
    # One statement (a prompt pass queues hundreds): a key already queued inserts nothing.
    inserted = insert_new(session, OutboxMessage, [row], returning=OutboxMessage.id)
    if not inserted:
        return None
    session.info[QUEUED] = True  # wakes the outbox worker once this transaction commits
    return int(inserted[0])


def pending_count(session: Session, *, now: datetime) -> int:
    """How many messages are ready to send at `now`."""
    return session.scalar(select(func.count()).where(deliverable(now))) or 0


def deliver_pending(
    sessions: sessionmaker[Session],
    client: WebClient,
    *,
    now: datetime,
    limit: int = 200,
    deadline: datetime | None = None,
) -> int:
    """Send what is waiting; returns how many were sent. Safe to run from several processes.

    Messages are claimed a few at a time, in id order (so a thread's parent goes before its
    replies), each chunk in one short transaction; each is then sent and marked in its own.
    One that goes back to waiting (its parent unsent, a transient error) is not tried again
    in this call.
    """
    sent = claimed = 0
    after = 0
    # One connection marks what was sent, a short transaction per message (none is open
    # while Slack is called): no pool checkout per message.
    with sessions() as marks:
        while claimed < limit:
            if deadline is not None and datetime.now(now.tzinfo) > deadline:
                break
            count = min(CLAIM_CHUNK, limit - claimed)
            batch = _claim_next(sessions, now=now, after=after, count=count)
            if not batch:
                break
            claimed += len(batch)
            after = max(message.id for message in batch)
            for message in batch:
                if message.state == OutboxState.SENDING:
                    sent += _deliver_one(sessions, client, message, marks=marks)
    return sent


def _deliver_one(
    sessions: sessionmaker[Session], client: WebClient, message: OutboxMessage, *, marks: Session
) -> int:
    call = _resolve(sessions, message)
    if call is None:
        return 0
    method, arguments = call
    try:
        response = getattr(client, method)(**arguments)
    except SlackApiError as exc:
        _mark_failed(sessions, message, str(exc.response.get("error") or "error"))
        return 0
    except Exception:
        # Uncertain (a timeout, a reset connection): it may have been posted. The claim stays
        # "sending", so it is sent once more after STUCK_AFTER; the other messages go on.
        log.exception("outbox delivery interrupted", extra={"fields": {"message_id": message.id}})
        return 0
    with marks.begin():
        _set(
            marks,
            message.id,
            state=OutboxState.SENT,
            sent_at=message.claimed_at,
            ts=response.get("ts"),
            sent_channel=response.get("channel"),
        )
    return 1


def _resolve(
    sessions: sessionmaker[Session], message: OutboxMessage
) -> tuple[str, dict[str, Any]] | None:
    """The Web API call for a message; None (and back to pending) while its parent waits.

    A payload may name another message of the outbox by its dedupe key: `thread_of` to
    reply in that message's thread, `update_of` to edit that message in place. Either
    needs the other message sent first; until then this one waits its turn.
    """
    payload = dict(message.payload)
    parent_key = payload.pop(THREAD_OF, None) or payload.get(UPDATE_OF)
    if parent_key is None:
        return "chat_postMessage", {"channel": message.channel, **payload}
    with sessions() as session:
        parent = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.team_id == message.team_id, OutboxMessage.dedupe_key == parent_key
            )
        )
    if parent is None or parent.state == OutboxState.FAILED:
        _mark(sessions, message.id, state=OutboxState.FAILED, error="parent message not sent")
        return None
    if parent.ts is None:
        _mark(sessions, message.id, state=OutboxState.PENDING, attempts=message.attempts - 1)
        return None
    if UPDATE_OF in payload:
        payload.pop(UPDATE_OF)
        return "chat_update", {
            "channel": parent.sent_channel or parent.channel,
            "ts": parent.ts,
            **payload,
        }
    return "chat_postMessage", {
        "channel": parent.sent_channel or message.channel,
        "thread_ts": parent.ts,
        **payload,
    }


def deliverable(now: datetime) -> ColumnElement[bool]:
    """Which messages are ready to send at `now` (waiting, or a claim that was interrupted)."""
    waiting = (OutboxMessage.state == OutboxState.PENDING) & or_(
        OutboxMessage.not_before.is_(None), OutboxMessage.not_before <= now
    )
    # A claim left "sending" this long was interrupted (a crash between the Slack call and
    # the mark): send it once more, never again after that.
    interrupted = (
        (OutboxMessage.state == OutboxState.SENDING)
        & (OutboxMessage.claimed_at < now - STUCK_AFTER)
        & or_(OutboxMessage.error.is_(None), OutboxMessage.error != RESENT)
        & (OutboxMessage.attempts < MAX_ATTEMPTS)
    )
    return or_(waiting, interrupted)


def _claim_next(
    sessions: sessionmaker[Session], *, now: datetime, after: int, count: int
) -> list[OutboxMessage]:
    """Claim the next `count` deliverable messages with ids above `after`, in one statement;
    those a prompt's answer made pointless are withdrawn instead (state WITHDRAWN)."""
    with sessions.begin() as session:
        chosen = (
            select(OutboxMessage.id)
            .where(deliverable(now), OutboxMessage.id > after)
            .order_by(OutboxMessage.id)
            .limit(count)
        )
        batch = list(
            session.scalars(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(chosen), deliverable(now))
                .values(
                    state=OutboxState.SENDING,
                    claimed_at=now,
                    attempts=OutboxMessage.attempts + 1,
                    # Resending after an interruption happens once; the mark says it did.
                    error=case(
                        (OutboxMessage.state == OutboxState.SENDING, RESENT),
                        else_=OutboxMessage.error,
                    ),
                )
                .returning(OutboxMessage)
                .execution_options(synchronize_session=False)
            )
        )
        for message in _answered_meanwhile(session, batch):
            message.state = OutboxState.WITHDRAWN
        return sorted(batch, key=lambda message: message.id)


def _answered_meanwhile(session: Session, batch: list[OutboxMessage]) -> list[OutboxMessage]:
    """Prompts and reminders held for the recipient's window that no longer make sense.

    Either the prompt got its answer, or (for a reminder, whose text warns of the coming
    overdue flag) the grace period ran out first and the overdue alert has taken over.
    """
    asking: dict[int, list[tuple[str, OutboxMessage]]] = {}
    for message in batch:
        kind, _, prompt_id = (message.purpose or "").partition(":")
        if kind in ("prompt", "reminder") and prompt_id.isdigit():
            asking.setdefault(int(prompt_id), []).append((kind, message))
    if not asking:
        return []
    query = select(Prompt.id, Prompt.state).where(Prompt.id.in_(list(asking)))
    states: dict[int, str] = {prompt_id: state for prompt_id, state in session.execute(query)}
    return [
        message
        for prompt_id, messages in asking.items()
        for kind, message in messages
        if states.get(prompt_id) == PromptState.ANSWERED
        or (kind == "reminder" and states.get(prompt_id) == PromptState.EXPIRED)
    ]


def _mark_failed(sessions: sessionmaker[Session], message: OutboxMessage, error: str) -> None:
    final = error in PERMANENT or message.attempts >= MAX_ATTEMPTS
    log.warning(
        "outbox delivery failed",
        extra={"fields": {"message_id": message.id, "error": error, "final": final}},
    )
    _mark(
        sessions,
        message.id,
        state=OutboxState.FAILED if final else OutboxState.PENDING,
        error=error[:200],
    )


def _mark(sessions: sessionmaker[Session], message_id: int, **values: Any) -> None:
    with sessions.begin() as session:
        _set(session, message_id, **values)


def _set(session: Session, message_id: int, **values: Any) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))
