"""Words a retailer can send at any point, in English, romanised Nepali or Devanagari.

Only a whole message that is one of these counts as a command: "cancel" is a
command, "cancel the chini" is not (it goes to the order parser, which will
not find a product and say so), so an order line is never eaten by a keyword.
"""

from __future__ import annotations

import re
from enum import StrEnum


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


_WORDS: dict[Command, tuple[str, ...]] = {
    Command.HELP: ("help", "menu", "madat", "maddat", "sahayog", "मद्दत", "मदत", "सहयोग", "मेनु",
                   "?"),
    Command.STATUS: ("status", "mero order", "my order", "my orders", "orders", "order status",
                     "mero orders", "order kaha pugyo", "मेरो अर्डर", "अर्डर", "स्थिति"),
    Command.BALANCE: ("balance", "hisab", "hisaab", "baki", "baaki", "udharo", "credit",
                      "हिसाब", "बाँकी", "बाकी", "उधारो"),
    Command.CANCEL: ("cancel", "cancel order", "cancel cart", "rad", "radd", "rad gara",
                     "radd gara", "rad garnu", "रद्द", "रद्द गर", "रद्द गर्नु", "क्यान्सिल"),
    Command.REORDER: ("reorder", "re-order", "repeat", "repeat order", "same as last",
                      "pahile jastai", "pahila jastai", "pahilekai", "feri tyahi",
                      "पहिले जस्तै", "पहिला जस्तै", "फेरि त्यही"),
    Command.ENGLISH: ("english", "eng", "in english", "अंग्रेजी", "इङ्लिस"),
    Command.NEPALI: ("nepali", "नेपाली", "nepali ma", "नेपालीमा"),
    Command.CONFIRM: ("confirm", "pakka", "pakka gara", "thik cha", "order gara", "पक्का",
                      "पक्का गर", "ठीक छ", "कन्फर्म"),
    Command.EDIT: ("edit", "change", "badal", "badalnu", "sacha", "बदल", "बदल्नु", "बदल्नुहोस्"),
    Command.GREETING: ("hi", "hello", "hey", "namaste", "namaskar", "नमस्ते", "नमस्कार", "start"),
    Command.YES: ("yes", "y", "ho", "hunchha", "huncha", "हो", "हुन्छ"),
    Command.NO: ("no", "n", "hoina", "haina", "होइन", "हैन", "pardaina", "पर्दैन"),
}

_LOOKUP: dict[str, Command] = {w: c for c, words in _WORDS.items() for w in words}
_PUNCT = re.compile(r"[\s.!।?,]+$")
_SPACES = re.compile(r"\s+")


def command_of(text: str) -> Command | None:
    """The command a whole message is, or None if it is something else (e.g. an order)."""
    clean = _SPACES.sub(" ", text.strip().casefold())
    if clean == "?":
        return Command.HELP
    clean = _PUNCT.sub("", clean)
    return _LOOKUP.get(clean)
