"""The statement of account end to end: asked for in chat, built from the ledger, sent as a PDF.

The message goes in through the simulator's signed webhook; the conversation
records the request and says the statement is coming; the `documents` job's
statement half (run here as the worker runs it) renders it, and the PDF comes
out through the outbox and the dispatcher's media upload to the simulator, where
its bytes are read back with poppler. The Nepali statement rendered here is the
screenshot in docs/ (`WRITE_DOCS_SCREENSHOT=1` writes docs/statement-ne.png).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from bot.documents.sending import send_requested_statements
from bot.services import ledger, orders
from domain import ordering
from domain.business_time import business_date
from domain.nepali_calendar import format_bs, format_bs_month, month_name, month_of
from domain.vendor_commands import VendorAction
from tests.channel.dispatch import wait_until
from tests.conversation.conftest import Stack, add_retailer, choice
from tests.poppler import needs_poppler, pdf_text, png_of, squeezed

D = Decimal
PHONE = "9779812300001"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "statement-ne.png"


async def _history(stack: Stack, retailer_id: int) -> int:
    """A delivered order of Rs 1,960 and a cash payment of Rs 500, today."""
    now = dt.datetime.now(dt.UTC)
    async with stack.runtime.pool.acquire() as conn:
        vendor_id = await conn.fetchval("SELECT id FROM vendors ORDER BY id LIMIT 1")
        placed = await orders.place_order(conn, retailer_id=retailer_id,
                                          items=[ordering.Item("SUGAR-KG", D(20))],
                                          actor="t", now=now)
        assert isinstance(placed, ordering.Placed)
        for action in (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER):
            await orders.vendor_act(conn, vendor_id, placed.order.number, action, None, now)
        async with conn.transaction():
            await ledger.record_payment(conn, retailer_id=retailer_id, amount=D(500),
                                        method="cash", reference="R-1", actor="t", now=now)
        return placed.order.number


async def _run_documents_job(stack: Stack) -> int:
    async with stack.runtime.pool.acquire() as conn:
        return await send_requested_statements(conn, now=dt.datetime.now(dt.UTC))


async def _documents(stack: Stack, count: int) -> list[bytes]:
    await wait_until(lambda: len([m for m in stack.sim.sent if m.type == "document"]) >= count,
                     timeout=20)
    docs = [m for m in stack.sim.sent if m.type == "document"]
    out = []
    for m in docs:
        data = stack.sim.media.sent_bytes(m.payload)
        assert data is not None
        out.append(data)
    return out


@needs_poppler
async def test_hisab_in_chat_returns_the_statement_pdf(stack: Stack) -> None:
    retailer_id = await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    number = await _history(stack, retailer_id)
    chat = stack.chat(PHONE)
    try:
        (coming,) = await chat.send("hisab")
        assert "on its way" in coming.body
        assert await _run_documents_job(stack) == 1
        (pdf,) = await _documents(stack, 1)
    finally:
        await chat.close()
    sent = next(m for m in stack.sim.sent if m.type == "document")
    assert sent.to == PHONE and sent.payload["document"]["filename"].startswith("statement-")
    assert "You owe Rs 1,460" in sent.payload["document"]["caption"]
    text = pdf_text(pdf)
    assert "STATEMENT OF ACCOUNT" in text and "Laxmi Pasal" in text
    assert f"Order #{number} delivered" in text and "Payment received" in text
    assert "Opening balance" in text and "Rs 0" in text
    assert "Closing balance" in text and "Rs 1,460" in text
    assert "0-15 days Rs 1,460" in text
    assert format_bs(business_date(dt.datetime.now(dt.UTC)), "en") in text


@needs_poppler
async def test_a_nepali_statement_for_a_named_month_is_in_nepali(stack: Stack) -> None:
    retailer_id = await add_retailer(stack.runtime, PHONE, shop="लक्ष्मी पसल", language="ne")
    await _history(stack, retailer_id)
    this_month = month_of(business_date(dt.datetime.now(dt.UTC)))
    name = month_name(this_month.month, "ne")
    chat = stack.chat(PHONE)
    try:
        await chat.send(f"{name}को हिसाब")
        assert await _run_documents_job(stack) == 1
        (pdf,) = await _documents(stack, 1)
    finally:
        await chat.close()
    text = squeezed(pdf_text(pdf))
    for written in ("खाताको विवरण", "लक्ष्मी पसल", "भुक्तानी प्राप्त", "अन्तिम बाँकी",
                    "रु १,४६०", format_bs_month(this_month, "ne")):
        assert squeezed(written) in text, written
    page = png_of(pdf, dpi=80)
    assert page.getextrema()[0] < 80
    if os.environ.get("WRITE_DOCS_SCREENSHOT"):  # how docs/statement-ne.png is made
        png_of(pdf, dpi=110).convert("RGB").save(SCREENSHOT)


async def test_the_statement_button_under_the_balance_sends_the_statement(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    chat = stack.chat(PHONE)
    try:
        balance = (await chat.send("balance"))[-1]
        await chat.tap(choice(balance, "stmt"))
        assert await _run_documents_job(stack) == 1
        (pdf,) = await _documents(stack, 1)
    finally:
        await chat.close()
    assert pdf.startswith(b"%PDF")


async def test_a_statement_asked_for_is_rendered_and_sent_once(stack: Stack) -> None:
    retailer_id = await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    chat = stack.chat(PHONE)
    try:
        await chat.send("hisab")
        assert await _run_documents_job(stack) == 1
        assert await _run_documents_job(stack) == 0
        await _documents(stack, 1)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT sent_at, outbox_id, language FROM statement_requests"
                                " WHERE retailer_id = $1", retailer_id)
    assert len(rows) == 1 and rows[0]["sent_at"] is not None and rows[0]["language"] == "en"
    assert len([m for m in stack.sim.sent if m.type == "document"]) == 1


async def test_no_pdf_is_rendered_in_the_message_s_transaction(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    chat = stack.chat(PHONE)
    try:
        await chat.send("hisab")
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        files = await conn.fetchval("SELECT count(*) FROM media_files"
                                    " WHERE mime_type = 'application/pdf'")
        waiting = await conn.fetchval("SELECT count(*) FROM statement_requests"
                                      " WHERE sent_at IS NULL")
    assert files == 0 and waiting == 1


async def test_a_redelivered_statement_request_makes_one_statement(stack: Stack) -> None:
    retailer_id = await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    env = stack.sim.text_envelope(PHONE, "hisab mangsir")
    assert await stack.sim.post_webhook(env) == 200
    assert await stack.sim.post_webhook(env) == 200  # WhatsApp delivering it again
    assert await _run_documents_job(stack) == 1
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT bs_month, language FROM statement_requests"
                                " WHERE retailer_id = $1", retailer_id)
    assert [(r["bs_month"], r["language"]) for r in rows] == [(8, "en")]
