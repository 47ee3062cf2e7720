"""Invoices and credit notes: issued on delivery or return, numbered without gaps, sent as PDFs.

The PDFs are read back the way a person (pdftoppm renders the page) and a
machine (pdftotext extracts the text) would: the number, the PAN, the VAT line
and the BS date must be there, and Devanagari must extract as the characters
written — which it only does when the text was shaped, not drawn glyph by glyph.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from bot.cli.main import main
from bot.db import schema_sql
from bot.documents.sending import send_document, send_unprinted
from bot.runtime import Runtime
from bot.services import credit_notes, invoices, orders
from bot.services.credit_notes import CreditLineRequest
from bot.store import documents as doc_store
from bot.store import media as media_store
from domain import ordering
from domain.money_facts import CreditNoteReason
from domain.vendor_commands import VendorAction
from tests.money.conftest import World
from tests.money.test_cli import run
from tests.poppler import needs_poppler, pdf_text, png_of, squeezed

D = Decimal
PAN = "601234567"
async def _vendor(world: World, *, vat: bool = True) -> int:
    v = await world.vendor("Shrestha Traders")
    phone = await world.phone_of_vendor(v)
    await invoices.set_vendor_details(world.conn, phone, actor="test", now=world.now, pan=PAN,
                                      vat_registered=vat, address="Kalimati, Kathmandu")
    return v


async def _dispatched(world: World, r: int, v: int, items: tuple[tuple[str, str, str], ...],
                      ) -> int:
    for sku, price, _ in items:
        await world.price(v, sku, price)
    placed = await orders.place_order(
        world.conn, retailer_id=r, items=[ordering.Item(sku, D(q)) for sku, _, q in items],
        actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    for action in (VendorAction.ACCEPT, VendorAction.DISPATCH):
        await orders.vendor_act(world.conn, v, placed.order.number, action, None, world.now)
    return placed.order.number


async def _delivered(world: World, *, language: str = "en", vat: bool = True,
                     items: tuple[tuple[str, str, str], ...] = (("sugar", "113", "10"),),
                     ) -> tuple[int, int, int]:
    r = await world.retailer(language=language)
    v = await _vendor(world, vat=vat)
    number = await _dispatched(world, r, v, items)
    await orders.vendor_act(world.conn, v, number, VendorAction.DELIVER, None, world.now)
    return r, v, number


async def _sent_pdfs(conn: asyncpg.Connection) -> list[bytes]:
    """The PDFs queued in the outbox, oldest first."""
    ids = [r["media_file_id"] for r in await conn.fetch(
        "SELECT media_file_id FROM outbox WHERE media_file_id IS NOT NULL ORDER BY id")]
    out = []
    for file_id in ids:
        data = await media_store.read_bytes(conn, file_id)
        assert data is not None
        out.append(data)
    return out


async def test_delivering_an_order_issues_its_invoice_numbered_in_the_fiscal_year(
        conn: asyncpg.Connection, world: World) -> None:
    _, v, number = await _delivered(world)
    order_id = await conn.fetchval("SELECT id FROM orders WHERE number = $1", number)
    issued = await doc_store.invoice_for_order(conn, order_id)
    assert issued is not None and issued.vendor_id == v
    # 2 March 2026 is 18 Falgun 2082: fiscal year 2082/83, the vendor's first invoice.
    assert issued.document.number == "2082/83-00001"
    assert issued.document.figures.total == D("1130.00")
    assert (issued.document.figures.subtotal, issued.document.figures.vat) == (
        D("1000.00"), D("130.00"))


@needs_poppler
async def test_the_invoice_pdf_names_number_pan_vat_and_both_dates(
        conn: asyncpg.Connection, world: World) -> None:
    await _delivered(world)
    assert await send_unprinted(conn, now=world.now) == 1
    (pdf,) = await _sent_pdfs(conn)
    text = pdf_text(pdf)
    assert "TAX INVOICE" in text and "2082/83-00001" in text
    assert f"VAT No.: {PAN}" in text
    assert re.search(r"VAT 13%\s+130\n", text)
    assert "18 Falgun 2082" in text and "2026-03-02" in text
    assert "Rupees One Thousand One Hundred Thirty Only" in text
    assert "COPY" not in text
    page = png_of(pdf)
    assert page.getextrema()[0] < 80  # something dark was drawn: the page is not blank


@needs_poppler
async def test_a_nepali_invoice_extracts_as_the_devanagari_written(
        conn: asyncpg.Connection, world: World) -> None:
    await _delivered(world, language="ne")
    await send_unprinted(conn, now=world.now)
    (pdf,) = await _sent_pdfs(conn)
    text = squeezed(pdf_text(pdf))
    for written in ("कर बीजक", "बिक्रेता", "भ्याट नं.: ६०१२३४५६७", "मूल्य अभिवृद्धि कर १३%",
                    "१८ फागुन २०८२", "एक हजार एक सय तीस रुपैयाँ मात्र", "२०८२/८३-००००१"):
        assert squeezed(written) in text, written


async def test_the_documents_job_sends_each_document_once(
        conn: asyncpg.Connection, world: World) -> None:
    await _delivered(world)
    assert await send_unprinted(conn, now=world.now) == 1
    assert await send_unprinted(conn, now=world.now) == 0
    row = await conn.fetchrow("SELECT kind, payload FROM outbox WHERE media_file_id IS NOT NULL")
    assert row["kind"] == "document"


async def test_the_print_queue_arrives_holding_the_documents_not_yet_sent(
        conn: asyncpg.Connection, world: World) -> None:
    r, v, _ = await _delivered(world)
    await send_unprinted(conn, now=world.now)
    waiting = await _dispatched(world, r, v, (("sugar", "113", "5"),))
    await orders.vendor_act(conn, v, waiting, VendorAction.DELIVER, None, world.now)
    # A database from before the queue: the migration fills it once.
    await conn.execute("DROP TABLE documents_unprinted")
    await conn.execute(schema_sql())
    queued = await conn.fetch(
        "SELECT o.number FROM documents_unprinted u JOIN documents d ON d.id = u.document_id "
        "JOIN orders o ON o.id = d.order_id")
    assert [r["number"] for r in queued] == [waiting]


@needs_poppler
async def test_a_reprint_says_copy_and_keeps_the_issued_figures(
        conn: asyncpg.Connection, world: World) -> None:
    _, v, number = await _delivered(world)
    await send_unprinted(conn, now=world.now)
    # The vendor moves shop after the invoice was issued: the reprint still shows
    # what was issued.
    phone = await world.phone_of_vendor(v)
    await invoices.set_vendor_details(conn, phone, actor="test", now=world.now,
                                      address="New Road, Kathmandu")
    order_id = await conn.fetchval("SELECT id FROM orders WHERE number = $1", number)
    issued = await doc_store.invoice_for_order(conn, order_id)
    assert issued is not None
    printed = await send_document(conn, issued, by="test", now=world.now)
    assert printed.copy
    text = pdf_text(printed.pdf)
    assert "COPY" in text and "2082/83-00001" in text
    assert "Kalimati, Kathmandu" in text and "New Road" not in text


async def test_an_issued_invoice_can_be_neither_changed_nor_deleted(
        conn: asyncpg.Connection, world: World) -> None:
    await _delivered(world)
    with pytest.raises(asyncpg.RaiseError, match="never changed or deleted"):
        await conn.execute("UPDATE documents SET total = 0")
    with pytest.raises(asyncpg.RaiseError, match="never changed or deleted"):
        await conn.execute("DELETE FROM documents")


@needs_poppler
async def test_a_return_issues_a_credit_note_against_the_invoice_as_its_own_pdf(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world, items=(("sugar", "113", "10"), ("oil", "226", "2")))
    await send_unprinted(conn, now=world.now)
    async with conn.transaction():
        await credit_notes.issue_credit_note(
            conn, order_number=number, reason=CreditNoteReason.RETURNED,
            lines=[CreditLineRequest(2, D(1))], actor="t", now=world.now)
    assert await send_unprinted(conn, now=world.now) == 1
    invoice_pdf, note_pdf = await _sent_pdfs(conn)
    text = pdf_text(note_pdf)
    assert "CREDIT NOTE" in text and "CN-2082/83-00001" in text
    assert "Against invoice" in text and "2082/83-00001" in text
    assert "returned" in text
    assert re.search(r"VAT 13%\s+26\n", text)  # Rs 226 back, VAT-inclusive
    assert "Rupees Two Hundred Twenty-Six Only" in text
    # The invoice itself is untouched: its total still stands.
    assert "Rs 1,582" in pdf_text(invoice_pdf)


@needs_poppler
async def test_a_seller_without_vat_registration_prints_no_vat_line(
        conn: asyncpg.Connection, world: World) -> None:
    await _delivered(world, vat=False)
    await send_unprinted(conn, now=world.now)
    (pdf,) = await _sent_pdfs(conn)
    text = pdf_text(pdf)
    assert "VAT 13%" not in text and f"PAN: {PAN}" in text
    assert "not VAT-registered" in text


async def test_invoice_numbers_have_no_gaps_under_concurrent_deliveries(
        runtime: Runtime, conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(limit="10000000")
    v = await _vendor(world)
    numbers = [await _dispatched(world, r, v, (("sugar", "113", "1"),)) for _ in range(12)]
    doomed = numbers[5]

    async def deliver(number: int) -> None:
        async with runtime.pool.acquire() as c:
            if number == doomed:
                # Delivered and invoiced, then rolled back: its number must come back.
                with pytest.raises(RuntimeError):
                    async with c.transaction():
                        await orders.vendor_act(c, v, number, VendorAction.DELIVER, None,
                                                world.now)
                        raise RuntimeError("the truck came back")
                return
            await orders.vendor_act(c, v, number, VendorAction.DELIVER, None, world.now)

    await asyncio.gather(*(deliver(n) for n in numbers))
    seqs = sorted(r["seq"] for r in await conn.fetch(
        "SELECT seq FROM documents WHERE vendor_id = $1 AND kind = 'invoice'", v))
    assert seqs == list(range(1, 12))
    await orders.vendor_act(conn, v, doomed, VendorAction.DELIVER, None, world.now)
    assert await conn.fetchval("SELECT max(seq) FROM documents WHERE vendor_id = $1", v) == 12


async def test_each_vendor_and_fiscal_year_counts_from_one(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    first, second = await _vendor(world), await _vendor(world)
    n1 = await _dispatched(world, r, first, (("sugar", "113", "1"),))
    n2 = await _dispatched(world, r, second, (("rice", "100", "1"),))
    await orders.vendor_act(conn, first, n1, VendorAction.DELIVER, None, world.now)
    # The second delivers on 1 Shrawan 2083 (17 July 2026): a new fiscal year.
    shrawan = dt.datetime(2026, 7, 17, 4, 0, tzinfo=dt.UTC)
    await orders.vendor_act(conn, second, n2, VendorAction.DELIVER, None, shrawan)
    got = [r["number"] for r in await conn.fetch("SELECT number FROM documents ORDER BY id")]
    assert got == ["2082/83-00001", "2083/84-00001"]


def test_vendor_set_records_pan_vat_and_address(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "vendor", "add", "--phone", "9801234567", "--name", "Himal Traders",
               "--areas", "Kalanki")[0] == 0
    code, out, _ = run(capsys, "vendor", "set", "9801234567", "--pan", "६०१ २३४ ५६७",
                       "--vat-registered", "yes", "--address", "Kalimati, Kathmandu")
    assert code == 0
    assert out.strip() == ("vendor 9801234567 (Himal Traders): PAN 601234567, "
                           "VAT-registered yes, address Kalimati, Kathmandu")


def test_vendor_set_refuses_a_bad_pan_and_vat_without_pan(
        cli: None, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "vendor", "add", "--phone", "9801234568", "--name", "Tarai Traders",
        "--areas", "Kalanki")
    code, _, err = run(capsys, "vendor", "set", "9801234568", "--pan", "12345")
    assert code != 0 and "nine digits" in err
    code, _, err = run(capsys, "vendor", "set", "9801234568", "--vat-registered", "yes")
    assert code != 0 and "needs a PAN" in err


@needs_poppler
async def test_invoice_commands_show_reprint_and_write_the_pdf(
        cli: None, conn: asyncpg.Connection, world: World, tmp_path: Path) -> None:
    _, _, number = await _delivered(world)
    # The CLI runs its own event loop, so it runs in a thread here.
    shown = await asyncio.to_thread(main, ["invoice", "show", str(number), "--json"])
    assert shown == 0
    assert await asyncio.to_thread(main, ["invoice", "reprint", str(number)]) == 0
    out = tmp_path / "invoice.pdf"
    assert await asyncio.to_thread(main, ["invoice", "pdf", str(number), "--out", str(out)]) == 0
    assert "COPY" in pdf_text(out.read_bytes())  # the original went out with the reprint
    assert await conn.fetchval("SELECT count(*) FROM document_prints") == 1
    assert await asyncio.to_thread(main, ["invoice", "show", "99999"]) != 0
