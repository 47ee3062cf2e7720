"""Retailers and vendors: plain SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from bot import audit_context

# Also read by other stores that join a retailer into their statement.
RETAILER_COLS = ("id, phone, shop_name, owner_name, area, status, blocked_reason, credit_limit, "
                  "credit_terms_days, language, created_at, approved_at")
_VENDOR_COLS = "id, phone, name, areas, active, language, created_at"


@dataclass(frozen=True, slots=True)
class Retailer:
    id: int
    phone: str
    shop_name: str
    owner_name: str | None
    area: str
    status: str
    blocked_reason: str | None
    credit_limit: Decimal
    credit_terms_days: int
    language: str
    created_at: dt.datetime
    approved_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Vendor:
    id: int
    phone: str
    name: str
    areas: tuple[str, ...]
    active: bool
    language: str
    created_at: dt.datetime


def _retailer(row: asyncpg.Record | None) -> Retailer | None:
    return None if row is None else Retailer(**dict(row))


def _vendor(row: asyncpg.Record | None) -> Vendor | None:
    if row is None:
        return None
    data: dict[str, Any] = dict(row)
    data["areas"] = tuple(data["areas"] or ())
    return Vendor(**data)


async def retailer(conn: asyncpg.Connection, retailer_id: int, *,
                   for_update: bool = False) -> Retailer | None:
    """One retailer by id; `for_update` locks the row until the transaction ends."""
    lock = " FOR UPDATE" if for_update else ""
    row = await conn.fetchrow(f"SELECT {RETAILER_COLS} FROM retailers WHERE id = $1{lock}",  # noqa: S608
                              retailer_id)
    return _retailer(row)


async def retailer_by_phone(conn: asyncpg.Connection, phone: str) -> Retailer | None:
    row = await conn.fetchrow(f"SELECT {RETAILER_COLS} FROM retailers WHERE phone = $1",  # noqa: S608
                              phone)
    return _retailer(row)


@dataclass(frozen=True, slots=True)
class Sender:
    """Who wrote a message: whether an operator holds them, and their vendor or retailer row."""

    taken_over: bool
    vendor: Vendor | None
    retailer: Retailer | None


def _prefixed(cols: str, table: str, prefix: str) -> str:
    return ", ".join(f"{table}.{c.strip()} AS {prefix}{c.strip()}" for c in cols.split(","))


_SENDER_SQL = (
    "SELECT EXISTS (SELECT 1 FROM conversation_takeovers "  # noqa: S608
    "  WHERE phone = $1 AND handed_back_at IS NULL) AS taken_over, "
    f"{_prefixed(_VENDOR_COLS, 'v', 'v_')}, {_prefixed(RETAILER_COLS, 'r', 'r_')} "
    "FROM (SELECT 1) one LEFT JOIN vendors v ON v.phone = $1 LEFT JOIN retailers r ON r.phone = $1")


async def sender(conn: asyncpg.Connection, phone: str) -> Sender:
    """`takeovers.is_taken_over`, `vendor_by_phone` and `retailer_by_phone` in one round trip:
    every message the bot reads asks all three before anything else."""
    row = await conn.fetchrow(_SENDER_SQL, phone)
    assert row is not None  # one row always: the joins are LEFT
    data = dict(row)

    def part(prefix: str) -> dict[str, Any] | None:
        got = {k[len(prefix):]: v for k, v in data.items() if k.startswith(prefix)}
        return None if got["id"] is None else got

    v, r = part("v_"), part("r_")
    vendor = None
    if v is not None:
        v["areas"] = tuple(v["areas"] or ())
        vendor = Vendor(**v)
    return Sender(bool(data["taken_over"]), vendor, None if r is None else Retailer(**r))


async def insert_retailer(conn: asyncpg.Connection, *, phone: str, shop_name: str, area: str,
                          owner_name: str | None, credit_limit: Decimal, terms_days: int,
                          language: str) -> Retailer | None:
    """Insert a pending retailer; None when the phone is already registered."""
    row = await conn.fetchrow(
        f"""INSERT INTO retailers (phone, shop_name, owner_name, area, credit_limit,
                                   credit_terms_days, language)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (phone) DO NOTHING
            RETURNING {RETAILER_COLS}""",  # noqa: S608
        phone, shop_name, owner_name, area, credit_limit, terms_days, language)
    return _retailer(row)


async def update_retailer(conn: asyncpg.Connection, retailer_id: int, *, now: dt.datetime,
                          **changes: object) -> Retailer:
    """Set the given columns (names fixed by the callers in this package)."""
    allowed = {"status", "blocked_reason", "credit_limit", "credit_terms_days", "approved_at",
               "language", "shop_name", "area"}
    names = list(changes)
    if not names or not set(names) <= allowed:
        raise ValueError(f"cannot update retailer columns {names}")
    sets = ", ".join(f"{n} = ${i + 2}" for i, n in enumerate(names))
    row = await conn.fetchrow(
        f"UPDATE retailers SET {sets}, updated_at = ${len(names) + 2} WHERE id = $1 "  # noqa: S608
        f"RETURNING {RETAILER_COLS}",
        retailer_id, *changes.values(), now)
    result = _retailer(row)
    assert result is not None
    return result


async def list_retailers(conn: asyncpg.Connection, *, status: str | None = None,
                         limit: int = 500) -> list[Retailer]:
    rows = await conn.fetch(
        f"SELECT {RETAILER_COLS} FROM retailers "  # noqa: S608
        "WHERE ($1::text IS NULL OR status = $1) ORDER BY id LIMIT $2", status, limit)
    return [r for r in map(_retailer, rows) if r is not None]


async def vendor(conn: asyncpg.Connection, vendor_id: int) -> Vendor | None:
    row = await conn.fetchrow(f"SELECT {_VENDOR_COLS} FROM vendors WHERE id = $1",  # noqa: S608
                              vendor_id)
    return _vendor(row)


async def vendor_by_phone(conn: asyncpg.Connection, phone: str) -> Vendor | None:
    row = await conn.fetchrow(f"SELECT {_VENDOR_COLS} FROM vendors WHERE phone = $1",  # noqa: S608
                              phone)
    return _vendor(row)


async def insert_vendor(conn: asyncpg.Connection, *, phone: str, name: str,
                        areas: Sequence[str], language: str) -> Vendor | None:
    """Insert an active vendor; None when the phone is already registered."""
    row = await conn.fetchrow(
        f"""INSERT INTO vendors (phone, name, areas, language) VALUES ($1, $2, $3, $4)
            ON CONFLICT (phone) DO NOTHING RETURNING {_VENDOR_COLS}""",  # noqa: S608
        phone, name, list(areas), language)
    return _vendor(row)


async def list_vendors(conn: asyncpg.Connection, *, area: str | None = None) -> list[Vendor]:
    rows = await conn.fetch(
        f"SELECT {_VENDOR_COLS} FROM vendors "  # noqa: S608
        "WHERE $1::text IS NULL OR serves_area(areas, $1) ORDER BY id", area)
    return [v for v in map(_vendor, rows) if v is not None]


async def audit(conn: asyncpg.Connection, *, actor: str, action: str, target: str,
                details: dict[str, Any], now: dt.datetime) -> None:
    """Record an operator write in audit_log."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)",
        now, actor, action, target, {**audit_context.current(), **details})


async def set_vendor_active(conn: asyncpg.Connection, vendor_id: int, active: bool) -> Vendor:
    row = await conn.fetchrow(
        f"UPDATE vendors SET active = $2 WHERE id = $1 RETURNING {_VENDOR_COLS}",  # noqa: S608
        vendor_id, active)
    result = _vendor(row)
    assert result is not None
    return result
