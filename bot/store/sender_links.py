"""Senders without a phone number (a business-scoped WhatsApp user id) linked to a retailer."""

from __future__ import annotations

import asyncpg


async def linked_phone(conn: asyncpg.Connection, sender_id: str) -> str | None:
    """The phone of the retailer this sender id is linked to, or None."""
    phone: str | None = await conn.fetchval(
        "SELECT r.phone FROM sender_links l JOIN retailers r ON r.id = l.retailer_id "
        "WHERE l.sender_id = $1", sender_id)
    return phone


async def link(conn: asyncpg.Connection, sender_id: str, retailer_id: int,
               actor: str) -> int | None:
    """Link (or re-link) the id; the retailer it was linked to before, if any."""
    previous: int | None = await conn.fetchval(
        "SELECT retailer_id FROM sender_links WHERE sender_id = $1 FOR UPDATE", sender_id)
    await conn.execute(
        "INSERT INTO sender_links (sender_id, retailer_id, linked_by) VALUES ($1, $2, $3) "
        "ON CONFLICT (sender_id) DO UPDATE SET retailer_id = EXCLUDED.retailer_id, "
        "linked_by = EXCLUDED.linked_by, linked_at = now()", sender_id, retailer_id, actor)
    return previous
