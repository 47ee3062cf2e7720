"""The balance owed the credit check reads: a running sum the ledger keeps as entries land."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import asyncpg

from bot.db import schema_sql
from bot.services import ledger
from bot.store import ledger as ledger_store
from tests.money.conftest import World

D = Decimal


async def _summed(conn: asyncpg.Connection, retailer_id: int) -> Decimal:
    return D(await conn.fetchval(
        "SELECT coalesce(sum(CASE kind WHEN 'debit' THEN amount ELSE -amount END), 0) "
        "FROM ledger_entries WHERE retailer_id = $1", retailer_id))


async def _post(world: World, retailer_id: int, kind: str, amount: str) -> None:
    await ledger.post_correction(world.conn, retailer_id=retailer_id, kind=kind,
                                 amount=D(amount), note="test", actor="t", now=world.now)


async def test_the_balance_owed_is_the_sum_of_every_entry_appended(
        conn: asyncpg.Connection, world: World) -> None:
    r, other = await world.retailer(), await world.retailer()
    for kind, amount in (("debit", "3000"), ("credit", "1250.50"), ("debit", "0.01"),
                         ("credit", "2000"), ("debit", "999999.99")):
        await _post(world, r, kind, amount)
    await _post(world, other, "debit", "40")
    assert await ledger_store.balance(conn, r) == await _summed(conn, r) == D("999749.50")
    assert await ledger_store.balance(conn, other) == D("40.00")


async def test_a_retailer_without_entries_owes_nothing(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    assert await ledger_store.balance(conn, r) == 0
    figures = await ledger_store.credit_figures(conn, r)
    assert figures is not None and figures.owed == 0


async def test_a_debit_refused_as_a_second_one_for_its_order_leaves_the_balance_alone(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    order_id = await conn.fetchval(
        "INSERT INTO orders (retailer_id, status, total, item_count) "
        "VALUES ($1, 'cancelled', 500, 1) RETURNING id", r)
    for _ in range(2):
        await ledger_store.insert_debit(conn, retailer_id=r, amount=D(500), order_id=order_id,
                                        due_date=dt.date(2026, 4, 1), note=None,
                                        created_by="t", now=world.now)
    assert await ledger_store.balance(conn, r) == D("500.00")


async def test_the_balances_arrive_holding_the_sums_of_the_entries_already_there(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await _post(world, r, "debit", "700")
    await _post(world, r, "credit", "200.25")
    # A database from before the running balance: the migration sums it once.
    await conn.execute("DROP TABLE ledger_balances CASCADE")
    await conn.execute("DROP TRIGGER ledger_entries_balance ON ledger_entries")
    await conn.execute(schema_sql())
    assert await ledger_store.balance(conn, r) == D("499.75")
    await _post(world, r, "debit", "0.25")
    assert await ledger_store.balance(conn, r) == D("500.00")
