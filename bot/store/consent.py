"""Marketing consent per WhatsApp number (STOP / START, user_preferences, error 131050)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class ConsentState:
    """A number's marketing preference as stored (no row: never opted out)."""

    phone: str
    opted_out: bool
    source: str
    changed_at: dt.datetime


async def set_opt_out(conn: asyncpg.Connection, phone: str, opted_out: bool,
                      source: str) -> None:
    """Record that `phone` stopped (True) or resumed (False) marketing messages."""
    await conn.execute(
        "INSERT INTO marketing_consent (phone, opted_out, source) VALUES ($1, $2, $3) "
        "ON CONFLICT (phone) DO UPDATE SET opted_out = EXCLUDED.opted_out, "
        "source = EXCLUDED.source, changed_at = now()", phone, opted_out, source)


async def state(conn: asyncpg.Connection, phone: str) -> ConsentState | None:
    """The stored preference of one number, or None (marketing allowed)."""
    row = await conn.fetchrow(
        "SELECT phone, opted_out, source, changed_at FROM marketing_consent WHERE phone = $1",
        phone)
    return None if row is None else ConsentState(**dict(row))


async def opted_out_count(conn: asyncpg.Connection) -> int:
    """Numbers that currently refuse marketing."""
    return int(await conn.fetchval("SELECT count(*) FROM marketing_consent WHERE opted_out"))
