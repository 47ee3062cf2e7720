"""The worker process's parts running together: its components over one runtime and one scheduler.

Everything slow or periodic runs in the worker so the web process only
answers webhooks. Which components it runs (the outbox dispatcher, the
scheduled jobs, the health endpoint) is the composition root's choice
(`bot.processes`); here they are started in order around one APScheduler 3.11
AsyncIOScheduler and stopped in reverse: the scheduler stops taking new runs,
running jobs get their grace, the dispatcher finishes its sends.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime
from domain import business_time

log = logging.getLogger(__name__)

# A component is started with the runtime and returns an awaitable that stops it.
Component = Callable[[Runtime, AsyncIOScheduler], Awaitable[Callable[[], Awaitable[None]]]]


@contextlib.asynccontextmanager
async def running(runtime: Runtime,
                  components: Sequence[Component]) -> AsyncIterator[AsyncIOScheduler]:
    """The components started in order with the scheduler for as long as the block runs."""
    scheduler = AsyncIOScheduler(timezone=business_time.ZONE)
    try:
        async with contextlib.AsyncExitStack() as started:
            for component in components:
                started.push_async_callback(await component(runtime, scheduler))
            scheduler.start()
            # Last in, first out: no new runs before the components are asked to stop.
            started.callback(scheduler.shutdown, wait=False)
            log.info("worker started", extra={"jobs": [j.id for j in scheduler.get_jobs()]})
            yield scheduler
            log.info("worker stopping: waiting for running jobs")
    finally:
        log.info("worker stopped")
