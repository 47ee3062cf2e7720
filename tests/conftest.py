"""Fixtures: a fresh Postgres database and Redis key prefix per test run.

`DATABASE_URL` / `REDIS_URL` are used when set (CI points them at the
machine's servers); otherwise embedded servers are started under
`.khaacho/test`. Each run creates its own database and key prefix and removes
them at the end; each test starts from empty tables and no keys.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis_asyncio
from hypothesis import settings

from bot.config import Settings, load_settings
from bot.db import (
    create_database,
    create_pool,
    drop_database,
    scratch_name,
)
from bot.kv import Keys, create_redis
from bot.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

TEST_APP_SECRET = "test-app-secret"
TEST_VERIFY_TOKEN = "test-verify-token"
TEST_ACCESS_TOKEN = "test-access-token"
TEST_JWT_SECRET = "test-jwt-secret-with-enough-entropy"
TEST_PHONE_NUMBER_ID = "106540352242922"

# Hypothesis's per-example deadline is a timed assertion: on a busy 2-core CI box
# a property that passes on replay failed as "flaky". Speed is the benchmarks' job.
settings.register_profile("khaacho", deadline=None)
settings.load_profile("khaacho")


@pytest.fixture(scope="session")
def service_urls() -> tuple[str, str]:
    """(server Postgres URL, Redis URL): from the environment or embedded servers."""
    from bot.dev.embedded import start_postgres, start_redis

    home = ROOT / ".khaacho" / "test"
    db = os.environ.get("DATABASE_URL") or start_postgres(home)
    rd = os.environ.get("REDIS_URL") or start_redis(home)
    return db, rd


@pytest.fixture(scope="session")
async def database_url(service_urls: tuple[str, str]) -> AsyncIterator[str]:
    """A database created for this run, migrated, dropped afterwards."""
    server_url = service_urls[0]
    name = scratch_name("khaacho_test_")
    yield await create_database(server_url, name)
    await drop_database(server_url, name)


@pytest.fixture(scope="session")
def redis_prefix() -> str:
    return f"khaacho-test:{secrets.token_hex(4)}:"


@pytest.fixture(scope="session")
def settings(database_url: str, service_urls: tuple[str, str], redis_prefix: str) -> Settings:
    """Settings for this run; tests override fields with `settings.model_copy(update=...)`."""
    return load_settings(
        DATABASE_URL=database_url,
        REDIS_URL=service_urls[1],
        REDIS_KEY_PREFIX=redis_prefix,
        WHATSAPP_API_URL="http://127.0.0.1:9/v23.0",
        WHATSAPP_PHONE_NUMBER_ID=TEST_PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN=TEST_ACCESS_TOKEN,
        WHATSAPP_VERIFY_TOKEN=TEST_VERIFY_TOKEN,
        WHATSAPP_APP_SECRET=TEST_APP_SECRET,
        JWT_SECRET=TEST_JWT_SECRET,
    )


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(database_url, min_size=2, max_size=30)
    yield p
    await p.close()


@pytest.fixture(scope="session")
async def redis_client(service_urls: tuple[str, str]) -> AsyncIterator[redis_asyncio.Redis]:
    client = create_redis(service_urls[1])
    yield client
    await client.aclose()


async def _clear_redis(client: redis_asyncio.Redis, prefix: str) -> None:
    batch = [key async for key in client.scan_iter(match=prefix + "*", count=500)]
    for i in range(0, len(batch), 500):
        await client.delete(*batch[i : i + 500])


async def _truncate_all(p: asyncpg.Pool) -> None:
    async with p.acquire() as conn:
        tables = await conn.fetch(
            "SELECT quote_ident(tablename) AS t FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
        )
        if tables:
            names = ", ".join(r["t"] for r in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await conn.execute("ALTER SEQUENCE order_number_seq RESTART WITH 1001")


@pytest.fixture
async def runtime(
    settings: Settings, pool: asyncpg.Pool, redis_client: redis_asyncio.Redis, redis_prefix: str
) -> AsyncIterator[Runtime]:
    """The resources a process holds, over empty tables and no Redis keys."""
    await _truncate_all(pool)
    await _clear_redis(redis_client, redis_prefix)
    yield Runtime(settings, pool, redis_client, Keys(redis_prefix))


@pytest.fixture(scope="session", autouse=True)
async def _drop_redis_keys(
    redis_client: redis_asyncio.Redis, redis_prefix: str
) -> AsyncIterator[None]:
    yield
    await _clear_redis(redis_client, redis_prefix)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """../shared (the WhatsApp reference material and the eval set)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside this checkout")
    yield SHARED
