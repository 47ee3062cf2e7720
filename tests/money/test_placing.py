"""Placing orders: credit, stock, routing, splits, idempotency — against real Postgres."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import asyncpg

from bot.runtime import Runtime
from bot.services import ledger, orders
from domain import ordering
from tests.money.conftest import World

D = Decimal
Item = ordering.Item


async def test_fifty_concurrent_orders_never_take_a_retailer_past_the_limit(
        runtime: Runtime, conn: asyncpg.Connection, world: World) -> None:
    limit = D(20000)
    r = await world.retailer(limit=str(limit))
    v = await world.vendor("Kalanki Traders")
    await world.price(v, "sugar", "100")
    carts = [[Item("sugar", D(n))] for n in range(1, 51)]  # Rs 100 … Rs 5,000 each

    async def confirm(cart: list[ordering.Item], n: int) -> orders.PlaceResult:
        async with runtime.pool.acquire() as c:
            return await orders.place_order(c, retailer_id=r, items=cart, actor="test",
                                            now=world.now, idempotency_key=f"cart-{n}")

    results = await asyncio.gather(*(confirm(c, n) for n, c in enumerate(carts)))
    placed = [x for x in results if isinstance(x, ordering.Placed)]
    refused = [x for x in results if isinstance(x, ordering.CreditShort)]
    assert len(placed) + len(refused) == 50
    used = sum((p.order.total for p in placed), D(0))
    assert used <= limit
    # A refusal was right when made, and credit only shrinks: each refused cart is
    # bigger than what is left even now.
    assert all(x.total > limit - used for x in refused)
    assert all(x.shortfall > 0 for x in refused)
    stored = await conn.fetchval("SELECT sum(total) FROM orders WHERE retailer_id = $1", r)
    assert stored == used
    assert (await ledger.credit_position(conn, r)).available == limit - used


async def test_an_order_over_the_available_credit_is_refused_with_the_shortfall(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(limit="1000")
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    first = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(6))],
                                     actor="t", now=world.now)
    assert isinstance(first, ordering.Placed)
    second = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(5))],
                                      actor="t", now=world.now)
    assert second == ordering.CreditShort(D("100.00"), D("400.00"), D("500.00"))


async def test_outstanding_debits_count_against_credit_and_payments_restore_it(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(limit="1000")
    await ledger.post_correction(conn, retailer_id=r, kind="debit", amount=D(900),
                                 note="opening balance", actor="t", now=world.now)
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    refused = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(2))],
                                       actor="t", now=world.now)
    assert isinstance(refused, ordering.CreditShort)
    await ledger.record_payment(conn, retailer_id=r, amount=D(500), method="cash",
                                reference="R-1", actor="t", now=world.now)
    ok = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(2))],
                                  actor="t", now=world.now)
    assert isinstance(ok, ordering.Placed)


async def test_blocked_and_pending_retailers_may_not_order(
        conn: asyncpg.Connection, world: World) -> None:
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    for status in ("blocked", "pending"):
        r = await world.retailer(status=status)
        got = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(1))],
                                       actor="t", now=world.now)
        assert isinstance(got, ordering.NotAllowed) and got.code == status
    assert await conn.fetchval("SELECT count(*) FROM orders") == 0


async def test_unknown_items_are_named(conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    got = await orders.place_order(conn, retailer_id=r,
                                   items=[Item("sugar", D(1)), Item("unobtainium", D(1))],
                                   actor="t", now=world.now)
    assert got == ordering.UnknownItems(("unobtainium",))


async def test_prices_are_snapshotted_into_the_order(conn: asyncpg.Connection,
                                                     world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    placed = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D("2.5"))],
                                      actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    await world.price(v, "sugar", "140")
    row = await conn.fetchrow("SELECT unit_price, line_total FROM order_items")
    assert (row["unit_price"], row["line_total"]) == (D("100.00"), D("250.00"))


async def test_the_same_idempotency_key_places_once(conn: asyncpg.Connection,
                                                    world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    args = dict(retailer_id=r, items=[Item("sugar", D(1))], actor="t", now=world.now,
                idempotency_key="wamid.abc")
    first = await orders.place_order(conn, **args)  # type: ignore[arg-type]
    again = await orders.place_order(conn, **args)  # type: ignore[arg-type]
    assert isinstance(first, ordering.Placed) and isinstance(again, ordering.Placed)
    assert again.duplicate and again.order.number == first.order.number
    assert again.notices == ()
    assert await conn.fetchval("SELECT count(*) FROM orders") == 1


async def test_stock_is_reserved_and_an_order_beyond_it_goes_elsewhere(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    cheap = await world.vendor("Cheap")
    dear = await world.vendor("Dear")
    await world.price(cheap, "rice", "1800", stock="5")
    await world.price(dear, "rice", "2000", stock="50")
    first = await orders.place_order(conn, retailer_id=r, items=[Item("rice", D(4))],
                                     actor="t", now=world.now)
    assert isinstance(first, ordering.Placed) and first.order.vendor_id == cheap
    assert await world.stock(cheap, "rice") == D(1)
    second = await orders.place_order(conn, retailer_id=r, items=[Item("rice", D(4))],
                                      actor="t", now=world.now)
    assert isinstance(second, ordering.Placed) and second.order.vendor_id == dear


async def test_asking_a_vendor_without_enough_stock_names_the_line_and_an_alternative(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    small = await world.vendor("Small")
    big = await world.vendor("Big")
    await world.price(small, "rice", "1800", stock="3")
    await world.price(big, "rice", "2000", stock="50")
    got = await orders.place_order(conn, retailer_id=r, items=[Item("rice", D(4))],
                                   vendor_id=small, actor="t", now=world.now)
    assert isinstance(got, ordering.StockShort)
    assert [(ln.sku, ln.wanted, ln.available, ln.vendor_name) for ln in got.lines] == [
        ("rice", D(4), D(3), "Small")]
    assert got.alternatives == (ordering.Alternative(big, "Big", D("8000.00")),)


async def test_nobody_having_an_item_is_a_stock_shortage(conn: asyncpg.Connection,
                                                         world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "rice", "1800", stock="2")
    got = await orders.place_order(conn, retailer_id=r, items=[Item("rice", D(4))],
                                   actor="t", now=world.now)
    assert isinstance(got, ordering.StockShort)
    assert got.lines[0].available == D(2) and got.lines[0].vendor_id is None


async def test_no_single_vendor_offers_a_split_that_places_all_parts_together(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    a = await world.vendor("Rice House")
    b = await world.vendor("Sugar Depot")
    await world.price(a, "rice", "2000")
    await world.price(b, "sugar", "100")
    cart = [Item("rice", D(1)), Item("sugar", D(5))]
    offer = await orders.place_order(conn, retailer_id=r, items=cart, actor="t", now=world.now)
    assert isinstance(offer, ordering.SplitOffer)
    assert [(p.vendor_name, [ln.sku for ln in p.lines], p.total) for p in offer.parts] == [
        ("Rice House", ["rice"], D("2000.00")), ("Sugar Depot", ["sugar"], D("500.00"))]
    assert offer.total == D("2500.00")
    quote = await orders.quote(conn, r, cart)
    assert quote.split == offer.parts and quote.vendor_id is None
    done = await orders.place_split(conn, retailer_id=r, parts=offer.parts, actor="t",
                                    now=world.now, idempotency_key="k")
    assert isinstance(done, ordering.SplitPlaced)
    assert [p.order.vendor_id for p in done.placed] == [a, b]
    assert await conn.fetchval("SELECT count(*) FROM orders") == 2


async def test_a_split_that_does_not_fit_the_credit_places_nothing(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer(limit="2200")
    a = await world.vendor("Rice House")
    b = await world.vendor("Sugar Depot")
    await world.price(a, "rice", "2000")
    await world.price(b, "sugar", "100")
    offer = await orders.place_order(conn, retailer_id=r,
                                     items=[Item("rice", D(1)), Item("sugar", D(5))],
                                     actor="t", now=world.now)
    assert isinstance(offer, ordering.SplitOffer)
    got = await orders.place_split(conn, retailer_id=r, parts=offer.parts, actor="t",
                                   now=world.now)
    assert isinstance(got, ordering.CreditShort)
    assert await conn.fetchval("SELECT count(*) FROM orders") == 0


async def test_routing_explains_itself_in_the_first_event(conn: asyncpg.Connection,
                                                          world: World) -> None:
    r = await world.retailer()
    a = await world.vendor("Alpha")
    b = await world.vendor("Beta")
    await world.price(a, "sugar", "100")
    await world.price(b, "sugar", "90")
    placed = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(1))],
                                      actor="retailer:1", now=world.now)
    assert isinstance(placed, ordering.Placed) and placed.vendor_name == "Beta"
    event = await conn.fetchrow("SELECT * FROM order_events")
    assert event["to_status"] == "pending" and event["from_status"] is None
    assert event["actor"] == "retailer:1"
    assert "Beta" in event["reason"] and "cheapest" in event["reason"]
    assert [x["vendor_id"] for x in event["details"]["ranking"]] == [b, a]


async def test_vendors_outside_the_retailers_area_are_not_used(conn: asyncpg.Connection,
                                                               world: World) -> None:
    r = await world.retailer(area="Baneshwor")
    v = await world.vendor("Far", areas=("Pokhara",))
    await world.price(v, "sugar", "90")
    got = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", D(1))],
                                   actor="t", now=world.now)
    assert isinstance(got, ordering.StockShort)


async def test_orders_racing_for_the_last_bags_never_oversell(
        runtime: Runtime, conn: asyncpg.Connection, world: World) -> None:
    v = await world.vendor("Only")
    await world.price(v, "rice", "2000", stock="20")
    await world.price(v, "sugar", "100", stock="1000")
    shops = [await world.retailer() for _ in range(12)]

    async def order(n: int) -> orders.PlaceResult:
        # Half write the cart the other way round: reservations must not deadlock.
        cart = [Item("rice", D(5)), Item("sugar", D(1))]
        async with runtime.pool.acquire() as c:
            return await orders.place_order(c, retailer_id=shops[n],
                                            items=cart if n % 2 else cart[::-1],
                                            actor="t", now=world.now)

    results = await asyncio.gather(*(order(n) for n in range(12)))
    assert sum(isinstance(x, ordering.Placed) for x in results) == 4
    assert all(isinstance(x, ordering.Placed | ordering.StockShort) for x in results)
    assert await world.stock(v, "rice") == D(0)
    assert await world.stock(v, "sugar") == D(996)


async def test_fractional_quantities_keep_the_total_equal_to_its_lines(
        conn: asyncpg.Connection, world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    for sku in ("a", "b", "c"):
        await world.price(v, sku, "10.01", min_qty="0.1")
    placed = await orders.place_order(
        conn, retailer_id=r, items=[Item("a", D("0.3335")), Item("b", D("0.3335")),
                                    Item("c", D("0.3335"))], actor="t", now=world.now)
    assert isinstance(placed, ordering.Placed)
    assert [ln.qty for ln in placed.lines] == [D("0.334")] * 3
    assert placed.order.total == sum(ln.line_total for ln in placed.lines)
    assert await ledger.check(conn) == []


async def test_silly_quantities_are_refused_not_crashed_on(conn: asyncpg.Connection,
                                                          world: World) -> None:
    r = await world.retailer()
    v = await world.vendor("V")
    await world.price(v, "sugar", "100")
    for qty in (D(0), D(-1), D("NaN"), D("1e9"), D("0.0001")):
        got = await orders.place_order(conn, retailer_id=r, items=[Item("sugar", qty)],
                                       actor="t", now=world.now)
        assert isinstance(got, ordering.NotAllowed) and got.code == "bad_qty", qty
    got = await orders.place_order(conn, retailer_id=r, items=[], actor="t", now=world.now)
    assert isinstance(got, ordering.NotAllowed) and got.code == "empty"
    same = await orders.place_order(conn, retailer_id=r,
                                    items=[Item("sugar", D(1)), Item("sugar", D(2))],
                                    actor="t", now=world.now)
    assert isinstance(same, ordering.Placed) and [ln.qty for ln in same.lines] == [D(3)]


async def test_the_jobs_vendor_figures_steer_routing(conn: asyncpg.Connection,
                                                     world: World) -> None:
    r = await world.retailer()
    flaky = await world.vendor("Flaky but cheap")
    solid = await world.vendor("Solid")
    await world.price(flaky, "sugar", "96")
    await world.price(solid, "sugar", "100")
    first = await orders.quote(conn, r, [Item("sugar", D(10))])
    assert first.vendor_id == flaky  # no history yet: price decides
    for vid, accepted, rejected, fulfilled, failed, median in (
            (flaky, 5, 25, 3, 2, 840), (solid, 29, 1, 29, 0, 45)):
        await conn.execute(
            "INSERT INTO vendor_performance (vendor_id, window_days, as_of, offers, accepted,"
            " rejected, timed_out, median_response_seconds, fulfilled, failed)"
            " VALUES ($1, 30, $2, $3, $4, $5, 0, $6, $7, $8)",
            vid, world.now, accepted + rejected, accepted, rejected, median, fulfilled, failed)
    second = await orders.quote(conn, r, [Item("sugar", D(10))])
    assert second.vendor_id == solid
    assert second.explanation is not None and "acceptance 94%" in second.explanation
