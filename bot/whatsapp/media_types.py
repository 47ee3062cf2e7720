"""The media types the Cloud API accepts, and their size limits (Meta's "Supported media types").

One place for the rule, read by the store (what we keep and send), the
dispatcher (what it uploads) and the simulator (what it refuses with 131053,
as Meta does). A MIME type may carry parameters (`audio/ogg; codecs=opus`):
only the base type decides.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MediaType:
    """One accepted MIME type: the message type it is sent as, its size limit, extension."""

    mime: str
    kind: str  # image | audio | video | document | sticker
    max_bytes: int
    extension: str


_TYPES = (
    MediaType("audio/aac", "audio", 16 * MB, "aac"),
    MediaType("audio/amr", "audio", 16 * MB, "amr"),
    MediaType("audio/mpeg", "audio", 16 * MB, "mp3"),
    MediaType("audio/mp4", "audio", 16 * MB, "m4a"),
    MediaType("audio/ogg", "audio", 16 * MB, "ogg"),
    MediaType("text/plain", "document", 100 * MB, "txt"),
    MediaType("application/pdf", "document", 100 * MB, "pdf"),
    MediaType("application/msword", "document", 100 * MB, "doc"),
    MediaType("application/vnd.ms-excel", "document", 100 * MB, "xls"),
    MediaType("application/vnd.ms-powerpoint", "document", 100 * MB, "ppt"),
    MediaType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              "document", 100 * MB, "docx"),
    MediaType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "document", 100 * MB, "xlsx"),
    MediaType("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              "document", 100 * MB, "pptx"),
    MediaType("image/jpeg", "image", 5 * MB, "jpg"),
    MediaType("image/png", "image", 5 * MB, "png"),
    MediaType("image/webp", "sticker", 500 * 1024, "webp"),
    MediaType("video/mp4", "video", 16 * MB, "mp4"),
    MediaType("video/3gpp", "video", 16 * MB, "3gp"),
)
SUPPORTED: dict[str, MediaType] = {t.mime: t for t in _TYPES}

# The first bytes of formats we can recognise: an upload declared as one of
# these must start so (Meta refuses a file whose content is not its type).
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "audio/ogg": (b"OggS",),
}


def base_mime(mime: str) -> str:
    """`Audio/OGG; codecs=opus` → `audio/ogg`."""
    return mime.split(";", 1)[0].strip().lower()


def media_type(mime: str) -> MediaType | None:
    """The accepted type a MIME type names, or None when WhatsApp does not take it."""
    return SUPPORTED.get(base_mime(mime))


def content_matches(mime: str, data: bytes) -> bool:
    """False when the bytes are recognisably not of the declared type."""
    magic = _MAGIC.get(base_mime(mime))
    if magic is None:
        return True
    return any(data.startswith(m) for m in magic)


def sendable_kind(mime: str) -> str:
    """How a stored file is sent by the product: as an `image` or as a `document`."""
    found = media_type(mime)
    return "image" if found is not None and found.kind == "image" else "document"
