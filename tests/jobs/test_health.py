"""The worker's health endpoint: scheduler state, last outcomes, dispatcher lag; 503s."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime
from jobs.health import make_app
from jobs.runner import registry
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    s = AsyncIOScheduler(timezone="Asia/Kathmandu")
    s.start()
    yield s
    if s.running:
        s.shutdown(wait=False)


async def _get(runtime: Runtime, scheduler: AsyncIOScheduler) -> tuple[int, dict]:
    client = TestClient(TestServer(make_app(runtime, scheduler)))
    await client.start_server()
    try:
        resp = await client.get("/health")
        return resp.status, await resp.json()
    finally:
        await client.close()


async def test_healthy_worker_reports_its_jobs_and_dispatcher_lag(
    runtime: Runtime, scheduler: AsyncIOScheduler, run: RunJob
) -> None:
    await run("analytics", b.ktm(2026, 3, 8, 10, 5))
    status, body = await _get(runtime, scheduler)
    assert status == 200
    assert body["status"] == "ok"
    assert body["scheduler"] == "running"
    assert body["dispatcher_lag_seconds"] == 0
    assert set(body["jobs"]) == set(registry())
    assert body["jobs"]["analytics"]["last_outcome"] == "ok"
    assert body["jobs"]["analytics"]["schedule"] == "5,35 * * * * Asia/Kathmandu"
    assert body["jobs"]["credit-scores"]["last_outcome"] is None


async def test_503_when_the_scheduler_is_not_running(
    runtime: Runtime, scheduler: AsyncIOScheduler
) -> None:
    scheduler.shutdown(wait=False)
    status, body = await _get(runtime, scheduler)
    assert status == 503
    assert body["scheduler"] == "stopped"
    assert "scheduler not running" in body["problems"]


async def test_503_when_a_due_message_has_waited_more_than_a_minute(
    runtime: Runtime, scheduler: AsyncIOScheduler
) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, next_attempt_at) "
            "VALUES ('9779851', 'text', '{}', now() - interval '90 seconds')")
    status, body = await _get(runtime, scheduler)
    assert status == 503
    assert body["dispatcher_lag_seconds"] >= 90
    assert any("dispatcher stuck" in p for p in body["problems"])


async def test_a_message_due_a_few_seconds_ago_is_normal_lag(
    runtime: Runtime, scheduler: AsyncIOScheduler
) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, next_attempt_at) "
            "VALUES ('9779852', 'text', '{}', now() - interval '5 seconds')")
        # Retrying later is not lag: it is not due yet.
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, next_attempt_at) "
            "VALUES ('9779853', 'text', '{}', now() + interval '10 minutes')")
    status, body = await _get(runtime, scheduler)
    assert status == 200
    assert 4 <= body["dispatcher_lag_seconds"] < 60


async def test_a_message_held_behind_one_in_back_off_is_not_dispatcher_lag(
    runtime: Runtime, scheduler: AsyncIOScheduler
) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, next_attempt_at, attempts) "
            "VALUES ('9779854', 'text', '{}', now() + interval '5 minutes', 3)")
        await conn.execute(
            "INSERT INTO outbox (recipient, kind, payload, next_attempt_at) "
            "VALUES ('9779854', 'text', '{}', now() - interval '3 minutes')")
    status, body = await _get(runtime, scheduler)
    assert status == 200
    assert body["dispatcher_lag_seconds"] == 0


async def test_a_taken_port_leaves_the_worker_running_without_a_health_page(
    runtime: Runtime, scheduler: AsyncIOScheduler, caplog: pytest.LogCaptureFixture
) -> None:
    import socket

    from jobs.health import start_health

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = runtime.settings.model_copy(update={"worker_health_port": port,
                                                       "host": "127.0.0.1"})
        rt = Runtime(settings, runtime.pool, runtime.redis, runtime.keys)
        stop = await start_health(rt, scheduler)
        await stop()
    assert any("health endpoint not started" in r.getMessage() for r in caplog.records)
