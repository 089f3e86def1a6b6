"""Sends queued messages right after the transaction that queued them commits.

One background thread per process, woken by a session `after_commit` hook when a committed
transaction queued something; it also sweeps now and then for anything left over. Cheaper
than a lazy listener per request, and the same claims make it safe beside other processes.
"""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from bot import outbox
from bot.clock import Clock
from storage.db import is_busy

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0


class OutboxWorker:
    """A daemon thread delivering the outbox when woken."""

    def __init__(self, sessions: sessionmaker[Session], client: WebClient, clock: Clock) -> None:
        self._sessions = sessions
        self._client = client
        self._clock = clock
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._done = threading.Condition()
        self._requested = 0
        self._completed = 0
        self._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
        event.listen(sessions, "after_commit", self._after_commit)

    def start(self) -> OutboxWorker:
        """Start the thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Finish the current delivery and stop."""
        self._stopping.set()
        self._wake.set()
        self._thread.join(timeout=30)
        event.remove(self._sessions, "after_commit", self._after_commit)

    def wake(self) -> None:
        """Ask for a delivery round soon."""
        with self._done:
            self._requested += 1
        self._wake.set()

    def drain(self, timeout: float = 30) -> None:
        """Wait until a delivery round that started after this call has finished."""
        with self._done:
            self._requested += 1
            target = self._requested
        self._wake.set()
        with self._done:
            if not self._done.wait_for(lambda: self._completed >= target, timeout=timeout):
                raise TimeoutError("the outbox did not drain in time")

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(outbox.QUEUED, False):
            self.wake()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(timeout=SWEEP_SECONDS)
            self._wake.clear()
            with self._done:
                target = self._requested
            self._deliver()
            with self._done:
                self._completed = max(self._completed, target)
                self._done.notify_all()

    def _deliver(self) -> None:
        try:
            outbox.deliver_pending(self._sessions, self._client, now=self._clock())
        except Exception as error:  # the next wake or sweep retries; the scheduler pass too
            if is_busy(error):
                log.warning("outbox delivery round waited out a locked database; retrying")
            else:
                log.exception("outbox delivery round failed")
