"""Issuing invoices and credit notes: numbered without gaps, stored as issued, never changed.

`issue_invoice` runs in the transaction that marks an order delivered (and
posts its debit), `issue_credit_note_document` in the one that issues a credit
note (bot/services/credit_notes.py): the number is taken from the vendor's
counter row for the Nepali fiscal year of the issue date, locked FOR UPDATE, so
two deliveries of one vendor get consecutive numbers and a rolled-back delivery
gives its number back. The PDF goes out afterwards (bot/documents/sending.py,
the `documents` job), from the stored figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import asyncpg

from bot.services import parties
from bot.store import documents as store
from bot.store import orders as order_store
from bot.store import parties as party_store
from domain.business_time import business_date
from domain.invoice import (
    Buyer,
    Document,
    DocumentKind,
    PanError,
    Seller,
    SoldLine,
    document_number,
    figures,
    read_pan,
)
from domain.nepali_calendar import fiscal_year_of

ADDRESS_MAX = 200


class VendorDetailsError(ValueError):
    """A PAN or address we will not print."""


async def _parties(conn: asyncpg.Connection, order: order_store.Order) -> tuple[Seller, Buyer]:
    assert order.vendor_id is not None
    tax = await store.vendor_tax(conn, order.vendor_id)
    retailer = await party_store.retailer(conn, order.retailer_id)
    assert tax is not None and retailer is not None
    return (Seller(tax.name, tax.address, tax.pan, tax.vat_registered),
            Buyer(retailer.shop_name, retailer.area, retailer.phone))


async def issue_invoice(conn: asyncpg.Connection, order: order_store.Order, *,
                        now: dt.datetime) -> store.Issued:
    """The invoice of delivered `order`, issued now in the caller's transaction (once)."""
    existing = await store.invoice_for_order(conn, order.id)
    if existing is not None:
        return existing
    if order.vendor_id is None:
        raise ValueError(f"order #{order.number} has no vendor to invoice it")
    seller, buyer = await _parties(conn, order)
    items = await order_store.items(conn, order.id)
    sold = [SoldLine(i.name, i.unit, i.qty, i.line_total) for i in items]
    on = business_date(now)
    year = fiscal_year_of(on)
    seq = await store.next_seq(conn, order.vendor_id, year.start_year, DocumentKind.INVOICE)
    doc = Document(DocumentKind.INVOICE, document_number(year, seq), on, order.number,
                   seller, buyer, figures(sold, vat_registered=seller.vat_registered))
    return await store.insert(conn, doc, vendor_id=order.vendor_id, fiscal_year=year.start_year,
                              seq=seq, order_id=order.id, retailer_id=order.retailer_id,
                              credit_note_id=None, against_id=None, issued_at=now)


async def issue_credit_note_document(conn: asyncpg.Connection, *, credit_note_id: int,
                                     order: order_store.Order, reason: str,
                                     lines: Sequence[tuple[str, str, Decimal, Decimal]],
                                     now: dt.datetime) -> store.Issued | None:
    """The numbered credit note for credit note `credit_note_id`, in the caller's transaction.

    `lines` are (name, unit, qty, amount) as credited (VAT-inclusive, like
    the order). It names the order's invoice when there is one; an order
    delivered before invoicing began gets one without. None for an order
    without a vendor (nothing to number it by).
    """
    if order.vendor_id is None:
        return None
    seller, buyer = await _parties(conn, order)
    invoice = await store.invoice_for_order(conn, order.id)
    sold = [SoldLine(name, unit, qty, amount) for name, unit, qty, amount in lines]
    on = business_date(now)
    year = fiscal_year_of(on)
    seq = await store.next_seq(conn, order.vendor_id, year.start_year, DocumentKind.CREDIT_NOTE)
    doc = Document(DocumentKind.CREDIT_NOTE, "CN-" + document_number(year, seq), on,
                   order.number, seller, buyer,
                   figures(sold, vat_registered=seller.vat_registered),
                   against=invoice.document.number if invoice else None, reason=reason)
    return await store.insert(conn, doc, vendor_id=order.vendor_id, fiscal_year=year.start_year,
                              seq=seq, order_id=order.id, retailer_id=order.retailer_id,
                              credit_note_id=credit_note_id,
                              against_id=invoice.id if invoice else None, issued_at=now)


async def set_vendor_details(conn: asyncpg.Connection, phone: str, *, actor: str,
                             now: dt.datetime, pan: str | None = None,
                             vat_registered: bool | None = None,
                             address: str | None = None) -> store.VendorTax:
    """Set a vendor's PAN (nine digits; "" clears), VAT registration and address ("" clears).

    A VAT-registered vendor must have a PAN (it is their VAT number on the invoice).
    """
    clean_pan = None
    if pan is not None and pan.strip():
        try:
            clean_pan = read_pan(pan)
        except PanError as exc:
            raise VendorDetailsError(str(exc)) from None
    clean_address = " ".join(address.split()) if address else None
    if clean_address is not None and len(clean_address) > ADDRESS_MAX:
        raise VendorDetailsError(f"an address is at most {ADDRESS_MAX} characters")
    try:
        found = await parties.find_vendor(conn, phone)
    except parties.PartyError as exc:
        raise VendorDetailsError(str(exc)) from None
    async with conn.transaction():
        before = await store.vendor_tax(conn, found.id)
        result = await store.set_vendor_tax(
            conn, found.id, pan=clean_pan, vat_registered=vat_registered,
            address=clean_address, clear_pan=pan is not None and not pan.strip(),
            clear_address=address is not None and not address.strip())
        if result.vat_registered and result.pan is None:
            raise VendorDetailsError("a VAT-registered vendor needs a PAN (their VAT number)")
        await party_store.audit(conn, actor=actor, action="vendor.set", target=found.phone,
                                details={"from": _details(before), "to": _details(result)},
                                now=now)
        return result


def _details(tax: store.VendorTax | None) -> dict[str, object]:
    if tax is None:
        return {}
    return {"pan": tax.pan, "vat_registered": tax.vat_registered, "address": tax.address}
