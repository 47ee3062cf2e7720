"""When the worker may message people: quiet hours and the 24-hour window."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.business_time import local_time
from domain.service_window import WINDOW, window_open

# Nobody gets a reminder or a nudge from 20:00 to 08:00 Kathmandu time.
QUIET_FROM_HOUR = 20
QUIET_UNTIL_HOUR = 8

__all__ = ["WINDOW", "in_quiet_hours", "within_window"]


def in_quiet_hours(now: datetime) -> bool:
    """True between 20:00 and 08:00 on the Kathmandu clock."""
    hour = local_time(now).hour
    return hour >= QUIET_FROM_HOUR or hour < QUIET_UNTIL_HOUR


async def within_window(conn: asyncpg.Connection, phone: str, now: datetime) -> bool:
    """The user wrote to us in the last 24 hours (free-form messages are allowed)."""
    last = await conn.fetchval(
        "SELECT max(received_at) FROM inbound_messages WHERE sender = $1", phone)
    return window_open(last, now)
