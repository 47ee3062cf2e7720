"""Every job over a realistic month of data: 1,500 retailers, 300 vendors, 45,000 orders.

Run with `-m slow -s` to see the timings (docs/JOBS.md quotes them).
"""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.runtime import Runtime
from jobs.runner import registry, run_job

KTM = ZoneInfo("Asia/Kathmandu")

SEED = """
INSERT INTO retailers (phone, shop_name, area, status, credit_limit, created_at)
SELECT '9779' || lpad(g::text, 9, '0'), 'Shop ' || g, 'Area ' || (g % 20), 'active', 50000,
       timestamptz '2025-06-01' + (g % 200) * interval '1 day'
FROM generate_series(1, 1500) g;
INSERT INTO vendors (phone, name, areas)
SELECT '9778' || lpad(g::text, 9, '0'), 'Vendor ' || g, ARRAY['Area ' || (g % 20)]
FROM generate_series(1, 300) g;
INSERT INTO products (sku, name, unit, category)
SELECT 'sku' || g, 'Product ' || g, 'kg', 'cat' || (g % 12) FROM generate_series(1, 400) g;
INSERT INTO vendor_products (vendor_id, product_id, price)
SELECT v, p, 100 + ((v * 7 + p * 13) % 40) FROM generate_series(1, 300) v,
       generate_series(1, 400) p WHERE (v + p) % 10 = 0;
-- 45,000 orders over 90 days (500 a day)
WITH g AS (
    SELECT g, timestamptz '2026-03-08 10:00+05:45' - (g % 90) * interval '1 day'
              - (g % 600) * interval '1 minute' AS at
    FROM generate_series(1, 45000) g
)
INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at,
                    accepted_at, delivered_at)
SELECT 1 + (g % 1500), 1 + (g % 300),
       CASE WHEN g % 17 = 0 THEN 'cancelled' ELSE 'delivered' END,
       1000 + (g % 50) * 100, 2, at, at + interval '4 minutes', at + interval '6 hours'
FROM g;
INSERT INTO order_items (order_id, line_no, product_id, sku, name, unit, qty, unit_price,
                         line_total)
SELECT o.id, l, 1 + ((o.id * l * 31) % 400), 'sku' || (1 + ((o.id * l * 31) % 400)),
       'Product', 'kg', 5, o.total / 10, o.total / 2
FROM orders o, generate_series(1, 2) l;
INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline, answered_at, outcome)
SELECT id, vendor_id, created_at, created_at + interval '15 minutes', accepted_at, 'accepted'
FROM orders;
INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, due_date, created_by,
                            created_at)
SELECT retailer_id, 'debit', total, id,
       (delivered_at AT TIME ZONE 'Asia/Kathmandu')::date + 30, 'bench', delivered_at
FROM orders WHERE status = 'delivered';
-- Each retailer has paid 60 % of what they bought.
INSERT INTO payments (retailer_id, amount, method, recorded_by, received_at, created_at)
SELECT retailer_id, sum(total) * 0.6, 'cash', 'bench', timestamptz '2026-03-01',
       timestamptz '2026-03-01'
FROM orders WHERE status = 'delivered' GROUP BY retailer_id;
INSERT INTO ledger_entries (retailer_id, kind, amount, payment_id, created_by, created_at)
SELECT retailer_id, 'credit', amount, id, 'bench', received_at FROM payments;
"""


@pytest.mark.slow
async def test_every_job_handles_the_original_target_volume(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(SEED)
        await conn.execute("ANALYZE")
    now = datetime(2026, 3, 8, 10, 15, tzinfo=KTM)
    timings = {}
    for job_id, job in registry().items():
        at = datetime(2026, 3, 8, 8, 0, tzinfo=KTM) if job_id == "weekly-reports" else now
        started = time.monotonic()
        result = await run_job(runtime, job, at)
        timings[job_id] = time.monotonic() - started
        assert result.outcome == "ok", result
        print(f"{job_id:<22} {timings[job_id]:6.2f}s  {result.counts}")
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM credit_scores") == 1500
        assert await conn.fetchval("SELECT count(*) FROM vendor_performance") == 300
        # Every reminder stage was recorded once, each message covering its stage's debits.
        assert await conn.fetchval("SELECT count(*) FROM reminders_sent") == await conn.fetchval(
            "SELECT count(*) FROM reminders_sent WHERE outbox_id IS NOT NULL")
    # Hourly jobs must finish well inside their hour even on a loaded machine.
    assert max(timings.values()) < 120
