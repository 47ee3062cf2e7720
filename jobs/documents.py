"""documents: send every invoice and credit note issued but not yet sent, as a PDF.

Deliveries and credit notes number their document in their own transaction
(bot/services/invoices.py); printing it (fpdf2, tens of milliseconds of CPU) is
left to this job so a delivery never waits on rendering or holds the vendor's
counter lock meanwhile. Statements asked for in chat are rendered here too
(the conversation only records the request). Each batch commits on its own; a document that fails
to render stays unprinted and is retried next minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.documents.pdf import preload_fonts
from bot.documents.sending import BATCH, send_requested_statements, send_unprinted
from bot.runtime import Runtime
from jobs.job import Job, JobContext

log = logging.getLogger(__name__)


async def run(ctx: JobContext, now: datetime) -> None:
    """Print and queue unsent documents, batch by batch."""
    async with ctx.runtime.pool.acquire() as conn:
        while True:
            sent = await send_unprinted(conn, now=now, limit=BATCH)
            ctx.add("sent", sent)
            if sent < BATCH:
                break
            ctx.checkpoint()
        while True:
            statements = await send_requested_statements(conn, now=now, limit=BATCH)
            ctx.add("statements", statements)
            if statements < BATCH:
                return
            ctx.checkpoint()


JOB = Job("documents", {"minute": "*"}, run,
          "send each issued invoice, credit note and requested statement to its retailer as a PDF")


async def warm_fonts(runtime: Runtime,
                     scheduler: AsyncIOScheduler) -> Callable[[], Awaitable[None]]:
    """Worker component: parse the PDF fonts in a thread at start, not in the first invoice."""
    parsing = asyncio.ensure_future(asyncio.to_thread(preload_fonts))

    def reported(task: asyncio.Future[None]) -> None:
        # A font that cannot be parsed now fails the first render too, where
        # the documents job reports it; here it is only logged.
        if not task.cancelled() and task.exception() is not None:
            log.error("PDF fonts not preloaded: %s", task.exception())

    parsing.add_done_callback(reported)

    async def stop() -> None:
        # A thread cannot be cancelled; it is a fraction of a second.
        await asyncio.gather(parsing, return_exceptions=True)

    return stop
