"""A command run again from a button, with one value replaced."""

from __future__ import annotations

import pytest

from bot.reruns import BUTTON_VALUE_MAX, Rerun


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (
            'milestone add apollo "Cutover" due:03/04/2027',
            'milestone add apollo "Cutover" due:2027-04-03',
        ),
        (
            'milestone add apollo "Cutover" due:"03/04/2027"',
            'milestone add apollo "Cutover" due:"2027-04-03"',
        ),
        (
            "risk apollo “X” due:“03/04/2027” owner:@lee",
            "risk apollo “X” due:“2027-04-03” owner:@lee",
        ),
        ("digest show 03/04/2027", "digest show 2027-04-03"),
        ('digest show "03/04/2027"', 'digest show "2027-04-03"'),
        ("digest show 03/04/2027 <#C1|pmo>", "digest show 2027-04-03 <#C1|pmo>"),
    ],
)
def test_the_value_is_replaced_where_it_was_typed(typed: str, expected: str) -> None:
    assert Rerun("U1", typed).replacing("03/04/2027", "2027-04-03") == Rerun("U1", expected)


def test_an_option_value_is_preferred_over_a_name_that_reads_the_same() -> None:
    typed = 'milestone add apollo "03/04" due:03/04'
    replaced = Rerun("U1", typed).replacing("03/04", "2027-04-03")
    assert replaced == Rerun("U1", 'milestone add apollo "03/04" due:2027-04-03')


def test_a_value_inside_a_longer_word_is_not_replaced() -> None:
    assert Rerun("U1", "digest show 103/04/20270").replacing("03/04/2027", "x") is None


def test_text_slack_escaped_is_found_as_it_arrived() -> None:
    typed = 'risk apollo "R&amp;D" due:"3/4 &lt;soon&gt;"'
    replaced = Rerun("U1", typed).replacing("3/4 <soon>", "2027-04-03")
    assert replaced == Rerun("U1", 'risk apollo "R&amp;D" due:"2027-04-03"')


def test_the_button_value_reads_back_as_the_same_command() -> None:
    command = Rerun("U1", 'milestone add apollo "Café “Zürich”" due:2027-04-03')
    value = command.value()
    assert value is not None
    assert Rerun.read(value) == command


def test_a_command_too_long_for_a_button_value_has_none() -> None:
    room = BUTTON_VALUE_MAX - len(Rerun("U1", "").value() or "")
    fits = Rerun("U1", "x" * room).value()
    assert fits is not None and len(fits) == BUTTON_VALUE_MAX
    assert Rerun("U1", "x" * (room + 1)).value() is None


@pytest.mark.parametrize("value", ["", "42", "[]", '{"user": "U1"}', '{"user": 1, "text": "x"}'])
def test_a_value_we_did_not_write_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        Rerun.read(value)
