"""The Slack app manifest (`app.yaml`) is valid, fits the product and grants what the code uses.

The schema is Slack's published manifest schema, kept in `shared/slack-manifest-schema/` beside
the repository (or named by `PMO_MANIFEST_SCHEMA`). The scope check reads the source of `bot/`,
`handlers/` and `schedules/` for slack_sdk Web API calls, so a new call that needs a scope the
manifest does not grant fails here rather than with `missing_scope` in production.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import validators
from jsonschema.protocols import Validator
from slack_sdk import WebClient

REPO = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO / "app.yaml"
SCHEMA_ENV = "PMO_MANIFEST_SCHEMA"
SCHEMA_IN_SHARED = Path("shared", "slack-manifest-schema", "manifest.schema.1.0.0.json")
# A copy shipped with the tests (with Slack's licence beside it), for a clone on its own.
SCHEMA_SHIPPED = (
    Path(__file__).parent / "fixtures" / "slack-manifest-schema" / "manifest.schema.1.0.0.json"
)
SCANNED_PACKAGES = ("bot", "handlers", "schedules")
NOT_SCANNED = REPO / "bot" / "sandbox"  # the fake Slack server answers methods, never calls them

# Bot-token scopes each Web API method needs, keyed by slack_sdk's WebClient method name.
# For conversation methods these are the scopes for the kinds of conversation PMO Bot works in:
# public channels, private channels it was invited to, and DMs. Source: the method pages at
# https://api.slack.com/methods.
_CONVERSATION_READ = frozenset({"channels:read", "groups:read", "im:read"})
_CONVERSATION_HISTORY = frozenset({"channels:history", "groups:history", "im:history"})
METHOD_SCOPES: Mapping[str, frozenset[str]] = {
    "auth_test": frozenset(),
    "bots_info": frozenset({"users:read"}),
    "chat_delete": frozenset({"chat:write"}),
    "chat_getPermalink": frozenset(),
    "chat_postEphemeral": frozenset({"chat:write"}),
    "chat_postMessage": frozenset({"chat:write"}),
    "chat_scheduleMessage": frozenset({"chat:write"}),
    "chat_update": frozenset({"chat:write"}),
    "conversations_history": _CONVERSATION_HISTORY,
    "conversations_info": _CONVERSATION_READ,
    "conversations_join": frozenset({"channels:join"}),
    "conversations_list": _CONVERSATION_READ,
    "conversations_members": _CONVERSATION_READ,
    "conversations_open": frozenset({"im:write"}),
    "conversations_replies": _CONVERSATION_HISTORY,
    "files_completeUploadExternal": frozenset({"files:write"}),
    "files_getUploadURLExternal": frozenset({"files:write"}),
    "files_info": frozenset({"files:read"}),
    "files_upload_v2": frozenset({"files:write"}),
    "reactions_add": frozenset({"reactions:write"}),
    "reactions_remove": frozenset({"reactions:write"}),
    "team_info": frozenset({"team:read"}),
    "users_conversations": _CONVERSATION_READ,
    "users_getPresence": frozenset({"users:read"}),
    "users_info": frozenset({"users:read"}),
    "users_list": frozenset({"users:read"}),
    "users_lookupByEmail": frozenset({"users:read.email"}),
    "users_profile_get": frozenset({"users.profile:read"}),
    "views_open": frozenset(),
    "views_publish": frozenset(),
    "views_push": frozenset(),
    "views_update": frozenset(),
}
# Scopes a bot event subscription needs (https://api.slack.com/events).
EVENT_SCOPES: Mapping[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "app_mention": frozenset({"app_mentions:read"}),
    "member_joined_channel": frozenset({"channels:read", "groups:read"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.im": frozenset({"im:history"}),
    "user_change": frozenset({"users:read"}),
}
COMMAND_SCOPE = "commands"

# Every public method slack_sdk's WebClient defines is a Web API method (or a helper over one,
# such as files_upload_v2); anything else that looks like `x.some_name(` is not Slack's.
WEB_API_METHODS = frozenset(name for name in vars(WebClient) if not name.startswith("_"))
_METHOD_CALL = re.compile(r"\.([a-z]+(?:_[a-zA-Z0-9]+)+)\s*\(")
_DOTTED_METHOD_NAME = re.compile(r"""["']([a-z]+(?:\.[a-zA-Z]+)+)["']""")  # api_call("a.b")
_BOLT_SAY = re.compile(r"(?<![\w.])say\s*\(")  # Bolt's say() is chat.postMessage
_EVENT_LISTENER = re.compile(r"""\.event\(\s*["']([a-z_.]+)["']""")
_COMMAND_LISTENER = re.compile(r"""\.command\(\s*["'](/[\w-]+)["']""")


def web_api_calls(source: str) -> dict[str, int]:
    """Finds the Slack Web API methods a piece of Python source calls.

    Args:
        source: Python source text.

    Returns:
        Each method, named as slack_sdk's WebClient names it, with the first line calling it.
    """
    found: dict[str, int] = {}
    matches = [(m.start(), m.group(1)) for m in _METHOD_CALL.finditer(source)]
    matches += [
        (m.start(), m.group(1).replace(".", "_")) for m in _DOTTED_METHOD_NAME.finditer(source)
    ]
    matches += [(m.start(), "chat_postMessage") for m in _BOLT_SAY.finditer(source)]
    for offset, name in sorted(matches):
        if name in WEB_API_METHODS:
            found.setdefault(name, source.count("\n", 0, offset) + 1)
    return found


def source_files() -> list[Path]:
    """The Python files whose Slack calls the manifest must allow."""
    files = (path for package in SCANNED_PACKAGES for path in (REPO / package).rglob("*.py"))
    return sorted(path for path in files if NOT_SCANNED not in path.parents)


def calls_in_code() -> dict[str, list[str]]:
    """Each Web API method called in the scanned packages, with `file:line` of every caller."""
    calls: dict[str, list[str]] = {}
    for path in source_files():
        for method, line in web_api_calls(path.read_text(encoding="utf-8")).items():
            calls.setdefault(method, []).append(f"{path.relative_to(REPO)}:{line}")
    return calls


def find_schema() -> Path:
    """Locates Slack's manifest schema: $PMO_MANIFEST_SCHEMA, else `shared/` up from the repo,
    else the copy shipped in tests/fixtures/ (so a clone on its own passes too)."""
    if named := os.environ.get(SCHEMA_ENV):
        if not Path(named).is_file():
            pytest.fail(f"{SCHEMA_ENV}={named} is not a file")
        return Path(named)
    for folder in (REPO, *REPO.parents):
        if (folder / SCHEMA_IN_SHARED).is_file():
            return folder / SCHEMA_IN_SHARED
    if SCHEMA_SHIPPED.is_file():
        return SCHEMA_SHIPPED
    pytest.fail(
        f"Slack manifest schema not found: set {SCHEMA_ENV} or put {SCHEMA_IN_SHARED} in a folder"
        f" at or above {REPO} (CI copies shared/ beside the clone)"
    )


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "app.yaml must be a YAML mapping"
    return loaded


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded = json.loads(find_schema().read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Validator:
    """A validator of the JSON Schema draft the schema declares in `$schema`, checking formats."""
    validator_class = validators.validator_for(schema, default=None)
    assert validator_class is not None, (
        f"the schema declares no known draft: {schema.get('$schema')}"
    )
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def bot_scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def bot_events(manifest: dict[str, Any]) -> list[str]:
    events: list[str] = manifest["settings"]["event_subscriptions"]["bot_events"]
    return events


def pmo_command(manifest: dict[str, Any]) -> dict[str, Any]:
    commands: dict[str, dict[str, Any]] = {
        c["command"]: c for c in manifest["features"]["slash_commands"]
    }
    assert "/pmo" in commands, "the manifest must declare /pmo"
    return commands["/pmo"]


# --- the schema -------------------------------------------------------------------------------


def test_manifest_is_valid_against_slacks_schema(
    manifest: dict[str, Any], validator: Validator
) -> None:
    errors = [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]
    assert not errors, "app.yaml does not match Slack's manifest schema:\n" + "\n".join(errors)


def test_manifest_declares_major_version_1_which_the_schema_describes(
    manifest: dict[str, Any],
) -> None:
    assert manifest.get("_metadata", {}).get("major_version", 1) == 1


def test_background_color_is_a_hex_colour(manifest: dict[str, Any]) -> None:
    # The schema writes this rule as "regex", a keyword JSON Schema ignores, so check it here.
    colour = manifest["display_information"]["background_color"]
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", colour), colour


def _description_over_the_limit(broken: dict[str, Any], schema: dict[str, Any]) -> None:
    command = schema["definitions"]["app-manifests.v1.features.slash_commands"]["items"]
    limit = command["properties"]["description"]["maxLength"]
    broken["features"]["slash_commands"][0]["description"] = "x" * (limit + 1)


def _unknown_field(broken: dict[str, Any], schema: dict[str, Any]) -> None:
    broken["features"]["bot_user"]["nickname"] = "pmo"


def _command_without_slash(broken: dict[str, Any], schema: dict[str, Any]) -> None:
    broken["features"]["slash_commands"][0]["command"] = "pmo"


def _escape_as_string(broken: dict[str, Any], schema: dict[str, Any]) -> None:
    broken["features"]["slash_commands"][0]["should_escape"] = "true"


@pytest.mark.parametrize(
    "breakage",
    [_description_over_the_limit, _unknown_field, _command_without_slash, _escape_as_string],
)
def test_schema_validation_rejects_a_broken_manifest(
    manifest: dict[str, Any], schema: dict[str, Any], validator: Validator, breakage: Any
) -> None:
    broken = copy.deepcopy(manifest)
    breakage(broken, schema)
    assert list(validator.iter_errors(broken)), f"{breakage.__name__} was not rejected"


def test_http_variant_described_in_the_header_is_valid(
    manifest: dict[str, Any], validator: Validator
) -> None:
    url = "https://pmo.example.com/slack/events"
    http = copy.deepcopy(manifest)
    http["settings"]["socket_mode_enabled"] = False
    http["settings"]["event_subscriptions"]["request_url"] = url
    http["settings"]["interactivity"]["request_url"] = url
    pmo_command(http)["url"] = url
    validator.validate(http)
    assert "https://<host>/slack/events" in MANIFEST_PATH.read_text(encoding="utf-8")


# --- the product ------------------------------------------------------------------------------


def test_pmo_command_escapes_users_and_channels(manifest: dict[str, Any]) -> None:
    command = pmo_command(manifest)
    assert command["should_escape"] is True
    assert command["usage_hint"].startswith("help")


def test_bot_subscribes_to_the_events_the_product_uses(manifest: dict[str, Any]) -> None:
    assert {"app_home_opened", "message.im", "user_change"} <= set(bot_events(manifest))


def test_app_home_and_messages_tab_are_open_for_replies(manifest: dict[str, Any]) -> None:
    app_home = manifest["features"]["app_home"]
    assert app_home["home_tab_enabled"] is True
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False


def test_interactivity_and_socket_mode_are_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_bot_posts_only_where_invited(manifest: dict[str, Any]) -> None:
    assert "chat:write.public" not in bot_scopes(manifest)


# --- scopes against the code ------------------------------------------------------------------

_SAMPLE = """
def notify(client, say, user_id):
    client.chat_postMessage(channel=user_id, text="hi")  # line 3
    self._slack.client.views_publish (user_id=user_id, view=view)
    info = app.client.users_info(
        user=user_id)
    client.api_call("conversations.members", params={"channel": "C1"})
    client.api_call(api_method='reactions.add')
    say("done")
    session.get_bind()          # not Slack
    client.chat_postMessage     # not a call
    message = "see users.list"  # prose, not a method name
    respond(text="ok")          # response_url, no scope
    client.files_upload_v2(channel="C1", content="a,b")
"""


def test_scanner_finds_every_form_of_web_api_call() -> None:
    assert web_api_calls(_SAMPLE) == {
        "chat_postMessage": 3,
        "views_publish": 4,
        "users_info": 5,
        "conversations_members": 7,
        "reactions_add": 8,
        "files_upload_v2": 14,
    }


def test_scanner_reads_the_packages_but_not_the_fake_slack() -> None:
    scanned = source_files()
    assert REPO / "bot" / "__init__.py" in scanned
    assert not [path for path in scanned if NOT_SCANNED in path.parents]


def test_method_scopes_names_only_real_web_api_methods() -> None:
    assert set(METHOD_SCOPES) <= WEB_API_METHODS


def test_every_web_api_method_the_code_calls_has_known_scopes() -> None:
    unknown = {m: where for m, where in calls_in_code().items() if m not in METHOD_SCOPES}
    assert not unknown, "\n".join(
        f"{m} (called at {', '.join(where)}): add it to METHOD_SCOPES with its scope"
        for m, where in sorted(unknown.items())
    )


def test_manifest_grants_every_scope_the_code_needs(manifest: dict[str, Any]) -> None:
    granted = bot_scopes(manifest)
    missing = {
        method: sorted(METHOD_SCOPES[method] - granted)
        for method in calls_in_code()
        if METHOD_SCOPES.get(method, frozenset()) - granted
    }
    assert not missing, f"app.yaml oauth_config.scopes.bot lacks scopes: {missing}"


def test_manifest_grants_the_scopes_of_its_command_and_events(manifest: dict[str, Any]) -> None:
    granted = bot_scopes(manifest)
    assert COMMAND_SCOPE in granted, "slash commands need the `commands` scope"
    unknown = [event for event in bot_events(manifest) if event not in EVENT_SCOPES]
    assert not unknown, f"add {unknown} to EVENT_SCOPES with the scope each needs"
    missing = {e: sorted(EVENT_SCOPES[e] - granted) for e in bot_events(manifest)}
    missing = {event: scopes for event, scopes in missing.items() if scopes}
    assert not missing, f"app.yaml oauth_config.scopes.bot lacks scopes for events: {missing}"


def test_listeners_in_the_code_are_declared_in_the_manifest(manifest: dict[str, Any]) -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in source_files())
    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    # A `message` listener hears only the message.* subscriptions the manifest declares.
    events = set(bot_events(manifest)) | {e.split(".")[0] for e in bot_events(manifest)}
    undeclared = set(_COMMAND_LISTENER.findall(source)) - commands
    undeclared |= set(_EVENT_LISTENER.findall(source)) - events
    assert not undeclared, f"the code listens for {sorted(undeclared)}: declare them in app.yaml"
