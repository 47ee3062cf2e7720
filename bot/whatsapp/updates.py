"""Typed models of what WhatsApp posts to the webhook, and a forgiving parser.

Every documented message type has a model; fields we do not use are ignored
(WhatsApp adds fields without notice) and a type we do not know, or a known
type whose payload is missing, becomes an `UnsupportedMessage` that keeps the
original type name. `parse_update` walks **all** entries, changes, messages and
statuses of one POST; a malformed message or status is reported in
`ParsedUpdate.rejected` and never costs the valid ones beside it. Only an
envelope that is not a WhatsApp envelope at all raises `EnvelopeError`.

The edge of the system (issue 19), checked here once for every path:
- Volume is capped (`Edge`): at most `max_items` parts of a POST are read,
  at most `max_rejections` rejections are kept (the rest only counted), so a
  signed body of a million junk items costs milliseconds, one summary line.
- Identity: a message for another `phone_number_id` or from our own business
  number is set aside (`ParsedUpdate.foreign`), never answered; a sender's
  number is digits only (`+9779812345001` is `9779812345001`); a sender with
  no number (a business-scoped `user_id`) keeps `phone = None`.
- Text is normalised: NFC, lone surrogates replaced, NUL/C0 controls and
  zero-width characters removed; an id that is not a plausible WhatsApp id
  (control characters, over 256 characters) rejects its message, so it is
  acknowledged once instead of failing on every redelivery.
- A text over `max_text_chars` is cut there and marked `too_long`: the
  conversation answers it politely instead of parsing it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
)

# ------------------------------------------------------------------ the edge


@dataclass(frozen=True, slots=True)
class Edge:
    """What one POST is checked against: who we are, and how much we read."""

    # Our WhatsApp phone number id; messages for another are set aside ("" = not checked).
    phone_number_id: str = ""
    # Long enough for a hundred-line order list; longer texts are answered, not parsed.
    max_text_chars: int = 4000
    # WhatsApp batches at most a few hundred parts; a body with more is junk.
    max_items: int = 1000
    max_rejections: int = 20


DEFAULT_EDGE = Edge()


def edge_for(phone_number_id: str, max_text_chars: int) -> Edge:
    """The edge of a deployment: its phone number id and text cap (from settings)."""
    return Edge(phone_number_id=phone_number_id, max_text_chars=max_text_chars)

# Zero-width and invisible formatting characters that split or glue words
# (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, Mongolian vowel separator).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"))
# C0 controls except tab and newline, and DEL: nothing a person types.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_SURROGATE = re.compile("[\ud800-\udfff]")
_DELETE = {**_INVISIBLE, **_CONTROLS}


def clean_text(text: str) -> str:
    """Text as the rest of the system may store and parse it (see the module doc)."""
    text = _SURROGATE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text.translate(_DELETE))


def _clean(value: str) -> str:
    return clean_text(value)


def _plain_id(value: str) -> str:
    if len(value) > 256 or not value.isprintable():
        raise ValueError("not a WhatsApp id (too long or control characters)")
    return value


def phone_digits(value: str) -> str:
    """`+977 981-234-5001` → `9779812345001`; anything else unchanged."""
    stripped = value.strip()
    digits = re.sub(r"[\s().-]", "", stripped).removeprefix("+")
    return digits if digits.isascii() and digits.isdigit() else stripped


def _sender_id(value: str) -> str:
    return phone_digits(_plain_id(value))


Text = Annotated[str, AfterValidator(_clean)]
WaId = Annotated[str, AfterValidator(_plain_id)]
SenderId = Annotated[str, AfterValidator(_sender_id)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# ------------------------------------------------------------------ shared parts


class ErrorData(_Model):
    details: str | None = None


class WhatsAppError(_Model):
    """An error WhatsApp attaches to a message, a status or a change."""

    code: int
    title: str | None = None
    message: str | None = None
    error_data: ErrorData | None = None
    href: str | None = None

    @property
    def description(self) -> str:
        """The most specific human text available."""
        if self.error_data and self.error_data.details:
            return self.error_data.details
        return self.title or self.message or f"error {self.code}"


class Profile(_Model):
    name: Text | None = None
    username: Text | None = None


class Contact(_Model):
    """The sender as WhatsApp describes them; `wa_id` is absent for username users."""

    wa_id: SenderId | None = None
    user_id: SenderId | None = None
    parent_user_id: str | None = None
    profile: Profile | None = None


class Metadata(_Model):
    display_phone_number: str | None = None
    phone_number_id: str | None = None


class Context(_Model):
    """What an inbound message replies to, or that it was forwarded."""

    id: str | None = None
    from_: str | None = Field(default=None, alias="from")
    forwarded: bool = False
    frequently_forwarded: bool = False


# ------------------------------------------------------------------ messages


class _MessageBase(_Model):
    id: Annotated[WaId, Field(min_length=1)]
    from_: SenderId | None = Field(default=None, alias="from")
    from_user_id: SenderId | None = None
    timestamp: str | None = None
    context: Context | None = None
    errors: list[WhatsAppError] = Field(default_factory=list)
    # Filled by `parse_update` from the change around the message, not by WhatsApp.
    contact: Contact | None = None
    metadata: Metadata | None = None

    @property
    def wamid(self) -> str:
        """WhatsApp's id of this message (the idempotency key)."""
        return self.id

    @property
    def sender(self) -> str:
        """Who sent it: the phone number (`from`), else the business-scoped user id."""
        for candidate in (
            self.from_,
            self.contact.wa_id if self.contact else None,
            self.from_user_id,
            self.contact.user_id if self.contact else None,
        ):
            if candidate:
                return candidate
        raise ValueError("message has no sender")  # excluded by parse_update

    @property
    def phone(self) -> str | None:
        """The sender's phone number, or None for a sender known only by a user id."""
        for candidate in (self.from_, self.contact.wa_id if self.contact else None):
            if candidate and candidate.isdigit():
                return candidate
        return None

    @property
    def profile_name(self) -> str | None:
        """The sender's WhatsApp profile name, when WhatsApp sent one."""
        return self.contact.profile.name if self.contact and self.contact.profile else None


