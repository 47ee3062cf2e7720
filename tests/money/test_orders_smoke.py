"""Placing an order and walking it to delivery through the services."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from bot.services import ledger, orders
from domain import ordering
from domain.vendor_commands import VendorAction
from flows.order_notices import outgoing
from flows.replies import Buttons
from tests.money.conftest import World


async def test_order_walks_from_placed_to_delivered_and_debits_the_ledger(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("Bhatbhateni Wholesale")
    await world.price(v, "sugar", "95", stock="100")
    result = await orders.place_order(conn, retailer_id=r,
                                      items=[ordering.Item("sugar", Decimal(10))],
                                      actor="test", now=world.now)
    assert isinstance(result, ordering.Placed), result
    assert result.order.number == 1001
    assert result.order.total == Decimal("950.00")
    assert isinstance(outgoing(result.notices)[0].reply, Buttons)
    assert await world.stock(v, "sugar") == Decimal(90)
    for action in (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER):
        out = outgoing(await orders.vendor_act(conn, v, 1001, action, None, world.now))
        assert len(out) == 2, out
    assert await ledger.balance(conn, r) == Decimal("950.00")
    assert await ledger.check(conn) == []
