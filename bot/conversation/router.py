"""The pipeline's `MessageHandler`: who is writing, and which flow answers.

Vendor numbers go to the vendor flow (flows/vendor.py); everyone else is a
retailer (known or not). For each message the router binds the flow's port
to the message's connection (the pipeline's transaction), reduces the
WhatsApp message to what the flow reads, and runs the flow. The retailer's
session is read from Redis inside the pipeline's lock and written back only
after the transaction commits (`after_commit`), so a session never runs
ahead of Postgres. What the retailer machine did (its steps and any trigger
it refused) is logged and counted here.

A bug or unexpected input inside a flow must not turn into a 503 loop
(WhatsApp would redeliver the same message for days): an error in a flow that
is not infrastructure (`bot.transient`) undoes just that flow's business writes
and answers with a polite apology — in the pipeline by doing the message again
without the flow (`pipeline.FlowFailed`), on its own in a savepoint.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

import asyncpg
import redis.asyncio as redis

from bot.conversation import media_intake
from bot.conversation.pipeline import (
    FlowFailed,
    after_commit,
    apologising,
    flow_failure_redoes,
    vendor_of,
)
from bot.conversation.sessions import SessionStore
from bot.conversation.vendor_backend import VendorServiceBackend
from bot.kv import Keys
from bot.metrics import FLOW_REFUSED, FLOW_TRANSITIONS
from bot.services.operator_inbox import is_operator_cart
from bot.store import consent as consent_store
from bot.store import parties as party_store
from bot.store import sender_links
from bot.transient import TRANSIENT
from bot.whatsapp.outbound import render_outgoing
from bot.whatsapp.updates import (
    ButtonMessage,
    InboundMessage,
    InteractiveMessage,
    TextMessage,
)
from domain.facts import Party
from flows import consent, retailer, vendor
from flows.i18n import t
from flows.replies import Outgoing, Text
from flows.retailer import RetailerBackend, Said, Turned
from flows.session import Session
from flows.vendor import VendorBackend, VendorSaid

log = logging.getLogger(__name__)

T = TypeVar("T")
# Build a flow's port for one message, on its connection.
RetailerBackends = Callable[[asyncpg.Connection], RetailerBackend]
VendorBackends = Callable[[asyncpg.Connection, int], VendorBackend]


def said_of(message: InboundMessage) -> Said:
    """Reduce a readable message to typed text or a tapped choice."""
    if isinstance(message, TextMessage):
        return Said(text=message.text.body, photo=message.photo_caption)
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


def vendor_said_of(message: InboundMessage) -> VendorSaid:
    """Reduce a vendor's message: typed text, a tapped id, or a template quick reply."""
    if isinstance(message, TextMessage):
        return VendorSaid(text=message.text.body)
    if isinstance(message, InteractiveMessage):
        return VendorSaid(tapped=message.reply_id or "")
    if isinstance(message, ButtonMessage):
        return VendorSaid(payload=message.button.payload or "", button_text=message.button.text)
    return VendorSaid(readable=False)


