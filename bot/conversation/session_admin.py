"""Conversations as operators see them: list, show and reset Redis sessions.

Shared by `khaacho sessions …` and `/api/admin/sessions…` so both read the
same thing. Sessions may be lost without losing money (design), so a reset
only forgets the conversation in progress; it is audited all the same.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from typing import Any

import orjson

from bot.conversation.locks import SenderLocks
from bot.conversation.sessions import SessionIndex
from bot.runtime import Runtime
from bot.services.operator_actions import audit


async def read_session(rt: Runtime, phone: str) -> tuple[dict[str, Any] | None, int]:
    """(session data, ttl in ms); (None, -2) when there is none."""
    key = rt.keys.session(phone)
    raw = await rt.redis.get(key)
    if raw is None:
        return None, -2
    ttl = await rt.redis.pttl(key)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = {"unreadable": _text(raw)[:500]}
    return (data if isinstance(data, dict) else {"value": data}), int(ttl)


def _text(raw: bytes | str) -> str:
    """A Redis value as text (the client returns bytes; a decoding client, str)."""
    return raw.decode(errors="replace") if isinstance(raw, bytes) else raw


def _idle_minutes(data: dict[str, Any], now: dt.datetime) -> float | None:
    raw = data.get("last_activity")
    if not isinstance(raw, str):
        return None
    try:
        at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return max(0.0, (now - at).total_seconds() / 60)


def summary(phone: str, data: dict[str, Any], ttl_ms: int, now: dt.datetime) -> dict[str, Any]:
    """One line of `sessions list`."""
    idle = _idle_minutes(data, now)
    return {
        "phone": phone,
        "state": data.get("state"),
        "language": data.get("language"),
        "cart_lines": len(data.get("cart") or []),
        "questions": len(data.get("questions") or []),
        "last_activity": data.get("last_activity"),
        "idle_minutes": round(idle, 1) if idle is not None else None,
        "expires_in_s": round(ttl_ms / 1000) if ttl_ms >= 0 else None,
    }


# Index entries read per round trip while a filter (state) skips some.
PAGE = 100


async def list_sessions(rt: Runtime, *, state: str | None = None,
                        idle_over: float | None = None, limit: int = 200
                        ) -> list[dict[str, Any]]:
    """Live sessions, most recently active first, by state and/or idle for over N minutes.

    Reads the activity index a page at a time (bot/conversation/sessions.py):
    without a state filter that is `limit` sessions, whatever the total; idle
    time is a score range. A state filter reads further pages until `limit`
    sessions match or the index ends.
    """
    now = dt.datetime.now(dt.UTC)
    index = SessionIndex(rt.redis, rt.keys)
    await index.trim()
    before: int | None = None
    if idle_over is not None:
        cutoff = now.timestamp() * 1000 - idle_over * 60_000
        # Idle for longer than the epoch (a huge or infinite filter): nobody is.
        before = int(cutoff) if math.isfinite(cutoff) and cutoff > 0 else -1
    rows: list[dict[str, Any]] = []
    offset = 0
    while len(rows) < limit:
        count = min(PAGE, limit - len(rows)) if state is None else PAGE
        page, read = await index.newest(active_before_ms=before, offset=offset, count=count)
        offset += count
        for entry in page:
            try:
                data = orjson.loads(entry.raw)
            except orjson.JSONDecodeError:
                data = {"unreadable": _text(entry.raw)[:500]}
            if not isinstance(data, dict):
                data = {"value": data}
            if state and data.get("state") != state:
                continue
            rows.append(summary(entry.phone, data, entry.ttl_ms, now))
            if len(rows) == limit:
                break
        if read < count:
            break
    return rows


async def show_session(rt: Runtime, phone: str) -> dict[str, Any] | None:
    """The whole session and who holds the sender's lock; None when neither exists."""
    data, ttl = await read_session(rt, phone)
    holder = await rt.redis.get(rt.keys.lock(phone))
    lock: dict[str, Any] | None = None
    if holder is not None:
        lock_ttl = await rt.redis.pttl(rt.keys.lock(phone))
        waiting = await rt.redis.llen(rt.keys.lock_queue(phone))
        # The holder re-arms the expiry every third of its ttl: the age Redis can
        # tell is the time since the last re-arm.
        ttl_s = inspect.signature(SenderLocks.__init__).parameters["ttl"].default
        held_for = max(0.0, ttl_s - lock_ttl / 1000) if lock_ttl >= 0 else None
        lock = {"holder": _text(holder),
                "age_s": round(held_for, 1) if held_for is not None else None,
                "expires_in_s": round(lock_ttl / 1000, 1) if lock_ttl >= 0 else None,
                "waiting": int(waiting)}
    if data is None and lock is None:
        return None
    return {"phone": phone, "session": data,
            "expires_in_s": round(ttl / 1000) if ttl >= 0 else None, "lock": lock}


async def reset_session(rt: Runtime, phone: str, *, actor: str,
                        context: dict[str, Any] | None = None) -> bool:
    """Forget a conversation in progress (audited); False when there was none."""
    data, _ = await read_session(rt, phone)
    deleted = await SessionIndex(rt.redis, rt.keys).forget(phone)
    if deleted:
        async with rt.pool.acquire() as conn:
            await audit(conn, actor=actor, action="session.reset", target=f"phone:{phone}",
                        details={"state": (data or {}).get("state"),
                                 "cart_lines": len((data or {}).get("cart") or []),
                                 **(context or {})})
    return deleted
