"""Today at a glance, for the console's first page: plain SQL reads, no rules.

"Today" is the business day in Kathmandu (domain.business_time). GMV is the
value of the day's orders that were not void (cancelled or unroutable), as
the analytics job counts it (jobs/analytics.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from domain.business_time import business_date, day_bounds


@dataclass(frozen=True, slots=True)
class Today:
    """The day's counts and what is waiting for a person."""

    day: dt.date
    placed: int
    accepted: int
    delivered: int
    gmv: Decimal
    unroutable: int
    disputes: int
    dead_inbound: int
    dead_webhooks: int
    dead_outbox: int
    failed_outbox: int
    inbox_backlog: int
    oldest_inbox_at: dt.datetime | None
    outbox_backlog: int


async def today(conn: asyncpg.Connection, now: dt.datetime) -> Today:
    """The figures of the business day `now` falls in."""
    day = business_date(now)
    start, end = day_bounds(day)
    row = await conn.fetchrow(
        """SELECT
             (SELECT count(*) FROM orders WHERE created_at >= $1 AND created_at < $2) AS placed,
             (SELECT count(*) FROM orders WHERE accepted_at >= $1 AND accepted_at < $2)
               AS accepted,
             (SELECT count(*) FROM orders WHERE delivered_at >= $1 AND delivered_at < $2)
               AS delivered,
             (SELECT coalesce(sum(total), 0) FROM orders
               WHERE created_at >= $1 AND created_at < $2 AND NOT order_is_void(status)) AS gmv,
             (SELECT count(*) FROM orders WHERE status = 'unroutable') AS unroutable,
             (SELECT count(*) FROM operator_alerts WHERE kind = 'dispute'
               AND resolved_at IS NULL) AS disputes,
             (SELECT count(*) FROM inbound_messages WHERE status = 'dead') AS dead_inbound,
             (SELECT count(*) FROM webhook_dead_letters) AS dead_webhooks,
             (SELECT count(*) FROM outbox WHERE status = 'dead') AS dead_outbox,
             (SELECT count(*) FROM outbox WHERE status = 'failed') AS failed_outbox,
             (SELECT count(*) FROM inbound_messages WHERE status = 'pending') AS inbox_backlog,
             (SELECT min(received_at) FROM inbound_messages WHERE status = 'pending')
               AS oldest_inbox_at,
             (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending'))
               AS outbox_backlog""",
        start, end)
    return Today(day=day, **dict(row))


async def waiting_for_vendor(conn: asyncpg.Connection, *, limit: int = 20
                             ) -> list[dict[str, Any]]:
    """Orders offered to a vendor and not yet answered, the longest waiting first."""
    rows = await conn.fetch(
        """SELECT o.number, o.total, o.created_at, o.accept_deadline,
                  r.shop_name AS retailer_name, r.phone AS retailer_phone, r.area,
                  v.name AS vendor_name, v.phone AS vendor_phone
           FROM orders o JOIN retailers r ON r.id = o.retailer_id
           LEFT JOIN vendors v ON v.id = o.vendor_id
           WHERE o.status = 'pending' ORDER BY o.created_at, o.id LIMIT $1""", limit)
    return [dict(r) for r in rows]


async def unroutable_orders(conn: asyncpg.Connection, *, limit: int = 20
                            ) -> list[dict[str, Any]]:
    """Orders no vendor could take, oldest first (an operator must assign them)."""
    rows = await conn.fetch(
        """SELECT o.number, o.total, o.created_at, r.shop_name AS retailer_name,
                  r.phone AS retailer_phone, r.area
           FROM orders o JOIN retailers r ON r.id = o.retailer_id
           WHERE o.status = 'unroutable' ORDER BY o.created_at, o.id LIMIT $1""", limit)
    return [dict(r) for r in rows]


async def open_disputes(conn: asyncpg.Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    """Disputes a shop raised that nobody has closed, oldest first."""
    rows = await conn.fetch(
        "SELECT id, dedupe_key, subject, raised_at FROM operator_alerts "
        "WHERE kind = 'dispute' AND resolved_at IS NULL ORDER BY raised_at, id LIMIT $1", limit)
    return [dict(r) for r in rows]