class TextBody(_Model):
    body: Text


class TextMessage(_MessageBase):
    type: Literal["text"]
    text: TextBody
    # Set by `parse_update`: the body was longer than the edge's cap and is cut there.
    too_long: bool = False
    # Set by bot/conversation/media_intake.py: the text is a photo's caption, the photo
    # already with a person (the flow then answers what it cannot read accordingly).
    photo_caption: bool = False


class ButtonReply(_Model):
    id: Text
    title: Text


class ListReply(_Model):
    id: Text
    title: Text
    description: Text | None = None


class NfmReply(_Model):
    """A WhatsApp Flow's completion; `response_json` is a JSON string."""

    response_json: Text | None = None
    body: Text | None = None
    name: Text | None = None


class Interactive(_Model):
    type: str
    button_reply: ButtonReply | None = None
    list_reply: ListReply | None = None
    nfm_reply: NfmReply | None = None


class InteractiveMessage(_MessageBase):
    """A tap on a reply button, a list row, or a Flow's completion."""

    type: Literal["interactive"]
    interactive: Interactive

    @property
    def reply_id(self) -> str | None:
        """The id we gave the chosen button or row."""
        if self.interactive.button_reply:
            return self.interactive.button_reply.id
        if self.interactive.list_reply:
            return self.interactive.list_reply.id
        return None

    @property
    def reply_title(self) -> str | None:
        """The title of the chosen button or row."""
        if self.interactive.button_reply:
            return self.interactive.button_reply.title
        if self.interactive.list_reply:
            return self.interactive.list_reply.title
        return None


class TemplateButton(_Model):
    payload: Text | None = None
    text: Text | None = None


class ButtonMessage(_MessageBase):
    """A tap on a quick-reply button of a template message."""

    type: Literal["button"]
    button: TemplateButton


class Media(_Model):
    """A file a user sent: Meta's media `id` (fetch with `GET /{id}`), its MIME type, the
    base64 `sha256` of its bytes, and the caption/filename the user gave."""

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: Text | None = None
    filename: Text | None = None
    url: str | None = None
    voice: bool | None = None
    animated: bool | None = None


class ImageMessage(_MessageBase):
    type: Literal["image"]
    image: Media


class AudioMessage(_MessageBase):
    type: Literal["audio"]
    audio: Media


