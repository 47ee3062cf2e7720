"""A failure inside the retailer flow apologises instead of looping on redelivery."""

from __future__ import annotations

from typing import Any

from bot.conversation.retailer_backend import ServiceBackend
from bot.conversation.router import Router
from bot.web.webhook import CONVERSATION
from tests.conversation.conftest import Stack, add_retailer, texts

PHONE = "9779812000071"


class BrokenParser(ServiceBackend):
    async def understand(self, text: str) -> Any:
        raise ValueError("a parser bug")


async def test_a_bug_in_the_flow_gets_an_apology_and_a_200(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    from aiohttp.test_utils import TestServer

    from bot.processes import create_app

    app = create_app(stack.runtime)
    rt = stack.runtime
    app[CONVERSATION] = Router(rt.redis, rt.keys,
                               retailer_backend=lambda conn: BrokenParser(rt, conn))
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    stack.sim.webhook_url = str(server.make_url("/webhook"))
    chat = stack.chat(PHONE)
    try:
        replies = await chat.send("chini 10 kg")  # raises if the webhook is not 200
        assert "something went wrong on our side" in texts(replies)
        # The conversation is not stuck: a message that avoids the broken part works.
        assert "You have no orders yet." in texts(await chat.send("status"))
    finally:
        await chat.close()
        await server.close()
    async with rt.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM inbound_messages") == 2
