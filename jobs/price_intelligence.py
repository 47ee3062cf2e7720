"""price-intelligence: median vendor price per product, outliers flagged for operators.

Per product with prices from at least three active vendors: the median, and a
flag for each vendor more than 15 % above or below it (`price_flags`, open
until the price comes back in line). The day's spread per product is kept in
`product_price_stats`, and any current price not yet in
`vendor_price_history` is recorded there, so price changes over time are
kept even when a price list was edited without going through the importer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from domain.business_time import business_date
from domain.price_intelligence import flags, median_price
from jobs.job import Job, JobContext


async def run(ctx: JobContext, now: datetime) -> None:
    """Record price changes, the day's medians and the open flags."""
    today = business_date(now)
    async with ctx.runtime.pool.acquire() as conn, conn.transaction():
        recorded = await conn.execute(
            "INSERT INTO vendor_price_history (vendor_id, product_id, price, recorded_at) "
            "SELECT vp.vendor_id, vp.product_id, vp.price, $1 FROM vendor_products vp "
            "WHERE vp.price IS DISTINCT FROM (SELECT h.price FROM vendor_price_history h "
            "  WHERE h.vendor_id = vp.vendor_id AND h.product_id = vp.product_id "
            "  ORDER BY h.recorded_at DESC, h.id DESC LIMIT 1)", now)
        ctx.add("price_changes_recorded", int(recorded.split()[-1]))
        rows = await conn.fetch(
            "SELECT vp.product_id, vp.vendor_id, vp.price FROM vendor_products vp "
            "JOIN vendors v ON v.id = vp.vendor_id WHERE v.active")
        by_product: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for r in rows:
            by_product[r["product_id"]][r["vendor_id"]] = r["price"]
        open_now: set[tuple[int, int]] = set()
        for product_id, prices in by_product.items():
            values = list(prices.values())
            await conn.execute(
                "INSERT INTO product_price_stats (product_id, day, vendors, median, min_price, "
                "max_price) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_id, day) DO "
                "UPDATE SET vendors = EXCLUDED.vendors, median = EXCLUDED.median, "
                "min_price = EXCLUDED.min_price, max_price = EXCLUDED.max_price",
                product_id, today, len(values), median_price(values), min(values), max(values))
            ctx.add("products")
            for flag in flags(prices):
                open_now.add((product_id, flag.vendor_id))
                updated = await conn.execute(
                    "UPDATE price_flags SET price = $3, median = $4, deviation = $5, "
                    "last_seen_at = $6 WHERE product_id = $1 AND vendor_id = $2 "
                    "AND cleared_at IS NULL", product_id, flag.vendor_id, flag.price,
                    flag.median, flag.deviation, now)
                if updated.endswith(" 0"):
                    await conn.execute(
                        "INSERT INTO price_flags (product_id, vendor_id, price, median, "
                        "deviation, first_flagged_at, last_seen_at) "
                        "VALUES ($1, $2, $3, $4, $5, $6, $6)", product_id, flag.vendor_id,
                        flag.price, flag.median, flag.deviation, now)
                    ctx.add("flagged")
        for r in await conn.fetch(
                "SELECT id, product_id, vendor_id FROM price_flags WHERE cleared_at IS NULL"):
            if (r["product_id"], r["vendor_id"]) not in open_now:
                await conn.execute("UPDATE price_flags SET cleared_at = $2 WHERE id = $1",
                                   r["id"], now)
                ctx.add("cleared")
        ctx.add("open_flags", len(open_now))


JOB = Job("price-intelligence", {"minute": "30", "hour": "*/6"}, run,
          "median vendor price per product; flag vendor prices more than 15% off it")
