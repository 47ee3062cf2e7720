"""Onboarding an unknown number, credit-short orders, reorder, status and balance."""

from __future__ import annotations

from decimal import Decimal

from tests.conversation.conftest import Stack, add_retailer, choice, texts

PHONE = "9779812000021"


async def test_an_unknown_number_is_onboarded_as_a_pending_retailer(stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("hello")
        assert "What is your shop's name?" in texts(replies)
        replies = await chat.send("Sita Kirana Pasal")
        assert "Which area is Sita Kirana Pasal in?" in texts(replies)
        replies = await chat.send("Kathmandu")
        assert "You're registered: Sita Kirana Pasal, Kathmandu." in texts(replies)
        assert "operator will approve" in texts(replies)

        # Browsing prices works while pending; a credit order does not.
        review = (await chat.send("chini 10 kg"))[-1]
        assert "Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in review.body
        replies = await chat.tap(choice(review, "rv:confirm"))
        assert "waiting for an operator's approval" in texts(replies)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT shop_name, area, status, credit_limit FROM retailers "
                                  "WHERE phone = $1", PHONE)
        assert dict(row) == {"shop_name": "Sita Kirana Pasal", "area": "Kathmandu",
                             "status": "pending", "credit_limit": Decimal("0.00")}
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0


async def test_onboarding_in_nepali_replies_in_devanagari(stack: Stack) -> None:
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("नमस्ते")
        assert "पसलको नाम के हो?" in texts(replies)
        assert "कुन ठाउँमा" in texts(await chat.send("सीता किराना"))
        assert "तपाईंको दर्ता भयो" in texts(await chat.send("कलंकी"))
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT language FROM retailers WHERE phone = $1",
                                   PHONE) == "ne"


async def test_a_credit_short_order_says_by_how_much_and_offers_a_smaller_one(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, limit=Decimal(1000))
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg, 2 bora sona"))[-1]
        assert "Available credit: Rs 1,000" in review.body
        short = (await chat.tap(choice(review, "rv:confirm")))[-1]
        assert "This order is Rs 5,480, but your available credit is Rs 1,000 — Rs 4,480 short." \
            in short.body
        assert "I can reduce it to fit your credit (Rs 980)" in short.body
        assert [c.title for c in short.choices] == ["Reduce order", "Edit", "Cancel"]

        placed = await chat.tap(choice(short, "of:take"))
        assert "Order #1001 placed" in texts(placed)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT total FROM orders WHERE number = 1001") == \
            Decimal("980.00")


