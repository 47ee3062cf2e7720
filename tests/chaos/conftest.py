"""Chaos fixtures: the system under test, over shared or private servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chaos.harness import System
from tests.chaos.servers import PrivatePostgres, PrivateRedis

Make = Callable[..., Any]


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server only this test uses (and may restart)."""
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A Postgres cluster only this test uses (and may restart)."""
    server = PrivatePostgres().init().start()
    yield server
    server.remove()


@pytest.fixture
async def make_system(tmp_path: Path, private_postgres: PrivatePostgres,
                      private_redis: PrivateRedis) -> AsyncIterator[Make]:
    """Build and start a `System`; everything is stopped and dropped afterwards.

    Every scenario runs on its own Postgres and Redis: nobody else's load (or
    connection count) leaks into it, and restarting them disturbs nobody.
    """
    started: list[System] = []

    async def make(**kwargs: Any) -> System:
        kwargs.setdefault("server_url", private_postgres.url)
        kwargs.setdefault("redis_url", private_redis.url)
        system = System(tmp_path / "logs", **kwargs)
        started.append(system)
        return await system.start()

    yield make
    for system in started:
        await system.stop()
