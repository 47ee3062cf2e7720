"""Operator alerts in Postgres: raised once per open condition, listed, resolved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from domain.alerts import Alert, AlertKind


@dataclass(frozen=True, slots=True)
class AlertRow:
    """An alert as stored."""

    id: int
    kind: AlertKind | str
    dedupe_key: str
    subject: str
    details: dict[str, Any]
    raised_at: dt.datetime
    notified_at: dt.datetime | None
    resolved_at: dt.datetime | None
    resolved_by: str | None


def _row(r: asyncpg.Record) -> AlertRow:
    kind = r["kind"]
    known = kind in {k.value for k in AlertKind}
    return AlertRow(r["id"], AlertKind(kind) if known else kind, r["dedupe_key"], r["subject"],
                    dict(r["details"] or {}), r["raised_at"], r["notified_at"],
                    r["resolved_at"], r["resolved_by"])


async def raise_alert(conn: asyncpg.Connection, alert: Alert, *,
                      details: dict[str, Any] | None = None) -> int | None:
    """Record `alert` in the caller's transaction; its id, or None when it is already open."""
    new_id: int | None = await conn.fetchval(
        "INSERT INTO operator_alerts (kind, dedupe_key, subject, details) "
        "VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (dedupe_key) WHERE resolved_at IS NULL DO NOTHING RETURNING id",
        alert.kind.value, alert.dedupe_key, alert.subject, details or {})
    return new_id


async def open_alerts(conn: asyncpg.Connection, *, limit: int = 100) -> list[AlertRow]:
    """Open alerts, oldest first."""
    rows = await conn.fetch(
        "SELECT * FROM operator_alerts WHERE resolved_at IS NULL "
        "ORDER BY raised_at, id LIMIT $1", limit)
    return [_row(r) for r in rows]


async def mark_notified(conn: asyncpg.Connection, alert_id: int, at: dt.datetime) -> None:
    """Note that the operators' notice for this alert is in the outbox."""
    await conn.execute("UPDATE operator_alerts SET notified_at = $2 WHERE id = $1",
                       alert_id, at)


async def resolve(conn: asyncpg.Connection, alert_id: int, *, by: str,
                  at: dt.datetime) -> bool:
    """Close an open alert; False when there is no such open alert."""
    done = await conn.fetchval(
        "UPDATE operator_alerts SET resolved_at = $2, resolved_by = $3 "
        "WHERE id = $1 AND resolved_at IS NULL RETURNING true", alert_id, at, by)
    return bool(done)
