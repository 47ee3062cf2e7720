"""weekly-reports: each vendor's figures on Sunday morning, once; the operators' report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bot.runtime import Runtime
from jobs.weekly_reports import week_for
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

SUNDAY = b.ktm(2026, 3, 15, 8, 0)


def test_the_week_is_the_seven_days_before_the_sunday_on_or_before_the_date() -> None:
    assert week_for(date(2026, 3, 15)) == (date(2026, 3, 8), date(2026, 3, 14))
    assert week_for(date(2026, 3, 18)) == (date(2026, 3, 8), date(2026, 3, 14))
    assert week_for(date(2026, 3, 14)) == (date(2026, 3, 1), date(2026, 3, 7))


async def build_week(runtime: Runtime) -> dict:
    """A vendor's week: 3 offers (2 accepted in 4 and 10 minutes, 1 rejected), a price flag."""
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, shop="Ram", created=b.ktm(2026, 3, 9))
        v = await b.vendor(conn, name="Shrestha Traders")
        idle = await b.vendor(conn, name="Idle Vendor")
        p = await b.product(conn, "ghee", unit="tin")
        for day, minutes, outcome, lines in (
            (9, 4, "accepted", [(p, "2", "1500")]),     # 3000
            (11, 10, "accepted", [(p, "1", "1550")]),   # 1550
            (13, 6, "rejected", [(p, "1", "1500")]),
        ):
            at = b.ktm(2026, 3, day, 11)
            o = await b.order(conn, r["id"], v["id"] if outcome == "accepted" else None, at,
                              lines, status="delivered" if outcome == "accepted" else "cancelled")
            await conn.execute(
                "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline, "
                "answered_at, outcome) VALUES ($1, $2, $3, $4, $5, $6)", o["id"], v["id"], at,
                at + timedelta(minutes=15), at + timedelta(minutes=minutes), outcome)
        # Last week's order does not count.
        await b.order(conn, r["id"], v["id"], b.ktm(2026, 3, 7, 11), [(p, "9", "1500")])
        await conn.execute(
            "INSERT INTO price_flags (product_id, vendor_id, price, median, deviation, "
            "first_flagged_at, last_seen_at) VALUES ($1, $2, 1800, 1500, 0.2, now(), now())",
            p, v["id"])
        return {"vendor": v, "idle": idle, "retailer": r}


async def test_each_vendor_gets_the_week_in_figures(runtime: Runtime, run: RunJob) -> None:
    data = await build_week(runtime)
    result = await run("weekly-reports", SUNDAY)
    assert result.counts == {"reports": 1, "vendor_messages": 1}
    async with runtime.pool.acquire() as conn:
        [msg] = await b.outbox(conn)
    assert msg["recipient"] == data["vendor"]["phone"]
    name, params = b.template_of(msg)
    assert name == "vendor_weekly_report"
    assert params == ["Shrestha Traders", "2026-03-08 to 2026-03-14", "2", "Rs 4,550",
                      "66.7%", "6m 00s", "1"]


async def test_the_operators_report_is_stored_with_the_weeks_totals(
    runtime: Runtime, run: RunJob
) -> None:
    data = await build_week(runtime)
    await run("weekly-reports", SUNDAY)
    async with runtime.pool.acquire() as conn:
        report = await conn.fetchrow("SELECT * FROM reports WHERE kind = 'weekly'")
    assert (report["period_start"], report["period_end"]) == (date(2026, 3, 8), date(2026, 3, 14))
    body = report["body"]
    assert body["totals"] == {"orders": 2, "gmv": "4550.00", "active_retailers": 1,
                              "new_retailers": 1, "avg_basket": "2275.00"}
    vendor = next(v for v in body["vendors"] if v["vendor_id"] == data["vendor"]["id"])
    assert (vendor["offers"], vendor["acceptance_rate"], vendor["price_flags"]) == (
        3, "0.6667", 1)
    assert Decimal(vendor["value"]) == Decimal("4550.00")


async def test_a_vendor_gets_the_weekly_summary_once(runtime: Runtime, run: RunJob) -> None:
    await build_week(runtime)
    await run("weekly-reports", SUNDAY)
    again = await run("weekly-reports", SUNDAY + timedelta(minutes=30))
    assert again.counts == {"reports": 1, "already_sent": 1}
    async with runtime.pool.acquire() as conn:
        assert len(await b.outbox(conn)) == 1
