"""The worker process: scheduled jobs and the outbox dispatcher.

Everything slow or periodic runs here so the web process only answers
webhooks. Jobs are registered on an APScheduler 3.11 AsyncIOScheduler; on
SIGTERM the scheduler stops taking new runs, waits for running jobs, and the
process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.runtime import Runtime
from domain import business_time

log = logging.getLogger(__name__)

# A component is started with the runtime and returns an awaitable that stops it.
Component = Callable[[Runtime, AsyncIOScheduler], Awaitable[Callable[[], Awaitable[None]]]]


def components() -> list[Component]:
    """What the worker runs besides the scheduler itself, in start order."""
    from jobs import dispatcher
    from jobs.health import start_health
    from jobs.runner import start_scheduler

    return [dispatcher.start, start_scheduler, start_health]


async def run_worker(settings: Settings) -> None:
    """Run until SIGTERM/SIGINT, then stop cleanly."""
    runtime = await Runtime.open(settings)
    scheduler = AsyncIOScheduler(timezone=business_time.ZONE)
    stoppers: list[Callable[[], Awaitable[None]]] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        for component in components():
            stoppers.append(await component(runtime, scheduler))
        scheduler.start()
        log.info("worker started", extra={"jobs": [j.id for j in scheduler.get_jobs()]})
        await stop.wait()
        log.info("worker stopping: waiting for running jobs")
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
        for stopper in reversed(stoppers):
            await stopper()
        await runtime.close()
        log.info("worker stopped")
