"""The operator inbox (`operator_inbox`): what retailers sent that a person must read.

Written by the conversation worker (`add`, in the message's transaction), its
bytes fetched by the media fetcher (`claim_fetches`, `fetched`, `fetch_failed`,
`refused`), worked by operators (`list_items`, `get`, `mark_carted`,
`mark_done`) from `khaacho inbox` and the console. Lifecycle in schema.sql.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

NOTIFY_CHANNEL = "media_fetch"
KINDS = ("image", "voice", "audio", "video", "document", "sticker")
STATES = ("open", "carted", "done")
_COLUMNS = (
    "i.id, i.wamid, i.sender, i.retailer_id, i.language, i.kind, i.caption, i.caption_read, "
    "i.filename, i.wa_media_id, i.mime_type, i.wa_sha256, i.media_file_id, i.download, "
    "i.download_attempts, i.download_error, i.state, i.cart_text, i.handled_by, i.handled_at, "
    "i.received_at, r.shop_name, f.file_size, f.sha256 AS file_sha256"
)
_FROM = ("FROM operator_inbox i LEFT JOIN retailers r ON r.id = i.retailer_id "
         "LEFT JOIN media_files f ON f.id = i.media_file_id")


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One item of the operator inbox, with its retailer's shop name and file facts."""

    id: int
    wamid: str
    sender: str
    retailer_id: int | None
    language: str
    kind: str
    caption: str | None
    caption_read: bool
    filename: str | None
    wa_media_id: str
    mime_type: str | None
    wa_sha256: str | None
    media_file_id: int | None
    download: str
    download_attempts: int
    download_error: str | None
    state: str
    cart_text: str | None
    handled_by: str | None
    handled_at: dt.datetime | None
    received_at: dt.datetime
    shop_name: str | None
    file_size: int | None
    file_sha256: str | None


@dataclass(frozen=True, slots=True)
class NewItem:
    """What the conversation worker knows of an inbound file when it arrives."""

    wamid: str
    sender: str
    retailer_id: int | None
    language: str
    kind: str
    wa_media_id: str
    mime_type: str | None = None
    wa_sha256: str | None = None
    caption: str | None = None
    caption_read: bool = False
    filename: str | None = None


async def add(conn: asyncpg.Connection, item: NewItem) -> int | None:
    """Record an arrival (idempotent on the wamid) and wake the fetchers; its id, or None."""
    row_id = await conn.fetchval(
        "INSERT INTO operator_inbox (wamid, sender, retailer_id, language, kind, wa_media_id, "
        "mime_type, wa_sha256, caption, caption_read, filename) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) "
        "ON CONFLICT (wamid) DO NOTHING RETURNING id",
        item.wamid, item.sender, item.retailer_id, item.language, item.kind, item.wa_media_id,
        item.mime_type, item.wa_sha256, item.caption, item.caption_read, item.filename)
    await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    return int(row_id) if row_id is not None else None


async def get(conn: asyncpg.Connection, item_id: int) -> InboxItem | None:
    """One item, or None."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} {_FROM} WHERE i.id = $1",
                              item_id)
    return InboxItem(**dict(row)) if row is not None else None


async def list_items(
    conn: asyncpg.Connection, states: Sequence[str] = ("open", "carted"), limit: int = 100,
) -> list[InboxItem]:
    """Items in the given states, oldest first (the order a person should work them)."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} {_FROM} WHERE i.state = ANY($1::text[]) "
        "ORDER BY i.received_at, i.id LIMIT $2", list(states), limit)
    return [InboxItem(**dict(r)) for r in rows]


async def mark_carted(conn: asyncpg.Connection, item_id: int, cart_text: str, by: str) -> bool:
    """An operator turned the item into a cart; False unless it was open or carted."""
    done = await conn.fetchval(
        "UPDATE operator_inbox SET state = 'carted', cart_text = $2, handled_by = $3, "
        "handled_at = now() WHERE id = $1 AND state IN ('open', 'carted') RETURNING id",
        item_id, cart_text, by)
    return done is not None


async def mark_done(conn: asyncpg.Connection, item_id: int, by: str) -> bool:
    """Nothing more to do for the item; False if there is no such item or it was done."""
    done = await conn.fetchval(
        "UPDATE operator_inbox SET state = 'done', handled_by = $2, handled_at = now() "
        "WHERE id = $1 AND state <> 'done' RETURNING id", item_id, by)
    return done is not None


# ---------------------------------------------------------------- the fetcher's side


