"""Words with two readings are read by their context."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.ordertext import Intent, parse_message
from domain.resolver import CatalogIndex
from tests.parsing.conftest import index_from_csv

CATALOG = ("sku,name,unit,aliases,category,price\n"
           "GHEE-NAMASTE,Namaste Ghee 1L,jar,namaste ghee,dairy,900\n"
           "WATER,Aqua Water 1L,bottle,pani|water,drinks,25\n"
           "COKE,Coke 500ml,bottle,coke,drinks,60\n"
           "OIL-TIN,Sunflower Oil 15L Tin,tin,sunflower tin,oil,3500\n")


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return index_from_csv(CATALOG)


def _lines(text: str, index: CatalogIndex) -> list[tuple[str | None, Decimal | None]]:
    return [(ln.sku, ln.qty) for ln in parse_message(text, index).lines]


def test_a_greeting_that_is_a_brand_is_the_brand_next_to_its_name(index: CatalogIndex) -> None:
    assert _lines("namaste ghee 2 jar", index) == [("GHEE-NAMASTE", Decimal(2))]


def test_the_same_greeting_alone_is_a_greeting(index: CatalogIndex) -> None:
    assert parse_message("namaste dai", index).intent is Intent.GREETING


def test_pani_after_a_product_means_also(index: CatalogIndex) -> None:
    assert _lines("coke pani 12 bottle", index) == [("COKE", Decimal(12))]


def test_pani_alone_with_a_quantity_is_water(index: CatalogIndex) -> None:
    assert _lines("pani 12 bottle", index) == [("WATER", Decimal(12))]


def test_tin_before_a_unit_is_three_and_after_a_number_a_tin(index: CatalogIndex) -> None:
    assert _lines("tin ota coke", index) == [("COKE", Decimal(3))]
    assert _lines("sunflower 2 tin", index) == [("OIL-TIN", Decimal(2))]


def test_chha_with_a_question_mark_asks_if_there_is_any(index: CatalogIndex) -> None:
    assert parse_message("coke chha?", index).intent is not Intent.ORDER
