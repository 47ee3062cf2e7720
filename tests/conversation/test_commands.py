"""Commands a retailer can send at any point, in English, romanised Nepali and Devanagari."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import lexicon
from flows.commands import WORDS, Command, command_of


@pytest.mark.parametrize(("text", "command"), [
    ("status", Command.STATUS), ("mero order", Command.STATUS), ("मेरो अर्डर", Command.STATUS),
    ("balance", Command.BALANCE), ("baki", Command.BALANCE), ("बाँकी", Command.BALANCE),
    ("help", Command.HELP), ("menu", Command.HELP), ("मद्दत", Command.HELP),
    ("cancel", Command.CANCEL), ("रद्द", Command.CANCEL),
    ("reorder", Command.REORDER), ("pahile jastai", Command.REORDER),
    ("पहिले जस्तै", Command.REORDER),
    ("english", Command.ENGLISH), ("नेपाली", Command.NEPALI),
    ("  Status!  ", Command.STATUS), ("BAKI?", Command.BALANCE), ("help।", Command.HELP),
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


# The command words and the parser's intent phrases both live in domain.lexicon; where
# they disagree, the conversation's behaviour is the one kept (and said there).


@pytest.mark.parametrize("text", ["ok", "okay", "👍", "sure", "done", "yes"])
def test_agreement_is_an_intent_for_the_parser_but_never_an_explicit_confirm(text: str) -> None:
    assert text in lexicon.CONFIRM
    assert text not in lexicon.CONFIRM_COMMAND
    assert command_of(text) is not Command.CONFIRM


@pytest.mark.parametrize("text", ["confirm", "pakka", "order gara", "ठीक छ"])
def test_an_explicit_confirm_is_the_confirm_command(text: str) -> None:
    assert command_of(text) is Command.CONFIRM


def test_the_yes_answer_to_an_offer_is_agreement_too() -> None:
    assert set(lexicon.YES_COMMAND) <= set(lexicon.CONFIRM)
    assert command_of("ho") is Command.YES


def test_every_command_takes_its_words_from_the_lexicon() -> None:
    names = {name for name in dir(lexicon) if name.endswith("_COMMAND")}
    commands = {c: w for c, w in WORDS.items() if c is not Command.AGREE}
    assert {id(getattr(lexicon, n)) for n in names} == {id(w) for w in commands.values()}
    # Agreement is the parser's own list, less the words another command has.
    assert set(WORDS[Command.AGREE]) <= set(lexicon.CONFIRM)
