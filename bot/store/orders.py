"""Orders, their items, events and vendor offers; vendor prices and stock: plain SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from domain.order_status import OPEN, Status

# For Python callers; SQL here asks order_is_open(status), the schema's twin of OPEN.
OPEN_STATUSES = tuple(s.value for s in Status if s in OPEN)

_ORDER_COLS = ("id, number, retailer_id, vendor_id, status, total, item_count, source, "
               "idempotency_key, accept_deadline, created_at, accepted_at, dispatched_at, "
               "delivered_at, cancelled_at")


@dataclass(frozen=True, slots=True)
class Order:
    id: int
    number: int
    retailer_id: int
    vendor_id: int | None
    status: str
    total: Decimal
    item_count: int
    source: str
    idempotency_key: str | None
    accept_deadline: dt.datetime | None
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    delivered_at: dt.datetime | None
    cancelled_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class OrderItem:
    line_no: int
    product_id: int
    sku: str
    name: str
    unit: str
    qty: Decimal
    unit_price: Decimal
    line_total: Decimal
    reserved_qty: Decimal


@dataclass(frozen=True, slots=True)
class Product:
    id: int
    sku: str
    name: str
    unit: str
    category: str


@dataclass(frozen=True, slots=True)
class VendorOffer:
    """One row of a vendor's price list, with the vendor's routing facts."""

    vendor_id: int
    vendor_name: str
    areas: tuple[str, ...]
    product_id: int
    sku: str
    price: Decimal
    stock: Decimal | None
    min_qty: Decimal
    performance: PerformanceRow | None = None  # the jobs' latest figures; None = no history


@dataclass(frozen=True, slots=True)
class PerformanceRow:
    vendor_id: int
    offers: int
    accepted: int
    rejected: int
    median_response_seconds: int | None
    fulfilled: int
    failed: int


def _order(row: asyncpg.Record | None) -> Order | None:
    return None if row is None else Order(**dict(row))


async def order_by_number(conn: asyncpg.Connection, number: int, *,
                          for_update: bool = False) -> Order | None:
    lock = " FOR UPDATE" if for_update else ""
    return _order(await conn.fetchrow(
        f"SELECT {_ORDER_COLS} FROM orders WHERE number = $1{lock}", number))  # noqa: S608


async def order_by_id(conn: asyncpg.Connection, order_id: int) -> Order | None:
    return _order(await conn.fetchrow(
        f"SELECT {_ORDER_COLS} FROM orders WHERE id = $1", order_id))  # noqa: S608


async def order_by_key(conn: asyncpg.Connection, key: str) -> Order | None:
    return _order(await conn.fetchrow(
        f"SELECT {_ORDER_COLS} FROM orders WHERE idempotency_key = $1", key))  # noqa: S608


async def orders_of_retailer(conn: asyncpg.Connection, retailer_id: int, *,
                             limit: int = 10) -> list[Order]:
    rows = await conn.fetch(
        f"SELECT {_ORDER_COLS} FROM orders WHERE retailer_id = $1 "  # noqa: S608
        "ORDER BY created_at DESC, id DESC LIMIT $2", retailer_id, limit)
    return [o for o in map(_order, rows) if o is not None]


async def open_orders_of_vendor(conn: asyncpg.Connection, vendor_id: int, *,
                                limit: int = 20) -> list[Order]:
    rows = await conn.fetch(
        f"SELECT {_ORDER_COLS} FROM orders WHERE vendor_id = $1 "  # noqa: S608
        "AND order_is_open(status) ORDER BY number LIMIT $2", vendor_id, limit)
    return [o for o in map(_order, rows) if o is not None]


async def items(conn: asyncpg.Connection, order_id: int) -> list[OrderItem]:
    rows = await conn.fetch(
        "SELECT line_no, product_id, sku, name, unit, qty, unit_price, line_total, reserved_qty "
        "FROM order_items WHERE order_id = $1 ORDER BY line_no", order_id)
    return [OrderItem(**dict(r)) for r in rows]


async def open_orders_value(conn: asyncpg.Connection, retailer_id: int) -> Decimal:
    """The value of orders placed but not delivered (or cancelled, or unroutable)."""
    value = await conn.fetchval(
        "SELECT coalesce(sum(total), 0) FROM orders WHERE retailer_id = $1 "
        "AND order_is_open(status)", retailer_id)
    return Decimal(value)


async def products_by_sku(conn: asyncpg.Connection, skus: Sequence[str]) -> dict[str, Product]:
    rows = await conn.fetch(
        "SELECT id, sku, name, unit, category FROM products WHERE sku = ANY($1::text[])",
        list(skus))
    return {r["sku"]: Product(**dict(r)) for r in rows}


async def vendor_offers(conn: asyncpg.Connection, skus: Sequence[str],
                        area: str) -> list[VendorOffer]:
    """The terms for these products of every active vendor delivering to `area`."""
    return (await market(conn, skus, area))[1]


async def market(conn: asyncpg.Connection, skus: Sequence[str],
                 area: str) -> tuple[dict[str, Product], list[VendorOffer]]:
    """These products (by sku) and every active `area` vendor's terms for them, in one read.

    Filtering here rather than in routing keeps a cart's pricing proportional to
    the vendors of one area, not to every vendor of the country; the area test is
    serves_area() answered from the vendors' stored normal areas (schema.sql, perf).
    One statement rather than products then offers: every quote of every turn
    pays for the round trip. Offers come ordered by vendor, then sku.
    """
    rows = await conn.fetch(
        """SELECT p.id AS product_id, p.sku, p.name, p.unit, p.category,
                  v.id AS vendor_id, v.name AS vendor_name, v.areas,
                  vp.price, vp.stock, vp.min_qty, vf.vendor_id IS NOT NULL AS has_history,
                  vf.offers, vf.accepted, vf.rejected, vf.median_response_seconds,
                  vf.fulfilled, vf.failed
           FROM products p
           LEFT JOIN (vendor_products vp
                      JOIN vendors v ON v.id = vp.vendor_id AND v.active
                                    AND v.areas_normal && ARRAY[normal_area($2), '*']
                      LEFT JOIN vendor_performance vf ON vf.vendor_id = v.id)
             ON vp.product_id = p.id
           WHERE p.sku = ANY($1::text[])
           ORDER BY v.id, p.sku""", list(skus), area)
    products = {r["sku"]: Product(r["product_id"], r["sku"], r["name"], r["unit"], r["category"])
                for r in rows}
    offers = [VendorOffer(r["vendor_id"], r["vendor_name"], tuple(r["areas"] or ()),
                          r["product_id"], r["sku"], r["price"], r["stock"], r["min_qty"],
                          PerformanceRow(r["vendor_id"], r["offers"], r["accepted"],
                                         r["rejected"], r["median_response_seconds"],
                                         r["fulfilled"], r["failed"])
                          if r["has_history"] else None)
              for r in rows if r["vendor_id"] is not None]
    return products, offers


@dataclass(frozen=True, slots=True)
class AreaPrice:
    """One active vendor's price for one product, for a retailer's area."""

    sku: str
    name: str
    unit: str
    category: str
    vendor_name: str
    price: Decimal


_AREA_PRICES = """SELECT p.sku, p.name, p.unit, p.category, v.name AS vendor_name, vp.price
           FROM vendor_products vp
           JOIN vendors v ON v.id = vp.vendor_id AND v.active
           JOIN products p ON p.id = vp.product_id
           WHERE v.areas_normal && ARRAY[normal_area($1), '*'] AND {where}
           ORDER BY p.name, vp.price, v.id"""


async def area_prices(conn: asyncpg.Connection, area: str,
                      skus: Sequence[str]) -> list[AreaPrice]:
    """Every price the active vendors delivering to `area` have for these products."""
    rows = await conn.fetch(_AREA_PRICES.format(where="p.sku = ANY($2::text[])"), area,
                            list(skus))
    return [AreaPrice(**dict(r)) for r in rows]


async def area_category_prices(conn: asyncpg.Connection, area: str,
                               category: str) -> list[AreaPrice]:
    """Every price in `area` for the products of one category."""
    rows = await conn.fetch(_AREA_PRICES.format(where="p.category = $2"), area, category)
    return [AreaPrice(**dict(r)) for r in rows]


async def area_categories(conn: asyncpg.Connection, area: str) -> list[tuple[str, int]]:
    """The categories the active vendors delivering to `area` sell in, and how many products."""
    rows = await conn.fetch(
        """SELECT p.category, count(DISTINCT p.id) AS products
           FROM vendor_products vp
           JOIN vendors v ON v.id = vp.vendor_id AND v.active
           JOIN products p ON p.id = vp.product_id
           WHERE v.areas_normal && ARRAY[normal_area($1), '*']
           GROUP BY p.category ORDER BY p.category""", area)
    return [(r["category"], int(r["products"])) for r in rows]


async def insert_order(conn: asyncpg.Connection, *, retailer_id: int, vendor_id: int,
                       total: Decimal, item_count: int, source: str,
                       idempotency_key: str | None, accept_deadline: dt.datetime,
                       now: dt.datetime) -> Order:
    row = await conn.fetchrow(
        f"""INSERT INTO orders (retailer_id, vendor_id, status, total, item_count, source,
                                idempotency_key, accept_deadline, created_at, updated_at)
            VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $8)
            RETURNING {_ORDER_COLS}""",  # noqa: S608
        retailer_id, vendor_id, total, item_count, source, idempotency_key, accept_deadline, now)
    order = _order(row)
    assert order is not None
    return order


async def insert_items(conn: asyncpg.Connection, order_id: int,
                       lines: Sequence[OrderItem]) -> None:
    await conn.executemany(
        """INSERT INTO order_items (order_id, line_no, product_id, sku, name, unit, qty,
                                    unit_price, line_total, reserved_qty)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        [(order_id, ln.line_no, ln.product_id, ln.sku, ln.name, ln.unit, ln.qty, ln.unit_price,
          ln.line_total, ln.reserved_qty) for ln in lines])


