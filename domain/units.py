"""Units of sale, the words retailers use for them, and exact conversions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.normalize import phonetic_key
from domain.numbers import plain


class Unit(StrEnum):
    """A unit the project knows: a product is sold in it, or a retailer asks in it.

    Units are open: a catalogue may sell in any unit word. Words for these units
    (synonyms, misspellings, three scripts) read as the unit; any other word is
    kept as a label (`products.unit` as written) and matched literally.
    """

    KG = "kg"
    G = "g"
    QUINTAL = "quintal"
    LITRE = "litre"
    ML = "ml"
    BAG = "bag"
    CARTON = "carton"
    PACKET = "packet"
    PIECE = "piece"
    BOTTLE = "bottle"
    TIN = "tin"
    JAR = "jar"
    CAN = "can"
    BOX = "box"
    TRAY = "tray"
    CRATE = "crate"
    BUNDLE = "bundle"
    DOZEN = "dozen"
    STRIP = "strip"
    SACHET = "sachet"
    POUCH = "pouch"
    ROLL = "roll"
    CUP = "cup"
    LOAF = "loaf"
    SET = "set"
    PAIR = "pair"
    PAU = "pau"  # a quarter kilogram, as Nepali shops weigh


_SYNONYMS: dict[Unit, tuple[str, ...]] = {
    Unit.KG: ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "keji",
              "kj", "केजी", "किलो", "किलोग्राम", "के.जी", "केजि"),
    Unit.G: ("g", "gm", "gms", "gram", "grams", "gr", "grm", "grams", "gramme", "ग्राम"),
    Unit.QUINTAL: ("quintal", "quintals", "qtl", "kwintal", "kuintal", "क्विन्टल", "क्वीन्टल"),
    Unit.LITRE: ("l", "ltr", "ltrs", "lt", "litre", "liter", "litres", "liters", "lit",
                 "litar", "liter", "लिटर", "लि"),
    Unit.ML: ("ml", "mls", "millilitre", "milliliter", "एमएल", "मिलि"),
    Unit.BAG: ("bag", "bags", "bora", "boro", "bori", "boraa", "sack", "sacks",
               "बोरा", "बोरी"),
    Unit.CARTON: ("ctn", "ctns", "carton", "cartons", "karton", "kartoon", "cartoon",
                  "peti", "case", "cases", "कार्टुन", "कार्टून", "पेटी"),
    Unit.PACKET: ("pkt", "pkts", "packet", "packets", "pack", "packs", "poka", "pokaa",
                  "paket", "pakat", "pakets", "pacet", "pakit", "प्याकेट", "पोका", "प्याकट"),
    Unit.PIECE: ("pcs", "pc", "piece", "pieces", "wota", "ota", "wata", "oota", "gota",
                 "nos", "pis", "peace", "thaan", "वटा", "ओटा", "गोटा", "थान", "पिस"),
    Unit.BOTTLE: ("bottle", "bottles", "btl", "botal", "bottal", "botel", "बोतल"),
    Unit.TIN: ("tin", "tins", "टिन"),
    Unit.JAR: ("jar", "jars", "बट्टा", "जार"),
    Unit.CAN: ("can", "cans", "kan", "क्यान"),
    Unit.BOX: ("box", "boxes", "dibba", "baksa", "baksaa", "डिब्बा", "बाकस", "बक्स", "बक्सा"),
    Unit.TRAY: ("tray", "trays", "ट्रे"),
    Unit.CRATE: ("crate", "crates", "kret", "क्रेट"),
    Unit.BUNDLE: ("bundle", "bundles", "bdl", "mutha", "bandal", "bandel", "bundal", "मुठा",
                  "बन्डल", "बण्डल"),
    Unit.DOZEN: ("dozen", "dozens", "doz", "dz", "darjan", "darjen", "दर्जन"),
    Unit.STRIP: ("strip", "strips", "patta", "lari", "laari", "स्ट्रिप", "पत्ता", "लरी", "लडी"),
    Unit.SACHET: ("sachet", "sachets", "satchet", "pouchi", "साचेट"),
    Unit.POUCH: ("pouch", "pouches", "पाउच"),
    Unit.ROLL: ("roll", "rolls", "रोल"),
    Unit.CUP: ("cup", "cups", "कप"),
    Unit.LOAF: ("loaf", "loaves", "loafs"),
    Unit.SET: ("set", "sets", "सेट"),
    Unit.PAIR: ("pair", "pairs", "jor", "jodi", "जोर", "जोडी"),
    Unit.PAU: ("pau", "pav", "पाउ"),
}
_WORD_TO_UNIT: dict[str, Unit] = {w: u for u, words in _SYNONYMS.items() for w in words}
# A misspelling reads as the unit when it sounds like one of the words (pakets, bottels,
# kartons). Only words of five letters or more: a short word's sound key collides too
# easily with a product word.
_KEY_TO_UNIT: dict[str, Unit] = {}
for _unit, _words in _SYNONYMS.items():
    for _w in _words:
        if len(_w) >= 4 and _w.isascii():
            _KEY_TO_UNIT.setdefault(phonetic_key(_w), _unit)

#: One-letter unit abbreviations: ordinary letters (Parle-G) unless a number stands before them.
WEAK_UNIT_WORDS: frozenset[str] = frozenset({"lit", "lt", "l", "g", "gr", "set", "cup", "roll",
                                              "pair", "strip", "kan", "patta", "jor",
                                              "pau", "pav"})

MASS_UNITS = frozenset({Unit.KG, Unit.G, Unit.QUINTAL, Unit.PAU})
VOLUME_UNITS = frozenset({Unit.LITRE, Unit.ML})
MEASURE_UNITS = MASS_UNITS | VOLUME_UNITS
#: In speech a piece, a packet, a sachet and a pouch of a small retail item are the same.
#: A loaf of bread is sold in its packet.
_LOOSE_ITEMS = frozenset({Unit.PIECE, Unit.PACKET, Unit.SACHET, Unit.POUCH, Unit.LOAF})
_DOZEN_ITEMS = frozenset({Unit.PIECE, Unit.PACKET, Unit.BOTTLE, Unit.CAN, Unit.JAR, Unit.BOX,
                          Unit.SACHET, Unit.POUCH, Unit.CUP, Unit.ROLL, Unit.LOAF, Unit.SET,
                          Unit.PAIR, Unit.STRIP, Unit.TIN})
_BASE: dict[Unit, Decimal] = {
    Unit.KG: Decimal(1000), Unit.G: Decimal(1), Unit.QUINTAL: Decimal(100_000),
    Unit.PAU: Decimal(250),
    Unit.LITRE: Decimal(1000), Unit.ML: Decimal(1),
}
#: Longest unit label a catalogue may use for a unit the project does not know.
MAX_LABEL = 32


def unit_from_word(word: str) -> Unit | None:
    """The unit a word names (any synonym, English, romanised or Devanagari), if any."""
    w = word.strip().strip(".").lower()
    found = _WORD_TO_UNIT.get(w)
    if found is None and len(w) >= 5 and w.isascii() and w.isalpha():
        found = _KEY_TO_UNIT.get(phonetic_key(w))
    return found


# Words after a number that describe the product (a 9 W bulb, a 2 inch nail, a 4 ft tube)
# rather than count it: the number and the word are one name word ("9w", "2inch").
_SIZE_WORDS: dict[str, str] = {
    "w": "w", "watt": "w", "watts": "w", "wat": "w", "वाट": "w",
    "inch": "inch", "inches": "inch", "इन्च": "inch", "इन्ची": "inch",
    "ft": "ft", "feet": "ft", "foot": "ft", "फिट": "ft",
    "mm": "mm", "cm": "cm", "m": "m", "meter": "m", "metre": "m", "mtr": "m", "मिटर": "m",
    "v": "v", "volt": "v", "volts": "v", "amp": "a", "amps": "a", "mah": "mah", "gb": "gb",
}


def size_word(word: str) -> str | None:
    """The canonical suffix of a descriptive size word (watt → w, inches → inch), if it is one."""
    return _SIZE_WORDS.get(word.strip(".").lower())


def size_token(number: Decimal, word: str) -> str | None:
    """`9` and `watt` as one name word, `9w`; None when `word` is not a size word."""
    suffix = size_word(word)
    return None if suffix is None else format(plain(number), "f") + suffix


def unit_label(word: str) -> str:
    """How a catalogue's unit is stored: the canonical unit, or the word itself folded."""
    unit = unit_from_word(word)
    return unit.value if unit is not None else " ".join(word.lower().split())


