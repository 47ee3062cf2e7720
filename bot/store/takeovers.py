"""Conversations an operator has taken over from the bot (table `conversation_takeovers`).

Plain SQL; the rules (who may, the 24-hour window, the audit) are in
bot/services/takeover.py. `is_taken_over` is read by the conversation
pipeline for every message it would answer, so it is one index lookup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class Takeover:
    """One take-over: who, when, and (once over) who handed it back and when."""

    id: int
    phone: str
    taken_by: str
    taken_at: dt.datetime
    note: str | None
    handed_back_by: str | None
    handed_back_at: dt.datetime | None

    @property
    def is_open(self) -> bool:
        """The operator still has the conversation (the bot is silent)."""
        return self.handed_back_at is None


_COLS = "id, phone, taken_by, taken_at, note, handed_back_by, handed_back_at"


def _of(row: asyncpg.Record) -> Takeover:
    return Takeover(row["id"], row["phone"], row["taken_by"], row["taken_at"], row["note"],
                    row["handed_back_by"], row["handed_back_at"])


async def is_taken_over(conn: asyncpg.Connection, phone: str) -> bool:
    """True while an operator holds this person's conversation."""
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM conversation_takeovers "
        "WHERE phone = $1 AND handed_back_at IS NULL)", phone))


async def open_takeover(conn: asyncpg.Connection, phone: str, *, lock: bool = False
                        ) -> Takeover | None:
    """The open take-over of this phone, if any (`lock`: FOR UPDATE)."""
    row = await conn.fetchrow(
        f"SELECT {_COLS} FROM conversation_takeovers "  # noqa: S608
        "WHERE phone = $1 AND handed_back_at IS NULL" + (" FOR UPDATE" if lock else ""), phone)
    return _of(row) if row is not None else None


async def start(conn: asyncpg.Connection, phone: str, *, by: str, note: str | None,
                now: dt.datetime) -> Takeover | None:
    """Open a take-over; None when one is already open (the unique index decides)."""
    row = await conn.fetchrow(
        f"INSERT INTO conversation_takeovers (phone, taken_by, taken_at, note) "  # noqa: S608
        "VALUES ($1, $2, $3, $4) ON CONFLICT (phone) WHERE handed_back_at IS NULL DO NOTHING "
        f"RETURNING {_COLS}", phone, by, now, note)
    return _of(row) if row is not None else None


async def finish(conn: asyncpg.Connection, takeover_id: int, *, by: str, now: dt.datetime
                 ) -> Takeover | None:
    """Close an open take-over; None when it was already closed."""
    row = await conn.fetchrow(
        "UPDATE conversation_takeovers SET handed_back_by = $2, handed_back_at = $3 "  # noqa: S608
        f"WHERE id = $1 AND handed_back_at IS NULL RETURNING {_COLS}", takeover_id, by, now)
    return _of(row) if row is not None else None


async def list_open(conn: asyncpg.Connection, *, limit: int = 200) -> list[Takeover]:
    """Every conversation operators hold now, longest-held first."""
    rows = await conn.fetch(
        f"SELECT {_COLS} FROM conversation_takeovers WHERE handed_back_at IS NULL "  # noqa: S608
        "ORDER BY taken_at, id LIMIT $1", limit)
    return [_of(r) for r in rows]


async def history(conn: asyncpg.Connection, phone: str, *, limit: int = 20) -> list[Takeover]:
    """This phone's take-overs, newest first."""
    rows = await conn.fetch(
        f"SELECT {_COLS} FROM conversation_takeovers WHERE phone = $1 "  # noqa: S608
        "ORDER BY taken_at DESC, id DESC LIMIT $2", phone, limit)
    return [_of(r) for r in rows]


async def last_inbound_at(conn: asyncpg.Connection, phone: str) -> dt.datetime | None:
    """When this person last wrote to us (what the 24-hour window runs from)."""
    value = await conn.fetchval(
        "SELECT max(received_at) FROM inbound_messages WHERE sender = $1", phone)
    return value if isinstance(value, dt.datetime) else None
