"""Helpers to run dispatchers against the simulator in tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

import aiohttp

from bot.runtime import Runtime
from bot.store import outbox as outbox_store
from bot.whatsapp.client import GraphClient
from flows.replies import Outgoing
from jobs.dispatcher import Dispatcher, DispatcherConfig
from tests.conftest import TEST_ACCESS_TOKEN, TEST_PHONE_NUMBER_ID

FAST = DispatcherConfig(max_mps=1000, base_delay=0.05, max_delay=0.5, idle_poll=0.5,
                        lease_seconds=5, pair_burst=1000)


def graph(session: aiohttp.ClientSession, api_url: str, timeout: float = 5.0) -> GraphClient:
    return GraphClient(session, api_url, TEST_PHONE_NUMBER_ID, TEST_ACCESS_TOKEN, timeout=timeout)


@contextlib.asynccontextmanager
async def running(
    runtime: Runtime, session: aiohttp.ClientSession, api_url: str,
    config: DispatcherConfig = FAST, count: int = 1, timeout: float = 5.0,
) -> AsyncIterator[list[Dispatcher]]:
    """Run `count` dispatchers (each with its own LISTEN connection) for the block."""
    dispatchers = [
        Dispatcher(runtime.pool, runtime.redis, runtime.keys, graph(session, api_url, timeout),
                   runtime.settings.database_url, config=config, name=f"test-{i}")
        for i in range(count)]
    tasks = [asyncio.get_running_loop().create_task(d.run()) for d in dispatchers]
    try:
        yield dispatchers
    finally:
        for d in dispatchers:
            await d.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)


async def enqueue(runtime: Runtime, outgoing: Sequence[Outgoing]) -> list[int]:
    async with runtime.pool.acquire() as conn, conn.transaction():
        return await outbox_store.enqueue(conn, outgoing)


async def wait_until(predicate, timeout: float = 10.0, interval: float = 0.01) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


async def statuses(runtime: Runtime) -> dict[int, str]:
    async with runtime.pool.acquire() as conn:
        return {r["id"]: r["status"] for r in await conn.fetch("SELECT id, status FROM outbox")}