@dataclass(frozen=True, slots=True)
class Measure:
    """A mass or volume such as 500 ml or 1.5 kg."""

    value: Decimal
    unit: Unit

    @property
    def base(self) -> Decimal:
        """Value in grams or millilitres."""
        return self.value * _BASE[self.unit]

    @property
    def is_mass(self) -> bool:
        """True for kg/g, False for litre/ml."""
        return self.unit in MASS_UNITS

    def same_amount(self, other: Measure) -> bool:
        """True when both measure the same amount of the same kind."""
        return self.is_mass == other.is_mass and self.base == other.base


_MEASURE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([a-z\u0900-\u097f.]+)")


def find_measures(text: str) -> list[Measure]:
    """Every `number unit` mass or volume written in `text` (e.g. a product name)."""
    out: list[Measure] = []
    for m in _MEASURE_RE.finditer(text.lower()):
        unit = unit_from_word(m.group(2))
        if unit in MEASURE_UNITS:
            assert unit is not None
            out.append(Measure(Decimal(m.group(1)), unit))
    return out


@dataclass(frozen=True, slots=True)
class PackCount:
    """How many of a smaller unit one selling unit holds: a carton of 30 packets."""

    count: Decimal
    inner: Unit


#: "(30 pcs)", "24 cups", "x 12 bottles", "of 10": a count of a counted unit.
_COUNT_RE = re.compile(r"(\d+)\s*(?:x\s*)?([a-z\u0900-\u097f]+)")
_DOZEN_WORD_RE = re.compile(r"\b(?:dozen|doz|dz|darjan|दर्जन)\b")


