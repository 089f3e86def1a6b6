"""Slash-command text parsing: tokens, options, mentions, RAG, levels, keys, times."""

from __future__ import annotations

from datetime import time

import pytest

from bot.commands import (
    ChannelRef,
    Token,
    UserRef,
    parse_channel,
    parse_hhmm,
    parse_int_in_range,
    parse_level,
    parse_rag,
    parse_rag_prefix,
    parse_timezone,
    parse_user,
    parse_weekday,
    slugify_key,
    split_options,
    suggest,
    tokenize,
)
from bot.errors import UserError


def texts(text: str) -> list[str]:
    return [token.text for token in tokenize(text)]


# tokenize


def test_tokenize_splits_on_any_whitespace() -> None:
    assert texts("  program   add\tApollo \n") == ["program", "add", "Apollo"]


def test_tokenize_of_empty_text_is_empty() -> None:
    assert tokenize("   ") == []


def test_double_quoted_name_is_one_quoted_token() -> None:
    assert tokenize('show "Apollo Migration" now') == [
        Token("show", False, "show"),
        Token("Apollo Migration", True, '"Apollo Migration"'),
        Token("now", False, "now"),
    ]


def test_slack_smart_quotes_group_words() -> None:
    assert texts("show “Apollo Migration”") == ["show", "Apollo Migration"]


def test_single_and_smart_single_quotes_group_words() -> None:
    assert texts("a 'two words' ‘three more words’") == ["a", "two words", "three more words"]


def test_mixed_straight_and_smart_double_quotes_close_each_other() -> None:
    assert texts('“Apollo Migration" x') == ["Apollo Migration", "x"]


def test_apostrophe_inside_a_word_is_literal() -> None:
    assert texts("amber vendor's late, don't panic") == [
        "amber",
        "vendor's",
        "late,",
        "don't",
        "panic",
    ]


def test_apostrophe_inside_a_quoted_phrase_does_not_close_it() -> None:
    assert texts("'vendor's delay' next") == ["vendor's delay", "next"]


def test_quoted_option_value_is_one_token_with_the_key() -> None:
    token = tokenize('due:"next friday"')[0]
    assert token == Token("due:next friday", True, 'due:"next friday"')


def test_smart_quoted_option_value_is_one_token() -> None:
    assert texts("cadence:“weekly mon 09:00” x") == ["cadence:weekly mon 09:00", "x"]


def test_empty_quotes_make_an_empty_quoted_token() -> None:
    assert tokenize('""') == [Token("", True, '""')]


def test_slack_html_escapes_are_undone_in_text_and_raw() -> None:
    # Stored text is what the user typed; renderers escape it once (blocks.common.escape).
    token = tokenize('"R&amp;D" &lt;b&gt;')[0]
    assert (token.text, token.raw) == ("R&D", '"R&D"')
    assert tokenize("&lt;b&gt;")[0].raw == "<b>"


def test_unbalanced_quote_is_refused_echoing_the_text() -> None:
    with pytest.raises(UserError, match="never closed") as caught:
        tokenize('program add "Apollo owner:@x')
    assert caught.value.echo == 'program add "Apollo owner:@x'


# split_options


def test_allowed_options_are_split_from_positional_words() -> None:
    words, options = split_options(
        tokenize('"Apollo" owner:<@U1|ann> due:"next friday" extra'), ["owner", "due"]
    )
    assert [w.text for w in words] == ["Apollo", "extra"]
    assert options == {"owner": "<@U1|ann>", "due": "next friday"}


def test_option_keys_are_case_insensitive() -> None:
    _, options = split_options(tokenize("Owner:@ann"), ["owner"])
    assert options == {"owner": "@ann"}


def test_pipe_separated_questions_survive_as_one_option() -> None:
    _, options = split_options(tokenize('questions:"Done?|Next?|Blocked?"'), ["questions"])
    assert options["questions"] == "Done?|Next?|Blocked?"


def test_an_unknown_key_is_refused_with_the_nearest_known_one() -> None:
    with pytest.raises(UserError, match=r"Unknown option `targt:` — did you mean `target:`\?"):
        split_options(tokenize("Mercury owner:@kim targt:2027-05-01"), ["owner", "target"])
    with pytest.raises(UserError, match="Options here: `due:`") as caught:
        split_options(tokenize("note:hello"), ["due"])
    assert caught.value.echo == "note:hello"


def test_a_word_ending_in_a_colon_or_a_link_is_not_an_option() -> None:
    words, options = split_options(tokenize("note: https://example.com/x"), ["due"])
    assert [w.text for w in words] == ["note:", "https://example.com/x"]
    assert options == {}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ('"Cutover" due:Dec 3', {"due": "Dec 3"}),
        ("due:next wednesday", {"due": "next wednesday"}),
        (
            "cadence:weekly mon 09:00 target:2027-05-01",
            {"cadence": "weekly mon 09:00", "target": "2027-05-01"},
        ),
        ("owner:@kim channel:#apollo", {"owner": "@kim", "channel": "#apollo"}),
        ('due:"next friday"', {"due": "next friday"}),
        (
            "portfolio:Growth Team tz:Europe/Berlin",
            {"portfolio": "Growth Team", "tz": "Europe/Berlin"},
        ),
    ],
)
def test_an_options_value_runs_to_the_next_option_without_quotes(
    typed: str, expected: dict[str, str]
) -> None:
    allowed = ["due", "cadence", "target", "owner", "channel", "portfolio", "tz"]
    assert split_options(tokenize(typed), allowed)[1] == expected


