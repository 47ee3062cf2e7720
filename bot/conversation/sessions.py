"""A generic Redis session store: one pydantic model per phone, with an idle TTL.

Every save and delete also keeps an index (issue 19): a sorted set of phones by
last activity, which operator listings read a page at a time instead of
scanning every session, and a sorted set of expiry times, by which sessions
Redis has expired drop out of the index. Both are written in the same Lua
script as the session, so the index never names a session saved after it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import redis.asyncio as redis
from pydantic import BaseModel, ValidationError

from bot.conversation.locks import Held
from bot.kv import Keys

M = TypeVar("M", bound=BaseModel)

# Expired entries trimmed per script call: bounded work on every save.
TRIM_BATCH = 200

# KEYS: session key, activity index, expiry index[, sender lock].
# ARGV: data, ttl ms, phone, activity ms, now ms, session key prefix, trim batch[, lock token].
# With the lock, the save also frees it (compare-and-delete, as SenderLocks.release):
# a worker's last message of a batch saves the session and lets go in one round trip.
# The save also trims a bounded batch of expired entries (same rules as _TRIM),
# so the index stays the size of the live sessions even if nobody lists them,
# at no extra round trip per message.
_SAVE = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
local now = tonumber(ARGV[5])
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), ARGV[3])
local due = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, ARGV[7])
for _, phone in ipairs(due) do
  local ttl = redis.call('PTTL', ARGV[6] .. phone)
  if ttl == -2 then
    redis.call('ZREM', KEYS[2], phone)
    redis.call('ZREM', KEYS[3], phone)
  elseif ttl == -1 then
    redis.call('ZREM', KEYS[3], phone)
  else
    redis.call('ZADD', KEYS[3], now + ttl, phone)
  end
end
if KEYS[4] and redis.call('GET', KEYS[4]) == ARGV[8] then
  redis.call('DEL', KEYS[4])
end
"""

# KEYS: activity index, expiry index. ARGV: now ms, session key prefix, batch.
# Entries due to expire whose key is really gone leave both sets; an entry whose
# key lives on (re-saved, or written with a longer TTL) gets its real expiry.
_TRIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
local removed = 0
for _, phone in ipairs(due) do
  local ttl = redis.call('PTTL', ARGV[2] .. phone)
  if ttl == -2 then
    redis.call('ZREM', KEYS[1], phone)
    redis.call('ZREM', KEYS[2], phone)
    removed = removed + 1
  elseif ttl == -1 then
    redis.call('ZREM', KEYS[2], phone)
  else
    redis.call('ZADD', KEYS[2], tonumber(ARGV[1]) + ttl, phone)
  end
