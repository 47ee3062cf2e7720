"""Reading a retailer's message: split into items, read quantities and units, resolve.

`parse_message(text, index)` is the entry point. A message is split on line
breaks, punctuation, list markers and the connectors ra/ani/and/र/अनि; each
piece is tokenised, number words and numerals are read, `number unit` groups
are formed, sizes (`1.5L` before `6 bottle`) are told apart from quantities,
and a piece with several quantities and no separators (`ariel 5 pkt lifebuoy
12 pcs`) is cut between them. Politeness words are dropped; what is left names
the product, which `CatalogIndex.resolve` looks up.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from rapidfuzz.distance import OSA

from domain.lexicon import (
    BALANCE,
    CANCEL,
    CONFIRM,
    DESCRIPTOR_MARKERS,
    GREETING,
    HELP,
    PRICE_WORDS,
    QUESTION_WORDS,
    REORDER,
    STATUS,
    THANKS,
    is_address,
    is_complaint,
    is_filler,
    is_request,
    phrase_keys,
)
from domain.normalize import fold_text, phonetic_key, plain_form
from domain.numbers import (
    AMBIGUOUS_WORDS,
    is_multiplier,
    is_plus_half,
    numeral_value,
    plain,
    read_number_words,
    spell_fractions,
    word_value,
)
from domain.resolver import ACCEPT, Candidate, CatalogIndex, LineStatus, SizeHint
from domain.units import (
    MEASURE_UNITS,
    WEAK_UNIT_WORDS,
    Measure,
    Unit,
    size_token,
    size_word,
    unit_from_word,
)


class Intent(StrEnum):
    """What a message is about."""

    ORDER = "order"
    GREETING = "greeting"
    STATUS = "status"
    BALANCE = "balance"
    HELP = "help"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    REORDER = "reorder"
    OTHER = "other"


class QtyNote(StrEnum):
    """Why a line has no quantity the cart may take (the flow asks instead)."""

    MISSING = "missing"  # no quantity written
    NOT_WHOLE = "not_whole"  # the count does not convert into whole selling units


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One item of an order: a product picked, a question to ask, or not understood.

    `qty` is in the unit the product is sold in, exactly as read (zero and
    negative numbers included: refusing them is the conversation's decision).
    `qty` None means the quantity must be asked for, never assumed; `qty_note`
    then says why, so the question can say it too.
    """

    text: str
    sku: str | None
    qty: Decimal | None
    unit: str | None
    candidates: tuple[Candidate, ...] = ()
    qty_note: QtyNote | None = None

    @property
    def status(self) -> LineStatus:
        """RESOLVED (sku set), ASK (offer candidates) or UNKNOWN (nothing close)."""
        if self.sku is not None:
            return LineStatus.RESOLVED
        return LineStatus.ASK if self.candidates else LineStatus.UNKNOWN

    @property
    def is_resolved(self) -> bool:
        """True when the line names one product and can go in the cart."""
        return self.sku is not None

    @property
    def is_ambiguous(self) -> bool:
        """True when the retailer must choose among candidates."""
        return self.status is LineStatus.ASK


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """A message's intent and, for orders, its lines."""

    intent: Intent
    lines: tuple[ParsedLine, ...] = ()


# -- splitting ------------------------------------------------------------------

