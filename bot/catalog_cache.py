"""The resolver's in-memory index, one per process, rebuilt when the catalogue changes.

Every import bumps a Redis counter (`Keys.catalog_version`, INCR) after it
commits. Each web and worker process keeps its index with the version it was
built at and compares that with Redis at most once per `check_every` seconds,
so a new price list or product is visible everywhere within seconds, without a
restart. Redis being unreachable is not an outage here: the process keeps
serving the index it has (or builds one from Postgres if it has none).
"""

from __future__ import annotations

import asyncio
import logging
import time

import asyncpg
import redis.asyncio as redis
from redis.exceptions import RedisError

from bot.kv import Keys
from bot.store.catalog import load_catalog
from domain.resolver import CatalogIndex

log = logging.getLogger(__name__)


async def bump_version(client: redis.Redis, keys: Keys) -> int:
    """Announce a committed catalogue change to every process; returns the new version."""
    return int(await client.incr(keys.catalog_version()))


async def current_version(client: redis.Redis, keys: Keys) -> int:
    """The catalogue version in Redis (0 before the first import)."""
    raw = await client.get(keys.catalog_version())
    return int(raw) if raw is not None else 0


class CatalogCache:
    """A process's catalogue index, refreshed from Postgres when the version moves."""

    def __init__(self, pool: asyncpg.Pool, client: redis.Redis, keys: Keys, *,
                 check_every: float = 2.0) -> None:
        self._pool = pool
        self._redis = client
        self._keys = keys
        self._check_every = check_every
        self._index: CatalogIndex | None = None
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    @property
    def version(self) -> int | None:
        """The catalogue version the current index was built at (None before the first)."""
        return self._version

    async def index(self, conn: asyncpg.Connection | None = None) -> CatalogIndex:
        """The index, rebuilt first if an import happened since it was built.

        A caller that holds a connection passes it, so a rebuild reads on it
        instead of taking a second one from a pool that may be exhausted.
        """
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self._check_every:
            return self._index
        async with self._lock:
            if self._index is not None and time.monotonic() - self._checked_at < self._check_every:
                return self._index
            try:
                version: int | None = await current_version(self._redis, self._keys)
            except (RedisError, OSError) as exc:
                log.warning("catalogue version unavailable, keeping the current index: %s", exc)
                version = None
            self._checked_at = time.monotonic()
            if self._index is not None and (version is None or version == self._version):
                return self._index
            await self._rebuild(version, conn)
            assert self._index is not None
            return self._index

    async def refresh(self) -> CatalogIndex:
        """Rebuild now, whatever the version says."""
        async with self._lock:
            try:
                version: int | None = await current_version(self._redis, self._keys)
            except (RedisError, OSError):
                version = None
            await self._rebuild(version)
            self._checked_at = time.monotonic()
            assert self._index is not None
            return self._index

    async def _rebuild(self, version: int | None,
                       conn: asyncpg.Connection | None = None) -> None:
        # The version is read before the products: an import committing meanwhile
        # bumps it again afterwards, so the next check rebuilds once more.
        if conn is not None:
            catalog = await load_catalog(conn)
        else:
            async with self._pool.acquire() as own:
                catalog = await load_catalog(own)
        self._index = await asyncio.to_thread(CatalogIndex.build, catalog)
        self._version = version
        log.info("catalogue index built: %d products, version %s", len(catalog), version)
