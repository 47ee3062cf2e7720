"""After placing, the retailer is told each change: re-routed, accepted, dispatched, delivered."""

from __future__ import annotations

from tests.conversation.conftest import (
    OTHER_VENDOR_PHONE,
    VENDOR_PHONE,
    Stack,
    add_retailer,
    add_second_vendor,
    choice,
    texts,
)

PHONE = "9779812000091"


async def test_the_retailer_hears_of_every_status_change(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer = stack.chat(PHONE)
    first = stack.chat(VENDOR_PHONE)
    second = stack.chat(OTHER_VENDOR_PHONE)
    try:
        await first.mark_read()
        await second.mark_read()
        review = (await retailer.send("chini 10 kg"))[-1]
        assert "Order #1001 placed with Shrestha Traders" in texts(
            await retailer.tap(choice(review, "rv:confirm")))

        offer = (await first.replies())[-1]
        await first.tap(choice(offer, "vendor:reject"))
        told = texts(await retailer.replies())
        assert "#1001" in told and "Himal Wholesale" in told

        offer = (await second.replies())[-1]
        await second.tap(choice(offer, "vendor:accept"))
        assert "✅ Himal Wholesale accepted your order #1001" in texts(await retailer.replies())

        await second.send("DISPATCHED 1001")
        assert "🚚 Your order #1001 is on its way from Himal Wholesale." in texts(
            await retailer.replies())
        await second.send("DELIVERED 1001")
        assert "#1001" in texts(await retailer.replies())

        status = texts(await retailer.send("status"))
        assert "#1001 — delivered" in status
    finally:
        for chat in (retailer, first, second):
            await chat.close()
