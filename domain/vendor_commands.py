"""What a vendor writes back about an order: `ACCEPT 1042`, `1042 ok`,
`REJECT 1042 no stock`, `DISPATCHED 1042`, `DELIVERED 1042`, Nepali and
romanised Nepali (`1042 swikar`, `स्वीकार १०४२`, `अस्वीकार`, `पठाइयो`, `पुग्यो`).

The keyword may come before or after the order number, in any case, with an
optional `#`; whatever follows is the reason (kept for rejects). A keyword one
or two letters off (`acept`, `dispach`, `deliverd`) is read as the one word it
is close to, never when two are about as close. Also the ids
of the Accept / Reject reply buttons (`vendor:accept:1042`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rapidfuzz.distance import OSA

from domain.digits import to_ascii
from domain.units import MEASURE_UNITS, Fit, convert, find_measures, find_pack_count, unit_from_word


class VendorAction(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    DISPATCH = "dispatch"
    DELIVER = "deliver"


class VendorQuery(StrEnum):
    """Requests that do not name an order."""

    LIST = "list"
    HELP = "help"


# Longer phrases first so `not ok` is never read as `ok`.
KEYWORDS: dict[VendorAction, tuple[str, ...]] = {
    VendorAction.REJECT: (
        "reject", "rejected", "decline", "declined", "no stock", "not ok", "cannot", "cant",
        "can't", "no", "nai", "aswikar", "asweekar", "aswikaar", "asvikar", "aswikar garyo",
        "mildaina", "hudaina", "hudaina", "छैन", "अस्वीकार", "अस्वीकृत", "हुँदैन", "मिल्दैन",
    ),
    VendorAction.ACCEPT: (
        "accept", "accepted", "ok", "okay", "yes", "confirm", "confirmed", "swikar",
        "sweekar", "swikaar", "svikar", "thik cha", "thik chha", "hunchha", "huncha",
        "स्वीकार", "स्वीकृत", "हुन्छ", "ठिक छ", "ठीक छ",
    ),
    VendorAction.DISPATCH: (
        "dispatch", "dispatched", "sent", "shipped", "on the way", "pathaiyo", "pathayo",
        "pathaeko", "patha", "पठाइयो", "पठायो", "पठाएको", "निस्कियो",
    ),
    VendorAction.DELIVER: (
        "deliver", "delivered", "done", "received", "pugyo", "pugeko", "bujhaiyo",
        "bujhayo", "पुग्यो", "पुगेको", "बुझाइयो", "बुझायो",
    ),
}

QUERY_WORDS: dict[VendorQuery, tuple[str, ...]] = {
    VendorQuery.LIST: ("orders", "order", "list", "pending", "अर्डर", "सूची"),
    VendorQuery.HELP: ("help", "menu", "hi", "hello", "namaste", "मद्दत", "नमस्ते"),
}


def _alternation(words: tuple[str, ...]) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


_ALL_WORDS: list[tuple[str, VendorAction]] = [
    (w, action) for action, words in KEYWORDS.items() for w in words
]
_KW = _alternation(tuple(w for w, _ in _ALL_WORDS))
# A keyword ends at a space, punctuation or the end; `\b` misreads Devanagari
# vowel signs as word boundaries.
_END = r"(?=$|[\s.,!?:;()\-#/])"
# [0-9], not \d: after folding, the only digits are ASCII (domain.digits).
_NUM = r"#?\s*(?P<{name}>[0-9]{{1,9}})"
_SEP = r"[\s.,:;!\-]*"
_FORWARD = re.compile(rf"^\s*(?P<kw>{_KW}){_END}{_SEP}(?:order\s*)?{_NUM.format(name='num')}"
                      r"(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_BACKWARD = re.compile(rf"^\s*(?:order\s*)?{_NUM.format(name='num')}{_SEP}(?P<kw>{_KW}){_END}"
                       r"(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_BUTTON = re.compile(r"^vendor:(accept|reject|dispatch|deliver):([0-9]{1,9})$")


@dataclass(frozen=True, slots=True)
class VendorCommand:
    action: VendorAction
    order_number: int
    reason: str | None = None


def normalize(text: str) -> str:
    """NFC, Devanagari digits as ASCII, runs of spaces as one, case folded."""
    text = to_ascii(unicodedata.normalize("NFC", text))
    return " ".join(text.split()).casefold()


def _action_of(keyword: str) -> VendorAction:
    key = " ".join(keyword.split()).casefold()
    for word, action in _ALL_WORDS:
        if word.casefold() == key:
            return action
    raise KeyError(keyword)  # unreachable: the regex only matches known words


# One-word keywords a typo is compared against (short words like "ok" or "no" are too
# close to everything to guess at).
_FUZZY_MIN_LEN = 5
_FUZZY_WORDS: tuple[tuple[str, VendorAction], ...] = tuple(
    (w, a) for w, a in _ALL_WORDS if " " not in w and w.isascii() and len(w) >= _FUZZY_MIN_LEN)
_LOOSE_FORWARD = re.compile(r"^\s*(?P<kw>[a-z]+)[\s.,:;!\-]*(?:order\s*)?#?\s*(?P<num>[0-9]{1,9})"
                            r"(?P<rest>.*)$", re.DOTALL)
_LOOSE_BACKWARD = re.compile(r"^\s*(?:order\s*)?#?\s*(?P<num>[0-9]{1,9})[\s.,:;!\-]*"
                             r"(?P<kw>[a-z]+)(?=$|[\s.,!?:;])(?P<rest>.*)$", re.DOTALL)


def _fuzzy_action(word: str) -> VendorAction | None:
    """The action a misspelt keyword means ("acept", "dispach", "deliverd"), when only one
    is close: one edit (a swap of two letters counts as one) for words under 8 letters,
    two for longer ones."""
    if len(word) < _FUZZY_MIN_LEN - 1:
        return None
    allowed = 1 if len(word) < 8 else 2
    close = {a for w, a in _FUZZY_WORDS if OSA.distance(word, w) <= allowed}
    return close.pop() if len(close) == 1 else None


def parse(text: str) -> VendorCommand | None:
    """The command in a vendor's text, or None when it is not one."""
    found = _parse_exact(text)
    if found is not None:
        return found
    norm = normalize(text)
    for pattern in (_LOOSE_FORWARD, _LOOSE_BACKWARD):
        m = pattern.match(norm)
        if m is None:
            continue
        action = _fuzzy_action(m["kw"])
        if action is not None:
            rest = m["rest"].strip(" \t.,:;!-") or None
            return VendorCommand(action, int(m["num"]),
                                 rest if action is VendorAction.REJECT else None)
    return None


