"""Marketing consent by message: STOP (unsubscribe, banda, रोक) and START, from any number.

A whole message that is a stop word turns marketing messages (reorder nudges)
off for that number and says so; order and payment messages continue. START
turns them back on; while a number has not opted out, START stays the
greeting it always was. Cancelling a cart or an order is `cancel`, never STOP.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain import lexicon
from flows.i18n import t
from flows.replies import Outgoing, Text


class Consent(StrEnum):
    STOP = "stop"
    START = "start"


_LOOKUP = {**{w.casefold(): Consent.STOP for w in lexicon.STOP_MARKETING_WORDS},
           **{w.casefold(): Consent.START for w in lexicon.START_MARKETING_WORDS}}
_PUNCT = re.compile(r"[\s.!।?,]+$")
_SPACES = re.compile(r"\s+")


def consent_of(text: str) -> Consent | None:
    """STOP or START when the whole message is one of their words, else None."""
    clean = _PUNCT.sub("", _SPACES.sub(" ", text.strip().casefold()))
    return _LOOKUP.get(clean)


def reply(to: str, language: str, consent: Consent) -> Outgoing:
    """The confirmation, in the sender's language."""
    lang = language if language in ("en", "ne") else "en"
    key = "consent.stopped" if consent is Consent.STOP else "consent.started"
    return Outgoing(to, Text(t(lang, key)), None, f"consent:{consent.value}")