def test_a_value_stops_before_a_mention_a_quote_and_after_a_one_word_option() -> None:
    words, options = split_options(
        tokenize('#team "mon-fri 09:30" close:10:00 <@U1|a> @b tz:Asia/Tokyo Extra'),
        ["close", "tz"],
    )
    assert options == {"close": "10:00", "tz": "Asia/Tokyo"}
    assert [w.text for w in words] == ["#team", "mon-fri 09:30", "<@U1|a>", "@b", "Extra"]
    words, options = split_options(tokenize('due:"friday" later'), ["due"])
    assert (options, [w.text for w in words]) == ({"due": "friday"}, ["later"])


def test_colon_inside_a_quoted_positional_stays_positional() -> None:
    words, options = split_options(tokenize('"due:friday"'), ["due"])
    assert [w.text for w in words] == ["due:friday"]
    assert options == {}


def test_time_like_word_is_not_an_option() -> None:
    words, _ = split_options(tokenize("09:00"), ["due"])
    assert [w.text for w in words] == ["09:00"]


def test_repeated_option_is_refused() -> None:
    with pytest.raises(UserError, match="twice"):
        split_options(tokenize("due:friday due:monday"), ["due"])


def test_option_without_value_is_refused() -> None:
    with pytest.raises(UserError, match="needs a value"):
        split_options(tokenize("owner: @ann"), ["owner"])


# mentions


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("<@U123|ann>", UserRef("U123", "ann")),
        ("<@U123>", UserRef("U123", None)),
        ("<@W0ENTERPRISE>", UserRef("W0ENTERPRISE", None)),
        ("<@U123|>", UserRef("U123", None)),
        ("@ann.lee", UserRef(None, "ann.lee")),
    ],
)
def test_user_mentions_are_read(text: str, ref: UserRef) -> None:
    assert parse_user(text) == ref


@pytest.mark.parametrize("text", ["ann", "@", "<#C123|general>", "<!subteam^S1|@team>", ""])
def test_non_user_mentions_are_none(text: str) -> None:
    assert parse_user(text) is None


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("<#C123|pmo-updates>", ChannelRef("C123", "pmo-updates")),
        ("<#C123>", ChannelRef("C123", None)),
        ("<#G99|private>", ChannelRef("G99", "private")),
        ("#pmo_updates", ChannelRef(None, "pmo_updates")),
    ],
)
def test_channel_mentions_are_read(text: str, ref: ChannelRef) -> None:
    assert parse_channel(text) == ref


@pytest.mark.parametrize("text", ["general", "#", "<@U1>", "##"])
def test_non_channel_mentions_are_none(text: str) -> None:
    assert parse_channel(text) is None


# RAG


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["green", "all", "good"], ("green", 1)),
        (["G"], ("green", 1)),
        (["Amber"], ("amber", 1)),
        (["yellow"], ("amber", 1)),
        (["a", "x"], ("amber", 1)),
        (["RED:", "blocked"], ("red", 1)),
        (["on", "track"], ("green", 2)),
        (["At", "Risk", "vendor"], ("amber", 2)),
        (["off", "track"], ("red", 2)),
    ],
)
def test_rag_words_are_read_with_how_many_words_they_use(
    words: list[str], expected: tuple[str, int]
) -> None:
    assert parse_rag(words) == expected


@pytest.mark.parametrize("words", [[], ["blue"], ["on"], ["track"], ["redo"]])
def test_non_rag_words_are_none(words: list[str]) -> None:
    assert parse_rag(words) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amber - vendor late; next: escalate", ("amber", "vendor late; next: escalate")),
        ("Red: blocked by legal", ("red", "blocked by legal")),
        ("green, all good", ("green", "all good")),
        ("amber — waiting on legal", ("amber", "waiting on legal")),
        ("yellow vendor late", ("amber", "vendor late")),
        ("On track - shipped beta", ("green", "shipped beta")),
        ("a - vendor late", ("amber", "vendor late")),
        ("R", ("red", "")),
        ("green", ("green", "")),
    ],
)
def test_rag_prefix_of_free_text_is_split_from_the_summary(
    text: str, expected: tuple[str, str]
) -> None:
    assert parse_rag_prefix(text) == expected


@pytest.mark.parametrize(
    "text", ["a vendor is late", "greenfield work started", "shipped it", "", "redo the plan"]
)
def test_free_text_without_a_rag_word_is_none(text: str) -> None:
    assert parse_rag_prefix(text) is None


