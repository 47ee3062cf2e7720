"""All wording in one place per language, and the limits WhatsApp puts on it."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.diagram import FLOWS, diagram
from flows.i18n import en, money, ne, qty, script_language
from flows.retailer.titles import unique_titles

README = Path(__file__).resolve().parents[2] / "README.md"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_nepali_has_every_english_string_with_the_same_placeholders() -> None:
    english = {k: v for k, v in en.STRINGS.items() if not k.startswith("unit.")}
    missing = sorted(set(english) - set(ne.STRINGS))
    assert missing == []
    for key, text in english.items():
        assert placeholders(ne.STRINGS[key]) == placeholders(text), key


def test_nepali_replies_are_written_in_devanagari() -> None:
    for key, text in ne.STRINGS.items():
        # Placeholders, the command "english" and brand names (WhatsApp) are not wording.
        words = re.sub(r"\{\w+\}|english|WhatsApp", "", text)
        if key.startswith("unit.") or script_language(words) is None:
            continue
        assert script_language(words) == "ne", key


@pytest.mark.parametrize("key", ["btn.confirm", "btn.edit", "btn.cancel", "btn.reduce",
                                 "btn.take_available", "btn.other_vendor", "btn.yes", "btn.no"])
def test_button_titles_fit_in_twenty_characters(key: str) -> None:
    assert len(en.STRINGS[key]) <= 20
    assert len(ne.STRINGS[key]) <= 20


def test_list_rows_we_add_fit_in_twenty_four_characters() -> None:
    for table in (en.STRINGS, ne.STRINGS):
        assert len(table["ask.none"]) <= 24
        assert len(table["ask.button"]) <= 20


@pytest.mark.parametrize(("lang", "amount", "shown"), [
    ("en", Decimal("2300"), "Rs 2,300"),
    ("en", Decimal("1234567.5"), "Rs 12,34,567.50"),
    ("ne", Decimal("4990"), "रु ४,९९०"),
    ("ne", Decimal("98.25"), "रु ९८.२५"),
])
def test_money_is_grouped_the_south_asian_way(lang: str, amount: Decimal, shown: str) -> None:
    assert money(lang, amount) == shown


def test_quantities_drop_trailing_zeros() -> None:
    assert qty("en", Decimal("2.500")) == "2.5"
    assert qty("en", Decimal("100")) == "100"
    assert qty("ne", Decimal("10.000")) == "१०"


def test_the_readme_shows_the_current_diagrams() -> None:
    text = README.read_text(encoding="utf-8")
    for name in FLOWS:
        assert diagram(name) in text, f"README is stale: run `khaacho flows diagram` ({name})"


@given(st.lists(st.text(min_size=1, max_size=60).filter(str.strip), min_size=1, max_size=10,
                unique=True))
def test_list_row_titles_stay_distinct_and_short(names: list[str]) -> None:
    titles = unique_titles(names, 24)
    assert len(titles) == len(names)
    assert all(0 < len(t) <= 24 for t in titles)
    normalized = [" ".join(n.split()) for n in names]
    if len(set(normalized)) == len(normalized):
        assert len(set(titles)) == len(titles)


def test_products_differing_at_the_end_keep_their_ends() -> None:
    assert unique_titles(["Wai Wai Chicken Noodles 75g",
                          "Wai Wai Chicken Noodles Carton (30 pcs)"], 24) == [
        "Wai Wai Chi…Noodles 75g", "Wai Wai Chi…ton (30 pcs)"]
