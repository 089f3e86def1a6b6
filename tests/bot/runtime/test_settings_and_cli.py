"""Settings come from the environment; `pmo-bot` fails clearly and never prints secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.runtime.settings import MissingSetting, Settings


def _cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _clean_env(tmp_path: Path, **values: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PMO_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env.update(values)
    return env


def test_secrets_never_show_in_repr() -> None:
    settings = Settings(
        slack_bot_token="xoxb-very-secret", slack_signing_secret="shh-secret", _env_file=None
    )  # type: ignore[call-arg]
    shown = repr(settings) + str(settings) + str(settings.model_dump())
    assert "xoxb-very-secret" not in shown
    assert "shh-secret" not in shown


def test_missing_signing_secret_names_the_variable() -> None:
    settings = Settings(slack_bot_token="xoxb-1", _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(MissingSetting) as caught:
        settings.require_slack_credentials()
    assert caught.value.name == "SLACK_SIGNING_SECRET"


def test_unknown_workspace_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        Settings(pmo_timezone="Mars/Olympus", _env_file=None)  # type: ignore[call-arg]


def test_run_without_bot_token_exits_2_with_one_line(tmp_path: Path) -> None:
    result = _cli(["run"], _clean_env(tmp_path), tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_signing_secret_exits_2_and_hides_the_token(tmp_path: Path) -> None:
    result = _cli(["run"], _clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-hidden-123"), tmp_path)
    assert result.returncode == 2
    assert "SLACK_SIGNING_SECRET" in result.stderr
    assert "xoxb-hidden-123" not in result.stderr + result.stdout


def test_bad_time_zone_in_env_exits_2_naming_it(tmp_path: Path) -> None:
    result = _cli(["run"], _clean_env(tmp_path, PMO_TIMEZONE="Nowhere/City"), tmp_path)
    assert result.returncode == 2
    assert "PMO_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("PMO_TIMEZONE=Asia/Tokyo\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PMO_TIMEZONE", raising=False)
    assert Settings().pmo_timezone == "Asia/Tokyo"


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = _cli(["--version"], _clean_env(tmp_path), tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("pmo-bot 0.")


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = _cli(["db", "upgrade"], _clean_env(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.db").exists()


def test_workspace_time_zone_is_read_like_a_command_option() -> None:
    settings = Settings(pmo_timezone=" europe/berlin ", _env_file=None)  # type: ignore[call-arg]
    assert settings.pmo_timezone == "Europe/Berlin"
