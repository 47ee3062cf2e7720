"""Rate limits held in Redis, so they hold across every process and instance.

Two shapes, one per purpose:
- `RateLimiter`: a fixed window per client for requests we receive (the admin
  API per IP, webhook messages per sender). The first request opens a window
  of `window` seconds (its expiry set in Redis, so instances never disagree
  about clocks), each request counts, and past `limit` the caller is refused
  until the window closes, with the remaining seconds as `Retry-After` (the
  behaviour of the original system: express-rate-limit, 100 requests per 15
  minutes per IP). Redis being unreachable never takes the API down with it:
  the limiter then allows the request and logs a warning (the data it protects
  is in Postgres).
- `TokenBucket`: a smooth rate for what we send (WhatsApp's per-number
  throughput, the pause between two messages to one recipient), shared by
  every dispatcher. One Lua call refills the bucket from Redis's own clock
  (so processes with skewed clocks agree) and either takes a token or says
  how long to wait. Here Redis errors reach the caller: the dispatcher then
  defers the message rather than send it unmetered.
Each runs one script per call, so a check and its count are one round trip
and never race between instances.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.kv import Keys
from bot.metrics import RATE_LIMITED

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- receiving

# One round trip: count, open the window on the first hit, report what is left.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    """The limiter's answer for one request."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds until the window closes (>= 1)
    first_refusal: bool = False  # the request that crossed the limit in this window

    def headers(self) -> dict[str, str]:
        """`RateLimit-*` headers (the draft standard express-rate-limit sends) + Retry-After."""
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.retry_after),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class RateLimiter:
    """`limit` hits per `window` seconds per caller, under `scope`."""

    def __init__(
        self, client: redis.Redis, keys: Keys, scope: str, *, limit: int, window: float
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self._redis = client
        self._keys = keys
        self.scope = scope
        self.limit = limit
        self.window_ms = int(window * 1000)
        self._script = client.register_script(_HIT)

    async def hit(self, who: str) -> Decision:
        """Count one request by `who` and say whether it may proceed."""
        try:
            count, ttl_ms = await self._script(
                keys=[self._keys.ratelimit(self.scope, who)], args=[self.window_ms]
            )
        except (RedisError, OSError) as exc:
            log.warning("rate limiter unavailable, allowing",
                        extra={"scope": self.scope, "error": type(exc).__name__})
            return Decision(True, self.limit, self.limit, math.ceil(self.window_ms / 1000))
        count = int(count)
        retry = max(1, math.ceil(int(ttl_ms) / 1000))
        allowed = count <= self.limit
        if not allowed:
            RATE_LIMITED.inc(scope=self.scope)
        return Decision(allowed, self.limit, max(0, self.limit - count), retry,
                        first_refusal=count == self.limit + 1)


# ---------------------------------------------------------------- sending

_TAKE = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate / 1000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
return wait
"""


class TokenBucket:
    """`rate` tokens per second, at most `capacity` saved up, under one Redis key."""

    def __init__(self, client: redis.Redis, key: str, rate: float, capacity: float) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.key = key
        self.rate = rate
        self.capacity = capacity
        self._take = client.register_script(_TAKE)

    async def try_take(self, key: str | None = None) -> float:
        """Take one token now if there is one: 0.0, else the seconds until there will be.

        `key` takes from another bucket of the same rate and capacity (one per
        recipient for pacing) instead of this one's own key.
        """
        wait_ms = await self._take(keys=[key or self.key], args=[self.rate, self.capacity])
        return int(wait_ms) / 1000

    async def take(self, key: str | None = None) -> None:
        """Wait until a token is had."""
        while True:
            wait = await self.try_take(key)
            if wait <= 0:
                return
            await asyncio.sleep(wait)


def per_number_bucket(client: redis.Redis, key: str, max_mps: float) -> TokenBucket:
    """A bucket that keeps every one-second window under `max_mps` messages.

    In any window of one second a bucket releases at most `capacity + rate`
    tokens, so the small burst allowance is taken out of the refill rate, and
    5 % is left as headroom for network jitter between us and Meta's counter.
    """
    capacity = max(1.0, max_mps * 0.05)
    rate = max_mps * 0.95 - capacity
    if rate <= 0:
        rate = max_mps * 0.5
    return TokenBucket(client, key, rate, capacity)
