"""Unit words in three scripts, and conversions that are exact or refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.units import (
    Fit,
    Measure,
    PackCount,
    Unit,
    convert,
    find_measures,
    find_pack_count,
    unit_from_word,
    unit_label,
)


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


def test_weight_that_is_not_a_whole_number_of_packs_has_no_quantity() -> None:
    pack = Measure(Decimal(25), Unit.KG)
    assert convert(Decimal(2), Unit.KG, Unit.BAG, pack) == (None, Fit.NOT_WHOLE)


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


@pytest.mark.parametrize(
    ("word", "unit"),
    [("crate", Unit.CRATE), ("strip", Unit.STRIP), ("lari", Unit.STRIP), ("sachet", Unit.SACHET),
     ("pouch", Unit.POUCH), ("roll", Unit.ROLL), ("can", Unit.CAN), ("kan", Unit.CAN),
     ("keji", Unit.KG), ("quintal", Unit.QUINTAL), ("जोडी", Unit.PAIR), ("cups", Unit.CUP)],
)
def test_units_a_wholesaler_uses_are_known(word: str, unit: Unit) -> None:
    assert unit_from_word(word) == unit


@pytest.mark.parametrize(("word", "unit"), [("pakets", Unit.PACKET), ("bottels", Unit.BOTTLE),
                                            ("kartons", Unit.CARTON), ("Liter", Unit.LITRE)])
def test_misspelt_units_read_as_the_unit_they_sound_like(word: str, unit: Unit) -> None:
    assert unit_from_word(word) == unit


def test_a_unit_nobody_listed_is_kept_as_its_own_label() -> None:
    assert unit_label("Thaan ") == "piece"  # a Nepali word we know
    assert unit_label("Ream") == "ream"
    assert unit_label("  Gaddi  Bundle ") == "gaddi bundle"


def test_a_label_unit_matches_only_itself() -> None:
    assert convert(Decimal(3), None, None, None, asked_label="ream", sold_label="ream") == (
        Decimal(3), Fit.SAME)
    assert convert(Decimal(3), Unit.KG, None, None, sold_label="ream")[1] is Fit.INCOMPATIBLE
    assert convert(Decimal(3), None, Unit.BOX, None, asked_label="ream")[1] is Fit.INCOMPATIBLE


def test_pack_contents_are_read_from_names() -> None:
    assert find_pack_count("2pm noodles carton (30 pkt)") == PackCount(Decimal(30), Unit.PACKET)
    assert find_pack_count("eggs tray (30 pcs)") == PackCount(Decimal(30), Unit.PIECE)
    assert find_pack_count("steel plate (dozen)") == PackCount(Decimal(12), Unit.PIECE)
    assert find_pack_count("sugar 50kg bag") is None


def test_packets_of_a_product_sold_per_dozen_are_dozens() -> None:
    assert convert(Decimal(24), Unit.PACKET, Unit.DOZEN, None) == (Decimal(2), Fit.PACKED)


def test_pieces_of_a_tray_are_trays_when_whole_and_asked_otherwise() -> None:
    tray = PackCount(Decimal(30), Unit.PIECE)
    assert convert(Decimal(60), Unit.PIECE, Unit.TRAY, None, contents=tray) == (
        Decimal(2), Fit.PACKED)
    assert convert(Decimal(45), Unit.PIECE, Unit.TRAY, None, contents=tray) == (
        None, Fit.NOT_WHOLE)


def test_dozens_of_a_pack_count_its_pieces() -> None:
    tray = PackCount(Decimal(30), Unit.PIECE)
    assert convert(Decimal("2.5"), Unit.DOZEN, Unit.TRAY, None, contents=tray) == (
        Decimal(1), Fit.PACKED)


def test_a_quintal_is_a_hundred_kilograms() -> None:
    bag = Measure(Decimal(25), Unit.KG)
    assert convert(Decimal(1), Unit.QUINTAL, Unit.BAG, bag) == (Decimal(4), Fit.CONVERTED)
    assert convert(Decimal(1), Unit.QUINTAL, Unit.KG, None) == (Decimal(100), Fit.CONVERTED)


def test_kilograms_of_a_bag_are_bags() -> None:
    bag = Measure(Decimal(25), Unit.KG)
    assert convert(Decimal(50), Unit.KG, Unit.BAG, bag) == (Decimal(2), Fit.CONVERTED)


def test_bottles_of_a_crate_are_crates() -> None:
    crate = PackCount(Decimal(24), Unit.BOTTLE)
    assert convert(Decimal(48), Unit.PIECE, Unit.CRATE, None, contents=crate) == (
        Decimal(2), Fit.PACKED)
    assert convert(Decimal(48), Unit.BOTTLE, Unit.CRATE, None, contents=crate) == (
        Decimal(2), Fit.PACKED)
