"""The outbox: replies written with the effects that caused them, sent by the dispatcher.

Lifecycle of a row (`outbox.status`):
    pending ─claim→ sending ─API accepted→ sent → delivered → read
                       │          (status webhooks only ever move it forward)
                       ├─retryable error→ pending (next_attempt_at = backoff), or dead
                       ├─131047 with a fallback→ pending again, now the template
                       └─permanent error→ failed
A `failed` status webhook moves a row that was not yet delivered to `failed`
(or, for 131047 with a fallback, back to pending with the template).
Claims carry a lease (`claimed_until`): a dispatcher that dies mid-send leaves
the row to be claimed again when the lease runs out. A row is only claimed
when no earlier row to the same recipient is still pending or sending, which
keeps each recipient's messages in order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from bot.store import media as media_store
from bot.store import refusals
from bot.whatsapp.outbound import kind_of, media_file_of, render_outgoing
from bot.whatsapp.updates import StatusUpdate
from flows.replies import Document, Image, Outgoing, Template

NOTIFY_CHANNEL = "outbox"
# Sent as the message's `biz_opaque_callback_data`, which the Cloud API echoes
# in its status webhooks: a status then finds its row even when the dispatcher
# died before it could record the returned message id.
CALLBACK_PREFIX = "outbox:"
_ROW_ID = re.compile(r"[0-9]{1,18}")
OUTSIDE_WINDOW = 131047
_WEBHOOK_STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read",
                     "played": "read", "failed": "failed"}


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A claimed row, ready to send."""

    id: int
    recipient: str
    kind: str
    payload: dict[str, Any]
    fallback: dict[str, Any] | None
    attempts: int
    correlation: str | None
    request_id: str | None = None  # the request that caused it: logs follow it to the send
    media_file_id: int | None = None  # a stored file to upload and send by id (bot/store/media)

    def send_payload(self) -> dict[str, Any]:
        """The payload to POST, tagged so status webhooks can name this row."""
        return {**self.payload, "biz_opaque_callback_data": f"{CALLBACK_PREFIX}{self.id}"}


def row_of_callback(value: str | None) -> int | None:
    """The outbox row a status's `biz_opaque_callback_data` names, if it names one."""
    if not value or not value.startswith(CALLBACK_PREFIX):
        return None
    digits = value.removeprefix(CALLBACK_PREFIX)
    # We wrote it ASCII; str.isdigit() would also pass `²`, which int() refuses.
    return int(digits) if _ROW_ID.fullmatch(digits) else None


async def enqueue(
    conn: asyncpg.Connection, outgoing: Sequence[Outgoing], *, request_id: str | None = None
) -> list[int]:
    """Write replies into the outbox in the caller's transaction; wake the dispatchers.

    The NOTIFY is delivered only when the transaction commits, so a dispatcher
    never sees a reply whose effects were rolled back. Raises
    `OutboundLimitError` for a reply that cannot be sent (a bug in its flow).
    """
    if not outgoing:
        return []
    rendered = [render_outgoing(item) for item in outgoing]
    rows = await conn.fetch(
        _ENQUEUE, [item.to for item in outgoing], [kind_of(item.reply) for item in outgoing],
        [orjson.dumps(payload).decode() for payload, _ in rendered],
        [None if fallback is None else orjson.dumps(fallback).decode()
         for _, fallback in rendered],
        [item.correlation for item in outgoing], request_id, NOTIFY_CHANNEL,
        [media_file_of(item.reply) for item in outgoing])
    return [r["id"] for r in rows]


# Every reply of a message and the dispatchers' NOTIFY in one round trip. The
# rows are inserted in the replies' order, so their ids (which the dispatcher
# sends in) keep the order the flow said them in.
_ENQUEUE = """
WITH ins AS (
    INSERT INTO outbox (recipient, kind, payload, fallback, correlation, request_id,
                        media_file_id)
    SELECT u.recipient, u.kind, u.payload::jsonb, u.fallback::jsonb, u.correlation, $6,
           u.media_file_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $8::bigint[])
         WITH ORDINALITY AS u(recipient, kind, payload, fallback, correlation, media_file_id,
                              ord)
    ORDER BY u.ord
    RETURNING id
), woken AS (
    SELECT pg_notify($7, '')
)
SELECT ins.id FROM ins CROSS JOIN (SELECT count(*) FROM woken) AS w ORDER BY ins.id
"""


