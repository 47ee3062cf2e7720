"""Devanagari and ASCII digits: one table for every place that reads or writes numbers."""

from __future__ import annotations

DEVANAGARI = "०१२३४५६७८९"
ASCII = "0123456789"

_TO_ASCII = str.maketrans(DEVANAGARI, ASCII)


def to_ascii(text: str) -> str:
    """`text` with its Devanagari digits written as ASCII ones (`१०४२` → `1042`)."""
    return text.translate(_TO_ASCII)
