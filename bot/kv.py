"""Redis: the connection and the key names everything else uses.

Redis only holds what may be lost without losing money (sessions, locks,
duplicate guards, the catalogue version, rate-limit buckets), so every key
goes through `Keys`, which applies one prefix per deployment (and per test run).
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as redis


class RedisUnavailable(Exception):
    """Redis could not be reached."""


def create_redis(url: str, *, max_connections: int = 64) -> redis.Redis:
    """A Redis client with a bounded pool and short timeouts (fail fast → 503).

    The pool blocks (up to `timeout`) when every connection is in use, so a
    burst of webhooks queues for a connection instead of failing with
    "too many connections".
    """
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5,
        socket_connect_timeout=3,
        socket_timeout=5,
        health_check_interval=30,
        decode_responses=False,
    )
    return redis.Redis.from_pool(pool)


@dataclass(frozen=True, slots=True)
class Keys:
    """Names of every Redis key, under one prefix."""

    prefix: str = "khaacho:"

    def session(self, phone: str) -> str:
        return f"{self.prefix}session:{phone}"

    def session_pattern(self) -> str:
        return f"{self.prefix}session:*"

    def session_index(self) -> str:
        """Sorted set: phone → last activity (ms), what session listings read."""
        return f"{self.prefix}sessionidx:activity"

    def session_expiry(self) -> str:
        """Sorted set: phone → when its session key expires (ms), to trim the index."""
        return f"{self.prefix}sessionidx:expiry"

    def lock(self, sender: str) -> str:
        return f"{self.prefix}lock:{sender}"

    def lock_queue(self, sender: str) -> str:
        return f"{self.prefix}lockq:{sender}"

    def lock_waiters(self, sender: str) -> str:
        return f"{self.prefix}lockw:{sender}"

    def seen(self, wamid: str) -> str:
        return f"{self.prefix}seen:{wamid}"

    def catalog_version(self) -> str:
        return f"{self.prefix}catalog:version"

    def bucket(self, name: str) -> str:
        return f"{self.prefix}bucket:{name}"

    def ratelimit(self, scope: str, who: str) -> str:
        return f"{self.prefix}rl:{scope}:{who}"

    def idempotency(self, key: str) -> str:
        return f"{self.prefix}idem:{key}"

    def pacing(self, recipient: str) -> str:
        return f"{self.prefix}pace:{recipient}"

    def console_session(self, token_hash: str) -> str:
        """An operator console session, named by the SHA-256 of its cookie (bot/console)."""
        return f"{self.prefix}console:session:{token_hash}"

    def all_pattern(self) -> str:
        return f"{self.prefix}*"