async def enqueue_media(
    conn: asyncpg.Connection, to: str, media_file_id: int, *, caption: str | None = None,
    filename: str | None = None, correlation: str | None = None,
    fallback: Template | None = None, request_id: str | None = None,
) -> int:
    """Queue a stored file for `to` in the caller's transaction; returns the outbox id.

    A JPEG or PNG goes as an image, anything else as a document named
    `filename` (default: the stored file's name). The dispatcher uploads the
    bytes when it has no live upload, then sends by Meta's media id. Raises
    LookupError when there is no such file (or its bytes were purged).
    """
    file = await media_store.get(conn, media_file_id)
    if file is None or file.purged:
        raise LookupError(f"no stored media file {media_file_id}")
    reply: Document | Image
    if file.sendable_kind == "image":
        reply = Image(file.id, caption)
    else:
        name = filename or file.filename or f"file-{file.id}"
        reply = Document(file.id, name, caption)
    (row_id,) = await enqueue(conn, [Outgoing(to, reply, fallback, correlation)],
                              request_id=request_id)
    return row_id


_CLAIM = """
WITH picked AS (
    SELECT o.id FROM outbox o
    WHERE ((o.status = 'pending' AND o.next_attempt_at <= now())
           OR (o.status = 'sending' AND o.claimed_until < now()))
      AND NOT EXISTS (
          SELECT 1 FROM outbox e
          WHERE e.recipient = o.recipient AND e.id < o.id
            AND e.status IN ('pending', 'sending'))
    ORDER BY o.id
    LIMIT $1
    FOR UPDATE OF o SKIP LOCKED
)
UPDATE outbox o
SET status = 'sending', claimed_by = $2,
    claimed_until = now() + make_interval(secs => $3)
FROM picked WHERE o.id = picked.id
RETURNING o.id, o.recipient, o.kind, o.payload, o.fallback, o.attempts, o.correlation,
          o.request_id, o.media_file_id
"""


async def claim(
    conn: asyncpg.Connection, dispatcher: str, limit: int, lease_seconds: float
) -> list[OutboxRow]:
    """Claim up to `limit` due rows (at most one per recipient) under a lease."""
    records = await conn.fetch(_CLAIM, limit, dispatcher, float(lease_seconds))
    rows = [OutboxRow(**dict(r)) for r in records]
    rows.sort(key=lambda r: r.id)
    return rows


async def next_due_in(conn: asyncpg.Connection) -> float | None:
    """Seconds until the earliest waiting row is due (0 if one is due now), None if none."""
    value = await conn.fetchval(
        "SELECT extract(epoch FROM min(CASE WHEN status = 'pending' THEN next_attempt_at "
        "ELSE claimed_until END) - now()) FROM outbox WHERE status IN ('pending', 'sending')")
    return None if value is None else max(0.0, float(value))


async def defer(conn: asyncpg.Connection, row_id: int, seconds: float) -> None:
    """Put a claimed row back for later without counting an attempt (pacing)."""
    await conn.execute(
        "UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL, "
        "next_attempt_at = now() + make_interval(secs => $2) WHERE id = $1 AND status = 'sending'",
        row_id, float(seconds))


