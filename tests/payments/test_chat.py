"""End to end: a retailer writes `pay` on WhatsApp, taps a gateway, pays, and is thanked —
signed webhooks in, the outbox and dispatcher out, the gateway simulators behind."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from decimal import Decimal

import aiohttp
import pytest

from bot.dev.gateways import GatewaySim, serve
from jobs import payment_reconciliation
from jobs.runner import run_job
from tests.conversation.conftest import Stack, add_retailer, choice, texts
from tests.jobs import builders

PHONE = "9779812000077"


@pytest.fixture
async def gateway_sim(stack: Stack) -> AsyncIterator[GatewaySim]:
    """The gateways on loopback, and the running bot's settings pointed at them."""
    sim = GatewaySim()
    runner = await serve(sim)
    public = stack.bot_url.removesuffix("/webhook")
    stack.runtime.settings = stack.runtime.settings.model_copy(
        update={**sim.settings_fields(), "public_base_url": public})
    yield sim
    await runner.cleanup()


async def _owes(stack: Stack, amount: str) -> int:
    retailer_id = await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    async with stack.runtime.pool.acquire() as conn:
        await builders.debit(conn, retailer_id, amount,
                             dt.date.today() + dt.timedelta(days=5),
                             created=dt.datetime.now(dt.UTC) - dt.timedelta(days=25))
    return retailer_id


async def test_pay_in_the_chat_with_khalti_to_the_receipt(stack: Stack,
                                                         gateway_sim: GatewaySim) -> None:
    retailer_id = await _owes(stack, "1500")
    shop = stack.chat(PHONE)
    try:
        [balance] = await shop.send("balance")
        assert balance.choices[0].title == "Pay"
        [offer] = await shop.tap(choice(balance, "pay"))
        assert offer.body.startswith("You owe Rs 1,500. Pay Rs 1,500 now with:")
        assert [c.title for c in offer.choices] == ["Fonepay QR", "Khalti", "eSewa"]

        link = texts(await shop.tap(choice(offer, "pm:khalti:")))
        assert link.startswith("Pay Rs 1,500 with Khalti: http://127.0.0.1:")
        url = re.search(r"(http://\S+/khalti/pay/(\S+))", link)
        assert url is not None
        back = gateway_sim.khalti.pay(url.group(2))
        async with aiohttp.ClientSession() as http, http.get(back) as page:
            assert "Payment of Rs 1,500 received" in await page.text()

        receipt = texts(await shop.replies())
        assert "🙏 Payment of Rs 1,500 received. You now owe Rs 0." in receipt
    finally:
        await shop.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT balance FROM (SELECT coalesce(sum(CASE kind WHEN "
                                   "'debit' THEN amount ELSE -amount END), 0) AS balance "
                                   "FROM ledger_entries WHERE retailer_id = $1) b",
                                   retailer_id) == Decimal("0.00")


async def test_pay_an_amount_with_a_fonepay_qr_image_to_the_receipt(
        stack: Stack, gateway_sim: GatewaySim) -> None:
    await _owes(stack, "1500")
    shop = stack.chat(PHONE)
    try:
        [offer] = await shop.send("pay 600")
        assert offer.body.startswith("You owe Rs 1,500. Pay Rs 600 now with:")
        await shop.tap(choice(offer, "pm:fonepay:60000:"))
        sent = stack.sim.sent_to(PHONE)[-1]
        assert sent.type == "image"
        assert "to pay Rs 600 (Fonepay)" in str(sent.payload["image"]["caption"])
        [qr] = gateway_sim.fonepay.payments.values()
        assert (qr.amount, qr.qr_amount) == (Decimal("600"), "600")

        gateway_sim.fonepay.pay(qr.prn)  # scanned and paid; no browser comes back
        await run_job(stack.runtime, payment_reconciliation.JOB, dt.datetime.now(dt.UTC))
        receipt = texts(await shop.replies())
        assert "🙏 Payment of Rs 600 received. You now owe Rs 900." in receipt
    finally:
        await shop.close()
    async with stack.runtime.pool.acquire() as conn:
        stored = await conn.fetchrow("SELECT mime_type, file_size FROM media_files")
    assert stored["mime_type"] == "image/png" and stored["file_size"] > 500
