"""Invoices and credit notes as issued, their gapless counters and their prints: plain SQL.

`documents` rows are insert-only (a trigger refuses UPDATE and DELETE); the
figures they printed are kept in `content` (JSON of `domain.invoice.Document`),
so a reprint shows exactly what was issued even if the vendor's address or a
product's name changes later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg
import orjson

from domain.invoice import Buyer, Document, DocumentKind, Figures, InvoiceLine, Seller

_COLS = ("id, kind, vendor_id, fiscal_year, seq, number, order_id, retailer_id, credit_note_id, "
         "against_id, issued_on, issued_at, content")


@dataclass(frozen=True, slots=True)
class VendorTax:
    """A vendor's particulars for their invoices."""

    vendor_id: int
    name: str
    pan: str | None
    vat_registered: bool
    address: str | None


@dataclass(frozen=True, slots=True)
class Issued:
    """A stored document row and the document it printed."""

    id: int
    vendor_id: int
    fiscal_year: int
    seq: int
    order_id: int
    retailer_id: int
    credit_note_id: int | None
    against_id: int | None
    issued_at: dt.datetime
    document: Document


def _content(doc: Document) -> bytes:
    def figures(f: Figures) -> dict[str, Any]:
        return {"lines": [{"name": ln.name, "unit": ln.unit, "qty": str(ln.qty),
                           "rate": str(ln.rate), "amount": str(ln.amount)} for ln in f.lines],
                "subtotal": str(f.subtotal), "vat": str(f.vat), "total": str(f.total),
                "vat_registered": f.vat_registered}
    return orjson.dumps({
        "kind": doc.kind.value, "number": doc.number, "issued_on": doc.issued_on.isoformat(),
        "order_number": doc.order_number,
        "seller": {"name": doc.seller.name, "address": doc.seller.address,
                   "pan": doc.seller.pan, "vat_registered": doc.seller.vat_registered},
        "buyer": {"name": doc.buyer.name, "address": doc.buyer.address,
                  "phone": doc.buyer.phone},
        "figures": figures(doc.figures), "against": doc.against, "reason": doc.reason,
    })


def _document(raw: Any) -> Document:
    c = orjson.loads(raw) if isinstance(raw, str | bytes) else raw
    f = c["figures"]
    return Document(
        DocumentKind(c["kind"]), c["number"], dt.date.fromisoformat(c["issued_on"]),
        int(c["order_number"]), Seller(**c["seller"]), Buyer(**c["buyer"]),
        Figures(tuple(InvoiceLine(ln["name"], ln["unit"], Decimal(ln["qty"]),
                                  Decimal(ln["rate"]), Decimal(ln["amount"]))
                      for ln in f["lines"]),
                Decimal(f["subtotal"]), Decimal(f["vat"]), Decimal(f["total"]),
                bool(f["vat_registered"])),
        c.get("against"), c.get("reason"))


def _issued(row: asyncpg.Record | None) -> Issued | None:
    if row is None:
        return None
    return Issued(row["id"], row["vendor_id"], row["fiscal_year"], row["seq"], row["order_id"],
                  row["retailer_id"], row["credit_note_id"], row["against_id"],
                  row["issued_at"], _document(row["content"]))


async def vendor_tax(conn: asyncpg.Connection, vendor_id: int) -> VendorTax | None:
    row = await conn.fetchrow(
        "SELECT id AS vendor_id, name, pan, vat_registered, address FROM vendors WHERE id = $1",
        vendor_id)
    return None if row is None else VendorTax(**dict(row))


async def set_vendor_tax(conn: asyncpg.Connection, vendor_id: int, *, pan: str | None,
                         vat_registered: bool | None, address: str | None,
                         clear_pan: bool = False, clear_address: bool = False) -> VendorTax:
    """Change the given fields (None leaves one as it is; `clear_*` empties it)."""
    row = await conn.fetchrow(
        """UPDATE vendors SET
               pan = CASE WHEN $5 THEN NULL ELSE coalesce($2, pan) END,
               vat_registered = coalesce($3, vat_registered),
               address = CASE WHEN $6 THEN NULL ELSE coalesce($4, address) END,
               updated_at = now()
           WHERE id = $1
           RETURNING id AS vendor_id, name, pan, vat_registered, address""",
        vendor_id, pan, vat_registered, address, clear_pan, clear_address)
    assert row is not None
    return VendorTax(**dict(row))


