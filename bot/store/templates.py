"""Template statuses as Meta last reported them, and the outbox rows waiting on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

NOTIFY_CHANNEL = "outbox"  # the dispatchers' channel (bot/store/outbox.py)
APPROVED = "APPROVED"


@dataclass(frozen=True, slots=True)
class TemplateStatus:
    """One template in one language, as stored."""

    name: str
    language: str
    category: str | None
    status: str
    quality: str | None
    meta_id: str | None
    rejected_reason: str | None
    updated_at: dt.datetime


async def store_status(conn: asyncpg.Connection, name: str, language: str, *, status: str,
                       category: str | None = None, meta_id: str | None = None,
                       reason: str | None = None) -> None:
    """Record Meta's status for one template and language (category/id kept when not given)."""
    await conn.execute(
        "INSERT INTO message_templates (name, language, category, status, meta_id, "
        "rejected_reason, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now()) "
        "ON CONFLICT (name, language) DO UPDATE SET status = EXCLUDED.status, "
        "category = coalesce(EXCLUDED.category, message_templates.category), "
        "meta_id = coalesce(EXCLUDED.meta_id, message_templates.meta_id), "
        "rejected_reason = EXCLUDED.rejected_reason, updated_at = now()",
        name, language, category, status, meta_id, reason)


async def all_statuses(conn: asyncpg.Connection) -> list[TemplateStatus]:
    """Every stored template status, by name and language."""
    rows = await conn.fetch(
        "SELECT name, language, category, status, quality, meta_id, rejected_reason, "
        "updated_at FROM message_templates ORDER BY name, language")
    return [TemplateStatus(**dict(r)) for r in rows]


@dataclass(frozen=True, slots=True)
class SendFacts:
    """What the dispatcher needs to decide on one template send."""

    statuses: dict[str, str]  # language -> status; empty when never synced
    category: str | None  # Meta's category (it may re-categorise), if known
    opted_out: bool


async def send_facts(conn: asyncpg.Connection, name: str, recipient: str) -> SendFacts:
    """Statuses of `name` in every language, its category and the recipient's opt-out."""
    row = await conn.fetchrow(
        "SELECT (SELECT coalesce(jsonb_object_agg(language, status), '{}'::jsonb) "
        "        FROM message_templates WHERE name = $1) AS statuses, "
        "       (SELECT category FROM message_templates WHERE name = $1 "
        "        AND category IS NOT NULL ORDER BY updated_at DESC LIMIT 1) AS category, "
        "       coalesce((SELECT opted_out FROM marketing_consent WHERE phone = $2), false) "
        "        AS opted_out", name, recipient)
    assert row is not None
    return SendFacts(dict(row["statuses"] or {}), row["category"], bool(row["opted_out"]))


async def release_waiting(conn: asyncpg.Connection) -> int:
    """Put back every held row whose template is now approved in some language; NOTIFY.

    The operators' "messages wait" alert of each such template is closed too.
    """
    result = await conn.execute(
        "UPDATE outbox o SET status = 'pending', next_attempt_at = now() "
        "WHERE o.status = 'held' AND EXISTS (SELECT 1 FROM message_templates t "
        "  WHERE t.name = o.payload -> 'template' ->> 'name' AND t.status = 'APPROVED')")
    released = int(result.split()[-1])
    # Their "messages wait" alerts are over (raised once per template by the dispatcher).
    await conn.execute(
        "UPDATE operator_alerts a SET resolved_at = now(), resolved_by = 'templates:approved' "
        "WHERE a.resolved_at IS NULL AND a.kind = 'template_waiting' AND EXISTS ("
        "  SELECT 1 FROM message_templates t WHERE t.status = 'APPROVED' "
        "  AND a.dedupe_key = 'template_waiting:template:' || t.name)")
    if released:
        await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    return released


async def held_count(conn: asyncpg.Connection) -> dict[str, int]:
    """Rows waiting, by template name."""
    rows = await conn.fetch(
        "SELECT payload -> 'template' ->> 'name' AS name, count(*) AS n FROM outbox "
        "WHERE status = 'held' GROUP BY 1 ORDER BY 1")
    return {str(r["name"]): int(r["n"]) for r in rows}
