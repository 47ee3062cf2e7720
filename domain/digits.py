"""The one Devanagari ⇄ ASCII digit table, and reading a whole number written in either.

Shops write `५ केजी` as readily as `5 kg`, and Nepali replies show Devanagari
digits, so both scripts are digits here. No other script is: `str.isdigit()`
and the regex `\\d` also take superscripts (`²`) and Arabic-Indic digits
(`١٠٠١`), which nobody in Nepal types and `int()` partly refuses.
"""

from __future__ import annotations

import re

ASCII_DIGITS = "0123456789"
DEVANAGARI_DIGITS = "०१२३४५६७८९"
#: A regex class matching one digit in either script (for patterns read before folding).
DIGIT_CLASS = f"[{ASCII_DIGITS}{DEVANAGARI_DIGITS}]"
#: Long enough for any id the system issues (a bigint has 19 digits).
MAX_WHOLE_DIGITS = 18

_TO_ASCII = str.maketrans(DEVANAGARI_DIGITS, ASCII_DIGITS)
_TO_DEVANAGARI = str.maketrans(ASCII_DIGITS, DEVANAGARI_DIGITS)
_ASCII_WHOLE = re.compile(r"[0-9]+")


def to_ascii(text: str) -> str:
    """`text` with its Devanagari digits written as ASCII digits (`१०४२` → `1042`)."""
    return text.translate(_TO_ASCII)


def to_devanagari(text: str) -> str:
    """`text` with its ASCII digits written as Devanagari digits (`1042` → `१०४२`)."""
    return text.translate(_TO_DEVANAGARI)


def read_whole(text: str, *, max_digits: int = MAX_WHOLE_DIGITS) -> int | None:
    """The whole number `text` is (ASCII or Devanagari digits, spaces around), else None.

    Signs, separators, decimals, other scripts' digits and more than
    `max_digits` digits are not a whole number here.
    """
    folded = to_ascii(text).strip()
    if len(folded) > max_digits or not _ASCII_WHOLE.fullmatch(folded):
        return None
    return int(folded)
