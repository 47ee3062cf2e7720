"""Token buckets in Redis, shared by every process that sends to WhatsApp.

One Lua call refills the bucket from Redis's own clock (so processes with
skewed clocks agree) and either takes a token or says how long to wait.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as redis

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
        """Take one token now if there is one: 0.0, else the seconds until there will be."""
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