_SEGMENT_SPLIT = re.compile(
    r"[\n\r;+&|।॥]|(?<!\d),|,(?!\d{3}(?!\d))"
    r"|(?:^|\s)\(?\d{1,2}\)(?=\s)"  # "... 2) good day" numbering in the middle of a line
)
_LIST_MARKER = re.compile(r"^\s*(?:[-–•*·▪►➤>]+|\(?\d{1,2}[.)]|[a-h][.)])\s+")
_TOKEN = re.compile(
    # A minus sign touching a number after a space ("nun -5") is kept, so the conversation
    # refuses the quantity instead of reading 5 (a list's "- " bullet has its space).
    r"(?<=\s)[-−]\d+(?:\.\d+)?(?:/\d+)?[a-z\u0900-\u097f]*"
    r"|[x×*]\d+(?:\.\d+)?(?![\d/])"
    r"|\d+(?:\.\d+)?(?:/\d+)?[a-z\u0900-\u097f]*"
    r"|[a-z\u0900-\u097f][a-z0-9\u0900-\u097f]*"
    r"|[x×*]"
)
_CONNECTORS = frozenset({"ra", "ani", "and", "र", "अनि", "n"})
_TIMES = frozenset({"x", "×", "*"})
_MAX_NUMBER_WORDS = 8  # "dui hajar paanch saya pachas" is five


@dataclass(slots=True)
class _Tok:
    text: str
    kind: str  # num | unit | qtyunit | mult | times | tin | word
    value: Decimal | None = None
    unit: Unit | None = None
    label: str | None = None  # a unit word only this catalogue knows


@dataclass(slots=True)
class _Group:
    qty: Decimal
    unit: Unit | None
    bare: bool = False
    size: bool = False
    label: str | None = None

    @property
    def is_measure(self) -> bool:
        return self.unit in MEASURE_UNITS

    @property
    def is_count(self) -> bool:
        return (self.unit is not None and self.unit not in MEASURE_UNITS) or bool(self.label)


@dataclass(slots=True)
class _Item:
    words: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    group: _Group | None = None
    unit_word: Unit | None = None
    sizes: list[SizeHint] = field(default_factory=list)


def _segments(text: str) -> list[str]:
    out = []
    for seg in _SEGMENT_SPLIT.split(spell_fractions(fold_text(text))):
        seg = _LIST_MARKER.sub("", seg).strip(" \t.:-")
        if seg:
            out.append(seg)
    return out


def _classify(raw: str) -> _Tok:
    if raw[0] in "-−":
        tok = _classify(raw[1:])
        if tok.value is not None and tok.kind in ("num", "qtyunit"):
            tok.value = -tok.value
        return tok
    if raw in _TIMES:
        return _Tok(raw, "times")
    if raw[0] in "x×*" and len(raw) > 1 and raw[1].isdigit():
        return _Tok(raw, "mult", numeral_value(raw[1:]))
    if raw[0].isdigit():
        m = re.match(r"(\d+(?:\.\d+)?(?:/\d+)?)(.*)", raw)
        assert m is not None
        value = numeral_value(m.group(1))
        suffix = m.group(2)
        if value is None:
            return _Tok(raw, "word")
        if not suffix:
            return _Tok(raw, "num", value)
        if suffix == "x":
            return _Tok(raw, "mult", value)
        unit = unit_from_word(suffix)
        if unit is not None:
            return _Tok(raw, "qtyunit", value, unit)
        return _Tok(size_token(value, suffix) or raw, "word")
    if raw in AMBIGUOUS_WORDS:
        return _Tok(raw, "tin")
    value = word_value(raw)
    if value is not None or is_multiplier(raw) or is_plus_half(raw):
        return _Tok(raw, "num", value)
    unit = unit_from_word(raw)
    if unit is not None:
        return _Tok(raw, "unit", unit=unit)
    return _Tok(raw, "word")


