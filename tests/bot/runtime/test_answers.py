"""The answer process: deferred reads computed in a process of their own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import programs, workspace
from bot.runtime.answers import AnswerProcess
from bot.runtime.settings import Settings
from bot.sandbox.fake_slack import FakeSlack
from storage import migrate
from storage.db import make_engine
from tests.conftest import START, TEAM
from tests.flow import text_of


@pytest.fixture
def answers(fake: FakeSlack, tmp_path: Path) -> Iterator[tuple[AnswerProcess, str]]:
    url = f"sqlite:///{tmp_path / 'pmo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    _seed(sessionmaker(engine))
    engine.dispose()
    settings = Settings(slack_api_url=fake.base_url, database_url=url, _env_file=None)  # type: ignore[call-arg]
    process = AnswerProcess(settings, token="xoxb-test", secret="test-secret")
    yield process, url
    process.stop()


def _seed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        workspace.get_workspace(session, team_id=TEAM, default_timezone="UTC", now=START)
        programs.add_program(
            session,
            team_id=TEAM,
            actor_id="UADMIN",
            new=programs.NewProgram(name="Apollo", owner_id="ULEAD"),
            timezone="UTC",
            today=START.date(),
            now=START,
        )


def _command(fake: FakeSlack, text: str) -> dict[str, str]:
    return {
        "team_id": TEAM,
        "user_id": "UADMIN",
        "channel_id": "CPMO",
        "text": text,
        "response_url": fake.new_response_url(channel_id="CPMO", user_id="UADMIN"),
    }


def test_a_deferred_read_is_answered_from_the_answer_process(
    fake: FakeSlack, answers: tuple[AnswerProcess, str]
) -> None:
    process, _ = answers
    body = _command(fake, "program list all")
    assert process.answer(body)
    posted = fake.wait_for_response(body["response_url"], timeout=30)
    assert "Apollo" in text_of(posted["body"])


def test_a_command_run_again_from_a_button_replaces_the_buttons_message(
    fake: FakeSlack, answers: tuple[AnswerProcess, str]
) -> None:
    process, _ = answers
    body = {**_command(fake, "program list all"), "replace_original": True}
    assert process.answer(body)
    posted = fake.wait_for_response(body["response_url"], timeout=30)
    assert posted["body"]["replace_original"] is True
    assert "Apollo" in text_of(posted["body"])


def test_a_stopped_answer_process_says_so_so_the_caller_answers_in_process(
    fake: FakeSlack, answers: tuple[AnswerProcess, str]
) -> None:
    process, _ = answers
    process.stop()
    assert not process.answer(_command(fake, "program list"))


def test_stopping_finishes_the_answers_the_process_holds(
    fake: FakeSlack, answers: tuple[AnswerProcess, str]
) -> None:
    process, _ = answers
    first = _command(fake, "program list all")
    assert process.answer(first)
    fake.wait_for_response(first["response_url"], timeout=30)  # the process is up
    fake.delay("users.info", 1.0)  # the next answer is still looking Slack up at the stop
    held = _command(fake, "program show apollo")
    held["user_id"] = "UOTHER"  # never seen: looked up first
    assert process.answer(held)
    process.stop()
    posted = fake.wait_for_response(held["response_url"], timeout=1)
    assert "Apollo" in text_of(posted["body"])