class Router:
    """Vendor numbers → vendor flow; everyone else → the retailer flow."""

    def __init__(self, client: redis.Redis, keys: Keys, *, retailer_backend: RetailerBackends,
                 vendor_backend: VendorBackends | None = None,
                 session_ttl_hours: float = 24) -> None:
        self.sessions: SessionStore[Session] = SessionStore(
            client, keys, Session, ttl=session_ttl_hours * 3600)
        self.retailer_backend = retailer_backend
        self.vendor_backend: VendorBackends = vendor_backend or VendorServiceBackend

    async def handle(self, conn: asyncpg.Connection, message: InboundMessage) -> list[Outgoing]:
        """React to a message the bot can read."""
        if isinstance(message, TextMessage) and message.too_long:
            # Cut at the edge (bot/whatsapp/updates.py): parsing half a list would guess.
            return await self._polite(conn, message, "text_too_long")
        if isinstance(message, TextMessage) and (
                word := consent.consent_of(message.text.body)) is not None:
            answered = await self._consent(conn, message, word)
            if answered is not None:
                return answered
        found = await vendor_of(conn, message.sender)
        if found is not None:
            return await self._vendor(conn, Party(found.phone, found.language, found.name),
                                      found.id, message)
        if message.phone is None:
            linked = await sender_links.linked_phone(conn, message.sender)
            if linked is not None:
                # An operator linked the id to a retailer (`khaacho retailer link`):
                # served as that retailer (their session, cart and account), the
                # replies still addressed to the id the message came from.
                as_retailer = message.model_copy(update={"from_": linked})
                return [replace(o, to=message.sender) if o.to == linked else o
                        for o in await self._retailer(conn, as_retailer)]
        if message.phone is None and await party_store.retailer_by_phone(
                conn, message.sender) is None:
            # Known only by a business-scoped user id: an account needs a number.
            # Asked, not onboarded under the id; an operator may link the id instead.
            return await self._polite(conn, message, "need_phone")
        return await self._retailer(conn, message)

    async def unreadable(
        self, conn: asyncpg.Connection, message: InboundMessage
    ) -> list[Outgoing]:
        """A file or location from a retailer goes to a person or becomes the pin
        (bot/conversation/media_intake.py); anything else gets the polite "I can
        read text, buttons and lists", in the sender's language."""
        if await vendor_of(conn, message.sender) is None:
            taken = await media_intake.take(conn, message, handle=self.handle,
                                            language=self.language_of)
            if taken is not None:
                return taken
        return await self._polite(conn, message, "unsupported")

    async def language_of(self, conn: asyncpg.Connection, phone: str) -> str:
        """The language a sender is answered in: their session's, else their account's."""
        session = await self.sessions.load(phone)
        if session is not None:
            return session.language
        known = await party_store.retailer_by_phone(conn, phone)
        return known.language if known is not None else "en"

    async def _polite(self, conn: asyncpg.Connection, message: InboundMessage,
                      key: str) -> list[Outgoing]:
        """One fixed reply (`key` in flows/i18n) in the sender's language."""
        phone = message.sender
        found = await vendor_of(conn, phone)
        if found is not None:
            return [Outgoing(phone, Text(t(found.language, key)))]
        session = await self.sessions.load(phone)
        if session is not None:
            return [Outgoing(phone, Text(t(session.language, key)))]
        known = await party_store.retailer_by_phone(conn, phone)
        lang = known.language if known is not None else "en"
        return [Outgoing(phone, Text(t(lang, key)))]

    async def _consent(self, conn: asyncpg.Connection, message: InboundMessage,
                       word: consent.Consent) -> list[Outgoing] | None:
        """STOP/START marketing for this number; None when START is just a greeting."""
        phone = message.sender
        known = await consent_store.state(conn, phone)
        if word is consent.Consent.START and (known is None or not known.opted_out):
            return None  # nothing to resume: "start" greets, as it always did
        await consent_store.set_opt_out(conn, phone, word is consent.Consent.STOP,
                                        f"message:{word.value}")
        return [consent.reply(phone, await self._language(conn, phone), word)]

    async def _language(self, conn: asyncpg.Connection, phone: str) -> str:
        """The sender's language: vendor's, the session's, the retailer's, else English."""
        found = await vendor_of(conn, phone)
        if found is not None:
            return found.language
        session = await self.sessions.load(phone)
        if session is not None:
            return session.language
        known = await party_store.retailer_by_phone(conn, phone)
        return known.language if known is not None else "en"

    # ------------------------------------------------------------ the flows

    async def _vendor(self, conn: asyncpg.Connection, party: Party, vendor_id: int,
                      message: InboundMessage) -> list[Outgoing]:
        backend = self.vendor_backend(conn, vendor_id)
        out = await _guarded(conn, message, "vendor",
                             lambda: vendor.handle(backend, party, vendor_said_of(message)),
                             lambda replies: replies)
        if out is None:
            return [Outgoing(party.phone, Text(t(party.language, "busy_error")))]
        return out

    async def _retailer(self, conn: asyncpg.Connection,
                        message: InboundMessage) -> list[Outgoing]:
        phone = message.sender
        session = await self.sessions.load(phone)
        backend = self.retailer_backend(conn)
        turned = await _guarded(
            conn, message, "retailer",
            lambda: retailer.handle(backend, phone, said_of(message), session),
            lambda result: result.out)
        if turned is None:
            lang = session.language if session else "en"
            return [Outgoing(phone, Text(t(lang, "busy_error")))]
        _report(turned, message)

        async def save() -> None:
            await self.sessions.save(phone, turned.session)

        after_commit(save)
        if is_operator_cart(message.wamid):
            # An operator typed this from the retailer's photo or voice note
            # (`khaacho inbox cart`): say so before the usual review.
            note = Outgoing(phone, Text(t(turned.session.language, "media.cart_prepared")))
            return [note, *turned.out]
        return turned.out


async def _guarded(conn: asyncpg.Connection, message: InboundMessage, flow: str,
                   run: Callable[[], Awaitable[T]],
                   replies: Callable[[T], list[Outgoing]]) -> T | None:
    """Run a flow; None (its writes undone, logged) when it failed on a bug.

    In the pipeline a failure raises `FlowFailed`, which rolls the whole message
    back and has it done again with this returning None at once (`apologising`):
    the same outcome as a savepoint around the flow, without the SAVEPOINT and
    RELEASE round trips on every turn. Called on its own (a test, a tool), the
    flow runs in a savepoint as before.
    """
    if apologising():
        return None
    if not flow_failure_redoes():
        return await _savepointed(conn, message, flow, run, replies)
    try:
        return _checked(await run(), replies)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.exception("%s flow failed; apologising instead of retrying", flow,
                      extra={"wamid": message.wamid})
        raise FlowFailed(flow) from exc


def _checked(result: T, replies: Callable[[T], list[Outgoing]]) -> T:
    for outgoing in replies(result):
        # A reply WhatsApp would refuse is a bug here, not a reason to
        # make WhatsApp redeliver the message for days.
        render_outgoing(outgoing)
    return result


async def _savepointed(conn: asyncpg.Connection, message: InboundMessage, flow: str,
                       run: Callable[[], Awaitable[T]],
                       replies: Callable[[T], list[Outgoing]]) -> T | None:
    try:
        async with conn.transaction():
            return _checked(await run(), replies)
    except TRANSIENT:
        raise
    except Exception:
        log.exception("%s flow failed; apologising instead of retrying", flow,
                      extra={"wamid": message.wamid})
        return None


def _report(turned: Turned, message: InboundMessage) -> None:
    """Count the machine's state changes; log and count the triggers it refused."""
    for step in turned.steps:
        FLOW_TRANSITIONS.inc(flow="retailer", source=step.source, dest=step.dest)
    for refusal in turned.refused:
        FLOW_REFUSED.inc(flow="retailer", trigger=refusal.trigger, state=refusal.state)
        log.warning("retailer machine refused a trigger",
                    extra={"wamid": message.wamid, "trigger": refusal.trigger,
                           "state": refusal.state})
