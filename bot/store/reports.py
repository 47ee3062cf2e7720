"""Read-only queries for operators (CLI and admin API): plain SQL, no business rules.

Balances here are sums over the append-only ledger (debits − credits), the
same definition `domain.credit.CreditPosition.outstanding` uses. Anything that
decides something (credit checks, placing or cancelling orders, payments) is
in bot/services; this module only shows what is there.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import asyncpg

from bot.store.filters import Where
from domain.business_time import ZONE_NAME
from domain.order_status import Status

ORDER_STATUSES = tuple(s.value for s in Status)

_ORDER_COLS = """
    o.number, o.status, o.total, o.item_count, o.source, o.created_at, o.updated_at,
    o.accept_deadline, o.accepted_at, o.dispatched_at, o.delivered_at, o.cancelled_at,
    r.phone AS retailer_phone, r.shop_name AS retailer_name, r.area AS retailer_area,
    v.phone AS vendor_phone, v.name AS vendor_name
"""


async def list_orders(
    conn: asyncpg.Connection, *, status: str | None = None, retailer: str | None = None,
    vendor: str | None = None, area: str | None = None, since: dt.datetime | None = None,
    until: dt.datetime | None = None, limit: int = 100,
) -> list[dict[str, Any]]:
    """Orders newest first: by status, retailer or vendor phone, the shop's area, created in
    [since, until)."""
    sql, args = orders_query(status=status, retailer=retailer, vendor=vendor, area=area,
                             since=since, until=until, limit=limit)
    return [dict(r) for r in await conn.fetch(sql, *args)]


def orders_query(*, status: str | None = None, retailer: str | None = None,
                 vendor: str | None = None, area: str | None = None,
                 since: dt.datetime | None = None, until: dt.datetime | None = None,
                 limit: int = 100) -> tuple[str, list[object]]:
    """`list_orders`'s statement and its parameters: the filters given (bot/store/filters.py),
    the retailer and vendor by id, so the order indexes give the page newest first."""
    where = Where()
    if status is not None:
        where.add("o.status = {}", status)
    if retailer is not None:
        where.add("o.retailer_id = (SELECT id FROM retailers WHERE phone = {})", retailer)
    if vendor is not None:
        where.add("o.vendor_id = (SELECT id FROM vendors WHERE phone = {})", vendor)
    if area is not None:
        where.add("normal_area(r.area) = normal_area({}::text)", area)
    if since is not None:
        where.add("o.created_at >= {}::timestamptz", since)
    if until is not None:
        where.add("o.created_at < {}::timestamptz", until)
    page = where.param(limit)
    return f"""SELECT {_ORDER_COLS}
            FROM orders o JOIN retailers r ON r.id = o.retailer_id
            LEFT JOIN vendors v ON v.id = o.vendor_id {where.sql}
            ORDER BY o.created_at DESC, o.id DESC LIMIT {page}""", where.args  # noqa: S608


async def order_detail(conn: asyncpg.Connection, number: int) -> dict[str, Any] | None:
    """One order with its items, events (audit trail) and vendor offers."""
    row = await conn.fetchrow(
        f"""SELECT o.id, {_ORDER_COLS}
            FROM orders o JOIN retailers r ON r.id = o.retailer_id
            LEFT JOIN vendors v ON v.id = o.vendor_id
            WHERE o.number = $1""",  # noqa: S608
        number)
    if row is None:
        return None
    order = dict(row)
    order_id = order.pop("id")
    order["items"] = [dict(r) for r in await conn.fetch(
        "SELECT line_no, sku, name, unit, qty, unit_price, line_total FROM order_items "
        "WHERE order_id = $1 ORDER BY line_no", order_id)]
    order["events"] = [dict(r) for r in await conn.fetch(
        "SELECT at, actor, from_status, to_status, reason, details FROM order_events "
        "WHERE order_id = $1 ORDER BY id", order_id)]
    order["offers"] = [dict(r) for r in await conn.fetch(
        "SELECT v.phone AS vendor_phone, v.name AS vendor_name, f.offered_at, f.deadline, "
        "f.answered_at, f.outcome, f.reason FROM order_offers f "
        "JOIN vendors v ON v.id = f.vendor_id WHERE f.order_id = $1 ORDER BY f.id", order_id)]
    return order


_RETAILER_SUMMARY = """
    SELECT r.phone, r.shop_name, r.owner_name, r.area, r.status, r.blocked_reason,
           r.credit_limit, r.credit_terms_days, r.language, r.created_at, r.approved_at,
           coalesce(l.balance, 0)::numeric(14, 2) AS balance,
           coalesce(oo.open_value, 0)::numeric(14, 2) AS open_orders,
           (r.credit_limit - coalesce(l.balance, 0) - coalesce(oo.open_value, 0))::numeric(14, 2)
               AS available,
           nd.due_date AS next_due, nd.amount AS next_due_amount,
           cs.score, cs.band, cs.suggested_limit, cs.as_of AS score_as_of
    FROM retailers r
    LEFT JOIN (SELECT retailer_id, owed AS balance FROM ledger_balances) l
        ON l.retailer_id = r.id
    -- Payments settle the earliest-due debit first (domain.dues.settle), so what is
    -- owed sits in the latest-due debits (domain.dues.unpaid): walking back from the
    -- latest, the next due is the debit where their running sum reaches the balance,
    -- owed in part. The walk stops there: it reads the open debits, not the history.
    LEFT JOIN LATERAL (
        SELECT d.due_date, l.balance - (d.from_latest - d.amount) AS amount
        FROM (SELECT due_date, id, amount,
                     sum(amount) OVER (ORDER BY retailer_id DESC, due_date DESC, id DESC
                                       ROWS UNBOUNDED PRECEDING) AS from_latest
              FROM ledger_entries WHERE retailer_id = r.id AND kind = 'debit'
              ORDER BY retailer_id DESC, due_date DESC, id DESC) d
        WHERE l.balance > 0 AND d.from_latest >= l.balance
        LIMIT 1) nd ON true
    LEFT JOIN LATERAL (
        SELECT sum(total) AS open_value FROM orders
        WHERE retailer_id = r.id AND order_is_open(status)) oo ON true
    LEFT JOIN LATERAL (
        SELECT score, band, suggested_limit, as_of FROM credit_scores
        WHERE retailer_id = r.id ORDER BY as_of DESC LIMIT 1) cs ON true
