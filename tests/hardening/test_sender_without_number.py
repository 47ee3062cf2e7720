"""A sender WhatsApp names only by a business-scoped user id is asked for a number (issue 19).

Never onboarded under the id (and never failing an insert on every
redelivery); recorded like any message; once an operator links the id to a
retailer, the id is served as usual.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from bot.conversation.workers import drained
from tests.channel.conftest import signed
from tests.conftest import TEST_PHONE_NUMBER_ID
from tests.conversation.conftest import Stack, add_retailer

USER_ID = "NP.1234567890abcdef"


def _envelope(wamid: str, body: str) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "9779800000000",
                         "phone_number_id": TEST_PHONE_NUMBER_ID},
            "contacts": [{"user_id": USER_ID, "profile": {"username": "@ramkirana"}}],
            "messages": [{"from_user_id": USER_ID, "id": wamid, "timestamp": "1700000000",
                          "type": "text", "text": {"body": body}}]}}]}]}


async def _post(stack: Stack, envelope: dict[str, Any]) -> int:
    """Post the envelope and wait until the conversation workers have handled it."""
    body, headers = signed(envelope)
    async with aiohttp.ClientSession() as http, http.post(stack.bot_url, data=body,
                                                          headers=headers) as resp:
        status = resp.status
    await drained(stack.runtime.pool)
    return status


async def _replies(stack: Stack) -> list[str]:
    async with stack.runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT payload FROM outbox WHERE recipient = $1 ORDER BY id",
                                USER_ID)
    return [orjson.dumps(orjson.loads(r["payload"]) if isinstance(r["payload"], str)
                         else r["payload"]).decode() for r in rows]


async def test_a_sender_without_a_number_is_asked_for_it_and_not_onboarded(
    stack: Stack,
) -> None:
    assert await _post(stack, _envelope("wamid.u1", "namaste")) == 200
    assert await _post(stack, _envelope("wamid.u2", "chini 10 kg")) == 200
    replies = await _replies(stack)
    assert len(replies) == 2
    assert all("did not share your phone number" in r for r in replies)
    async with stack.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM retailers") == 0
        assert await conn.fetchval(
            "SELECT count(*) FROM inbound_messages WHERE sender = $1", USER_ID) == 2


async def test_once_an_operator_links_the_id_it_is_served_as_usual(stack: Stack) -> None:
    await add_retailer(stack.runtime, USER_ID)
    assert await _post(stack, _envelope("wamid.u3", "status")) == 200
    replies = await _replies(stack)
    assert replies and not any("did not share your phone number" in r for r in replies)