class VideoMessage(_MessageBase):
    type: Literal["video"]
    video: Media


class DocumentMessage(_MessageBase):
    type: Literal["document"]
    document: Media


class StickerMessage(_MessageBase):
    type: Literal["sticker"]
    sticker: Media


class Location(_Model):
    """A shared location: coordinates, and the place's name and address when chosen."""

    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    name: Text | None = None
    address: Text | None = None
    url: str | None = None


class LocationMessage(_MessageBase):
    type: Literal["location"]
    location: Location


MediaMessage = ImageMessage | AudioMessage | VideoMessage | DocumentMessage | StickerMessage
"""A message carrying a file (`media_of` gives the file)."""


def media_of(message: object) -> Media | None:
    """The file of an image, audio, video, document or sticker message (else None)."""
    if isinstance(message, ImageMessage):
        return message.image
    if isinstance(message, AudioMessage):
        return message.audio
    if isinstance(message, VideoMessage):
        return message.video
    if isinstance(message, DocumentMessage):
        return message.document
    if isinstance(message, StickerMessage):
        return message.sticker
    return None


class SharedContactName(_Model):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class SharedContactPhone(_Model):
    phone: str | None = None
    wa_id: str | None = None
    type: str | None = None


class SharedContact(_Model):
    name: SharedContactName | None = None
    phones: list[SharedContactPhone] = Field(default_factory=list)


class ContactsMessage(_MessageBase):
    type: Literal["contacts"]
    contacts: list[SharedContact]


class Reaction(_Model):
    message_id: str | None = None
    emoji: str | None = None


class ReactionMessage(_MessageBase):
    type: Literal["reaction"]
    reaction: Reaction


class ProductItem(_Model):
    product_retailer_id: str
    quantity: float | None = None
    item_price: float | None = None
    currency: str | None = None


class Order(_Model):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class OrderMessage(_MessageBase):
    """A cart sent from a WhatsApp catalogue (we do not use WhatsApp catalogues)."""

    type: Literal["order"]
    order: Order


class SystemEvent(_Model):
    body: str | None = None
    type: str | None = None
    wa_id: str | None = None


class SystemMessage(_MessageBase):
    """The user changed number or identity."""

    type: Literal["system"]
    system: SystemEvent


class UnsupportedMessage(_MessageBase):
    """A type WhatsApp could not convey, or one this code does not know (yet).

    `type` keeps the original name (`unsupported`, `revoke`, `edit`, `poll`, …),
    cleaned and cut to 40 characters: it is logged and counted.
    """

    type: Annotated[str, AfterValidator(lambda v: clean_text(v)[:40] or "unsupported")]


def _message_kind(value: Any) -> str:
    """Pick the model: the declared type if known and its payload is present."""
    if not isinstance(value, dict):
        return "unsupported"
    kind = value.get("type")
    if isinstance(kind, str) and kind in _PAYLOAD_TYPES and isinstance(value.get(kind),
                                                                        dict | list):
        return str(kind)
    return "unsupported"


_PAYLOAD_TYPES = frozenset({
    "text", "interactive", "button", "image", "audio", "video", "document",
    "sticker", "location", "contacts", "reaction", "order", "system",
})

InboundMessage = Annotated[
    Annotated[TextMessage, Tag("text")]
    | Annotated[InteractiveMessage, Tag("interactive")]
    | Annotated[ButtonMessage, Tag("button")]
    | Annotated[ImageMessage, Tag("image")]
    | Annotated[AudioMessage, Tag("audio")]
    | Annotated[VideoMessage, Tag("video")]
    | Annotated[DocumentMessage, Tag("document")]
    | Annotated[StickerMessage, Tag("sticker")]
    | Annotated[LocationMessage, Tag("location")]
    | Annotated[ContactsMessage, Tag("contacts")]
    | Annotated[ReactionMessage, Tag("reaction")]
    | Annotated[OrderMessage, Tag("order")]
    | Annotated[SystemMessage, Tag("system")]
    | Annotated[UnsupportedMessage, Tag("unsupported")],
    Discriminator(_message_kind),
]
"""Any inbound message; `message.type` tells which model it is."""

_MESSAGE_ADAPTER: TypeAdapter[InboundMessage] = TypeAdapter(InboundMessage)


# ------------------------------------------------------------------ statuses


