"""`GET /metrics`: the process's counters plus Postgres figures taken at scrape time.

Served by every process that has counters of its own: the web app and the
worker's health server (sends, job runs and lock waits are counted there).
Orders by status and the outbox depth/age come from Postgres, cached for a
few seconds so several scrapers (or a fast scrape interval) cost one query.
Only the rows still being worked on are counted (orders not yet delivered or
cancelled; outbox rows still to send): orders and sent messages are kept for
good or for months, and counting the history on every scrape read all of it
(seconds per scrape at a year of orders). Finished work is counted as it
happens instead: `khaacho_orders_placed_total`, `khaacho_sends_total`,
`khaacho_message_statuses_total`.
A failing query never fails the scrape: the counters are still served and
`khaacho_metrics_collect_errors_total` says what went missing.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import web

from bot.metrics import (
    ACCOUNT_SIGNAL,
    CONTENT_TYPE,
    INBOX_DEPTH,
    INBOX_OLDEST_AGE,
    MARKETING_OPTED_OUT,
    OPERATOR_INBOX,
    ORDERS_BY_STATUS,
    OUTBOX_DEPTH,
    OUTBOX_OLDEST_AGE,
    REGISTRY,
    SCRAPE_ERRORS,
    TEMPLATES_BY_STATUS,
)
from bot.runtime import Runtime
from bot.store import account_signals
from bot.store import consent as consent_store
from bot.store import inbox as inbox_store

log = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
# The orders still being worked on: open (order_is_open) and unroutable, which waits
# for an operator. Read through orders_status_recent_idx, so only their index entries.
_ORDER_STATUSES = ("pending", "accepted", "dispatched", "unroutable")
# The outbox rows still to send: due or being sent, and held for a template's
# approval. Read through outbox_status_idx, so only their index entries. The
# oldest age comes from the same rows: a bare min(created_at) made the planner
# walk outbox_created_idx from the oldest sent row until it met a pending one.
_OUTBOX_STATUSES = ("pending", "sending", "held")

ORDERS_UNFINISHED = (
    "SELECT status, count(*) AS n FROM orders "
    "WHERE status IN ('pending', 'accepted', 'dispatched', 'unroutable') GROUP BY status")
OUTBOX_WAITING = (
    "SELECT status, count(*) AS n, extract(epoch FROM now() - min(created_at)) AS age "
    "FROM outbox WHERE status IN ('pending', 'sending', 'held') GROUP BY status")

Handler = Callable[[web.Request], Awaitable[web.Response]]


async def collect_postgres(pool: asyncpg.Pool) -> None:
    """Set the scrape-time gauges from Postgres."""
    async with pool.acquire(timeout=2) as conn:
        orders = await conn.fetch(ORDERS_UNFINISHED)
        outbox = await conn.fetch(OUTBOX_WAITING)
        backlog = await inbox_store.backlog(conn)
        await _collect_account(conn)
        media = await conn.fetch(
            "SELECT state, download, count(*) AS n FROM operator_inbox WHERE state <> 'done' "
            "GROUP BY state, download")
    by_status = {s: 0.0 for s in _ORDER_STATUSES} | {r["status"]: float(r["n"]) for r in orders}
    ORDERS_BY_STATUS.set_all({(k,): v for k, v in by_status.items()})
    depth = {s: 0.0 for s in _OUTBOX_STATUSES} | {r["status"]: float(r["n"]) for r in outbox}
    OUTBOX_DEPTH.set_all({(k,): v for k, v in depth.items()})
    OUTBOX_OLDEST_AGE.set(max((float(r["age"]) for r in outbox
                               if r["status"] in ("pending", "sending")), default=0.0))
    INBOX_DEPTH.set_all({("pending",): float(backlog.pending), ("dead",): float(backlog.dead),
                         ("statuses",): float(backlog.statuses)})
    INBOX_OLDEST_AGE.set(backlog.oldest_pending_seconds)
    items = {(s, d): 0.0 for s in ("open", "carted")
             for d in ("pending", "done", "refused", "failed")}
    OPERATOR_INBOX.set_all(items | {(r["state"], r["download"]): float(r["n"]) for r in media})


async def _collect_account(conn: asyncpg.Connection) -> None:
    """Templates by status, the latest account signals, opted-out numbers."""
    templates = await conn.fetch("SELECT status, count(*) AS n FROM message_templates "
                                 "GROUP BY status")
    TEMPLATES_BY_STATUS.set_all({(r["status"],): float(r["n"]) for r in templates})
    latest = await account_signals.latest(conn)
    ACCOUNT_SIGNAL.set_all({(f, str(v["event"]), str(v.get("current_limit", ""))): 1.0
                            for f, v in latest.items()})
    MARKETING_OPTED_OUT.set(float(await consent_store.opted_out_count(conn)))


def metrics_handler(runtime_of: Callable[[web.Request], Runtime]) -> Handler:
    """`GET /metrics` for one process; `runtime_of` finds the process's runtime for a request."""
    last = [float("-inf")]

    async def metrics(request: web.Request) -> web.Response:
        """Prometheus text exposition format 0.0.4."""
        runtime = runtime_of(request)
        token = runtime.settings.metrics_token.get_secret_value()
        if token:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                raise web.HTTPUnauthorized(text="metrics token required\n")
        now = time.monotonic()
        if now - last[0] >= CACHE_SECONDS:
            last[0] = now
            try:
                await collect_postgres(runtime.pool)
            except Exception as exc:
                SCRAPE_ERRORS.inc(collector="postgres")
                log.warning("metrics: postgres figures unavailable",
                            extra={"error": type(exc).__name__})
        return web.Response(body=REGISTRY.render().encode(),
                            headers={"Content-Type": CONTENT_TYPE})

    return metrics
