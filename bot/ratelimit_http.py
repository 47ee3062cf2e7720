"""Request rate limits held in Redis, so they hold across every web instance.

A fixed window per client: the first request opens a window of `window`
seconds (its expiry set in Redis, so instances never disagree about clocks),
each request counts, and past `limit` the caller is refused until the window
closes, with the remaining seconds as `Retry-After`. This is the behaviour of
the original system (express-rate-limit: 100 requests per 15 minutes per IP).

Redis being unreachable never takes the API down with it: the limiter then
allows the request and logs a warning (the data it protects is in Postgres).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.kv import Keys
from bot.metrics import RATE_LIMITED

log = logging.getLogger(__name__)

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
