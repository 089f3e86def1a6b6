"""The fake Slack, exercised through the real slack_sdk clients over HTTP."""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.sandbox.fake_slack import FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}
MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "New program"},
    "blocks": [SECTION],
}
HOME = {"type": "home", "blocks": [SECTION]}


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        slack.add_user("UALICE", "alice", real_name="Alice A", tz="Asia/Tokyo", is_admin=True)
        slack.add_user("UBOB", "bob")
        slack.add_user("UGONE", "gone", deleted=True)
        slack.add_channel("CGEN", "general", members=["UALICE"])
        slack.add_channel("CNOBOT", "no-bot", members=["UALICE"], bot_is_member=False)
        slack.add_channel("CPRIV", "secret", is_private=True, bot_is_member=False)
        slack.add_channel("CTEAM", "team", is_private=True, members=["UBOB"])
        yield slack


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.base_url, token="xoxb-test")


def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


# --- identity, users, conversations ----------------------------------------------------------


def test_auth_test_identifies_the_bot_and_workspace(client: WebClient) -> None:
    answer = client.auth_test()

    assert answer["team_id"] == "T0001"
    assert answer["user_id"] == "UBOT"
    assert answer["bot_id"] == "BBOT"
    assert answer["url"] == "https://acme.slack.com/"


def test_users_info_answers_a_slack_shaped_user(client: WebClient) -> None:
    user = client.users_info(user="UALICE")["user"]

    assert user["id"] == "UALICE"
    assert user["team_id"] == "T0001"
    assert user["real_name"] == "Alice A"
    assert user["profile"] == {"display_name": "alice", "real_name": "Alice A", "team": "T0001"}
    assert user["is_admin"] is True
    assert user["tz"] == "Asia/Tokyo"
    assert user["tz_offset"] == 9 * 3600
    assert user["tz_label"] == "JST"
    assert {"deleted", "is_owner", "is_restricted", "is_ultra_restricted", "is_bot"} <= set(user)


def test_users_info_for_unknown_user_fails_user_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.users_info(user="UNOPE")) == "user_not_found"


