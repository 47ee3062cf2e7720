"""The account's own signals in Postgres, written by the webhook in ONE statement.

`apply` writes everything one POST's non-message changes say
(bot/whatsapp/signals.py) with a single statement of data-modifying CTEs:
template statuses, categories and quality upserted into `message_templates`;
account, number-quality and messaging-limit events appended to
`account_signals`; marketing preferences into `marketing_consent`; quality
drops and template rejections raised as operator alerts (told by the
operator-alerts job); held outbox rows of a template now approved put back to
`pending` (the dispatcher decides again) and their "waiting" alert closed; a
NOTIFY wakes the dispatchers. All CTEs read the same snapshot, so an update
and an insert never both touch one key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from bot.whatsapp.signals import Interpreted
from domain.alerts import AlertKind

_APPLY = """
WITH t AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                         $6::text[], $7::text[])
        AS t(name, language, status, category, quality, meta_id, reason)
),
t_up AS (
    UPDATE message_templates m SET
        status = coalesce(t.status, m.status),
        category = coalesce(t.category, m.category),
        quality = coalesce(t.quality, m.quality),
        meta_id = coalesce(t.meta_id, m.meta_id),
        rejected_reason = CASE WHEN t.status IS NULL THEN m.rejected_reason ELSE t.reason END,
        updated_at = now()
    FROM t WHERE m.name = t.name AND m.language = t.language
    RETURNING m.name
),
t_new AS (
    INSERT INTO message_templates (name, language, status, category, quality, meta_id,
                                   rejected_reason)
    SELECT t.name, t.language, coalesce(t.status, 'UNKNOWN'), t.category, t.quality,
           t.meta_id, t.reason
    FROM t WHERE NOT EXISTS (SELECT 1 FROM message_templates m
                             WHERE m.name = t.name AND m.language = t.language)
    ON CONFLICT (name, language) DO NOTHING
    RETURNING name
),
ev AS (
    INSERT INTO account_signals (field, event, detail)
    SELECT * FROM unnest($8::text[], $9::text[], $10::jsonb[])
    RETURNING id
),
consent AS (
    INSERT INTO marketing_consent (phone, opted_out, source)
    SELECT * FROM unnest($11::text[], $12::boolean[], $13::text[])
    ON CONFLICT (phone) DO UPDATE SET opted_out = EXCLUDED.opted_out,
        source = EXCLUDED.source, changed_at = now()
    RETURNING phone
),
alerts AS (
    INSERT INTO operator_alerts (kind, dedupe_key, subject, details)
    SELECT * FROM unnest($14::text[], $15::text[], $16::text[], $17::jsonb[])
    ON CONFLICT (dedupe_key) WHERE resolved_at IS NULL DO NOTHING
    RETURNING id
),
released AS (
    UPDATE outbox SET status = 'pending', next_attempt_at = now()
    WHERE status = 'held' AND payload -> 'template' ->> 'name' = ANY($18::text[])
    RETURNING id
),
resolved AS (
    UPDATE operator_alerts SET resolved_at = now(), resolved_by = 'webhook:template-approved'
    WHERE resolved_at IS NULL AND dedupe_key = ANY($19::text[])
    RETURNING id
)
SELECT (SELECT count(*) FROM t_up) + (SELECT count(*) FROM t_new) AS templates,
       (SELECT count(*) FROM ev) AS events,
       (SELECT count(*) FROM consent) AS consent,
       (SELECT count(*) FROM alerts) AS alerts,
       (SELECT count(*) FROM released) AS released,
       (SELECT count(*) FROM resolved) AS resolved,
       pg_notify('outbox', '') AS notified
"""


@dataclass(frozen=True, slots=True)
class Applied:
    """How many rows one POST's signals wrote, by table."""

    templates: int = 0
    events: int = 0
    consent: int = 0
    alerts: int = 0
    released: int = 0

    def as_dict(self) -> dict[str, int]:
        """For the webhook's answer."""
        return {"templates": self.templates, "events": self.events, "consent": self.consent,
                "alerts": self.alerts, "released": self.released}


def waiting_key(name: str) -> str:
    """The dedupe key of the "template X is not approved, messages wait" alert."""
    return f"{AlertKind.TEMPLATE_WAITING.value}:template:{name}"


async def apply(conn: asyncpg.Connection, changes: Interpreted) -> Applied:
    """Write what the signals say in one statement (see the module doc)."""
    if changes.empty:
        return Applied()
    tpl = list(changes.templates.values())
    alerts = list(changes.alerts.values())
    approved = sorted(changes.approved)
    row = await conn.fetchrow(
        _APPLY,
        [c.name for c in tpl], [c.language for c in tpl], [c.status for c in tpl],
        [c.category for c in tpl], [c.quality for c in tpl], [c.meta_id for c in tpl],
        [c.reason for c in tpl],
        [e.field for e in changes.events], [e.event for e in changes.events],
        [e.detail for e in changes.events],
        [c.phone for c in changes.consent.values()],
        [c.opted_out for c in changes.consent.values()],
        [c.source for c in changes.consent.values()],
        [a.kind.value for a in alerts], [a.dedupe_key for a in alerts],
        [a.subject for a in alerts], [{"about": a.about} for a in alerts],
        approved, [waiting_key(n) for n in approved])
    assert row is not None
    return Applied(int(row["templates"]), int(row["events"]), int(row["consent"]),
                   int(row["alerts"]), int(row["released"]))


async def latest(conn: asyncpg.Connection) -> dict[str, Any]:
    """The last event of each signal field, for `khaacho stats` and /metrics."""
    rows = await conn.fetch(
        "SELECT DISTINCT ON (field) field, event, detail, received_at FROM account_signals "
        "ORDER BY field, id DESC")
    return {r["field"]: {"event": r["event"], "received_at": r["received_at"].isoformat(),
                         **({"current_limit": r["detail"]["current_limit"]}
                            if isinstance(r["detail"], dict) and "current_limit" in r["detail"]
                            else {})}
            for r in rows}