async def test_reorder_puts_the_last_order_back_in_the_cart(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg, musuro 5 kg"))[-1]
        await chat.tap(choice(review, "rv:confirm"))
        replies = await chat.send("pahile jastai")
        assert "I put your last order (#1001) into the cart:" in texts(replies)
        review = replies[-1]
        assert "1. Sugar (Loose) — 10 kg" in review.body
        assert "2. Musuro Dal (Red Lentil) — 5 kg" in review.body
        placed = await chat.tap(choice(review, "rv:confirm"))
        assert "Order #1002 placed" in texts(placed)
    finally:
        await chat.close()


async def test_status_and_balance_answer_in_both_languages(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, limit=Decimal(50000))
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg"))[-1]
        await chat.tap(choice(review, "rv:confirm"))
        status = texts(await chat.send("status"))
        assert "#1001 — waiting for supplier — Rs 980" in status
        balance = texts(await chat.send("balance"))
        assert "Open orders: Rs 980" in balance
        assert "Available credit: Rs 49,020" in balance
        assert "नेपालीमा" in texts(await chat.send("नेपाली"))
        status = texts(await chat.send("मेरो अर्डर"))
        assert "#1001 — आपूर्तिकर्ताको जवाफ पर्खँदै — रु ९८०" in status
        assert "बाँकी उधारो सीमा: रु ४९,०२०" in texts(await chat.send("बाँकी"))
    finally:
        await chat.close()


async def test_a_reorder_nudge_button_fills_the_cart_with_the_nudged_products(
        stack: Stack) -> None:
    from bot.dev.chat_client import Choice

    retailer_id = await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg, musuro 5 kg"))[-1]
        await chat.tap(choice(review, "rv:confirm"))
        async with stack.runtime.pool.acquire() as conn:
            nudge = await conn.fetchval(
                """INSERT INTO nudges_sent (retailer_id, product_id, last_order_id, interval_days,
                                            qty, sent_at)
                   SELECT $1, p.id, o.id, 7, 12, now() FROM products p, orders o
                   WHERE p.sku = 'SUGAR-KG' AND o.number = 1001 RETURNING id""", retailer_id)
            await conn.execute("UPDATE nudges_sent SET batch_id = id WHERE id = $1", nudge)
        replies = await chat.tap(Choice(f"reorder:{nudge}", "Reorder"))
        review = replies[-1]
        assert "1. Sugar (Loose) — 12 kg" in review.body
        assert "Musuro" not in review.body
    finally:
        await chat.close()


async def test_short_stock_is_said_and_the_available_quantity_offered(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE vendor_products SET stock = 6 WHERE product_id = "
                           "(SELECT id FROM products WHERE sku = 'SUGAR-KG')")
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg"))[-1]
        assert "⚠ Only 6 kg of Sugar (Loose) is in stock (you asked 10 kg)." in review.body
        assert "Total" not in review.body
        short = (await chat.tap(choice(review, "rv:confirm")))[-1]
        assert "Only 6 kg of Sugar (Loose) is in stock (you asked 10 kg)." in short.body
        assert "Take 6 kg of Sugar (Loose)?" in short.body
        placed = await chat.tap(choice(short, "of:take"))
        assert "Order #1001 placed" in texts(placed)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT total FROM orders WHERE number = 1001") == \
            Decimal("588.00")


async def test_a_blocked_retailer_sees_prices_but_cannot_order(stack: Stack) -> None:
    retailer_id = await add_retailer(stack.runtime, PHONE, status="blocked")
    async with stack.runtime.pool.acquire() as conn:
        await conn.execute("UPDATE retailers SET blocked_reason = 'payment 20 days late' "
                           "WHERE id = $1", retailer_id)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg"))[-1]
        assert "Rs 980" in review.body
        replies = await chat.tap(choice(review, "rv:confirm"))
        assert "Your account is on hold (payment 20 days late)" in texts(replies)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 0


async def test_help_lists_the_commands_in_the_retailers_language(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        assert "reorder — your last order again" in texts(await chat.send("help"))
        assert "पहिले जस्तै — अघिल्लो अर्डर फेरि" in texts(await chat.send("मद्दत"))
    finally:
        await chat.close()


async def test_questions_in_plain_words_are_understood_as_commands(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE, limit=Decimal(5000))
    chat = stack.chat(PHONE)
    try:
        assert "You have no orders yet." in texts(await chat.send("mero order kaha pugyo?"))
        assert "Available credit: Rs 5,000" in texts(await chat.send("kati baki cha"))
    finally:
        await chat.close()


async def test_the_amount_due_the_bot_says_is_the_one_operators_see(stack: Stack) -> None:
    from bot.store import reports

    retailer_id = await add_retailer(stack.runtime, PHONE)
    async with stack.runtime.pool.acquire() as conn:
        # Two debits due the same day, a later one, and a payment: it settles the first
        # debit first, so what is next due is the rest of the second, not the day's sum.
        for amount, due in (("11020.00", "2026-04-01"), ("4855.65", "2026-04-01"),
                            ("10000.00", "2026-04-15")):
            await conn.execute(
                "INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, "
                "created_by) VALUES ($1, 'debit', $2, $3::text::date, 'test', 'test')",
                retailer_id, Decimal(amount), due)
        await conn.execute(
            "INSERT INTO ledger_entries (retailer_id, kind, amount, note, created_by) "
            "VALUES ($1, 'credit', 11020.00, 'cash', 'test')", retailer_id)
        summary = await reports.retailer_detail(conn, PHONE)
    assert summary is not None and summary["next_due_amount"] == Decimal("4855.65")
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("balance")
    finally:
        await chat.close()
    assert "Next payment due: Rs 4,855.65 by 2026-04-01" in texts(replies)
