"""`khaacho migrate`: applies the schema once and records its version."""

from __future__ import annotations

import asyncpg

from bot.db import migrate, schema_sql, schema_version
from bot.runtime import Runtime


async def test_migrating_an_up_to_date_database_changes_nothing(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        before = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY 1, 2"
        )
        assert await migrate(conn) is None
        after = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' ORDER BY 1, 2"
        )
    assert before == after


async def test_the_applied_version_is_recorded(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        versions = await conn.fetchval("SELECT array_agg(version) FROM schema_migrations")
    assert schema_version(schema_sql()) in versions


async def test_the_schema_file_applies_twice_in_a_row_without_error(pool: asyncpg.Pool) -> None:
    # A new version of the file is run over the old schema, so every
    # statement must be idempotent on its own.
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(schema_sql())
        await conn.execute(schema_sql())
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE tablename = 'orders'") == 1


async def test_ledger_entries_refuse_updates(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        rid = await conn.fetchval(
            "INSERT INTO retailers (phone, shop_name, area) VALUES ('9800000001', 'A', 'B') "
            "RETURNING id"
        )
        await conn.execute(
            "INSERT INTO ledger_entries (retailer_id, kind, amount, note, created_by) "
            "VALUES ($1, 'credit', 10, 'opening balance', 'test')", rid
        )
        try:
            await conn.execute("UPDATE ledger_entries SET amount = 1")
        except asyncpg.RaiseError as exc:
            assert "append-only" in str(exc)
        else:
            raise AssertionError("the ledger accepted an UPDATE")
