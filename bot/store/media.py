"""Stored media files (`media_files`): the bytes in Postgres, capped, with Meta's upload id.

The instance's disk is discarded on every deploy (Render), so every file the
product sends (invoices, statements, QR codes) or receives (photos of lists,
voice notes) is kept here. Use:

    file = await media.save(conn, pdf_bytes, mime_type="application/pdf",
                            filename="invoice-1042.pdf", max_bytes=settings.media_max_bytes)
    await outbox.enqueue_media(conn, phone, file.id, caption="Invoice 1042")

`save` refuses (MediaRefused) an empty file, one over the cap, a MIME type
WhatsApp does not accept, or bytes that are not of their declared type. The
dispatcher uploads a file once and reuses Meta's media id while it lives
(Meta keeps uploads 30 days; we reuse for `UPLOAD_REUSE_DAYS`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import asyncpg

from bot.whatsapp.media_types import content_matches, media_type, sendable_kind

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# Meta deletes an uploaded media id after 30 days; a day's margin means a send
# never names an id that expires on its way.
UPLOAD_REUSE_DAYS = 29
FILENAME_MAX = 240
_COLUMNS = ("id, direction, mime_type, filename, file_size, sha256, wa_media_id, "
            "wa_uploaded_at, created_at, purged_at")

# A fixed column list; every value is a parameter.
_INSERT = ("INSERT INTO media_files (direction, mime_type, filename, file_size, sha256, "  # noqa: S608
           f"bytes, wa_media_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}")


class MediaRefused(ValueError):
    """A file the store will not keep; `reason` is a code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # empty | too_large | unsupported | mismatch


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A stored file's description (the bytes are read separately: `read_bytes`)."""

    id: int
    direction: str
    mime_type: str
    filename: str | None
    file_size: int
    sha256: str
    wa_media_id: str | None
    wa_uploaded_at: dt.datetime | None
    created_at: dt.datetime
    purged_at: dt.datetime | None

    @property
    def sendable_kind(self) -> str:
        """`image` for a JPEG/PNG, else `document`: how the product sends it."""
        return sendable_kind(self.mime_type)

    @property
    def purged(self) -> bool:
        """The bytes were removed by retention."""
        return self.purged_at is not None


def sha256_hex(data: bytes) -> str:
    """The hex SHA-256 the store keeps for a file."""
    return hashlib.sha256(data).hexdigest()


def check(data: bytes, mime_type: str, max_bytes: int, *, sendable: bool = True) -> None:
    """Raise MediaRefused unless `data` may be stored as `mime_type` under the cap.

    `sendable` (files we send) also requires a type WhatsApp accepts and bytes
    of that type; a file a user sent is kept as Meta delivered it.
    """
    if not data:
        raise MediaRefused("empty", "the file is empty")
    if len(data) > max_bytes:
        raise MediaRefused("too_large", f"the file is {len(data)} bytes, over the "
                                        f"{max_bytes}-byte limit")
    if not sendable:
        return
    found = media_type(mime_type)
    if found is None:
        raise MediaRefused("unsupported", f"WhatsApp does not accept {mime_type!r} files")
    if len(data) > found.max_bytes:
        raise MediaRefused("too_large", f"WhatsApp takes {found.kind} files up to "
                                        f"{found.max_bytes} bytes")
    if not content_matches(mime_type, data):
        raise MediaRefused("mismatch", f"the bytes are not a {mime_type} file")


def _clean_filename(filename: str | None) -> str | None:
    if filename is None:
        return None
    # A name, not a path; control characters would end up in a WhatsApp payload.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:FILENAME_MAX] or None


async def save(
    conn: asyncpg.Connection, data: bytes, *, mime_type: str, filename: str | None = None,
    direction: str = "outbound", wa_media_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> MediaFile:
    """Keep a file (in the caller's transaction); raises MediaRefused for one we will not."""
    check(data, mime_type, max_bytes, sendable=direction == "outbound")
    row = await conn.fetchrow(
        _INSERT, direction, mime_type.strip(), _clean_filename(filename), len(data),
        sha256_hex(data), data, wa_media_id)
    return MediaFile(**dict(row))


async def get(conn: asyncpg.Connection, media_file_id: int) -> MediaFile | None:
    """A stored file's description, or None."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM media_files WHERE id = $1", media_file_id)  # noqa: S608
    return MediaFile(**dict(row)) if row is not None else None


async def read_bytes(conn: asyncpg.Connection, media_file_id: int) -> bytes | None:
    """A stored file's bytes; None if there is no such file or retention purged them."""
    value = await conn.fetchval("SELECT bytes FROM media_files WHERE id = $1", media_file_id)
    return bytes(value) if value is not None else None


async def live_upload(conn: asyncpg.Connection, media_file_id: int) -> str | None:
    """Meta's media id of our upload of this file, if it is still young enough to send by."""
    value = await conn.fetchval(
        "SELECT wa_media_id FROM media_files WHERE id = $1 AND direction = 'outbound' "
        "AND wa_uploaded_at > now() - make_interval(days => $2)",
        media_file_id, UPLOAD_REUSE_DAYS)
    return str(value) if value is not None else None


async def record_upload(conn: asyncpg.Connection, media_file_id: int, wa_media_id: str) -> None:
    """Meta accepted our upload of the file under `wa_media_id` (now)."""
    await conn.execute(
        "UPDATE media_files SET wa_media_id = $2, wa_uploaded_at = now() WHERE id = $1",
        media_file_id, wa_media_id)


async def forget_upload(conn: asyncpg.Connection, media_file_id: int) -> None:
    """The upload's id no longer works: the next send uploads the bytes again."""
    await conn.execute(
        "UPDATE media_files SET wa_uploaded_at = NULL WHERE id = $1", media_file_id)
