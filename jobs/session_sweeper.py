"""session-sweeper: keep the last state of a conversation before Redis forgets it.

Sessions live in Redis with an idle TTL (`SESSION_TTL_HOURS`). Every few
minutes the sweeper archives each session due to expire before its next run
into `session_archive` (phone, state, the whole session), so operators can
still see where a conversation ended. A session archived once is not
archived again unless it changed. It also indexes any live session the
listing index does not name (saved before the index existed), so operator
listings are whole again within one run of a deploy.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import orjson
from redis.asyncio import Redis

from bot.conversation.sessions import SessionIndex, activity_ms
from jobs.job import Job, JobContext

SWEEP_MINUTES = 5
# Archive what expires before the run after next: one missed run loses nothing.
AHEAD_MS = 2 * SWEEP_MINUTES * 60 * 1000 + 60_000


async def run(ctx: JobContext, now: datetime) -> None:
    """Archive the sessions about to expire."""
    rt = ctx.runtime
    index = SessionIndex(rt.redis, rt.keys)
    prefix = rt.keys.session("")
    async with rt.pool.acquire() as conn:
        async for key in rt.redis.scan_iter(match=rt.keys.session_pattern(), count=500):
            ttl = await rt.redis.pttl(key)
            phone = (key if isinstance(key, str) else key.decode())[len(prefix):]
            if ttl >= 0 and not await index.contains(phone):
                await _backfill(index, rt.redis, key, phone, ttl)
            if ttl == -2 or ttl > AHEAD_MS:  # gone already, or not expiring soon
                continue
            raw = await rt.redis.get(key)
            if raw is None:
                continue
            try:
                data: Any = orjson.loads(raw)
            except orjson.JSONDecodeError:
                text = raw if isinstance(raw, str) else raw.decode(errors="replace")
                data = {"unreadable": text[:2000]}
            state = str(data.get("state", "unknown")) if isinstance(data, dict) else "unknown"
            if not isinstance(data, dict):
                data = {"value": data}
            inserted = await conn.fetchval(
                "INSERT INTO session_archive (phone, state, data, archived_at) "
                "SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM session_archive "
                "WHERE phone = $1 AND data = $3::jsonb) RETURNING id", phone, state, data, now)
            ctx.add("archived" if inserted else "already_archived")
    ctx.checkpoint()


async def _backfill(index: SessionIndex, client: Redis, key: bytes | str, phone: str,
                    ttl_ms: int) -> None:
    """Index a session saved before the listing index existed (or behind the store's back),
    so listings see every live session within one run of a deploy."""
    raw = await client.get(key)
    if raw is None:
        return
    now = int(time.time() * 1000)
    try:
        data: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    await index.add(phone, activity=activity_ms(data, now), expires_at=now + ttl_ms)


JOB = Job("session-sweeper", {"minute": f"*/{SWEEP_MINUTES}"}, run,
          "archive the last state of sessions about to expire from Redis")
