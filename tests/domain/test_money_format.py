"""Amounts are written in lakhs and crores, one way, and read back to the same amount."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.digits import to_devanagari
from domain.money import (
    MAX_AMOUNT,
    format_amount,
    format_decimal,
    format_npr,
    group_digits,
    parse_amount,
    to_paisa,
)
from flows.i18n import money

D = Decimal
amounts = st.decimals(min_value=D("0.01"), max_value=MAX_AMOUNT, places=2)
# Three digits at the end, pairs before them, one or two in front.
_LAKH_GROUPED = re.compile(r"[0-9]{1,3}|[0-9]{1,2}(,[0-9]{2})*,[0-9]{3}")


@pytest.mark.parametrize(("whole", "shown"), [
    (0, "0"), (999, "999"), (1000, "1,000"), (99_999, "99,999"), (1_00_000, "1,00,000"),
    (2_00_000, "2,00,000"), (12_34_567, "12,34,567"), (1_23_45_678, "1,23,45,678"),
])
def test_whole_rupees_are_grouped_in_lakhs_and_crores(whole: int, shown: str) -> None:
    assert group_digits(whole) == shown


@given(st.integers(min_value=0, max_value=10**20))
def test_grouping_keeps_the_digits_and_puts_commas_the_south_asian_way(n: int) -> None:
    shown = group_digits(n)
    assert shown.replace(",", "") == str(n)
    assert _LAKH_GROUPED.fullmatch(shown)


def test_paisa_show_only_when_there_are_some() -> None:
    assert format_amount(D("200000")) == "2,00,000"
    assert format_amount(D("200000.5")) == "2,00,000.50"


def test_a_column_of_figures_can_keep_the_paisa_on_whole_rupees() -> None:
    assert format_amount(D("200000"), always_paisa=True) == "2,00,000.00"


def test_amounts_round_half_up_to_paisa_as_they_are_stored() -> None:
    assert format_amount(D("0.125")) == "0.13"
    assert format_amount(D("0.125")) == format_amount(to_paisa(D("0.125")))


def test_a_negative_amount_carries_its_sign_in_front() -> None:
    assert format_amount(D("-150000")) == "-1,50,000"
    assert format_npr(D("-500")) == "-Rs 500"


def test_rupees_are_written_as_the_whatsapp_replies_write_them() -> None:
    for value in (D("0"), D("980"), D("200000"), D("1234567.50"), D("-2500")):
        assert format_npr(value) == money("en", value)


@given(amounts)
def test_a_formatted_amount_parses_back_to_the_same_amount(value: Decimal) -> None:
    assert parse_amount(format_npr(value)) == value
    assert parse_amount(format_amount(value)) == value
    assert parse_amount(format_amount(value, always_paisa=True)) == value


@given(st.decimals(min_value=D("-1e15"), max_value=D("1e15"), places=2))
def test_the_nepali_reply_is_the_same_figure_in_devanagari(value: Decimal) -> None:
    english = money("en", value)
    assert money("ne", value) == to_devanagari(english).replace("Rs ", "रु ")


@pytest.mark.parametrize(("value", "shown"), [
    (D("2.125"), "2.125"), (D("1234.5678"), "1,234.5678"), (D("250000.5"), "2,50,000.5"),
    (D("-0.5"), "-0.5"), (D("0"), "0"),
])
def test_a_figure_that_is_not_money_keeps_its_decimals_and_is_grouped(
        value: Decimal, shown: str) -> None:
    assert format_decimal(value) == shown