def find_pack_count(text: str) -> PackCount | None:
    """The contents a product name or pack cell states: "Carton (30 pkt)", "Tray (30 pcs)",
    "Steel Plate (dozen)". Measures (25kg) are not counts: see `find_measures`."""
    low = text.lower()
    found: PackCount | None = None
    for m in _COUNT_RE.finditer(low):
        unit = unit_from_word(m.group(2))
        if unit is not None and unit not in MEASURE_UNITS and unit is not Unit.DOZEN:
            count = Decimal(m.group(1))
            if count > 1:
                found = PackCount(count, unit)
    if found is None and _DOZEN_WORD_RE.search(low):
        found = PackCount(Decimal(12), Unit.PIECE)
    return found


class Fit(StrEnum):
    """How a retailer's unit relates to the unit a product is sold in."""

    SAME = "same"
    LOOSE = "loose"
    CONVERTED = "converted"
    NONE_GIVEN = "none_given"
    PACKED = "packed"            # a count of what the pack holds: 60 eggs of 30-egg trays
    NOT_WHOLE = "not_whole"      # convertible, but not into a whole number of selling units
    INCOMPATIBLE = "incompatible"


def _counts_as(asked: Unit, inner: Unit) -> bool:
    """True when a retailer's count unit counts the pack's contents ("60 ota" of 30 pcs)."""
    if asked == inner or asked == Unit.PIECE:
        return True
    return asked in _LOOSE_ITEMS and inner in _LOOSE_ITEMS


def _whole(count: Decimal, how: Fit) -> tuple[Decimal | None, Fit]:
    if count <= 0 or count != count.to_integral_value():
        return None, Fit.NOT_WHOLE
    return plain(count), how


def convert(
    qty: Decimal | None, asked: Unit | None, sold: Unit | None, pack: Measure | None,
    forms: frozenset[Unit] = frozenset(), contents: PackCount | None = None,
    asked_label: str | None = None, sold_label: str | None = None,
) -> tuple[Decimal | None, Fit]:
    """Quantity in the product's own unit, or why it cannot be had.

    `pack` is the amount one unit of the product holds (from its name: "1L", "100g");
    `contents` how many smaller units it holds ("Carton (30 pkt)", a dozen); `forms`
    other names the product's own unit goes by ("Coca-Cola 250ml Can" is sold per
    piece, and a piece of it is a can). `sold` None is a unit the project does not
    know, kept as `sold_label` and matched literally (as is `asked_label`). A count
    that converts but not into whole selling units is NOT_WHOLE with no quantity:
    the conversation asks rather than rounds.
    """
    if asked is None:
        if asked_label is None:
            return qty, Fit.NONE_GIVEN
        return (qty, Fit.SAME) if asked_label == sold_label else (qty, Fit.INCOMPATIBLE)
    if sold is None:
        # A label unit: "ota"/"pcs" counts whatever it is; nothing else converts.
        return (qty, Fit.LOOSE) if asked == Unit.PIECE else (qty, Fit.INCOMPATIBLE)
    if sold == Unit.DOZEN and contents is None:
        contents = PackCount(Decimal(12), Unit.PIECE)
    if asked == sold:
        return qty, Fit.SAME
    if asked in MEASURE_UNITS:
        return _convert_measure(qty, Measure(Decimal(1), asked), sold, pack)
    if asked == Unit.DOZEN:
        # Dozens count small items; a dozen cartons or bags is not how anyone orders.
        if contents is None and sold not in _DOZEN_ITEMS:
            return qty, Fit.INCOMPATIBLE
        qty = None if qty is None else qty * 12
        asked = Unit.PIECE
        if contents is None:
            return qty, Fit.LOOSE
    if contents is not None and _counts_as(asked, contents.inner) and asked not in forms:
        if qty is None:
            return None, Fit.PACKED
        return _whole(qty / contents.count, Fit.PACKED)
    if asked in forms:
        return qty, Fit.SAME
    if asked == Unit.PIECE and sold not in MEASURE_UNITS:
        return qty, Fit.LOOSE  # "wota"/"pcs" counts whatever the product is sold in
    if asked in _LOOSE_ITEMS and sold in _LOOSE_ITEMS:
        return qty, Fit.LOOSE
    return qty, Fit.INCOMPATIBLE


def _convert_measure(
    qty: Decimal | None, one: Measure, sold: Unit, pack: Measure | None
) -> tuple[Decimal | None, Fit]:
    if sold in MEASURE_UNITS:
        target = Measure(Decimal(1), sold)
        if target.is_mass != one.is_mass:
            return qty, Fit.INCOMPATIBLE
        if qty is None:
            return None, Fit.CONVERTED
        return plain(qty * one.base / target.base), Fit.CONVERTED
    if pack is None or pack.is_mass != one.is_mass or pack.base == 0:
        return qty, Fit.INCOMPATIBLE
    if qty is None:
        return None, Fit.CONVERTED
    count, how = _whole(qty * one.base / pack.base, Fit.CONVERTED)
    if count is not None and pack.base == one.base:
        # "5 litre" of 1 L bottles is simply five bottles: as good as naming the unit.
        how = Fit.SAME
    return count, how
