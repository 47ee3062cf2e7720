"""A /metrics scrape reads the orders and outbox rows still being worked on, not the history."""

from __future__ import annotations

import asyncpg

from bot import metrics_endpoint
from bot.metrics import ORDERS_BY_STATUS, OUTBOX_DEPTH, OUTBOX_OLDEST_AGE
from bot.runtime import Runtime
from tests.jobs import builders
from tests.plans import rows_read

# Delivered orders and sent messages are kept for good or for months; the ones
# still being worked on are a few hundred at any time.
HISTORY = 100_000
OPEN = 400


def _series(samples: list[str]) -> dict[str, float]:
    """`name{labels} value` lines as a mapping."""
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in samples}


async def _order_history(conn: asyncpg.Connection) -> None:
    """HISTORY delivered or cancelled orders, then OPEN ones spread over the open statuses."""
    retailer = await builders.retailer(conn)
    vendor = await builders.vendor(conn)
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at) "
        "SELECT $1, $2, CASE WHEN g % 10 = 0 THEN 'cancelled' ELSE 'delivered' END, 100, 1, "
        "now() - interval '1 minute' * ($3 - g) FROM generate_series(1, $3) g",
        retailer["id"], vendor["id"], HISTORY)
    await conn.execute(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count) "
        "SELECT $1, $2, (ARRAY['pending', 'accepted', 'dispatched', 'unroutable'])[1 + g % 4], "
        "100, 1 FROM generate_series(1, $3) g",
        retailer["id"], vendor["id"], OPEN)
    await conn.execute("ANALYZE orders")


async def _outbox_history(conn: asyncpg.Connection) -> None:
    """HISTORY sent (read, failed, dead, skipped) rows, then OPEN still to send or held."""
    await conn.execute(
        "INSERT INTO outbox (recipient, kind, payload, status, wamid, sent_at) "
        "SELECT '97798' || (50000000 + g % 300)::text, 'text', '{}', "
        "(ARRAY['read', 'read', 'read', 'delivered', 'sent', 'failed', 'dead', 'skipped'])"
        "[1 + g % 8], 'wamid.h' || g, now() FROM generate_series(1, $1) g", HISTORY)
    await conn.execute(
        "INSERT INTO outbox (recipient, kind, payload, status) "
        "SELECT '97798' || (50000000 + g % 300)::text, 'text', '{}', "
        "(ARRAY['pending', 'sending', 'held'])[1 + g % 3] FROM generate_series(1, $1) g", OPEN)
    await conn.execute("ANALYZE outbox")


async def test_the_orders_gauge_reads_only_the_unfinished_orders_however_long_the_history(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _order_history(conn)
        read = await rows_read(conn, "orders", metrics_endpoint.ORDERS_UNFINISHED)
    assert read < 10 * OPEN


async def test_the_outbox_depth_reads_only_the_rows_still_to_send_however_long_the_history(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _outbox_history(conn)
        read = await rows_read(conn, "outbox", metrics_endpoint.OUTBOX_WAITING)
    assert read < 10 * OPEN


async def test_the_orders_gauge_counts_each_unfinished_status_and_no_finished_one(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _order_history(conn)
    await metrics_endpoint.collect_postgres(runtime.pool)
    assert _series(ORDERS_BY_STATUS.samples()) == {
        f'khaacho_orders{{status="{s}"}}': OPEN / 4
        for s in ("pending", "accepted", "dispatched", "unroutable")}


async def test_the_outbox_depth_counts_the_rows_still_to_send_and_none_sent(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _outbox_history(conn)
    await metrics_endpoint.collect_postgres(runtime.pool)
    assert _series(OUTBOX_DEPTH.samples()) == {
        'khaacho_outbox_depth{status="pending"}': OPEN // 3,
        'khaacho_outbox_depth{status="sending"}': OPEN // 3 + 1,
        'khaacho_outbox_depth{status="held"}': OPEN // 3}


async def test_the_oldest_waiting_age_is_of_a_row_still_to_send_not_of_a_held_one(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        await _outbox_history(conn)
        await conn.execute("UPDATE outbox SET created_at = now() - interval '1 day' "
                           "WHERE status IN ('read', 'held')")
        await conn.execute("UPDATE outbox SET created_at = now() - interval '10 minutes' "
                           "WHERE id = (SELECT min(id) FROM outbox WHERE status = 'pending')")
    await metrics_endpoint.collect_postgres(runtime.pool)
    assert 600 <= OUTBOX_OLDEST_AGE.value() < 3600
