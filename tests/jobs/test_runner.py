"""The runner: advisory locks, one run per slot, job_runs, registration, interruption."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime
from jobs import credit_scores
from jobs.runner import Scheduled, get_job, registry, run_job
from tests.jobs import builders as b

NOW = b.ktm(2026, 3, 8, 10, 40)


@pytest.mark.parametrize("job_id", list(registry()))
async def test_two_workers_firing_the_same_slot_run_the_job_once(
    runtime: Runtime, job_id: str
) -> None:
    job = get_job(job_id)
    results = await asyncio.gather(
        run_job(runtime, job, NOW, scheduled=True), run_job(runtime, job, NOW, scheduled=True))
    assert sorted(r.outcome for r in results) == ["ok", "skipped"]
    async with runtime.pool.acquire() as conn:
        runs = await conn.fetch("SELECT outcome FROM job_runs WHERE job = $1", job_id)
    assert sorted(r["outcome"] for r in runs) == ["ok", "skipped"]


async def test_a_job_whose_lock_is_held_elsewhere_skips_the_run(runtime: Runtime) -> None:
    job = get_job("analytics")
    async with runtime.pool.acquire() as other:
        await other.execute("SELECT pg_advisory_lock($1)", job.lock_key)
        try:
            result = await run_job(runtime, job, NOW)
        finally:
            await other.execute("SELECT pg_advisory_unlock($1)", job.lock_key)
        row = await other.fetchrow("SELECT outcome, error FROM job_runs WHERE id = $1",
                                   result.run_id)
    assert result.outcome == "skipped"
    assert row["outcome"] == "skipped"
    assert "another worker" in row["error"]


async def test_the_next_slot_runs_again(runtime: Runtime) -> None:
    job = get_job("analytics")
    first = await run_job(runtime, job, NOW, scheduled=True)
    second = await run_job(runtime, job, NOW.replace(minute=41), scheduled=True)
    assert (first.outcome, second.outcome) == ("ok", "ok")


async def test_a_run_is_recorded_with_its_clock_outcome_and_counts(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await b.retailer(conn)
    result = await run_job(runtime, get_job("credit-scores"), NOW)
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM job_runs WHERE id = $1", result.run_id)
    assert row["job"] == "credit-scores"
    assert row["as_of"] == NOW
    assert row["outcome"] == "ok"
    assert row["finished_at"] >= row["started_at"]
    assert row["counts"]["scored"] == 1


async def test_a_failing_job_is_recorded_as_an_error_and_the_lock_released(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(conn: object, day: object) -> list[object]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("jobs.analytics.compute_day", broken)
    job = get_job("analytics")
    result = await run_job(runtime, job, NOW)
    assert result.outcome == "error"
    assert "disk on fire" in (result.error or "")
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", job.lock_key)
        await conn.execute("SELECT pg_advisory_unlock($1)", job.lock_key)


async def test_registration_uses_explicit_ids_and_logs_each_job_initialized(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    scheduler = AsyncIOScheduler(timezone="Asia/Kathmandu")
    component = Scheduled(runtime)
    with caplog.at_level(logging.INFO, logger="jobs.runner"):
        component.register(scheduler)
        component.register(scheduler)  # a second registration replaces, never duplicates
    scheduler.start(paused=True)
    try:
        ids = sorted(j.id for j in scheduler.get_jobs())
    finally:
        scheduler.shutdown(wait=False)
    assert ids == sorted(registry())
    lines = [r.getMessage() for r in caplog.records if r.getMessage().endswith(" initialized")]
    assert sorted(set(lines)) == sorted(f"{j} initialized" for j in registry())
    schedules = {r.job: r.schedule for r in caplog.records if hasattr(r, "schedule")}
    assert schedules["weekly-reports"] == "0 8 * * sun Asia/Kathmandu"


async def _scored(conn: object) -> set[int]:
    return {r["retailer_id"] for r in await conn.fetch(  # type: ignore[attr-defined]
        "SELECT retailer_id FROM credit_scores")}


async def test_stopping_during_a_job_ends_it_after_the_batch_and_the_next_run_completes_it(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(credit_scores, "BATCH", 1)
    async with runtime.pool.acquire() as conn:
        ids = [(await b.retailer(conn))["id"] for _ in range(3)]
    component = Scheduled(runtime, [get_job("credit-scores")])
    blocker = await runtime.pool.acquire()
    tx = blocker.transaction()
    await tx.start()
    # Hold the second retailer so the run is provably in the middle when SIGTERM comes.
    await blocker.execute("SELECT 1 FROM retailers WHERE id = $1 FOR UPDATE", ids[1])
    task = asyncio.create_task(component.fire("credit-scores"))
    async with runtime.pool.acquire() as conn:
        for _ in range(200):
            if await conn.fetchval("SELECT count(*) FROM credit_scores"):
                break
            await asyncio.sleep(0.02)
    stop = asyncio.create_task(component.stop(grace=10))
    await asyncio.sleep(0.1)
    await tx.rollback()
    await runtime.pool.release(blocker)
    await stop
    await task
    async with runtime.pool.acquire() as conn:
        run = await conn.fetchrow(
            "SELECT outcome, counts FROM job_runs WHERE job = 'credit-scores'")
        scored = await _scored(conn)
    assert run["outcome"] == "interrupted"
    assert scored == {ids[0], ids[1]}
    result = await run_job(runtime, get_job("credit-scores"), datetime.now(UTC))
    assert result.outcome == "ok"
    async with runtime.pool.acquire() as conn:
        scored = await _scored(conn)
    assert scored == set(ids)


async def test_a_job_still_running_after_the_grace_is_cancelled_and_recorded_interrupted(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(conn: object, day: object) -> list[object]:
        await asyncio.sleep(30)
        return []

    monkeypatch.setattr("jobs.analytics.compute_day", slow)
    component = Scheduled(runtime, [get_job("analytics")])
    task = asyncio.create_task(component.fire("analytics"))
    await asyncio.sleep(0.2)
    await component.stop(grace=0.2)
    assert task.done()
    async with runtime.pool.acquire() as conn:
        run = await conn.fetchrow("SELECT outcome, error FROM job_runs WHERE job = 'analytics'")
        free = await conn.fetchval("SELECT pg_try_advisory_lock($1)", get_job("analytics").lock_key)
        await conn.execute("SELECT pg_advisory_unlock_all()")
    assert run["outcome"] == "interrupted"
    assert free