def _parse_exact(text: str) -> VendorCommand | None:
    norm = normalize(text)
    for pattern in (_FORWARD, _BACKWARD):
        m = pattern.match(norm)
        if m is None:
            continue
        action = _action_of(m["kw"])
        rest = m["rest"].strip(" \t.,:;!-")
        reason = rest or None
        if reason is None and m["kw"].strip() == "no stock":
            reason = "no stock"
        return VendorCommand(action, int(m["num"]), reason if action is VendorAction.REJECT
                             else None)
    return None


def parse_bare(text: str) -> VendorAction | None:
    """The action when the whole text is just a keyword (`ok`, `पठाइयो`), no order number."""
    norm = normalize(text).strip(" .,!?:;-")
    for word, action in _ALL_WORDS:
        if norm == " ".join(word.split()).casefold():
            return action
    return None


def parse_query(text: str) -> VendorQuery | None:
    """A request to list open orders or for help, when the whole text is one."""
    norm = normalize(text).strip(" ?!.")
    for query, words in QUERY_WORDS.items():
        if norm in {w.casefold() for w in words}:
            return query
    return None


def button_id(action: VendorAction, order_number: int) -> str:
    """The reply-button id for `action` on an order (`vendor:accept:1042`)."""
    return f"vendor:{action.value}:{order_number}"


def parse_button(reply_id: str) -> VendorCommand | None:
    """The command behind a reply-button id, or None when it is not a vendor button."""
    m = _BUTTON.match(reply_id.strip())
    if m is None:
        return None
    return VendorCommand(VendorAction(m[1]), int(m[2]))


# ------------------------------------------------------------------ partial fulfilment

