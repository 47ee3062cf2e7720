"""The web process: the aiohttp application and its lifecycle.

Each route module has `setup(app)`; `create_app` wires them in one place.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.config import Settings
from bot.conversation.router import build_router
from bot.runtime import Runtime
from bot.web import health, middleware, ops, webhook
from bot.web.keys import RUNTIME

log = logging.getLogger(__name__)

# WhatsApp never sends more than a few kilobytes; 3 MB is its documented cap.
MAX_BODY_BYTES = 3 * 1024 * 1024


def create_app(runtime: Runtime) -> web.Application:
    """Build the application around already-open resources."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[RUNTIME] = runtime
    middleware.setup(app)
    health.setup(app)
    ops.setup(app)
    # The conversation router: vendor numbers to the vendor flow, everyone else
    # to the retailer flow (tests may replace app[CONVERSATION] after this).
    webhook.setup(app, build_router(runtime))
    app.on_startup.append(_warm_catalogue)
    return app


async def _warm_catalogue(app: web.Application) -> None:
    # Build the catalogue index before the first message rather than inside it
    # (1-2 s for 10,000 products, on a worker thread).
    try:
        await app[RUNTIME].catalog.index()
    except Exception:  # the first message will try again
        log.warning("catalogue index not built at start-up", exc_info=True)


async def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Run the web service until SIGTERM/SIGINT, then drain and close."""
    runtime = await Runtime.open(settings)
    app = create_app(runtime)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=10)
    await runner.setup()
    site = web.TCPSite(runner, host or settings.host, port or settings.port, backlog=1024)
    await site.start()
    log.info("web listening", extra={"port": port or settings.port})
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
        log.info("web stopping: finishing in-flight requests")
    finally:
        # runner.cleanup stops accepting, waits for in-flight handlers, then
        # runs on_cleanup; the pools close only after that.
        await runner.cleanup()
        await runtime.close()
        log.info("web stopped")
