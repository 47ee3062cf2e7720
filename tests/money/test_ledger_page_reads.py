"""The console's ledger page: the newest entries, each with the balance after it, read alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import asyncpg

from bot.store import ledger as ledger_store
from bot.store import operator_views
from tests.money.conftest import World
from tests.plans import rows_read

D = Decimal
T0 = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


async def _entries(world: World, r: int, count: int) -> None:
    for i in range(count):
        at = T0 + dt.timedelta(hours=i)
        if i % 3 == 2:
            await ledger_store.insert_credit(world.conn, retailer_id=r, amount=D(i) + D("0.25"),
                                             payment_id=None, order_id=None, note="paid",
                                             created_by="t", now=at)
        else:
            await ledger_store.insert_manual_debit(world.conn, retailer_id=r, amount=D(10 + i),
                                                   due_date=at.date(), note="bill",
                                                   created_by="t", now=at)


async def test_each_entry_shows_the_balance_after_it(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await _entries(world, r, 30)
    rows = await operator_views.ledger_with_balance(conn, await world.phone_of_retailer(r),
                                                    limit=12)
    entries = await conn.fetch("SELECT id, kind, amount FROM ledger_entries "
                               "WHERE retailer_id = $1 ORDER BY id", r)
    running, after = D(0), {}
    for e in entries:
        running += e["amount"] if e["kind"] == "debit" else -e["amount"]
        after[e["id"]] = running
    assert [row["id"] for row in rows] == [e["id"] for e in reversed(entries)][:12]
    assert [row["balance_after"] for row in rows] == [after[row["id"]] for row in rows]


async def test_a_retailer_without_entries_has_an_empty_ledger(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    assert await operator_views.ledger_with_balance(
        conn, await world.phone_of_retailer(r)) == []


async def test_the_page_reads_its_own_entries_not_the_history(
        conn: asyncpg.Connection, world: World) -> None:
    r, other = await world.retailer(), await world.retailer()
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, due_date, note, created_by) "
        "SELECT s.id, 'debit', 5, DATE '2025-06-01', 'old', 't' "
        "FROM unnest($1::bigint[]) s(id), generate_series(1, 2000)", [r, other])
    await conn.execute("ANALYZE ledger_entries")
    read = await rows_read(conn, "ledger_entries", operator_views._LEDGER_PAGE,
                           await world.phone_of_retailer(r), 50)
    assert read == 50
