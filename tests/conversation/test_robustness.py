"""A failure inside the retailer flow apologises instead of looping on redelivery."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from bot.conversation.pipeline import handle_message
from bot.conversation.retailer_backend import ServiceBackend
from bot.conversation.router import Router
from bot.runtime import Runtime
from bot.web.webhook import CONVERSATION, WORKERS
from bot.whatsapp.updates import InboundMessage
from tests.conversation.conftest import Stack, add_retailer, seed_catalog, texts

PHONE = "9779812000071"


class BrokenParser(ServiceBackend):
    async def understand(self, text: str) -> Any:
        raise ValueError("a parser bug")


async def test_a_bug_in_the_flow_gets_an_apology_and_a_200(stack: Stack) -> None:
    await add_retailer(stack.runtime, PHONE)
    from aiohttp.test_utils import TestServer

    from bot.processes import create_app

    # The stack's own workers would race this app's for the message (the NOTIFY
    # wakes every process's workers), and they run the working conversation.
    await stack.app[WORKERS].stop()
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


class WritesThenBreaks(ServiceBackend):
    async def understand(self, text: str) -> Any:
        await self.conn.execute("UPDATE retailers SET shop_name = 'half-done' WHERE phone = $1",
                                PHONE)
        raise ValueError("a parser bug after a write")


async def test_a_flow_bug_undoes_the_flow_s_writes_but_keeps_the_photo_for_the_operators(
        runtime: Runtime) -> None:
    await seed_catalog(runtime)
    await add_retailer(runtime, PHONE)
    router = Router(runtime.redis, runtime.keys,
                    retailer_backend=lambda conn: WritesThenBreaks(runtime, conn))
    photo = TypeAdapter(InboundMessage).validate_python({
        "from": PHONE, "id": "wamid.photo-1", "timestamp": "1764672000", "type": "image",
        "image": {"id": "media-1", "mime_type": "image/jpeg", "caption": "chini 10 kg"}})

    async def done() -> None:
        return None

    async with runtime.pool.acquire() as conn:
        replies = await handle_message(conn, router, photo, request_id=None, mark_done=done)
        assert replies == 1
        assert "something went wrong on our side" in str(await conn.fetchval(
            "SELECT payload FROM outbox WHERE recipient = $1", PHONE))
        assert await conn.fetchval("SELECT shop_name FROM retailers WHERE phone = $1",
                                   PHONE) == "Ram Kirana"
        assert await conn.fetchval(
            "SELECT count(*) FROM operator_inbox WHERE wamid = 'wamid.photo-1'") == 1
