"""Turning issued documents and statements into PDFs in `media_files` and messages in the outbox.

- `send_document` prints an invoice or credit note from its stored figures: the
  first print is the original, any later one says COPY. One transaction: the
  file, the outbox row and the `document_prints` row commit together.
- `send_unprinted` is what the `documents` job runs: every document issued but
  not yet sent, oldest first (SKIP LOCKED, so two workers never print one twice).
- `statement_file` builds a retailer's statement from the ledger readers
  (bot/store/ledger.py), the pure rules (domain/statement.py) and the wording
  (flows/documents.py), and stores the PDF.
- `send_requested_statements` is the `documents` job's other half: each statement
  asked for in chat (`statement_requests`, written in the message's transaction)
  rendered, stored and queued with the request marked sent, in one transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

import asyncpg

from bot.documents.pdf import render
from bot.store import documents as doc_store
from bot.store import ledger as ledger_store
from bot.store import media as media_store
from bot.store import outbox as outbox_store
from bot.store import parties as party_store
from bot.store import statement_requests as request_store
from domain.business_time import business_date
from domain.statement import LedgerLine, Period, Statement, kind_of, statement
from flows.documents import (
    Page,
    document_caption,
    document_filename,
    invoice_page,
    statement_caption,
    statement_page,
)

PDF = "application/pdf"
BATCH = 20


async def render_off_loop(page: Page) -> bytes:
    """Render in a thread: a PDF takes tens of ms of CPU (the process's first, which
    parses the fonts, a few hundred), and the event loop (other shops' messages)
    keeps running between the thread's GIL slices."""
    return await asyncio.to_thread(render, page)


@dataclass(frozen=True, slots=True)
class Printed:
    """One print of a document: the stored PDF and the outbox row that sends it."""

    document_id: int
    copy: bool
    media_file_id: int
    outbox_id: int
    pdf: bytes


async def send_document(conn: asyncpg.Connection, issued: doc_store.Issued, *, by: str,
                        now: dt.datetime) -> Printed:
    """Print `issued` to its retailer (COPY when the original went out already)."""
    async with conn.transaction():
        retailer = await party_store.retailer(conn, issued.retailer_id)
        assert retailer is not None
        copy = await doc_store.was_printed(conn, issued.id)
        pdf = await render_off_loop(invoice_page(issued.document, retailer.language, copy=copy))
        name = document_filename(issued.document)
        if copy:
            name = name.replace(".pdf", "-copy.pdf")
        file = await media_store.save(conn, pdf, mime_type=PDF, filename=name)
        outbox_id = await outbox_store.enqueue_media(
            conn, retailer.phone, file.id, filename=name,
            caption=document_caption(issued.document, retailer.language),
            correlation=f"order:{issued.document.order_number}")
        await doc_store.record_print(conn, issued.id, copy=copy, media_file_id=file.id,
                                     outbox_id=outbox_id, by=by, now=now)
    return Printed(issued.id, copy, file.id, outbox_id, pdf)


async def send_unprinted(conn: asyncpg.Connection, *, now: dt.datetime,
                         limit: int = BATCH) -> int:
    """Send up to `limit` issued documents that have not gone out yet; how many were sent."""
    sent = 0
    async with conn.transaction():
        for issued in await doc_store.unprinted(conn, limit):
            await send_document(conn, issued, by="job:documents", now=now)
            sent += 1
    return sent


async def retailer_statement(conn: asyncpg.Connection, retailer_id: int,
                             period: Period) -> Statement:
    """A retailer's statement for `period`, from the ledger's readers."""
    entries = await ledger_store.entries(conn, retailer_id)
    debits, credits = await ledger_store.dues_history(conn, retailer_id, through=period.last)
    numbers = await _order_numbers(conn, {e.order_id for e in entries if e.order_id})
    lines = [LedgerLine(business_date(e.created_at), e.kind == "debit", e.amount,
                        kind_of(is_debit=e.kind == "debit", order_id=e.order_id,
                                payment_id=e.payment_id, credit_note_id=e.credit_note_id,
                                reverses_entry_id=e.reverses_entry_id),
                        numbers.get(e.order_id) if e.order_id else None)
             for e in entries]
    return statement(lines, debits, credits, period)


async def _order_numbers(conn: asyncpg.Connection, ids: set[int]) -> dict[int, int]:
    rows = await conn.fetch("SELECT id, number FROM orders WHERE id = ANY($1::bigint[])",
                            list(ids))
    return {r["id"]: r["number"] for r in rows}


@dataclass(frozen=True, slots=True)
class StatementFile:
    """A stored statement PDF and the words that go with it."""

    media_file_id: int
    filename: str
    caption: str
    statement: Statement
    pdf: bytes


async def statement_file(conn: asyncpg.Connection, retailer_id: int, period: Period,
                         language: str) -> StatementFile:
    """Build, render and store the statement PDF (in the caller's transaction)."""
    retailer = await party_store.retailer(conn, retailer_id)
    assert retailer is not None
    st = await retailer_statement(conn, retailer_id, period)
    pdf = await render_off_loop(statement_page(st, language, shop=retailer.shop_name,
                                               phone=retailer.phone, area=retailer.area))
    name = f"statement-{period.first.isoformat()}-{period.last.isoformat()}.pdf"
    file = await media_store.save(conn, pdf, mime_type=PDF, filename=name)
    return StatementFile(file.id, name, statement_caption(st, language), st, pdf)


async def send_requested_statements(conn: asyncpg.Connection, *, now: dt.datetime,
                                    limit: int = BATCH) -> int:
    """Render, store and queue up to `limit` statements asked for in chat; how many.

    The request row, the PDF and the outbox row commit together, so a request is
    sent once: a failure rolls all three back and the next run tries again.
    """
    sent = 0
    async with conn.transaction():
        for asked in await request_store.unsent(conn, limit):
            retailer = await party_store.retailer(conn, asked.retailer_id)
            assert retailer is not None
            made = await statement_file(conn, asked.retailer_id, asked.period, asked.language)
            outbox_id = await outbox_store.enqueue_media(
                conn, retailer.phone, made.media_file_id, filename=made.filename,
                caption=made.caption, correlation=f"statement:{asked.id}")
            await request_store.mark_sent(conn, asked.id, media_file_id=made.media_file_id,
                                          outbox_id=outbox_id, now=now)
            sent += 1
    return sent
