"""Deferred read answers in a process of their own, so computing them never slows an ack.

Acks and the answers computed after them (lists, `program show`, digests, export) would
otherwise share one interpreter lock: during a burst of deferred reads, every ack waited for
it several times on its way through the server. `pmo-bot run` starts one answer process (the
same app, built from the same settings) and hands it each deferred read by its request body;
the answer goes to the command's response_url, exactly as if it were computed in-process.
Commands that write, and everything else, stay in the serving process.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot import logs
from bot.clock import system_clock
from bot.runtime.app import build_app, request_client
from bot.runtime.deps import Deps
from bot.runtime.settings import Settings
from storage.db import make_engine, make_sessionmaker

log = logging.getLogger(__name__)
# The answer process runs at a lower CPU priority, so on a busy machine acks come first.
ANSWER_NICENESS = 10
# Answers computed at once in the answer process: their database queries and Slack posts
# overlap; the lock they share there is no longer the one acks need.
ANSWER_THREADS = 4
# SIGTERM gives a container ~10 s before SIGKILL; held answers get most of it.
STOP_WITHIN_S = 8.0
# Set in the answer process by `_start`: the app's /pmo router and the threads answering.
_router: Any = None
_threads: ThreadPoolExecutor | None = None


class AnswerProcess:
    """The serving process's handle on the answer process."""

    def __init__(self, settings: Settings, *, token: str, secret: str) -> None:
        # Answers a body in the serving process when the answer process died with it queued.
        self.fallback: Callable[[dict[str, Any]], None] | None = None
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(settings, token, secret),
        )
        # Start it now, in the background: the server is up meanwhile, and answers handed
        # over before the process is ready wait in its queue.
        self._pool.submit(_ready).add_done_callback(_logged)

    def answer(self, body: dict[str, Any]) -> bool:
        """Hand a deferred read over; False when the process is gone (answer in-process)."""
        try:
            future = self._pool.submit(_answer, body, logs.request_id.get())
        except (BrokenProcessPool, RuntimeError):
            log.warning("the answer process is gone; answering in-process")
            return False
        future.add_done_callback(lambda done: self._finished(done, body))
        return True

    def _finished(self, future: Future[None], body: dict[str, Any]) -> None:
        error = future.exception() if not future.cancelled() else None
        if isinstance(error, BrokenProcessPool) and self.fallback is not None:
            log.error("the answer process died; answering in-process")
            self.fallback(body)
        elif error is not None:
            log.error("a deferred answer failed", exc_info=error)

    def stop(self, *, within: float = STOP_WITHIN_S) -> None:
        """Stop the process after it has finished the answers it holds (their users were
        acked and wait for them), or after `within` seconds, whichever comes first."""
        try:
            self._pool.submit(_drain).result(timeout=within)
        except Exception:  # gone already, or still busy: stop it anyway
            log.warning("the answer process did not finish its answers in time")
        self._pool.shutdown(wait=False, cancel_futures=True)


def _start(settings: Settings, token: str, secret: str) -> None:
    """In the answer process: logs, the database and the app, as `pmo-bot run` builds them."""
    global _router, _threads
    with contextlib.suppress(OSError):  # the machine serves acks first
        os.nice(ANSWER_NICENESS)
    logs.configure(settings.log_level)
    deps = Deps(
        sessions=make_sessionmaker(make_engine(settings.database_url)),
        settings=settings,
        clock=system_clock,
        client=request_client(settings, token),
    )
    _, _router = build_app(deps, signing_secret=secret)
    _threads = ThreadPoolExecutor(max_workers=ANSWER_THREADS, thread_name_prefix="answer")


def _ready() -> bool:
    return _router is not None


def _drain() -> None:
    """In the answer process: wait for every answer started, then take no more."""
    if _threads is not None:
        _threads.shutdown(wait=True)


def _answer(body: dict[str, Any], request_id: str) -> None:
    """Start the answer on a thread of the answer process, and take the next one at once."""
    if _threads is None:
        raise RuntimeError("the answer process was not started")
    _threads.submit(_answer_logged, body, request_id)


def _answer_logged(body: dict[str, Any], request_id: str) -> None:
    logs.request_id.set(request_id)
    try:
        _router.answer_deferred(body)
    except Exception:  # in the answer process: its log is the only place to say it
        log.exception("a deferred answer failed")


def _logged(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        log.error("a deferred answer failed", exc_info=error)
