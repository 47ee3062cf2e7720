"""/api/health and /api/ready over real HTTP."""

from __future__ import annotations

from datetime import datetime

from aiohttp.test_utils import TestClient, TestServer

from bot.kv import create_redis
from bot.processes import create_app
from bot.runtime import Runtime


async def _client(runtime: Runtime) -> TestClient:
    client = TestClient(TestServer(create_app(runtime)))
    await client.start_server()
    return client


async def test_health_answers_ok_with_a_utc_timestamp(runtime: Runtime) -> None:
    client = await _client(runtime)
    try:
        resp = await client.get("/api/health")
        body = await resp.json()
    finally:
        await client.close()
    assert resp.status == 200
    assert body["status"] == "ok"
    assert datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00")).utcoffset() is not None


async def test_ready_is_200_when_postgres_and_redis_answer(runtime: Runtime) -> None:
    client = await _client(runtime)
    try:
        resp = await client.get("/api/ready")
        body = await resp.json()
    finally:
        await client.close()
    assert resp.status == 200
    assert body["checks"] == {"postgres": "ok", "redis": "ok"}


async def test_ready_is_503_naming_redis_when_redis_is_unreachable(runtime: Runtime) -> None:
    dead_redis = create_redis("redis://127.0.0.1:9/0")  # nothing listens on the discard port
    broken = Runtime(runtime.settings, runtime.pool, dead_redis, runtime.keys)
    client = await _client(broken)
    try:
        resp = await client.get("/api/ready")
        body = await resp.json()
    finally:
        await client.close()
        await dead_redis.aclose()
    assert resp.status == 503
    assert body["failed"] == ["redis"]
    assert body["checks"]["postgres"] == "ok"


async def test_health_does_not_touch_the_database(runtime: Runtime) -> None:
    dead_redis = create_redis("redis://127.0.0.1:9/0")
    broken = Runtime(runtime.settings, runtime.pool, dead_redis, runtime.keys)
    client = await _client(broken)
    try:
        resp = await client.get("/api/health")
    finally:
        await client.close()
        await dead_redis.aclose()
    assert resp.status == 200


async def test_more_concurrent_redis_calls_than_connections_queue_instead_of_failing(
    runtime: Runtime,
) -> None:
    import asyncio

    client = create_redis(str(runtime.settings.redis_url), max_connections=2)
    try:
        results = await asyncio.gather(*(client.ping() for _ in range(50)))
    finally:
        await client.aclose()
    assert results == [True] * 50
