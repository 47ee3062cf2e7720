"""The web application: its routes and middleware, each route module's `setup(app)` in one place.

What it serves with is put in by the composition root (`bot.processes`): the
runtime (`RUNTIME`) and the conversation (`webhook.CONVERSATION`), opened by
the app's own cleanup context in the web process, or set up front around a
runtime that a test or the demo opened.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.console import site as console
from bot.web import health, middleware, ops, payments, persist_batch, webhook
from bot.web.keys import RUNTIME

log = logging.getLogger(__name__)

# WhatsApp never sends more than a few kilobytes; 3 MB is its documented cap.
MAX_BODY_BYTES = 3 * 1024 * 1024
# aiohttp answers a header line over its parser limit itself, in plain text and
# before any of our code (so without the security headers). Its limit is set
# above ours, so the middleware refuses 8-16 KB headers as JSON 431 with every
# header; only beyond 16 KB is aiohttp's own 400 left (issue 19).
PARSER_LIMIT_BYTES = 16 * 1024


def web_application() -> web.Application:
    """The routes and middleware, without the resources they run on."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, handler_args={
        "max_field_size": PARSER_LIMIT_BYTES, "max_line_size": PARSER_LIMIT_BYTES})
    middleware.setup(app)
    health.setup(app)
    ops.setup(app)
    webhook.setup(app)
    payments.setup(app)
    console.setup(app)
    app.on_startup.append(_warm_catalogue)
    app.cleanup_ctx.append(persist_batch.lifecycle)
    return app


async def _warm_catalogue(app: web.Application) -> None:
    # Build the catalogue index before the first message rather than inside it
    # (1-2 s for 10,000 products, on a worker thread).
    try:
        await app[RUNTIME].catalog.index()
    except Exception:  # the first message will try again
        log.warning("catalogue index not built at start-up", exc_info=True)