def _read_numbers(toks: list[_Tok]) -> list[_Tok]:
    """Merge number words (`dui saya pachas`) and mixed fractions (`1 1/2`) into one token."""
    out: list[_Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind != "num" or (t.value is not None and t.value < 0):
            out.append(t)  # a negative number ("-5") stands alone, sign and all
            i += 1
            continue
        run: list[str] = []
        j = i
        # A number is a few words at most; the cap keeps a run of thousands linear.
        while j < len(toks) and len(run) < _MAX_NUMBER_WORDS and (toks[j].kind == "num" or (
                toks[j].kind == "tin" and run and is_plus_half(run[-1]))):
            # "sawa tin kg": after saade/sawa/paune, tin and chha are the numbers
            run.append(toks[j].text)
            j += 1
        got = read_number_words(run, 0)
        if got is None:
            out.append(_Tok(t.text, "word"))
            i += 1
            continue
        value, used = got
        nxt = toks[i + used] if i + used < len(toks) else None
        if (nxt is not None and nxt.kind == "num" and "/" in nxt.text and nxt.value is not None
                and value == value.to_integral_value() and 0 < nxt.value < 1):
            value += nxt.value
            used += 1
        out.append(_Tok(" ".join(run[:used]) if used <= len(run) else t.text, "num", value))
        i += used
    return out


def _size_words(toks: list[_Tok]) -> list[_Tok]:
    """`9 watt`, `tin inch`, `९ वाट`: a number before a size word describes the product and
    is one name word with it (`9w`, `3inch`), never the quantity."""
    out: list[_Tok] = []
    for t in toks:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "word" and plain_form(prev.text) in PRICE_WORDS
                and t.kind == "num" and t.value is not None):
            out.append(_Tok(_plain(t.value), "word"))  # "Rs 10 wala": a price names a variant
            continue
        if (prev is not None and t.kind == "word" and size_word(t.text) is not None
                and prev.kind in ("num", "tin")):
            value = prev.value if prev.kind == "num" else word_value(prev.text)
            sized = size_token(value, t.text) if value is not None else None
            if sized is not None:
                out[-1] = _Tok(sized, "word")
                continue
        out.append(t)
    return out


def _settle_ambiguous(toks: list[_Tok]) -> list[_Tok]:
    """`tin` is three before a unit or alone at the start, otherwise a tin; `chha` is six
    only before a unit, otherwise the verb "is" and dropped."""
    numbers = sum(1 for t in toks if t.kind in ("num", "qtyunit", "mult"))
    for i, t in enumerate(toks):
        if t.kind != "tin":
            continue
        prev = toks[i - 1] if i > 0 else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        value = word_value(t.text)
        unit = unit_from_word(t.text)
        if unit is None:
            if nxt is not None and nxt.kind in ("unit", "tin"):
                t.kind, t.value = "num", value
            else:
                t.kind = "filler"
            continue
        three = value
        if prev is not None and prev.kind == "num":
            t.kind, t.unit = "unit", Unit.TIN
        elif nxt is not None and nxt.kind in ("unit", "tin"):  # "tin tin" = three tins
            t.kind, t.value = "num", three
        elif nxt is not None and nxt.kind == "num":
            t.kind, t.unit = "unit", Unit.TIN
        elif i == 0 and numbers == 0:
            t.kind, t.value = "num", three
        else:
            t.kind, t.unit = "unit", Unit.TIN
    return [t for t in toks if t.kind != "filler"]


def _weak_units(toks: list[_Tok]) -> None:
    for i, t in enumerate(toks):
        if t.kind == "unit" and t.text in WEAK_UNIT_WORDS:
            prev = toks[i - 1] if i > 0 else None
            if prev is None or prev.kind != "num":
                t.kind, t.unit = "word", None


def _label_units(toks: list[_Tok], index: CatalogIndex) -> None:
    """A unit word only this catalogue sells in ("thaan", "ream") is a unit next to a
    number, and otherwise a word (it may name a product too)."""
    for i, t in enumerate(toks):
        if t.kind != "word" or not index.is_unit_label(t.text):
            continue
        near = [toks[j] for j in (i - 1, i + 1) if 0 <= j < len(toks)]
        if any(n.kind == "num" and n.value is not None for n in near):
            t.kind, t.label = "unit", t.text


Element = _Group | _Tok


