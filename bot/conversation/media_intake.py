"""What a retailer sends that the bot cannot read goes to a person; a location becomes the pin.

Called by the router (`Router.unreadable`) for image, audio, video, document
and sticker messages and shared locations from anyone who is not a vendor,
inside the message's transaction:
- the file is recorded in the operator inbox (bot/store/operator_inbox.py),
  its bytes to be fetched from Meta afterwards by the media fetcher
  (jobs/media_fetcher.py) — never on the webhook's acknowledgement path, never
  inside this transaction;
- an image's caption is read as an order text through the normal pipeline
  (`Router.handle`): its replies are the answer, and the photo is kept in the
  inbox beside it (`caption_read`) for the person who checks it; a caption
  the flow cannot read as an order ("see list") is answered by the flow
  with the "a person will prepare it" reply (the message is marked
  `photo_caption`, the flow decides);
- otherwise the retailer is told, in their language, that a person will
  prepare the order from it;
- a location is saved as the sender's delivery pin and acknowledged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from bot.store import operator_inbox, sender_links
from bot.store import parties as party_store
from bot.whatsapp.updates import (
    AudioMessage,
    ImageMessage,
    InboundMessage,
    LocationMessage,
    TextBody,
    TextMessage,
    media_of,
)
from flows.i18n import t
from flows.replies import Outgoing, Text

Handle = Callable[[asyncpg.Connection, InboundMessage], Awaitable[list[Outgoing]]]
Language = Callable[[asyncpg.Connection, str], Awaitable[str]]

CAPTION_MAX = 1024
_RECEIVED = {"image": "media.received.image", "voice": "media.received.voice",
             "document": "media.received.document"}


def kind_of(message: InboundMessage) -> str:
    """The inbox kind: the message type, with a voice note told apart from an audio file."""
    if isinstance(message, AudioMessage) and message.audio.voice:
        return "voice"
    return message.type


def caption_text(message: InboundMessage) -> TextMessage | None:
    """An image's caption as the text message the order pipeline reads, if it has one."""
    if not isinstance(message, ImageMessage) or not (message.image.caption or "").strip():
        return None
    caption = message.image.caption or ""
    # WhatsApp caps captions at 1024 characters; a longer one is answered, not parsed.
    return TextMessage.model_construct(
        id=message.id, from_=message.from_, from_user_id=message.from_user_id,
        timestamp=message.timestamp, context=message.context, errors=[],
        contact=message.contact, metadata=message.metadata, type="text",
        text=TextBody(body=caption[:CAPTION_MAX]), too_long=len(caption) > CAPTION_MAX,
        photo_caption=True)


async def _retailer_id(conn: asyncpg.Connection, message: InboundMessage) -> int | None:
    phone = message.phone
    if phone is None:
        phone = await sender_links.linked_phone(conn, message.sender)
    if phone is None:
        return None
    found = await party_store.retailer_by_phone(conn, phone)
    return found.id if found is not None else None


async def take(conn: asyncpg.Connection, message: InboundMessage, *, handle: Handle,
               language: Language) -> list[Outgoing] | None:
    """The replies for a file or location, or None when it is neither (the caller apologises)."""
    if isinstance(message, LocationMessage):
        return await _location(conn, message, language)
    media = media_of(message)
    if media is None or not media.id:
        return None
    lang = await language(conn, message.sender)
    caption_message = caption_text(message)
    kind = kind_of(message)
    await operator_inbox.add(conn, operator_inbox.NewItem(
        wamid=message.wamid, sender=message.sender,
        retailer_id=await _retailer_id(conn, message), language=lang, kind=kind,
        wa_media_id=media.id, mime_type=media.mime_type, wa_sha256=media.sha256,
        caption=(media.caption or "").strip()[:1024] or None,
        caption_read=caption_message is not None,
        filename=(media.filename or "").strip()[:240] or None))
    if caption_message is not None:
        return await handle(conn, caption_message)
    key = _RECEIVED.get(kind, "media.received.other")
    return [Outgoing(message.sender, Text(t(lang, key)), correlation=f"inbox:{message.wamid}")]


async def _location(conn: asyncpg.Connection, message: LocationMessage,
                    language: Language) -> list[Outgoing]:
    where = message.location
    await operator_inbox.save_pin(
        conn, sender=message.sender, retailer_id=await _retailer_id(conn, message),
        latitude=where.latitude, longitude=where.longitude,
        name=(where.name or "").strip()[:200] or None,
        address=(where.address or "").strip()[:500] or None, wamid=message.wamid)
    lang = await language(conn, message.sender)
    place = ", ".join(p for p in (where.name, where.address) if p and p.strip()) or (
        f"{where.latitude:.5f}, {where.longitude:.5f}")
    return [Outgoing(message.sender, Text(t(lang, "location.saved", place=place)))]
