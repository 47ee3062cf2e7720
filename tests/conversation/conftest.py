"""The whole conversation path for tests: web app + Router, simulator, dispatcher.

A retailer's message goes in as a signed webhook posted by the simulator; the
reply comes out through the outbox and a real dispatcher to the simulator's
Graph endpoint, where `ChatClient` reads it — the same path `khaacho chat` uses.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.conversation.workers import drained
from bot.dev.chat_client import ChatClient, Message
from bot.dev.simulator import Simulator
from bot.dev.simulator import create_app as create_simulator_app
from bot.processes import create_app
from bot.runtime import Runtime
from tests.channel.dispatch import running
from tests.conftest import TEST_ACCESS_TOKEN, TEST_APP_SECRET, TEST_PHONE_NUMBER_ID

CATALOG = Path(__file__).with_name("catalog.csv")
VENDOR_PHONE = "9779801000001"
OTHER_VENDOR_PHONE = "9779801000002"
AREA = "Kathmandu"


async def seed_catalog(runtime: Runtime) -> None:
    """Products with aliases, and one vendor in Kathmandu selling all at the CSV prices."""
    rows = list(csv.DictReader(CATALOG.open(encoding="utf-8")))
    async with runtime.pool.acquire() as conn, conn.transaction():
        vendor_id = await conn.fetchval(
            "INSERT INTO vendors (phone, name, areas) VALUES ($1, 'Shrestha Traders', $2) "
            "RETURNING id", VENDOR_PHONE, [AREA])
        for row in rows:
            pid = await conn.fetchval(
                "INSERT INTO products (sku, name, unit, category) VALUES ($1, $2, $3, $4) "
                "RETURNING id", row["sku"], row["name"], row["unit"], row["category"])
            for alias in filter(None, (a.strip() for a in row["aliases"].split("|"))):
                await conn.execute("INSERT INTO product_aliases VALUES ($1, $2) "
                                   "ON CONFLICT DO NOTHING", pid, alias)
            stock = Decimal(row["stock"]) if row.get("stock") else None
            await conn.execute(
                "INSERT INTO vendor_products (vendor_id, product_id, price, stock) "
                "VALUES ($1, $2, $3, $4)", vendor_id, pid, Decimal(row["price"]), stock)
    await runtime.redis.incr(runtime.keys.catalog_version())


async def add_second_vendor(runtime: Runtime) -> None:
    """Another Kathmandu vendor selling everything a little dearer (the re-route target)."""
    async with runtime.pool.acquire() as conn:
        vendor_id = await conn.fetchval(
            "INSERT INTO vendors (phone, name, areas) VALUES ($1, 'Himal Wholesale', $2) "
            "RETURNING id", OTHER_VENDOR_PHONE, [AREA])
        await conn.execute(
            "INSERT INTO vendor_products (vendor_id, product_id, price, stock) "
            "SELECT $1, product_id, round(price * 1.05, 2), stock FROM vendor_products "
            "WHERE vendor_id <> $1", vendor_id)


async def add_retailer(runtime: Runtime, phone: str, *, limit: Decimal = Decimal(100000),
                       status: str = "active", language: str = "en",
                       shop: str = "Ram Kirana") -> int:
    async with runtime.pool.acquire() as conn:
        return int(await conn.fetchval(
            "INSERT INTO retailers (phone, shop_name, area, status, credit_limit, language) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            phone, shop, AREA, status, limit, language))


class DrainedSimulator(Simulator):
    """The simulator whose webhook POSTs return once the bot has worked off its inbox.

    The webhook acknowledges as soon as a message is persisted (issue 15);
    these tests read replies and rows right after posting, so every POST the
    bot accepted waits for the conversation workers
    (`bot.conversation.workers.drained`, the one way to wait).
    """

    def drain_with(self, pool: asyncpg.Pool) -> None:
        self._drain_pool = pool

    async def post_webhook(self, envelope: dict[str, Any]) -> int:
        status = await super().post_webhook(envelope)
        pool = getattr(self, "_drain_pool", None)
        if status < 500 and pool is not None:
            await drained(pool, within=30.0)
        return status


@dataclass
class Stack:
    runtime: Runtime
    sim: Simulator
    sim_url: str
    bot_url: str
    app: web.Application

    def chat(self, phone: str) -> ChatClient:
        return ChatClient(self.sim_url, phone, quiet=0.4, timeout=10)


@pytest.fixture
async def stack(runtime: Runtime) -> AsyncIterator[Stack]:
    """Bot on loopback, simulator posting signed webhooks to it, a dispatcher between."""
    await seed_catalog(runtime)
    app = create_app(runtime)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    bot_url = str(server.make_url("/webhook"))
    sim = DrainedSimulator(access_token=TEST_ACCESS_TOKEN, phone_number_id=TEST_PHONE_NUMBER_ID,
                           app_secret=TEST_APP_SECRET, webhook_url=bot_url)
    sim.drain_with(runtime.pool)
    runner = web.AppRunner(create_simulator_app(sim), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    sim_url = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http, running(runtime, http, f"{sim_url}/v23.0"):
        yield Stack(runtime, sim, sim_url, bot_url, app)
    await runner.cleanup()
    await server.close()


def texts(messages: list[Message]) -> str:
    """Everything the user saw, as one string (for assertions on wording)."""
    return "\n".join(m.render() for m in messages)


def choice(message: Message, id_prefix: str):  # type: ignore[no-untyped-def]
    """The choice whose id starts with `id_prefix`."""
    for c in message.choices:
        if c.id.startswith(id_prefix):
            return c
    raise AssertionError(f"no choice {id_prefix!r} in {[c.id for c in message.choices]}")
