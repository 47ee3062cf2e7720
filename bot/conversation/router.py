"""The `Conversation` the channel pipeline calls: who is writing, and which flow answers.

Vendor numbers go to the vendor flow (flows/vendor.py); everyone else is a
retailer (known or not). The retailer's session is read from Redis inside the
pipeline's lock and written back only after the transaction commits
(`after_commit`), so a session never runs ahead of Postgres.

A bug or unexpected input inside the retailer flow must not turn into a 503
loop (WhatsApp would redeliver the same message for days): the flow runs in a
savepoint, and an error that is not Postgres or Redis being unreachable rolls
back just that message's business writes and answers with a polite apology.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import redis.asyncio as redis

from bot.conversation.pipeline import after_commit
from bot.conversation.sessions import SessionStore
from bot.store import parties as party_store
from bot.whatsapp.outbound import render_outgoing
from bot.whatsapp.updates import (
    ButtonMessage,
    InboundMessage,
    InteractiveMessage,
    TextMessage,
)
from flows.i18n import t
from flows.replies import Outgoing, Text
from flows.retailer import Backend, RetailerFlow, Said
from flows.session import Session

log = logging.getLogger(__name__)

# Errors that mean "try again later" (the pipeline answers 503), not "this input broke us".
_INFRASTRUCTURE = (
    OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.exceptions.SerializationError, asyncpg.exceptions.DeadlockDetectedError,
    redis.RedisError,
)


def said_of(message: InboundMessage) -> Said:
    """Reduce a readable message to typed text or a tapped choice."""
    if isinstance(message, TextMessage):
        return Said(text=message.text.body)
    if isinstance(message, InteractiveMessage):
        if message.reply_id is not None:
            return Said(choice=message.reply_id, choice_title=message.reply_title)
        nfm = message.interactive.nfm_reply
        return Said(text=(nfm.body if nfm and nfm.body else None))
    if isinstance(message, ButtonMessage):
        # A template quick reply: its payload is ours when we set one, else its text.
        if message.button.payload:
            return Said(choice=message.button.payload, choice_title=message.button.text)
        return Said(text=message.button.text)
    return Said()


class Router:
    """Vendor numbers → vendor flow; everyone else → the retailer flow."""

    def __init__(self, client: redis.Redis, keys: Any, *, backend: Backend,
                 session_ttl_hours: float = 24, vendor_flow: Any | None = None) -> None:
        self.sessions: SessionStore[Session] = SessionStore(
            client, keys, Session, ttl=session_ttl_hours * 3600)
        self.retailer = RetailerFlow(backend)
        self._vendor_flow = vendor_flow

    @property
    def vendor_flow(self) -> Any:
        if self._vendor_flow is None:
            from flows.vendor import VendorConversation

            self._vendor_flow = VendorConversation()
        return self._vendor_flow

    async def handle(self, conn: asyncpg.Connection, message: InboundMessage) -> list[Outgoing]:
        """React to a message the bot can read."""
        phone = message.sender
        vendor = await party_store.vendor_by_phone(conn, phone)
        if vendor is not None:
            return list(await self.vendor_flow.handle(conn, vendor, message))
        session = await self.sessions.load(phone)
        said = said_of(message)
        try:
            async with conn.transaction():
                new_session, out = await self.retailer.handle(conn, phone, said, session)
                for outgoing in out:
                    # A reply WhatsApp would refuse is a bug here, not a reason to
                    # make WhatsApp redeliver the message for days.
                    render_outgoing(outgoing)
        except _INFRASTRUCTURE:
            raise
        except Exception:
            log.exception("retailer flow failed; apologising instead of retrying",
                          extra={"wamid": message.wamid})
            lang = session.language if session else "en"
            return [Outgoing(phone, Text(t(lang, "busy_error")))]

        async def save() -> None:
            await self.sessions.save(phone, new_session)

        after_commit(save)
        return out

    async def unreadable(
        self, conn: asyncpg.Connection, message: InboundMessage
    ) -> list[Outgoing]:
        """The polite "I can read text, buttons and lists", in the sender's language."""
        phone = message.sender
        vendor = await party_store.vendor_by_phone(conn, phone)
        if vendor is not None:
            return [Outgoing(phone, Text(t(getattr(vendor, "language", "en"), "unsupported")))]
        session = await self.sessions.load(phone)
        if session is not None:
            return [Outgoing(phone, Text(t(session.language, "unsupported")))]
        retailer = await party_store.retailer_by_phone(conn, phone)
        lang = retailer.language if retailer is not None else "en"
        return [Outgoing(phone, Text(t(lang, "unsupported")))]