def test_users_list_pages_with_a_cursor(fake: FakeSlack, client: WebClient) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while cursor != "":
        page = client.users_list(limit=2, cursor=cursor)
        seen += [member["id"] for member in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        pages += 1

    assert sorted(seen) == ["UALICE", "UBOB", "UBOT", "UGONE"]
    assert pages == 2


def test_bad_cursor_fails_invalid_cursor(client: WebClient) -> None:
    assert error_of(lambda: client.users_list(cursor="nonsense")) == "invalid_cursor"


def test_conversations_list_filters_types_and_hides_private_channels_without_the_bot(
    client: WebClient,
) -> None:
    public = client.conversations_list()["channels"]
    both = client.conversations_list(types="public_channel,private_channel")["channels"]

    assert [c["id"] for c in public] == ["CGEN", "CNOBOT"]
    assert [c["id"] for c in both] == ["CGEN", "CNOBOT", "CTEAM"]
    assert both[2]["is_private"] is True
    assert both[1]["is_member"] is False


def test_conversations_list_pages_with_a_cursor(client: WebClient) -> None:
    first = client.conversations_list(limit=1)
    second = client.conversations_list(limit=1, cursor=first["response_metadata"]["next_cursor"])

    assert [c["id"] for c in first["channels"] + second["channels"]] == ["CGEN", "CNOBOT"]
    assert second["response_metadata"]["next_cursor"] == ""


def test_conversations_info_hides_private_channels_without_the_bot(client: WebClient) -> None:
    assert client.conversations_info(channel="CGEN")["channel"]["name"] == "general"
    assert error_of(lambda: client.conversations_info(channel="CPRIV")) == "channel_not_found"


def test_conversations_members_include_the_bot_when_it_is_a_member(client: WebClient) -> None:
    assert client.conversations_members(channel="CGEN")["members"] == ["UALICE", "UBOT"]
    assert client.conversations_members(channel="CNOBOT")["members"] == ["UALICE"]


def test_conversations_open_gives_a_stable_dm_channel_per_user(client: WebClient) -> None:
    first = client.conversations_open(users="UALICE")["channel"]["id"]
    again = client.conversations_open(users=["UALICE"])["channel"]["id"]
    other = client.conversations_open(users="UBOB")["channel"]["id"]

    assert first == again
    assert first.startswith("D")
    assert other != first
    assert client.conversations_info(channel=first)["channel"]["is_im"] is True


def test_conversations_join_works_for_public_channels_only(
    fake: FakeSlack, client: WebClient
) -> None:
    client.conversations_join(channel="CNOBOT")

    assert client.chat_postMessage(channel="CNOBOT", text="here now")["ok"]
    assert error_of(lambda: client.conversations_join(channel="CTEAM")) == (
        "method_not_supported_for_channel_type"
    )


# --- messages --------------------------------------------------------------------------------


def test_posted_message_is_stored_and_answered_like_slack(
    fake: FakeSlack, client: WebClient
) -> None:
    answer = client.chat_postMessage(channel="CGEN", text="hello", blocks=[SECTION])

    assert answer["channel"] == "CGEN"
    assert answer["message"]["text"] == "hello"
    [stored] = fake.messages("CGEN")
    assert stored["ts"] == answer["ts"]
    assert stored["blocks"] == [SECTION]
    assert stored["bot_id"] == "BBOT"


def test_ts_values_are_slack_shaped_and_increase(client: WebClient) -> None:
    first = client.chat_postMessage(channel="CGEN", text="1")["ts"]
    second = client.chat_postMessage(channel="CGEN", text="2")["ts"]

    seconds, micros = first.split(".")
    assert len(seconds) == 10
    assert len(micros) == 6
    assert float(second) > float(first)


def test_channel_can_be_given_by_name(fake: FakeSlack, client: WebClient) -> None:
    assert client.chat_postMessage(channel="#general", text="hi")["channel"] == "CGEN"


def test_posting_to_a_user_id_lands_in_their_dm(fake: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postMessage(channel="UALICE", text="psst")

    assert answer["channel"] == fake.dm_channel_id("UALICE")
    assert [m["text"] for m in fake.dms("UALICE")] == ["psst"]
    assert fake.messages(answer["channel"]) == fake.dms("UALICE")


def test_posting_where_the_bot_is_not_a_member_fails_not_in_channel(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="CNOBOT", text="x")) == "not_in_channel"


def test_posting_to_unknown_channel_fails_channel_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="CNOPE", text="x")) == (
        "channel_not_found"
    )
    assert error_of(lambda: client.chat_postMessage(channel="UNOPE", text="x")) == (
        "channel_not_found"
    )


def test_posting_to_a_deactivated_user_fails_user_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="UGONE", text="x")) == "user_not_found"


def test_posting_to_a_bot_user_fails_cannot_dm_bot(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="UBOT", text="x")) == "cannot_dm_bot"


def test_message_without_text_or_blocks_fails_no_text(client: WebClient) -> None:
    call = lambda: client.api_call("chat.postMessage", json={"channel": "CGEN"})  # noqa: E731

    assert error_of(call) == "no_text"


def test_too_long_text_fails_msg_too_long(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="CGEN", text="x" * 40_001)) == (
        "msg_too_long"
    )


def test_too_many_blocks_fail_invalid_blocks_with_slack_style_messages(
    fake: FakeSlack, client: WebClient
) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="CGEN", text="x", blocks=[SECTION] * 51)

    assert raised.value.response["error"] == "invalid_blocks"
    assert raised.value.response["response_metadata"]["messages"] == [
        "[ERROR] must have at most 50 items, got 51 [json-pointer:/blocks]"
    ]
    assert fake.messages("CGEN") == []


def test_thread_replies_keep_thread_ts(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="CGEN", text="parent")["ts"]
    client.chat_postMessage(channel="CGEN", text="reply", thread_ts=parent)

    assert fake.messages("CGEN")[1]["thread_ts"] == parent


def test_form_encoded_json_params_are_recorded_decoded_and_token_is_not(
    fake: FakeSlack, client: WebClient
) -> None:
    client.api_call("chat.postMessage", params={"channel": "CGEN", "blocks": json.dumps([SECTION])})

    [params] = fake.calls_to("chat.postMessage")
    assert params == {"channel": "CGEN", "blocks": [SECTION]}
    assert fake.messages("CGEN")[0]["blocks"] == [SECTION]


