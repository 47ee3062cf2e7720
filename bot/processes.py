"""The composition root: the web process and the worker process, assembled from settings.

Which concrete parts a process runs is decided here and nowhere else:
- the conversation: vendor numbers to the vendor flow, everyone else to the
  retailer flow over the real services;
- the web process: the web application whose `cleanup_ctx` opens the runtime
  (Postgres, Redis) at startup and closes it at cleanup, after the last
  in-flight request, served on its port;
- the worker process: the outbox dispatcher, the media fetcher, the PDF fonts parsed, the scheduled
  jobs and the health endpoint over one runtime.
`khaacho serve` and `khaacho worker` run `web_service` and `worker_service` until
SIGTERM (`bot.lifecycle.run_until_signalled`). Tests and the demo build the
same parts around a runtime they opened themselves: `create_app(runtime)`,
`worker_over(runtime)`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.conversation import workers
from bot.conversation.retailer_backend import ServiceBackend
from bot.conversation.router import Router
from bot.conversation.vendor_backend import VendorServiceBackend
from bot.lifecycle import bound_port, serving
from bot.runtime import Runtime
from bot.web.app import web_application
from bot.web.keys import RUNTIME
from bot.web.webhook import CONVERSATION, WORKERS
from flows.vendor import VendorBackend
from jobs import dispatcher, documents, media_fetcher
from jobs.health import start_health
from jobs.runner import start_scheduler
from jobs.worker import Component, running

log = logging.getLogger(__name__)

# How long in-flight requests get once the web process is told to stop.
WEB_SHUTDOWN_SECONDS = 10.0
WEB_BACKLOG = 1024

# What the worker runs, in start order (stopped in reverse).
WORKER_COMPONENTS: tuple[Component, ...] = (dispatcher.start, media_fetcher.start,
                                            documents.warm_fonts, start_scheduler, start_health)


def conversation(runtime: Runtime) -> Router:
    """The production conversation: the vendor flow for vendor numbers, else the retailer flow."""
    accept_minutes = runtime.settings.vendor_accept_minutes

    def vendor_backend(conn: asyncpg.Connection, vendor_id: int) -> VendorBackend:
        # A vendor's reject re-routes at once, with the configured answer window.
        return VendorServiceBackend(conn, vendor_id, accept_minutes=accept_minutes)

    return Router(runtime.redis, runtime.keys,
                  retailer_backend=lambda conn: ServiceBackend(runtime, conn),
                  vendor_backend=vendor_backend,
                  session_ttl_hours=runtime.settings.session_ttl_hours)


def create_app(runtime: Runtime) -> web.Application:
    """The web application around an already-open runtime, which its opener closes.

    Tests may replace `app[CONVERSATION]` before starting it.
    """
    app = web_application()
    _serve_over(app, runtime)
    app.cleanup_ctx.append(_conversation_workers)
    return app


def web_app(settings: Settings) -> web.Application:
    """The web process's application: it opens its runtime at startup and closes it at cleanup."""

    async def resources(app: web.Application) -> AsyncIterator[None]:
        # The web process's code leaves no session state on pooled connections
        # (its LISTEN has a connection of its own), so no reset query per release.
        async with Runtime.opened(settings, reset_on_release=False) as runtime:
            _serve_over(app, runtime)
            yield

    app = web_application()
    app.cleanup_ctx.append(resources)
    app.cleanup_ctx.append(_conversation_workers)
    return app


def _serve_over(app: web.Application, runtime: Runtime) -> None:
    app[RUNTIME] = runtime
    app[CONVERSATION] = conversation(runtime)


async def _conversation_workers(app: web.Application) -> AsyncIterator[None]:
    """The web process's own conversation workers (CONVERSATION_WORKERS loops; 0 for none).

    Started once the app is set up (so a test's replacement conversation is
    the one used) and stopped at cleanup, after in-flight requests, each
    finishing the message in hand.
    """
    runtime = app[RUNTIME]
    if runtime.settings.conversation_workers <= 0:
        yield
        return
    started = await workers.start(runtime, app.get(CONVERSATION))
    app[WORKERS] = started
    try:
        yield
    finally:
        await started.stop()


async def start_conversations(runtime: Runtime,
                              scheduler: AsyncIOScheduler) -> Callable[[], Awaitable[None]]:
    """The worker-process component for `khaacho worker --conversations`."""
    started = await workers.start(runtime, conversation(runtime))
    return started.stop


@contextlib.asynccontextmanager
async def web_service(settings: Settings, *, host: str | None = None,
                      port: int | None = None) -> AsyncIterator[web.AppRunner]:
    """The web process: the application listening on its port while the block runs.

    On the way out it stops accepting, lets in-flight requests finish (up to
    `WEB_SHUTDOWN_SECONDS`), then closes Postgres and Redis.
    """
    try:
        async with serving(web_app(settings), host or settings.host, port or settings.port,
                           shutdown_timeout=WEB_SHUTDOWN_SECONDS, backlog=WEB_BACKLOG) as runner:
            log.info("web listening", extra={"port": bound_port(runner)})
            yield runner
            log.info("web stopping: finishing in-flight requests")
    finally:
        log.info("web stopped")


def worker_over(runtime: Runtime, *, conversations: bool = False,
                ) -> contextlib.AbstractAsyncContextManager[AsyncIOScheduler]:
    """The worker's components over an already-open runtime, while the block runs.

    With `conversations`, conversation workers run here too (more of them,
    beside the ones in `khaacho serve`).
    """
    extra: tuple[Component, ...] = (start_conversations,) if conversations else ()
    return running(runtime, WORKER_COMPONENTS + extra)


@contextlib.asynccontextmanager
async def worker_service(settings: Settings, *,
                         conversations: bool = False) -> AsyncIterator[AsyncIOScheduler]:
    """The worker process: its runtime and components while the block runs."""
    async with Runtime.opened(settings) as runtime, \
            worker_over(runtime, conversations=conversations) as scheduler:
        yield scheduler
