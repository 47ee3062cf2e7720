"""Reading what a retailer types while reviewing a cart: remove, add, clear, change.

`remove 2`, `hatau 2`, `२ हटाउ` drop a line; `add 2 ctn rara` / `thap ...` adds
order text; `clear` / `sabai hatau` empties the cart. Anything else is order
text whose lines *replace* the quantity of a product already in the cart
(`chini 20 kg`) or add a new one: the flow decides that after resolving it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.digits import to_ascii

_REMOVE_WORDS = r"(?:remove|delete|del|rm|hatau|hataunu|hatai|hatadinu|हटाउ|हटाउनु|हटाइदिनु|हटाईदिनु)"
_ADD_WORDS = r"(?:add|plus|thap|thapnu|thapa|थप|थप्नु|थपिदिनु)"
_CLEAR_WORDS = (
    r"(?:clear|clear all|empty|reset cart|remove all|sabai hatau|sab hatau|"
    r"sabai hatau?nu|सबै हटाउ|सबै हटाउनु|खाली)"
)

# [0-9], not \d: after folding, the only digits are ASCII (domain.digits).
_NUMS = r"([0-9]+(?:\s*(?:,|&|and|ra|र|\s)\s*[0-9]+)*)"
_REMOVE_BEFORE = re.compile(rf"^\s*{_REMOVE_WORDS}\s*(?:line|no\.?|#)?\s*{_NUMS}\s*$",
                            re.IGNORECASE)
_REMOVE_AFTER = re.compile(rf"^\s*(?:line|no\.?|#)?\s*{_NUMS}\s*(?:number\s*)?{_REMOVE_WORDS}\s*$",
                           re.IGNORECASE)
_ADD = re.compile(rf"^\s*{_ADD_WORDS}\b\s*(.+)$", re.IGNORECASE | re.DOTALL)
_CLEAR = re.compile(rf"^\s*{_CLEAR_WORDS}\s*[.!]*\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Remove:
    """Remove these 1-based line numbers (as shown in the review)."""

    numbers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Add:
    """Order text to add to the cart."""

    text: str


@dataclass(frozen=True, slots=True)
class Clear:
    """Empty the cart."""


@dataclass(frozen=True, slots=True)
class Change:
    """Order text whose products already in the cart get the new quantity."""

    text: str


Edit = Remove | Add | Clear | Change


def _numbers(raw: str) -> tuple[int, ...] | None:
    parts = re.findall(r"[0-9]+", raw)
    if not parts:
        return None
    # Remove each line once, highest first, so earlier numbers keep their meaning.
    return tuple(sorted({int(p) for p in parts}, reverse=True))


def parse_edit(text: str) -> Edit | None:
    """What an edit message asks for, or None for an empty message."""
    clean = to_ascii(text).strip()
    if not clean:
        return None
    if _CLEAR.match(clean):
        return Clear()
    for pattern in (_REMOVE_BEFORE, _REMOVE_AFTER):
        match = pattern.match(clean)
        if match:
            numbers = _numbers(match.group(1))
            if numbers:
                return Remove(numbers)
    match = _ADD.match(clean)
    if match and match.group(1).strip():
        return Add(match.group(1).strip())
    return Change(clean)
