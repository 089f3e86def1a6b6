"""Duplicates: the live programs and open requests that look like the same ask."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.intake.facts import Duplicate
from storage.models import IntakeRequest, Program
from storage.types import IntakeState, ProgramState

OPEN_STATES = (IntakeState.PENDING, IntakeState.DEFERRED)
LIVE_PROGRAM_STATES = (ProgramState.ACTIVE, ProgramState.PAUSED)
# Duplicates: the Jaccard similarity of the content-word stems of the titles (or of title and
# problem together, between two requests). At 0.5 at least half of the distinct words the two
# share between them are common: "CRM migration" ~ "Migrate the CRM" (1.0), while
# "CRM upgrade" vs "ERP upgrade" (0.33) is not flagged.
DUPLICATE_THRESHOLD = 0.5
MAX_DUPLICATES = 5
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ions", "ion", "ing", "ed", "es", "s", "e")  # migration, migrate -> migrat
_STOPWORDS = frozenset({"the", "and", "for", "with", "our", "from", "into", "that", "this", "new"})


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> set[str]:
    found = _WORD.findall(text.lower())
    return {_stem(w) for w in found if len(w) > 2 and w not in _STOPWORDS}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similarity(title: str, problem: str, other_title: str, other_problem: str | None) -> float:
    """How alike two asks are, 0–1: titles alone, or titles and problems together."""
    best = _jaccard(_words(title), _words(other_title))
    if other_problem is not None:
        both = _jaccard(_words(f"{title} {problem}"), _words(f"{other_title} {other_problem}"))
        best = max(best, both)
    return best


def find_duplicates(
    session: Session,
    *,
    team_id: str,
    title: str,
    problem: str,
    exclude_request: int | None = None,
    exclude_program: int | None = None,
) -> list[Duplicate]:
    """Live programs and open requests like this ask, most similar first."""
    found: list[Duplicate] = []
    programs_ = session.execute(
        select(Program.id, Program.key, Program.name).where(
            Program.team_id == team_id, Program.state.in_(LIVE_PROGRAM_STATES)
        )
    )
    for program_id, key, name in programs_:
        score = similarity(title, problem, name, None)
        if score >= DUPLICATE_THRESHOLD and program_id != exclude_program:
            found.append(Duplicate("program", f"*{name}* (`{key}`)", score))
    requests = session.execute(
        select(
            IntakeRequest.id, IntakeRequest.number, IntakeRequest.title, IntakeRequest.problem
        ).where(IntakeRequest.team_id == team_id, IntakeRequest.state.in_(OPEN_STATES))
    )
    for request_id, number, other_title, other_problem in requests:
        score = similarity(title, problem, other_title, other_problem)
        if score >= DUPLICATE_THRESHOLD and request_id != exclude_request:
            found.append(Duplicate("request", f"INT-{number} “{other_title}”", score))
    found.sort(key=lambda d: -d.similarity)
    return found[:MAX_DUPLICATES]
