"""Vendors answering orders: accept races, rejects and time-outs re-route, delivery debits."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import asyncpg

from bot.runtime import Runtime
from bot.services import ledger, orders
from domain import ordering
from domain.order_status import Role
from domain.vendor_commands import VendorAction
from flows.i18n import t
from flows.order_notices import outgoing
from flows.replies import Buttons, Outgoing, Text
from tests.money.conftest import World

D = Decimal
Item = ordering.Item
A = VendorAction


async def vendor_act(conn: asyncpg.Connection, vendor_id: int, number: int, action: A,
                     reason: str | None, now: dt.datetime) -> list[Outgoing]:
    """The vendor's action through the service, its facts worded as they are sent."""
    return outgoing(await orders.vendor_act(conn, vendor_id, number, action, reason, now))


async def reroute_expired(conn: asyncpg.Connection, now: dt.datetime) -> int:
    return await orders.reroute_expired(conn, now, word=outgoing)


def bodies(out: list[Outgoing]) -> list[str]:
    return [o.reply.body if isinstance(o.reply, Text | Buttons) else "" for o in out]


async def _placed(conn: asyncpg.Connection, world: World, retailer: int,
                  qty: str = "10") -> ordering.Placed:
    got = await orders.place_order(conn, retailer_id=retailer, items=[Item("sugar", D(qty))],
                                   actor="t", now=world.now)
    assert isinstance(got, ordering.Placed), got
    return got


