"""Operators taking a conversation over from the bot, answering, and handing it back.

While a conversation is taken over (a row in `conversation_takeovers`) the
conversation pipeline stores the person's messages and says nothing; the
operator's replies go out through the outbox like any other message
(correlation `operator:<take-over id>`). WhatsApp only delivers free-form
text within 24 hours of the person's last message (`domain.service_window`):
outside it a text reply is refused with `OutsideWindow`, and the caller offers
the approved templates (`flows.templates.OPERATOR_TEMPLATES`) instead, sent by
`send_template`. Every action is audited with who did it, in its transaction.

Shared by `khaacho conversation …` and the console's conversation pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from pydantic import TypeAdapter, ValidationError

from bot.services.operator_actions import ActionError, audit
from bot.store import outbox as outbox_store
from bot.store import parties as party_store
from bot.store import takeovers as store
from bot.store.takeovers import Takeover
from bot.whatsapp.updates import (
    AudioMessage,
    ButtonMessage,
    ContactsMessage,
    DocumentMessage,
    ImageMessage,
    InboundMessage,
    InteractiveMessage,
    LocationMessage,
    OrderMessage,
    ReactionMessage,
    StickerMessage,
    TextMessage,
    VideoMessage,
)
from domain.service_window import ServiceWindow
from flows.replies import Outgoing, Template, Text

# WhatsApp's limit on a text message body.
MAX_TEXT = 4096
CORRELATION_PREFIX = "operator:"

_MESSAGE: TypeAdapter[InboundMessage] = TypeAdapter(InboundMessage)


class OutsideWindow(ActionError):
    """A free-form reply after the 24-hour window closed: only a template can go."""

    def __init__(self, window: ServiceWindow) -> None:
        closed = window.closes_at
        super().__init__(
            409, "the 24-hour window is closed"
                 + (f" (since {closed.isoformat(timespec='minutes')})" if closed else
                    " (they have never written)")
                 + "; only an approved template can be sent",
            closed_at=closed.isoformat() if closed else None)
        self.window = window


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One message in or out, as an operator reads it."""

    direction: str              # "in" (from the person) or "out" (to them)
    at: dt.datetime
    kind: str                   # text, image, audio, template, interactive …
    text: str
    status: str                 # inbox: pending/done/dead; outbox: pending … read/failed
    by: str                     # "person", "bot" or "operator"
    error_code: int | None = None


@dataclass(frozen=True, slots=True)
class ConversationView:
    """What the console and `conversation show` print for one phone."""

    phone: str
    takeover: Takeover | None
    window: ServiceWindow
    transcript: tuple[TranscriptEntry, ...]
    history: tuple[Takeover, ...]


@dataclass(frozen=True, slots=True)
class Sent:
    """An operator's message queued in the outbox."""

    outbox_id: int
    takeover_id: int
    kind: str


@dataclass(frozen=True, slots=True)
class Person:
    """Who is at the other end: a retailer, a vendor or someone not yet known."""

    phone: str
    role: str           # "retailer", "vendor" or "unknown"
    name: str
    language: str


async def person(conn: asyncpg.Connection, phone: str) -> Person:
    """The party behind a phone (its name and the language it reads)."""
    vendor = await party_store.vendor_by_phone(conn, phone)
    if vendor is not None:
        return Person(phone, "vendor", vendor.name, vendor.language)
    retailer = await party_store.retailer_by_phone(conn, phone)
    if retailer is not None:
        return Person(phone, "retailer", retailer.shop_name, retailer.language)
    return Person(phone, "unknown", "", "en")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def window(conn: asyncpg.Connection, phone: str, now: dt.datetime | None = None
                 ) -> ServiceWindow:
    """The person's 24-hour window as of `now`."""
    return ServiceWindow(await store.last_inbound_at(conn, phone), now or _now())


async def take_over(conn: asyncpg.Connection, phone: str, *, actor: str,
                    note: str | None = None, context: dict[str, Any] | None = None,
                    now: dt.datetime | None = None) -> Takeover:
    """Silence the bot for this person and give the conversation to `actor`.

    409 when someone already holds it (naming who and since when).
    """
    at = now or _now()
    async with conn.transaction():
        started = await store.start(conn, phone, by=actor, note=(note or None), now=at)
        if started is None:
            held = await store.open_takeover(conn, phone)
            who = f" by {held.taken_by} since {held.taken_at.isoformat(timespec='minutes')}" \
                if held else ""
            raise ActionError(409, f"{phone} is already taken over{who}",
                              taken_by=held.taken_by if held else None)
        await audit(conn, actor=actor, action="conversation.takeover", target=f"phone:{phone}",
                    details={"takeover_id": started.id, "note": note, **(context or {})})
    return started


