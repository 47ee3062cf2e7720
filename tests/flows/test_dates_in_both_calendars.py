"""Every date a retailer reads is written in both calendars, in their language and digits."""

from __future__ import annotations

import datetime as dt

from flows.i18n import day


def test_english_puts_the_ad_date_first_and_the_bs_date_beside_it() -> None:
    assert day("en", dt.date(2025, 4, 14)) == "2025-04-14 / 1 Baisakh 2082"


def test_nepali_puts_the_bs_date_first_in_devanagari() -> None:
    assert day("ne", dt.date(2025, 4, 14)) == "१ बैशाख २०८२ / २०२५-०४-१४"


def test_an_instant_is_dated_on_the_kathmandu_clock() -> None:
    # 18:30 UTC on 13 April is 00:15 on 14 April in Kathmandu: already the new year.
    late = dt.datetime(2025, 4, 13, 18, 30, tzinfo=dt.UTC)
    assert day("en", late) == "2025-04-14 / 1 Baisakh 2082"


def test_a_date_beyond_the_bs_table_is_written_in_ad_alone() -> None:
    assert day("en", dt.date(2050, 1, 1)) == "2050-01-01"
