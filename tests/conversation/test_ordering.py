"""Ordering through the real path: signed webhooks in, the simulator's messages out."""

from __future__ import annotations

from decimal import Decimal

from tests.conversation.conftest import Stack, add_retailer, choice, texts

PHONE = "9779812000001"


async def orders_of(stack: Stack, phone: str) -> list[dict]:  # type: ignore[type-arg]
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT o.number, o.status, o.total, o.item_count FROM orders o "
            "JOIN retailers r ON r.id = o.retailer_id WHERE r.phone = $1 ORDER BY o.id", phone)
    return [dict(r) for r in rows]


async def test_a_multi_item_order_in_one_message_is_placed_with_one_tap(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("chini 10 kg, 2 bora sona, rara 2 ctn")
        review = replies[-1]
        assert review.kind == "buttons"
        assert "Sugar (Loose) — 10 kg × Rs 98 = Rs 980" in review.body
        assert "Sona Mansuli Rice 25kg — 2 bags × Rs 2,250 = Rs 4,500" in review.body
        assert "Rara Noodles Carton (30 pcs) — 2 ctn × Rs 720 = Rs 1,440" in review.body
        assert "Total: Rs 6,920" in review.body
        assert [c.title for c in review.choices] == ["Confirm", "Edit", "Cancel"]

        placed = await chat.tap(choice(review, "rv:confirm"))
        assert "Order #1001 placed with Shrestha Traders" in texts(placed)
    finally:
        await chat.close()
    assert await orders_of(stack, PHONE) == [
        {"number": 1001, "status": "pending", "total": Decimal("6920.00"), "item_count": 3}]