async def set_reserved(conn: asyncpg.Connection, order_id: int,
                       reserved: dict[int, Decimal]) -> None:
    """Record what each line (by line_no) now holds reserved."""
    await conn.executemany(
        "UPDATE order_items SET reserved_qty = $3 WHERE order_id = $1 AND line_no = $2",
        [(order_id, line_no, qty) for line_no, qty in reserved.items()])


async def update_order(conn: asyncpg.Connection, order_id: int, *, now: dt.datetime,
                       **changes: object) -> Order:
    allowed = {"status", "vendor_id", "accept_deadline", "accepted_at", "dispatched_at",
               "delivered_at", "cancelled_at", "total", "item_count"}
    names = list(changes)
    if not names or not set(names) <= allowed:
        raise ValueError(f"cannot update order columns {names}")
    sets = ", ".join(f"{n} = ${i + 2}" for i, n in enumerate(names))
    row = await conn.fetchrow(
        f"UPDATE orders SET {sets}, updated_at = ${len(names) + 2} WHERE id = $1 "  # noqa: S608
        f"RETURNING {_ORDER_COLS}", order_id, *changes.values(), now)
    order = _order(row)
    assert order is not None
    return order


async def insert_event(conn: asyncpg.Connection, *, order_id: int, at: dt.datetime, actor: str,
                       from_status: str | None, to_status: str, reason: str | None,
                       details: dict[str, Any] | None = None) -> None:
    await conn.execute(
        """INSERT INTO order_events (order_id, at, actor, from_status, to_status, reason, details)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        order_id, at, actor, from_status, to_status, reason, details or {})


async def events(conn: asyncpg.Connection, order_id: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT at, actor, from_status, to_status, reason, details FROM order_events "
        "WHERE order_id = $1 ORDER BY id", order_id)
    return [dict(r) for r in rows]


async def insert_offer(conn: asyncpg.Connection, *, order_id: int, vendor_id: int,
                       at: dt.datetime, deadline: dt.datetime) -> None:
    await conn.execute(
        "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline) "
        "VALUES ($1, $2, $3, $4)", order_id, vendor_id, at, deadline)


async def close_offer(conn: asyncpg.Connection, *, order_id: int, vendor_id: int,
                      at: dt.datetime, outcome: str, reason: str | None) -> None:
    """Record how the open offer of this order to this vendor ended."""
    await conn.execute(
        "UPDATE order_offers SET answered_at = $3, outcome = $4, reason = $5 "
        "WHERE order_id = $1 AND vendor_id = $2 AND outcome IS NULL",
        order_id, vendor_id, at, outcome, reason)


async def offered_vendors(conn: asyncpg.Connection, order_id: int) -> set[int]:
    rows = await conn.fetch("SELECT vendor_id FROM order_offers WHERE order_id = $1", order_id)
    return {r["vendor_id"] for r in rows}


async def reserve(conn: asyncpg.Connection, *, vendor_id: int, product_id: int,
                  qty: Decimal) -> Decimal | None:
    """Take `qty` from the vendor's stock if it has that much.

    Returns the quantity reserved (0 when the product is not stock-tracked), or
    None when the stock is short (nothing changed). The conditional UPDATE is
    what makes two orders racing for the last bags safe.
    """
    row = await conn.fetchrow(
        """UPDATE vendor_products SET stock = CASE WHEN stock IS NULL THEN NULL
                                                   ELSE stock - $3 END
           WHERE vendor_id = $1 AND product_id = $2 AND (stock IS NULL OR stock >= $3)
           RETURNING stock IS NOT NULL AS tracked""", vendor_id, product_id, qty)
    if row is None:
        return None
    return qty if row["tracked"] else Decimal(0)


async def release(conn: asyncpg.Connection, *, vendor_id: int, product_id: int,
                  qty: Decimal) -> None:
    """Give reserved stock back (a vendor that stopped tracking stock keeps NULL)."""
    if qty <= 0:
        return
    await conn.execute(
        "UPDATE vendor_products SET stock = stock + $3 "
        "WHERE vendor_id = $1 AND product_id = $2 AND stock IS NOT NULL",
        vendor_id, product_id, qty)


async def expired_pending(conn: asyncpg.Connection, now: dt.datetime, *,
                          limit: int) -> list[Order]:
    """Pending orders past their accept deadline, locked; rows another worker holds are skipped.

    An order whose vendor answered with a smaller order waits for the shop instead
    (the change time-out, `stale_change`, decides it): the vendor did answer.
    """
    rows = await conn.fetch(
        f"SELECT {_ORDER_COLS} FROM orders o WHERE status = 'pending' "  # noqa: S608
        "AND accept_deadline <= $1 AND NOT EXISTS (SELECT 1 FROM order_changes c "
        "WHERE c.order_id = o.id AND c.answered_at IS NULL) "
        "ORDER BY accept_deadline LIMIT $2 FOR UPDATE SKIP LOCKED",
        now, limit)
    return [o for o in map(_order, rows) if o is not None]


# ------------------------------------------------------------------ partial fulfilment


async def product_aliases(conn: asyncpg.Connection,
                          product_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each product's aliases (what a vendor may call a line)."""
    rows = await conn.fetch("SELECT product_id, alias FROM product_aliases "
                            "WHERE product_id = ANY($1::bigint[])", list(product_ids))
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(r["product_id"], []).append(r["alias"])
    return out


@dataclass(frozen=True, slots=True)
class OpenChange:
    """A proposal waiting for the shop: the lines kept, and the smaller quantities of some."""

    id: int
    vendor_id: int
    kept: tuple[int, ...]
    less: dict[int, Decimal]


async def open_change(conn: asyncpg.Connection, order_id: int) -> OpenChange | None:
    """The proposal waiting for the shop's answer, if any."""
    row = await conn.fetchrow("SELECT id, vendor_id, kept_lines, less_lines, less_qtys "
                              "FROM order_changes WHERE order_id = $1 AND answered_at IS NULL",
                              order_id)
    if row is None:
        return None
    return OpenChange(row["id"], row["vendor_id"], tuple(row["kept_lines"]),
                      dict(zip(row["less_lines"], row["less_qtys"], strict=True)))


async def stale_change(conn: asyncpg.Connection, cutoff: dt.datetime) -> int | None:
    """The number of an order, locked, whose smaller-order question has waited since
    before `cutoff` while it can still change; rows another worker holds are skipped."""
    number: int | None = await conn.fetchval(
        "SELECT o.number FROM order_changes c JOIN orders o ON o.id = c.order_id "
        "WHERE c.answered_at IS NULL AND c.proposed_at <= $1 "
        "AND o.status IN ('pending', 'accepted') "
        "ORDER BY c.proposed_at LIMIT 1 FOR UPDATE OF o SKIP LOCKED", cutoff)
    return number


async def waiting_changes(conn: asyncpg.Connection, retailer_id: int) -> list[int]:
    """Numbers of the retailer's open orders with a proposal from their vendor unanswered."""
    rows = await conn.fetch(
        "SELECT o.number FROM order_changes c JOIN orders o ON o.id = c.order_id "
        "WHERE c.answered_at IS NULL AND o.retailer_id = $1 AND o.vendor_id = c.vendor_id "
        "AND o.status IN ('pending', 'accepted') ORDER BY o.number", retailer_id)
    return [r["number"] for r in rows]


async def insert_change(conn: asyncpg.Connection, *, order_id: int, vendor_id: int,
                        kept: Sequence[int], at: dt.datetime,
                        less: dict[int, Decimal] | None = None) -> None:
    less = less or {}
    await conn.execute("INSERT INTO order_changes (order_id, vendor_id, kept_lines, proposed_at, "
                       "less_lines, less_qtys) VALUES ($1, $2, $3, $4, $5, $6)",
                       order_id, vendor_id, list(kept), at, list(less), list(less.values()))


async def set_item_qty(conn: asyncpg.Connection, order_id: int, line_no: int, *,
                       qty: Decimal, line_total: Decimal, reserved: Decimal) -> None:
    """A line the vendor sends less of: its quantity, total and reservation now."""
    await conn.execute("UPDATE order_items SET qty = $3, line_total = $4, reserved_qty = $5 "
                       "WHERE order_id = $1 AND line_no = $2",
                       order_id, line_no, qty, line_total, reserved)


async def close_change(conn: asyncpg.Connection, change_id: int, *, at: dt.datetime,
                       outcome: str) -> None:
    await conn.execute("UPDATE order_changes SET answered_at = $2, outcome = $3 WHERE id = $1",
                       change_id, at, outcome)


async def delete_items(conn: asyncpg.Connection, order_id: int, line_nos: Sequence[int]) -> None:
    """Drop lines the vendor cannot send (their reservation already released)."""
    await conn.execute("DELETE FROM order_items WHERE order_id = $1 AND line_no = ANY($2::int[])",
                       order_id, list(line_nos))
