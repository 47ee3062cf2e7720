"""The job runner: the registry of periodic jobs, each run under a Postgres advisory lock.

What a job is (`Job`, `JobContext`) is in `jobs.job`; `JOBS` below lists
every job module's `JOB` by reference.

Running a job (`run_job`):
1. take `pg_try_advisory_lock(key(job))` on a dedicated connection; if another
   worker holds it, record a `skipped` run and return. The lock is a session
   lock, so a worker that dies mid-run loses it with its connection.
2. for a scheduled run, skip when this slot (the minute it fired for) already
   has an `ok` run: two workers that fire the same minute run it once even if
   the first has already finished when the second starts.
3. record the run in `job_runs` (start, as_of), run the job, record the end,
   outcome (`ok`, `error`, `interrupted`) and counts.

Jobs work in small committed batches and call `ctx.checkpoint()` between
them; on SIGTERM `checkpoint` raises `JobInterrupted`, the run is recorded as
`interrupted` and the next run (idempotent) finishes the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.metrics import JOB_DURATION, JOB_RUNS
from bot.runtime import Runtime
from jobs import (
    analytics,
    cart_reminders,
    change_timeouts,
    credit_scores,
    documents,
    operator_alerts,
    payment_reconciliation,
    payment_reminders,
    price_intelligence,
    recovery,
    reorder_nudges,
    retailer_intelligence,
    retention,
    session_sweeper,
    vendor_performance,
    vendor_timeouts,
    weekly_reports,
)
from jobs.job import Counts, Job, JobContext, JobInterrupted

log = logging.getLogger(__name__)

# Bound on how long SIGTERM waits for running jobs (Render allows 30 s).
STOP_GRACE_SECONDS = 20.0
# A run that took longer than this in a scheduled slot is logged as slow.
SLOW_RUN_SECONDS = 60.0

# Every job, by reference; the order is the order of `khaacho jobs list`.
JOBS: tuple[Job, ...] = (
    vendor_timeouts.JOB,
    recovery.JOB,
    payment_reminders.JOB,
    credit_scores.JOB,
    vendor_performance.JOB,
    price_intelligence.JOB,
    analytics.JOB,
    reorder_nudges.JOB,
    cart_reminders.JOB,
    session_sweeper.JOB,
    retailer_intelligence.JOB,
    weekly_reports.JOB,
    operator_alerts.JOB,
    retention.JOB,
    documents.JOB,
    payment_reconciliation.JOB,
    change_timeouts.JOB,
)


def registry() -> dict[str, Job]:
    """Every job, by id."""
    return {job.id: job for job in JOBS}


def get_job(job_id: str) -> Job:
    """A job by id; KeyError naming the known ones otherwise."""
    jobs = registry()
    if job_id not in jobs:
        raise KeyError(f"unknown job {job_id!r}; known: {', '.join(jobs)}")
    return jobs[job_id]


@dataclass(frozen=True, slots=True)
class RunResult:
    """How one attempt to run a job ended."""

    job: str
    outcome: str  # ok | error | skipped | interrupted
    counts: Counts
    run_id: int | None
    error: str | None = None


def slot_of(now: datetime) -> datetime:
    """The scheduled minute a run belongs to (cron jobs fire on minute boundaries)."""
    return now.astimezone(UTC).replace(second=0, microsecond=0)


async def _record_skip(conn: Any, job: Job, now: datetime, why: str) -> int:
    run_id: int = await conn.fetchval(
        "INSERT INTO job_runs (job, as_of, finished_at, outcome, error) "
        "VALUES ($1, $2, clock_timestamp(), 'skipped', $3) RETURNING id",
        job.id, now, why)
    return run_id


async def run_job(
    runtime: Runtime,
    job: Job,
    now: datetime,
    *,
    stopping: asyncio.Event | None = None,
    scheduled: bool = False,
) -> RunResult:
    """Run `job` once as of `now` under its advisory lock and record the run."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if scheduled:
        now = slot_of(now)
    async with runtime.pool.acquire() as lock_conn:
        got = await lock_conn.fetchval("SELECT pg_try_advisory_lock($1)", job.lock_key)
        if not got:
            run_id = await _record_skip(lock_conn, job, now, "another worker holds the lock")
            JOB_RUNS.inc(job=job.id, outcome="skipped")
            log.debug("%s skipped: another worker is running it", job.id,
                     extra={"job": job.id, "outcome": "skipped"})
            return RunResult(job.id, "skipped", {}, run_id)
        try:
            if scheduled and await lock_conn.fetchval(
                "SELECT true FROM job_runs WHERE job = $1 AND as_of = $2 AND outcome = 'ok'",
                job.id, now,
            ):
                run_id = await _record_skip(lock_conn, job, now, "this slot already ran")
                JOB_RUNS.inc(job=job.id, outcome="skipped")
                return RunResult(job.id, "skipped", {}, run_id)
            return await _run_locked(runtime, lock_conn, job, now, stopping)
        finally:
            with contextlib.suppress(Exception):
                await lock_conn.execute("SELECT pg_advisory_unlock($1)", job.lock_key)


