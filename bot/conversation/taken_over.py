"""What happens to a message while an operator holds the conversation: it is kept, unanswered.

The pipeline (bot/conversation/pipeline.py) runs no flow for a taken-over
person, so nothing is said and their session does not move. A text is already
in the inbox (the transcript the operator reads). A photo, voice note or
document is also put in the operator inbox, and a location saved as the pin,
exactly as the router would (bot/conversation/media_intake.py) — but its
acknowledgement is dropped and an image's caption is not fed to the order
flow: the operator answers.
"""

from __future__ import annotations

import asyncpg

from bot.conversation import media_intake
from bot.store import parties as party_store
from bot.whatsapp.updates import InboundMessage
from flows.replies import Outgoing


async def _no_flow(_conn: asyncpg.Connection, _message: InboundMessage) -> list[Outgoing]:
    return []


async def _account_language(conn: asyncpg.Connection, phone: str) -> str:
    known = await party_store.retailer_by_phone(conn, phone)
    return known.language if known is not None else "en"


async def keep(conn: asyncpg.Connection, message: InboundMessage) -> None:
    """Record a file or location for operators without answering (vendors' files are not kept,
    as outside a take-over)."""
    if await party_store.vendor_by_phone(conn, message.sender) is not None:
        return
    await media_intake.take(conn, message, handle=_no_flow, language=_account_language)
