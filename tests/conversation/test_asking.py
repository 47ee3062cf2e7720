"""Price and catalogue questions over real Postgres: the area's vendors, cheapest first."""

from __future__ import annotations

from tests.conversation.conftest import Stack, add_retailer, add_second_vendor, texts

PHONE = "9779812000041"


async def test_a_price_question_lists_the_area_vendors_prices_cheapest_first(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_second_vendor(stack.runtime)
    async with stack.runtime.pool.acquire() as conn:
        # A vendor elsewhere sells it cheaper; it does not serve this shop's area.
        vid = await conn.fetchval("INSERT INTO vendors (phone, name, areas) VALUES "
                                  "('9779801000009', 'Pokhara Supply', ARRAY['Pokhara']) "
                                  "RETURNING id")
        await conn.execute("INSERT INTO vendor_products (vendor_id, product_id, price) "
                           "SELECT $1, id, 50 FROM products WHERE sku = 'SUGAR-KG'", vid)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("chini ko bhau kati ho?")
    finally:
        await chat.close()
    answer = texts(replies)
    assert answer.startswith(
        "Sugar (Loose): Rs 98/kg (Shrestha Traders), Rs 102.90/kg (Himal Wholesale)")
    assert "Pokhara" not in answer


async def test_what_do_you_have_lists_the_categories_sold_in_the_area(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        menu = (await chat.send("k k xa?"))[-1]
        assert [c.id for c in menu.choices][:3] == ["cat:noodles", "cat:oil", "cat:pulses"]
        products = await chat.tap(next(c for c in menu.choices if c.id == "cat:rice"))
        assert "• Mansuli Rice 25kg — Rs 1,950/bag" in texts(products)
    finally:
        await chat.close()
