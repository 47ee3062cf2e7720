"""The console's reports: weekly GMV and orders by area, collections against dues,
ageing of what is owed, and the vendor league — as rows, CSV and SVG charts.

Read-only. The figures use the definitions the rest of the system uses:
orders that are not void (`order_is_void`), days and weeks on the Kathmandu
business calendar, weeks starting on Sunday (as the weekly vendor report),
dues as the ledger rules read them (`bot.store.ledger.unpaid_debits`, which is
`domain.dues.settle` read back from the running balance), ageing buckets from
`domain.ageing`, vendor figures from the weekly report
(`jobs.weekly_reports.build_weekly`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from bot.store import ledger as ledger_store
from bot.svg_chart import Series, bar_chart, line_chart
from domain.ageing import BUCKETS, Ageing, age, combine
from domain.business_time import ZONE_NAME, business_date, day_bounds

DEFAULT_WEEKS = 8


def week_start(day: dt.date) -> dt.date:
    """The Sunday on or before `day` (Nepal's week starts on Sunday)."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def weeks_ending(today: dt.date, count: int) -> tuple[dt.date, ...]:
    """The first days of the `count` weeks up to and including this one, oldest first."""
    this = week_start(today)
    return tuple(this - dt.timedelta(weeks=count - 1 - i) for i in range(max(1, count)))


@dataclass(frozen=True, slots=True)
class AreaWeek:
    """Orders placed (not void) and their value in one area in one week."""

    week: dt.date
    area: str
    orders: int
    gmv: Decimal


@dataclass(frozen=True, slots=True)
class CollectionWeek:
    """What fell due in a week (order debits) and what was collected (payments, not voided)."""

    week: dt.date
    due: Decimal
    collected: Decimal

    @property
    def rate(self) -> Decimal | None:
        """Collected as a share of due (None when nothing fell due)."""
        return (self.collected / self.due).quantize(Decimal("0.001")) if self.due else None


@dataclass(frozen=True, slots=True)
class RetailerAgeing:
    """One retailer's unpaid money by age bucket."""

    phone: str
    shop_name: str
    area: str
    ageing: Ageing


@dataclass(frozen=True, slots=True)
class VendorStanding:
    """A vendor's line in the week's league, ranked by the value of its orders."""

    rank: int
    vendor: str
    phone: str
    orders: int
    value: Decimal
    offers: int
    acceptance_rate: Decimal | None
    median_response_seconds: int | None
    fulfilment_rate: Decimal | None


def _bounds(weeks: Sequence[dt.date]) -> tuple[dt.datetime, dt.datetime]:
    start, _ = day_bounds(weeks[0])
    _, end = day_bounds(weeks[-1] + dt.timedelta(days=6))
    return start, end


async def gmv_by_area(conn: asyncpg.Connection, weeks: Sequence[dt.date]) -> list[AreaWeek]:
    """Every (week, area) with orders in the weeks starting on `weeks`, week then area."""
    start, end = _bounds(weeks)
    rows = await conn.fetch(
        """WITH o AS (
               SELECT (o.created_at AT TIME ZONE $3)::date AS day, r.area, o.total
               FROM orders o JOIN retailers r ON r.id = o.retailer_id
               WHERE o.created_at >= $1 AND o.created_at < $2 AND NOT order_is_void(o.status))
           SELECT day - extract(dow FROM day)::int AS week, area, count(*) AS orders,
                  sum(total) AS gmv
           FROM o GROUP BY 1, 2 ORDER BY 1, 2""", start, end, ZONE_NAME)
    return [AreaWeek(r["week"], r["area"], int(r["orders"]), r["gmv"]) for r in rows]


async def collections(conn: asyncpg.Connection, weeks: Sequence[dt.date]
                      ) -> list[CollectionWeek]:
    """Per week: order debits falling due, and payments received (voided ones left out)."""
    start, end = _bounds(weeks)
    due = {r["week"]: r["amount"] for r in await conn.fetch(
        "SELECT due_date - extract(dow FROM due_date)::int AS week, sum(amount) AS amount "
        "FROM ledger_entries WHERE kind = 'debit' AND order_id IS NOT NULL "
        "AND due_date BETWEEN $1 AND $2 GROUP BY 1", weeks[0], weeks[-1] + dt.timedelta(days=6))}
    paid = {r["week"]: r["amount"] for r in await conn.fetch(
        "WITH p AS (SELECT (received_at AT TIME ZONE $3)::date AS day, amount FROM payments "
        "           WHERE received_at >= $1 AND received_at < $2 AND voided_at IS NULL) "
        "SELECT day - extract(dow FROM day)::int AS week, sum(amount) AS amount "
        "FROM p GROUP BY 1", start, end, ZONE_NAME)}
    return [CollectionWeek(w, due.get(w, Decimal(0)), paid.get(w, Decimal(0))) for w in weeks]


async def ageing(conn: asyncpg.Connection, today: dt.date) -> list[RetailerAgeing]:
    """Every retailer who owes something, their unpaid debits by age; most owed first."""
    owing = await conn.fetch(
        "SELECT r.id, r.phone, r.shop_name, r.area FROM retailers r "
        "JOIN ledger_balances l ON l.retailer_id = r.id WHERE l.owed > 0 ORDER BY r.id")
    out = []
    for r in owing:
        aged = age(await ledger_store.unpaid_debits(conn, r["id"], as_of=today), today)
        if aged.total > 0:
            out.append(RetailerAgeing(r["phone"], r["shop_name"], r["area"], aged))
    out.sort(key=lambda a: (-a.ageing.total, a.phone))
    return out


async def vendor_league(conn: asyncpg.Connection, first: dt.date) -> list[VendorStanding]:
    """The week starting `first`, vendors ranked by the value of their orders."""
    from jobs.weekly_reports import build_weekly

    report = await build_weekly(conn, first, first + dt.timedelta(days=6))
    vendors = sorted(report["vendors"], key=lambda v: (-v["value"], -v["orders"], v["vendor"]))
    return [VendorStanding(i + 1, v["vendor"], v["phone"], v["orders"], v["value"], v["offers"],
                           v["acceptance_rate"], v["median_response_seconds"],
                           v["fulfilment_rate"]) for i, v in enumerate(vendors)]


def today_in_nepal() -> dt.date:
    """Today on the business calendar."""
    return business_date(dt.datetime.now(dt.UTC))


# ---------------------------------------------------------------- CSV

GMV_COLUMNS = ("week_start", "area", "orders", "gmv")
COLLECTION_COLUMNS = ("week_start", "due", "collected", "collection_rate")
AGEING_COLUMNS = ("phone", "shop_name", "area", *(f"days_{b.value}" for b in BUCKETS), "total")
LEAGUE_COLUMNS = ("rank", "vendor", "phone", "orders", "value", "offers", "acceptance_rate",
                  "median_response_seconds", "fulfilment_rate")


def _csv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def gmv_csv(rows: Sequence[AreaWeek]) -> str:
    """GMV and orders by week and area."""
    return _csv(GMV_COLUMNS, [(r.week.isoformat(), r.area, r.orders, r.gmv) for r in rows])


def collections_csv(rows: Sequence[CollectionWeek]) -> str:
    """Due and collected per week."""
    return _csv(COLLECTION_COLUMNS, [(r.week.isoformat(), r.due, r.collected, r.rate)
                                     for r in rows])


def ageing_csv(rows: Sequence[RetailerAgeing]) -> str:
    """Each owing retailer's buckets and total."""
    return _csv(AGEING_COLUMNS, [(r.phone, r.shop_name, r.area,
                                  *(r.ageing.amount(b) for b in BUCKETS), r.ageing.total)
                                 for r in rows])


def league_csv(rows: Sequence[VendorStanding]) -> str:
    """The vendor league."""
    return _csv(LEAGUE_COLUMNS, [(v.rank, v.vendor, v.phone, v.orders, v.value, v.offers,
                                  v.acceptance_rate, v.median_response_seconds,
                                  v.fulfilment_rate) for v in rows])


# ---------------------------------------------------------------- charts


def _week_label(day: dt.date) -> str:
    return day.strftime("%d %b")


def gmv_chart(rows: Sequence[AreaWeek], weeks: Sequence[dt.date]) -> str:
    """GMV per week, stacked by area."""
    areas = sorted({r.area for r in rows})
    cell = {(r.week, r.area): r.gmv for r in rows}
    series = [Series(a, tuple(cell.get((w, a), Decimal(0)) for w in weeks)) for a in areas]
    return bar_chart("GMV by area per week (NPR)", [_week_label(w) for w in weeks],
                     series or [Series("GMV", tuple(Decimal(0) for _ in weeks))], stacked=True)


def orders_chart(rows: Sequence[AreaWeek], weeks: Sequence[dt.date]) -> str:
    """Orders per week, one line per area."""
    areas = sorted({r.area for r in rows})
    cell = {(r.week, r.area): r.orders for r in rows}
    series = [Series(a, tuple(cell.get((w, a), 0) for w in weeks)) for a in areas]
    return line_chart("Orders by area per week", [_week_label(w) for w in weeks],
                      series or [Series("orders", tuple(0 for _ in weeks))])


def collections_chart(rows: Sequence[CollectionWeek]) -> str:
    """Due against collected, per week."""
    labels = [_week_label(r.week) for r in rows]
    return bar_chart("Collections against dues (NPR)", labels,
                     [Series("due", tuple(r.due for r in rows)),
                      Series("collected", tuple(r.collected for r in rows))])


def ageing_chart(rows: Sequence[RetailerAgeing]) -> str:
    """Outstanding money per age bucket, over every retailer."""
    total = combine(r.ageing for r in rows)
    return bar_chart("Outstanding by age (NPR)", [b.label for b in BUCKETS],
                     [Series("outstanding", tuple(total.amount(b) for b in BUCKETS))])


def league_chart(rows: Sequence[VendorStanding], *, shown: int = 10) -> str:
    """The top vendors by order value."""
    top = list(rows[:shown])
    return bar_chart("Vendor league: order value this week (NPR)", [v.vendor[:14] for v in top],
                     [Series("value", tuple(v.value for v in top))])
