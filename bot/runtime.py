"""The live resources one process holds: settings, Postgres pool, Redis."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
import redis.asyncio as redis

from bot.catalog_cache import CatalogCache
from bot.config import Settings
from bot.db import create_pool
from bot.kv import Keys, create_redis


@dataclass(slots=True)
class Runtime:
    """Opened once at process start, closed at shutdown, passed to whatever needs it."""

    settings: Settings
    pool: asyncpg.Pool
    redis: redis.Redis
    keys: Keys
    # One catalogue index per process, shared by the conversation and the APIs.
    catalog: CatalogCache = field(init=False)

    def __post_init__(self) -> None:
        self.catalog = CatalogCache(self.pool, self.redis, self.keys)

    @classmethod
    async def open(cls, settings: Settings, *, pool_min: int = 1,
                   reset_on_release: bool = True) -> Runtime:
        """Connect to Postgres and Redis as the settings say."""
        pool = await create_pool(settings.database_url, min_size=pool_min,
                                 max_size=settings.db_pool_max,
                                 reset_on_release=reset_on_release)
        client = create_redis(settings.redis_url)
        return cls(settings, pool, client, Keys(settings.redis_key_prefix))

    @classmethod
    @contextlib.asynccontextmanager
    async def opened(cls, settings: Settings, *, pool_min: int = 1,
                     reset_on_release: bool = True) -> AsyncIterator[Runtime]:
        """The runtime for as long as the block runs: opened on entry, closed on the way out."""
        runtime = await cls.open(settings, pool_min=pool_min, reset_on_release=reset_on_release)
        try:
            yield runtime
        finally:
            await runtime.close()

    async def close(self) -> None:
        """Close the pool (waiting for released connections) and Redis."""
        await self.pool.close()
        await self.redis.aclose()
