"""`make demo` without a terminal plays a whole order, message to delivery."""

from __future__ import annotations

from bot.dev.chat_client import ChatClient
from bot.dev.demo import DEMO_RETAILER, local_stack, play_to_delivery
from bot.runtime import Runtime
from domain.money import format_npr


async def test_the_demo_plays_an_order_from_message_to_delivered_with_a_ledger_debit(
    runtime: Runtime,
) -> None:
    async with local_stack(runtime.settings) as stack:
        client = ChatClient(stack.simulator_url, DEMO_RETAILER, quiet=0.4, timeout=10)
        try:
            transcript = await play_to_delivery(client, stack.gateways)
        finally:
            await client.close()
    number = transcript.order_number
    assert number is not None
    async with runtime.pool.acquire() as conn:
        status = await conn.fetchval("SELECT status FROM orders WHERE number = $1", number)
        debit = await conn.fetchval(
            "SELECT l.amount FROM ledger_entries l JOIN orders o ON o.id = l.order_id "
            "WHERE o.number = $1 AND l.kind = 'debit'", number)
        total = await conn.fetchval("SELECT total FROM orders WHERE number = $1", number)
    assert status == "delivered"
    assert debit == total
    assert "Outstanding" in str(transcript)
    # Then paid from the chat with Khalti (the gateway simulator): credited once.
    assert f"Payment of {format_npr(total)} received. You now owe Rs 0." in str(transcript)
