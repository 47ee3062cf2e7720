"""Liveness and readiness: what Render and an on-call engineer ask first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web

from bot.store import inbox as inbox_store
from bot.web.keys import RUNTIME

_CHECK_TIMEOUT = 2.0


async def health(request: web.Request) -> web.Response:
    """The process is up; touches nothing else so a slow database never fails it."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return web.json_response({"status": "ok", "timestamp": now})


async def ready(request: web.Request) -> web.Response:
    """200 only when Postgres and Redis both answer; 503 naming what failed.

    The inbox backlog rides along: `"status": "degraded"` (still 200, the
    process can serve) when the oldest unhandled message is older than
    INBOX_DEGRADED_SECONDS, so an operator sees the workers falling behind.
    """
    rt = request.app[RUNTIME]
    checks: dict[str, str] = {}
    backlog: list[inbox_store.Backlog] = []

    async def postgres() -> None:
        async with rt.pool.acquire(timeout=_CHECK_TIMEOUT) as conn:
            backlog.append(await inbox_store.backlog(conn))

    async def redis() -> None:
        await rt.redis.ping()

    for name, check in (("postgres", postgres), ("redis", redis)):
        try:
            await asyncio.wait_for(check(), _CHECK_TIMEOUT)
            checks[name] = "ok"
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    failed = [k for k, v in checks.items() if v != "ok"]
    body: dict[str, object] = {"status": "ready" if ok else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    if backlog:
        b = backlog[0]
        body["inbox"] = {"pending": b.pending, "dead": b.dead, "statuses": b.statuses,
                         "oldest_pending_seconds": round(b.oldest_pending_seconds, 1)}
        if ok and b.oldest_pending_seconds > rt.settings.inbox_degraded_seconds:
            body["status"] = "degraded"
    return web.json_response(body, status=200 if ok else 503)


def setup(app: web.Application) -> None:
    """Add the health routes."""
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/ready", ready)
