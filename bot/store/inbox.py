"""Inbound message ids: the durable record that a WhatsApp message was handled."""

from __future__ import annotations

import asyncpg

from bot.whatsapp.updates import InboundMessage


async def claim(conn: asyncpg.Connection, message: InboundMessage) -> bool:
    """Record the message as handled; False if it already was (a redelivery).

    Call it inside the transaction that writes the message's effects: the
    primary key on `wamid` is what makes those effects happen exactly once.
    A concurrent duplicate blocks on the key until the first commits or rolls back.
    """
    row = await conn.fetchval(
        "INSERT INTO inbound_messages (wamid, sender, type) VALUES ($1, $2, $3) "
        "ON CONFLICT (wamid) DO NOTHING RETURNING true",
        message.wamid, message.sender, message.type,
    )
    return bool(row)


async def was_handled(conn: asyncpg.Connection, wamid: str) -> bool:
    """Whether a message id is already recorded."""
    return bool(await conn.fetchval("SELECT true FROM inbound_messages WHERE wamid = $1", wamid))
