"""Quantities in every way retailers write them read back to the same number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.digits import to_devanagari
from domain.numbers import WORD_VALUES, plain, read_quantity

_WORDS_BY_VALUE: dict[Decimal, list[str]] = {}
for _word, _value in WORD_VALUES.items():
    _WORDS_BY_VALUE.setdefault(_value, []).append(_word)
_WHOLE_WORDS = {v: ws for v, ws in _WORDS_BY_VALUE.items() if v == v.to_integral_value()}


@given(st.integers(min_value=0, max_value=100_000))
def test_digits_read_back(n: int) -> None:
    assert read_quantity(str(n)) == n


@given(st.integers(min_value=0, max_value=100_000))
def test_devanagari_digits_read_back(n: int) -> None:
    assert read_quantity(to_devanagari(str(n))) == n


@given(st.decimals(min_value=0, max_value=10_000, places=3, allow_nan=False))
def test_decimals_read_back_in_both_scripts(d: Decimal) -> None:
    text = format(d, "f")
    assert read_quantity(text) == d
    assert read_quantity(to_devanagari(text)) == d


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1, max_value=12))
def test_fractions_read_back(num: int, den: int) -> None:
    assert read_quantity(f"{num}/{den}") == Decimal(num) / Decimal(den)


@given(st.sampled_from(sorted(_WORDS_BY_VALUE)), st.data())
def test_every_number_word_reads_back(value: Decimal, data: st.DataObject) -> None:
    word = data.draw(st.sampled_from(_WORDS_BY_VALUE[value]))
    assert read_quantity(word) == value
    assert read_quantity(word.upper()) == value


@given(
    st.sampled_from(sorted(v for v in _WHOLE_WORDS if v < 100)),
    st.sampled_from(sorted(v for v in _WHOLE_WORDS if v < 100)),
    st.data(),
)
def test_hundreds_written_in_words_read_back(hundreds: Decimal, rest: Decimal,
                                             data: st.DataObject) -> None:
    h = data.draw(st.sampled_from(_WHOLE_WORDS[hundreds]))
    r = data.draw(st.sampled_from(_WHOLE_WORDS[rest]))
    saya = data.draw(st.sampled_from(["saya", "sae", "सय"]))
    assert read_quantity(f"{h} {saya} {r}") == hundreds * 100 + rest


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=7))
def test_mixed_fractions_read_back(whole: int, eighths: int) -> None:
    assert read_quantity(f"{whole} {eighths}/8") == whole + Decimal(eighths) / 8


def test_half_one_and_a_half_two_and_a_half() -> None:
    assert read_quantity("aadha") == Decimal("0.5")
    assert read_quantity("dedh") == Decimal("1.5")
    assert read_quantity("adhai") == Decimal("2.5")
    assert read_quantity("डेढ") == Decimal("1.5")


def test_saade_adds_a_half() -> None:
    assert read_quantity("saade tin") == Decimal("3.5")


def test_devanagari_number_words() -> None:
    assert read_quantity("पाँच") == 5
    assert read_quantity("दश") == 10
    assert read_quantity("बीस") == 20


def test_words_that_are_not_numbers_read_as_nothing() -> None:
    assert read_quantity("chini") is None
    assert read_quantity("") is None
    assert read_quantity("1/0") is None


@pytest.mark.parametrize(("value", "shown"), [
    ("10.000", "10"), ("2.50", "2.5"), ("1E+2", "100"), ("0.250", "0.25"), ("0", "0"),
    ("1E+30", "1" + "0" * 30)])
def test_a_plain_number_has_no_trailing_zeros_or_exponent(value: str, shown: str) -> None:
    assert str(plain(Decimal(value))) == shown


@given(st.decimals(min_value=0, max_value=10**9, places=3))
def test_a_plain_number_is_the_same_number(value: Decimal) -> None:
    shown = str(plain(value))
    assert Decimal(shown) == value and "E" not in shown
    assert "." not in shown or not shown.endswith("0")
