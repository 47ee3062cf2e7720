"""The console's reports over a real database: figures, CSV columns and charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import asyncpg

from bot.runtime import Runtime
from bot.services import business_reports as reports
from domain.ageing import AgeBucket
from domain.business_time import day_start

TODAY = dt.date(2026, 11, 25)  # a Wednesday; its week starts on Sunday 22 November
WEEKS = reports.weeks_ending(TODAY, 3)

def parse(svg: str) -> ET.Element:
    """Our own chart output (not untrusted input) as an element tree."""
    return ET.fromstring(svg)  # noqa: S314



async def retailer(conn: asyncpg.Connection, phone: str, area: str, shop: str) -> int:
    return int(await conn.fetchval(
        "INSERT INTO retailers (phone, shop_name, area, status, credit_limit) "
        "VALUES ($1, $2, $3, 'active', 100000) RETURNING id", phone, shop, area))


async def vendor(conn: asyncpg.Connection, phone: str, name: str) -> int:
    return int(await conn.fetchval(
        "INSERT INTO vendors (phone, name, areas) VALUES ($1, $2, $3) RETURNING id",
        phone, name, ["Kathmandu", "Pokhara"]))


async def order(conn: asyncpg.Connection, retailer_id: int, vendor_id: int, total: str,
                day: dt.date, status: str = "delivered") -> int:
    at = day_start(day) + dt.timedelta(hours=10)
    return int(await conn.fetchval(
        "INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, created_at) "
        "VALUES ($1, $2, $3, $4, 1, $5) RETURNING id",
        retailer_id, vendor_id, status, Decimal(total), at))


async def debit(conn: asyncpg.Connection, retailer_id: int, order_id: int, amount: str,
                raised: dt.date, due: dt.date) -> None:
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, order_id, due_date, created_by,"
        " created_at) VALUES ($1, 'debit', $2, $3, $4, 'test', $5)",
        retailer_id, Decimal(amount), order_id, due, day_start(raised) + dt.timedelta(hours=12))


async def payment(conn: asyncpg.Connection, retailer_id: int, amount: str, day: dt.date) -> None:
    at = day_start(day) + dt.timedelta(hours=14)
    pid = await conn.fetchval(
        "INSERT INTO payments (retailer_id, amount, method, recorded_by, received_at) "
        "VALUES ($1, $2, 'cash', 'test', $3) RETURNING id", retailer_id, Decimal(amount), at)
    await conn.execute(
        "INSERT INTO ledger_entries (retailer_id, kind, amount, payment_id, created_by, "
        "created_at) VALUES ($1, 'credit', $2, $3, 'test', $4)",
        retailer_id, Decimal(amount), pid, at)


async def seed(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        ktm = await retailer(conn, "9779812000101", "Kathmandu", "Ram Kirana")
        pkr = await retailer(conn, "9779812000102", "Pokhara", "Sita Store")
        big = await vendor(conn, "9779801000101", "Shrestha Traders")
        small = await vendor(conn, "9779801000102", "Himal Wholesale")
        o1 = await order(conn, ktm, big, "1000.00", dt.date(2026, 11, 9))    # week 8 Nov
        await order(conn, ktm, big, "500.00", dt.date(2026, 11, 16))         # week 15 Nov
        await order(conn, pkr, small, "250.00", dt.date(2026, 11, 17))       # week 15 Nov
        await order(conn, pkr, small, "999.00", dt.date(2026, 11, 17), "cancelled")
        o5 = await order(conn, pkr, big, "2000.00", dt.date(2026, 11, 23))   # week 22 Nov
        old = await order(conn, ktm, big, "700.00", dt.date(2026, 9, 1))     # long ago
        await debit(conn, ktm, o1, "1000.00", dt.date(2026, 11, 9), dt.date(2026, 11, 16))
        await debit(conn, ktm, old, "700.00", dt.date(2026, 9, 1), dt.date(2026, 9, 8))
        await debit(conn, pkr, o5, "2000.00", dt.date(2026, 11, 23), dt.date(2026, 11, 30))
        await payment(conn, ktm, "900.00", dt.date(2026, 11, 18))


async def test_gmv_and_orders_are_counted_per_week_and_area_without_void_orders(
        runtime: Runtime) -> None:
    await seed(runtime)
    async with runtime.pool.acquire() as conn:
        rows = await reports.gmv_by_area(conn, WEEKS)
    assert [(r.week.isoformat(), r.area, r.orders, r.gmv) for r in rows] == [
        ("2026-11-08", "Kathmandu", 1, Decimal("1000.00")),
        ("2026-11-15", "Kathmandu", 1, Decimal("500.00")),
        ("2026-11-15", "Pokhara", 1, Decimal("250.00")),
        ("2026-11-22", "Pokhara", 1, Decimal("2000.00"))]


async def test_collections_set_payments_against_what_fell_due_each_week(
        runtime: Runtime) -> None:
    await seed(runtime)
    async with runtime.pool.acquire() as conn:
        rows = await reports.collections(conn, WEEKS)
    assert [(r.week.isoformat(), r.due, r.collected) for r in rows] == [
        ("2026-11-08", Decimal(0), Decimal(0)),
        ("2026-11-15", Decimal("1000.00"), Decimal("900.00")),
        ("2026-11-22", Decimal(0), Decimal(0))]
    assert rows[1].rate == Decimal("0.900")
    assert rows[0].rate is None


async def test_ageing_buckets_what_each_retailer_still_owes(runtime: Runtime) -> None:
    await seed(runtime)
    async with runtime.pool.acquire() as conn:
        rows = await reports.ageing(conn, TODAY)
    by_shop = {r.shop_name: r.ageing for r in rows}
    # Ram paid 900 against the September debit (due first): 700 cleared, 200 of the
    # 9 November debit too; 800 of it is 16 days old.
    ram = by_shop["Ram Kirana"]
    assert ram.amount(AgeBucket.UP_TO_30) == Decimal("800.00")
    assert ram.amount(AgeBucket.OVER_60) == Decimal(0)
    assert by_shop["Sita Store"].amount(AgeBucket.UP_TO_15) == Decimal("2000.00")
    assert [r.shop_name for r in rows] == ["Sita Store", "Ram Kirana"]  # most owed first


async def test_the_vendor_league_ranks_by_the_value_of_the_weeks_orders(
        runtime: Runtime) -> None:
    await seed(runtime)
    async with runtime.pool.acquire() as conn:
        league = await reports.vendor_league(conn, dt.date(2026, 11, 15))
    assert [(v.rank, v.vendor, v.orders, v.value) for v in league] == [
        (1, "Shrestha Traders", 1, Decimal("500.00")),
        (2, "Himal Wholesale", 1, Decimal("250.00"))]


async def test_each_csv_has_its_header_and_one_row_per_line(runtime: Runtime) -> None:
    await seed(runtime)
    async with runtime.pool.acquire() as conn:
        gmv = await reports.gmv_by_area(conn, WEEKS)
        coll = await reports.collections(conn, WEEKS)
        aged = await reports.ageing(conn, TODAY)
        league = await reports.vendor_league(conn, WEEKS[1])
    for text, columns, count in (
            (reports.gmv_csv(gmv), reports.GMV_COLUMNS, 4),
            (reports.collections_csv(coll), reports.COLLECTION_COLUMNS, 3),
            (reports.ageing_csv(aged), reports.AGEING_COLUMNS, 2),
            (reports.league_csv(league), reports.LEAGUE_COLUMNS, 2)):
        rows = list(csv.reader(io.StringIO(text)))
        assert tuple(rows[0]) == columns
        assert len(rows) == 1 + count
    assert reports.AGEING_COLUMNS == ("phone", "shop_name", "area", "days_0-15", "days_16-30",
                                      "days_31-60", "days_60+", "total")
    ageing_rows = list(csv.DictReader(io.StringIO(reports.ageing_csv(aged))))
    assert ageing_rows[1]["days_16-30"] == "800.00"


async def test_every_chart_is_well_formed_svg(runtime: Runtime) -> None:
    await seed(runtime)
    async with runtime.pool.acquire() as conn:
        gmv = await reports.gmv_by_area(conn, WEEKS)
        coll = await reports.collections(conn, WEEKS)
        aged = await reports.ageing(conn, TODAY)
        league = await reports.vendor_league(conn, WEEKS[1])
    for svg in (reports.gmv_chart(gmv, WEEKS), reports.orders_chart(gmv, WEEKS),
                reports.collections_chart(coll), reports.ageing_chart(aged),
                reports.league_chart(league)):
        assert parse(svg).tag == "{http://www.w3.org/2000/svg}svg"


def test_weeks_start_on_sunday_and_end_with_the_current_one() -> None:
    assert [w.isoformat() for w in reports.weeks_ending(TODAY, 3)] == [
        "2026-11-08", "2026-11-15", "2026-11-22"]
    assert reports.week_start(dt.date(2026, 11, 22)) == dt.date(2026, 11, 22)
