"""Postgres: the connection pool and the idempotent schema migration."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import orjson

log = logging.getLogger(__name__)

# The repository's top-level schema.sql, shipped in the package through the
# link bot/schema.sql (package data), so an installed `khaacho` can migrate.
SCHEMA_PATH = Path(__file__).resolve().parent / "schema.sql"

# Any constant works; it only has to be the same for every process so two
# instances deploying at once apply the schema one after the other.
_MIGRATE_LOCK = 0x6B686163  # "khac"


class DatabaseUnavailable(Exception):
    """Postgres could not be reached or refused the connection."""


def schema_sql() -> str:
    """The schema file's text (the repository's `schema.sql`)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def schema_version(sql: str) -> str:
    """A schema's version: the hash of its text, so any change is a new version."""
    return hashlib.sha256(sql.encode("utf-8")).hexdigest()[:16]


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb in and out as Python values, encoded by orjson.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )
    await conn.set_type_codec(
        "json",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A release without the reset query (asyncpg still rolls back an open transaction)."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 20,
                      reset_on_release: bool = True) -> asyncpg.Pool:
    """Open a pool whose connections speak jsonb as Python values.

    `reset_on_release=False` (inbox branch, issue 15: the web process) skips
    asyncpg's reset query (advisory unlock, UNLISTEN, RESET ALL) on every
    release — a round trip per acquire — for code that leaves no session state
    behind: no session advisory locks, LISTEN or SET on pooled connections.
    """
    try:
        pool = await asyncpg.create_pool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            init=_init_connection,
            reset=None if reset_on_release else _keep_session,
            command_timeout=30,
            timeout=10,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise DatabaseUnavailable(f"cannot connect to DATABASE_URL: {exc}") from exc
    assert pool is not None
    return pool


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def scratch_name(prefix: str) -> str:
    """A database name of `prefix` and a random tail, for one run's scratch database."""
    return f"{prefix}{secrets.token_hex(4)}"


async def create_database(server_url: str, name: str) -> str:
    """A new, migrated database `name` on `server_url`'s server; its URL.

    For tests, benchmarks and the chaos suite (`scratch_name`), never the service.
    """
    admin = await connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(server_url, name)
    conn = await connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return url


async def drop_database(server_url: str, name: str) -> None:
    """Drop database `name` (made by `create_database`), its open connections and all."""
    admin = await connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def connect(dsn: str) -> asyncpg.Connection:
    """One connection with the same codecs as the pool (for LISTEN and CLI use)."""
    try:
        conn = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        raise DatabaseUnavailable(f"cannot connect to DATABASE_URL: {exc}") from exc
    await _init_connection(conn)
    return conn


async def wake_on_notify(dsn: str, channel: str, wake: Callable[[str], None],
                         what: str) -> None:
    """LISTEN on `channel` and call `wake(payload)` on every NOTIFY, until cancelled.

    A lost connection is reopened with a backoff (0.5 s doubling to 10 s); `wake`
    is also called (with an empty payload) on every (re)connect, for anything
    queued while nobody listened. The loops that use it poll as well, so a
    dropped LISTEN only delays work.
    """
    delay = 0.5
    while True:
        lost = asyncio.Event()
        conn: asyncpg.Connection | None = None
        try:
            conn = await connect(dsn)
            conn.add_termination_listener(lambda _c, lost=lost: lost.set())
            await conn.add_listener(channel, lambda _c, _pid, _ch, payload: wake(payload))
            delay = 0.5
            wake("")
            await lost.wait()
        except asyncio.CancelledError:
            if conn is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), 2)
            raise
        except Exception as exc:  # keep listening whatever happened
            log.warning("%s LISTEN connection failed: %s", what, exc)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 10.0)


async def migrate(conn: asyncpg.Connection, sql: str | None = None) -> str | None:
    """Apply the schema if this version is not recorded yet.

    Returns the version applied, or None when it was already in place. The
    whole file runs in one transaction under an advisory lock.
    """
    sql = schema_sql() if sql is None else sql
    version = schema_version(sql)
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATE_LOCK)
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if exists and await conn.fetchval(
            "SELECT true FROM schema_migrations WHERE version = $1", version
        ):
            return None
        await conn.execute(sql)
        await conn.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING", version
        )
    return version


def record_to_model(record: asyncpg.Record | None, model: Any) -> Any:
    """Build a pydantic model or dataclass from a row (None stays None)."""
    return None if record is None else model(**dict(record))
