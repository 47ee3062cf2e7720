"""The console inside the web app: templates, its own static assets, and every page module.

`setup(app)` is the one line bot/web/app.py calls. To add a page, write a module
under `bot/console/pages/` with a `PAGE = ConsoleRoutes()` table (see
bot/console/guard.py), templates under bot/console/templates/ that extend
`base.html`, its words in bot/console/words.py, and add the module to `PAGES`
below. A `NAV` entry in bot/console/nav.py naming its route puts it in the menu;
a `TILES` tuple in the module puts figures on the dashboard.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console import formatting, login
from bot.console.pages import (
    catalogue,
    conversations,
    dashboard,
    inbox,
    operators,
    orders,
    outbox,
    password,
    reports,
    retailers,
    vendors,
)
from bot.console.tiles import TILES_KEY

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# Every page module; each has `PAGE: ConsoleRoutes` (and may have `TILES`).
PAGES: tuple[ModuleType, ...] = (
    dashboard,
    orders,
    retailers,
    vendors,
    outbox,
    operators,
    conversations,
    inbox,
    catalogue,
    reports,
    password,
)


def setup(app: web.Application) -> None:
    """Serve the console under /console: templates, static files, login and the pages."""
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=formatting.money, figure=formatting.figure,
                       moment=formatting.moment, day=formatting.day)
    static = app.router.add_static("/console/static/", STATIC, name="console.static",
                                   append_version=True)
    # `asset("console.css")`: the file's URL with its content hash (cached safely).
    env.globals.update(percent=formatting.percent, duration=formatting.duration)
    env.globals["asset"] = lambda name: str(static.url_for(filename=name))
    login.setup(app)
    for page in PAGES:
        page.PAGE.add_to(app)
    app[TILES_KEY] = tuple(tile for page in PAGES for tile in getattr(page, "TILES", ()))
