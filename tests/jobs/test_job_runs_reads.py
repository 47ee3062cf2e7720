"""What is read of job_runs: the right run for /health, and never a month of history.

Every job runs every minute or so and a second worker records a skip for each
slot it lost, so job_runs holds 30 days (RETAIN_JOB_RUNS_DAYS) of rows. The
statements run on a schedule or for /health read the few rows they are about.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from bot.runtime import Runtime
from jobs import recovery, runner
from tests.plans import rows_read

# 30 days of runs per job: one every 10 minutes, and a second worker's skip of
# each slot for the last KEEP_SKIPPED (recovery has pruned the older skips).
JOBS = tuple(runner.registry())
DAYS = 30
RUNS_PER_JOB = DAYS * 24 * 6
EVERY = timedelta(days=DAYS) / RUNS_PER_JOB


async def _fill_history(conn: asyncpg.Connection) -> int:
    """30 days of finished runs of every job; the newest row of each is a skip."""
    await conn.execute(
        "INSERT INTO job_runs (job, started_at, finished_at, as_of, outcome) "
        "SELECT j, now() - g * $2::interval, now() - g * $2::interval + interval '1 s', "
        "date_trunc('minute', now() - g * $2::interval), "
        "CASE WHEN g % 50 = 0 THEN 'error' ELSE 'ok' END "
        "FROM unnest($1::text[]) j, generate_series(1, $3) g",
        list(JOBS), EVERY, RUNS_PER_JOB)
    await conn.execute(
        "INSERT INTO job_runs (job, started_at, finished_at, as_of, outcome, error) "
        "SELECT j, now() - g * $2::interval + interval '2 s', "
        "now() - g * $2::interval + interval '2 s', "
        "date_trunc('minute', now() - g * $2::interval), 'skipped', "
        "'another worker holds the lock' "
        "FROM unnest($1::text[]) j, generate_series(0, $3) g",
        list(JOBS), EVERY, recovery.KEEP_SKIPPED // EVERY - 1)
    await conn.execute("ANALYZE job_runs")
    history: int = await conn.fetchval("SELECT count(*) FROM job_runs")
    return history


async def _insert_run(
    conn: asyncpg.Connection, job: str, minutes_ago: int, outcome: str | None
) -> None:
    started = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    await conn.execute(
        "INSERT INTO job_runs (job, started_at, finished_at, as_of, outcome) "
        "VALUES ($1, $2, $3, $2, $4)",
        job, started, None if outcome is None else started, outcome)


# ---------------------------------------------------------------- last_runs: which run


async def test_the_last_run_is_the_latest_one_that_was_not_skipped(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await _insert_run(conn, "analytics", 30, "ok")
        await _insert_run(conn, "analytics", 20, "error")
        await _insert_run(conn, "analytics", 10, "skipped")
        runs = await runner.last_runs(conn, ["analytics"])
    assert runs["analytics"]["outcome"] == "error"


async def test_a_job_whose_runs_were_all_skipped_reports_its_latest_skip(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _insert_run(conn, "analytics", 20, "skipped")
        await _insert_run(conn, "analytics", 10, "skipped")
        runs = await runner.last_runs(conn, ["analytics"])
    assert runs["analytics"]["outcome"] == "skipped"
    assert runs["analytics"]["started_at"] > datetime.now(UTC) - timedelta(minutes=15)


async def test_a_run_without_an_outcome_yet_is_reported_as_running(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await _insert_run(conn, "analytics", 20, "ok")
        await _insert_run(conn, "analytics", 5, None)
        await _insert_run(conn, "analytics", 1, "skipped")
        runs = await runner.last_runs(conn, ["analytics"])
    assert runs["analytics"]["outcome"] == "running"


async def test_each_job_asked_for_gets_its_own_run_and_one_that_never_ran_none(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _insert_run(conn, "analytics", 10, "ok")
        await _insert_run(conn, "recovery", 10, "error")
        await _insert_run(conn, "retention", 10, "ok")
        runs = await runner.last_runs(conn, ["analytics", "recovery", "credit-scores"])
    assert {job: run["outcome"] for job, run in runs.items()} == {
        "analytics": "ok", "recovery": "error"}


# ---------------------------------------------------------------- reads stay bounded


async def test_last_runs_reads_a_row_or_two_per_job_however_long_the_history(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        history = await _fill_history(conn)
        read = await rows_read(conn, "job_runs", runner._LAST_RUNS, list(JOBS))
    # Per job: its latest run that was not skipped, then that row by id.
    assert read <= 2 * len(JOBS) < history // 1000


async def test_ending_stale_runs_reads_the_runs_without_an_outcome_not_the_jobs_history(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        history = await _fill_history(conn)
        await _insert_run(conn, "analytics", 10, None)
        await _insert_run(conn, "analytics", 0, None)
        read = await rows_read(
            conn, "job_runs", recovery.END_STALE_RUNS, "analytics", recovery.RUN_STALE_AFTER)
    assert read <= 2 < history // len(JOBS) // 1000


async def test_pruning_skips_reads_the_skips_past_their_keep_not_the_older_runs(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        history = await _fill_history(conn)
        # The minute's worth of skips that has just passed KEEP_SKIPPED.
        await _insert_run(conn, "analytics", 7 * 24 * 60 + 1, "skipped")
        await _insert_run(conn, "recovery", 7 * 24 * 60 + 1, "skipped")
        read = await rows_read(
            conn, "job_runs", recovery.PRUNE_SKIPPED, datetime.now(UTC) - recovery.KEEP_SKIPPED)
    assert read <= 2 < history // 1000