class BillingConversation(_Model):
    """The billing conversation a status belongs to (WhatsApp's `conversation` object)."""

    id: str | None = None
    expiration_timestamp: str | None = None


class Pricing(_Model):
    billable: bool | None = None
    pricing_model: str | None = None
    category: str | None = None


class StatusUpdate(_Model):
    """What happened to a message we sent: sent, delivered, read, failed (or other)."""

    id: Annotated[WaId, Field(min_length=1)]
    status: Annotated[str, AfterValidator(lambda v: clean_text(v)[:40])]
    timestamp: str | None = None
    recipient_id: SenderId | None = None
    recipient_user_id: str | None = None
    type: str | None = None
    biz_opaque_callback_data: str | None = None
    conversation: BillingConversation | None = None
    pricing: Pricing | None = None
    errors: list[WhatsAppError] = Field(default_factory=list)

    @property
    def wamid(self) -> str:
        """Id of the message this status is about."""
        return self.id

    @property
    def first_error(self) -> WhatsAppError | None:
        """The error of a `failed` status, if any."""
        return self.errors[0] if self.errors else None


# ------------------------------------------------------------------ envelope


class Change(_Model):
    field: str
    value: dict[str, Any]


class Entry(_Model):
    id: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)


class Envelope(_Model):
    """The top level of every webhook POST."""

    object: str
    entry: list[dict[str, Any]]


# Non-message fields read into `ParsedUpdate.signals` (bot/whatsapp/signals.py applies them).
SIGNAL_FIELDS = frozenset({
    "message_template_status_update", "template_category_update",
    "message_template_quality_update", "account_update", "phone_number_quality_update",
    "business_capability_update", "user_preferences"})


class Signal(_Model):
    """A non-message change (template status, account, number quality, consent), as received."""

    field: str
    value: dict[str, Any]
    entry_id: str | None = None


class EnvelopeError(ValueError):
    """The body is JSON but not a WhatsApp webhook envelope."""


class Rejection(BaseModel):
    """One part of the POST that could not be read, and why."""

    where: str
    reason: str


class ParsedUpdate(BaseModel):
    """Everything one webhook POST carried, in order."""

    messages: list[InboundMessage] = Field(default_factory=list)
    statuses: list[StatusUpdate] = Field(default_factory=list)
    change_errors: list[WhatsAppError] = Field(default_factory=list)
    ignored_fields: list[str] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    # Rejections beyond the kept ones, and parts beyond `max_items` not read at all.
    rejected_more: int = 0
    # Messages for another phone_number_id or from our own number: not answered.
    foreign: int = 0

    def reject(self, where: str, reason: str, edge: Edge) -> None:
        """Keep the first rejections whole; only count the rest."""
        if len(self.rejected) < edge.max_rejections:
            self.rejected.append(Rejection(where=where, reason=reason))
        else:
            self.rejected_more += 1


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if not str(p).startswith("function-"))
    return f"{loc or 'value'}: {first['msg']}" if loc else first["msg"]


def _contacts_by_sender(value: dict[str, Any], edge: Edge) -> dict[str, Contact]:
    out: dict[str, Contact] = {}
    raw = value.get("contacts")
    if not isinstance(raw, list):
        return out
    for item in raw[:edge.max_items]:
        try:
            contact = Contact.model_validate(item)
        except ValidationError:
            continue
        for key in (contact.wa_id, contact.user_id):
            if key:
                out.setdefault(key, contact)
    return out


def _digits(value: str | None) -> str:
    return re.sub(r"[^0-9]", "", value or "")


def _parse_message(raw: Any, contacts: dict[str, Contact], meta: Metadata | None,
                   edge: Edge) -> InboundMessage:
    message = _MESSAGE_ADAPTER.validate_python(raw)
    key = message.from_ or message.from_user_id
    contact = contacts.get(key) if key else None
    if contact is None and len(contacts) == 1:
        contact = next(iter(contacts.values()))
    message.contact = contact
    message.metadata = meta
    try:
        message.sender  # noqa: B018 - raises when neither a number nor a user id is known
    except ValueError:
        raise ValueError("message has neither `from` nor a user id") from None
    if isinstance(message, TextMessage) and len(message.text.body) > edge.max_text_chars:
        message.text.body = message.text.body[:edge.max_text_chars]
        message.too_long = True
    return message


