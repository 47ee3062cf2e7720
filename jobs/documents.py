"""documents: send every invoice and credit note issued but not yet sent, as a PDF.

Deliveries and credit notes number their document in their own transaction
(bot/services/invoices.py); printing it (fpdf2, a few hundred milliseconds) is
left to this job so a delivery never waits on rendering or holds the vendor's
counter lock meanwhile. Statements asked for in chat are rendered here too
(the conversation only records the request). Each batch commits on its own; a document that fails
to render stays unprinted and is retried next minute.
"""

from __future__ import annotations

from datetime import datetime

from bot.documents.sending import BATCH, send_requested_statements, send_unprinted
from jobs.job import Job, JobContext


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