async def hand_back(conn: asyncpg.Connection, phone: str, *, actor: str,
                    context: dict[str, Any] | None = None,
                    now: dt.datetime | None = None) -> Takeover:
    """Return the conversation to the bot; 409 when it is not taken over."""
    at = now or _now()
    async with conn.transaction():
        held = await store.open_takeover(conn, phone, lock=True)
        if held is None:
            raise ActionError(409, f"{phone} is not taken over")
        done = await store.finish(conn, held.id, by=actor, now=at)
        if done is None:  # pragma: no cover - the row is locked above
            raise ActionError(409, f"{phone} was handed back meanwhile")
        await audit(conn, actor=actor, action="conversation.handback", target=f"phone:{phone}",
                    details={"takeover_id": held.id, "taken_by": held.taken_by,
                             "held_seconds": round((at - held.taken_at).total_seconds()),
                             **(context or {})})
    return done


async def reply(conn: asyncpg.Connection, phone: str, text: str, *, actor: str,
                context: dict[str, Any] | None = None,
                now: dt.datetime | None = None) -> Sent:
    """Queue an operator's text for the person, inside the 24-hour window.

    422 for an empty or too long text, 409 when the conversation is not taken
    over (the bot would talk over the operator), `OutsideWindow` (409) when the
    window is closed.
    """
    body = text.strip()
    if not body:
        raise ActionError(422, "the reply is empty")
    if len(body) > MAX_TEXT:
        raise ActionError(422, f"the reply is {len(body)} characters; WhatsApp takes at most "
                               f"{MAX_TEXT}")
    async with conn.transaction():
        held = await _held(conn, phone)
        state = await window(conn, phone, now)
        if not state.is_open:
            raise OutsideWindow(state)
        return await _send(conn, held, Text(body), actor=actor, context=context,
                           details={"chars": len(body)})


async def send_template(conn: asyncpg.Connection, phone: str, template: Template, *,
                        actor: str, context: dict[str, Any] | None = None) -> Sent:
    """Queue an approved template for the person (allowed whatever the window)."""
    async with conn.transaction():
        held = await _held(conn, phone)
        return await _send(conn, held, template, actor=actor, context=context,
                           details={"template": template.name, "language": template.language})


async def _held(conn: asyncpg.Connection, phone: str) -> Takeover:
    held = await store.open_takeover(conn, phone, lock=True)
    if held is None:
        raise ActionError(409, f"take over {phone} before replying (the bot is answering them)")
    return held


async def _send(conn: asyncpg.Connection, held: Takeover, message: Text | Template, *,
                actor: str, context: dict[str, Any] | None, details: dict[str, Any]) -> Sent:
    ids = await outbox_store.enqueue(
        conn, [Outgoing(held.phone, message, correlation=f"{CORRELATION_PREFIX}{held.id}")])
    kind = "template" if isinstance(message, Template) else "text"
    await audit(conn, actor=actor, action="conversation.reply", target=f"phone:{held.phone}",
                details={"takeover_id": held.id, "outbox_id": ids[0], "kind": kind,
                         **details, **(context or {})})
    return Sent(ids[0], held.id, kind)


async def list_taken_over(conn: asyncpg.Connection) -> list[Takeover]:
    """Every conversation operators hold now."""
    return await store.list_open(conn)


async def is_taken_over(conn: asyncpg.Connection, phone: str) -> bool:
    """True while an operator holds this person's conversation."""
    return await store.is_taken_over(conn, phone)


async def show(conn: asyncpg.Connection, phone: str, *, limit: int = 50,
               now: dt.datetime | None = None) -> ConversationView:
    """The take-over state, the window and the last `limit` messages in and out."""
    return ConversationView(
        phone, await store.open_takeover(conn, phone), await window(conn, phone, now),
        tuple(await transcript(conn, phone, limit=limit)),
        tuple(await store.history(conn, phone, limit=10)))