def _is_foreign(message: InboundMessage, meta: Metadata | None, edge: Edge) -> bool:
    """For another of the business's numbers, or sent by our own number (an echo)."""
    if meta is None:
        return False
    if edge.phone_number_id and meta.phone_number_id not in (None, edge.phone_number_id):
        return True
    own = _digits(meta.display_phone_number)
    return bool(own) and message.phone == own


class _Budget:
    """How many parts of the POST may still be read."""

    def __init__(self, edge: Edge) -> None:
        self.left = edge.max_items

    def take(self, remaining: int, where: str, out: ParsedUpdate, edge: Edge) -> bool:
        """Spend one part; when spent, count the `remaining` parts as rejected once."""
        if self.left > 0:
            self.left -= 1
            return True
        if self.left == 0:
            # Always kept (past the rejection cap): it says why the rest were not read.
            out.rejected.append(Rejection(
                where=where, reason=f"over {edge.max_items} parts in one POST: the rest not read"))
            self.left = -1
            out.rejected_more += remaining - 1
        else:
            out.rejected_more += remaining
        return False


def parse_update(data: Any, edge: Edge = DEFAULT_EDGE) -> ParsedUpdate:
    """Read one webhook body (already JSON-decoded) into typed messages and statuses."""
    if not isinstance(data, dict):
        raise EnvelopeError("body must be a JSON object")
    entries = data.get("entry")
    if isinstance(entries, list) and len(entries) > edge.max_items:
        data = {**data, "entry": entries[:edge.max_items]}
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        raise EnvelopeError(_reason(exc)) from None
    if envelope.object != "whatsapp_business_account":
        raise EnvelopeError("object must be 'whatsapp_business_account'")

    out = ParsedUpdate()
    budget = _Budget(edge)
    if isinstance(entries, list) and len(entries) > edge.max_items:
        out.rejected_more += len(entries) - edge.max_items
    for e, raw_entry in enumerate(envelope.entry):
        if not budget.take(len(envelope.entry) - e, f"entry[{e}]", out, edge):
            break
        try:
            entry = Entry.model_validate(raw_entry)
        except ValidationError as exc:
            out.reject(f"entry[{e}]", _reason(exc), edge)
            continue
        for c, raw_change in enumerate(entry.changes):
            where = f"entry[{e}].changes[{c}]"
            if not budget.take(len(entry.changes) - c, where, out, edge):
                break
            try:
                change = Change.model_validate(raw_change)
            except ValidationError as exc:
                out.reject(where, _reason(exc), edge)
                continue
            if change.field in SIGNAL_FIELDS:
                out.signals.append(Signal(field=change.field, value=change.value,
                                          entry_id=entry.id))
                continue
            if change.field != "messages":
                name = clean_text(change.field)[:40]
                if name not in out.ignored_fields and len(out.ignored_fields) < 20:
                    out.ignored_fields.append(name)
                continue
            _read_messages_change(change.value, where, out, edge, budget)
    return out


def _read_messages_change(value: dict[str, Any], where: str, out: ParsedUpdate, edge: Edge,
                          budget: _Budget) -> None:
    try:
        meta = Metadata.model_validate(value.get("metadata") or {})
    except ValidationError:
        meta = None
    contacts = _contacts_by_sender(value, edge)
    for key, target in (("messages", "messages"), ("statuses", "statuses"), ("errors", "errors")):
        items = value.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            out.reject(f"{where}.value.{key}", "must be a list", edge)
            continue
        for i, item in enumerate(items):
            item_where = f"{where}.value.{key}[{i}]"
            if not budget.take(len(items) - i, item_where, out, edge):
                break
            try:
                if target == "messages":
                    message = _parse_message(item, contacts, meta, edge)
                    if _is_foreign(message, meta, edge):
                        out.foreign += 1
                    else:
                        out.messages.append(message)
                elif target == "statuses":
                    out.statuses.append(StatusUpdate.model_validate(item))
                else:
                    out.change_errors.append(WhatsAppError.model_validate(item))
            except ValidationError as exc:
                out.reject(item_where, _reason(exc), edge)
            except ValueError as exc:
                out.reject(item_where, str(exc), edge)