# levels


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("1", 1),
        ("5", 5),
        ("very low", 1),
        ("Very-Low", 1),
        ("low", 2),
        ("MEDIUM", 3),
        ("high", 4),
        ("critical", 5),
    ],
)
def test_levels_are_numbers_or_words(text: str, level: int) -> None:
    assert parse_level(text, what="impact") == level
    assert parse_level(text, what="likelihood") == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("rare", 1),
        ("unlikely", 2),
        ("Possible", 3),
        ("likely", 4),
        ("almost certain", 5),
        ("Almost-Certain", 5),
        ("almost_certain", 5),
        ("  almost   certain ", 5),
    ],
)
def test_likelihood_takes_the_5x5_matrix_words(text: str, level: int) -> None:
    assert parse_level(text, what="likelihood") == level


@pytest.mark.parametrize(
    ("text", "level"),
    [("negligible", 1), ("minor", 2), ("moderate", 3), ("MAJOR", 4), ("severe", 5)],
)
def test_impact_takes_the_5x5_matrix_words(text: str, level: int) -> None:
    assert parse_level(text, what="impact") == level


@pytest.mark.parametrize("text", ["0", "6", "huge", "", "3.5", "almost"])
def test_other_levels_are_refused_naming_the_valid_values(text: str) -> None:
    with pytest.raises(UserError, match="Impact must be 1–5 or negligible, minor, moderate"):
        parse_level(text, what="impact")


def test_a_word_of_the_other_scale_is_refused_saying_whose_it_is() -> None:
    with pytest.raises(UserError) as refused:
        parse_level("major", what="likelihood")
    assert "Likelihood must be 1–5 or rare, unlikely, possible, likely, almost certain" in str(
        refused.value.message
    )
    assert "“major” is a word for impact." in refused.value.message
    with pytest.raises(UserError, match="“likely” is a word for likelihood"):
        parse_level("likely", what="impact")


# keys


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Apollo Migration", "apollo-migration"),
        ("  Café Société!! 2.0 ", "cafe-societe-2-0"),
        ("Über--Project", "uber-project"),
        ("X", "x"),
    ],
)
def test_keys_are_ascii_slugs_of_names(name: str, key: str) -> None:
    assert slugify_key(name) == key


def test_long_keys_are_cut_at_a_hyphen() -> None:
    key = slugify_key("Global Payments Platform Consolidation and Migration Phase Two")
    assert key == "global-payments-platform-consolidation"
    assert len(key) <= 40


def test_long_keys_without_hyphens_are_cut_at_forty() -> None:
    assert slugify_key("a" * 50) == "a" * 40


def test_a_name_in_another_script_is_transliterated_and_nothing_left_is_no_key() -> None:
    assert slugify_key("Проект ★") == "proekt"
    assert slugify_key("\u0378") == ""


# times and numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9, 0)),
        ("9:30", time(9, 30)),
        ("17:05", time(17, 5)),
        ("9am", time(9, 0)),
        ("2:30pm", time(14, 30)),
        ("11.15 p.m.", time(23, 15)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("7 PM", time(19, 0)),
    ],
)
def test_times_of_day_are_read(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize(
    "text", ["25:00", "24:00", "12:60", "9", "09:0", "", "13pm", "0am", "9:75am", "9xm"]
)
def test_invalid_times_are_refused(text: str) -> None:
    with pytest.raises(UserError, match="HH:MM"):
        parse_hhmm(text)


def test_int_in_range_is_read() -> None:
    assert parse_int_in_range(" 24 ", 1, 168, what="grace hours") == 24


@pytest.mark.parametrize("text", ["0", "169", "two", "1.5", ""])
def test_int_out_of_range_is_refused(text: str) -> None:
    with pytest.raises(UserError, match="Grace hours must be a whole number from 1 to 168"):
        parse_int_in_range(text, 1, 168, what="grace hours")


@pytest.mark.parametrize(
    ("text", "day"), [("mon", 0), ("Monday", 0), ("tues", 1), ("weds", 2), ("thurs", 3), ("SUN", 6)]
)
def test_weekdays_are_read_monday_first(text: str, day: int) -> None:
    assert parse_weekday(text) == day


@pytest.mark.parametrize("text", ["mo", "funday", ""])
def test_non_weekdays_are_none(text: str) -> None:
    assert parse_weekday(text) is None


def test_time_zone_names_are_read_in_any_case() -> None:
    assert parse_timezone("europe/berlin") == "Europe/Berlin"


def test_misspelt_time_zone_suggests_the_nearest() -> None:
    with pytest.raises(UserError, match="Did you mean `Europe/Berlin`"):
        parse_timezone("Europe/Berln")


# suggestions


def test_suggest_finds_a_near_miss_ignoring_case() -> None:
    assert suggest("apolo", ["Apollo", "artemis"]) == "Apollo"


def test_suggest_returns_none_when_nothing_is_close() -> None:
    assert suggest("zzz", ["apollo", "artemis"]) is None