async def transcript(conn: asyncpg.Connection, phone: str, *, limit: int = 50
                     ) -> list[TranscriptEntry]:
    """The last `limit` messages from the inbox and the outbox, oldest first."""
    inbound = await conn.fetch(
        "SELECT type, received_at AS at, payload, status FROM inbound_messages "
        "WHERE sender = $1 ORDER BY received_at DESC, seq DESC LIMIT $2", phone, limit)
    outbound = await conn.fetch(
        "SELECT kind, created_at AS at, payload, status, correlation, error_code FROM outbox "
        "WHERE recipient = $1 ORDER BY id DESC LIMIT $2", phone, limit)
    entries = [TranscriptEntry("in", r["at"], r["type"], describe_inbound(r["payload"], r["type"]),
                               r["status"], "person") for r in inbound]
    for r in outbound:
        payload = r["payload"]
        if isinstance(payload, str):
            payload = orjson.loads(payload)
        by = "operator" if (r["correlation"] or "").startswith(CORRELATION_PREFIX) else "bot"
        entries.append(TranscriptEntry("out", r["at"], str(payload.get("type") or r["kind"]),
                                       describe_outbound(payload), r["status"], by,
                                       r["error_code"]))
    entries.sort(key=lambda e: e.at)
    return entries[-limit:]


def describe_inbound(payload: bytes | None, kind: str) -> str:
    """What a stored inbound message said, in one line an operator can read."""
    if payload is None:
        return f"[{kind}]"
    try:
        message = _MESSAGE.validate_json(payload)
    except ValidationError:
        return f"[{kind}, unreadable]"
    return _said(message)


def _said(message: InboundMessage) -> str:
    if isinstance(message, TextMessage):
        return message.text.body
    if isinstance(message, InteractiveMessage):
        return f"[tapped] {message.reply_title or message.reply_id or message.interactive.type}"
    if isinstance(message, ButtonMessage):
        return f"[tapped] {message.button.text}"
    media = {ImageMessage: "photo", AudioMessage: "voice note", VideoMessage: "video",
             DocumentMessage: "document", StickerMessage: "sticker"}
    for cls, label in media.items():
        if isinstance(message, cls):
            item = getattr(message, message.type)
            extra = item.caption or item.filename
            return f"[{label}]" + (f" {extra}" if extra else "")
    if isinstance(message, LocationMessage):
        loc = message.location
        return f"[location] {loc.name or ''} {loc.latitude:.5f},{loc.longitude:.5f}".replace(
            "  ", " ")
    if isinstance(message, ContactsMessage):
        return "[contact card]"
    if isinstance(message, ReactionMessage):
        return f"[reaction] {message.reaction.emoji or ''}".rstrip()
    if isinstance(message, OrderMessage):
        return "[catalogue order]"
    return f"[{message.type}]"


def describe_outbound(payload: object) -> str:
    """What an outbox row says (its Cloud API payload), in one line; never raises."""
    if not isinstance(payload, dict):
        return "[unreadable]"
    kind = payload.get("type")
    body = payload.get(kind) if isinstance(kind, str) else None
    if not isinstance(body, dict):
        return f"[{kind}]"
    if kind == "text":
        return str(body.get("body", ""))
    if kind == "interactive":
        inner = body.get("body")
        text = inner.get("text", "") if isinstance(inner, dict) else ""
        action = body.get("action")
        return str(text) + (_choices(action) if isinstance(action, dict) else "")
    if kind == "template":
        params = [str(p.get("text", "")) for c in _dicts(body.get("components"))
                  if c.get("type") == "body" for p in _dicts(c.get("parameters"))]
        return f"[template {body.get('name')}] " + " | ".join(params)
    caption = body.get("caption") or body.get("filename")
    return f"[{kind}]" + (f" {caption}" if caption else "")


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _choices(action: dict[str, Any]) -> str:
    titles: Sequence[str] = [str(b["reply"].get("title", "")) for b in _dicts(action.get("buttons"))
                             if isinstance(b.get("reply"), dict)]
    if not titles:
        titles = [str(r.get("title", "")) for s in _dicts(action.get("sections"))
                  for r in _dicts(s.get("rows"))]
    return f"  [{' / '.join(titles)}]" if titles else ""
