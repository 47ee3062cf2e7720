"""Sizes and descriptors pick a variant and are not the quantity; complaints and
remarks are not orders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.ordertext import Intent, parse_message
from domain.resolver import CatalogIndex
from tests.parsing.conftest import index_from_csv

CATALOG = ("sku,name,unit,aliases,category,price\n"
           "LAMP-7,Philips LED Lamp 7W,pcs,philips lamp|lamp,electric,150\n"
           "LAMP-15,Philips LED Lamp 15W,pcs,philips lamp|lamp,electric,260\n"
           "SCREW-1,Wood Screw 1 inch (per kg),kg,screw|pech,hardware,300\n"
           "SCREW-2,Wood Screw 2 inch (per kg),kg,screw|pech,hardware,320\n"
           "JUICE-200,Real Juice 200ml,bottle,real juice|juice,drinks,40\n"
           "JUICE-1L,Real Juice 1L,bottle,real juice|juice,drinks,180\n"
           "CHEESE-200,Britannia Cheese 200g,pcs,britannia cheese,dairy,300\n"
           "COCONUT-OIL,Parachute Coconut Oil 1L Tin,tin,parachute,oil,500\n"
           "LOOSE-TEA,Ilam Tea (Loose),kg,ilam chiya,tea,900\n"
           "BUTTER,Makhan Butter,kg,makhan|nauni,dairy,1000\n")


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return index_from_csv(CATALOG)


def _lines(text: str, index: CatalogIndex) -> list[tuple[str | None, Decimal | None]]:
    return [(ln.sku, ln.qty) for ln in parse_message(text, index).lines]


@pytest.mark.parametrize("text", ["philips lamp 15 watt 10 ota", "philips lamp 15W 10 pcs",
                                  "10 ota 15 wat ko lamp", "लाम्प १५ वाट १० वटा"])
def test_a_wattage_picks_the_variant_and_the_count_is_the_quantity(
        text: str, index: CatalogIndex) -> None:
    assert _lines(text, index) == [("LAMP-15", Decimal(10))]


def test_a_number_word_before_inch_is_a_size(index: CatalogIndex) -> None:
    assert _lines("dui inch ko screw tin kg", index) == [("SCREW-2", Decimal(3))]


def test_a_size_before_wala_picks_the_variant(index: CatalogIndex) -> None:
    assert _lines("real juice 1 litre wala 12 bottle", index) == [("JUICE-1L", Decimal(12))]
    assert _lines("britannia cheese 200g wala 1 kg", index) == [("CHEESE-200", Decimal(5))]


def test_a_second_size_without_a_name_is_more_of_the_same_product(index: CatalogIndex) -> None:
    assert _lines("real juice 1 litre ko 6 bottle ra 200ml ko 24 bottle", index) == [
        ("JUICE-1L", Decimal(6)), ("JUICE-200", Decimal(24))]


def test_tin_tin_is_three_tins(index: CatalogIndex) -> None:
    assert _lines("parachute tin tin", index) == [("COCONUT-OIL", Decimal(3))]


def test_a_pau_is_a_quarter_kilogram(index: CatalogIndex) -> None:
    assert _lines("nauni ek pau", index) == [("BUTTER", Decimal("0.25"))]
    assert _lines("ilam chiya tin pau", index) == [("LOOSE-TEA", Decimal("0.75"))]


@pytest.mark.parametrize("text", [
    "hijo ko 6 bottle real juice futeko thiyo",
    "2 kg ilam chiya aayo tara kharab cha",
    "hijo ko 10 ota lamp madhye 2 ota chaldaina",
    "हिजो ६ बोतल जुस फुटेको थियो",
])
def test_a_complaint_that_mentions_quantities_is_not_an_order(
        text: str, index: CatalogIndex) -> None:
    parsed = parse_message(text, index)
    assert parsed.intent is not Intent.ORDER and not parsed.lines


def test_the_order_after_a_complaint_is_still_read(index: CatalogIndex) -> None:
    parsed = parse_message("hijo ko 3 bottle juice futeko thiyo. aaja real juice 1L 12 bottle "
                           "pathaunu", index)
    assert [(ln.sku, ln.qty) for ln in parsed.lines] == [("JUICE-1L", Decimal(12))]


def test_a_remark_without_quantity_or_a_confident_name_is_not_an_order(
        index: CatalogIndex) -> None:
    parsed = parse_message("aaja pasal banda chha", index)
    assert parsed.intent is not Intent.ORDER


def test_chha_at_the_end_is_the_verb_not_six(index: CatalogIndex) -> None:
    assert parse_message("आज पसल बन्द छ", index).intent is not Intent.ORDER


def test_a_size_and_count_on_the_next_line_continue_the_product(index: CatalogIndex) -> None:
    assert _lines("philips lamp 7W 20 pcs, 15W 10 pcs", index) == [
        ("LAMP-7", Decimal(20)), ("LAMP-15", Decimal(10))]
    assert _lines("real juice 1L 6 bottle\n200ml 24 bottle", index) == [
        ("JUICE-1L", Decimal(6)), ("JUICE-200", Decimal(24))]
