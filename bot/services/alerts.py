"""Operator alerts: find what a person must look at, and tell the operators on WhatsApp.

Anyone may raise an alert in their own transaction (`bot.store.alerts.raise_alert`:
a dispute from the conversation, a dead letter from a worker); this module adds
the conditions found by looking at the tables (unroutable orders, vendors stuck
on an accepted or dispatched order, dead outbox rows), closes the ones that
cleared by themselves, and turns every alert not yet told into one notice per
`OPERATOR_PHONES` number. The operator-alerts job runs both every minute, so
"an operator has been told" is true within a minute of the bot saying it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import asyncpg

from bot.store import alerts as alert_store
from domain.alerts import Alert, AlertKind
from domain.facts import Party
from domain.money_facts import OperatorAlerted

ACTOR = "job:operator-alerts"
# At most this many new alerts of one kind per run: a backlog is told over minutes,
# not as a flood of notices in one go.
BATCH = 50
# No open alert for this order, and none closed since the order last changed.
_NOT_SEEN = (
    "NOT EXISTS (SELECT 1 FROM operator_alerts a "
    "WHERE a.dedupe_key = '{kind}:order:' || o.number AND (a.resolved_at IS NULL "
    "OR a.resolved_at >= (SELECT max(e.at) FROM order_events e WHERE e.order_id = o.id)))")


async def find_conditions(conn: asyncpg.Connection, *, now: dt.datetime,
                          stuck_hours: float) -> dict[str, int]:
    """Raise alerts for what the tables show, resolve those that cleared; counts by kind."""
    counts: dict[str, int] = {}
    # An alert an operator closed while the order still stood as it does is not
    # raised again; the order's next change (a new event) makes it news again.
    unroutable = await conn.fetch(
        "SELECT o.number, r.shop_name, r.area, o.total FROM orders o "  # noqa: S608 (constants)
        "JOIN retailers r ON r.id = o.retailer_id WHERE o.status = 'unroutable' "
        f"AND {_NOT_SEEN.format(kind='unroutable_order')} ORDER BY o.id LIMIT $1", BATCH)
    for o in unroutable:
        alert = Alert(AlertKind.UNROUTABLE_ORDER, f"order:{o['number']}",
                      f"order #{o['number']} from {o['shop_name']} ({o['area']}) has no "
                      "vendor: khaacho orders assign")
        if await alert_store.raise_alert(conn, alert, details={"order": o["number"]}):
            counts["unroutable_order"] = counts.get("unroutable_order", 0) + 1
    since = now - dt.timedelta(hours=stuck_hours)
    stuck = await conn.fetch(
        "SELECT o.number, o.status, v.name, v.phone FROM orders o "  # noqa: S608 (constants)
        "JOIN vendors v ON v.id = o.vendor_id "
        "WHERE ((o.status = 'accepted' AND o.accepted_at < $1) "
        "   OR (o.status = 'dispatched' AND o.dispatched_at < $1)) "
        f"AND {_NOT_SEEN.format(kind='stuck_vendor')} ORDER BY o.id LIMIT $2",
        since, BATCH)
    for o in stuck:
        alert = Alert(AlertKind.STUCK_VENDOR, f"order:{o['number']}",
                      f"{o['name']} ({o['phone']}) has left order #{o['number']} "
                      f"{o['status']} for over {stuck_hours:g} h")
        if await alert_store.raise_alert(conn, alert, details={"order": o["number"],
                                                               "status": o["status"]}):
            counts["stuck_vendor"] = counts.get("stuck_vendor", 0) + 1
    # The operators' own notices are left out: a dead one must not alert about itself.
    dead = await conn.fetch(
        "SELECT x.id, x.recipient, x.correlation, x.last_error FROM outbox x "
        "WHERE x.status = 'dead' AND coalesce(x.correlation, '') NOT LIKE 'alert:%' "
        "AND NOT EXISTS (SELECT 1 FROM operator_alerts a "
        "                WHERE a.dedupe_key = 'dead_letter:outbox:' || x.id) "
        "ORDER BY x.id LIMIT $1", BATCH)
    for d in dead:
        alert = Alert(AlertKind.DEAD_LETTER, f"outbox:{d['id']}",
                      f"message {d['id']} to {d['recipient']} could not be sent "
                      f"({(d['last_error'] or 'no error')[:80]}): khaacho outbox retry")
        if await alert_store.raise_alert(conn, alert, details={"outbox_id": d["id"],
                                                               "correlation": d["correlation"]}):
            counts["dead_letter"] = counts.get("dead_letter", 0) + 1
    counts["resolved"] = await _resolve_cleared(conn, now=now, since=since)
    return counts


async def _resolve_cleared(conn: asyncpg.Connection, *, now: dt.datetime,
                           since: dt.datetime) -> int:
    """Close the table-found alerts whose condition is gone (the order moved on, the row
    was sent after a retry)."""
    rows = await conn.fetch(
        """UPDATE operator_alerts a SET resolved_at = $1, resolved_by = $2
           WHERE a.resolved_at IS NULL AND (
             (a.kind = 'unroutable_order' AND NOT EXISTS (
                SELECT 1 FROM orders o WHERE 'unroutable_order:order:' || o.number = a.dedupe_key
                AND o.status = 'unroutable'))
          OR (a.kind = 'stuck_vendor' AND NOT EXISTS (
                SELECT 1 FROM orders o WHERE 'stuck_vendor:order:' || o.number = a.dedupe_key
                AND ((o.status = 'accepted' AND o.accepted_at < $3)
                     OR (o.status = 'dispatched' AND o.dispatched_at < $3))))
          OR (a.kind = 'dead_letter' AND a.dedupe_key LIKE 'dead_letter:outbox:%'
              AND NOT EXISTS (
                -- The id read out of the key, so the lookup is by primary key.
                SELECT 1 FROM outbox x
                WHERE x.id = substring(a.dedupe_key
                                       FROM '^dead_letter:outbox:([0-9]{1,18})$')::bigint
                AND x.status = 'dead')))
           RETURNING id""", now, ACTOR, since)
    return len(rows)


async def notify_operators(conn: asyncpg.Connection, phones: Sequence[str], *,
                           now: dt.datetime, limit: int = BATCH) -> list[OperatorAlerted]:
    """Every open alert not told yet, one notice per operator phone, marked notified.

    Rows are claimed with SKIP LOCKED so two workers never tell the same alert twice.
    With no operator phones nothing is marked: the alerts wait, listed by
    `khaacho alerts`, until a number is configured.
    """
    if not phones:
        return []
    rows = await conn.fetch(
        "SELECT id, kind, subject FROM operator_alerts WHERE resolved_at IS NULL "
        "AND notified_at IS NULL ORDER BY raised_at, id LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit)
    told: list[OperatorAlerted] = []
    for r in rows:
        for phone in phones:
            told.append(OperatorAlerted(Party(phone, "en", "operator"), r["id"], r["kind"],
                                        r["subject"]))
        await alert_store.mark_notified(conn, r["id"], now)
    return told
