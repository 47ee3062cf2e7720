"""Figures other pages put on the dashboard (`TILES` in a page module).

A tile source is `async def source(visit, conn) -> Tile | None`; the dashboard
calls each in the order of `bot.console.site.PAGES` and shows what they return
(None: nothing to show). The inbox page uses it for its count.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
from aiohttp import web

if TYPE_CHECKING:
    from bot.console.guard import Visit


@dataclass(frozen=True, slots=True)
class Tile:
    """One figure on the dashboard: its label (already in the page's language), value, link."""

    label: str
    value: str
    href: str | None = None
    alert: bool = False  # drawn in the warning colour: someone should look


TileSource = Callable[["Visit", asyncpg.Connection], Awaitable[Tile | None]]
TILES_KEY = web.AppKey("console_tiles", tuple)