def _group(toks: list[_Tok]) -> list[Element]:
    out: list[Element] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < n else None
        after = toks[i + 2] if i + 2 < n else None
        group: _Group | None = None
        if t.kind == "num" and t.value is not None:
            if nxt is not None and nxt.kind == "unit":
                group, i = _Group(t.value, nxt.unit, label=nxt.label), i + 2
            elif (nxt is not None and nxt.kind == "times"
                  and not (after is not None and after.kind == "num")):
                group, i = _Group(t.value, None), i + 2  # "2x"; but "1.5 x 6" is size x qty
            else:
                group, i = _Group(t.value, None, bare=True), i + 1
        elif t.kind == "qtyunit" and t.value is not None:
            group, i = _Group(t.value, t.unit), i + 1
        elif t.kind == "mult" and t.value is not None:
            group, i = _Group(t.value, None), i + 1
        elif t.kind == "times" and nxt is not None and nxt.kind == "num" and nxt.value is not None:
            group, i = _Group(nxt.value, None), i + 2
        elif (t.kind == "unit" and nxt is not None and nxt.kind == "num" and nxt.value is not None
              and not (after is not None and after.kind == "unit")):
            group, i = _Group(nxt.value, t.unit, label=t.label), i + 2
        else:
            if t.kind != "times":
                out.append(t)
            i += 1
            continue
        if group.unit is None and group.label is None and i < n and toks[i].kind == "unit":
            group.unit, group.label, group.bare = toks[i].unit, toks[i].label, False
            i += 1
        out.append(group)
    return out


_ARTICLES = frozenset({"a", "an"})


def _one_before_unit(toks: list[_Tok]) -> list[_Tok]:
    """`a dozen`, `an extra packet`: an article right before a unit word is the number one."""
    out = list(toks)
    for i, t in enumerate(out[:-1]):
        if t.text in _ARTICLES and out[i + 1].kind == "unit":
            out[i] = _Tok("1", "num", Decimal(1))
    return out


def _compound_measures(elements: list[Element]) -> list[Element]:
    """`5 kg 500 gram` is 5.5 kg, `1 litre 200 ml` 1.2 litre: a measure followed by a
    smaller unit of the same kind, less than one of the bigger, adds to it."""
    out: list[Element] = []
    for e in elements:
        prev = out[-1] if out else None
        if (isinstance(e, _Group) and isinstance(prev, _Group) and e.unit is not None
                and prev.unit is not None and e.is_measure and prev.is_measure):
            big, small = Measure(Decimal(1), prev.unit), Measure(e.qty, e.unit)
            if (big.is_mass == small.is_mass and e.unit != prev.unit
                    and 0 < small.base < big.base and prev.qty == prev.qty.to_integral_value()):
                prev.qty = prev.qty + small.base / big.base
                continue
        out.append(e)
    return out


def _descriptors(elements: list[Element]) -> list[Element]:
    """`100g wala`, `1 litre wala`: the size before `wala` picks a variant; the marker goes."""
    out: list[Element] = []
    for e in elements:
        if isinstance(e, _Tok) and e.kind == "word" and plain_form(e.text) in DESCRIPTOR_MARKERS:
            prev = out[-1] if out else None
            if isinstance(prev, _Group):
                prev.size = True
            continue
        out.append(e)
    return out


def _name_numbers(toks: list[_Tok], index: CatalogIndex) -> None:
    """A numeral that with the next word spells a product word ("5 star", "2 pm") is a name."""
    for i, t in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        if (t.kind == "num" and t.text[:1].isdigit() and nxt.kind == "word"
                and index.has_name_token(t.text + nxt.text)):
            t.kind, t.value = "word", None


def _mark_sizes(elements: list[Element]) -> None:
    """A measure or bare number right next to a counted quantity is the pack size."""
    for a, b in itertools.pairwise(elements):
        if not (isinstance(a, _Group) and isinstance(b, _Group)) or a.size or b.size:
            continue
        b_counts = b.is_count or (b.unit is None and not b.bare)
        if (a.is_measure or a.bare) and (b_counts or (a.is_measure and b.bare)):
            a.size = True
        elif b.is_measure and (a.is_count or (a.unit is None and not a.bare)):
            b.size = True


