"""Statements asked for in chat and not yet sent (`statement_requests`).

The conversation writes the request in the message's transaction; the
`documents` job renders and queues it (bot/documents/sending.py), so no PDF is
rendered while a conversation worker holds a message's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from domain.nepali_calendar import BsMonth
from domain.statement import Period


@dataclass(frozen=True, slots=True)
class Requested:
    """One statement request: whose, which days, in which language."""

    id: int
    retailer_id: int
    period: Period
    language: str


async def add(conn: asyncpg.Connection, retailer_id: int, period: Period,
              language: str, *, now: dt.datetime) -> int:
    """Record a request (in the caller's transaction); its id."""
    month = period.month
    return int(await conn.fetchval(
        "INSERT INTO statement_requests (retailer_id, first_day, last_day, bs_year, bs_month,"
        " language, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        retailer_id, period.first, period.last, month.year if month else None,
        month.month if month else None, language, now))


async def unsent(conn: asyncpg.Connection, limit: int) -> list[Requested]:
    """Up to `limit` requests not yet sent, oldest first, locked (SKIP LOCKED) for this
    transaction so two workers never render one twice."""
    rows = await conn.fetch(
        "SELECT id, retailer_id, first_day, last_day, bs_year, bs_month, language"
        " FROM statement_requests WHERE sent_at IS NULL ORDER BY id LIMIT $1"
        " FOR UPDATE SKIP LOCKED", limit)
    return [Requested(r["id"], r["retailer_id"],
                      Period(r["first_day"], r["last_day"],
                             BsMonth(r["bs_year"], r["bs_month"])
                             if r["bs_month"] is not None else None),
                      r["language"])
            for r in rows]


async def mark_sent(conn: asyncpg.Connection, request_id: int, *, media_file_id: int,
                    outbox_id: int, now: dt.datetime) -> None:
    """The request's PDF is stored and queued."""
    await conn.execute(
        "UPDATE statement_requests SET sent_at = $2, media_file_id = $3, outbox_id = $4"
        " WHERE id = $1", request_id, now, media_file_id, outbox_id)
