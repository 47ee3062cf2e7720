"""Words a retailer can send at any point, in English, romanised Nepali or Devanagari.

Only a whole message that is one of these counts as a command: "cancel" is a
command, "cancel the chini" is not (it goes to the order parser, which will
not find a product and say so), so an order line is never eaten by a keyword.
The words themselves live in `domain.lexicon` (its "whole-message commands"
section, which says how they differ from the parser's intent phrases); this
module maps them to the conversation's commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain import lexicon
from domain.digits import to_ascii
from domain.nepali_calendar import month_from_word


class Command(StrEnum):
    HELP = "help"
    STATUS = "status"
    BALANCE = "balance"
    CANCEL = "cancel"
    REORDER = "reorder"
    ENGLISH = "english"
    NEPALI = "nepali"
    CONFIRM = "confirm"
    EDIT = "edit"
    GREETING = "greeting"
    YES = "yes"
    NO = "no"
    # Plain agreement (ok, 👍, sure): confirms a cart on screen, else it is just a word.
    AGREE = "agree"
    PAY = "pay"


WORDS: dict[Command, tuple[str, ...]] = {
    Command.HELP: lexicon.HELP_COMMAND,
    Command.STATUS: lexicon.STATUS_COMMAND,
    Command.BALANCE: lexicon.BALANCE_COMMAND,
    Command.CANCEL: lexicon.CANCEL_COMMAND,
    Command.REORDER: lexicon.REORDER_COMMAND,
    Command.ENGLISH: lexicon.ENGLISH_COMMAND,
    Command.NEPALI: lexicon.NEPALI_COMMAND,
    Command.CONFIRM: lexicon.CONFIRM_COMMAND,
    Command.EDIT: lexicon.EDIT_COMMAND,
    Command.GREETING: lexicon.GREETING_COMMAND,
    Command.YES: lexicon.YES_COMMAND,
    Command.NO: lexicon.NO_COMMAND,
    Command.PAY: lexicon.PAY_COMMAND,
}

_COMMAND_WORDS = {w for words in WORDS.values() for w in words}
# The parser's agreement phrases (domain.lexicon.CONFIRM) that are no other command.
WORDS[Command.AGREE] = tuple(w for w in lexicon.CONFIRM if w not in _COMMAND_WORDS)

_LOOKUP: dict[str, Command] = {w: c for c, words in WORDS.items() for w in words}
_PUNCT = re.compile(r"[\s.!।?,]+$")
# Skin-tone modifiers and the emoji variation selector: 👍🏽 is 👍.
_EMOJI_MODIFIERS = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F]")
_SPACES = re.compile(r"\s+")


def command_of(text: str) -> Command | None:
    """The command a whole message is, or None if it is something else (e.g. an order)."""
    clean = _SPACES.sub(" ", _EMOJI_MODIFIERS.sub("", text).strip().casefold())
    if clean == "?":
        return Command.HELP
    clean = _PUNCT.sub("", clean)
    return _LOOKUP.get(clean)


_CANCEL_WORDS = "|".join(sorted({re.escape(w) for w in lexicon.CANCEL_COMMAND}, key=len,
                                reverse=True))
_ORDER_NO = r"(?:order\s*|अर्डर\s*)?(?:no\.?\s*|number\s*|नं\.?\s*)?#?\s*([0-9]{1,9})"
_CANCEL_BEFORE = re.compile(rf"^(?:{_CANCEL_WORDS})\s+{_ORDER_NO}$")
_CANCEL_AFTER = re.compile(rf"^{_ORDER_NO}\s*(?:ko\s+|को\s+)?(?:{_CANCEL_WORDS})$")


def cancel_number(text: str) -> int | None:
    """The order number in "cancel 1001" / "#1001 rad garnu" / "रद्द १००१", else None.

    Cancel words never edit the cart, so any number here is an order number ("cancel 2"
    is asked about as order #2, never taken as "cancel the latest").
    """
    clean = _PUNCT.sub("", _SPACES.sub(" ", to_ascii(text).strip().casefold()))
    for pattern in (_CANCEL_BEFORE, _CANCEL_AFTER):
        match = pattern.match(clean)
        if match:
            return int(match.group(1))
    return None


@dataclass(frozen=True, slots=True)
class StatementAsk:
    """A request for a statement: of BS `month` (1-12), else the last 30 days.

    `unknown` is the one word that stood where a month would ("hisab xyz"): the
    bot asks which month rather than guessing.
    """

    month: int | None = None
    unknown: str | None = None


_STATEMENT = frozenset(lexicon.STATEMENT_WORDS)
_FILLERS = frozenset(lexicon.STATEMENT_FILLERS)


def _month_of(word: str) -> int | None:
    found = month_from_word(word)
    if found is None:
        for suffix in lexicon.STATEMENT_SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                found = month_from_word(word.removesuffix(suffix))
                if found is not None:
                    break
    return found


def statement_request(text: str) -> StatementAsk | None:
    """The statement a message asks for ("hisab", "hisab mangsir", "statement for Kartik",
    "मंसिरको हिसाब"), else None (it is something else: an order, a question)."""
    clean = _PUNCT.sub("", _SPACES.sub(" ", text.strip().casefold()))
    asked = False
    month: int | None = None
    unknown: list[str] = []
    for word in clean.split():
        if word in _STATEMENT:
            asked = True
        elif word in _FILLERS:
            continue
        elif month is None and (found := _month_of(word)) is not None:
            month = found
        else:
            unknown.append(word)
    if not asked or len(unknown) > 1:
        return None
    return StatementAsk(unknown=unknown[0]) if unknown else StatementAsk(month)
