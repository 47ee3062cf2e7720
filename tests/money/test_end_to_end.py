"""End to end over the real path: signed webhooks in, the outbox and dispatcher out.

A retailer orders on WhatsApp, the vendor accepts with the button, writes
DISPATCHED and DELIVERED, the retailer hears each step, and the ledger holds
the debit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.services import ledger
from tests.conversation.conftest import VENDOR_PHONE, Stack, add_retailer, choice, texts

PHONE = "9779812000042"


async def test_order_accept_dispatch_deliver_and_the_ledger_debit(stack: Stack) -> None:
    retailer_id = await add_retailer(stack.runtime, PHONE, shop="Laxmi Pasal")
    shop = stack.chat(PHONE)
    vendor = stack.chat(VENDOR_PHONE)
    try:
        await vendor.mark_read()
        review = (await shop.send("chini 10 kg"))[-1]
        placed = await shop.tap(choice(review, "rv:confirm"))
        assert "Order #1001 placed with Shrestha Traders" in texts(placed)

        offer = (await vendor.replies())[-1]
        assert offer.kind == "buttons"
        assert "Laxmi Pasal, Kathmandu" in offer.body and "Total: Rs 980" in offer.body
        assert [(c.id, c.title) for c in offer.choices] == [
            ("vendor:accept:1001", "Accept"), ("vendor:reject:1001", "Reject")]

        accepted = await vendor.tap(choice(offer, "vendor:accept:1001"))
        assert "Order #1001 accepted. Deliver to Laxmi Pasal, Kathmandu" in texts(accepted)
        told = await shop.replies()
        assert "Shrestha Traders accepted your order #1001 (Rs 980)" in texts(told)

        again = await vendor.tap(choice(offer, "vendor:accept:1001"))
        assert texts(again) == "Order #1001 is already accepted — nothing changed."

        dispatched = await vendor.send("DISPATCHED 1001")
        assert "Order #1001 marked dispatched" in texts(dispatched)
        assert "Your order #1001 is on its way from Shrestha Traders" in texts(
            await shop.replies())

        delivered = await vendor.send("1001 delivered")
        assert "Order #1001 delivered: Rs 980 is on Laxmi Pasal's account" in texts(delivered)
        told = texts(await shop.replies())
        assert "Order #1001 delivered. Rs 980 has been added to your account, due by" in told
    finally:
        await shop.close()
        await vendor.close()

    async with stack.runtime.pool.acquire() as conn:
        debit = await conn.fetchrow("SELECT * FROM ledger_entries")
        assert (debit["kind"], debit["amount"], debit["retailer_id"]) == (
            "debit", Decimal("980.00"), retailer_id)
        delivered_at = await conn.fetchval("SELECT delivered_at FROM orders")
        assert debit["due_date"] == ledger.kathmandu_date(delivered_at) + dt.timedelta(days=30)
        assert await ledger.balance(conn, retailer_id) == Decimal("980.00")
        assert await ledger.check(conn) == []
        statuses = [r["to_status"] for r in await conn.fetch(
            "SELECT to_status FROM order_events ORDER BY id")]
        assert statuses == ["pending", "accepted", "dispatched", "delivered"]
