"""Matching the area a retailer types to the areas vendors serve.

Routing only finds vendors whose service areas contain the retailer's area
verbatim, so a shop registered as "kathmandu-10" or "काठमाडौं" must be stored
as the served area "Kathmandu", not as what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from domain.digits import DIGIT_CLASS
from domain.normalize import phonetic_key

# Ward numbers and punctuation say nothing about which town it is.
_WARD = re.compile(rf"[\s\-,./#]*(ward|wada|वडा)?[\s\-,./#]*{DIGIT_CLASS}+\s*$", re.IGNORECASE)
_MIN_SIMILARITY = 80.0


def area_key(text: str) -> str:
    """The form two spellings of one area share (case, script, ward number dropped)."""
    stripped = _WARD.sub("", text.strip())
    return "".join(phonetic_key(word) for word in stripped.split())


def match_area(text: str, served: Sequence[str]) -> str | None:
    """The served area `text` names, or None when it is none of them."""
    key = area_key(text)
    if not key:
        return None
    best: tuple[float, str] | None = None
    for area in served:
        other = area_key(area)
        if other == key:
            return area
        score = fuzz.ratio(key, other)
        if score >= _MIN_SIMILARITY and (best is None or score > best[0]):
            best = (score, area)
    return best[1] if best else None