async def next_seq(conn: asyncpg.Connection, vendor_id: int, fiscal_year: int,
                   kind: DocumentKind) -> int:
    """The next number in the series, holding its counter row locked until the caller commits.

    The row is created at 0 if missing (ON CONFLICT: two first issues in a new year
    both end up waiting on the one row), then locked FOR UPDATE and advanced.
    """
    await conn.execute(
        "INSERT INTO document_counters (vendor_id, fiscal_year, kind, last_seq) "
        "VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING", vendor_id, fiscal_year, kind.value)
    last: int = await conn.fetchval(
        "SELECT last_seq FROM document_counters "
        "WHERE vendor_id = $1 AND fiscal_year = $2 AND kind = $3 FOR UPDATE",
        vendor_id, fiscal_year, kind.value)
    await conn.execute(
        "UPDATE document_counters SET last_seq = $4 "
        "WHERE vendor_id = $1 AND fiscal_year = $2 AND kind = $3",
        vendor_id, fiscal_year, kind.value, last + 1)
    return last + 1


async def insert(conn: asyncpg.Connection, doc: Document, *, vendor_id: int, fiscal_year: int,
                 seq: int, order_id: int, retailer_id: int, credit_note_id: int | None,
                 against_id: int | None, issued_at: dt.datetime) -> Issued:
    row = await conn.fetchrow(
        f"""WITH d AS (
                INSERT INTO documents (kind, vendor_id, fiscal_year, seq, number, order_id,
                                       retailer_id, credit_note_id, against_id, issued_on,
                                       issued_at, content, total, vat)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)
                RETURNING *
            ), queued AS (
                INSERT INTO documents_unprinted (document_id) SELECT id FROM d
            )
            SELECT {_COLS} FROM d""",  # noqa: S608
        doc.kind.value, vendor_id, fiscal_year, seq, doc.number, order_id, retailer_id,
        credit_note_id, against_id, doc.issued_on, issued_at, _content(doc).decode(),
        doc.figures.total, doc.figures.vat)
    issued = _issued(row)
    assert issued is not None
    return issued


async def invoice_for_order(conn: asyncpg.Connection, order_id: int) -> Issued | None:
    return _issued(await conn.fetchrow(
        f"SELECT {_COLS} FROM documents WHERE order_id = $1 AND kind = 'invoice'",  # noqa: S608
        order_id))


async def for_order(conn: asyncpg.Connection, order_id: int) -> list[Issued]:
    """The invoice and credit notes of an order, in the order they were issued."""
    rows = await conn.fetch(
        f"SELECT {_COLS} FROM documents WHERE order_id = $1 ORDER BY id",  # noqa: S608
        order_id)
    return [d for d in map(_issued, rows) if d is not None]


async def get(conn: asyncpg.Connection, document_id: int) -> Issued | None:
    return _issued(await conn.fetchrow(
        f"SELECT {_COLS} FROM documents WHERE id = $1", document_id))  # noqa: S608


async def unprinted(conn: asyncpg.Connection, limit: int) -> list[Issued]:
    """Issued documents not yet sent as a PDF, oldest first, locked (SKIP LOCKED) for the sender."""
    rows = await conn.fetch(
        f"""SELECT {_COLS} FROM documents_unprinted u JOIN documents d ON d.id = u.document_id
            ORDER BY u.document_id LIMIT $1 FOR UPDATE OF u SKIP LOCKED""",  # noqa: S608
        limit)
    return [d for d in map(_issued, rows) if d is not None]


async def record_print(conn: asyncpg.Connection, document_id: int, *, copy: bool,
                       media_file_id: int | None, outbox_id: int | None, by: str,
                       now: dt.datetime) -> int:
    """Record that the document went out; the original leaves the `documents` job's queue."""
    print_id: int = await conn.fetchval(
        "WITH p AS (INSERT INTO document_prints (document_id, copy, media_file_id, outbox_id, "
        "printed_by, printed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id), "
        "sent AS (DELETE FROM documents_unprinted WHERE document_id = $1 AND NOT $2) "
        "SELECT id FROM p",
        document_id, copy, media_file_id, outbox_id, by, now)
    return print_id


async def was_printed(conn: asyncpg.Connection, document_id: int) -> bool:
    """Whether the original went out (so any further print is a COPY)."""
    return bool(await conn.fetchval(
        "SELECT true FROM document_prints WHERE document_id = $1 AND NOT copy", document_id))
