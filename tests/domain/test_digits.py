"""Digits are ASCII or Devanagari, one table between them, and nothing else is a digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cart_edits import Change, Remove, parse_edit
from domain.digits import read_whole, to_ascii, to_devanagari
from domain.vendor_commands import VendorAction, VendorCommand, parse, parse_button
from flows.i18n import digits

# Superscripts, fractions, Arabic-Indic, Bengali, full-width: str.isdigit() or \d take some.
FOREIGN_DIGITS = ("²", "¹²", "½", "١٠٠١", "۱۲", "১২", "１２", "𝟏𝟐")


def test_the_table_pairs_each_ascii_digit_with_its_devanagari_digit() -> None:
    assert to_devanagari("0123456789") == "०१२३४५६७८९"
    assert to_ascii("०१२३४५६७८९") == "0123456789"


def test_only_digits_change() -> None:
    assert to_devanagari("#1042, Rs 2.50") == "#१०४२, Rs २.५०"
    assert to_ascii("चिनी ५ केजी") == "चिनी 5 केजी"


@given(st.text())
def test_devanagari_and_back_is_the_ascii_text(text: str) -> None:
    assert to_ascii(to_devanagari(text)) == to_ascii(text)


@given(st.integers(min_value=0, max_value=10**18 - 1), st.booleans())
def test_a_whole_number_reads_back_in_either_script(n: int, devanagari: bool) -> None:
    written = to_devanagari(str(n)) if devanagari else str(n)
    assert read_whole(f" {written} ") == n


def test_mixed_scripts_in_one_number_read_as_one_number() -> None:
    assert read_whole("१0४2") == 1042


@pytest.mark.parametrize("text", FOREIGN_DIGITS)
def test_other_scripts_digits_are_not_a_whole_number(text: str) -> None:
    assert read_whole(text) is None


@pytest.mark.parametrize("text", ["", " ", "-5", "+5", "1,000", "2.5", "1 2", "#12", "12a"])
def test_signs_separators_and_words_are_not_a_whole_number(text: str) -> None:
    assert read_whole(text) is None


def test_a_number_longer_than_the_limit_is_refused_not_crashed_on() -> None:
    assert read_whole("9" * 5000) is None  # int() refuses more than 4300 digits
    assert read_whole("123456", max_digits=5) is None
    assert read_whole("12345", max_digits=5) == 12345


_DIGITISH = st.text(alphabet=st.sampled_from("0123456789०१२३४५६७८९ ²١۱১１-+.,a"))


@given(st.one_of(st.text(), _DIGITISH))
def test_any_text_is_a_number_exactly_when_it_is_ascii_or_devanagari_digits(text: str) -> None:
    core = to_ascii(text).strip()
    is_number = 0 < len(core) <= 18 and all(c in "0123456789" for c in core)
    assert read_whole(text) == (int(core) if is_number else None)


def test_nepali_replies_use_the_same_table() -> None:
    assert digits("ne", "#1042") == to_devanagari("#1042")
    assert digits("en", "#1042") == "#1042"


# Where a copy of the table was once read with `\d`, other scripts slipped through.


@pytest.mark.parametrize("text", FOREIGN_DIGITS)
def test_a_vendor_command_needs_ascii_or_devanagari_digits(text: str) -> None:
    assert parse(f"accept {text}") is None
    assert parse_button(f"vendor:accept:{text}") is None


def test_a_vendor_command_with_devanagari_digits_still_reads() -> None:
    assert parse("ACCEPT १०४२") == VendorCommand(VendorAction.ACCEPT, 1042)


@pytest.mark.parametrize("text", FOREIGN_DIGITS)
def test_removing_a_cart_line_needs_ascii_or_devanagari_digits(text: str) -> None:
    assert not isinstance(parse_edit(f"remove {text}"), Remove)


def test_removing_a_cart_line_by_devanagari_number_still_reads() -> None:
    assert parse_edit("२ हटाउ") == Remove((2,))
    assert parse_edit("remove ١") == Change("remove ١")
