"""A vendor's accept, dispatch and deliver arriving together still deliver and debit once.

The bench once counted an order delivered that Postgres had not delivered
(issue 15, a `--web 2` run). A vendor whose answers come slowly writes the next
command without waiting, so the three commands can reach the inbox together
and be handled in one batch: this is that case, through the real webhook.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import TEST_PHONE_NUMBER_ID
from tests.conversation.conftest import VENDOR_PHONE, Stack, add_retailer, choice, texts

PHONE = "9779812000093"


def _burst(sender: str, bodies: list[str]) -> dict[str, Any]:
    """One webhook POST carrying several text messages from one sender, in order."""
    messages = [{"from": sender, "id": f"wamid.burst{i}", "timestamp": "1700000000",
                 "type": "text", "text": {"body": body}} for i, body in enumerate(bodies)]
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "977", "phone_number_id": TEST_PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Shrestha Traders"}, "wa_id": sender}],
            "messages": messages}}]}]}


async def test_accept_dispatch_and_deliver_in_one_post_deliver_the_order_and_debit_it_once(
        stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    retailer, vendor = stack.chat(PHONE), stack.chat(VENDOR_PHONE)
    try:
        await vendor.mark_read()
        review = (await retailer.send("chini 10 kg"))[-1]
        assert "Order #1001 placed" in texts(await retailer.tap(choice(review, "rv:confirm")))
        await vendor.replies()

        status = await stack.sim.post_webhook(
            _burst(VENDOR_PHONE, ["ACCEPT 1001", "DISPATCHED 1001", "DELIVERED 1001"]))
        assert status == 200
        told = [m.body for m in await vendor.replies()]
    finally:
        await retailer.close()
        await vendor.close()
    async with stack.runtime.pool.acquire() as conn:
        order = await conn.fetchrow("SELECT id, status, total FROM orders WHERE number = 1001")
        debits = await conn.fetch("SELECT amount FROM ledger_entries WHERE order_id = $1 "
                                  "AND kind = 'debit'", order["id"])
        handled = await conn.fetchval("SELECT count(*) FROM inbound_messages "
                                      "WHERE wamid LIKE 'wamid.burst%' AND status = 'done'")
    assert order["status"] == "delivered"
    assert [d["amount"] for d in debits] == [order["total"]]
    assert handled == 3
    answered = [i for i, body in enumerate(told) if "1001" in body]
    assert len(answered) >= 3, told
    assert "dispatched" in told[answered[1]].casefold(), told