@dataclass(frozen=True, slots=True)
class VendorChange:
    """`1009 only mansuli, tokla chaina`: the vendor can send only some lines of an order.

    `keep` names the lines they can send ("only …"), `drop` those they cannot
    ("… chaina"); the names are as written, matched to the order's lines later.
    """

    order_number: int
    keep: tuple[str, ...]
    drop: tuple[str, ...]
    # "1009 tokla 1": lines the vendor can send less of, as (name, quantity they can send).
    less: tuple[tuple[str, Decimal], ...] = ()
    # "1009 chini 5 kg": the unit word a `less` quantity was written in, by name; a name
    # not here was a bare count in the line's own unit.
    units: tuple[tuple[str, str], ...] = ()


_ONLY = r"(?:only|matra|matrai|maatra|मात्र|मात्रै)"
_LACKING = (r"(?:chaina|chhaina|xaina|chain|chhain|not available|out of stock|no stock|"
            r"sakiyo|sakyo|सकियो|छैन|छैनन्)")
_CHANGE_NUMBER = re.compile(r"^\s*#?\s*([0-9]{1,9})\b[\s.,:;\-]*(.+)$"
                            r"|^(.+?)[\s.,:;\-]+#?\s*([0-9]{1,9})\s*$", re.DOTALL)
_ONLY_PART = re.compile(rf"^(?:{_ONLY}\s+(?P<a>.+)|(?P<b>.+?)\s+{_ONLY})$")
_LACKING_PART = re.compile(rf"^(?P<name>.+?)\s+{_LACKING}$")
# A name then a bare quantity ("tokla 1"): no unit word, so no unit to misread.
# The name may hold digits ("tokla tea 500g 1", as the lines list writes it) but a letter.
_LESS_PART = re.compile(r"^(?P<name>\S*[^\W\d_].*?)\s+(?P<qty>[0-9]{1,6}(?:\.[0-9]{1,3})?)$")
_QTY = r"(?P<qty>[0-9]{1,6}(?:\.[0-9]{1,3})?)"
# "chini 5 kg", "mansuli 3 bora": a name, a quantity and a unit word after it.
_LESS_UNIT_PART = re.compile(rf"^(?P<name>\S*[^\W\d_].*?)\s+{_QTY}\s*(?P<unit>\S+)$")
# A whole message that is only a quantity ("5", "3 bora", "२ बोरा"): the answer to
# "how many can you send?" after picking a line from the list.
_QTY_ANSWER = re.compile(rf"^{_QTY}(?:\s*(?P<unit>\S+))?$")


def _unit_word(word: str | None) -> str | None:
    """`word` when it names a unit (any synonym), else None."""
    if word is None or any(c.isdigit() for c in word):
        return None
    return word if unit_from_word(word) is not None else None


def parse_change(text: str) -> VendorChange | None:
    """The lines a vendor says they can or cannot send, when the message says so."""
    norm = normalize(text)
    m = _CHANGE_NUMBER.match(norm)
    if m is None:
        return None
    number, rest = (m[1], m[2]) if m[1] else (m[4], m[3])
    keep: list[str] = []
    drop: list[str] = []
    less: list[tuple[str, Decimal]] = []
    units: list[tuple[str, str]] = []
    after_only = False
    # "र" (and) only as a word of its own: inside "बोरा" or "सर्फ" it is a letter.
    for part in re.split(r"\s*(?:,|;|\band\b|\bra\b|\bbut\b|(?<!\S)र(?!\S))\s*", rest):
        part = part.strip(" .!-")
        if not part:
            continue
        if (found := _ONLY_PART.match(part)) is not None:
            named = (found["a"] or found["b"]).strip()
            if (fewer := _LESS_PART.match(named)) is not None:  # "only mansuli 1"
                named = fewer["name"].strip()
                less.append((named, Decimal(fewer["qty"])))
            keep.append(named)
            after_only = True
        elif (found := _LACKING_PART.match(part)) is not None:
            drop.append(found["name"].strip())
            after_only = False
        elif (found := _LESS_PART.match(part)) is not None:
            less.append((found["name"].strip(), Decimal(found["qty"])))
            if after_only:  # "only mansuli 1 and tokla 2": tokla is kept too
                keep.append(found["name"].strip())
        elif (not after_only and (found := _LESS_UNIT_PART.match(part)) is not None
              and (word := _unit_word(found["unit"])) is not None):
            # Not after "only": there "tokla tea 500g" is a line's name, not 500 grams.
            less.append((found["name"].strip(), Decimal(found["qty"])))
            units.append((found["name"].strip(), word))
        elif after_only:
            keep.append(part)  # "only mansuli and dhara"
        else:
            return None  # a part we cannot read: better not to guess which lines change
    if not keep and not drop and not less:
        return None
    return VendorChange(int(number), tuple(keep), tuple(drop), tuple(less), tuple(units))


