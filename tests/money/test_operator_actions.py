"""Operators fixing a stuck order or an account: each change audited, each person told."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from bot.services import operator_actions, operator_orders, orders
from bot.services.operator_actions import ActionError
from domain import ordering
from domain.vendor_commands import VendorAction
from flows import money_notices, order_notices
from tests.money.conftest import World

D = Decimal


async def _outbox(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    rows = await conn.fetch("SELECT recipient, payload::text AS p FROM outbox ORDER BY id")
    return [(r["recipient"], r["p"]) for r in rows]


async def _audit(conn: asyncpg.Connection, action: str) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT actor, target, details FROM audit_log WHERE action = $1 "
                            "ORDER BY id", action)
    return [dict(r) for r in rows]


async def _placed(world: World, *vendors: str) -> tuple[int, list[int], int]:
    r = await world.retailer()
    vs = [await world.vendor(name) for name in vendors]
    for v in vs:
        await world.price(v, "oil", "250", stock="10")
    placed = await orders.place_order(world.conn, retailer_id=r,
                                      items=[ordering.Item("oil", D(2))], actor="t",
                                      now=world.now)
    assert isinstance(placed, ordering.Placed)
    return r, vs, placed.order.number


async def _assign(conn: asyncpg.Connection, number: int, phone: str) -> dict[str, Any]:
    return await operator_orders.assign_order(
        conn, number, vendor_phone=phone, reason="they phoned in", actor="admin:gita",
        accept_minutes=15, word=order_notices.outgoing, word_money=money_notices.outgoing)


async def test_assigning_a_pending_order_moves_its_stock_and_tells_all_three(
        conn: asyncpg.Connection, world: World) -> None:
    _, (a, b), number = await _placed(world, "Alpha", "Beta")
    holder = await conn.fetchval("SELECT vendor_id FROM orders WHERE number = $1", number)
    other = b if holder == a else a
    await conn.execute("DELETE FROM outbox")
    result = await _assign(conn, number, await world.phone_of_vendor(other))
    assert result["status"] == "pending"
    assert await conn.fetchval("SELECT vendor_id FROM orders WHERE number = $1", number) == other
    assert (await world.stock(holder, "oil"), await world.stock(other, "oil")) == (D(10), D(8))
    told = [to for to, _ in await _outbox(conn)]
    assert told == [await world.phone_of_vendor(other), await world.phone_of_vendor(holder),
                    await world.phone_of_retailer(await conn.fetchval(
                        "SELECT retailer_id FROM orders WHERE number = $1", number))]
    [audit] = await _audit(conn, "order.assign")
    assert audit["actor"] == "admin:gita" and audit["details"]["reason"] == "they phoned in"


async def test_an_unroutable_order_can_be_offered_to_a_vendor_again(
        conn: asyncpg.Connection, world: World) -> None:
    _, (a,), number = await _placed(world, "Alpha")
    await orders.vendor_act(conn, a, number, VendorAction.REJECT, "truck broke", world.now)
    assert await conn.fetchval("SELECT status FROM orders WHERE number = $1", number) == \
        "unroutable"
    await _assign(conn, number, await world.phone_of_vendor(a))
    row = await conn.fetchrow("SELECT status, vendor_id FROM orders WHERE number = $1", number)
    assert (row["status"], row["vendor_id"]) == ("pending", a)
    offer = await conn.fetchrow("SELECT outcome, answered_at FROM order_offers")
    assert offer["outcome"] is None and offer["answered_at"] is None


async def test_assigning_to_a_vendor_without_the_goods_changes_nothing(
        conn: asyncpg.Connection, world: World) -> None:
    _, (a,), number = await _placed(world, "Alpha")
    empty = await world.vendor("Empty Shelf")
    with pytest.raises(ActionError) as exc:
        await _assign(conn, number, await world.phone_of_vendor(empty))
    assert exc.value.status == 409 and "cannot supply" in exc.value.message
    assert await conn.fetchval("SELECT vendor_id FROM orders WHERE number = $1", number) == a
    assert await world.stock(a, "oil") == D(8)


async def test_a_delivered_order_cannot_be_assigned(conn: asyncpg.Connection,
                                                    world: World) -> None:
    _, (a,), number = await _placed(world, "Alpha")
    for action in (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER):
        await orders.vendor_act(conn, a, number, action, None, world.now)
    with pytest.raises(ActionError) as exc:
        await _assign(conn, number, await world.phone_of_vendor(a))
    assert exc.value.status == 409


async def test_an_operator_delivers_for_the_vendor_and_the_debit_follows(
        conn: asyncpg.Connection, world: World) -> None:
    r, _, number = await _placed(world, "Alpha")
    for action in (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER):
        await operator_orders.act_for_vendor(conn, number, action, reason="vendor phoned",
                                             actor="cli:sita", word=order_notices.outgoing)
    assert await conn.fetchval("SELECT status FROM orders WHERE number = $1", number) == \
        "delivered"
    assert await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE retailer_id = $1",
                               r) == D("500.00")
    audit = await _audit(conn, "order.deliver_for_vendor")
    assert [(x["actor"], x["details"]["reason"]) for x in audit] == [("cli:sita",
                                                                      "vendor phoned")]
    trail = await conn.fetchval(
        "SELECT reason FROM order_events e JOIN orders o ON o.id = e.order_id "
        "WHERE o.number = $1 AND e.actor = 'cli:sita' ORDER BY e.id DESC LIMIT 1", number)
    assert trail == "deliver done by an operator for the vendor: vendor phoned"


async def test_acting_out_of_step_for_a_vendor_is_409(conn: asyncpg.Connection,
                                                      world: World) -> None:
    _, _, number = await _placed(world, "Alpha")
    with pytest.raises(ActionError) as exc:
        await operator_orders.act_for_vendor(conn, number, VendorAction.DELIVER, reason="x",
                                             actor="t", word=order_notices.outgoing)
    assert exc.value.status == 409
    with pytest.raises(ActionError) as exc:
        await operator_orders.act_for_vendor(conn, number, VendorAction.ACCEPT, reason=" ",
                                             actor="t", word=order_notices.outgoing)
    assert exc.value.status == 422


async def test_approval_sets_the_limit_and_tells_the_retailer_their_cart_waits(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(status="pending", limit="0")
    phone = await world.phone_of_retailer(r)
    result = await operator_actions.approve_retailer(conn, phone, actor="t", limit=D(25000),
                                                     cart_kept=True,
                                                     word=money_notices.outgoing)
    assert result["status"] == "active" and result["credit_limit"] == D("25000.00")
    [(to, body)] = await _outbox(conn)
    assert to == phone and "credit up to Rs 25,000" in body and "cart is kept" in body


async def test_block_and_unblock_each_tell_the_retailer(conn: asyncpg.Connection,
                                                        world: World) -> None:
    r = await world.retailer()
    phone = await world.phone_of_retailer(r)
    await operator_actions.block_retailer(conn, phone, reason="cheque bounced", actor="t",
                                          word=money_notices.outgoing)
    await operator_actions.approve_retailer(conn, phone, actor="t",
                                            word=money_notices.outgoing)
    bodies = [body for _, body in await _outbox(conn)]
    assert len(bodies) == 2
    assert "on hold (cheque bounced)" in bodies[0] and "open again" in bodies[1]


async def test_a_retailers_area_name_and_language_can_be_corrected(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    phone = await world.phone_of_retailer(r)
    result = await operator_actions.update_retailer(conn, phone, actor="t", area="Kalimati",
                                                    shop_name="Ram Kirana", language="ne")
    assert (result["area"], result["shop_name"], result["language"]) == (
        "Kalimati", "Ram Kirana", "ne")
    [audit] = await _audit(conn, "retailer.update")
    assert audit["details"]["area"] == {"from": "Kalanki", "to": "Kalimati"}
    with pytest.raises(ActionError) as exc:
        await operator_actions.update_retailer(conn, phone, actor="t")
    assert exc.value.status == 422


async def test_a_deactivated_vendor_gets_no_new_orders(conn: asyncpg.Connection,
                                                       world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("Alpha")
    await world.price(v, "oil", "250")
    result = await operator_actions.set_vendor_active(
        conn, await world.phone_of_vendor(v), False, actor="t", reason="closed for Dashain")
    assert result["active"] is False
    placed = await orders.place_order(conn, retailer_id=r, items=[ordering.Item("oil", D(1))],
                                      actor="t", now=world.now)
    assert not isinstance(placed, ordering.Placed)
    [audit] = await _audit(conn, "vendor.deactivate")
    assert audit["details"]["reason"] == "closed for Dashain"