end
return {#due, removed}
"""

_DELETE = """
local n = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return n
"""


# A session value read ahead (key, raw value or None), by the sender lock's
# acquire: loads of that key use it until this context saves or deletes it.
_read_ahead: contextvars.ContextVar[tuple[str, bytes | None] | None] = contextvars.ContextVar(
    "session_read_ahead", default=None)


@contextlib.contextmanager
def read_ahead(key: str, raw: bytes | None) -> Iterator[None]:
    """Let loads of `key` in this block use `raw`, read while holding the sender's lock.

    Only the holder of the sender's lock writes the session, so until it saves,
    the value read when the lock was taken is what a GET would return.
    """
    token = _read_ahead.set((key, raw))
    try:
        yield
    finally:
        _read_ahead.reset(token)


# The sender lock the next session save in this context frees in its own script.
_release_with: contextvars.ContextVar[Held | None] = contextvars.ContextVar(
    "session_release_with", default=None)


@contextlib.contextmanager
def release_with_save(held: Held) -> Iterator[None]:
    """Let the next session save in this block free `held` in the same round trip.

    For the last message a worker handles under the lock: its session save is
    the last thing done under it. Without a save the lock is freed as usual.
    """
    token = _release_with.set(held)
    try:
        yield
    finally:
        _release_with.reset(token)


def _forget_read_ahead(key: str) -> None:
    ahead = _read_ahead.get()
    if ahead is not None and ahead[0] == key:
        _read_ahead.set(None)


def _ms(at: dt.datetime) -> int:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return int(at.timestamp() * 1000)


def activity_ms(data: Any, default_ms: int) -> int:
    """A session's `last_activity` (ISO text or datetime) in ms, else `default_ms`."""
    raw = data.get("last_activity") if isinstance(data, dict) else getattr(
        data, "last_activity", None)
    if isinstance(raw, str):
        try:
            raw = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return default_ms
    return _ms(raw) if isinstance(raw, dt.datetime) else default_ms


@dataclass(frozen=True, slots=True)
class IndexedSession:
    """One entry of a listing page: the raw session value and its TTL in ms."""

    phone: str
    raw: bytes
    ttl_ms: int


class SessionIndex:
    """The listing index of sessions, shared by the store, the admin views and the sweeper."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys
        self._trim = client.register_script(_TRIM)
        self._delete = client.register_script(_DELETE)

    async def forget(self, phone: str) -> bool:
        """Delete the session and its index entries; whether there was a session."""
        keys = [self._keys.session(phone), self._keys.session_index(),
                self._keys.session_expiry()]
        return bool(await self._delete(keys=keys, args=[phone]))

    async def trim(self, now_ms: int | None = None) -> int:
        """Drop every expired session from the index; the number dropped."""
        now = int(time.time() * 1000) if now_ms is None else now_ms
        removed = 0
        while True:
            due, gone = await self._trim(
                keys=[self._keys.session_index(), self._keys.session_expiry()],
                args=[now, self._keys.session(""), TRIM_BATCH])
            removed += int(gone)
            if int(due) < TRIM_BATCH:
                return removed

    async def add(self, phone: str, *, activity: int, expires_at: int) -> None:
        """Index a session written without the store (a backfill, an older release)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self._keys.session_index(), {phone: activity})
            pipe.zadd(self._keys.session_expiry(), {phone: expires_at})
            await pipe.execute()

    async def contains(self, phone: str) -> bool:
        """Whether the phone is in the index."""
        return await self._redis.zscore(self._keys.session_index(), phone) is not None

    async def newest(self, *, active_before_ms: int | None = None, offset: int = 0,
                     count: int = 100) -> tuple[list[IndexedSession], int]:
        """A page of live sessions, most recently active first (optionally idle since),
        and how many index entries it read (fewer than `count`: the index ended)."""
        top: int | str = "+inf" if active_before_ms is None else active_before_ms
        phones = [_text(p) for p in await self._redis.zrevrangebyscore(
            self._keys.session_index(), top, "-inf", start=offset, num=count)]
        if not phones:
            return [], 0
        async with self._redis.pipeline(transaction=False) as pipe:
            for phone in phones:
                key = self._keys.session(phone)
                pipe.get(key)
                pipe.pttl(key)
            got = await pipe.execute()
        page = []
        for i, phone in enumerate(phones):
            raw, ttl = got[2 * i], got[2 * i + 1]
            if raw is not None:  # deleted behind the store's back: skipped, trimmed later
                page.append(IndexedSession(phone, raw, int(ttl)))
        return page, len(phones)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SessionStore(Generic[M]):
    """Load, save and delete `model_type` sessions keyed by phone (JSON via orjson)."""

    def __init__(self, client: redis.Redis, keys: Keys, model_type: type[M], ttl: float) -> None:
        self._redis = client
        self._keys = keys
        self._model = model_type
        self._ttl_ms = int(ttl * 1000)
        self._save = client.register_script(_SAVE)
        self._index = SessionIndex(client, keys)

    async def load(self, phone: str) -> M | None:
        """The saved session, or None if there is none (or it no longer fits the model)."""
        key = self._keys.session(phone)
        ahead = _read_ahead.get()
        raw = ahead[1] if ahead is not None and ahead[0] == key else await self._redis.get(key)
        if raw is None:
            return None
        try:
            return self._model.model_validate(orjson.loads(raw))
        except (orjson.JSONDecodeError, ValidationError):
            # A session written by an older release is dropped, not a crash:
            # the conversation starts over, nothing of value is in Redis.
            return None

    async def save(self, phone: str, model: M) -> None:
        """Store the session, restart its idle TTL and index it by last activity."""
        data = orjson.dumps(model.model_dump(mode="json"))
        _forget_read_ahead(self._keys.session(phone))
        now = int(time.time() * 1000)
        keys = [self._keys.session(phone), self._keys.session_index(),
                self._keys.session_expiry()]
        args: list[bytes | str | int | float] = [
            data, self._ttl_ms, phone, activity_ms(model, now), now, self._keys.session(""),
            TRIM_BATCH]
        held = _release_with.get()
        if held is not None and not held.released:
            keys.append(held.key)
            args.append(held.token)
        await self._save(keys=keys, args=args)
        if held is not None:
            held.released = True

    async def delete(self, phone: str) -> bool:
        """Forget the session (and its index entry); whether there was one."""
        _forget_read_ahead(self._keys.session(phone))
        return await self._index.forget(phone)
