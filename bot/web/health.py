"""Liveness and readiness: what Render and an on-call engineer ask first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web

from bot.web.keys import RUNTIME

_CHECK_TIMEOUT = 2.0


async def health(request: web.Request) -> web.Response:
    """The process is up; touches nothing else so a slow database never fails it."""
    now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return web.json_response({"status": "ok", "timestamp": now})


async def ready(request: web.Request) -> web.Response:
    """200 only when Postgres and Redis both answer; 503 naming what failed."""
    rt = request.app[RUNTIME]
    checks: dict[str, str] = {}

    async def postgres() -> None:
        async with rt.pool.acquire(timeout=_CHECK_TIMEOUT) as conn:
            await conn.fetchval("SELECT 1")

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
    body = {"status": "ready" if ok else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    return web.json_response(body, status=200 if ok else 503)


def setup(app: web.Application) -> None:
    """Add the health routes."""
    app.router.add_get("/api/health", health)
    app.router.add_get("/api/ready", ready)
