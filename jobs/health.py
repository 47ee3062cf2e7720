"""The worker's health endpoint (`WORKER_HEALTH_PORT`, default 10001).

`GET /metrics`: this process's Prometheus metrics (sends, job runs, ...).
`GET /health` (and `/`): 200 with the scheduler's state, each job's last
outcome and the outbox dispatcher's lag; 503 when the scheduler is not
running or the outbox has had a message due for more than a minute that no
dispatcher has picked up (the dispatcher is stuck or gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, STATE_STOPPED

from bot.lifecycle import bound_port, serving
from bot.metrics_endpoint import metrics_handler
from bot.runtime import Runtime
from jobs.runner import last_runs, registry

log = logging.getLogger(__name__)

STUCK_AFTER_SECONDS = 60.0
_STATES = {STATE_RUNNING: "running", STATE_PAUSED: "paused", STATE_STOPPED: "stopped"}
_TIMEOUT = 3.0


async def dispatcher_lag(conn: Any) -> float:
    """Seconds the oldest sendable outbox row has waited (0 when none).

    A row is sendable when it is due (or its claim's lease ran out) and no
    earlier row to the same recipient is still waiting: rows held behind a
    message in back-off are waiting on purpose, not on a stuck dispatcher.
    """
    lag = await conn.fetchval(
        "SELECT extract(epoch FROM now() - min(CASE WHEN o.status = 'pending' "
        "THEN o.next_attempt_at ELSE o.claimed_until END)) FROM outbox o "
        "WHERE ((o.status = 'pending' AND o.next_attempt_at <= now()) "
        "    OR (o.status = 'sending' AND o.claimed_until < now())) "
        "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.recipient = o.recipient "
        "    AND e.id < o.id AND e.status IN ('pending', 'sending'))")
    return max(0.0, float(lag or 0))


def make_app(runtime: Runtime, scheduler: AsyncIOScheduler) -> web.Application:
    """The health application for one worker."""

    async def health(request: web.Request) -> web.Response:
        state = _STATES.get(scheduler.state, str(scheduler.state))
        body: dict[str, Any] = {
            "status": "ok", "scheduler": state,
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        problems = []
        if scheduler.state != STATE_RUNNING:
            problems.append("scheduler not running")
        try:
            async with runtime.pool.acquire(timeout=_TIMEOUT) as conn:
                lag = await asyncio.wait_for(dispatcher_lag(conn), _TIMEOUT)
                jobs = registry()
                runs = await asyncio.wait_for(last_runs(conn, jobs), _TIMEOUT)
        except Exception as exc:
            problems.append(f"postgres unavailable: {type(exc).__name__}")
        else:
            body["dispatcher_lag_seconds"] = round(lag, 1)
            if lag > STUCK_AFTER_SECONDS:
                problems.append(f"outbox dispatcher stuck for {lag:.0f}s")
            next_runs = {j.id: j.next_run_time for j in scheduler.get_jobs()}
            body["jobs"] = {
                job_id: {
                    "schedule": job.schedule,
                    "last_outcome": runs.get(job_id, {}).get("outcome"),
                    "last_run": _iso(runs.get(job_id, {}).get("started_at")),
                    "next_run": _iso(next_runs.get(job_id)),
                }
                for job_id, job in jobs.items()
            }
        if problems:
            body["status"] = "unhealthy"
            body["problems"] = problems
        return web.json_response(body, status=503 if problems else 200)

    app = web.Application()
    app.router.add_get("/health", health)
    app.router.add_get("/", health)
    # Sends, job runs and lock waits are counted in the worker process: scrape it here.
    app.router.add_get("/metrics", metrics_handler(lambda _request: runtime))
    return app


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


async def start_health(
    runtime: Runtime, scheduler: AsyncIOScheduler
) -> Callable[[], Awaitable[None]]:
    """Worker component: serve the health endpoint until the worker stops."""
    port = runtime.settings.worker_health_port
    served = contextlib.AsyncExitStack()
    try:
        runner = await served.enter_async_context(
            serving(make_app(runtime, scheduler), runtime.settings.host, port))
    except OSError as exc:
        # The jobs matter more than their health page: a taken port (a second
        # worker or the demo on one machine) is reported, not fatal.
        log.error("worker health endpoint not started on port %s: %s", port, exc,
                  extra={"port": port})
        return served.aclose
    log.info("worker health listening", extra={"port": bound_port(runner) or port})
    return served.aclose