async def test_two_simultaneous_accepts_apply_once(runtime: Runtime, conn: asyncpg.Connection,
                                                   world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await _placed(conn, world, r)

    async def accept() -> list[Outgoing]:
        async with runtime.pool.acquire() as c:
            return await vendor_act(c, v, placed.order.number, A.ACCEPT, None, world.now)

    first, second = await asyncio.gather(accept(), accept())
    replies = sorted([bodies(first)[0], bodies(second)[0]])
    assert replies[0] == t("en", "vendor.already_accepted", number=1001)
    assert replies[1].startswith("✅ Order #1001 accepted")
    assert sorted([len(first), len(second)]) == [1, 2]  # the retailer is told once
    events = await conn.fetchval(
        "SELECT count(*) FROM order_events WHERE to_status = 'accepted'")
    assert events == 1


async def test_accept_tells_vendor_where_to_deliver_and_the_retailer_in_their_language(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(language="ne")
    v = await world.vendor("Sita Traders")
    await world.price(v, "sugar", "100")
    placed = await _placed(conn, world, r)
    out = await vendor_act(conn, v, placed.order.number, A.ACCEPT, None, world.now)
    retailer_phone = await world.phone_of_retailer(r)
    assert retailer_phone in bodies(out)[0]
    assert out[1].to == retailer_phone
    assert bodies(out)[1] == t("ne", "order.accepted", vendor="Sita Traders", number=1001,
                               total="रु १,०००")


async def test_only_the_assigned_vendor_can_act(conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    other = await world.vendor("Other")
    await world.price(v, "sugar", "100")
    placed = await _placed(conn, world, r)
    out = await vendor_act(conn, other, placed.order.number, A.ACCEPT, None, world.now)
    assert bodies(out) == [t("en", "vendor.not_found", number=1001)]
    assert out[0].to == await world.phone_of_vendor(other)
    assert await conn.fetchval("SELECT status FROM orders") == "pending"


async def test_unknown_and_finished_orders_get_a_clear_reply(conn: asyncpg.Connection,
                                                             world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    out = await vendor_act(conn, v, 9999, A.ACCEPT, None, world.now)
    assert bodies(out) == [t("en", "vendor.not_found", number=9999)]
    placed = await _placed(conn, world, r)
    n = placed.order.number
    out = await vendor_act(conn, v, n, A.DELIVER, None, world.now)
    assert bodies(out) == [t("en", "vendor.wrong_step", number=n, status="waiting for supplier",
                             action="delivered",
                             hint=t("en", "vendor.hint.pending", number=n))]
    for action in (A.ACCEPT, A.DISPATCH, A.DELIVER):
        await vendor_act(conn, v, n, action, None, world.now)
    assert bodies(await vendor_act(conn, v, n, A.DELIVER, None, world.now)) == [
        t("en", "vendor.already", number=n, status="delivered")]
    assert bodies(await vendor_act(conn, v, n, A.REJECT, None, world.now)) == [
        t("en", "vendor.finished", number=n, status="delivered")]
    assert await conn.fetchval("SELECT count(*) FROM ledger_entries") == 1


async def test_a_reject_releases_stock_and_offers_the_order_to_the_next_vendor(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    first = await world.vendor("First")
    second = await world.vendor("Second")
    await world.price(first, "sugar", "90", stock="20")
    await world.price(second, "sugar", "100", stock="20")
    placed = await _placed(conn, world, r)
    assert placed.order.vendor_id == first
    assert await world.stock(first, "sugar") == D(10)
    out = await vendor_act(conn, first, placed.order.number, A.REJECT, "no truck",
                                  world.now)
    assert await world.stock(first, "sugar") == D(20)
    assert await world.stock(second, "sugar") == D(10)
    assert [o.to for o in out] == [await world.phone_of_vendor(first),
                                   await world.phone_of_vendor(second),
                                   await world.phone_of_retailer(r)]
    assert isinstance(out[1].reply, Buttons)
    assert bodies(out)[2] == t("en", "order.rerouted", vendor="First", number=1001,
                               next="Second")
    order = await conn.fetchrow("SELECT status, vendor_id, total FROM orders")
    assert (order["status"], order["vendor_id"], order["total"]) == ("pending", second,
                                                                     D("900.00"))
    offers = await conn.fetch("SELECT vendor_id, outcome, reason FROM order_offers ORDER BY id")
    assert [tuple(o) for o in offers] == [(first, "rejected", "no truck"), (second, None, None)]
    event = await conn.fetchrow("SELECT * FROM order_events ORDER BY id DESC LIMIT 1")
    assert event["from_status"] == event["to_status"] == "pending"
    assert "rejected by First (no truck)" in event["reason"]


async def test_time_outs_re_route_and_then_give_up_with_a_frozen_clock(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    first = await world.vendor("First")
    second = await world.vendor("Second")
    await world.price(first, "sugar", "90", stock="20")
    await world.price(second, "sugar", "100")
    placed = await _placed(conn, world, r)
    t0 = world.now
    assert await reroute_expired(conn, t0 + dt.timedelta(minutes=14, seconds=59)) == 0
    assert await reroute_expired(conn, t0 + dt.timedelta(minutes=15)) == 1
    order = await conn.fetchrow("SELECT status, vendor_id, accept_deadline FROM orders")
    assert order["vendor_id"] == second and order["status"] == "pending"
    assert order["accept_deadline"] == t0 + dt.timedelta(minutes=30)
    assert await world.stock(first, "sugar") == D(20)
    outbox = await conn.fetch("SELECT recipient, correlation FROM outbox ORDER BY id")
    assert [o["recipient"] for o in outbox] == [await world.phone_of_vendor(first),
                                                await world.phone_of_vendor(second),
                                                await world.phone_of_retailer(r)]
    assert {o["correlation"] for o in outbox} == {f"order:{placed.order.number}"}
    # A second run at the same moment finds nothing more to do.
    assert await reroute_expired(conn, t0 + dt.timedelta(minutes=15)) == 0
    assert await reroute_expired(conn, t0 + dt.timedelta(minutes=30)) == 1
    assert await conn.fetchval("SELECT status FROM orders") == "unroutable"
    last = await conn.fetchrow("SELECT recipient, payload FROM outbox ORDER BY id DESC LIMIT 1")
    assert last["recipient"] == await world.phone_of_retailer(r)
    outcomes = await conn.fetch("SELECT outcome FROM order_offers ORDER BY id")
    assert [o["outcome"] for o in outcomes] == ["timed_out", "timed_out"]
    # The late vendor can no longer accept it.
    out = await vendor_act(conn, second, placed.order.number, A.ACCEPT, None,
                                  t0 + dt.timedelta(minutes=31))
    assert bodies(out) == [t("en", "vendor.not_yours", number=placed.order.number)]


async def test_a_late_accept_before_the_time_out_job_runs_still_counts(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await _placed(conn, world, r)
    later = world.now + dt.timedelta(minutes=20)
    await vendor_act(conn, v, placed.order.number, A.ACCEPT, None, later)
    assert await reroute_expired(conn, later) == 0
    assert await conn.fetchval("SELECT status FROM orders") == "accepted"


async def test_delivery_posts_one_debit_due_after_the_credit_terms(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(terms_days=15)
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await _placed(conn, world, r)
    n = placed.order.number
    await vendor_act(conn, v, n, A.ACCEPT, None, world.now)
    await vendor_act(conn, v, n, A.DISPATCH, None, world.now)
    # 18:30 UTC on 2 March is 00:15 on 3 March in Kathmandu: due 15 days after the 3rd.
    evening = dt.datetime(2026, 3, 2, 18, 30, tzinfo=dt.UTC)
    out = await vendor_act(conn, v, n, A.DELIVER, None, evening)
    debit = await conn.fetchrow("SELECT * FROM ledger_entries")
    assert (debit["kind"], debit["amount"], debit["order_id"]) == ("debit", D("1000.00"),
                                                                   placed.order.id)
    assert debit["due_date"] == dt.date(2026, 3, 18)
    assert bodies(out)[1] == t("en", "order.delivered", number=n, total="Rs 1,000",
                               due="2026-03-18 / 4 Chaitra 2082")
    again = await ledger.post_delivery_debit(conn, await _order(conn, n), now=evening,
                                             actor="t")
    assert again.id == debit["id"]
    assert await conn.fetchval("SELECT count(*) FROM ledger_entries") == 1
    assert await ledger.balance(conn, r) == D("1000.00")
    assert (await ledger.credit_position(conn, r)).open_orders == 0


async def _order(conn: asyncpg.Connection, number: int):  # type: ignore[no-untyped-def]
    from bot.store import orders as store

    return await store.order_by_number(conn, number)


async def test_a_retailer_cancels_a_pending_order_and_the_vendor_is_told(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100", stock="10")
    placed = await _placed(conn, world, r, qty="4")
    got = await orders.cancel_order(conn, order_number=placed.order.number, role=Role.RETAILER,
                                    actor=f"retailer:{r}", reason=None, now=world.now,
                                    retailer_id=r)
    assert isinstance(got, ordering.Cancelled)
    assert [o.to for o in outgoing(got.notices)] == [await world.phone_of_vendor(v)]
    assert await world.stock(v, "sugar") == D(10)
    assert (await ledger.credit_position(conn, r)).open_orders == 0


async def test_a_retailer_cannot_cancel_an_accepted_order_or_someone_elses(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    stranger = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await _placed(conn, world, r)
    n = placed.order.number
    got = await orders.cancel_order(conn, order_number=n, role=Role.RETAILER, actor="x",
                                    reason=None, now=world.now, retailer_id=stranger)
    assert isinstance(got, ordering.CancelRefused) and got.code == "not_found"
    await vendor_act(conn, v, n, A.ACCEPT, None, world.now)
    got = await orders.cancel_order(conn, order_number=n, role=Role.RETAILER, actor="x",
                                    reason=None, now=world.now, retailer_id=r)
    assert isinstance(got, ordering.CancelRefused) and got.code == "not_allowed"
    got = await orders.cancel_order(conn, order_number=n, role=Role.OPERATOR, actor="op",
                                    reason="shop closed", now=world.now)
    assert isinstance(got, ordering.Cancelled)
    assert bodies(outgoing(got.notices))[1] == t("en", "order.cancelled_by_operator", number=n,
                                              reason="shop closed")
