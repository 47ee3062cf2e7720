"""price-intelligence: the median price, flags beyond 15 %, changes kept over time."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from bot.runtime import Runtime
from domain.price_intelligence import flags, median_price
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

NOW = b.ktm(2026, 3, 8, 12, 30)


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median_price([Decimal(100), Decimal(104), Decimal(110), Decimal(90)]) == Decimal(102)


def test_exactly_fifteen_percent_off_is_not_flagged_just_over_is() -> None:
    prices = {1: Decimal(100), 2: Decimal(100), 3: Decimal(115), 4: Decimal("115.01")}
    assert median_price(list(prices.values())) == Decimal("107.50")
    prices = {1: Decimal(100), 2: Decimal(100), 3: Decimal(100), 4: Decimal(115),
              5: Decimal("115.02")}
    assert [f.vendor_id for f in flags(prices)] == [5]


def test_two_vendors_are_too_few_for_a_median_to_flag_anything() -> None:
    assert flags({1: Decimal(100), 2: Decimal(300)}) == []


async def _market(runtime: Runtime, prices: list[str]) -> tuple[int, list[int]]:
    async with runtime.pool.acquire() as conn:
        pid = await b.product(conn, "chini-1kg", "Sugar 1 kg")
        vids = []
        for i, p in enumerate(prices):
            v = await b.vendor(conn, name=f"Vendor {i}")
            await b.price(conn, v["id"], pid, p)
            vids.append(v["id"])
        return pid, vids


async def test_a_price_far_above_the_median_is_flagged(runtime: Runtime, run: RunJob) -> None:
    pid, vids = await _market(runtime, ["100", "105", "98", "130"])
    result = await run("price-intelligence", NOW)
    assert result.counts["flagged"] == 1
    async with runtime.pool.acquire() as conn:
        [flag] = await conn.fetch("SELECT * FROM price_flags")
        stats = await conn.fetchrow("SELECT * FROM product_price_stats WHERE product_id = $1",
                                    pid)
    assert flag["vendor_id"] == vids[3]
    assert flag["median"] == Decimal("102.50")
    assert flag["deviation"] == Decimal("0.2683")  # (130 - 102.5) / 102.5
    assert (stats["vendors"], stats["median"], stats["min_price"], stats["max_price"]) == (
        4, Decimal("102.50"), Decimal("98.00"), Decimal("130.00"))


async def test_a_price_far_below_the_median_is_flagged_too(runtime: Runtime, run: RunJob) -> None:
    _, vids = await _market(runtime, ["100", "102", "80"])
    await run("price-intelligence", NOW)
    async with runtime.pool.acquire() as conn:
        [flag] = await conn.fetch("SELECT vendor_id, deviation FROM price_flags")
    assert flag["vendor_id"] == vids[2]
    assert flag["deviation"] == Decimal("-0.2000")


async def test_a_flag_stays_one_row_and_clears_when_the_price_comes_back(
    runtime: Runtime, run: RunJob
) -> None:
    pid, vids = await _market(runtime, ["100", "105", "98", "130"])
    await run("price-intelligence", NOW)
    await run("price-intelligence", NOW + timedelta(hours=6))
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM price_flags") == 1
        await b.price(conn, vids[3], pid, "104")
    result = await run("price-intelligence", NOW + timedelta(days=1))
    assert result.counts["cleared"] == 1
    async with runtime.pool.acquire() as conn:
        flag = await conn.fetchrow("SELECT cleared_at FROM price_flags")
        history = await conn.fetch(
            "SELECT price FROM vendor_price_history WHERE vendor_id = $1 ORDER BY recorded_at",
            vids[3])
        days = await conn.fetchval("SELECT count(*) FROM product_price_stats")
    assert flag["cleared_at"] == NOW + timedelta(days=1)
    assert [h["price"] for h in history] == [Decimal("130.00"), Decimal("104.00")]
    assert days == 2


async def test_inactive_vendors_do_not_count(runtime: Runtime, run: RunJob) -> None:
    _, vids = await _market(runtime, ["100", "100", "100", "200"])
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE vendors SET active = false WHERE id = $1", vids[3])
    result = await run("price-intelligence", NOW)
    assert result.counts.get("flagged", 0) == 0
