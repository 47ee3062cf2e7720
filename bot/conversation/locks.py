"""Per-sender locks in Redis: one message of a sender is handled at a time.

Any web instance may receive any sender's message, so the lock lives in Redis:
- token-owned: only the holder's token can release or extend it (compare-and-
  delete in Lua), so a holder whose lock expired never frees someone else's;
- expiring: a crashed holder frees the sender after `ttl`; a live holder keeps
  extending it while it works;
- fair: waiters queue in arrival order (a Redis list) and the lock goes to the
  head of the queue. A waiter that stops polling (crashed) drops out of the
  queue after `waiter_ttl`, so it never blocks the others. No waiter is dropped
  while it waits; one that waits longer than `wait_timeout` gets `LockTimeout`
  (the webhook answers 503 and WhatsApp redelivers the message later).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass

import redis.asyncio as redis

from bot.kv import Keys
from bot.metrics import LOCK_WAIT

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
for _, w in ipairs(stale) do
  redis.call('LREM', KEYS[2], 0, w)
  redis.call('ZREM', KEYS[3], w)
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  local head = redis.call('LINDEX', KEYS[2], 0)
  if (not head) or head == ARGV[1] then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    if head == ARGV[1] then redis.call('LPOP', KEYS[2]) end
    redis.call('ZREM', KEYS[3], ARGV[1])
    if KEYS[4] then return {1, redis.call('GET', KEYS[4])} end
    return 1
  end
end
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('RPUSH', KEYS[2], ARGV[1])
end
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) * 4)
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3]) * 4)
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


@dataclass(slots=True)
class Held:
    """A sender lock being held: its key and owner token, and the value read with it."""

    key: str
    token: str
    value: bytes | None
    released: bool = False  # freed already, by a script that did other work as well


class LockTimeout(Exception):
    """The sender's lock could not be had in time (the caller should answer 503)."""


class LockLost(Exception):
    """The lock expired while held (the holder stalled longer than its ttl)."""


class SenderLocks:
    """Fair, expiring, token-owned locks keyed by sender id."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        *,
        ttl: float = 30.0,
        wait_timeout: float = 20.0,
        waiter_ttl: float = 5.0,
    ) -> None:
        self._redis = client
        self._keys = keys
        self._ttl_ms = int(ttl * 1000)
        self._wait_timeout = wait_timeout
        self._waiter_ttl_ms = int(waiter_ttl * 1000)
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    async def acquire(self, sender: str) -> str:
        """Wait in line for the sender's lock; return the owner token."""
        return (await self._acquire_reading(sender, None))[0]

    async def _acquire_reading(self, sender: str, read: str | None) -> tuple[str, bytes | None]:
        """Wait in line for the lock; the owner token, and key `read`'s value as of taking it."""
        token = secrets.token_hex(16)
        keys = [self._keys.lock(sender), self._keys.lock_queue(sender),
                self._keys.lock_waiters(sender)]
        if read is not None:
            keys.append(read)
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        started = loop.time()
        deadline = started + self._wait_timeout
        delay = 0.002
        try:
            while True:
                got = await self._acquire(keys=keys,
                                          args=[token, self._ttl_ms, self._waiter_ttl_ms])
                if task is not None and task.cancelling():
                    # redis-py can swallow a cancellation that lands mid-command;
                    # a cancelled waiter must not walk away holding the lock.
                    raise asyncio.CancelledError
                if got == 1 or isinstance(got, list):
                    LOCK_WAIT.observe(loop.time() - started, outcome="acquired")
                    return token, (got[1] if isinstance(got, list) else None)
                if loop.time() >= deadline:
                    LOCK_WAIT.observe(loop.time() - started, outcome="timeout")
                    raise LockTimeout(
                        f"sender {sender} stayed locked for {self._wait_timeout:.0f}s")
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, 0.05)
        except BaseException:
            await self._abandon(keys, token)
            raise

    async def _abandon(self, keys: list[str], token: str) -> None:
        """Leave the queue, and free the lock if this token got it after all."""
        with contextlib.suppress(redis.RedisError, OSError, asyncio.CancelledError):
            await self._redis.lrem(keys[1], 0, token)
            await self._redis.zrem(keys[2], token)
            await self._release(keys=[keys[0]], args=[token])

    async def release(self, sender: str, token: str) -> bool:
        """Free the lock if `token` still owns it."""
        return bool(await self._release(keys=[self._keys.lock(sender)], args=[token]))

    async def extend(self, sender: str, token: str) -> bool:
        """Push the expiry out again; False if the lock is no longer ours."""
        return bool(await self._extend(keys=[self._keys.lock(sender)],
                                       args=[token, self._ttl_ms]))

    @contextlib.asynccontextmanager
    async def hold(self, sender: str, *, read: str | None = None) -> AsyncIterator[Held]:
        """Hold the sender's lock for the block, extending it while the block runs.

        With `read`, `Held.value` is that key's value as of taking the lock (None
        if absent), read in the same round trip: what the holder reads first
        anyway (the sender's session) costs nothing more. A script that frees
        the lock itself (`sessions.release_with_save`) marks it released, and
        the block's end then sends nothing.
        """
        token, value = await self._acquire_reading(sender, read)
        held = Held(self._keys.lock(sender), token, value)
        keeper = asyncio.get_running_loop().create_task(self._keep(sender, token))
        try:
            yield held
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            if not held.released:
                with contextlib.suppress(redis.RedisError):
                    # If Redis is gone the lock simply expires after its ttl.
                    await self.release(sender, token)

    async def _keep(self, sender: str, token: str) -> None:
        interval = self._ttl_ms / 3000
        task = asyncio.current_task()
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(redis.RedisError):
                if not await self.extend(sender, token):
                    return
            if task is not None and task.cancelling():
                # redis-py can swallow a cancellation that lands mid-command; a
                # keeper that went on would keep the sender locked for good, and
                # `hold` waiting for it would never return.
                raise asyncio.CancelledError