async def _run_locked(
    runtime: Runtime, conn: Any, job: Job, now: datetime, stopping: asyncio.Event | None
) -> RunResult:
    run_id: int = await conn.fetchval(
        "INSERT INTO job_runs (job, as_of) VALUES ($1, $2) RETURNING id", job.id, now)
    ctx = JobContext(runtime, stopping or asyncio.Event(), jobs=JOBS)
    started = time.monotonic()
    outcome, error = "ok", None
    try:
        result = await job.func(ctx, now)
        if result:
            for k, v in result.items():
                ctx.counts[k] = v
    except JobInterrupted:
        outcome = "interrupted"
    except asyncio.CancelledError:
        outcome, error = "interrupted", "cancelled at shutdown"
        await asyncio.shield(_finish(conn, run_id, outcome, dict(ctx.counts), error))
        raise
    except Exception as exc:
        outcome, error = "error", f"{type(exc).__name__}: {exc}"[:1000]
        log.exception("%s failed", job.id, extra={"job": job.id})
    counts = dict(ctx.counts)
    await _finish(conn, run_id, outcome, counts, error)
    elapsed = time.monotonic() - started
    JOB_RUNS.inc(job=job.id, outcome=outcome)
    JOB_DURATION.observe(elapsed, job=job.id)
    log.log(
        logging.WARNING if outcome == "error" or elapsed > SLOW_RUN_SECONDS else logging.INFO,
        "%s %s", job.id, outcome,
        extra={"job": job.id, "outcome": outcome, "counts": counts,
               "duration_ms": round(elapsed * 1000), "as_of": now.isoformat()},
    )
    return RunResult(job.id, outcome, counts, run_id, error)


async def _finish(conn: Any, run_id: int, outcome: str, counts: Counts, error: str | None) -> None:
    await conn.execute(
        "UPDATE job_runs SET finished_at = clock_timestamp(), outcome = $2, counts = $3, "
        "error = $4 WHERE id = $1", run_id, outcome, counts, error)


async def last_runs(conn: Any, job_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The latest run of each job that was not skipped (or a skip, when that is all).

    A run without an outcome yet is reported as `running`.
    """
    rows = await conn.fetch(_LAST_RUNS, list(job_ids))
    return {r["job"]: dict(r) for r in rows}


# /health calls this with a 3 s timeout over 30 days of runs: one probe of the
# partial index job_runs_unskipped_idx per job, not a sort of every run. COALESCE
# evaluates its second argument only when the first is NULL, so the latest skip
# is looked up only for a job that has no other run (and then every run of it is
# a skip, so the first entry of job_runs_job_idx is the one).
_LAST_RUNS = (
    "SELECT r.job, r.started_at, r.finished_at, r.as_of, "
    "coalesce(r.outcome, 'running') AS outcome, r.counts, r.error "
    "FROM unnest($1::text[]) AS j (job) "
    "CROSS JOIN LATERAL (SELECT coalesce("
    "  (SELECT id FROM job_runs WHERE job = j.job AND outcome IS DISTINCT FROM 'skipped' "
    "   ORDER BY started_at DESC LIMIT 1), "
    "  (SELECT id FROM job_runs WHERE job = j.job "
    "   ORDER BY started_at DESC LIMIT 1)) AS id) latest "
    "JOIN job_runs r ON r.id = latest.id"
)


class Scheduled:
    """The scheduler component: registers every job and stops them gracefully."""

    def __init__(self, runtime: Runtime, jobs: Iterable[Job] | None = None) -> None:
        self.runtime = runtime
        self.jobs = list(jobs) if jobs is not None else list(registry().values())
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task[Any]] = set()
        self.last: dict[str, RunResult] = {}

    def register(self, scheduler: AsyncIOScheduler) -> None:
        """Add each job with an explicit id (replacing any previous registration)."""
        for job in self.jobs:
            scheduler.add_job(
                self.fire, job.trigger(), args=[job.id], id=job.id, name=job.id,
                replace_existing=True, coalesce=True, max_instances=1,
                misfire_grace_time=120,
            )
            log.info("%s initialized", job.id,
                     extra={"job": job.id, "schedule": job.schedule})

    async def fire(self, job_id: str) -> None:
        """What APScheduler calls: one scheduled run, tracked for shutdown."""
        if self.stopping.is_set():
            return
        job = next(j for j in self.jobs if j.id == job_id)
        task = asyncio.current_task()
        if task is not None:
            self.running.add(task)
        try:
            self.last[job_id] = await run_job(
                self.runtime, job, datetime.now(UTC), stopping=self.stopping, scheduled=True)
        except Exception:
            # The job's own failures are recorded by run_job; this is the database
            # itself failing (no connection): log and let the next slot retry.
            log.exception("%s could not run", job_id, extra={"job": job_id})
        finally:
            if task is not None:
                self.running.discard(task)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Ask running jobs to stop at their next checkpoint; cancel them after `grace`."""
        self.stopping.set()
        pending = {t for t in self.running if not t.done()}
        if not pending:
            return
        log.info("waiting for %d running job(s)", len(pending))
        _, late = await asyncio.wait(pending, timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=5)


async def start_scheduler(
    runtime: Runtime, scheduler: AsyncIOScheduler
) -> Callable[[], Awaitable[None]]:
    """Worker component: register every job on the scheduler."""
    component = Scheduled(runtime)
    component.register(scheduler)
    return component.stop

