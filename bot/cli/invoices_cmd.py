"""`khaacho invoice show | reprint | pdf ORDER`: an order's invoice and credit notes."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import asyncpg

from bot.cli.errors import CliError
from bot.cli.output import (
    Column,
    add_json_flag,
    add_operator_flag,
    cli_runtime,
    operator_name,
    show_table,
)
from bot.documents.pdf import render
from bot.documents.sending import send_document
from bot.store import documents as doc_store
from bot.store import orders as order_store
from bot.store import parties as party_store
from flows.documents import invoice_page

COLUMNS = (
    Column("kind", "kind"),
    Column("number", "number"),
    Column("issued_on", "issued"),
    Column("total", "total", numeric=True),
    Column("vat", "vat", numeric=True),
    Column("sent", "sent"),
)


async def _documents(conn: asyncpg.Connection, number: int) -> list[doc_store.Issued]:
    order = await order_store.order_by_number(conn, number)
    if order is None:
        raise CliError(f"no order #{number}")
    found = await doc_store.for_order(conn, order.id)
    if not found:
        raise CliError(f"order #{number} has no invoice (it is {order.status})")
    return found


def _pick(found: list[doc_store.Issued], which: str | None) -> doc_store.Issued:
    if which is None:
        return found[0]
    for d in found:
        if d.document.number == which:
            return d
    raise CliError(f"no document {which}; the order has "
                   + ", ".join(d.document.number for d in found))


async def _show(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        found = await _documents(conn, args.order)
        rows: list[dict[str, Any]] = [
            {"kind": d.document.kind.value, "number": d.document.number,
             "issued_on": d.document.issued_on.isoformat(), "total": d.document.figures.total,
             "vat": d.document.figures.vat,
             "sent": "yes" if await doc_store.was_printed(conn, d.id) else "not yet"}
            for d in found]
    show_table(rows, COLUMNS, as_json=args.json, title=f"documents of order #{args.order}")
    return 0


async def _reprint(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        issued = _pick(await _documents(conn, args.order), args.number)
        printed = await send_document(conn, issued, by=operator_name(args),
                                      now=dt.datetime.now(dt.UTC))
    what = "a COPY" if printed.copy else "the original"
    print(f"{issued.document.number}: {what} queued to the retailer (outbox {printed.outbox_id})")
    return 0


async def _pdf(args: argparse.Namespace) -> int:
    async with cli_runtime() as rt, rt.pool.acquire() as conn:
        issued = _pick(await _documents(conn, args.order), args.number)
        retailer = await party_store.retailer(conn, issued.retailer_id)
        assert retailer is not None
        copy = await doc_store.was_printed(conn, issued.id)
    language = args.language or retailer.language
    pdf = render(invoice_page(issued.document, language, copy=copy))
    await asyncio.to_thread(Path(args.out).write_bytes, pdf)
    print(f"{issued.document.number} written to {args.out}" + (" (COPY)" if copy else ""))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `invoice`."""
    p = sub.add_parser("invoice", help="an order's invoice and credit notes: show, reprint",
                       description="Invoices are issued when an order is delivered, credit "
                                   "notes when goods come back; both are numbered per vendor "
                                   "per fiscal year and never changed. A reprint says COPY.")
    isub = p.add_subparsers(dest="invoice_command", metavar="ACTION")
    isub.required = True
    q = isub.add_parser("show", help="list an order's documents",
                        description="List the invoice and credit notes of an order.")
    q.add_argument("order", type=int, help="order number")
    add_json_flag(q)
    q.set_defaults(handler=_show)
    q = isub.add_parser("reprint", help="send a document to the retailer again, marked COPY",
                        description="Send the invoice (or --number a credit note) to the "
                                    "retailer again on WhatsApp; it is marked COPY.")
    q.add_argument("order", type=int, help="order number")
    q.add_argument("--number", help="which document (default: the invoice)")
    add_operator_flag(q)
    q.set_defaults(handler=_reprint)
    q = isub.add_parser("pdf", help="write a document's PDF to a file",
                        description="Write the invoice (or --number a credit note) as a PDF.")
    q.add_argument("order", type=int, help="order number")
    q.add_argument("--number", help="which document (default: the invoice)")
    q.add_argument("--out", required=True, help="file to write")
    q.add_argument("--language", choices=("en", "ne"), help="default: the retailer's")
    q.set_defaults(handler=_pdf)
