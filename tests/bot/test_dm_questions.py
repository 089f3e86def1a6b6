"""Reading a DM as a question: rules over the words, the same answer however it is phrased."""

from __future__ import annotations

import pytest

from bot.dm.questions import Ask, Question, read
from bot.status.replies import parse


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("what's red", Ask.RED),
        ("What’s red?", Ask.RED),
        ("which programs are red", Ask.RED),
        ("red?", Ask.RED),
        ("anything off track?", Ask.RED),
        ("flagged", Ask.FLAGGED),
        ("overdue", Ask.OVERDUE),
        ("what's late?", Ask.OVERDUE),
        ("my risks", Ask.MY_RISKS),
        ("show me my open risks", Ask.MY_RISKS),
        ("risks", Ask.RISKS),
        ("top risks?", Ask.RISKS),
        ("my programs", Ask.MINE),
        ("all programs", Ask.PROGRAMS),
        ("how is everything", Ask.PROGRAMS),
        ("what's due this week", Ask.DUE),
        ("anything due this week?", Ask.DUE),
        ("help", Ask.HELP),
        ("?", Ask.HELP),
        ("hi", Ask.HELP),
        ("", Ask.HELP),
        ("what can you do?", Ask.HELP),
        ("how's it going", Ask.HELP),
        ("thanks!", Ask.THANKS),
        ("ok", Ask.THANKS),
    ],
)
def test_lists_and_help_are_read_however_they_are_phrased(text: str, ask: Ask) -> None:
    question = read(text)
    assert question is not None and question.ask is ask


@pytest.mark.parametrize(
    ("text", "ref", "sure"),
    [
        ("apollo?", "apollo", True),
        ("how is apollo", "apollo", True),
        ("How's Apollo doing?", "apollo", True),
        ("hey, can you show me apollo", "apollo", True),
        ("what's the status of apollo?", "apollo", True),
        ("apollo status", "apollo", True),
        ('"Apollo Migration"?', "apollo migration", True),
        ("apollo", "apollo", False),  # a bare word: a question only if it names a program
        ("apollo migration?", "apollo migration", False),
    ],
)
def test_a_program_is_asked_about_by_name_or_key(text: str, ref: str, sure: bool) -> None:
    question = read(text)
    assert question is not None and (question.ask, question.ref, question.sure) == (
        Ask.PROGRAM,
        ref,
        sure,
    )


@pytest.mark.parametrize(
    "text",
    [
        "the vendor is late again",
        "amber - vendor late; next: escalate",
        "did the review\nwriting tests\nnone",  # a stand-up answer
        "Finished apollo?\nnone\nnone",
        "one two three four five six seven eight nine ten eleven twelve thirteen?",
    ],
)
def test_statuses_answers_and_stories_are_no_questions(text: str) -> None:
    assert read(text) is None


def test_a_rag_word_with_only_a_question_mark_is_no_status() -> None:
    assert parse("red?") is None
    assert parse("red - ?") is None
    assert parse("red - why?") is not None


def test_the_question_mark_is_kept() -> None:
    assert read("red?") == Question(Ask.RED, asked=True)
    assert read("red") == Question(Ask.RED, asked=False)
