"""retention: purge what is not a money record once it is older than its setting.

What grows forever otherwise (issue 19): every inbound message id, every
outbox row with its full body (retailers' phones sent to vendors) and its send
attempts, whole conversations in `session_archive`, non-money audit rows, and a
`job_runs` row per job per minute. Each table has a setting (bot/config.py,
`RETAIN_*_DAYS`; defaults and reasons in docs/RETENTION.md).

Kept for ever, whatever the settings: orders, their items, events and offers,
the ledger, payments, and the audit of every action that moves money or credit
(only the actions in `PURGEABLE_AUDIT` are ever purged: a new action is kept
until someone decides otherwise).

Each purge deletes at most `RETENTION_BATCH` rows per statement, oldest first,
each batch its own short transaction, with `ctx.checkpoint()` between: a large
backlog never holds a lock or a transaction for long, and a stopping worker
leaves the rest to the next night's run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from jobs.job import Job, JobContext

# Audit actions that move no money and name no credit decision.
PURGEABLE_AUDIT: tuple[str, ...] = ("outbox.retry", "session.reset", "inbox.cart", "inbox.done")
# Outbox rows in these states are finished: nothing will send or retry them.
FINISHED_OUTBOX: tuple[str, ...] = ("sent", "delivered", "read", "dead")


@dataclass(frozen=True, slots=True)
class Purge:
    """One table's purge: rows of `table` matching `where` ($1 the cutoff, $3… `args`)."""

    name: str
    table: str
    where: str
    days_setting: str
    args: tuple[object, ...] = ()


PURGES: tuple[Purge, ...] = (
    Purge("inbound_messages", "inbound_messages", "received_at < $1", "retain_inbound_days"),
    # Attempts go with their outbox row (ON DELETE CASCADE); this catches attempts
    # of rows kept longer (a row stuck 'failed' retries for a while).
    Purge("outbox_attempts", "outbox_attempts", "at < $1", "retain_outbox_days"),
    Purge("outbox", "outbox", "created_at < $1 AND status = ANY($3::text[])",
          "retain_outbox_days", (list(FINISHED_OUTBOX),)),
    Purge("session_archive", "session_archive", "archived_at < $1",
          "retain_session_archive_days"),
    Purge("audit_log", "audit_log", "at < $1 AND action = ANY($3::text[])",
          "retain_audit_days", (list(PURGEABLE_AUDIT),)),
    # Signed bodies nobody could read (bot/store/webhook_dead_letters.py): kept as
    # long as the messages that could be.
    Purge("webhook_dead_letters", "webhook_dead_letters", "received_at < $1",
          "retain_inbound_days"),
    Purge("job_runs", "job_runs", "started_at < $1 AND finished_at IS NOT NULL",
          "retain_job_runs_days"),
    # Operator inbox items a person has closed, as long as the messages they came in.
    Purge("operator_inbox", "operator_inbox", "received_at < $1 AND state = 'done'",
          "retain_inbound_days"),
)

# Media bytes (media_files.bytes, the largest rows by far) go after
# RETAIN_MEDIA_DAYS; the row, its size and sha256 stay (an invoice sent is
# still on record). Never the file of a row still to be sent, nor of an inbox
# item a person has not closed.
_PURGE_MEDIA_BYTES = """
WITH doomed AS (
    SELECT f.id FROM media_files f
    WHERE f.bytes IS NOT NULL AND f.created_at < $1
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.media_file_id = f.id
                      AND o.status IN ('pending', 'sending'))
      AND NOT EXISTS (SELECT 1 FROM operator_inbox i WHERE i.media_file_id = f.id
                      AND i.state <> 'done')
    ORDER BY f.id LIMIT $2
)
UPDATE media_files f SET bytes = NULL, purged_at = now() FROM doomed d WHERE f.id = d.id
"""

_KEY = {"inbound_messages": "wamid"}  # every other table has a bigserial id


def _batch_sql(p: Purge) -> str:
    key = _KEY.get(p.table, "id")
    # Fixed identifiers from PURGES above, never input; values are parameters.
    return (f"WITH doomed AS (SELECT {key} FROM {p.table} WHERE {p.where} "  # noqa: S608
            f"ORDER BY {key} LIMIT $2) "
            f"DELETE FROM {p.table} t USING doomed d WHERE t.{key} = d.{key}")


async def run(ctx: JobContext, now: datetime) -> None:
    """Purge every table in `PURGES` down to its retention, in bounded batches."""
    rt = ctx.runtime
    batch = rt.settings.retention_batch
    for p in PURGES:
        cutoff = now - timedelta(days=int(getattr(rt.settings, p.days_setting)))
        sql = _batch_sql(p)
        while True:
            async with rt.pool.acquire() as conn, conn.transaction():
                status = await conn.execute(sql, cutoff, batch, *p.args)
            deleted = int(status.split()[-1])
            ctx.add(p.name, deleted)
            ctx.checkpoint()
            if deleted < batch:
                break
    cutoff = now - timedelta(days=int(rt.settings.retain_media_days))
    # Megabytes a row: smaller batches keep each transaction short.
    media_batch = max(1, batch // 50)
    while True:
        async with rt.pool.acquire() as conn, conn.transaction():
            status = await conn.execute(_PURGE_MEDIA_BYTES, cutoff, media_batch)
        purged = int(status.split()[-1])
        ctx.add("media_bytes", purged)
        ctx.checkpoint()
        if purged < media_batch:
            break


JOB = Job("retention", {"hour": "3", "minute": "20"}, run,
          "purge non-money rows older than their RETAIN_*_DAYS, in bounded batches")
