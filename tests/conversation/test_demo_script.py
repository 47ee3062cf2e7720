"""The sample conversation of `make demo`'s non-interactive run reaches a placed order."""

from __future__ import annotations

from typing import cast

from bot.dev.chat_client import ChatClient, Choice, Message
from bot.dev.demo_script import DEMO_RETAILER, Transcript, play, tap
from tests.conversation.conftest import VENDOR_PHONE, Stack, add_retailer


async def test_the_demo_script_reaches_a_placed_order_and_the_vendor_accepts(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, DEMO_RETAILER)
    client = stack.chat(DEMO_RETAILER)
    try:
        transcript = await play(client, vendor=VENDOR_PHONE)
    finally:
        await client.close()
    assert transcript.order_number == 1001
    text = str(transcript)
    assert "Order #1001 placed with Shrestha Traders" in text
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE number = 1001") == "accepted"
    assert "#1001 — accepted" in text
    # The retailer was told of the acceptance without asking.
    after_accept = text.split("(taps “Accept”)")[1].split(f"{DEMO_RETAILER}> status")[0]
    told = after_accept.split(f"[bot → {DEMO_RETAILER}]")
    assert len(told) == 2, text
    assert "#1001" in told[1] and "accepted" in told[1]


class _TappingClient:
    """Records the taps; answers each with nothing."""

    phone = DEMO_RETAILER

    def __init__(self) -> None:
        self.tapped: list[str] = []

    async def tap(self, choice: Choice) -> list[Message]:
        self.tapped.append(choice.id)
        return []


async def test_a_tap_finds_its_button_behind_a_notice_that_arrived_later() -> None:
    # The invoice document can land after the balance, within the same replies.
    balance = Message(DEMO_RETAILER, "buttons", "You owe Rs 1,200",
                      (Choice("pay:all", "Pay"),))
    invoice = Message(DEMO_RETAILER, "document", "Invoice #1001")
    client = _TappingClient()
    await tap(cast(ChatClient, client), Transcript(), [balance, invoice], "pay")
    assert client.tapped == ["pay:all"]
