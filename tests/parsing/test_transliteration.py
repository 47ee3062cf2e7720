"""Brand names written in the other script find the product with no alias for it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.normalize import phonetic_key, skeleton_key
from domain.ordertext import parse_message
from domain.resolver import CatalogIndex
from tests.parsing.conftest import index_from_csv

# Latin names only, no Devanagari alias anywhere.
CATALOG = ("sku,name,unit,aliases,category,price\n"
           "SURF,Surf Excel 1kg,packet,,detergent,200\n"
           "LUX,Lux Soap 100g,pcs,,soap,50\n"
           "COKE,Coke 500ml,bottle,,drinks,60\n"
           "DABUR,Dabur Honey 250g,bottle,,food,300\n"
           "HORLICKS,Horlicks 500g,jar,,food,400\n"
           "COLGATE,Colgate MaxFresh 150g,pcs,,personal,150\n"
           "NESCAFE,Nescafe Classic 50g,jar,,drinks,300\n")


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return index_from_csv(CATALOG)


@pytest.mark.parametrize(("text", "sku", "qty"), [
    ("सर्फ एक्सेल २ प्याकेट", "SURF", 2), ("लक्स ५ वटा", "LUX", 5), ("कोक ६ बोतल", "COKE", 6),
    ("डाबर मह २ बोतल", "DABUR", 2), ("हर्लिक्स १ जार", "HORLICKS", 1),
    ("कोलगेट ३ वटा", "COLGATE", 3), ("नेस्क्याफे २ जार", "NESCAFE", 2),
])
def test_a_devanagari_brand_finds_its_latin_name(text: str, sku: str, qty: int,
                                                 index: CatalogIndex) -> None:
    assert [(ln.sku, ln.qty) for ln in parse_message(text, index).lines] == [(sku, Decimal(qty))]


def test_a_latin_brand_finds_its_devanagari_name() -> None:
    index = index_from_csv("sku,name,unit,aliases,category,price\n"
                           "WAI,वाइवाइ चाउचाउ,packet,,noodles,20\n")
    assert [ln.sku for ln in parse_message("waiwai 30 packet", index).lines] == ["WAI"]


def test_a_kind_of_goods_alone_is_not_picked_for_one_name_holding_it() -> None:
    index = index_from_csv("sku,name,unit,aliases,category,price\n"
                           "DABUR-PASTE,Dabur Red Toothpaste 100g,pcs,,personal,90\n"
                           "COLGATE,Colgate Strong Teeth 100g,pcs,,personal,95\n")
    line, = parse_message("toothpaste 12 pcs", index).lines
    assert line.sku is None


@given(st.text(alphabet="abcdefghijklmnoprstuvwy", min_size=1, max_size=10))
def test_the_skeleton_of_a_key_is_stable(word: str) -> None:
    key = phonetic_key(word)
    assert skeleton_key(skeleton_key(key)) == skeleton_key(key) or len(key) < 2
