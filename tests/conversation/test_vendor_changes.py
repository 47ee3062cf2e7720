"""A vendor's changes of mind and silences, over real Postgres: who is told what."""

from __future__ import annotations

import datetime as dt

import orjson

from bot.services import orders
from flows.order_notices import outgoing
from tests.conversation.conftest import (
    OTHER_VENDOR_PHONE,
    VENDOR_PHONE,
    Stack,
    add_retailer,
    add_second_vendor,
    choice,
    texts,
)

PHONE = "9779812000051"


async def test_a_vendor_who_accepted_can_give_it_back_with_a_reason_and_it_is_rerouted(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    retailer, first, second = (stack.chat(PHONE), stack.chat(VENDOR_PHONE),
                               stack.chat(OTHER_VENDOR_PHONE))
    try:
        await first.mark_read()
        await second.mark_read()
        review = (await retailer.send("chini 10 kg"))[-1]
        await retailer.tap(choice(review, "rv:confirm"))
        await first.tap(choice((await first.replies())[-1], "vendor:accept"))
        await retailer.replies()
        told = texts(await first.send("reject 1001 truck broke down"))
        assert "Order #1001 rejected (truck broke down)" in told
        assert "Himal Wholesale" in texts(await retailer.replies())
        offer = (await second.replies())[-1]
        assert "New order #1001" in texts([offer])
    finally:
        for chat in (retailer, first, second):
            await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT status, v.name FROM orders o "
                                  "JOIN vendors v ON v.id = o.vendor_id WHERE number = 1001")
        assert (row["status"], row["name"]) == ("pending", "Himal Wholesale")


async def test_a_time_out_with_no_other_vendor_does_not_say_it_went_elsewhere(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer = stack.chat(PHONE)
    try:
        review = (await retailer.send("chini 10 kg"))[-1]
        await retailer.tap(choice(review, "rv:confirm"))
    finally:
        await retailer.close()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    async with stack.runtime.pool.acquire() as conn:
        assert await orders.reroute_expired(conn, later, word=outgoing) == 1
        rows = await conn.fetch("SELECT payload FROM outbox WHERE recipient = $1 "
                                "ORDER BY id DESC LIMIT 1", VENDOR_PHONE)
        status = await conn.fetchval("SELECT status FROM orders WHERE number = 1001")
    payload = rows[0]["payload"]
    body = (orjson.loads(payload) if isinstance(payload, str) else payload)["text"]["body"]
    assert "another supplier" not in body
    assert "an operator will handle it" in body
    assert status == "unroutable"


async def test_a_vendor_typo_and_a_language_switch_over_the_webhook(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await vendor.mark_read()
        review = (await retailer.send("chini 10 kg"))[-1]
        await retailer.tap(choice(review, "rv:confirm"))
        await vendor.replies()
        assert "Order #1001 accepted" in texts(await vendor.send("acept 1001"))
        assert "ठीक छ, अबदेखि नेपालीमा लेख्छु।" in texts(await vendor.send("नेपाली"))
        assert "अर्डर #1001 पठाइएको" in texts(await vendor.send("dispach 1001"))
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT language FROM vendors WHERE phone = $1",
                                   VENDOR_PHONE) == "ne"
        assert await conn.fetchval("SELECT status FROM orders WHERE number = 1001") == \
            "dispatched"


async def test_a_damaged_delivery_reported_by_the_shop_is_a_dispute_for_operators(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await vendor.mark_read()
        review = (await retailer.send("dhara 3"))[-1]
        await retailer.tap(choice(review, "rv:confirm"))
        await vendor.replies()
        for step in ("accept 1001", "dispatched 1001", "delivered 1001"):
            await vendor.send(step)
        told = await retailer.replies(expect=3)
        question = told[-1]
        assert question.footer == "Did it all arrive in good condition?"
        assert [c.id for c in question.choices] == ["dl:ok:1001", "dl:issue:1001"]
        replies = await retailer.send("3 bottle futeko")
        assert "I've opened a case and an operator has been told" in texts(replies)
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        alert = await conn.fetchrow("SELECT kind, dedupe_key, subject FROM operator_alerts")
    assert (alert["kind"], alert["dedupe_key"]) == ("dispute", "dispute:order:1001")
    assert "3 bottle futeko" in alert["subject"]
