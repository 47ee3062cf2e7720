"""Bikram Sambat: conversions checked against dates published independently of the library.

Every row of KNOWN below comes from a public page that names the BS day and its AD
date (news of the new year, of the fiscal year starting, of festivals), not from
`nepali-datetime` itself, so a wrong table in the library fails here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.nepali_calendar import (
    FIRST_AD_DAY,
    LAST_AD_DAY,
    BsDate,
    BsMonth,
    BsRangeError,
    FiscalYear,
    fiscal_year_of,
    format_bs,
    format_bs_month,
    latest_month,
    month_from_word,
    month_name,
    month_of,
    to_ad,
    to_bs,
)

# (BS, AD, where it is published)
KNOWN: list[tuple[BsDate, dt.date, str]] = [
    (BsDate(2072, 1, 1), dt.date(2015, 4, 14),
     "iowanepaleseassociation.org/events/?event_id1=3: "
     "New Year 2072 B.S. falls on 14th April 2015"),
    (BsDate(2080, 1, 1), dt.date(2023, 4, 14),
     "forumnepal.com/t/nepalese-new-year/178: 14 April 2023 (1st Baisakh 2080); "
     "also upakaronline.com/2023/04/14: नयाँ वर्ष २०८० आजबाट सुरु"),
    (BsDate(2080, 4, 1), dt.date(2023, 7, 17),
     "eng.danfetv.com/?p=83332: budget for FY 2080/81 implemented from July 17"),
    (BsDate(2081, 1, 1), dt.date(2024, 4, 13),
     "orissadiary.com/new-year-2081-bikram-sambat-being-celebrated-across-nepal-today "
     "(dated 2024-04-13)"),
    (BsDate(2081, 7, 16), dt.date(2024, 11, 1),
     "ejanakpurtoday.com/2024/11/01/100566: updated २०८१ कार्तिक १६, शुक्रबार"),
    (BsDate(2081, 12, 31), dt.date(2025, 4, 13),
     "beemapost.com/2025/04/171381: ३१ चैत्र २०८१, आईतवार — tomorrow is Baisakh 1, 2082"),
    (BsDate(2082, 1, 1), dt.date(2025, 4, 14),
     "khabarhub.com/2025/14/774243: नव वर्ष २०८२ प्रारम्भ, १ बैशाख २०८२, सोमबार"),
    (BsDate(2082, 3, 32), dt.date(2025, 7, 16),
     "fiscalnepal.com/2025/07/17/21369: FY 2081/82 completed on Wednesday (last of Asar)"),
    (BsDate(2082, 4, 1), dt.date(2025, 7, 17),
     "fiscalnepal.com/2025/07/17/21369: FY 2082/83 entered on Thursday (Shrawan 1)"),
    (BsDate(2082, 6, 6), dt.date(2025, 9, 22),
     "newsofnepal.com/2025/09/16/731591: Ghatasthapana on असोज ६; "
     "calendar.arthasarokar.com shows घटस्थापना on 22 September 2025"),
    (BsDate(2082, 6, 24), dt.date(2025, 10, 10),
     "calendar.arthasarokar.com: २४ असोज २०८२, शुक्रवार — October 2025 Friday"),
]


@pytest.mark.parametrize(("bs", "ad", "source"), KNOWN, ids=[b.isoformat() for b, _, _ in KNOWN])
def test_ad_date_converts_to_the_published_bs_date(bs: BsDate, ad: dt.date, source: str) -> None:
    assert to_bs(ad) == bs, source


@pytest.mark.parametrize(("bs", "ad", "source"), KNOWN, ids=[b.isoformat() for b, _, _ in KNOWN])
def test_bs_date_converts_to_the_published_ad_date(bs: BsDate, ad: dt.date, source: str) -> None:
    assert to_ad(bs) == ad, source


def test_published_weekdays_agree_with_the_ad_dates() -> None:
    # The sources name weekdays; the AD calendar must agree, so the rows are read right.
    assert dt.date(2025, 4, 14).strftime("%A") == "Monday"     # सोमबार
    assert dt.date(2024, 11, 1).strftime("%A") == "Friday"     # शुक्रबार
    assert dt.date(2025, 7, 17).strftime("%A") == "Thursday"
    assert dt.date(2025, 10, 10).strftime("%A") == "Friday"


@given(st.dates(min_value=FIRST_AD_DAY, max_value=LAST_AD_DAY))
def test_every_covered_ad_date_round_trips(day: dt.date) -> None:
    assert to_ad(to_bs(day)) == day


@given(st.dates(min_value=FIRST_AD_DAY, max_value=LAST_AD_DAY - dt.timedelta(days=1)))
def test_consecutive_ad_days_are_consecutive_bs_days(day: dt.date) -> None:
    today, tomorrow = to_bs(day), to_bs(day + dt.timedelta(days=1))
    if tomorrow.day == 1:
        assert today.day == BsMonth(today.year, today.month).days
    else:
        assert tomorrow == BsDate(today.year, today.month, today.day + 1)


def test_a_datetime_is_read_as_its_calendar_day() -> None:
    assert to_bs(dt.datetime(2025, 4, 14, 23, 59)) == BsDate(2082, 1, 1)


def test_dates_outside_the_table_are_a_clear_error() -> None:
    with pytest.raises(BsRangeError):
        to_bs(dt.date(1900, 1, 1))
    with pytest.raises(BsRangeError):
        to_bs(dt.date(2050, 1, 1))


def test_impossible_bs_dates_are_refused() -> None:
    with pytest.raises(ValueError):
        BsDate(2081, 13, 1)
    with pytest.raises(ValueError):
        BsDate(2081, 8, 31)  # Mangsir 2081 has 30 days
    with pytest.raises(BsRangeError):
        BsMonth(2200, 1)


def test_english_format_names_the_month_with_latin_digits() -> None:
    assert format_bs(dt.date(2025, 4, 14), "en") == "1 Baisakh 2082"


def test_nepali_format_uses_devanagari_month_and_digits() -> None:
    assert format_bs(dt.date(2024, 11, 1), "ne") == "१६ कात्तिक २०८१"


def test_month_format_in_both_languages() -> None:
    assert format_bs_month(BsMonth(2081, 8), "en") == "Mangsir 2081"
    assert format_bs_month(BsMonth(2081, 8), "ne") == "मंसिर २०८१"


def test_every_month_has_a_name_in_both_languages() -> None:
    assert [month_name(m, "en") for m in (1, 4, 12)] == ["Baisakh", "Shrawan", "Chaitra"]
    assert [month_name(m, "ne") for m in (1, 4, 12)] == ["बैशाख", "साउन", "चैत"]


def test_fiscal_year_starts_on_1_shrawan() -> None:
    assert fiscal_year_of(dt.date(2025, 7, 16)) == FiscalYear(2081)  # last day of Asar 2082
    assert fiscal_year_of(dt.date(2025, 7, 17)) == FiscalYear(2082)  # 1 Shrawan 2082


def test_fiscal_year_label_and_span() -> None:
    year = FiscalYear(2081)
    assert year.label == "2081/82"
    assert year.last_day == dt.date(2025, 7, 16)
    assert FiscalYear(2082).first_day == dt.date(2025, 7, 17)
    assert FiscalYear(2099).label == "2099/00"


def test_baisakh_to_asar_belong_to_the_fiscal_year_begun_the_year_before() -> None:
    assert fiscal_year_of(dt.date(2025, 4, 14)) == FiscalYear(2081)  # 1 Baisakh 2082


def test_month_span_runs_from_its_first_to_its_last_day() -> None:
    month = month_of(dt.date(2025, 4, 14))
    assert month == BsMonth(2082, 1)
    assert month.first_day == dt.date(2025, 4, 14)
    assert to_bs(month.last_day) == BsDate(2082, 1, month.days)
    assert to_bs(month.last_day + dt.timedelta(days=1)) == BsDate(2082, 2, 1)


@given(st.dates(min_value=FIRST_AD_DAY + dt.timedelta(days=40), max_value=LAST_AD_DAY))
def test_every_day_lies_within_its_month_span(day: dt.date) -> None:
    month = month_of(day)
    assert month.first_day <= day <= month.last_day
    assert 29 <= month.days <= 32
    assert month.previous().last_day + dt.timedelta(days=1) == month.first_day


def test_latest_month_is_this_year_once_begun_else_last_year() -> None:
    today = dt.date(2025, 10, 10)  # 24 Asoj 2082
    assert latest_month(6, today) == BsMonth(2082, 6)   # Asoj: the one running
    assert latest_month(1, today) == BsMonth(2082, 1)   # Baisakh: earlier this year
    assert latest_month(8, today) == BsMonth(2081, 8)   # Mangsir: not yet, so last year's


@pytest.mark.parametrize(("word", "month"), [
    ("mangsir", 8), ("Mansir", 8), ("मंसिर", 8), ("kartik", 7), ("Kattik", 7),
    ("कात्तिक", 7), ("saun", 4), ("SHRAWAN", 4), ("चैत", 12), (" poush ", 9), ("असोज", 6),
])
def test_month_words_as_shopkeepers_write_them(word: str, month: int) -> None:
    assert month_from_word(word) == month


def test_words_that_are_not_months_are_none() -> None:
    assert month_from_word("rice") is None
    assert month_from_word("") is None


@given(st.text(max_size=30))
def test_month_reader_never_crashes(word: str) -> None:
    found = month_from_word(word)
    assert found is None or 1 <= found <= 12
