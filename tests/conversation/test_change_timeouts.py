"""A smaller-order question the shop leaves unanswered lapses: the whole order goes
elsewhere and both sides are told (jobs/change_timeouts.py over the real stack)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jobs import change_timeouts, vendor_timeouts
from jobs.job import JobContext
from tests.conversation.conftest import (
    OTHER_VENDOR_PHONE,
    VENDOR_PHONE,
    Stack,
    add_retailer,
    add_second_vendor,
    choice,
    texts,
)

PHONE = "9779812000071"


async def _asked(stack: Stack, retailer, vendor, *, accept: bool) -> None:  # type: ignore[no-untyped-def]
    await vendor.mark_read()
    review = (await retailer.send("mansuli 2 bora, tokla 3 packet"))[-1]
    await retailer.tap(choice(review, "rv:confirm"))
    await vendor.replies()
    if accept:
        assert "accepted" in texts(await vendor.send("accept 1001"))
        await retailer.replies()
    await vendor.send("1001 tokla chaina")
    assert "Tokla" in (await retailer.replies())[-1].body


async def _lapse(stack: Stack, after: timedelta) -> int:
    ctx = JobContext(stack.runtime)
    await change_timeouts.run(ctx, datetime.now(UTC) + after)
    return ctx.counts["lapsed"]


async def test_an_unanswered_smaller_order_goes_whole_to_another_vendor(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    minutes = stack.runtime.settings.change_answer_minutes
    retailer, vendor, other = (stack.chat(PHONE), stack.chat(VENDOR_PHONE),
                               stack.chat(OTHER_VENDOR_PHONE))
    try:
        await other.mark_read()
        await _asked(stack, retailer, vendor, accept=True)
        assert await _lapse(stack, timedelta(minutes=minutes - 1)) == 0
        assert await _lapse(stack, timedelta(minutes=minutes + 1)) == 1
        told = texts(await vendor.replies())
        assert f"didn't answer within {minutes:g} minutes" in told
        assert "Please don't send it" in told
        shop = texts(await retailer.replies())
        assert "stays as you ordered it, complete" in shop and "Himal Wholesale" in shop
        assert "New order #1001" in texts(await other.replies())
        assert await _lapse(stack, timedelta(minutes=minutes + 2)) == 0
    finally:
        for chat in (retailer, vendor, other):
            await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        order = await conn.fetchrow("SELECT status, accepted_at, item_count FROM orders")
        outcome = await conn.fetchval("SELECT outcome FROM order_changes")
    assert (order["status"], order["accepted_at"], order["item_count"]) == ("pending", None, 2)
    assert outcome == "withdrawn"


async def test_with_no_other_vendor_the_lapsed_order_goes_to_operators(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    minutes = stack.runtime.settings.change_answer_minutes
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _asked(stack, retailer, vendor, accept=False)
        assert await _lapse(stack, timedelta(minutes=minutes + 1)) == 1
        assert "Please don't send it" in texts(await vendor.replies())
        shop = await retailer.replies()
        assert "stays as you ordered it" in texts(shop)
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders") == "unroutable"


async def test_a_pending_order_waiting_for_the_shop_is_not_taken_by_the_vendor_timeout(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await _asked(stack, retailer, vendor, accept=False)
        ctx = JobContext(stack.runtime)
        # Past the offer's deadline, but the vendor did answer: the shop is still asked.
        later = datetime.now(UTC) + timedelta(
            minutes=stack.runtime.settings.vendor_accept_minutes * 2 + 1)
        async with stack.runtime.pool.acquire() as conn:
            assert await vendor_timeouts.reroute(ctx, conn, later) == 0
        question = (await retailer.replies()) or []
        assert question == []
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM order_changes "
                                   "WHERE answered_at IS NULL") == 1