def _size_hint(g: _Group) -> SizeHint:
    if g.unit is not None and g.unit in MEASURE_UNITS:
        return Measure(g.qty, g.unit)
    return g.qty


def _items(elements: list[Element], index: CatalogIndex) -> list[_Item]:
    quantities = [g for g in elements if isinstance(g, _Group) and not g.size]
    if len(quantities) > 1:
        # A bare number that is a word of some product name ("555") is part of the name.
        # Short numbers are too often real quantities to be read that way.
        elements = [
            _Tok(_plain(g.qty), "word")
            if isinstance(g, _Group) and g.bare and len(_plain(g.qty)) >= 3
            and index.has_name_token(_plain(g.qty)) else g
            for g in elements
        ]
        quantities = [g for g in elements if isinstance(g, _Group) and not g.size]
    if len(quantities) <= 1:
        item = _Item(group=quantities[0] if quantities else None)
        for g in elements:
            if g is not item.group:
                _add(item, g)
        return [item]
    # Words between two quantities belong to the second unless the first has none yet
    # (`ariel 5 pkt lifebuoy 12 pcs` and `3 kg mas dal 2 bora pokhreli` both read right).
    items: list[_Item] = []
    buffer = _Item()
    for e in elements:
        if not (isinstance(e, _Group) and not e.size):
            _add(buffer, e)
            continue
        if items and not items[-1].words:
            _merge(items[-1], buffer)
            buffer = _Item()
        buffer.group = e
        items.append(buffer)
        buffer = _Item()
    if buffer.words or buffer.sizes or buffer.unit_word:
        if not items[-1].words:
            _merge(items[-1], buffer)
        else:
            items.append(buffer)
    return _fold_sizes(items)


def _fold_sizes(items: list[_Item]) -> list[_Item]:
    """A wordless measure after an item is its size (`1 pkt chilli powder 100g`); a wordless
    count after an item that only had a measure is its quantity (`100g chilli powder 2 pkt`)."""
    out: list[_Item] = []
    for it in items:
        g = it.group
        if out and not it.words and g is not None:
            prev = out[-1]
            if g.is_measure or g.bare:
                prev.sizes.append(_size_hint(g))
                prev.sizes.extend(it.sizes)
                continue
            if prev.group is not None and (prev.group.is_measure or prev.group.bare):
                prev.sizes.append(_size_hint(prev.group))
                prev.group = g
                continue
        out.append(it)
    return out


def _merge(into: _Item, extra: _Item) -> None:
    into.words.extend(extra.words)
    into.texts.extend(extra.texts)
    into.sizes.extend(extra.sizes)
    into.unit_word = into.unit_word or extra.unit_word


def _plain(value: Decimal) -> str:
    return format(plain(value), "f")


def _add(item: _Item, e: Element) -> None:
    if isinstance(e, _Group):
        item.sizes.append(_size_hint(e))
        item.texts.append(_plain(e.qty) + (e.unit.value if e.unit else ""))
        return
    if e.kind == "unit":
        if item.unit_word is None:
            item.unit_word = e.unit
        item.texts.append(e.text)
        return
    item.words.append(e.text)
    item.texts.append(e.text)


_MAX_NAME_WORDS = 2  # "Ram Bahadur dai"; a longer run is more likely goods


def _address_names(piece: list[_Tok], index: CatalogIndex) -> None:
    """A name opening a piece and followed by an address word is the person spoken to.

    "namaste Sitaram dai, chini 5 kg", "Hari ji 2 kg dal": people put dai, ji, didi …
    after the name of the person they speak to, never after goods, so the one or two
    plain words before it (after only greetings and politeness) become politeness too,
    whatever the name, even when a brand shares it. Not when the catalogue has that name
    with the address word in it (a brand "Bhai Bhai"), not when the two words are one
    product's name ("sitaram ghiu dai"), and not when a number or unit is among them.
    Should nothing but a quantity remain, the usual rescue of filler words (`pani 12
    bottle`) gives the name back, so a quantity is never left without goods.
    """
    for k, t in enumerate(piece):
        if t.kind != "filler" or not is_address(t.text):
            continue
        start = k
        while start > 0 and piece[start - 1].kind == "word":
            start -= 1
        run = piece[start:k]
        if (not run or len(run) > _MAX_NAME_WORDS
                or any(p.kind != "filler" for p in piece[:start])
                or index.names_together(run[-1].text, t.text)
                or (len(run) == 2 and index.names_together(run[0].text, run[1].text))):
            return
        for name in run:
            name.kind = "filler"
        return


