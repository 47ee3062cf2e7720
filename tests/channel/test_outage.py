"""Postgres unreachable: the webhook answers 503 and nothing is half-done;
WhatsApp's redelivery afterwards succeeds, once. Redis unreachable: the
acknowledgement does not need it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.db import create_pool
from bot.kv import create_redis
from bot.runtime import Runtime
from tests.channel.conftest import Bot, start_bot, text_envelope
from tests.channel.proxy import TcpProxy

RETAILER = "9779800000001"


def _via(url: str, port: int) -> str:
    """The same database reached over TCP through the proxy (no unix-socket `host=`)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    host = f"127.0.0.1:{port}"
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("host="))
    return urlunsplit(parts._replace(
        netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host, query=query))


@pytest.fixture
async def pg_proxy(runtime: Runtime) -> AsyncIterator[tuple[TcpProxy, Bot]]:
    target = urlsplit(runtime.settings.database_url)
    if "host=/" in target.query:
        pytest.skip("Postgres is reached over a unix socket here; the proxy needs TCP")
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    port = await proxy.start()
    pool = await create_pool(_via(runtime.settings.database_url, port), min_size=1, max_size=5)
    bot = await start_bot(Runtime(runtime.settings, pool, runtime.redis, runtime.keys))
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS channel_effects (wamid text, sender text, body text)")
        await conn.execute("TRUNCATE channel_effects")
    yield proxy, bot
    await bot.client.close()
    proxy.restore()
    pool.terminate()
    await proxy.close()


@pytest.fixture
async def redis_proxy(runtime: Runtime) -> AsyncIterator[tuple[TcpProxy, Bot]]:
    kwargs = runtime.redis.connection_pool.connection_kwargs
    proxy = TcpProxy(str(kwargs.get("host", "127.0.0.1")), int(kwargs.get("port", 6379)))
    port = await proxy.start()
    client = create_redis(f"redis://127.0.0.1:{port}/{kwargs.get('db', 0)}")
    bot = await start_bot(Runtime(runtime.settings, runtime.pool, client, runtime.keys))
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS channel_effects (wamid text, sender text, body text)")
        await conn.execute("TRUNCATE channel_effects")
    yield proxy, bot
    await bot.client.close()
    proxy.restore()
    await client.aclose()
    await proxy.close()


async def _counts(runtime: Runtime) -> tuple[int, int, int]:
    async with runtime.pool.acquire() as conn:
        return (await conn.fetchval("SELECT count(*) FROM channel_effects"),
                await conn.fetchval("SELECT count(*) FROM outbox"),
                await conn.fetchval("SELECT count(*) FROM inbound_messages"))


async def test_503_while_postgres_is_unreachable_then_success_on_redelivery(
    runtime: Runtime, pg_proxy: tuple[TcpProxy, Bot]
) -> None:
    proxy, bot = pg_proxy
    env = text_envelope(RETAILER, "chini 5 kg", "wamid.pg-down")
    assert (await bot.post(text_envelope(RETAILER, "warm", "wamid.warm")))[0] == 200
    proxy.cut()
    status, _ = await bot.post(env)
    assert status == 503
    assert await _counts(runtime) == (1, 1, 1)  # only the earlier message
    proxy.restore()
    status, body = await bot.post(env)  # WhatsApp redelivers
    assert status == 200 and body["handled"] == 1
    status, body = await bot.post(env)  # and perhaps once more
    assert status == 200 and body["duplicates"] == 1
    assert await _counts(runtime) == (2, 2, 2)


async def test_statuses_get_503_while_postgres_is_unreachable(
    pg_proxy: tuple[TcpProxy, Bot]
) -> None:
    proxy, bot = pg_proxy
    proxy.cut()
    env = text_envelope(RETAILER, "x", "wamid.s")
    env["entry"][0]["changes"][0]["value"] = {
        "statuses": [{"id": "wamid.out", "status": "read", "recipient_id": RETAILER}]}
    assert (await bot.post(env))[0] == 503


async def test_redis_unreachable_does_not_stop_the_acknowledgement_and_handling_is_once(
    runtime: Runtime, redis_proxy: tuple[TcpProxy, Bot]
) -> None:
    # The acknowledgement only persists to Postgres (issue 15): without Redis
    # the webhook still answers 200; the message is handled once Redis is
    # back, and the redelivery is a duplicate.
    proxy, bot = redis_proxy
    env = text_envelope(RETAILER, "chini 5 kg", "wamid.redis-down")
    proxy.cut()
    # Handling waits for Redis (sessions and sender locks live there): no drain yet.
    status, body = await bot.post(env, drain=False)
    assert status == 200 and body["handled"] == 1
    assert await _counts(runtime) == (0, 0, 1)  # persisted, not handled
    proxy.restore()
    status, body = await bot.post(env)
    assert status == 200 and body["duplicates"] == 1
    assert await _counts(runtime) == (1, 1, 1)
