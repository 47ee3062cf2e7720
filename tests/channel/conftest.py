"""Fixtures for the channel: the web app on loopback with a test conversation,
the Cloud API simulator, signed posting helpers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import asyncpg
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.conversation.pipeline import after_commit
from bot.conversation.workers import drained
from bot.dev.simulator import Simulator
from bot.dev.simulator import create_app as create_simulator_app
from bot.processes import create_app
from bot.runtime import Runtime
from bot.web.webhook import CONVERSATION
from bot.whatsapp.signature import HEADER, sign
from bot.whatsapp.updates import InboundMessage, TextMessage
from flows.replies import Outgoing, Template, Text
from tests.conftest import TEST_ACCESS_TOKEN, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID

# Inbox worker settings for tests: quick retries and polls.
FAST_INBOX: dict[str, Any] = {"inbox_retry_seconds": 0.02, "inbox_poll_seconds": 0.2}


@dataclass
class EchoConversation:
    """Test-only conversation: echoes text, and writes one row per handled message.

    The `channel_effects` row is the "business effect" whose count proves
    exactly-once handling; `after_commit` records which hooks ran.
    """

    committed: list[str] = field(default_factory=list)
    fallback: Template | None = None

    async def handle(self, conn: asyncpg.Connection, message: InboundMessage) -> list[Outgoing]:
        body = message.text.body if isinstance(message, TextMessage) else message.type
        await conn.execute("INSERT INTO channel_effects VALUES ($1, $2, $3)",
                           message.wamid, message.sender, body)

        async def saved() -> None:
            self.committed.append(message.wamid)

        after_commit(saved)
        if body == "boom":
            raise RuntimeError("a bug in a flow")
        return [Outgoing(message.sender, Text(f"echo: {body}"), fallback=self.fallback)]

    async def unreadable(
        self, conn: asyncpg.Connection, message: InboundMessage
    ) -> list[Outgoing]:
        return [Outgoing(message.sender, Text("Sorry, I can only read text messages and buttons."))]


def signed(envelope: Any, secret: str = TEST_APP_SECRET) -> tuple[bytes, dict[str, str]]:
    """Body bytes and headers as Meta would post them."""
    if isinstance(envelope, bytes):
        body = envelope
    else:
        try:
            body = orjson.dumps(envelope)
        except TypeError:  # integers beyond 64 bits: valid JSON all the same
            body = json.dumps(envelope).encode()
    return body, {"Content-Type": "application/json", HEADER: sign(secret, body)}


@dataclass
class Bot:
    """The web app on a loopback port with its test conversation."""

    client: TestClient
    conversation: EchoConversation
    runtime: Runtime

    @property
    def webhook_url(self) -> str:
        return str(self.client.make_url("/webhook"))

    async def post(self, envelope: Any, *, drain: bool = True) -> tuple[int, Any]:
        """POST signed; once acknowledged, wait until the workers have drained the inbox.

        The webhook answers as soon as the message is persisted; the tests
        here check effects and replies, so they wait for the conversation
        workers (`bot.conversation.workers.drained`, the one way to wait).
        """
        body, headers = signed(envelope)
        async with self.client.post("/webhook", data=body, headers=headers) as resp:
            text = await resp.text()
            status = resp.status
        if drain and status < 500:
            await self.drained()
        try:
            return status, orjson.loads(text)
        except orjson.JSONDecodeError:
            return status, text

    async def drained(self) -> None:
        """Wait until every persisted message and status has been worked off."""
        await drained(self.runtime.pool, within=30.0)

    async def effects(self) -> list[asyncpg.Record]:
        """The business effects, once the workers have caught up."""
        await self.drained()
        async with self.runtime.pool.acquire() as conn:
            return await conn.fetch("SELECT * FROM channel_effects")

    async def effects_now(self) -> list[asyncpg.Record]:
        """The business effects as they are, without waiting for the workers."""
        async with self.runtime.pool.acquire() as conn:
            return await conn.fetch("SELECT * FROM channel_effects")

    async def outbox(self) -> list[asyncpg.Record]:
        """The outbox rows, once the workers have caught up."""
        await self.drained()
        async with self.runtime.pool.acquire() as conn:
            return await conn.fetch("SELECT * FROM outbox ORDER BY id")


async def start_bot(runtime: Runtime, conversation: EchoConversation | None = None, *,
                    sender_rate_limit: int = 1_000_000) -> Bot:
    """Serve the real app (middleware, routes) on loopback."""
    conversation = conversation or EchoConversation()
    # These tests post floods from one sample sender; the per-sender limit has
    # its own tests, so it is lifted out of the way here. A failing message is
    # retried after a short pause, so a test waits milliseconds, not seconds.
    settings = runtime.settings.model_copy(update={
        "sender_rate_limit": sender_rate_limit, **FAST_INBOX})
    runtime = Runtime(settings, runtime.pool, runtime.redis, runtime.keys)
    app = create_app(runtime)
    app[CONVERSATION] = conversation
    client = TestClient(TestServer(app, host="127.0.0.1", port=0))
    await client.start_server()
    return Bot(client, conversation, runtime)


@pytest.fixture
async def channel_effects_reset(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS channel_effects (wamid text, sender text, body text)")
        await conn.execute("TRUNCATE channel_effects")


@pytest.fixture
async def bot(runtime: Runtime, channel_effects_reset: None) -> AsyncIterator[Bot]:
    b = await start_bot(runtime)
    yield b
    await b.client.close()


@dataclass
class RunningSimulator:
    sim: Simulator
    runner: web.AppRunner
    base_url: str

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v23.0"


@pytest.fixture
async def simulator() -> AsyncIterator[RunningSimulator]:
    sim = Simulator(access_token=TEST_ACCESS_TOKEN, phone_number_id=TEST_PHONE_NUMBER_ID,
                    app_secret=TEST_APP_SECRET)
    runner = web.AppRunner(create_simulator_app(sim), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield RunningSimulator(sim, runner, f"http://127.0.0.1:{port}")
    await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def text_envelope(sender: str, body: str, wamid: str, **extra: Any) -> dict[str, Any]:
    """A one-message text envelope."""
    message = {"from": sender, "id": wamid, "timestamp": "1700000000", "type": "text",
               "text": {"body": body}, **extra}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "977", "phone_number_id": TEST_PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Ram Kirana"}, "wa_id": sender}],
            "messages": [message]}}]}]}
