"""Every quantity, written in any of the forms shops use, reads back to itself.

The property tests write a value in one form (digits in either script, English
words, Nepali words in either script, fractions and the Nepali fraction words,
compounds such as `5 kg 500 gram`) inside an order line and check the line's
quantity. A line without a readable quantity is never given one.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.digits import to_devanagari
from domain.ordertext import QtyNote, parse_message
from domain.resolver import CatalogIndex
from tests.parsing.conftest import index_from_csv

CATALOG = ("sku,name,unit,aliases,category,price\n"
           "SUGAR,Sugar,kg,chini|चिनी,staples,95\n"
           "OIL,Sunflower Oil (Loose),litre,sunflower tel,oil,250\n"
           "PEN,Blue Pen,piece,pen|kalam,stationery,10\n")

_EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen"]
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
            80: "eighty", 90: "ninety"}
_NE = {1: "ek", 2: "dui", 3: "tin", 4: "char", 5: "panch", 6: "chha", 7: "saat", 8: "aath",
       9: "nau", 10: "das", 12: "bara", 15: "pandhra", 20: "bis", 25: "pachchis", 30: "tis",
       50: "pachas", 100: "ek saya"}
_NE_DEV = {1: "एक", 2: "दुई", 3: "तीन", 4: "चार", 5: "पाँच", 7: "सात", 8: "आठ", 10: "दस",
           20: "बीस", 50: "पचास", 100: "एक सय"}


def _english(n: int) -> str:
    if n < 20:
        return _EN_ONES[n]
    tens, ones = divmod(n, 10)
    return _EN_TENS[tens * 10] + ("" if ones == 0 else " " + _EN_ONES[ones])


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return index_from_csv(CATALOG)


def _qty(text: str, index: CatalogIndex) -> Decimal | None:
    lines = parse_message(text, index).lines
    assert len(lines) == 1, (text, lines)
    return lines[0].qty


@st.composite
def written_wholes(draw: st.DrawFn) -> tuple[Decimal, str]:
    n = draw(st.integers(min_value=1, max_value=99))
    forms = [str(n), to_devanagari(str(n)), _english(n)]
    if n in _NE:
        forms.append(_NE[n])
    if n in _NE_DEV:
        forms.append(_NE_DEV[n])
    return Decimal(n), draw(st.sampled_from(forms))


@st.composite
def written_fractions(draw: st.DrawFn) -> tuple[Decimal, str]:
    n = draw(st.integers(min_value=1, max_value=9))
    half = Decimal(n) + Decimal("0.5")
    word = _NE.get(n, str(n)) if n != 3 else "tin"
    choices: list[tuple[Decimal, str]] = [
        (half, f"{n}½"), (half, f"{n} 1/2"), (half, f"{n}.5"), (half, f"saade {word}"),
        (half, f"{_english(n)} and a half"),
        (Decimal(n) + Decimal("0.25"), f"sawa {word}"),
        (Decimal(n) - Decimal("0.25"), f"paune {word}"),
        (Decimal("0.5"), "aadha"), (Decimal("0.5"), "half"), (Decimal("0.5"), "½"),
        (Decimal("0.5"), "1/2"), (Decimal("1.5"), "dedh"), (Decimal("2.5"), "adhai"),
        (Decimal("1.25"), "sawa"), (Decimal("0.75"), "paune"), (Decimal("0.25"), "1/4"),
    ]
    return draw(st.sampled_from(choices))


@given(written_wholes(), st.sampled_from(["chini {q} kg", "{q} kg chini", "kalam {q} ota",
                                          "{q} wata pen", "चिनी {q} केजी"]))
def test_whole_numbers_in_any_form_read_back(case: tuple[Decimal, str], template: str) -> None:
    value, written = case
    assert _qty(template.format(q=written), index_from_csv(CATALOG)) == value


@given(written_fractions(), st.sampled_from(["chini {q} kg", "{q} kg chini",
                                             "sunflower tel {q} litre"]))
def test_fractions_in_any_form_read_back(case: tuple[Decimal, str], template: str) -> None:
    value, written = case
    assert _qty(template.format(q=written), index_from_csv(CATALOG)) == value


@given(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=999),
       st.sampled_from([("kg", "gram", "chini"), ("litre", "ml", "sunflower tel")]))
def test_a_measure_and_a_smaller_one_add_up(big: int, small: int,
                                             units: tuple[str, str, str]) -> None:
    unit, sub, name = units
    got = _qty(f"{name} {big} {unit} {small} {sub}", index_from_csv(CATALOG))
    assert got == Decimal(big) + Decimal(small) / 1000


def test_sawa_tin_kg_is_three_and_a_quarter(index: CatalogIndex) -> None:
    assert _qty("sawa tin kg chini", index) == Decimal("3.25")


def test_grams_of_a_product_sold_per_kg_are_kilograms(index: CatalogIndex) -> None:
    assert _qty("chini 500 gram", index) == Decimal("0.5")


def test_a_dozen_is_twelve_pieces(index: CatalogIndex) -> None:
    assert _qty("a dozen pens", index) == Decimal(12)
    assert _qty("dedh dozen kalam", index) == Decimal(18)


def test_a_line_without_a_quantity_is_never_given_one(index: CatalogIndex) -> None:
    line, = parse_message("chini pathaidinu", index).lines
    assert line.sku == "SUGAR" and line.qty is None
    assert line.qty_note is QtyNote.MISSING


@given(st.sampled_from(["chini", "kalam", "sunflower tel", "चिनी"]),
       st.sampled_from(["", " please", " pathaidinus", " kg", " ota", " dai"]))
def test_no_quantity_written_means_no_quantity(name: str, tail: str) -> None:
    for line in parse_message(name + tail, index_from_csv(CATALOG)).lines:
        assert line.qty is None and line.qty_note is QtyNote.MISSING