async def _attempt(
    conn: asyncpg.Connection, row_id: int, dispatcher: str, outcome: str, *,
    http_status: int | None = None, code: int | None = None, title: str | None = None,
    duration_ms: int | None = None, wamid: str | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO outbox_attempts (outbox_id, dispatcher, http_status, error_code, "
        "error_title, outcome, duration_ms, wamid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        row_id, dispatcher, http_status, code, title, outcome, duration_ms, wamid)


@dataclass(frozen=True, slots=True)
class SentRecord:
    """The API's acceptance of a claimed row's message: its id and how the call went."""

    row_id: int
    wamid: str
    http_status: int
    duration_ms: int


# The row, its attempt and a look for early statuses in one statement (one
# round trip and one commit instead of five round trips). A status webhook may
# have adopted the row already (see `_adopt`): never move it backwards nor
# count the attempt twice.
_RECORD_SENT = """
WITH s AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[])
        AS s(id, wamid, http_status, duration_ms)
), updated AS (
    UPDATE outbox o SET
        status = CASE WHEN o.status IN ('pending', 'sending') THEN 'sent' ELSE o.status END,
        attempts = o.attempts + CASE WHEN o.wamid IS NULL THEN 1 ELSE 0 END,
        wamid = s.wamid, sent_at = coalesce(o.sent_at, now()),
        claimed_by = NULL, claimed_until = NULL, last_error = NULL, error_code = NULL
    FROM s WHERE o.id = s.id
    RETURNING o.id
), attempts AS (
    INSERT INTO outbox_attempts (outbox_id, dispatcher, outcome, http_status, duration_ms, wamid)
    SELECT s.id, $5, 'sent', s.http_status, s.duration_ms, s.wamid FROM s
)
-- By the index, whatever the planner guesses of an unnest's size.
SELECT DISTINCT wamid FROM outbox_early_statuses WHERE wamid = ANY($2::text[])
"""


async def record_sent(
    conn: asyncpg.Connection, row: OutboxRow, dispatcher: str, wamid: str, *,
    http_status: int, duration_ms: int,
) -> None:
    """The API accepted the row's message and gave it `wamid`."""
    await record_sent_many(conn, [SentRecord(row.id, wamid, http_status, duration_ms)],
                           dispatcher)


async def record_sent_many(conn: asyncpg.Connection, records: Sequence[SentRecord],
                           dispatcher: str) -> None:
    """Several accepted sends recorded in one statement (not in a transaction of the caller's)."""
    if not records:
        return
    early = await conn.fetch(
        _RECORD_SENT, [r.row_id for r in records], [r.wamid for r in records],
        [r.http_status for r in records], [r.duration_ms for r in records], dispatcher)
    for item in early:
        await _apply_early(conn, item["wamid"])


async def _apply_early(conn: asyncpg.Connection, wamid: str) -> None:
    """Statuses kept for `wamid` before its row had it, applied in order and dropped.

    Apart from the record of the send: they stay kept until applied, and
    applying one twice changes nothing, so a crash between the two loses none.
    """
    async with conn.transaction():
        early = await conn.fetch(
            "DELETE FROM outbox_early_statuses WHERE wamid = $1 "
            "RETURNING status, at, error_code, error_title, id", wamid)
        for item in sorted(early, key=lambda r: r["id"]):
            await _apply(conn, wamid, item["status"], item["at"], item["error_code"],
                         item["error_title"])


async def record_retry(
    conn: asyncpg.Connection, row: OutboxRow, dispatcher: str, *, delay: float,
    max_attempts: int, http_status: int | None, code: int | None, title: str,
    duration_ms: int | None,
) -> bool:
    """A retryable failure: back off, or make it a dead letter. True if it is now dead."""
    async with conn.transaction():
        status = await conn.fetchval(
            "UPDATE outbox SET attempts = attempts + 1, "
            "status = CASE WHEN attempts + 1 >= $2 THEN 'dead' ELSE 'pending' END, "
            "next_attempt_at = now() + make_interval(secs => $3), claimed_by = NULL, "
            "claimed_until = NULL, error_code = $4, last_error = $5 "
            # A status webhook may have shown the message was accepted after all.
            "WHERE id = $1 AND status = 'sending' AND wamid IS NULL RETURNING status",
            row.id, max_attempts, float(delay), code, title)
        await _attempt(conn, row.id, dispatcher, "retry", http_status=http_status, code=code,
                       title=title, duration_ms=duration_ms)
    return bool(status == "dead")


async def record_permanent(
    conn: asyncpg.Connection, row: OutboxRow, dispatcher: str, *, http_status: int | None,
    code: int | None, title: str, duration_ms: int | None,
) -> None:
    """A failure retrying cannot fix: the row is failed, for operators to see."""
    async with conn.transaction():
        await conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, status = 'failed', failed_at = now(), "
            "claimed_by = NULL, claimed_until = NULL, error_code = $2, last_error = $3 "
            "WHERE id = $1 AND status = 'sending' AND wamid IS NULL", row.id, code, title)
        await _attempt(conn, row.id, dispatcher, "permanent", http_status=http_status, code=code,
                       title=title, duration_ms=duration_ms)


async def switch_to_fallback(
    conn: asyncpg.Connection, row_id: int, dispatcher: str, *, http_status: int | None,
    code: int | None, title: str, duration_ms: int | None, wamid: str | None = None,
) -> bool:
    """Outside the 24-hour window: queue the row's template instead. False if it has none."""
    async with conn.transaction():
        switched = await conn.fetchval(
            "UPDATE outbox SET payload = fallback, kind = 'template', fallback = NULL, "
            "media_file_id = NULL, "
            "status = 'pending', next_attempt_at = now(), wamid = NULL, claimed_by = NULL, "
            "claimed_until = NULL, failed_at = NULL, attempts = attempts + 1, "
            "error_code = $2, last_error = $3 "
            "WHERE id = $1 AND fallback IS NOT NULL RETURNING true", row_id, code, title)
        if not switched:
            return False
        await _attempt(conn, row_id, dispatcher, "fallback", http_status=http_status, code=code,
                       title=title, duration_ms=duration_ms, wamid=wamid)
        await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    return True


_APPLY = """
UPDATE outbox SET
    status = CASE
        WHEN $2 = 'failed' THEN
            CASE WHEN status IN ('pending', 'sending', 'sent') THEN 'failed' ELSE status END
        WHEN array_position(ARRAY['pending', 'sending', 'sent', 'delivered', 'read'], $2)
             > coalesce(array_position(ARRAY['pending', 'sending', 'sent', 'delivered', 'read'],
                                       status), 99) THEN $2
        ELSE status END,
    delivered_at = CASE WHEN $2 = 'delivered' THEN coalesce(delivered_at, $3) ELSE delivered_at END,
    read_at = CASE WHEN $2 = 'read' THEN coalesce(read_at, $3) ELSE read_at END,
    failed_at = CASE WHEN $2 = 'failed' AND status IN ('pending', 'sending', 'sent')
                     THEN coalesce(failed_at, $3) ELSE failed_at END,
    error_code = CASE WHEN $2 = 'failed' AND status IN ('pending', 'sending', 'sent')
                      THEN $4 ELSE error_code END,
    last_error = CASE WHEN $2 = 'failed' AND status IN ('pending', 'sending', 'sent')
                      THEN $5 ELSE last_error END
WHERE wamid = $1
RETURNING id, status, fallback IS NOT NULL AS has_fallback
"""


async def _apply(
    conn: asyncpg.Connection, wamid: str, status: str, at: dt.datetime | None,
    code: int | None, title: str | None,
) -> str:
    row = await conn.fetchrow(_APPLY, wamid, status, at or dt.datetime.now(dt.UTC), code, title)
    if row is None:
        return "unmatched"
    if status == "failed" and code == OUTSIDE_WINDOW and row["status"] == "failed" and row[
            "has_fallback"]:
        await switch_to_fallback(conn, row["id"], "webhook", http_status=None, code=code,
                                 title=title or "outside the 24-hour window", duration_ms=None,
                                 wamid=wamid)
        return "fallback"
    return "applied"


async def apply_status(conn: asyncpg.Connection, status: StatusUpdate) -> str:
    """Apply a status webhook to its outbox row, never moving it backwards.

    Returns "applied", "fallback" (131047: the template is queued), "early"
    (no row has that id yet; kept until the dispatcher records it) or "ignored"
    (a status kind the outbox does not track, e.g. calls).
    """
    kind = _WEBHOOK_STATUSES.get(status.status.lower())
    if kind is None or (status.type not in (None, "message")):
        return "ignored"
    at = _timestamp(status.timestamp)
    error = status.first_error
    code = error.code if error else None
    title = error.description if error else None
    async with conn.transaction():
        outcome = await _apply(conn, status.wamid, kind, at, code, title)
        if outcome == "unmatched" and await _adopt(conn, status, at):
            outcome = await _apply(conn, status.wamid, kind, at, code, title)
        if outcome == "unmatched":
            await conn.execute(
                "INSERT INTO outbox_early_statuses (wamid, status, at, error_code, error_title) "
                "VALUES ($1, $2, $3, $4, $5)", status.wamid, kind, at, code, title)
            return "early"
    return outcome


async def _adopt(conn: asyncpg.Connection, status: StatusUpdate, at: dt.datetime | None) -> bool:
    """Give the row named by the status's callback data the status's message id.

    A status proves the API accepted the message, so a row still waiting
    (its dispatcher died before recording the answer, or the answer timed out
    and a retry is scheduled) becomes `sent` and is not sent a second time.
    A message id the row already gave up (a 131047 text switched to its
    template) is never taken back: WhatsApp redelivers webhooks, and adopting
    it again would mark the template sent without sending it.
    """
    row_id = row_of_callback(status.biz_opaque_callback_data)
    if row_id is None:
        return False
    adopted = await conn.fetchval(
        "UPDATE outbox SET wamid = $2, status = 'sent', sent_at = coalesce($3, now()), "
        "attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL, "
        "last_error = NULL, error_code = NULL "
        "WHERE id = $1 AND wamid IS NULL AND status IN ('pending', 'sending') "
        "AND NOT EXISTS (SELECT 1 FROM outbox_attempts a "
        "                WHERE a.outbox_id = $1 AND a.wamid = $2) RETURNING id",
        row_id, status.wamid, at)
    if adopted is None:
        return False
    await _attempt(conn, row_id, "status-webhook", "sent", wamid=status.wamid)
    return True


def _timestamp(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(value or ""), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


async def list_rows(
    conn: asyncpg.Connection, statuses: Sequence[str] = ("dead",), limit: int = 100
) -> list[dict[str, Any]]:
    """Rows in the given statuses, newest first (dead letters by default)."""
    records = await conn.fetch(
        "SELECT id, recipient, kind, status, attempts, error_code, last_error, correlation, "
        "created_at, next_attempt_at FROM outbox WHERE status = ANY($1::text[]) "
        "ORDER BY id DESC LIMIT $2", list(statuses), limit)
    return [dict(r) for r in records]


async def retry(conn: asyncpg.Connection, ids: Sequence[int]) -> int:
    """Send dead or failed rows again from scratch; returns how many were re-queued."""
    result = await conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = now(), "
        "claimed_by = NULL, claimed_until = NULL, failed_at = NULL "
        "WHERE id = ANY($1::bigint[]) AND status IN ('dead', 'failed')", list(ids))
    await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    return int(result.split()[-1])


async def purge_early_statuses(conn: asyncpg.Connection, older_than_hours: float = 24) -> int:
    """Drop early statuses that never found their row (messages sent by other tools)."""
    result = await conn.execute(
        "DELETE FROM outbox_early_statuses WHERE received_at < now() - make_interval("
        "secs => $1)", older_than_hours * 3600)
    return int(result.split()[-1])


_APPLY_BATCH = """
WITH s AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[])
        AS s(wamid, kind, at, code, title)
)
UPDATE outbox o SET
    status = CASE
        WHEN s.kind = 'failed' THEN
            CASE WHEN o.status IN ('pending', 'sending', 'sent') THEN 'failed' ELSE o.status END
        WHEN array_position(ARRAY['pending', 'sending', 'sent', 'delivered', 'read'], s.kind)
             > coalesce(array_position(ARRAY['pending', 'sending', 'sent', 'delivered', 'read'],
                                       o.status), 99) THEN s.kind
        ELSE o.status END,
    delivered_at = CASE WHEN s.kind = 'delivered' THEN coalesce(o.delivered_at, s.at)
                        ELSE o.delivered_at END,
    read_at = CASE WHEN s.kind = 'read' THEN coalesce(o.read_at, s.at) ELSE o.read_at END,
    failed_at = CASE WHEN s.kind = 'failed' AND o.status IN ('pending', 'sending', 'sent')
                     THEN coalesce(o.failed_at, s.at) ELSE o.failed_at END,
    error_code = CASE WHEN s.kind = 'failed' AND o.status IN ('pending', 'sending', 'sent')
                      THEN s.code ELSE o.error_code END,
    last_error = CASE WHEN s.kind = 'failed' AND o.status IN ('pending', 'sending', 'sent')
                      THEN s.title ELSE o.last_error END
FROM s WHERE o.wamid = s.wamid
RETURNING o.wamid, o.id, o.status, o.fallback IS NOT NULL AS has_fallback
"""

# One row per message: its statuses of the batch folded (`fold`). A failure counts
# only while the row is still pending, sending or sent — as each status would have
# found it in turn, since the fold keeps only a failure no delivered/read preceded.
_APPLY_FOLDED = """
WITH s AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[],
                         $5::timestamptz[], $6::int[], $7::text[])
        AS s(wamid, top, delivered_at, read_at, failed_at, code, title)
)
UPDATE outbox o SET
    status = CASE
        WHEN s.failed_at IS NOT NULL AND o.status IN ('pending', 'sending', 'sent') THEN 'failed'
        WHEN array_position(ARRAY['pending', 'sending', 'sent', 'delivered', 'read'], s.top)
             > coalesce(array_position(ARRAY['pending', 'sending', 'sent', 'delivered', 'read'],
                                       o.status), 99) THEN s.top
        ELSE o.status END,
    delivered_at = coalesce(o.delivered_at, s.delivered_at),
    read_at = coalesce(o.read_at, s.read_at),
    failed_at = CASE WHEN s.failed_at IS NOT NULL AND o.status IN ('pending', 'sending', 'sent')
                     THEN coalesce(o.failed_at, s.failed_at) ELSE o.failed_at END,
    error_code = CASE WHEN s.failed_at IS NOT NULL AND o.status IN ('pending', 'sending', 'sent')
                      THEN s.code ELSE o.error_code END,
    last_error = CASE WHEN s.failed_at IS NOT NULL AND o.status IN ('pending', 'sending', 'sent')
                      THEN s.title ELSE o.last_error END
FROM s WHERE o.wamid = s.wamid
RETURNING o.wamid
"""

# The rows named by unmatched statuses' callback data, and whether another
# transaction holds them now: that is the dispatcher recording the send (or a
# retry), which commits in a moment. Waiting for its lock was most of the
# status applier's statement time; the next batch finds the row by its id instead.
_CALLBACK_ROWS = """
WITH free AS MATERIALIZED (
    SELECT id FROM outbox WHERE id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED
)
SELECT o.id, o.wamid IS NULL AND o.status IN ('pending', 'sending') AS adoptable,
       o.id IN (SELECT id FROM free) AS free
FROM outbox o WHERE o.id = ANY($1::bigint[])
"""

_RANKED = ("pending", "sending", "sent", "delivered", "read")


@dataclass(frozen=True, slots=True)
class Received:
    """A status the outbox tracks, as applied: its kind and time (now if it had none)."""

    wamid: str
    kind: str
    at: dt.datetime
    code: int | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Folded:
    """One message's statuses of a batch as the one change that applying them in turn makes."""

    wamid: str
    top: str | None                  # the furthest of sent/delivered/read
    delivered_at: dt.datetime | None  # the first delivered's (a row keeps its first)
    read_at: dt.datetime | None
    failure: Received | None         # the first failure no delivered or read preceded


def fold(statuses: Sequence[Received]) -> Folded:
    """Fold one message's statuses, in the order received.

    Applied one by one, a status moves the row forward along pending < sending
    < sent < delivered < read, and a failure turns a pending, sending or sent
    row failed, after which nothing moves it. So the end row depends only on
    the furthest kind, the first delivered and read times, and the first
    failure that came before any delivered or read (a later one finds the row
    delivered and is a no-op) — whatever the row's state before the batch.
    """
    top: str | None = None
    delivered_at: dt.datetime | None = None
    read_at: dt.datetime | None = None
    failure: Received | None = None
    for status in statuses:
        if status.kind == "failed":
            if failure is None and top not in ("delivered", "read"):
                failure = status
            continue
        if top is None or _RANKED.index(status.kind) > _RANKED.index(top):
            top = status.kind
        if status.kind == "delivered" and delivered_at is None:
            delivered_at = status.at
        if status.kind == "read" and read_at is None:
            read_at = status.at
    wamid = statuses[0].wamid
    return Folded(wamid, top, delivered_at, read_at, failure)


@dataclass(frozen=True, slots=True)
class Applied:
    """What a batch of statuses did; `deferred` (indexes into the batch) wait for the next one."""

    outcomes: dict[str, int]
    deferred: tuple[int, ...] = ()


def _received(status: StatusUpdate, now: dt.datetime) -> Received | None:
    kind = _WEBHOOK_STATUSES.get(status.status.lower())
    if kind is None or status.type not in (None, "message"):
        return None
    error = status.first_error
    return Received(status.wamid, kind, _timestamp(status.timestamp) or now,
                    error.code if error else None, error.description if error else None)


async def apply_statuses(conn: asyncpg.Connection,
                         statuses: Sequence[StatusUpdate]) -> Applied:
    """Apply received statuses in one statement per batch, never moving a row backwards.

    The statuses of one message are folded into the one update that applying
    them in the order received would make (`fold`). A message with a 131047
    failure takes the rounds path (the k-th status of each message in round k),
    since its template switch clears the row's message id between statuses. A
    status whose row is not found (it beat the dispatcher's record of the id)
    waits for the next batch while its row is held by another transaction, and
    otherwise takes the one-by-one path, which adopts, keeps early statuses and
    switches to the template.
    """
    outcomes: dict[str, int] = {}

    def count(outcome: str, n: int = 1) -> None:
        outcomes[outcome] = outcomes.get(outcome, 0) + n

    now = dt.datetime.now(dt.UTC)
    by_wamid: dict[str, list[tuple[int, Received]]] = {}
    for index, status in enumerate(statuses):
        received = _received(status, now)
        if received is None:
            count("ignored")
            continue
        by_wamid.setdefault(received.wamid, []).append((index, received))
    folding = {w: items for w, items in by_wamid.items()
               if not any(r.kind == "failed" and r.code == OUTSIDE_WINDOW for _, r in items)}
    unmatched: list[str] = []
    if folding:
        folds = [fold([r for _, r in items]) for items in folding.values()]
        failures = [f.failure for f in folds]
        rows = await conn.fetch(
            _APPLY_FOLDED, [f.wamid for f in folds], [f.top for f in folds],
            [f.delivered_at for f in folds], [f.read_at for f in folds],
            [e.at if e else None for e in failures], [e.code if e else None for e in failures],
            [e.title if e else None for e in failures])
        matched = {r["wamid"] for r in rows}
        for wamid, items in folding.items():
            if wamid in matched:
                count("applied", len(items))
            else:
                unmatched.append(wamid)
    for outcome in await _apply_in_rounds(
            conn, [statuses[i] for w, items in by_wamid.items() if w not in folding
                   for i, _ in items]):
        count(outcome)
    deferred = await _unmatched(conn, statuses, {w: [i for i, _ in by_wamid[w]]
                                                  for w in unmatched}, count)
    waiting = set(deferred)
    await _record_refusals(conn, [statuses[i] for items in by_wamid.values() for i, _ in items
                                  if i not in waiting])
    return Applied(outcomes, tuple(sorted(deferred)))


async def _unmatched(conn: asyncpg.Connection, statuses: Sequence[StatusUpdate],
                     unmatched: dict[str, list[int]],
                     count: Callable[[str, int], None]) -> list[int]:
    """Statuses whose message id no row has yet; the indexes of those left for the next batch."""
    if not unmatched:
        return []
    named = {w: row_of_callback(statuses[indexes[0]].biz_opaque_callback_data)
             for w, indexes in unmatched.items()}
    ids = sorted({r for r in named.values() if r is not None})
    held: set[int] = set()
    if ids:
        held = {r["id"] for r in await conn.fetch(_CALLBACK_ROWS, ids)
                if r["adoptable"] and not r["free"]}
    deferred: list[int] = []
    for wamid, indexes in unmatched.items():
        if named[wamid] in held:
            deferred.extend(indexes)
            count("deferred", len(indexes))
            continue
        for index in indexes:
            count(await apply_status(conn, statuses[index]), 1)
    return deferred


async def _apply_in_rounds(conn: asyncpg.Connection,
                           statuses: Sequence[StatusUpdate]) -> list[str]:
    """Statuses applied in rounds, the k-th of each message in round k; their outcomes."""
    outcomes: list[str] = []
    rounds: list[dict[str, StatusUpdate]] = []
    for status in statuses:
        for batch in rounds:
            if status.wamid not in batch:
                batch[status.wamid] = status
                break
        else:
            rounds.append({status.wamid: status})
    now = dt.datetime.now(dt.UTC)
    for batch in rounds:
        items = list(batch.values())
        errors = [s.first_error for s in items]
        rows = await conn.fetch(
            _APPLY_BATCH, [s.wamid for s in items],
            [_WEBHOOK_STATUSES[s.status.lower()] for s in items],
            [_timestamp(s.timestamp) or now for s in items],
            [e.code if e else None for e in errors],
            [e.description if e else None for e in errors])
        matched = {r["wamid"]: r for r in rows}
        for status, error in zip(items, errors, strict=True):
            row = matched.get(status.wamid)
            if row is None or (error is not None and error.code == OUTSIDE_WINDOW
                               and row["status"] == "failed" and row["has_fallback"]):
                # Unmatched: adopt or keep early. Fallback: applying again is a
                # no-op for the row and switches it to its template.
                outcomes.append(await apply_status(conn, status))
            else:
                outcomes.append("applied")
    return outcomes


async def _record_refusals(conn: asyncpg.Connection, statuses: Sequence[StatusUpdate]) -> None:
    """A failed status whose code says something about the recipient or the template
    (131050, 132001/132015/132016) has the consequences the send call's answer would
    have (bot/store/refusals.py): an opt-out, or the template's status."""
    failed = {s.wamid: s.first_error for s in statuses
              if _WEBHOOK_STATUSES.get(s.status.lower()) == "failed"
              and s.first_error is not None and s.first_error.code in refusals.CODES}
    if not failed:
        return  # the usual batch: no extra query
    rows = await conn.fetch("SELECT wamid, recipient, payload FROM outbox WHERE wamid = ANY($1)",
                            list(failed))
    for row in rows:
        error = failed[row["wamid"]]
        if error is not None:
            await refusals.record_refusal(conn, recipient=row["recipient"],
                                          payload=row["payload"], code=error.code,
                                          title=error.description)


# ---------------------------------------------------------------- tmpl: held and skipped rows
# `held`: a template not approved in any language waits (reason in last_error)
# until bot/store/account_signals.py or `khaacho templates status` puts it back;
# `skipped`: a marketing message to a number that opted out, never sent.

async def hold(conn: asyncpg.Connection, row_id: int, reason: str, *,
               code: int | None = None) -> bool:
    """Park a claimed row until its template is approved; False if it was not ours."""
    held = await conn.fetchval(
        "UPDATE outbox SET status = 'held', claimed_by = NULL, claimed_until = NULL, "
        "last_error = $2, error_code = coalesce($3, error_code) "
        "WHERE id = $1 AND status = 'sending' RETURNING true", row_id, reason[:500], code)
    return bool(held)


async def skip(conn: asyncpg.Connection, row_id: int, reason: str) -> None:
    """A claimed row that must never be sent (marketing to an opted-out number)."""
    await conn.execute(
        "UPDATE outbox SET status = 'skipped', claimed_by = NULL, claimed_until = NULL, "
        "last_error = $2, failed_at = now() WHERE id = $1 AND status = 'sending'",
        row_id, reason[:500])