def test_missing_token_answers_not_authed(fake: FakeSlack) -> None:
    anonymous = WebClient(base_url=fake.base_url)

    assert error_of(lambda: anonymous.chat_postMessage(channel="CGEN", text="x")) == "not_authed"
    assert fake.calls == []


def test_post_ephemeral_is_shown_to_a_member_only(fake: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="CGEN", user="UALICE", text="only you")

    [shown] = fake.ephemerals("UALICE")
    assert shown["text"] == "only you"
    assert shown["ts"] == answer["message_ts"]
    assert error_of(lambda: client.chat_postEphemeral(channel="CGEN", user="UBOB", text="x")) == (
        "user_not_in_channel"
    )
    assert error_of(
        lambda: client.chat_postEphemeral(channel="CNOBOT", user="UALICE", text="x")
    ) == ("not_in_channel")


def test_update_changes_a_stored_message(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="CGEN", text="draft", blocks=[SECTION])["ts"]

    client.chat_update(channel="CGEN", ts=ts, text="final")

    [message] = fake.messages("CGEN")
    assert message["text"] == "final"
    assert message["blocks"] == [SECTION]  # like Slack, omitted blocks are kept
    assert "edited" in message


def test_update_of_unknown_message_fails_message_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.chat_update(channel="CGEN", ts="1.000000", text="x")) == (
        "message_not_found"
    )


def test_update_with_invalid_blocks_fails_invalid_blocks(client: WebClient) -> None:
    ts = client.chat_postMessage(channel="CGEN", text="draft")["ts"]
    bad = [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]

    assert error_of(lambda: client.chat_update(channel="CGEN", ts=ts, text="x", blocks=bad)) == (
        "invalid_blocks"
    )


def test_delete_removes_a_message(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="CGEN", text="oops")["ts"]

    client.chat_delete(channel="CGEN", ts=ts)

    assert fake.messages("CGEN") == []
    assert error_of(lambda: client.chat_delete(channel="CGEN", ts=ts)) == "message_not_found"


def test_reactions_add_marks_the_message_once(fake: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="CGEN", text="done")["ts"]

    client.reactions_add(channel="CGEN", timestamp=ts, name="white_check_mark")

    assert fake.messages("CGEN")[0]["reactions"][0]["name"] == "white_check_mark"
    assert error_of(
        lambda: client.reactions_add(channel="CGEN", timestamp=ts, name="white_check_mark")
    ) == ("already_reacted")


def test_concurrent_posts_are_all_recorded_with_distinct_ts(
    fake: FakeSlack, client: WebClient
) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: client.chat_postMessage(channel="CGEN", text=str(n)), range(40)))

    messages = fake.messages("CGEN")
    assert len(messages) == 40
    assert len({m["ts"] for m in messages}) == 40
    assert len(fake.calls_to("chat.postMessage")) == 40


# --- views -----------------------------------------------------------------------------------


def test_views_open_with_an_issued_trigger_stores_the_view(
    fake: FakeSlack, client: WebClient
) -> None:
    trigger = fake.issue_trigger("UALICE")

    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]

    assert view["id"].startswith("V")
    assert view["hash"]
    assert view["state"] == {"values": {}}
    assert fake.last_view("UALICE") == view
    assert fake.views("UBOB") == []


def test_views_open_with_an_unknown_trigger_fails_invalid_trigger_id(client: WebClient) -> None:
    assert error_of(lambda: client.views_open(trigger_id="123.456.abc", view=MODAL)) == (
        "invalid_trigger_id"
    )


def test_a_trigger_works_only_once(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.issue_trigger("UALICE")
    client.views_open(trigger_id=trigger, view=MODAL)

    assert error_of(lambda: client.views_open(trigger_id=trigger, view=MODAL)) == (
        "exchanged_trigger_id"
    )


def test_views_open_rejects_an_invalid_view_with_invalid_arguments(
    fake: FakeSlack, client: WebClient
) -> None:
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}

    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=fake.issue_trigger("UALICE"), view=long_title)

    assert raised.value.response["error"] == "invalid_arguments"
    assert "/title/text" in raised.value.response["response_metadata"]["messages"][0]


