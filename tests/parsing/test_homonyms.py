"""Words with two readings are read by their context."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.lexicon import QUESTION_WORDS, is_address, is_complaint, is_filler
from domain.normalize import phonetic_key
from domain.numbers import is_multiplier, is_plus_half, word_value
from domain.ordertext import Intent, keyword_intent, parse_message
from domain.resolver import CatalogIndex
from domain.units import unit_from_word
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


# -- a person's name that is also a brand -----------------------------------------
# People write dai / ji / didi … after the name of the person they speak to, never after
# goods. The rule is tested over generated names, each also made a brand in the catalogue,
# so it cannot lean on one word.

_ADDRESS = st.sampled_from(["dai", "ji", "didi", "daju", "sir", "hajur", "दाइ", "जी"])


def _plain_name(word: str) -> bool:
    """A made-up word that is nothing else to the reader (number, unit, filler, command)."""
    return (word_value(word) is None and not is_multiplier(word) and not is_plus_half(word)
            and unit_from_word(word) is None and not is_filler(word)
            and not is_address(word) and not is_complaint(word) and keyword_intent(word) is None
            # "cata" is "kata" (where?) to the reader: the message is a question.
            and phonetic_key(word) not in QUESTION_WORDS
            and word not in {"ra", "ani", "and", "tin", "chha", "ghee", "coke", "jar"})


_NAME = st.text(alphabet="abcdefghijklmnoprstuvy", min_size=4, max_size=8).filter(_plain_name)


def _with_brand(name: str) -> CatalogIndex:
    """The demo catalogue plus a brand called `name`, in two packs (as a family is)."""
    brand = name.title()
    return index_from_csv(CATALOG + f"GHEE-B,{brand} Ghee 1L,jar,{name}|{name} ghee,dairy,950\n"
                          f"GHEE-B5,{brand} Ghee 500ml,pouch,{name},dairy,480\n")


@settings(max_examples=40, deadline=None)
@given(name=_NAME, address=_ADDRESS)
def test_a_greeting_to_a_person_named_like_a_brand_is_a_greeting(name: str,
                                                                  address: str) -> None:
    got = parse_message(f"namaste {name} {address}", _with_brand(name))
    assert (got.intent, got.lines) == (Intent.GREETING, ())


@settings(max_examples=40, deadline=None)
@given(name=_NAME, address=_ADDRESS)
def test_the_person_addressed_before_an_order_is_not_an_order_line(name: str,
                                                                   address: str) -> None:
    got = parse_message(f"{name} {address}, coke 12 bottle pathaidinu", _with_brand(name))
    assert [(ln.sku, ln.qty) for ln in got.lines] == [("COKE", Decimal(12))]


@settings(max_examples=40, deadline=None)
@given(name=_NAME)
def test_the_same_name_with_its_product_word_and_a_quantity_is_the_brand(name: str) -> None:
    got = parse_message(f"{name} ghee 2 jar", _with_brand(name))
    assert [(ln.sku, ln.qty) for ln in got.lines] == [("GHEE-B", Decimal(2))]


_HELLOS = st.sampled_from(["namaste", "Namaste", "namaskar", "hello", "good morning", "नमस्ते"])


@settings(max_examples=40, deadline=None)
@given(hello=_HELLOS, name=_NAME, tail=st.sampled_from(["", "!", " 🙏", ","]))
def test_a_greeting_then_only_a_name_shared_by_a_brand_is_a_greeting(
        hello: str, name: str, tail: str) -> None:
    got = parse_message(f"{hello} {name.title()}{tail}", _with_brand(name))
    assert (got.intent, got.lines) == (Intent.GREETING, ())


@settings(max_examples=40, deadline=None)
@given(name=_NAME)
def test_a_greeting_then_a_brand_with_a_quantity_is_an_order(name: str) -> None:
    got = parse_message(f"namaste {name} 2 jar", _with_brand(name))
    assert [(ln.sku, ln.qty) for ln in got.lines] == [("GHEE-B", Decimal(2))]


def test_a_name_and_address_word_with_only_a_quantity_asks_instead_of_dropping_it() -> None:
    got = parse_message("sitaram dai 2 jar", _with_brand("sitaram"))
    line, = got.lines
    assert (line.sku, line.qty) == (None, Decimal(2))
    assert "GHEE-B" in {c.sku for c in line.candidates}


def test_a_brand_whose_name_holds_the_address_word_is_still_the_brand() -> None:
    index = index_from_csv(CATALOG + "NMK-BB,Bhai Bhai Namkeen,packet,,snacks,20\n")
    got = parse_message("bhai bhai namkeen 5 packet", index)
    assert [(ln.sku, ln.qty) for ln in got.lines] == [("NMK-BB", Decimal(5))]


def test_goods_before_an_address_word_after_a_quantity_stay_goods(index: CatalogIndex) -> None:
    assert _lines("12 bottle coke dai", index) == [("COKE", Decimal(12))]
