"""`/console`: today at a glance — orders, GMV, what waits for a vendor or a person."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.console.guard import ConsoleRoutes, Visit
from bot.console.tiles import TILES_KEY, Tile
from bot.store import dashboard

PAGE = ConsoleRoutes()


@PAGE.get("/console", name="console.dashboard")
async def today(visit: Visit) -> web.StreamResponse:
    """The day's counts, orders waiting oldest first, unroutable orders, disputes, backlogs."""
    now = dt.datetime.now(dt.UTC)
    async with visit.runtime.pool.acquire() as conn:
        figures = await dashboard.today(conn, now)
        waiting = await dashboard.waiting_for_vendor(conn)
        unroutable = await dashboard.unroutable_orders(conn)
        disputes = await dashboard.open_disputes(conn)
        extra: list[Tile] = []
        for source in visit.request.app.get(TILES_KEY, ()):
            tile = await source(visit, conn)
            if tile is not None:
                extra.append(tile)
    return await visit.render("dashboard.html", {
        "f": figures, "waiting": waiting, "unroutable": unroutable, "disputes": disputes,
        "tiles": extra, "now": now})