def _split_items(segment: str, index: CatalogIndex) -> list[_Item]:
    raw = _TOKEN.findall(segment)
    toks = [_classify(r) for r in raw]
    for t in toks:
        if t.kind == "word" and is_filler(t.text):
            t.kind = "filler"
    for a, b in itertools.pairwise(toks):
        # "namaste ghee": a polite word that with the next word is a product's name
        # (a brand called Namaste) is the name, not a greeting.
        if (a.kind == "filler" and b.kind == "word" and index.has_name_token(a.text)
                and index.has_name_token(b.text) and index.names_together(a.text, b.text)):
            a.kind = "word"
    # The connectors ra/ani/and split items; leading/trailing ones are just noise.
    pieces: list[list[_Tok]] = [[]]
    for t in toks:
        if t.kind == "word" and t.text in _CONNECTORS:
            pieces.append([])
        else:
            pieces[-1].append(t)
    items: list[_Item] = []
    for piece in pieces:
        if not piece:
            continue
        _address_names(piece, index)
        fillers = [t.text for t in piece if t.kind == "filler"]
        piece = _one_before_unit(piece)
        piece = [t for t in piece if t.kind != "filler"]
        piece = _read_numbers(piece)
        piece = _settle_ambiguous(_size_words(piece))
        _weak_units(piece)
        _label_units(piece, index)
        _name_numbers(piece, index)
        elements = _descriptors(_compound_measures(_group(piece)))
        _mark_sizes(elements)
        found = _items(elements, index)
        if (len(found) == 1 and not found[0].words and found[0].group is not None
                and found[0].sizes and items and items[-1].words):
            # "dudh 1 litre ko 20 pouch ra aadha litre ko 40 pouch": a size and a count
            # with no name are more of the product just named.
            found[0].words.extend(items[-1].words)
            found[0].texts[:0] = items[-1].words
        elif len(found) == 1 and not found[0].words and found[0].group is not None and fillers:
            # "pani 12 bottle": a word that is usually filler is the product when nothing else is.
            found[0].words.extend(fillers)
            found[0].texts[:0] = fillers
        items.extend(found)
    return items


# -- intent ---------------------------------------------------------------------