"""


async def list_retailers(
    conn: asyncpg.Connection, *, status: str | None = None, area: str | None = None,
    limit: int = 500, search: str | None = None,
) -> list[dict[str, Any]]:
    """Retailers with balance, open orders, available credit and latest score.

    `search` (the console's box) matches part of the phone, shop or owner name.
    """
    rows = await conn.fetch(
        _RETAILER_SUMMARY + " WHERE ($1::text IS NULL OR r.status = $1) "
        "AND ($2::text IS NULL OR normal_area(r.area) = normal_area($2)) "
        "AND ($4::text IS NULL OR strpos(r.phone, $4) > 0 "
        "OR strpos(lower(r.shop_name), lower($4)) > 0 "
        "OR strpos(lower(coalesce(r.owner_name, '')), lower($4)) > 0) ORDER BY r.id LIMIT $3",
        status, area, limit, search)
    return [dict(r) for r in rows]


async def retailer_detail(conn: asyncpg.Connection, phone: str) -> dict[str, Any] | None:
    """One retailer's summary plus recent orders, payments and ledger entries."""
    row = await conn.fetchrow(_RETAILER_SUMMARY + " WHERE r.phone = $1", phone)
    if row is None:
        return None
    out = dict(row)
    # Marketing consent (STOP / START, user_preferences): order and payment messages
    # go out either way; nudges do not while opted out.
    consent = await conn.fetchrow(
        "SELECT opted_out, source, changed_at FROM marketing_consent WHERE phone = $1", phone)
    out["marketing"] = ("opted out" if consent and consent["opted_out"] else "allowed")
    out["marketing_changed"] = (f"{consent['source']} at {consent['changed_at'].isoformat()}"
                                if consent else None)
    out["recent_orders"] = await list_orders(conn, retailer=phone, limit=10)
    out["recent_payments"] = [dict(r) for r in await conn.fetch(
        "SELECT p.id, p.amount, p.method, p.reference, p.recorded_by, p.received_at "
        "FROM payments p WHERE p.retailer_id = (SELECT id FROM retailers WHERE phone = $1) "
        "ORDER BY p.retailer_id DESC, p.received_at DESC, p.id DESC LIMIT 10", phone)]
    out["ledger"] = [dict(r) for r in await conn.fetch(
        "SELECT l.id, l.kind, l.amount, o.number AS order_number, l.due_date, l.note, "
        "l.created_by, l.created_at FROM ledger_entries l "
        "LEFT JOIN orders o ON o.id = l.order_id "
        "WHERE l.retailer_id = (SELECT id FROM retailers WHERE phone = $1) "
        "ORDER BY l.retailer_id DESC, l.id DESC LIMIT 20", phone)]
    return out


_VENDOR_SUMMARY = """
    SELECT v.phone, v.name, v.areas, v.active, v.created_at,
           (SELECT count(*) FROM vendor_products vp WHERE vp.vendor_id = v.id) AS products,
           (SELECT count(*) FROM orders o WHERE o.vendor_id = v.id
              AND order_is_open(o.status)) AS open_orders,
           p.window_days, p.offers, p.accepted, p.rejected, p.timed_out, p.acceptance_rate,
           p.median_response_seconds, p.fulfilled, p.failed, p.fulfilment_rate,
           p.rejection_reasons, p.as_of AS performance_as_of
    FROM vendors v LEFT JOIN vendor_performance p ON p.vendor_id = v.id
"""


_VENDOR_LIST = _VENDOR_SUMMARY + (
    " WHERE $1::text IS NULL OR serves_area(v.areas, $1) ORDER BY v.id"
)


async def list_vendors(conn: asyncpg.Connection, *, area: str | None = None
                       ) -> list[dict[str, Any]]:
    """Vendors with catalogue size, open orders and their 30-day performance."""
    rows = await conn.fetch(_VENDOR_LIST, area)
    return [dict(r) for r in rows]


async def vendor_detail(conn: asyncpg.Connection, phone: str) -> dict[str, Any] | None:
    """One vendor's summary plus recent orders."""
    row = await conn.fetchrow(_VENDOR_SUMMARY + " WHERE v.phone = $1", phone)
    if row is None:
        return None
    out = dict(row)
    out["recent_orders"] = await list_orders(conn, vendor=phone, limit=10)
    return out


async def list_outbox(conn: asyncpg.Connection, *, failed_only: bool = False,
                      limit: int = 100) -> list[dict[str, Any]]:
    """Outbox rows newest first; `failed_only` shows failed and dead letters."""
    rows = await conn.fetch(
        "SELECT id, recipient, kind, status, attempts, error_code, last_error, correlation, "
        "request_id, created_at, next_attempt_at, sent_at, delivered_at, failed_at "
        "FROM outbox WHERE NOT $1 OR status IN ('failed', 'dead') "
        "ORDER BY id DESC LIMIT $2", failed_only, limit)
    return [dict(r) for r in rows]


async def outbox_row(conn: asyncpg.Connection, row_id: int) -> dict[str, Any] | None:
    """One outbox row with its payload and every send attempt."""
    row = await conn.fetchrow(
        "SELECT id, recipient, kind, status, payload, fallback, attempts, error_code, "
        "last_error, correlation, request_id, wamid, created_at, next_attempt_at, sent_at, "
        "delivered_at, read_at, failed_at FROM outbox WHERE id = $1", row_id)
    if row is None:
        return None
    out = dict(row)
    out["attempts_log"] = [dict(r) for r in await conn.fetch(
        "SELECT at, dispatcher, http_status, error_code, error_title, outcome, duration_ms "
        "FROM outbox_attempts WHERE outbox_id = $1 ORDER BY id", row_id)]
    return out


async def stats(conn: asyncpg.Connection, *, days: int = 7) -> dict[str, Any]:
    """The analytics job's daily aggregates for the last `days` days, plus live counts."""
    daily = [dict(r) for r in await conn.fetch(
        "SELECT day, orders, gmv, active_retailers, new_retailers, avg_basket "
        "FROM analytics_daily WHERE dimension = 'all' AND key = '*' "
        "AND day > (now() AT TIME ZONE $2)::date - $1::int "
        "ORDER BY day", days, ZONE_NAME)]
    by_area = [dict(r) for r in await conn.fetch(
        "SELECT key AS area, sum(orders)::int AS orders, sum(gmv) AS gmv "
        "FROM analytics_daily WHERE dimension = 'area' "
        "AND day > (now() AT TIME ZONE $2)::date - $1::int "
        "GROUP BY key ORDER BY sum(gmv) DESC", days, ZONE_NAME)]
    by_category = [dict(r) for r in await conn.fetch(
        "SELECT key AS category, sum(orders)::int AS orders, sum(gmv) AS gmv "
        "FROM analytics_daily WHERE dimension = 'category' "
        "AND day > (now() AT TIME ZONE $2)::date - $1::int "
        "GROUP BY key ORDER BY sum(gmv) DESC", days, ZONE_NAME)]
    live = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM orders WHERE order_is_open(status))"
        " AS open_orders, (SELECT count(*) FROM orders WHERE status = 'unroutable') AS unroutable,"
        " (SELECT count(*) FROM outbox WHERE status IN ('pending','sending')) AS outbox_waiting,"
        " (SELECT count(*) FROM outbox WHERE status IN ('failed','dead')) AS outbox_failed,"
        " (SELECT count(*) FROM retailers WHERE status = 'pending') AS retailers_pending")
    last_run = await conn.fetchrow(
        "SELECT finished_at, outcome FROM job_runs WHERE job = 'analytics' "
        "ORDER BY started_at DESC LIMIT 1")
    return {
        "days": days,
        "totals": {
            "orders": sum(d["orders"] for d in daily),
            "gmv": sum((d["gmv"] for d in daily), start=Decimal("0.00")),
        },
        "daily": daily,
        "by_area": by_area,
        "by_category": by_category,
        "live": dict(live) if live else {},
        "analytics_last_run": dict(last_run) if last_run else None,
    }


async def audit_entries(conn: asyncpg.Connection, *, limit: int = 100,
                        actor: str | None = None) -> list[dict[str, Any]]:
    """The audit log, newest first."""
    rows = await conn.fetch(
        "SELECT id, at, actor, action, target, details FROM audit_log "
        "WHERE $1::text IS NULL OR actor = $1 ORDER BY id DESC LIMIT $2", actor, limit)
    return [dict(r) for r in rows]
