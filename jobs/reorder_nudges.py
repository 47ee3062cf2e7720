"""reorder-nudges: offer a one-tap reorder when a retailer's usual interval has passed.

For each retailer and product ordered on at least three different days, the
usual interval is the median gap between those days (domain/reorder.py).
Once it has passed since the last order of the product, and the retailer has
not ordered it since, the retailer gets one message listing the due products
with their usual quantities and a button that puts them in a cart (payload
`reorder:<nudge id>`). A nudge is sent once per product per cycle: the
unique (retailer, product, last order) of `nudges_sent`. Inside the 24-hour
window it is an interactive message (with the template as fallback),
outside it the template; never between 20:00 and 08:00.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

import asyncpg

from bot.store.outbox import enqueue
from domain.business_time import ZONE_NAME, business_date
from domain.reorder import Purchase, ReorderEstimate, estimate
from flows import i18n, templates
from flows.choices import ReorderChoice
from flows.replies import Button, Buttons, Outgoing
from jobs.job import Job, JobContext
from jobs.messaging import in_quiet_hours, within_window

HISTORY_DAYS = 180
MAX_ITEMS = 3
BATCH = 200
# A habit lapsed this long ago (several intervals) is churn, not a reorder.
STALE_INTERVALS = 3


async def due_products(conn: asyncpg.Connection, retailer_id: int, today: date,
                       now: datetime) -> list[tuple[int, str, str, int, ReorderEstimate]]:
    """(product id, name, unit, last order id, estimate) for each product due today."""
    rows = await conn.fetch(
        "SELECT i.product_id, i.name, i.unit, i.qty, o.id AS order_id, "
        "(o.created_at AT TIME ZONE $4)::date AS day FROM orders o "
        "JOIN order_items i ON i.order_id = o.id WHERE o.retailer_id = $1 "
        "AND NOT order_is_void(o.status) AND o.created_at >= $2 "
        "AND o.created_at <= $3 ORDER BY o.created_at, o.id",
        retailer_id, now - timedelta(days=HISTORY_DAYS), now, ZONE_NAME)
    by_product: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for r in rows:
        by_product[r["product_id"]].append(r)
    due = []
    for product_id, items in by_product.items():
        est = estimate([Purchase(r["day"], r["qty"]) for r in items])
        if est is None or not est.is_due(today):
            continue
        if (today - est.last_on).days > est.interval_days * STALE_INTERVALS:
            continue
        last = items[-1]
        due.append((product_id, last["name"], last["unit"], last["order_id"], est))
    due.sort(key=lambda d: (d[4].due_on, d[1]))
    return due[:MAX_ITEMS]


async def run(ctx: JobContext, now: datetime) -> None:
    """Nudge every retailer with products due."""
    if in_quiet_hours(now):
        ctx.add("quiet_hours")
        return
    today = business_date(now)
    async with ctx.runtime.pool.acquire() as conn:
        ids = [r["retailer_id"] for r in await conn.fetch(
            "SELECT DISTINCT retailer_id FROM orders o JOIN retailers r ON r.id = o.retailer_id "
            "WHERE r.status = 'active' AND o.created_at >= $1 "
            # A nudge is marketing: a number that sent STOP gets none, in or out of the window.
            "AND NOT EXISTS (SELECT 1 FROM marketing_consent c "
            "                WHERE c.phone = r.phone AND c.opted_out) ORDER BY retailer_id",
            now - timedelta(days=HISTORY_DAYS))]
    for start in range(0, len(ids), BATCH):
        async with ctx.runtime.pool.acquire() as conn:
            for rid in ids[start:start + BATCH]:
                async with conn.transaction():
                    await _nudge(ctx, conn, rid, today, now)
        ctx.checkpoint()


async def _nudge(ctx: JobContext, conn: asyncpg.Connection, rid: int, today: date,
                 now: datetime) -> None:
    # Serialise with any other transaction nudging this retailer.
    await conn.execute("SELECT 1 FROM retailers WHERE id = $1 FOR UPDATE", rid)
    due = await due_products(conn, rid, today, now)
    retailer = await conn.fetchrow(
        "SELECT phone, shop_name, language FROM retailers WHERE id = $1", rid)
    lang = retailer["language"]
    sent_ids = []
    lines = []
    for product_id, name, unit, last_order_id, est in due:
        nudge_id = await conn.fetchval(
            "INSERT INTO nudges_sent (retailer_id, product_id, last_order_id, interval_days, "
            "qty, sent_at) VALUES ($1, $2, $3, $4, $5, $6) "
            "ON CONFLICT (retailer_id, product_id, last_order_id) DO NOTHING RETURNING id",
            rid, product_id, last_order_id, est.interval_days, est.usual_qty, now)
        if nudge_id is None:
            continue
        sent_ids.append(nudge_id)
        lines.append(f"{name} {i18n.qty(lang, est.usual_qty)} "
                     f"{i18n.unit(lang, unit, est.usual_qty)}")
    if not sent_ids:
        return
    await conn.execute("UPDATE nudges_sent SET batch_id = $1 WHERE id = ANY($2::bigint[])",
                       sent_ids[0], sent_ids)
    template = templates.reorder_nudge(retailer["language"], retailer["shop_name"],
                                       ", ".join(lines), sent_ids[0])
    payload = ReorderChoice(sent_ids[0]).to_id()
    if await within_window(conn, retailer["phone"], now):
        reply = Buttons(
            body=i18n.t(lang, "jobs.reorder_nudge.body", shop=retailer["shop_name"],
                        items=", ".join(lines)),
            buttons=(Button(payload, i18n.t(lang, "jobs.reorder_nudge.button")),))
        out = Outgoing(retailer["phone"], reply, fallback=template,
                       correlation=f"nudge:{sent_ids[0]}")
    else:
        out = Outgoing(retailer["phone"], template, correlation=f"nudge:{sent_ids[0]}")
    await enqueue(conn, [out])
    ctx.add("nudged_retailers")
    ctx.add("nudged_products", len(sent_ids))


async def nudge_items(conn: asyncpg.Connection, batch_id: int) -> list[tuple[str, Decimal]]:
    """(sku, usual qty) of the products a `reorder:<batch id>` button stands for."""
    rows = await conn.fetch(
        "SELECT p.sku, n.qty FROM nudges_sent n JOIN products p ON p.id = n.product_id "
        "WHERE n.batch_id = $1 ORDER BY n.id", batch_id)
    return [(r["sku"], r["qty"]) for r in rows]


JOB = Job("reorder-nudges", {"minute": "0", "hour": "10"}, run,
          "offer a one-tap reorder when a retailer's usual interval for a product has passed")
