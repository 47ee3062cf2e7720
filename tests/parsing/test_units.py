"""Unit words in three scripts, and conversions that are exact or refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.units import Fit, Measure, Unit, convert, find_measures, unit_from_word


@pytest.mark.parametrize(
    ("word", "unit"),
    [("kg", Unit.KG), ("kilo", Unit.KG), ("केजी", Unit.KG), ("किलो", Unit.KG),
     ("bora", Unit.BAG), ("boro", Unit.BAG), ("बोरा", Unit.BAG), ("sack", Unit.BAG),
     ("ctn", Unit.CARTON), ("karton", Unit.CARTON), ("कार्टुन", Unit.CARTON), ("peti", Unit.CARTON),
     ("pkt", Unit.PACKET), ("poka", Unit.PACKET), ("प्याकेट", Unit.PACKET),
     ("pcs", Unit.PIECE), ("wota", Unit.PIECE), ("ota", Unit.PIECE), ("वटा", Unit.PIECE),
     ("ltr", Unit.LITRE), ("l", Unit.LITRE), ("botal", Unit.BOTTLE), ("बोतल", Unit.BOTTLE),
     ("tin", Unit.TIN), ("jar", Unit.JAR), ("ट्रे", Unit.TRAY), ("bundle", Unit.BUNDLE),
     ("darjan", Unit.DOZEN), ("dozen", Unit.DOZEN)],
)
def test_unit_synonyms(word: str, unit: Unit) -> None:
    assert unit_from_word(word) == unit


def test_litres_of_one_litre_bottles_are_that_many_bottles() -> None:
    qty, fit = convert(Decimal(5), Unit.LITRE, Unit.BOTTLE, Measure(Decimal(1), Unit.LITRE))
    assert (qty, fit) == (Decimal(5), Fit.SAME)


def test_dozen_becomes_twelve_pieces() -> None:
    assert convert(Decimal(2), Unit.DOZEN, Unit.PIECE, None) == (Decimal(24), Fit.LOOSE)


def test_dozens_of_cartons_are_refused() -> None:
    assert convert(Decimal(2), Unit.DOZEN, Unit.CARTON, None)[1] is Fit.INCOMPATIBLE


def test_weight_converts_to_packets_when_exact() -> None:
    pack = Measure(Decimal(100), Unit.G)
    assert convert(Decimal(1), Unit.KG, Unit.PACKET, pack) == (Decimal(10), Fit.CONVERTED)


def test_weight_that_is_not_a_whole_number_of_packs_is_refused() -> None:
    pack = Measure(Decimal(25), Unit.KG)
    assert convert(Decimal(2), Unit.KG, Unit.BAG, pack)[1] is Fit.INCOMPATIBLE


def test_grams_convert_to_kilograms() -> None:
    assert convert(Decimal(500), Unit.G, Unit.KG, None) == (Decimal("0.5"), Fit.CONVERTED)


def test_volume_never_converts_to_weight() -> None:
    assert convert(Decimal(2), Unit.LITRE, Unit.KG, None)[1] is Fit.INCOMPATIBLE


def test_a_bag_is_not_a_carton() -> None:
    assert convert(Decimal(1), Unit.BAG, Unit.CARTON, None)[1] is Fit.INCOMPATIBLE


def test_a_form_named_in_the_product_counts_as_its_unit() -> None:
    assert convert(Decimal(6), Unit.CAN, Unit.PIECE, None, frozenset({Unit.CAN}))[1] is Fit.SAME


def test_sizes_are_found_in_product_names() -> None:
    assert find_measures("coca-cola 1.5l") == [Measure(Decimal("1.5"), Unit.LITRE)]
    assert find_measures("maggi 70g carton (48 pcs)") == [Measure(Decimal(70), Unit.G)]
