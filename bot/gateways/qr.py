"""A Fonepay QR as a WhatsApp image: the EMVCo `qrMessage` drawn as a PNG and stored."""

from __future__ import annotations

import io

import asyncpg
import segno

from bot.store import media as media_store

# Big enough to scan from a phone screen held to another phone (about 400 px).
SCALE = 8
BORDER = 4


def qr_png(payload: str) -> bytes:
    """The payload as a PNG QR code (error correction M, as payment QRs use)."""
    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=SCALE,
                                                     border=BORDER)
    return out.getvalue()


async def qr_image(conn: asyncpg.Connection, payload: str, token: str, *,
                   max_bytes: int) -> int:
    """Store the QR for `payload` as a PNG; its media file id (sent as an Image reply)."""
    stored = await media_store.save(conn, qr_png(payload), mime_type="image/png",
                                    filename=f"fonepay-{token}.png", max_bytes=max_bytes)
    return stored.id
