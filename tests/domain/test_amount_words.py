"""The total in words, English and Nepali, counted in lakh and crore."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.amount_words import (
    MAX_WORDS_AMOUNT,
    NE_BELOW_HUNDRED,
    AmountWordsError,
    words_en,
    words_ne,
)

D = Decimal

_EN_SMALL = {w: i for i, w in enumerate((
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen",
    "Nineteen"))}
_EN_TENS = {w: 10 * i for i, w in enumerate((
    "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety")) if w}
_SCALES_EN = {"Thousand": 1_000, "Lakh": 100_000, "Crore": 10_000_000}
_SCALES_NE = {"हजार": 1_000, "लाख": 100_000, "करोड": 10_000_000}
_NE = {w: i for i, w in enumerate(NE_BELOW_HUNDRED)}


def _read(words: list[str], small: dict[str, int], hundred: str,
          scales: dict[str, int]) -> int:
    """Read number words back (a reader independent of how they were written)."""
    total, group = 0, 0
    for w in words:
        if w in small:
            group += small[w]
        elif "-" in w:
            tens, ones = w.split("-")
            group += _EN_TENS[tens] + _EN_SMALL[ones]
        elif w in _EN_TENS:
            group += _EN_TENS[w]
        elif w == hundred:
            group *= 100
        elif w in scales:
            total += group * scales[w]
            group = 0
        else:
            raise AssertionError(f"unexpected word {w!r}")
    return total + group


def _read_en(text: str) -> Decimal:
    assert text.startswith("Rupees ") and text.endswith(" Only")
    body = text.removeprefix("Rupees ").removesuffix(" Only")
    rupees, _, paisa = body.partition(" and ")
    value = D(_read(rupees.split(), _EN_SMALL, "Hundred", _SCALES_EN))
    if paisa:
        value += D(_read(paisa.removesuffix(" Paisa").split(), _EN_SMALL, "Hundred", {})) / 100
    return value


def _read_ne(text: str) -> Decimal:
    assert text.endswith(" मात्र")
    rupees, _, paisa = text.removesuffix(" मात्र").partition(" रुपैयाँ")
    value = D(_read(rupees.split(), _NE, "सय", _SCALES_NE))
    if paisa.strip():
        value += D(_read(paisa.removesuffix(" पैसा").split(), _NE, "सय", {})) / 100
    return value


amounts = st.decimals(min_value=0, max_value=MAX_WORDS_AMOUNT, places=2)


@given(amounts)
def test_english_words_read_back_to_the_amount(amount: Decimal) -> None:
    assert _read_en(words_en(amount)) == amount


@given(amounts)
def test_nepali_words_read_back_to_the_amount(amount: Decimal) -> None:
    assert _read_ne(words_ne(amount)) == amount


@pytest.mark.parametrize(("amount", "english", "nepali"), [
    ("1", "Rupees One Only", "एक रुपैयाँ मात्र"),
    ("100", "Rupees One Hundred Only", "एक सय रुपैयाँ मात्र"),
    ("1750", "Rupees One Thousand Seven Hundred Fifty Only", "एक हजार सात सय पचास रुपैयाँ मात्र"),
    ("123456.50", "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six and Fifty Paisa "
     "Only", "एक लाख तेइस हजार चार सय छपन्न रुपैयाँ पचास पैसा मात्र"),
    ("10000000", "Rupees One Crore Only", "एक करोड रुपैयाँ मात्र"),
    ("2500000", "Rupees Twenty-Five Lakh Only", "पच्चीस लाख रुपैयाँ मात्र"),
])
def test_known_amounts_in_both_languages(amount: str, english: str, nepali: str) -> None:
    assert words_en(D(amount)) == english
    assert words_ne(D(amount)) == nepali


def test_lakh_and_crore_never_million() -> None:
    assert "Million" not in words_en(D("1500000")) and "Lakh" in words_en(D("1500000"))


def test_paisa_round_half_up() -> None:
    assert words_en(D("10.005")) == "Rupees Ten and One Paisa Only"


@pytest.mark.parametrize("bad", [D(-1), D("NaN"), D("Infinity"), MAX_WORDS_AMOUNT + 1])
def test_amounts_that_cannot_be_written_are_refused(bad: Decimal) -> None:
    with pytest.raises(AmountWordsError):
        words_en(bad)
    with pytest.raises(AmountWordsError):
        words_ne(bad)


def test_every_nepali_number_below_a_hundred_is_its_own_distinct_word() -> None:
    assert len(set(NE_BELOW_HUNDRED)) == 100
