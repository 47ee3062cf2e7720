"""Commands a retailer can send at any point, in English, romanised Nepali and Devanagari."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.commands import Command, command_of


@pytest.mark.parametrize(("text", "command"), [
    ("status", Command.STATUS), ("mero order", Command.STATUS), ("मेरो अर्डर", Command.STATUS),
    ("balance", Command.BALANCE), ("hisab", Command.BALANCE), ("हिसाब", Command.BALANCE),
    ("help", Command.HELP), ("menu", Command.HELP), ("मद्दत", Command.HELP),
    ("cancel", Command.CANCEL), ("रद्द", Command.CANCEL),
    ("reorder", Command.REORDER), ("pahile jastai", Command.REORDER),
    ("पहिले जस्तै", Command.REORDER),
    ("english", Command.ENGLISH), ("नेपाली", Command.NEPALI),
    ("  Status!  ", Command.STATUS), ("HISAB?", Command.BALANCE), ("help।", Command.HELP),
])
def test_commands_in_both_languages(text: str, command: Command) -> None:
    assert command_of(text) is command


@pytest.mark.parametrize("text", ["cancel the chini", "status of chini 10 kg", "chini 10 kg",
                                  "english biscuit 2 ctn", "reorder sona 2 bora"])
def test_an_order_line_containing_a_command_word_is_not_a_command(text: str) -> None:
    assert command_of(text) is None


@given(st.text(max_size=100), st.sampled_from(["", " ", "  \n", "\t"]))
def test_surrounding_spaces_never_change_what_a_message_means(text: str, pad: str) -> None:
    assert command_of(pad + text + pad) == command_of(text)
