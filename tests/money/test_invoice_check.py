"""`khaacho ledger check` on invoices: each order delivered since invoicing began has one,
for the order's ledger debit; orders delivered before invoices existed are not errors.

Issued invoices cannot be deleted or changed (a trigger refuses), which is the point;
to make the broken books the check must find, these tests lift the triggers for one
statement (`session_replication_role = replica`), as only a superuser could.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from bot.services import ledger
from tests.money.conftest import World
from tests.money.test_invoices import _delivered


async def _tamper(conn: asyncpg.Connection, sql: str, *args: object) -> None:
    await conn.execute("SET session_replication_role = replica")
    try:
        await conn.execute(sql, *args)
    finally:
        await conn.execute("SET session_replication_role = DEFAULT")


async def _order_id(conn: asyncpg.Connection, number: int) -> int:
    return int(await conn.fetchval("SELECT id FROM orders WHERE number = $1", number))


async def test_delivered_orders_each_with_their_invoice_pass(conn: asyncpg.Connection,
                                                              world: World) -> None:
    await _delivered(world)
    await _delivered(world, items=(("rice", "90", "3"),))
    assert await ledger.check(conn) == []


async def test_a_delivered_order_without_its_invoice_is_reported(conn: asyncpg.Connection,
                                                                 world: World) -> None:
    await _delivered(world)
    world.now += dt.timedelta(minutes=5)
    _, _, number = await _delivered(world, items=(("rice", "90", "3"),))
    order_id = await _order_id(conn, number)
    await _tamper(conn, "DELETE FROM documents WHERE order_id = $1", order_id)
    problems = await ledger.check(conn)
    assert [(p.kind, p.order_id) for p in problems] == [("invoice_count", order_id)]
    assert f"order #{number} is delivered with 0 invoices" in problems[0].detail


async def test_an_invoice_for_another_amount_than_the_debit_is_reported(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, number = await _delivered(world)
    order_id = await _order_id(conn, number)
    await _tamper(conn, "UPDATE documents SET total = total + 1 WHERE order_id = $1", order_id)
    problems = await ledger.check(conn)
    assert [(p.kind, p.order_id) for p in problems] == [("invoice_amount", order_id)]


async def test_orders_delivered_before_invoicing_began_are_not_errors(
        conn: asyncpg.Connection, world: World) -> None:
    _, _, old = await _delivered(world)
    # As if delivered before invoices existed: no invoice row anywhere yet.
    await _tamper(conn, "DELETE FROM documents WHERE order_id = $1", await _order_id(conn, old))
    assert await ledger.check(conn) == []
    world.now += dt.timedelta(days=1)
    await _delivered(world, items=(("rice", "90", "3"),))
    assert await ledger.check(conn) == []
