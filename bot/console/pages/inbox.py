"""`/console/inbox`: what shops sent that a person must read — photos shown, voice notes
playable, documents downloadable — and turning one into a cart for the shop to confirm.

The inbox and its actions are media's (bot/store/operator_inbox.py,
bot/services/operator_inbox.py, the same `khaacho inbox` uses); this page shows
them. Files are served from Postgres by the app itself; only image and audio
types a browser plays safely are shown inline, everything else is a download,
and a file response may run nothing (its own CSP with `sandbox`, `nosniff`).
"""

from __future__ import annotations

import asyncpg
from aiohttp import web

from bot.console.guard import ConsoleRoutes, Visit
from bot.console.tiles import Tile
from bot.services import operator_inbox as inbox_service
from bot.store import media as media_store
from bot.store import operator_inbox

PAGE = ConsoleRoutes()

# What may be shown in the page (<img>, <audio>, <video>); anything else downloads.
INLINE = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif",
                    "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr",
                    "video/mp4", "video/3gpp"})
FILE_CSP = "default-src 'none'; sandbox"


def _base_type(mime: str | None) -> str:
    return (mime or "").split(";")[0].strip().lower()


def player(item: operator_inbox.InboxItem) -> str:
    """How the page shows an item's file: img, audio, video, download or none (not fetched)."""
    if item.media_file_id is None:
        return "none"
    mime = _base_type(item.mime_type)
    if mime not in INLINE:
        return "download"
    return mime.split("/")[0].replace("image", "img")


def _item_id(visit: Visit) -> int | None:
    raw = visit.request.match_info["id"]
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@PAGE.get("/console/inbox", name="console.inbox")
async def inbox(visit: Visit) -> web.StreamResponse:
    """Items to work, oldest first (with ?all=1, done ones too)."""
    show_all = visit.request.query.get("all") == "1"
    states = operator_inbox.STATES if show_all else ("open", "carted")
    async with visit.runtime.pool.acquire() as conn:
        items = await operator_inbox.list_items(conn, states, limit=200)
    return await visit.render("inbox.html", {
        "items": [(item, player(item)) for item in items], "show_all": show_all})


@PAGE.get("/console/inbox/{id}/file", name="console.inbox.file")
async def file(visit: Visit) -> web.StreamResponse:
    """An item's stored bytes (inline for safe image/audio/video types, else an attachment)."""
    item_id = _item_id(visit)
    async with visit.runtime.pool.acquire() as conn:
        item = await operator_inbox.get(conn, item_id) if item_id is not None else None
        data = (await media_store.read_bytes(conn, item.media_file_id)
                if item is not None and item.media_file_id is not None else None)
    if item is None or data is None:
        return await visit.render("refused.html", {"message": visit.t("error.not_found")},
                                  status=404)
    mime = _base_type(item.mime_type)
    inline = mime in INLINE
    name = (item.filename or f"inbox-{item.id}").replace('"', "").replace("\\", "")
    return web.Response(body=data, headers={
        "Content-Type": mime if inline else "application/octet-stream",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": FILE_CSP,
        "Cache-Control": "private, no-store"})


@PAGE.post("/console/inbox/{id}/cart", name="console.inbox.cart", back="/console/inbox")
async def cart(visit: Visit) -> web.StreamResponse:
    """Hand the operator's reading of the file to the shop's conversation as their order."""
    item_id = _item_id(visit)
    text = visit.field("cart_text", max_length=inbox_service.CART_TEXT_MAX)
    async with visit.runtime.pool.acquire() as conn:
        item = await inbox_service.cart_from_item(conn, item_id or 0, text, actor=visit.actor)
    return await visit.done("/console/inbox", visit.t(
        "inbox.carted", shop=item.shop_name or item.sender))


@PAGE.post("/console/inbox/{id}/done", name="console.inbox.done", back="/console/inbox")
async def done(visit: Visit) -> web.StreamResponse:
    """Nothing more to do for the item."""
    item_id = _item_id(visit)
    async with visit.runtime.pool.acquire() as conn:
        item = await inbox_service.close_item(conn, item_id or 0, actor=visit.actor)
    return await visit.done("/console/inbox", visit.t("inbox.closed", id=item.id))


async def _open_tile(visit: Visit, conn: asyncpg.Connection) -> Tile | None:
    waiting = await conn.fetchval("SELECT count(*) FROM operator_inbox WHERE state = 'open'")
    return Tile(visit.t("inbox.tile"), str(waiting), "/console/inbox", alert=bool(waiting))


TILES = (_open_tile,)
