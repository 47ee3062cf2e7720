"""Typed models of what WhatsApp posts to the webhook, and a forgiving parser.

Every documented message type has a model; fields we do not use are ignored
(WhatsApp adds fields without notice) and a type we do not know, or a known
type whose payload is missing, becomes an `UnsupportedMessage` that keeps the
original type name. `parse_update` walks **all** entries, changes, messages and
statuses of one POST; a malformed message or status is reported in
`ParsedUpdate.rejected` and never costs the valid ones beside it. Only an
envelope that is not a WhatsApp envelope at all raises `EnvelopeError`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
)


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
    name: str | None = None
    username: str | None = None


class Contact(_Model):
    """The sender as WhatsApp describes them; `wa_id` is absent for username users."""

    wa_id: str | None = None
    user_id: str | None = None
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
    id: Annotated[str, Field(min_length=1)]
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
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
    def profile_name(self) -> str | None:
        """The sender's WhatsApp profile name, when WhatsApp sent one."""
        return self.contact.profile.name if self.contact and self.contact.profile else None


class TextBody(_Model):
    body: str


class TextMessage(_MessageBase):
    type: Literal["text"]
    text: TextBody


class ButtonReply(_Model):
    id: str
    title: str


class ListReply(_Model):
    id: str
    title: str
    description: str | None = None


class NfmReply(_Model):
    """A WhatsApp Flow's completion; `response_json` is a JSON string."""

    response_json: str | None = None
    body: str | None = None
    name: str | None = None


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
    payload: str | None = None
    text: str | None = None


class ButtonMessage(_MessageBase):
    """A tap on a quick-reply button of a template message."""

    type: Literal["button"]
    button: TemplateButton


class Media(_Model):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
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
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None
    url: str | None = None


class LocationMessage(_MessageBase):
    type: Literal["location"]
    location: Location


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

    `type` keeps the original name (`unsupported`, `revoke`, `edit`, `poll`, …).
    """

    type: str


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

    id: Annotated[str, Field(min_length=1)]
    status: str
    timestamp: str | None = None
    recipient_id: str | None = None
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
    rejected: list[Rejection] = Field(default_factory=list)


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()) if not str(p).startswith("function-"))
    return f"{loc or 'value'}: {first['msg']}" if loc else first["msg"]


def _contacts_by_sender(value: dict[str, Any]) -> dict[str, Contact]:
    out: dict[str, Contact] = {}
    raw = value.get("contacts")
    if not isinstance(raw, list):
        return out
    for item in raw:
        try:
            contact = Contact.model_validate(item)
        except ValidationError:
            continue
        for key in (contact.wa_id, contact.user_id):
            if key:
                out.setdefault(key, contact)
    return out


def _parse_message(raw: Any, contacts: dict[str, Contact], meta: Metadata | None) -> InboundMessage:
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
    return message


def parse_update(data: Any) -> ParsedUpdate:
    """Read one webhook body (already JSON-decoded) into typed messages and statuses."""
    if not isinstance(data, dict):
        raise EnvelopeError("body must be a JSON object")
    try:
        envelope = Envelope.model_validate(data)
    except ValidationError as exc:
        raise EnvelopeError(_reason(exc)) from None
    if envelope.object != "whatsapp_business_account":
        raise EnvelopeError(f"object must be 'whatsapp_business_account', not {envelope.object!r}")

    out = ParsedUpdate()
    for e, raw_entry in enumerate(envelope.entry):
        try:
            entry = Entry.model_validate(raw_entry)
        except ValidationError as exc:
            out.rejected.append(Rejection(where=f"entry[{e}]", reason=_reason(exc)))
            continue
        for c, raw_change in enumerate(entry.changes):
            where = f"entry[{e}].changes[{c}]"
            try:
                change = Change.model_validate(raw_change)
            except ValidationError as exc:
                out.rejected.append(Rejection(where=where, reason=_reason(exc)))
                continue
            if change.field != "messages":
                out.ignored_fields.append(change.field)
                continue
            _read_messages_change(change.value, where, out)
    return out


def _read_messages_change(value: dict[str, Any], where: str, out: ParsedUpdate) -> None:
    try:
        meta = Metadata.model_validate(value.get("metadata") or {})
    except ValidationError:
        meta = None
    contacts = _contacts_by_sender(value)
    for key, target in (("messages", "messages"), ("statuses", "statuses"), ("errors", "errors")):
        items = value.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            out.rejected.append(Rejection(where=f"{where}.value.{key}", reason="must be a list"))
            continue
        for i, item in enumerate(items):
            item_where = f"{where}.value.{key}[{i}]"
            try:
                if target == "messages":
                    out.messages.append(_parse_message(item, contacts, meta))
                elif target == "statuses":
                    out.statuses.append(StatusUpdate.model_validate(item))
                else:
                    out.change_errors.append(WhatsAppError.model_validate(item))
            except ValidationError as exc:
                out.rejected.append(Rejection(where=item_where, reason=_reason(exc)))
            except ValueError as exc:
                out.rejected.append(Rejection(where=item_where, reason=str(exc)))
