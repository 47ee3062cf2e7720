"""Signed webhook bodies that cannot be read at all, set aside instead of refused.

WhatsApp redelivers any non-200 answer for up to 7 days, so a correctly signed
body we cannot read (the same bytes on every try) is recorded here once per
distinct body — a digest, the reason, its size and at most `HEAD_BYTES` of it —
and acknowledged. Operators read them with SQL; the retention job purges them
with the inbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

import asyncpg

# Enough of a body to see what it was, small enough that junk costs nothing.
HEAD_BYTES = 64 * 1024
# The parser's reason is ours, not the sender's text, but bound it all the same.
DETAIL_CHARS = 500


class Unreadable(StrEnum):
    """Why a signed body could not be read (a closed set: also a metrics label)."""

    NOT_JSON = "not_json"
    NOT_ENVELOPE = "not_envelope"
    NOTHING_READABLE = "nothing_readable"
    NOT_STORABLE = "not_storable"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """The record of one unreadable body: its row, digest and how often it came."""

    id: int
    sha256: str
    deliveries: int


async def record(conn: asyncpg.Connection, raw: bytes, reason: Unreadable, detail: str,
                 request_id: str | None) -> DeadLetter:
    """Record (or count again) an unreadable body; one statement."""
    digest = hashlib.sha256(raw).hexdigest()
    row: asyncpg.Record = await conn.fetchrow(
        "INSERT INTO webhook_dead_letters (sha256, reason, detail, body_bytes, body_head, "
        "request_id) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (sha256) DO UPDATE SET deliveries = webhook_dead_letters.deliveries + 1, "
        "last_at = now() RETURNING id, deliveries",
        digest, reason.value, detail.replace("\x00", "\\0")[:DETAIL_CHARS], len(raw),
        raw[:HEAD_BYTES], request_id)
    return DeadLetter(int(row["id"]), digest, int(row["deliveries"]))
