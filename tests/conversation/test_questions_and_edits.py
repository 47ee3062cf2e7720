"""Ambiguous lines asked as a list; editing, removing and cancelling a cart."""

from __future__ import annotations

from tests.conversation.conftest import Stack, add_retailer, choice, texts

PHONE = "9779812000011"
OTHER = "9779812000012"


async def order_count(stack: Stack) -> int:
    async with stack.runtime.pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM orders"))


async def test_an_ambiguous_line_is_asked_as_a_list_and_the_choice_lands_in_the_cart(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("chini 10 kg, tel 3")
        assert "Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in texts(replies)
        question = replies[-1]
        assert question.kind == "list"
        assert "tel 3" in question.body
        assert [c.title for c in question.choices][:2] == ["Dhara Mustard Oil 1L",
                                                          "Fortune Soyabean Oil 1L…"]
        assert question.choices[-1].id.endswith(":-")  # "none of these"

        review = (await chat.tap(choice(question, "q:1:OIL-DHARA-1")))[-1]
        assert review.kind == "buttons"
        assert "Dhara Mustard Oil 1L — 3 bottles × Rs 330 = Rs 990" in review.body
        assert "Total: Rs 1,970" in review.body
        placed = await chat.tap(choice(review, "rv:confirm"))
        assert "Order #1001 placed" in texts(placed)
    finally:
        await chat.close()


async def test_none_of_these_skips_the_line(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        question = (await chat.send("chini 2 kg, tel 3"))[-1]
        replies = await chat.tap(question.choices[-1])
        assert "Skipped “tel 3”." in texts(replies)
        assert "Oil" not in replies[-1].body
        assert "Sugar (Loose) — 2 kg" in replies[-1].body
    finally:
        await chat.close()


async def test_an_unknown_item_is_said_plainly(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("chini 2 kg, xyzzy 3")
        assert "I couldn't find “xyzzy 3”" in texts(replies)
        assert "Sugar (Loose) — 2 kg" in replies[-1].body
    finally:
        await chat.close()


async def test_edit_removes_a_line_changes_a_quantity_and_adds(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg, 2 bora sona, musuro 5 kg"))[-1]
        help_text = texts(await chat.tap(choice(review, "rv:edit")))
        assert "remove 2" in help_text

        replies = await chat.send("remove 2")
        assert "Removed Sona Mansuli Rice 25kg." in texts(replies)
        review = replies[-1]
        assert "Sona" not in review.body
        assert "2. Musuro Dal (Red Lentil) — 5 kg" in review.body

        review = (await chat.send("chini 20 kg"))[-1]
        assert "1. Sugar (Loose) — 20 kg × Rs 98 = Rs 1,960" in review.body

        review = (await chat.send("add 2 ctn rara"))[-1]
        assert "3. Rara Noodles Carton (30 pcs) — 2 ctn" in review.body

        replies = await chat.send("clear")
        assert "Cart cleared." in texts(replies)
        assert not any(m.choices for m in replies)
    finally:
        await chat.close()
    assert await order_count(stack) == 0


async def test_a_stale_confirm_button_shows_the_current_cart_instead_of_ordering(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        old_review = (await chat.send("chini 10 kg"))[-1]
        await chat.send("musuro 2 kg")
        replies = await chat.tap(choice(old_review, "rv:confirm"))
        assert "That button is from an earlier cart" in texts(replies)
        assert "Musuro" in replies[-1].body
    finally:
        await chat.close()
    assert await order_count(stack) == 0


async def test_cancel_drops_the_cart(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg"))[-1]
        replies = await chat.tap(choice(review, "rv:cancel"))
        assert "Cart cancelled. Nothing was ordered." in texts(replies)
        replies = await chat.send("confirm")
        assert "nothing in your cart" in texts(replies)
    finally:
        await chat.close()
    assert await order_count(stack) == 0


async def test_cancel_after_placing_cancels_the_order_not_yet_accepted(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        review = (await chat.send("chini 10 kg"))[-1]
        await chat.tap(choice(review, "rv:confirm"))
        replies = await chat.send("cancel")
        assert "Order #1001 is cancelled." in texts(replies)
    finally:
        await chat.close()
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE number = 1001") == "cancelled"


async def test_cancel_with_a_number_cancels_that_order_and_refuses_another_shops(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    await add_retailer(stack.runtime, OTHER, shop="Sita Store")
    chat, other = stack.chat(PHONE), stack.chat(OTHER)
    try:
        for text in ("chini 10 kg", "dhara 2"):
            review = (await chat.send(text))[-1]
            await chat.tap(choice(review, "rv:confirm"))
        review = (await other.send("chini 2 kg"))[-1]
        await other.tap(choice(review, "rv:confirm"))
        assert "Order #1001 is cancelled." in texts(await chat.send("cancel 1001"))
        assert "Order #1003 is not one of your orders" in texts(await chat.send("cancel 1003"))
        assert "I can't find order #1999" in texts(await chat.send("cancel #1999"))
    finally:
        await chat.close()
        await other.close()
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT number, status FROM orders ORDER BY number")
    assert [(r["number"], r["status"]) for r in rows] == [
        (1001, "cancelled"), (1002, "pending"), (1003, "pending")]


async def test_only_an_explicit_confirm_places_an_order(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        await chat.send("chini 10 kg")
        # The parser reads these as agreement; they must not place the cart.
        await chat.send("ok pathaidinus")
        await chat.send("wai wai 5")
    finally:
        await chat.close()
    assert await order_count(stack) == 0
