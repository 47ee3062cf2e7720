"""Payments and the reconciliation check."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import asyncpg
import pytest

from bot.runtime import Runtime
from bot.services import ledger, orders
from domain import ordering
from domain.vendor_commands import VendorAction
from flows.order_notices import outgoing
from tests.money.conftest import World

D = Decimal


async def test_recording_a_payment_reference_twice_does_nothing_the_second_time(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    await ledger.post_correction(conn, retailer_id=r, kind="debit", amount=D(3000),
                                 note="opening balance", actor="t", now=world.now)
    first = await ledger.record_payment(conn, retailer_id=r, amount=D(1000), method="khalti",
                                        reference="KH-1", actor="t", now=world.now)
    again = await ledger.record_payment(conn, retailer_id=r, amount=D(1000), method="khalti",
                                        reference="KH-1", actor="t", now=world.now)
    assert not first.duplicate and again.duplicate
    assert again.payment == first.payment and again.entry == first.entry
    assert again.notices == () and len(outgoing(first.notices)) == 1
    assert first.balance == again.balance == D("2000.00")
    assert await conn.fetchval("SELECT count(*) FROM payments") == 1
    assert await conn.fetchval("SELECT count(*) FROM ledger_entries WHERE kind='credit'") == 1


async def test_concurrent_recordings_of_one_reference_post_one_credit(
        runtime: Runtime, world: World, conn: asyncpg.Connection) -> None:
    r = await world.retailer()

    async def pay() -> ledger.PaymentResult:
        async with runtime.pool.acquire() as c, c.transaction():
            return await ledger.record_payment(c, retailer_id=r, amount=D(500), method="bank",
                                               reference="NIC-9", advance=True, actor="t",
                                               now=world.now)

    results = await asyncio.gather(*(pay() for _ in range(8)))
    assert sorted(x.duplicate for x in results) == [False] + [True] * 7
    assert len({x.payment.id for x in results}) == 1
    assert await ledger.balance(conn, r) == D("-500.00")


async def test_a_reference_of_another_retailer_is_refused(conn: asyncpg.Connection,
                                                          world: World) -> None:
    a, b = await world.retailer(), await world.retailer()
    await ledger.record_payment(conn, retailer_id=a, amount=D(100), method="cash",
                                reference="RCPT-1", advance=True, actor="t", now=world.now)
    with pytest.raises(ledger.PaymentConflict, match="another retailer"):
        await ledger.record_payment(conn, retailer_id=b, amount=D(100), method="cash",
                                    reference="RCPT-1", advance=True, actor="t", now=world.now)


async def test_a_payment_can_name_the_order_it_pays(conn: asyncpg.Connection,
                                                    world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await orders.place_order(conn, retailer_id=r, items=[ordering.Item("sugar", D(3))],
                                      actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    paid = await ledger.record_payment(conn, retailer_id=r, amount=D(300), method="cash",
                                       reference=None, order_number=placed.order.number,
                                       advance=True, actor="t", now=world.now)
    assert paid.payment.order_id == placed.order.id
    with pytest.raises(ledger.LedgerError, match="#4242"):
        await ledger.record_payment(conn, retailer_id=r, amount=D(1), method="cash",
                                    reference=None, order_number=4242, advance=True, actor="t",
                                    now=world.now)


async def test_the_ledger_refuses_edits_and_deletes(conn: asyncpg.Connection,
                                                   world: World) -> None:
    r = await world.retailer()
    await ledger.post_correction(conn, retailer_id=r, kind="debit", amount=D(10), note="x",
                                 actor="t", now=world.now)
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await conn.execute("UPDATE ledger_entries SET amount = 1")
    with pytest.raises(asyncpg.RaiseError, match="append-only"):
        await conn.execute("DELETE FROM ledger_entries")


async def test_the_check_finds_a_delivered_order_without_its_debit(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await orders.place_order(conn, retailer_id=r, items=[ordering.Item("sugar", D(3))],
                                      actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    assert await ledger.check(conn) == []
    # Simulate a bug that marks an order delivered behind the service's back.
    await conn.execute("UPDATE orders SET status = 'delivered', delivered_at = now()")
    problems = await ledger.check(conn)
    assert [(p.kind, p.order_id) for p in problems] == [("debit_count", placed.order.id)]


async def test_the_check_finds_a_payment_without_its_credit_and_a_debit_too_early(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await orders.place_order(conn, retailer_id=r, items=[ordering.Item("sugar", D(3))],
                                      actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    await conn.execute("INSERT INTO payments (retailer_id, amount, method, recorded_by) "
                       "VALUES ($1, 50, 'cash', 'bug')", r)
    await conn.execute("INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, "
                       "due_date, created_by) VALUES ($1, 'debit', 300, $2, $3, 'bug')",
                       r, placed.order.id, dt.date(2026, 4, 1))
    kinds = sorted(p.kind for p in await ledger.check(conn))
    assert kinds == ["debit_undelivered", "payment_unposted"]


async def test_delivered_orders_and_payments_reconcile(conn: asyncpg.Connection,
                                                       world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    for qty in (1, 2, 3):
        placed = await orders.place_order(conn, retailer_id=r,
                                          items=[ordering.Item("sugar", D(qty))], actor="t",
                                          now=world.now)
        assert isinstance(placed, ordering.Placed)
        for action in (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER):
            await orders.vendor_act(conn, v, placed.order.number, action, None, world.now)
    await ledger.record_payment(conn, retailer_id=r, amount=D(250), method="esewa",
                                reference="E1", actor="t", now=world.now)
    assert await ledger.balance(conn, r) == D("350.00")
    assert await ledger.check(conn) == []
