"""The bench's accounting counts orders by number: seen twice is not missing."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.dev.bench.run import account
from bot.runtime import Runtime
from tests.jobs import builders as b


async def _two_orders(runtime: Runtime) -> tuple[int, int]:
    async with runtime.pool.acquire() as conn:
        shop = (await b.retailer(conn))["id"]
        vendor = (await b.vendor(conn))["id"]
        item = await b.product(conn, "RICE-25")
        now = datetime(2026, 12, 1, 10, tzinfo=UTC)
        placed = await b.order(conn, shop, vendor, now, [(item, "1", "100")], status="pending")
        delivered = await b.order(conn, shop, vendor, now, [(item, "1", "100")])
        await b.debit(conn, shop, "100", now.date(), order_id=delivered["id"])
    return placed["number"], delivered["number"]


def _seen(placed: list[int], delivered: list[int]) -> dict[str, object]:
    return {"acked_wamids": [], "unanswered": [], "placed_orders": placed,
            "delivered_orders": delivered}


async def test_an_order_number_seen_in_two_phases_is_not_counted_missing(
        runtime: Runtime) -> None:
    placed, delivered = await _two_orders(runtime)
    found = await account(runtime.settings.database_url,
                          _seen([placed, placed, delivered], [delivered, delivered]))
    assert (found["placed_seen"], found["placed_missing"]) == (2, 0)
    assert (found["delivered_seen"], found["delivered_missing"]) == (1, 0)


async def test_an_order_postgres_lacks_is_counted_and_named_once(runtime: Runtime) -> None:
    placed, _ = await _two_orders(runtime)
    found = await account(runtime.settings.database_url, _seen([placed, 99999, 99999], []))
    assert found["placed_missing"] == 1
    assert [s["number"] for s in found["placed_missing_sample"]] == [99999]
