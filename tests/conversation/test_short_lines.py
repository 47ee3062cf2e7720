"""Minimums and stock over real Postgres: the order service's quote and placing, worded."""

from __future__ import annotations

from tests.conversation.conftest import Stack, add_retailer, texts

PHONE = "9779812000031"


async def test_below_a_vendors_minimum_the_minimum_is_said_and_nothing_more_offered(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE vendor_products SET stock = 96, min_qty = 1 WHERE product_id ="
                           " (SELECT id FROM products WHERE sku = 'SUGAR-KG')")
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 0.5 kg"))[-1]
        assert "Sugar (Loose) is sold from 1 kg (you asked 0.5 kg)." in review.body
        assert "Total" not in review.body
        replies = await chat.send("pakka")
        assert "96" not in texts(replies)
        assert "Take" not in texts(replies)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0


async def test_a_line_out_of_stock_leaves_the_other_lines_priced(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE vendor_products SET stock = 0 WHERE product_id ="
                           " (SELECT id FROM products WHERE sku = 'RICE-MANSULI-25')")
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("mansuli 3 bora, chini 10 kg"))[-1]
        assert "2. Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in review.body
        assert "Total without the items short: Rs 980" in review.body
        assert "Rs 0" not in review.body
    finally:
        await chat.close()