_PHRASES: tuple[tuple[Intent, tuple[tuple[str, ...], ...]], ...] = (
    (Intent.CANCEL, phrase_keys(CANCEL)),
    (Intent.STATUS, phrase_keys(STATUS)),
    (Intent.BALANCE, phrase_keys(BALANCE)),
    (Intent.REORDER, phrase_keys(REORDER)),
    (Intent.HELP, phrase_keys(HELP)),
)
_CONFIRM = phrase_keys(CONFIRM)
_GREETING = phrase_keys(GREETING) + phrase_keys(THANKS)
_WORDS = re.compile(r"[a-z\u0900-\u097f]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def _message_words(text: str) -> list[str]:
    return _WORDS.findall(fold_text(text))


def _message_keys(text: str) -> list[str]:
    return [phonetic_key(w) or w for w in _message_words(text)]


def _contains(keys: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(keys[i:i + n]) == phrase for i in range(len(keys) - n + 1))


def _only(text: str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    """True when every word is part of one of `phrases` or politeness."""
    words = _message_words(text)
    keys = [phonetic_key(w) or w for w in words]
    if not any(p[0] in keys for p in phrases):
        return False
    covered = [False] * len(keys)
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(keys) - n + 1):
            if tuple(keys[i:i + n]) == phrase:
                for j in range(i, i + n):
                    covered[j] = True
    return any(covered) and all(c or is_filler(w) for c, w in zip(covered, words, strict=True))


_HELLO = phrase_keys(GREETING)
_LETTERS = re.compile(r"[a-z\u0900-\u097f]")


def _greets_someone(text: str, index: CatalogIndex) -> bool:
    """"namaste Sitaram", "hello Hari": a greeting, then only a name — the person spoken to.

    After a greeting, one or two words that name no kind of goods, with no number,
    unit or command anywhere, are whom the shop greets, even when a brand shares the
    name (shops and brands are named after people and gods). A kind of goods
    ("namaste, ghiu") is still goods, and so is anything with a quantity. Greeting
    back costs a shop one message if it meant the brand; asking "how many Sitaram
    Ghee?" of a hello is the bot not listening.
    """
    if re.search(r"\d", text):
        return False
    words = _message_words(text)
    keys = [phonetic_key(w) or w for w in words]
    opening = max((len(p) for p in _HELLO if tuple(keys[:len(p)]) == p), default=0)
    # Emoji ("namaste Sitaram ji 🙏") are politeness here; words are letters of either script.
    rest = [w for w in words[opening:] if _LETTERS.match(w) and not is_filler(w)]
    if not opening or not 1 <= len(rest) <= _MAX_NAME_WORDS:
        return False
    if any(unit_from_word(w) is not None or word_value(w) is not None for w in rest):
        return False
    return keyword_intent(" ".join(rest)) is None and not index.names_a_kind(rest)


_FIRST_KEYS: frozenset[str] = frozenset(p[0] for _, ps in _PHRASES for p in ps)
_GREETING_FIRST: frozenset[str] = frozenset(p[0] for p in _GREETING)


def keyword_intent(text: str) -> Intent | None:
    """The non-order intent a message's words announce, if any."""
    keys = _message_keys(text)
    if not keys:
        return None
    if _FIRST_KEYS.intersection(keys):
        for intent, phrases in _PHRASES:
            if any(_contains(keys, p) for p in phrases):
                return intent
    if _only(text, _CONFIRM):
        return Intent.CONFIRM
    if _GREETING_FIRST.intersection(keys) and any(_contains(keys, p) for p in _GREETING):
        return Intent.GREETING
    return _misspelt_command(text)


# One-word commands of five letters or more, for reading typos (cancle, balence, staus,
# reoder). Compared as written, not by sound key, so "candle" (two edits from cancel)
# stays a product.
_COMMAND_WORDS: tuple[tuple[Intent, str], ...] = tuple(
    (intent, p[0]) for intent, words in (
        (Intent.CANCEL, CANCEL), (Intent.STATUS, STATUS), (Intent.BALANCE, BALANCE),
        (Intent.REORDER, REORDER), (Intent.HELP, HELP))
    for p in (w.split() for w in words) if len(p) == 1 and len(p[0]) >= 5 and p[0].isascii())


def _misspelt_command(text: str) -> Intent | None:
    """The command a word one edit (a slip or a swap of two letters) from it names."""
    for word in _message_words(text):
        if len(word) < 5 or not word.isascii():
            continue
        for intent, command in _COMMAND_WORDS:
            if OSA.distance(word, command, score_cutoff=1) <= 1:
                return intent
    return None


def _is_question(text: str, keys: list[str]) -> bool:
    return any(k in QUESTION_WORDS for k in keys)


# -- entry point ----------------------------------------------------------------


_SIZE_WORD = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")


def _is_size_word(word: str) -> bool:
    """True for a name word that is a descriptive size (9w, 2inch), as `_size_words` makes."""
    m = _SIZE_WORD.fullmatch(word)
    return m is not None and size_word(m.group(2)) is not None


_SENTENCE_SPLIT = re.compile(r"(?<=[.!।])(?!\d)|\n")


def _without_complaints(text: str) -> str:
    """The message without its sentences that complain about or report a delivery."""
    kept = [s for s in _SENTENCE_SPLIT.split(text)
            if not any(is_complaint(w) for w in _message_words(s))]
    return "\n".join(kept)


def parse_message(text: str, index: CatalogIndex) -> ParsedMessage:
    """Read a retailer's message into an intent and order lines."""
    ordered = _without_complaints(text)
    if ordered.strip() != text.strip():
        announced = keyword_intent(text)
        if not _message_keys(ordered):
            # Only a complaint ("3 pouch dudh futeko thiyo"): the conversation answers it.
            return ParsedMessage(announced or Intent.OTHER)
        text = ordered
    keys = _message_keys(text)
    announced = keyword_intent(text)
    if _is_question(text, keys):
        return ParsedMessage(announced or Intent.OTHER)
    if announced is Intent.CONFIRM:
        return ParsedMessage(Intent.CONFIRM)
    if _only(text, _GREETING) or not keys:
        # Greetings, thanks and emoji-only messages never carry an order.
        return ParsedMessage(Intent.GREETING if keys else Intent.OTHER)
    if _greets_someone(text, index):
        return ParsedMessage(Intent.GREETING)
    lines: list[ParsedLine] = []
    any_qty = False
    named: list[str] = []  # the words of the last item that named a product
    for segment in _segments(text):
        for item in _split_items(segment, index):
            if item.group is not None and named and (
                    (not item.words and item.sizes) or
                    (item.words and all(_is_size_word(w) for w in item.words))):
                # "led bulb 9W 20 pcs, 12W 10 pcs", "coke 500ml 12 bottle, 1.5L 6 bottle":
                # a size and a count alone are more of the product just named.
                kept = [w for w in named if not _is_size_word(w)]
                item.words[:0] = kept
                item.texts[:0] = kept
            if not item.words:
                continue
            named = item.words
            qty = item.group.qty if item.group else None
            unit = item.group.unit if item.group and item.group.unit else item.unit_word
            if (unit is Unit.PIECE and item.unit_word is not None
                    and item.unit_word not in MEASURE_UNITS):
                # "clinic plus bottle 3 ota": ota counts, the word names what is counted
                unit = item.unit_word
            label = item.group.label if item.group else None
            any_qty = any_qty or item.group is not None
            got = index.resolve(item.words, qty, unit, item.sizes, label)
            line_text = " ".join(item.texts if item.group is None else
                                 [*item.texts, _plain(item.group.qty)
                                  + (" " + item.group.unit.value if item.group.unit else "")])
            note = None
            if got.qty is None:
                # Never a silent 1: the conversation asks, and says why.
                note = QtyNote.NOT_WHOLE if got.not_whole else QtyNote.MISSING
            lines.append(ParsedLine(line_text, got.sku, got.qty, got.unit, got.candidates,
                                    note))
    useful = [ln for ln in lines if ln.status is not LineStatus.UNKNOWN or ln.unit is not None]
    if not any_qty and not any(c.score >= ACCEPT for ln in lines for c in ln.candidates):
        # No quantity and nothing named with confidence ("aaja pasal banda chha"): a
        # remark, not an order; a weak look-alike is no reason to start a cart.
        useful = []
    if "?" in text and not (any_qty and any(is_request(w) for w in _message_words(text))):
        # "chini 5 kg chha?" asks; "5 kg chini pathaidinu hunchha?" orders.
        return ParsedMessage(announced or Intent.OTHER)
    if announced in (Intent.CANCEL, Intent.STATUS, Intent.BALANCE, Intent.REORDER, Intent.HELP) \
            and not (useful and any_qty):
        return ParsedMessage(announced)
    if useful:
        return ParsedMessage(Intent.ORDER, tuple(lines))
    return ParsedMessage(announced or Intent.OTHER)
