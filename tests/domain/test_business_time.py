"""The business clock is Kathmandu's: its dates, its midnights, its wall-clock times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.business_time import (
    ZONE,
    ZONE_NAME,
    business_date,
    day_bounds,
    day_start,
    local_time,
    read_local,
)

instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1),
                        timezones=st.just(UTC))


def test_the_business_zone_is_kathmandu_by_name() -> None:
    assert ZONE_NAME == "Asia/Kathmandu"
    assert ZONE.key == ZONE_NAME


def test_kathmandu_is_five_hours_forty_five_ahead_of_utc_today() -> None:
    assert local_time(datetime(2026, 3, 2, 4, 0, tzinfo=UTC)) == datetime(
        2026, 3, 2, 9, 45, tzinfo=ZONE)


def test_a_late_utc_evening_is_already_the_next_day_in_kathmandu() -> None:
    assert business_date(datetime(2026, 3, 2, 18, 30, tzinfo=UTC)) == date(2026, 3, 3)
    assert business_date(datetime(2026, 3, 2, 18, 14, tzinfo=UTC)) == date(2026, 3, 2)


def test_before_1986_nepal_was_five_thirty_ahead_and_the_date_follows_the_zone() -> None:
    # A fixed +05:45 offset (once in the ledger) would call this 1 January 1986.
    assert business_date(datetime(1985, 12, 31, 18, 20, tzinfo=UTC)) == date(1985, 12, 31)


def test_a_day_starts_at_kathmandu_midnight() -> None:
    assert day_start(date(2026, 3, 8)) == datetime(2026, 3, 7, 18, 15, tzinfo=UTC)


def test_a_day_is_twenty_four_hours_end_exclusive() -> None:
    start, end = day_bounds(date(2026, 3, 8))
    assert (start, end - start) == (day_start(date(2026, 3, 8)), timedelta(days=1))
    assert end == day_start(date(2026, 3, 9))


@given(instants)
def test_every_instant_falls_inside_the_bounds_of_its_business_date(instant: datetime) -> None:
    start, end = day_bounds(business_date(instant))
    assert start <= instant < end


@given(instants, st.sampled_from([UTC, timezone(timedelta(hours=-7)), ZONE]))
def test_the_business_date_does_not_depend_on_how_the_instant_is_written(
        instant: datetime, tz: timezone) -> None:
    assert business_date(instant.astimezone(tz)) == business_date(instant)


def test_an_instant_without_a_timezone_is_refused() -> None:
    # It would otherwise be read on the machine's own clock.
    with pytest.raises(ValueError, match="timezone"):
        business_date(datetime(2026, 3, 8, 9, 0))


def test_a_time_a_person_gives_without_an_offset_is_kathmandu_wall_clock() -> None:
    assert read_local(datetime(2026, 3, 8, 9, 0)) == datetime(2026, 3, 8, 3, 15, tzinfo=UTC)


def test_a_time_given_with_an_offset_keeps_it() -> None:
    moment = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    assert read_local(moment) is moment
