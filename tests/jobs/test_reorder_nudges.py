"""reorder-nudges: a one-tap reorder on the day the usual interval has passed, once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.runtime import Runtime
from domain.reorder import Purchase, estimate
from jobs.reorder_nudges import nudge_items
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob


def test_the_usual_interval_is_the_median_gap_and_the_quantity_the_median() -> None:
    est = estimate([Purchase(date(2026, 3, 1), Decimal(10)), Purchase(date(2026, 3, 8),
                    Decimal(12)), Purchase(date(2026, 3, 13), Decimal(10)),
                    Purchase(date(2026, 3, 22), Decimal(20))])
    assert est is not None
    assert est.interval_days == 7  # gaps 7, 5, 9
    assert est.usual_qty == Decimal(11)
    assert est.due_on == date(2026, 3, 29)
    assert not est.is_due(date(2026, 3, 28))
    assert est.is_due(date(2026, 3, 29))


def test_two_orders_are_not_yet_a_habit() -> None:
    assert estimate([Purchase(date(2026, 3, 1), Decimal(1)),
                     Purchase(date(2026, 3, 8), Decimal(1))]) is None


async def _weekly_sugar(runtime: Runtime) -> dict:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, shop="Gita Store")
        v = await b.vendor(conn)
        sugar = await b.product(conn, "sugar", "Sugar", unit="kg")
        rice = await b.product(conn, "rice", "Rice", unit="bag")
        for day in (1, 8, 15):
            await b.order(conn, r["id"], v["id"], b.ktm(2026, 3, day, 11), [(sugar, "10", "100")])
        for day in (1, 15):
            await b.order(conn, r["id"], v["id"], b.ktm(2026, 3, day, 12), [(rice, "1", "2500")])
        return {"retailer": r, "vendor": v, "sugar": sugar}


async def test_no_nudge_before_the_interval_has_passed(runtime: Runtime, run: RunJob) -> None:
    await _weekly_sugar(runtime)
    result = await run("reorder-nudges", b.ktm(2026, 3, 21, 10))
    assert "nudged_retailers" not in result.counts
    async with runtime.pool.acquire() as conn:
        assert await b.outbox(conn) == []


async def test_a_nudge_on_the_day_the_interval_has_passed(runtime: Runtime, run: RunJob) -> None:
    data = await _weekly_sugar(runtime)
    result = await run("reorder-nudges", b.ktm(2026, 3, 22, 10))
    assert result.counts == {"nudged_retailers": 1, "nudged_products": 1}
    async with runtime.pool.acquire() as conn:
        [row] = await b.outbox(conn)
        nudge = await conn.fetchrow("SELECT * FROM nudges_sent")
        items = await nudge_items(conn, nudge["batch_id"])
    assert row["kind"] == "template"  # outside the 24-hour window
    name, params = b.template_of(row)
    assert (name, params) == ("reorder_nudge", ["Gita Store", "Sugar 10 kg"])
    button = row["payload"]["template"]["components"][1]
    assert button["parameters"][0]["payload"] == f"reorder:{nudge['batch_id']}"
    assert nudge["interval_days"] == 7
    assert items == [("sugar", Decimal("10.000"))]
    assert data["retailer"]["phone"] == row["recipient"]


async def test_a_nudge_is_sent_once_per_cycle_and_again_after_the_next_order(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _weekly_sugar(runtime)
    await run("reorder-nudges", b.ktm(2026, 3, 22, 10))
    again = await run("reorder-nudges", b.ktm(2026, 3, 23, 10))
    assert "nudged_retailers" not in again.counts
    async with runtime.pool.acquire() as conn:
        await b.order(conn, data["retailer"]["id"], data["vendor"]["id"], b.ktm(2026, 3, 24, 9),
                      [(data["sugar"], "10", "100")])
    early = await run("reorder-nudges", b.ktm(2026, 3, 30, 10))
    due = await run("reorder-nudges", b.ktm(2026, 3, 31, 10))
    assert "nudged_retailers" not in early.counts
    assert due.counts["nudged_products"] == 1
    async with runtime.pool.acquire() as conn:
        assert len(await b.outbox(conn)) == 2


async def test_inside_the_window_the_nudge_is_a_button_with_the_template_as_fallback(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _weekly_sugar(runtime)
    now = b.ktm(2026, 3, 22, 10)
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO inbound_messages (wamid, sender, type, received_at) "
            "VALUES ('wamid.x', $1, 'text', $2)", data["retailer"]["phone"],
            now - timedelta(hours=3))
    await run("reorder-nudges", now)
    async with runtime.pool.acquire() as conn:
        [row] = await b.outbox(conn)
    assert row["kind"] == "interactive"
    assert row["payload"]["interactive"]["type"] == "button"
    assert "Your usual: Sugar 10 kg" in row["payload"]["interactive"]["body"]["text"]
    assert row["fallback"]["template"]["name"] == "reorder_nudge"


async def test_a_nepali_speaking_retailer_reads_quantities_and_units_in_nepali(
    runtime: Runtime, run: RunJob
) -> None:
    data = await _weekly_sugar(runtime)
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE retailers SET language = 'ne' WHERE id = $1",
                           data["retailer"]["id"])
    await run("reorder-nudges", b.ktm(2026, 3, 22, 10))
    async with runtime.pool.acquire() as conn:
        [row] = await b.outbox(conn)
    assert b.template_of(row)[1][1] == "Sugar १० केजी"
    assert row["payload"]["template"]["language"]["code"] == "ne"


async def test_no_nudge_at_night(runtime: Runtime, run: RunJob) -> None:
    await _weekly_sugar(runtime)
    result = await run("reorder-nudges", b.ktm(2026, 3, 22, 21))
    assert result.counts == {"quiet_hours": 1}


async def test_a_habit_lapsed_for_long_is_left_to_the_call_list(
    runtime: Runtime, run: RunJob
) -> None:
    await _weekly_sugar(runtime)
    result = await run("reorder-nudges", b.ktm(2026, 4, 20, 10))  # 36 days since the last
    assert "nudged_retailers" not in result.counts


async def test_a_retailer_who_sent_stop_gets_no_nudge(runtime: Runtime, run: RunJob) -> None:
    data = await _weekly_sugar(runtime)
    async with runtime.pool.acquire() as conn:
        await conn.execute("INSERT INTO marketing_consent (phone, opted_out, source) "
                           "VALUES ($1, true, 'message:stop')", data["retailer"]["phone"])
    result = await run("reorder-nudges", b.ktm(2026, 3, 22, 10))
    assert "nudged_retailers" not in result.counts
    async with runtime.pool.acquire() as conn:
        assert await b.outbox(conn) == []
