"""Reading edit messages typed while reviewing a cart, in English and Nepali."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cart_edits import Add, Change, Clear, Remove, RemoveNamed, parse_edit


@pytest.mark.parametrize(("text", "numbers"), [
    ("remove 2", (2,)),
    ("Remove #3", (3,)),
    ("hatau 2 ra 3", (3, 2)),
    ("remove 1, 4", (4, 1)),
    ("२ हटाउ", (2,)),
    ("हटाउ ३", (3,)),
    ("3 remove", (3,)),
])
def test_remove_names_line_numbers_highest_first(text: str, numbers: tuple[int, ...]) -> None:
    assert parse_edit(text) == Remove(numbers)


@pytest.mark.parametrize("text", ["clear", "Clear!", "sabai hatau", "सबै हटाउ", "empty"])
def test_clear_in_both_languages(text: str) -> None:
    assert parse_edit(text) == Clear()


@pytest.mark.parametrize(("text", "rest"), [
    ("add 2 ctn rara", "2 ctn rara"),
    ("thap wai wai 2", "wai wai 2"),
    ("थप चिनी ५ केजी", "चिनी 5 केजी"),
])
def test_add_keeps_the_order_text(text: str, rest: str) -> None:
    assert parse_edit(text) == Add(rest)


def test_a_product_with_a_quantity_is_a_change() -> None:
    assert parse_edit("chini 20 kg") == Change("chini 20 kg")


def test_remove_without_a_number_is_not_a_removal() -> None:
    assert not isinstance(parse_edit("remove chini"), Remove)


@given(st.text(max_size=200))
def test_any_text_reads_as_some_edit_or_nothing(text: str) -> None:
    result = parse_edit(text)
    assert result is None or isinstance(result, Remove | RemoveNamed | Add | Clear | Change)
    if isinstance(result, Remove):
        assert all(n >= 0 for n in result.numbers)


@pytest.mark.parametrize(("text", "name"), [
    ("rara hatau", "rara"),
    ("rara nachahine", "rara"),
    ("remove rara", "rara"),
    ("wai wai chaidaina", "wai wai"),
    ("रारा हटाउ", "रारा"),
])
def test_remove_with_a_name_removes_that_product(text: str, name: str) -> None:
    assert parse_edit(text) == RemoveNamed(name)


@pytest.mark.parametrize(("text", "rest"), [
    ("anda 2 tray thap", "anda 2 tray"),
    ("rara 2 ctn more", "rara 2 ctn"),
    ("2 more rara", "rara 2"),
    ("चिनी ५ केजी थप", "चिनी 5 केजी"),
])
def test_thap_or_more_after_the_product_adds(text: str, rest: str) -> None:
    assert parse_edit(text) == Add(rest)
