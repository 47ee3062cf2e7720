"""Which areas a vendor serves, and matching the area a retailer types to them.

"Vendor serves this area" is one rule with two definitions that must agree:
`serves_area` here (routing) and the SQL function `serves_area(areas, area)`
in schema.sql (listing vendors, pricing a cart). Both compare areas trimmed of
whitespace with ASCII letters in lower case, and `ANY_AREA` serves everywhere.
Case folding stops at ASCII so that Postgres, whatever its locale, folds the
same letters Python does (area names are Latin or Devanagari, which has no case).

That comparison forgives only case and spaces, so a shop registered as
"kathmandu-10" or "काठमाडौं" must be stored as the served area "Kathmandu",
not as what was typed: `match_area` finds it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from domain.digits import DIGIT_CLASS
from domain.normalize import phonetic_key

# Ward numbers and punctuation say nothing about which town it is.
_WARD = re.compile(rf"[\s\-,./#]*(ward|wada|वडा)?[\s\-,./#]*{DIGIT_CLASS}+\s*$", re.IGNORECASE)
_MIN_SIMILARITY = 80.0

#: A vendor area that serves every area.
ANY_AREA = "*"
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def normal_area(area: str) -> str:
    """An area as `serves_area` compares it: trimmed, ASCII letters in lower case."""
    return area.strip().translate(_ASCII_LOWER)


def serves_area(areas: Iterable[str], area: str) -> bool:
    """True when a vendor serving `areas` delivers to `area` (or serves everywhere)."""
    want = normal_area(area)
    return any(normal_area(served) in (want, ANY_AREA) for served in areas)


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
