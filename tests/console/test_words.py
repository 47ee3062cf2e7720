"""Every word the console shows exists in English and Nepali, and money and dates read right."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.console import formatting
from bot.console.words import WORDS, translator

CONSOLE = Path(__file__).resolve().parents[2] / "bot" / "console"
_LITERAL = re.compile(r"""\bt\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def test_every_key_a_template_or_page_names_is_worded_in_both_languages() -> None:
    used = set()
    for path in [*CONSOLE.glob("templates/*.html"), *CONSOLE.rglob("*.py")]:
        used |= set(_LITERAL.findall(path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in WORDS)
    assert not missing, missing
    blank = sorted(k for k, (en, ne) in WORDS.items() if not en.strip() or not ne.strip())
    assert not blank, blank


def test_every_value_a_page_words_by_prefix_is_worded() -> None:
    from bot.console.accounts import ROLES
    from bot.services.ledger import METHODS
    from bot.store.reports import ORDER_STATUSES

    families = {
        "status": ORDER_STATUSES, "rstatus": ("pending", "active", "blocked"),
        "ostatus": ("pending", "sending", "sent", "delivered", "read", "failed", "dead"),
        "method": METHODS, "kind": ("debit", "credit"), "language": ("en", "ne"),
        "action": ("accept", "dispatch", "deliver"), "role": ROLES,
    }
    missing = [f"{p}.{v}" for p, values in families.items() for v in values
               if f"{p}.{v}" not in WORDS]
    assert not missing, missing


def test_both_languages_fill_in_the_same_names() -> None:
    names = re.compile(r"\{(\w+)\}")
    differ = [k for k, (en, ne) in WORDS.items()
              if set(names.findall(en)) != set(names.findall(ne))]
    assert not differ, differ


def test_an_unknown_key_fails_loudly() -> None:
    try:
        translator("en")("no.such.key")
    except KeyError:
        return
    raise AssertionError("an unknown key was shown")


def test_money_is_grouped_in_lakhs_in_either_language() -> None:
    assert formatting.money(Decimal("1234567.50")) == "Rs 12,34,567.50"
    assert formatting.money(Decimal("-500"), "ne") == "-रु 500"
    assert formatting.money(None) == ""


def test_a_moment_is_nepal_time_with_the_bikram_sambat_date() -> None:
    utc = dt.datetime(2026, 12, 1, 20, 0, tzinfo=dt.UTC)  # 01:45 on 2 December in Kathmandu
    assert formatting.moment(utc) == "2026-12-02 01:45 · 16 Mangsir 2083"
    assert formatting.moment(utc, "ne") == "२०२६-१२-०२ ०१:४५ · १६ मंसिर २०८३"


def test_a_day_outside_the_bs_table_shows_only_the_ad_date() -> None:
    assert formatting.day(dt.date(1900, 1, 1)) == "1900-01-01"


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_any_amount_reads_back_as_itself(value: Decimal) -> None:
    text = formatting.money(value)
    digits = text.replace("Rs ", "").replace(",", "")
    assert Decimal(digits) == value


def test_rates_and_durations() -> None:
    assert formatting.percent(Decimal("0.8750")) == "87.5%"
    assert formatting.percent(None) == "—"
    assert formatting.duration(250) == "4 min 10 s"
    assert formatting.duration(7500) == "2 h 5 min"
