"""The business clock: Nepal time, in which shops, vendors and operators count their days.

Due dates, daily figures, quiet hours and job schedules are all Kathmandu
dates and hours. The zone is named (tz database), never a fixed +05:45:
Postgres reads the same name in `AT TIME ZONE $n`, so Python and SQL agree on
every instant, including those before Nepal moved from +05:30 in 1986.
SQL takes `ZONE_NAME` as a query parameter, never formatted into the text.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE_NAME = "Asia/Kathmandu"
ZONE = ZoneInfo(ZONE_NAME)


def _aware(instant: datetime) -> datetime:
    # A naive datetime would silently be read on the machine's own clock.
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"an instant needs a timezone: {instant!r}")
    return instant


def local_time(instant: datetime) -> datetime:
    """`instant` on the Kathmandu clock."""
    return _aware(instant).astimezone(ZONE)


def business_date(instant: datetime) -> date:
    """The Kathmandu calendar date at `instant`."""
    return local_time(instant).date()


def day_start(day: date) -> datetime:
    """The instant the Kathmandu day `day` begins (local midnight)."""
    return datetime.combine(day, time(0), ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants the Kathmandu day `day` starts and ends (end exclusive)."""
    return day_start(day), day_start(day + timedelta(days=1))


def read_local(moment: datetime) -> datetime:
    """A time as a person gave it: without an offset it is Kathmandu wall-clock time."""
    return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment
