"""Render the reply values flows produce into Cloud API message payloads.

The platform rejects a message that breaks a limit, and a rejected reply is a
shopkeeper left waiting. So every builder enforces the limits here: display
text (bodies, titles, descriptions, labels) is shortened at a word boundary
with an ellipsis; what cannot be shortened without changing its meaning (ids,
the number of buttons or rows, titles that become duplicates) is refused with
`OutboundLimitError`, which is a bug in the flow that produced it.
"""

from __future__ import annotations

from typing import Any

from flows.replies import Buttons, Document, Image, ListMenu, Outgoing, Reply, Template, Text

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
BUTTONS_MIN, BUTTONS_MAX = 1, 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
LIST_ROWS_MAX = 10
LIST_SECTIONS_MAX = 10
SECTION_TITLE_MAX = 24
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
TEMPLATE_PARAM_MAX = 1024
CAPTION_MAX = 1024
FILENAME_MAX = 240
ELLIPSIS = "…"


class OutboundLimitError(ValueError):
    """The reply breaks a platform limit that cannot be fixed by shortening text."""


def shorten(text: str, limit: int) -> str:
    """Fit `text` into `limit` characters, cutting at a word boundary with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return text[:limit]
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    # Prefer a word boundary, unless it would throw away more than a third.
    if space >= (limit * 2) // 3:
        cut = cut[:space]
    return cut.rstrip(" \n\t,;:.-") + ELLIPSIS


def _required(text: str, limit: int, what: str) -> str:
    short = shorten(text, limit)
    if not short:
        raise OutboundLimitError(f"{what} must not be empty")
    return short


def _envelope(to: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    if not to:
        raise OutboundLimitError("recipient must not be empty")
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": kind,
        kind: body,
    }


def text_object(reply: Text) -> dict[str, Any]:
    """The `text` object of a text message."""
    return {"preview_url": False, "body": _required(reply.body, TEXT_MAX, "text body")}


def _header_footer(obj: dict[str, Any], header: str | None, footer: str | None) -> None:
    if header and header.strip():
        obj["header"] = {"type": "text", "text": shorten(header, HEADER_MAX)}
    if footer and footer.strip():
        obj["footer"] = {"text": shorten(footer, FOOTER_MAX)}


def buttons_object(reply: Buttons) -> dict[str, Any]:
    """The `interactive` object of a reply-buttons message."""
    if not BUTTONS_MIN <= len(reply.buttons) <= BUTTONS_MAX:
        raise OutboundLimitError(
            f"reply buttons must number {BUTTONS_MIN}-{BUTTONS_MAX}, got {len(reply.buttons)}"
        )
    buttons = []
    titles: set[str] = set()
    ids: set[str] = set()
    for button in reply.buttons:
        bid = button.id
        if not bid or bid != bid.strip() or len(bid) > BUTTON_ID_MAX:
            raise OutboundLimitError(
                f"button id must be 1-{BUTTON_ID_MAX} characters without outer spaces: {bid!r}"
            )
        title = _required(button.title, BUTTON_TITLE_MAX, "button title")
        if title in titles or bid in ids:
            raise OutboundLimitError(f"button titles and ids must be unique: {title!r}")
        titles.add(title)
        ids.add(bid)
        buttons.append({"type": "reply", "reply": {"id": bid, "title": title}})
    obj: dict[str, Any] = {
        "type": "button",
        "body": {"text": _required(reply.body, INTERACTIVE_BODY_MAX, "body")},
        "action": {"buttons": buttons},
    }
    _header_footer(obj, reply.header, reply.footer)
    return obj


def list_object(reply: ListMenu) -> dict[str, Any]:
    """The `interactive` object of a list message."""
    if not reply.sections or len(reply.sections) > LIST_SECTIONS_MAX:
        raise OutboundLimitError(f"a list needs 1-{LIST_SECTIONS_MAX} sections")
    total = sum(len(s.rows) for s in reply.sections)
    if not 1 <= total <= LIST_ROWS_MAX:
        raise OutboundLimitError(f"a list holds 1-{LIST_ROWS_MAX} rows in total, got {total}")
    ids: set[str] = set()
    titles: set[str] = set()
    sections = []
    for section in reply.sections:
        if not section.rows:
            raise OutboundLimitError("a list section must have at least one row")
        rows = []
        for row in section.rows:
            if not row.id or len(row.id) > ROW_ID_MAX or row.id in ids:
                raise OutboundLimitError(
                    f"row ids must be unique and 1-{ROW_ID_MAX} characters: {row.id!r}"
                )
            ids.add(row.id)
            title = _required(row.title, ROW_TITLE_MAX, "row title")
            if title in titles:
                raise OutboundLimitError(f"row titles must be unique: {title!r}")
            titles.add(title)
            item: dict[str, Any] = {"id": row.id, "title": title}
            if row.description and row.description.strip():
                item["description"] = shorten(row.description, ROW_DESCRIPTION_MAX)
            rows.append(item)
        out: dict[str, Any] = {"rows": rows}
        title = shorten(section.title or "", SECTION_TITLE_MAX)
        if title:
            out["title"] = title
        elif len(reply.sections) > 1:
            raise OutboundLimitError("every section needs a title when there are several")
        sections.append(out)
    obj: dict[str, Any] = {
        "type": "list",
        "body": {"text": _required(reply.body, INTERACTIVE_BODY_MAX, "body")},
        "action": {
            "button": _required(reply.button, LIST_BUTTON_MAX, "list button label"),
            "sections": sections,
        },
    }
    _header_footer(obj, reply.header, reply.footer)
    return obj


def template_object(reply: Template) -> dict[str, Any]:
    """The `template` object of a template message."""
    if not reply.name.strip() or not reply.language.strip():
        raise OutboundLimitError("a template needs a name and a language")
    components: list[dict[str, Any]] = []
    if reply.body_params:
        components.append({
            "type": "body",
            "parameters": [
                {"type": "text", "text": _required(p, TEMPLATE_PARAM_MAX, "template parameter")}
                for p in reply.body_params
            ],
        })
    for index, payload in enumerate(reply.button_payloads):
        if not payload or len(payload) > BUTTON_ID_MAX:
            raise OutboundLimitError(f"template button payload must be 1-{BUTTON_ID_MAX} chars")
        components.append({
            "type": "button",
            "sub_type": "quick_reply",
            "index": str(index),
            "parameters": [{"type": "payload", "payload": payload}],
        })
    obj: dict[str, Any] = {
        "name": reply.name,
        "language": {"policy": "deterministic", "code": reply.language},
    }
    if components:
        obj["components"] = components
    return obj


def media_object(reply: Document | Image) -> dict[str, Any]:
    """The `document`/`image` object, without the media `id`.

    The id is Meta's id of an upload, which only the dispatcher makes (just
    before sending, see jobs/dispatcher.py); the outbox row carries the stored
    file's id (`media_file_id`) until then.
    """
    if reply.media_file_id <= 0:
        raise OutboundLimitError(f"not a stored media file id: {reply.media_file_id}")
    obj: dict[str, Any] = {}
    if isinstance(reply, Document):
        obj["filename"] = _required(reply.filename.replace("/", "_"), FILENAME_MAX, "filename")
    if reply.caption and reply.caption.strip():
        obj["caption"] = shorten(reply.caption, CAPTION_MAX)
    return obj


def media_file_of(reply: Reply | None) -> int | None:
    """The stored file a reply sends, if it sends one."""
    return reply.media_file_id if isinstance(reply, Document | Image) else None


def kind_of(reply: Reply) -> str:
    """The Cloud API message type a reply renders to (the outbox `kind`)."""
    if isinstance(reply, Text):
        return "text"
    if isinstance(reply, Template):
        return "template"
    if isinstance(reply, Document):
        return "document"
    if isinstance(reply, Image):
        return "image"
    return "interactive"


def render(to: str, reply: Reply) -> dict[str, Any]:
    """A complete `/messages` request body for one reply to one recipient."""
    if isinstance(reply, Text):
        return _envelope(to, "text", text_object(reply))
    if isinstance(reply, Buttons):
        return _envelope(to, "interactive", buttons_object(reply))
    if isinstance(reply, ListMenu):
        return _envelope(to, "interactive", list_object(reply))
    if isinstance(reply, Template):
        return _envelope(to, "template", template_object(reply))
    if isinstance(reply, Document):
        return _envelope(to, "document", media_object(reply))
    if isinstance(reply, Image):
        return _envelope(to, "image", media_object(reply))
    raise OutboundLimitError(f"not a reply value: {type(reply).__name__}")


def render_outgoing(outgoing: Outgoing) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The payload and, if the flow gave one, the template fallback payload."""
    payload = render(outgoing.to, outgoing.reply)
    fallback = render(outgoing.to, outgoing.fallback) if outgoing.fallback else None
    return payload, fallback