@dataclass(frozen=True, slots=True)
class Fetch:
    """A claimed download: which Meta media id, what the webhook said to expect."""

    id: int
    sender: str
    language: str
    kind: str
    wa_media_id: str
    mime_type: str | None
    wa_sha256: str | None
    filename: str | None
    download_attempts: int


async def claim_fetches(conn: asyncpg.Connection, limit: int, lease_seconds: float) -> list[Fetch]:
    """Claim due downloads under a lease (`FOR UPDATE SKIP LOCKED`: any number of fetchers)."""
    rows = await conn.fetch(
        "WITH picked AS (SELECT id FROM operator_inbox WHERE download = 'pending' "
        "AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now()) "
        "ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "UPDATE operator_inbox i SET claimed_until = now() + make_interval(secs => $2) "
        "FROM picked WHERE i.id = picked.id RETURNING i.id, i.sender, i.language, i.kind, "
        "i.wa_media_id, i.mime_type, i.wa_sha256, i.filename, i.download_attempts",
        limit, float(lease_seconds))
    return sorted((Fetch(**dict(r)) for r in rows), key=lambda f: f.id)


async def fetched(conn: asyncpg.Connection, item_id: int, media_file_id: int) -> None:
    """The bytes are stored (sha256 checked) as `media_file_id`."""
    await conn.execute(
        "UPDATE operator_inbox SET download = 'done', media_file_id = $2, claimed_until = NULL, "
        "download_attempts = download_attempts + 1, download_error = NULL WHERE id = $1",
        item_id, media_file_id)


async def fetch_failed(conn: asyncpg.Connection, item_id: int, error: str, *, retry_in: float,
                       max_attempts: int) -> bool:
    """A failed try: due again after `retry_in` seconds, or failed for good. True if for good."""
    status = await conn.fetchval(
        "UPDATE operator_inbox SET download_attempts = download_attempts + 1, "
        "download_error = $2, claimed_until = NULL, "
        "next_attempt_at = now() + make_interval(secs => $3), "
        "download = CASE WHEN download_attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END "
        "WHERE id = $1 AND download = 'pending' RETURNING download",
        item_id, error[:500], float(retry_in), max_attempts)
    return bool(status == "failed")


async def refused(conn: asyncpg.Connection, item_id: int, reason: str) -> None:
    """The file will not be kept (over the size cap): final."""
    await conn.execute(
        "UPDATE operator_inbox SET download = 'refused', download_error = $2, "
        "download_attempts = download_attempts + 1, claimed_until = NULL WHERE id = $1",
        item_id, reason[:500])


async def next_due_in(conn: asyncpg.Connection) -> float | None:
    """Seconds until the next download is due (0 if now), None if none waits."""
    value = await conn.fetchval(
        "SELECT extract(epoch FROM min(greatest(next_attempt_at, coalesce(claimed_until, "
        "next_attempt_at))) - now()) FROM operator_inbox WHERE download = 'pending'")
    return None if value is None else max(0.0, float(value))


async def pending_downloads(conn: asyncpg.Connection) -> int:
    """How many downloads wait (for `drained`-style waits and the backlog figures)."""
    return int(await conn.fetchval(
        "SELECT count(*) FROM operator_inbox WHERE download = 'pending'"))


# ---------------------------------------------------------------- delivery pins


@dataclass(frozen=True, slots=True)
class Pin:
    """A sender's delivery location."""

    sender: str
    retailer_id: int | None
    latitude: float
    longitude: float
    name: str | None
    address: str | None
    updated_at: dt.datetime


async def save_pin(conn: asyncpg.Connection, *, sender: str, retailer_id: int | None,
                   latitude: float, longitude: float, name: str | None, address: str | None,
                   wamid: str) -> None:
    """The sender's delivery pin is now this location (the latest one wins)."""
    await conn.execute(
        "INSERT INTO delivery_pins (sender, retailer_id, latitude, longitude, name, address, "
        "wamid) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sender) DO UPDATE SET "
        "retailer_id = coalesce(excluded.retailer_id, delivery_pins.retailer_id), "
        "latitude = excluded.latitude, longitude = excluded.longitude, name = excluded.name, "
        "address = excluded.address, wamid = excluded.wamid, updated_at = now()",
        sender, retailer_id, latitude, longitude, name, address, wamid)


async def pin_of(conn: asyncpg.Connection, sender: str) -> Pin | None:
    """The sender's delivery pin, if they shared one."""
    row = await conn.fetchrow(
        "SELECT sender, retailer_id, latitude, longitude, name, address, updated_at "
        "FROM delivery_pins WHERE sender = $1", sender)
    return Pin(**dict(row)) if row is not None else None