def test_views_open_refuses_a_home_view(fake: FakeSlack, client: WebClient) -> None:
    trigger = fake.issue_trigger("UALICE")

    assert error_of(lambda: client.views_open(trigger_id=trigger, view=HOME)) == (
        "invalid_arguments"
    )


def test_views_push_stacks_on_the_open_view(fake: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=fake.issue_trigger("UALICE"), view=MODAL)["view"]

    pushed = client.views_push(trigger_id=fake.issue_trigger("UALICE"), view=MODAL)["view"]

    assert pushed["previous_view_id"] == root["id"]
    assert pushed["root_view_id"] == root["id"]
    assert [v["id"] for v in fake.views("UALICE")] == [root["id"], pushed["id"]]


def test_views_update_by_id_or_external_id_replaces_the_current_version(
    fake: FakeSlack, client: WebClient
) -> None:
    opened = client.views_open(
        trigger_id=fake.issue_trigger("UALICE"), view={**MODAL, "external_id": "ext-1"}
    )["view"]
    renamed = {**MODAL, "title": {"type": "plain_text", "text": "Renamed"}}

    client.views_update(view_id=opened["id"], view=renamed, hash=opened["hash"])
    client.views_update(external_id="ext-1", view={**renamed, "private_metadata": "42"})

    [current] = fake.views("UALICE")
    assert current["id"] == opened["id"]
    assert current["title"]["text"] == "Renamed"
    assert current["private_metadata"] == "42"


def test_views_update_with_a_stale_hash_fails_hash_conflict(
    fake: FakeSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id=fake.issue_trigger("UALICE"), view=MODAL)["view"]
    client.views_update(view_id=opened["id"], view=MODAL)

    assert error_of(
        lambda: client.views_update(view_id=opened["id"], view=MODAL, hash=opened["hash"])
    ) == ("hash_conflict")


def test_views_update_of_unknown_view_fails_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.views_update(view_id="VNOPE", view=MODAL)) == "not_found"


def test_views_publish_sets_the_users_home_tab(fake: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id="UALICE", view=HOME)["view"]
    second = client.views_publish(user_id="UALICE", view=HOME)["view"]

    assert second["id"] == first["id"]
    assert fake.home("UALICE")["hash"] == second["hash"]
    with pytest.raises(LookupError):
        fake.home("UBOB")
    assert error_of(lambda: client.views_publish(user_id="UALICE", view=MODAL)) == (
        "invalid_arguments"
    )


# --- files -----------------------------------------------------------------------------------


def test_file_upload_v2_round_trip_keeps_the_bytes(fake: FakeSlack, client: WebClient) -> None:
    content = b"program,status\napollo,green\n"

    answer = client.files_upload_v2(
        content=content,
        filename="report.csv",
        title="Weekly",
        channel="CGEN",
        initial_comment="This week",
    )

    [uploaded] = fake.uploaded_files()
    assert answer["file"]["id"] == uploaded["id"]
    assert uploaded["content"] == content
    assert uploaded["filename"] == "report.csv"
    assert uploaded["title"] == "Weekly"
    assert uploaded["channel_id"] == "CGEN"
    assert uploaded["initial_comment"] == "This week"
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


def test_completing_an_upload_that_was_never_sent_fails_file_not_found(
    client: WebClient,
) -> None:
    file_id = client.files_getUploadURLExternal(filename="a.txt", length=3)["file_id"]

    assert error_of(
        lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="CGEN")
    ) == ("file_not_found")


def test_file_upload_to_a_channel_without_the_bot_fails_not_in_channel(client: WebClient) -> None:
    upload = lambda: client.files_upload_v2(content=b"x", filename="x.txt", channel="CNOBOT")  # noqa: E731

    assert error_of(upload) == "not_in_channel"


# --- failures --------------------------------------------------------------------------------


def test_unknown_method_fails_unknown_method(client: WebClient) -> None:
    assert error_of(lambda: client.api_call("pins.add")) == "unknown_method"