@dataclass(frozen=True, slots=True)
class QuantityAnswer:
    """A message that is only a quantity, with the unit word it was written in, if any."""

    qty: Decimal
    unit: str | None = None


def parse_quantity_answer(text: str) -> QuantityAnswer | None:
    """`5`, `2.5`, `3 bora`, `२ बोरा` as a quantity; None for anything else."""
    m = _QTY_ANSWER.match(normalize(text).strip(" .!"))
    if m is None:
        return None
    word = m["unit"]
    if word is not None and _unit_word(word) is None:
        return None  # "5 tokla" is not a quantity alone
    return QuantityAnswer(Decimal(m["qty"]), word)


class LessFit(StrEnum):
    """How a quantity the vendor can send fits the order line it is for."""

    OK = "ok"
    NOT_LESS = "not_less"      # not more than none and less than ordered
    NOT_WHOLE = "not_whole"    # a fraction of something sold whole (2.5 bora, 1.5 packets)
    OTHER_UNIT = "other_unit"  # a unit that does not convert to the line's (kg of a packet)


def sending_less(qty: Decimal, unit_word: str | None, line_qty: Decimal, line_unit: str,
                 line_name: str) -> tuple[LessFit, Decimal | None]:
    """The quantity in the line's own unit, or why it is not one the vendor can send.

    A unit word converts as the shop's order does (`50 kg` of a 25 kg bag is 2 bags,
    `24 packet` of a per-dozen item 2); a conversion that is not whole, or a fraction
    of anything not sold by weight or volume, is refused rather than rounded.
    """
    sold = unit_from_word(line_unit)
    if unit_word is not None:
        asked = unit_from_word(unit_word)
        if asked is not None and asked != sold:
            measures = find_measures(line_name.casefold())
            converted, fit = convert(qty, asked, sold, measures[-1] if measures else None,
                                     contents=find_pack_count(line_name.casefold()),
                                     sold_label=line_unit.casefold())
            if fit is Fit.NOT_WHOLE:
                return LessFit.NOT_WHOLE, None
            if fit is Fit.INCOMPATIBLE or converted is None:
                return LessFit.OTHER_UNIT, None
            qty = converted
    if sold not in MEASURE_UNITS and qty != qty.to_integral_value():
        return LessFit.NOT_WHOLE, None
    if not Decimal(0) < qty < line_qty:
        return LessFit.NOT_LESS, None
    return LessFit.OK, qty


# ------------------------------------------------------------------ the lines list

#: "change 1001" / "1001 badal": the order's lines as a list, to send less of one.
LINES_WORDS = ("change", "lines", "edit", "badal", "badla", "badlau", "बदल", "बदल्ने")
_LINES = re.compile(rf"^(?:(?:{_alternation(LINES_WORDS)})\s*#?\s*([0-9]{{1,9}})"
                    rf"|#?\s*([0-9]{{1,9}})\s+(?:{_alternation(LINES_WORDS)}))$")
_LINE_ROW = re.compile(r"^vendor:line:([0-9]{1,9}):([0-9]{1,4})$")


def parse_lines_request(text: str) -> int | None:
    """The order number when the vendor asks for its lines to change one, else None."""
    m = _LINES.match(normalize(text).strip(" ?!."))
    if m is None:
        return None
    return int(m[1] or m[2])


def line_row_id(order_number: int, line_no: int) -> str:
    """The list-row id of one order line (`vendor:line:1042:2`)."""
    return f"vendor:line:{order_number}:{line_no}"


def parse_line_row(reply_id: str) -> tuple[int, int] | None:
    """(order number, line number) of a lines-list row id, else None."""
    m = _LINE_ROW.match(reply_id.strip())
    return None if m is None else (int(m[1]), int(m[2]))
