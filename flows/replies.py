"""What a conversation says back, independent of the WhatsApp wire format.

Flows produce these values; `bot.whatsapp.outbound` renders them into Cloud API
payloads and enforces the platform's limits.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """A plain text message."""

    body: str


@dataclass(frozen=True, slots=True)
class Button:
    """One reply button: `id` comes back in the button_reply, `title` is shown."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Buttons:
    """A message with one to three reply buttons."""

    body: str
    buttons: tuple[Button, ...]
    header: str | None = None
    footer: str | None = None


@dataclass(frozen=True, slots=True)
class ListRow:
    """One choosable row of a list message."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ListSection:
    """A titled group of rows in a list message."""

    title: str
    rows: tuple[ListRow, ...]


@dataclass(frozen=True, slots=True)
class ListMenu:
    """A list message: a button that opens up to ten rows in total."""

    body: str
    button: str
    sections: tuple[ListSection, ...]
    header: str | None = None
    footer: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """An approved template message (the only kind delivered outside 24 h)."""

    name: str
    language: str
    body_params: tuple[str, ...] = ()
    button_payloads: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A stored file (bot/store/media.py `media_files`) sent as a document.

    The flow names the file by its stored id; the dispatcher uploads the bytes
    (or reuses a live upload) and sends by Meta's media id.
    """

    media_file_id: int
    filename: str
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """A stored JPEG or PNG (bot/store/media.py `media_files`) sent as an image."""

    media_file_id: int
    caption: str | None = None


Reply = Text | Buttons | ListMenu | Template | Document | Image


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply addressed to one WhatsApp user.

    `fallback` is the template to send instead if the user turns out to be
    outside the 24-hour customer-service window (Cloud API error 131047).
    `correlation` ties the message to a business object (e.g. `order:1042`)
    for operators and logs.
    """

    to: str
    reply: Reply
    fallback: Template | None = None
    correlation: str | None = None
