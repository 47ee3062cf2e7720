"""Units of sale, the words retailers use for them, and exact conversions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.numbers import plain


class Unit(StrEnum):
    """A unit a product is sold in, or a unit a retailer asks in."""

    KG = "kg"
    G = "g"
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
    BUNDLE = "bundle"
    DOZEN = "dozen"


_SYNONYMS: dict[Unit, tuple[str, ...]] = {
    Unit.KG: ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme",
              "केजी", "किलो", "किलोग्राम", "के.जी"),
    Unit.G: ("g", "gm", "gms", "gram", "grams", "gr", "grm", "ग्राम"),
    Unit.LITRE: ("l", "ltr", "ltrs", "lt", "litre", "liter", "litres", "liters", "lit",
                 "लिटर", "लि"),
    Unit.ML: ("ml", "mls", "millilitre", "milliliter", "एमएल", "मिलि"),
    Unit.BAG: ("bag", "bags", "bora", "boro", "bori", "boraa", "sack", "sacks",
               "बोरा", "बोरी"),
    Unit.CARTON: ("ctn", "ctns", "carton", "cartons", "karton", "kartoon", "cartoon",
                  "peti", "case", "cases", "कार्टुन", "कार्टून", "पेटी"),
    Unit.PACKET: ("pkt", "pkts", "packet", "packets", "pack", "packs", "poka", "pokaa",
                  "pouch", "sachet", "paket", "pakat", "प्याकेट", "पोका"),
    Unit.PIECE: ("pcs", "pc", "piece", "pieces", "wota", "ota", "wata", "oota", "gota",
                 "nos", "pis", "वटा", "ओटा", "गोटा", "थान"),
    Unit.BOTTLE: ("bottle", "bottles", "btl", "botal", "bottal", "botel", "बोतल"),
    Unit.TIN: ("tin", "tins", "टिन"),
    Unit.JAR: ("jar", "jars", "बट्टा", "जार"),
    Unit.CAN: ("can", "cans", "क्यान"),
    Unit.BOX: ("box", "boxes", "dibba", "डिब्बा", "बाकस"),
    Unit.TRAY: ("tray", "trays", "ट्रे"),
    Unit.BUNDLE: ("bundle", "bundles", "bdl", "mutha", "मुठा"),
    Unit.DOZEN: ("dozen", "dozens", "doz", "dz", "darjan", "darjen", "दर्जन"),
}
_WORD_TO_UNIT: dict[str, Unit] = {w: u for u, words in _SYNONYMS.items() for w in words}

#: One-letter unit abbreviations: ordinary letters (Parle-G) unless a number stands before them.
WEAK_UNIT_WORDS: frozenset[str] = frozenset({"lit", "lt", "l", "g", "gr"})

#: Units a product may be sold in (schema.sql's products.unit check).
CATALOG_UNITS = frozenset({
    Unit.KG, Unit.LITRE, Unit.BAG, Unit.CARTON, Unit.PACKET, Unit.PIECE, Unit.BOTTLE, Unit.TIN,
    Unit.JAR, Unit.TRAY, Unit.BUNDLE, Unit.DOZEN, Unit.BOX,
})
MASS_UNITS = frozenset({Unit.KG, Unit.G})
VOLUME_UNITS = frozenset({Unit.LITRE, Unit.ML})
MEASURE_UNITS = MASS_UNITS | VOLUME_UNITS
#: In speech a "piece" and a "packet" of a small retail item are the same thing.
_LOOSE_ITEMS = frozenset({Unit.PIECE, Unit.PACKET})
_DOZEN_ITEMS = frozenset({Unit.PIECE, Unit.PACKET, Unit.BOTTLE, Unit.CAN, Unit.JAR, Unit.BOX})
_BASE: dict[Unit, Decimal] = {
    Unit.KG: Decimal(1000), Unit.G: Decimal(1), Unit.LITRE: Decimal(1000), Unit.ML: Decimal(1),
}


def unit_from_word(word: str) -> Unit | None:
    """The unit a word names (any synonym, English, romanised or Devanagari), if any."""
    return _WORD_TO_UNIT.get(word.strip(".").lower())


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


class Fit(StrEnum):
    """How a retailer's unit relates to the unit a product is sold in."""

    SAME = "same"
    LOOSE = "loose"
    CONVERTED = "converted"
    NONE_GIVEN = "none_given"
    INCOMPATIBLE = "incompatible"


def convert(
    qty: Decimal | None, asked: Unit | None, sold: Unit, pack: Measure | None,
    forms: frozenset[Unit] = frozenset(),
) -> tuple[Decimal | None, Fit]:
    """Quantity in the product's own unit, or INCOMPATIBLE when no exact conversion exists.

    `pack` is the amount one unit of the product holds (from its name: "1L", "100g");
    `forms` are other names the product's own unit goes by ("Coca-Cola 250ml Can" is
    sold per piece, and a piece of it is a can).
    """
    if asked is None:
        return qty, Fit.NONE_GIVEN
    if asked == sold or asked in forms:
        return qty, Fit.SAME
    if asked == Unit.DOZEN:
        # Dozens count small items; a dozen cartons or bags is not how anyone orders.
        if sold not in _DOZEN_ITEMS:
            return qty, Fit.INCOMPATIBLE
        return (qty * 12 if qty is not None else None), Fit.LOOSE
    if asked in MEASURE_UNITS:
        return _convert_measure(qty, Measure(Decimal(1), asked), sold, pack)
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
    count = qty * one.base / pack.base
    if count < 1 or count != count.to_integral_value():
        return qty, Fit.INCOMPATIBLE
    # "5 litre" of 1 L bottles is simply five bottles: as good as naming the unit.
    return plain(count), (Fit.SAME if pack.base == one.base else Fit.CONVERTED)