def test_fail_next_injects_an_error_the_given_number_of_times(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.fail_next("chat.postMessage", "fatal_error", times=2)

    assert error_of(lambda: client.chat_postMessage(channel="CGEN", text="1")) == "fatal_error"
    assert error_of(lambda: client.chat_postMessage(channel="CGEN", text="2")) == "fatal_error"
    assert client.chat_postMessage(channel="CGEN", text="3")["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 3
    assert [m["text"] for m in fake.messages("CGEN")] == ["3"]


def test_rate_limited_call_answers_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit_every(2, retry_after=7)
    client.auth_test()

    with pytest.raises(SlackApiError) as raised:
        client.auth_test()

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["retry-after"] == "7"


def test_retry_handler_waits_retry_after_then_succeeds(
    fake: FakeSlack, client: WebClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []  # slack_sdk's handler sleeps; record the wait instead
    monkeypatch.setattr(builtin_handlers, "time", types.SimpleNamespace(sleep=waits.append))
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.rate_limit_every(2, retry_after=1)
    client.auth_test()  # the 1st call passes, the 2nd is refused, its retry passes

    assert client.chat_postMessage(channel="CGEN", text="eventually")["ok"]
    assert len(waits) == 1
    assert waits[0] >= 1
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert len(fake.messages("CGEN")) == 1


def test_wait_for_call_returns_once_a_call_arrives_even_one_held_back(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.delay("users.info", 0.5)
    with ThreadPoolExecutor(max_workers=1) as pool:
        answer = pool.submit(client.users_info, user="UBOB")
        fake.wait_for_call("users.info")
        assert answer.result(timeout=10)["user"]["id"] == "UBOB"
    with pytest.raises(TimeoutError):
        fake.wait_for_call("users.list", timeout=0)


def test_rate_limit_every_zero_turns_it_off(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit_every(1)
    fake.rate_limit_every(0)

    assert all(client.auth_test()["ok"] for _ in range(3))


# --- response_url ----------------------------------------------------------------------------


def test_response_url_post_is_recorded_and_shown_ephemerally(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id="CGEN", user_id="UALICE")

    answer = WebhookClient(url).send(text="Got it")

    assert answer.status_code == 200
    assert fake.responses == [{"url": url, "body": {"text": "Got it"}, "errors": []}]
    assert fake.ephemerals("UALICE")[0]["text"] == "Got it"


def test_response_url_in_channel_response_is_posted_to_the_channel(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id="CNOBOT", user_id="UALICE")

    WebhookClient(url).send(text="Everyone sees this", response_type="in_channel")

    assert fake.messages("CNOBOT")[0]["text"] == "Everyone sees this"


def test_response_url_replace_and_delete_original_act_on_the_message(
    fake: FakeSlack, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="CGEN", text="Approve?")["ts"]
    url = fake.new_response_url(channel_id="CGEN", user_id="UALICE", message_ts=ts)

    WebhookClient(url).send(text="Approved", replace_original=True)
    assert [m["text"] for m in fake.messages("CGEN")] == ["Approved"]

    WebhookClient(url).send(text="", delete_original=True)
    assert fake.messages("CGEN") == []


def test_invalid_response_url_post_is_refused_and_recorded_with_errors(fake: FakeSlack) -> None:
    url = fake.new_response_url(channel_id="CGEN", user_id="UALICE")

    answer = WebhookClient(url).send(text="x", blocks=[SECTION] * 51)

    assert answer.status_code == 400
    [response] = fake.responses
    assert response["errors"][0] == "invalid_blocks"
    assert "/blocks" in response["errors"][1]
    assert fake.ephemerals("UALICE") == []


def test_unknown_response_url_answers_404(fake: FakeSlack) -> None:
    assert (
        WebhookClient(fake.base_url.replace("/api/", "/response/999")).send(text="x").status_code
        == 404
    )


# --- bookkeeping -----------------------------------------------------------------------------


def test_clear_forgets_calls_and_responses_but_keeps_messages(
    fake: FakeSlack, client: WebClient
) -> None:
    client.chat_postMessage(channel="CGEN", text="kept")
    WebhookClient(fake.new_response_url(channel_id="CGEN")).send(text="x")

    fake.clear()

    assert fake.calls == []
    assert fake.responses == []
    assert len(fake.messages("CGEN")) == 1


def test_base_url_before_start_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = FakeSlack().base_url


def test_each_fake_gets_its_own_free_port() -> None:
    with FakeSlack() as one, FakeSlack() as two:
        assert one.base_url != two.base_url
        assert one.base_url.startswith("http://127.0.0.1:")
