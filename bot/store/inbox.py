"""The inbox: inbound messages and statuses persisted by the webhook, worked off by workers.

The webhook's whole job is `persist`: one statement (so one transaction) that
writes every message and status of a POST, skips wamids already present,
counts each sender's messages against their rate window, marks the senders
ready and NOTIFYs the workers. Everything else happens later, in
`bot.conversation.workers`:

- `claim_sender` gives a worker one ready sender with a lease
  (`FOR UPDATE SKIP LOCKED` on the sender's row: one worker per sender);
- `pending` lists that sender's messages in WhatsApp's order (timestamp, then arrival);
- `mark_done` runs inside the transaction that writes a message's effects and
  its outbox rows, and fails unless the message is still pending and the lease
  still this worker's — which is what makes handling exactly-once;
- `release_sender` ends the claim, putting the sender at the back of the queue
  when more is pending (the fairness: a flood waits its turn batch by batch);
  `mark_done_and_release` does both for a claim's last message, in its transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from bot.whatsapp.updates import InboundMessage, StatusUpdate

NOTIFY_CHANNEL = "khaacho_inbox"

# NOTIFY_CHANNEL, spelled out in the statement below. Its payload says how many
# senders got new messages and how many statuses came (`Arrival`), so a process
# wakes as many conversation loops as there are senders, and its status task
# only for statuses.
# One statement: the messages and statuses of one POST — or of several POSTs
# coalesced by the webhook's group commit (bot/web/persist_batch.py) — the
# senders' rows, the NOTIFY. `ord` is the arrival order across all of them, so
# a sender's rate window counts their messages in the order the POSTs came.
# `prior` reads each sender's rate window as it was; concurrent statements of
# one sender may both pass under the limit, so the limit is a flood guard, not a quota.
# The senders' rows are upserted in sender order: two such statements (two web
# processes) lock their common senders in the same order and cannot deadlock.
_PERSIST = """
WITH m AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bytea[],
                         $6::int[], $9::text[])
        AS m(wamid, sender, type, sent_at, payload, ord, request_id)
), prior AS (
    SELECT s.sender,
           CASE WHEN s.window_start > now() - make_interval(secs => $8) THEN s.window_count
                ELSE 0 END AS used,
           CASE WHEN s.window_start > now() - make_interval(secs => $8) THEN s.window_start
                ELSE now() END AS since
    FROM inbox_senders s WHERE s.sender IN (SELECT sender FROM m)
), fresh AS (
    SELECT m.*, coalesce(p.used, 0)
               + row_number() OVER (PARTITION BY m.sender ORDER BY m.ord) AS n,
           coalesce(p.since, now()) AS since
    FROM m LEFT JOIN prior p USING (sender)
    WHERE NOT EXISTS (SELECT 1 FROM inbound_messages i WHERE i.wamid = m.wamid)
), ins AS (
    INSERT INTO inbound_messages (wamid, sender, type, sent_at, payload, status, request_id)
    SELECT wamid, sender, type, sent_at, payload, 'pending', request_id FROM fresh
    WHERE n <= $7 ORDER BY ord
    ON CONFLICT (wamid) DO NOTHING
    RETURNING wamid, sender
), senders AS (
    INSERT INTO inbox_senders AS s (sender, ready_at, arrivals, window_start, window_count)
    SELECT sender, now(), count(*), now(), count(*) FROM ins GROUP BY sender ORDER BY sender
    ON CONFLICT (sender) DO UPDATE SET
        ready_at = coalesce(s.ready_at, now()),
        arrivals = s.arrivals + excluded.arrivals,
        window_count = CASE WHEN s.window_start > now() - make_interval(secs => $8)
                            THEN s.window_count + excluded.window_count
                            ELSE excluded.window_count END,
        window_start = CASE WHEN s.window_start > now() - make_interval(secs => $8)
                            THEN s.window_start ELSE now() END
    RETURNING 1
), statuses AS (
    INSERT INTO inbox_statuses (payload) SELECT unnest($10::bytea[]) RETURNING 1
), woken AS (
    SELECT pg_notify('khaacho_inbox', concat((SELECT count(*) FROM senders), ' ',
                                             (SELECT count(*) FROM statuses)))
    WHERE EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM statuses)
)
-- `notified` is read by nobody, but it is output: a subquery whose value is not
-- would be planned away, and the NOTIFY with it. The outer row makes the
-- statement answer (and notify) even for a POST of statuses only.
SELECT t.notified, r.* FROM (SELECT (SELECT count(*) FROM woken)) t(notified)
LEFT JOIN (
    SELECT m.wamid, m.ord,
           ins.wamid IS NOT NULL AS inserted,
           coalesce(f.n > $7, false) AS throttled,
           ceil(extract(epoch FROM f.since + make_interval(secs => $8) - now()))::int
               AS retry_after
    FROM m LEFT JOIN ins USING (wamid) LEFT JOIN fresh f USING (wamid)
) r ON true
ORDER BY r.ord
"""


@dataclass(frozen=True, slots=True)
class Arrival:
    """What one NOTIFY on the inbox channel announces."""

    senders: int    # senders with new messages to handle
    statuses: int   # statuses queued for the outbox


_ARRIVAL = re.compile(r"(\d{1,9}) (\d{1,9})", re.ASCII)


def arrival_of(payload: str) -> Arrival | None:
    """The arrival a NOTIFY payload announces; None when it does not say (look at everything)."""
    counts = _ARRIVAL.fullmatch(payload)
    return None if counts is None else Arrival(int(counts[1]), int(counts[2]))


@dataclass(frozen=True, slots=True)
class Persisted:
    """What one POST's messages amounted to in the inbox."""

    inserted: tuple[str, ...]
    duplicates: tuple[str, ...]
    throttled: tuple[str, ...]
    retry_after: int


@dataclass(frozen=True, slots=True)
class Part:
    """One POST's share of a persist statement: its messages, its statuses, its request id."""

    messages: Sequence[InboundMessage]
    statuses: Sequence[StatusUpdate]
    request_id: str | None = None


def _sent_at(message: InboundMessage) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(message.timestamp or ""), dt.UTC)
    except (ValueError, OverflowError, OSError):
        return None


async def persist(conn: asyncpg.Connection, messages: Sequence[InboundMessage],
                  statuses: Sequence[StatusUpdate], *, rate_limit: int,
                  rate_window_seconds: float, request_id: str | None = None) -> Persisted:
    """Write a POST's messages and statuses in one statement; NOTIFY the workers."""
    [persisted] = await persist_many(conn, [Part(messages, statuses, request_id)],
                                     rate_limit=rate_limit,
                                     rate_window_seconds=rate_window_seconds)
    return persisted


async def persist_many(conn: asyncpg.Connection, parts: Sequence[Part], *, rate_limit: int,
                       rate_window_seconds: float) -> list[Persisted]:
    """Write several POSTs' messages and statuses in ONE statement; each POST's outcome.

    Each part comes out as if its POST had been persisted alone, right after
    the parts before it: a wamid an earlier part of the same statement brings
    is a duplicate (or throttled, if that one was), and a sender's rate window
    counts their messages in part order.
    """
    # ord -> the part it belongs to; a wamid already brought by an earlier part
    # is not sent again (one INSERT cannot report a row twice) but takes the
    # first one's outcome.
    owner: list[int] = []
    first_ord: dict[str, int] = {}
    echoes: list[tuple[int, str, int]] = []  # (part, wamid, ord of its first bringer)
    messages: list[InboundMessage] = []
    request_ids: list[str | None] = []
    for p, part in enumerate(parts):
        for m in part.messages:
            first = first_ord.get(m.wamid)
            if first is not None and owner[first] != p:
                echoes.append((p, m.wamid, first))
                continue
            first_ord.setdefault(m.wamid, len(messages))
            owner.append(p)
            messages.append(m)
            request_ids.append(part.request_id)
    statuses = [s.model_dump_json(by_alias=True).encode() for part in parts for s in part.statuses]
    rows = await conn.fetch(
        _PERSIST,
        [m.wamid for m in messages], [m.sender for m in messages], [m.type for m in messages],
        [_sent_at(m) for m in messages],
        [m.model_dump_json(by_alias=True).encode() for m in messages],
        list(range(len(messages))),
        rate_limit, float(rate_window_seconds), request_ids, statuses)
    inserted: list[list[str]] = [[] for _ in parts]
    duplicates: list[list[str]] = [[] for _ in parts]
    throttled: list[list[str]] = [[] for _ in parts]
    waits: list[list[int]] = [[] for _ in parts]
    outcome: dict[int, tuple[str, int]] = {}
    for r in rows:
        if r["ord"] is None:
            continue  # the row of a statement without messages
        ord_, wamid = int(r["ord"]), r["wamid"]
        p = owner[ord_]
        if r["inserted"]:
            inserted[p].append(wamid)
            outcome[ord_] = ("inserted", 1)
        elif r["throttled"]:  # never an inserted row: those are within the limit
            wait = int(r["retry_after"] or 1)
            throttled[p].append(wamid)
            waits[p].append(wait)
            outcome[ord_] = ("throttled", wait)
        else:
            duplicates[p].append(wamid)
            outcome[ord_] = ("duplicate", 1)
    for p, wamid, first in echoes:
        kind, wait = outcome.get(first, ("duplicate", 1))
        if kind == "throttled":
            throttled[p].append(wamid)
            waits[p].append(wait)
        else:
            duplicates[p].append(wamid)
    return [Persisted(tuple(inserted[p]), tuple(duplicates[p]), tuple(throttled[p]),
                      max([1, *waits[p]])) for p in range(len(parts))]


@dataclass(frozen=True, slots=True)
class Claim:
    """A sender a worker holds until `lease_until`; `arrivals` as seen at the claim."""

    sender: str
    arrivals: int


async def claim_sender(conn: asyncpg.Connection, worker: str, lease_seconds: float) -> Claim | None:
    """The longest-waiting ready sender nobody holds, now held by `worker`; None if none."""
    row = await conn.fetchrow(
        "UPDATE inbox_senders s SET claimed_by = $1, "
        "claimed_until = now() + make_interval(secs => $2) "
        "WHERE s.sender = (SELECT sender FROM inbox_senders "
        "  WHERE ready_at <= now() AND (claimed_until IS NULL OR claimed_until < now()) "
        "  ORDER BY ready_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING s.sender, s.arrivals", worker, float(lease_seconds))
    return None if row is None else Claim(row["sender"], int(row["arrivals"]))


@dataclass(frozen=True, slots=True)
class Pending:
    """One message waiting in the inbox, as the webhook stored it."""

    wamid: str
    payload: bytes
    attempts: int
    request_id: str | None


async def pending(conn: asyncpg.Connection, sender: str, limit: int) -> list[Pending]:
    """The sender's pending messages in WhatsApp's order: its timestamp, then arrival."""
    rows = await conn.fetch(
        "SELECT wamid, payload, attempts, request_id FROM inbound_messages "
        "WHERE sender = $1 AND status = 'pending' "
        "ORDER BY sent_at NULLS LAST, seq LIMIT $2", sender, limit)
    return [Pending(r["wamid"], r["payload"], r["attempts"], r["request_id"]) for r in rows]


async def claim_with_pending(conn: asyncpg.Connection, worker: str, lease_seconds: float,
                             limit: int) -> tuple[Claim, list[Pending]] | None:
    """`claim_sender` and `pending` in one round trip; None if no sender is ready."""
    rows = await conn.fetch(
        "WITH c AS (UPDATE inbox_senders s SET claimed_by = $1, "
        "  claimed_until = now() + make_interval(secs => $2) "
        "  WHERE s.sender = (SELECT sender FROM inbox_senders "
        "    WHERE ready_at <= now() AND (claimed_until IS NULL OR claimed_until < now()) "
        "    ORDER BY ready_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "  RETURNING s.sender, s.arrivals) "
        "SELECT c.sender, c.arrivals, m.wamid, m.payload, m.attempts, m.request_id FROM c "
        "LEFT JOIN LATERAL (SELECT wamid, payload, attempts, request_id, sent_at, seq "
        "  FROM inbound_messages WHERE sender = c.sender AND status = 'pending' "
        "  ORDER BY sent_at NULLS LAST, seq LIMIT $3) m ON true "
        "ORDER BY m.sent_at NULLS LAST, m.seq", worker, float(lease_seconds), limit)
    if not rows:
        return None
    claim = Claim(rows[0]["sender"], int(rows[0]["arrivals"]))
    return claim, [Pending(r["wamid"], r["payload"], r["attempts"], r["request_id"])
                   for r in rows if r["wamid"] is not None]


class ClaimLost(Exception):
    """The message was handled elsewhere, or this worker's lease on its sender ran out."""


async def mark_done(conn: asyncpg.Connection, wamid: str, sender: str, worker: str,
                    lease_seconds: float) -> None:
    """Inside the message's transaction: mark it done and extend the lease, or raise ClaimLost."""
    ok = await conn.fetchval(
        "WITH lease AS (UPDATE inbox_senders SET claimed_until = now() + make_interval(secs => $4) "
        "  WHERE sender = $2 AND claimed_by = $3 RETURNING 1) "
        "UPDATE inbound_messages SET status = 'done', handled_at = now() "
        "WHERE wamid = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM lease) "
        "RETURNING true", wamid, sender, worker, float(lease_seconds))
    if not ok:
        raise ClaimLost(wamid)


async def mark_done_and_release(conn: asyncpg.Connection, wamid: str, claim: Claim,
                                worker: str, *, delay_seconds: float = 0.0) -> None:
    """`mark_done` for the last message of a claim, ending the claim in the same statement.

    What `release_sender` would do right after the commit, committed with the
    message instead: one statement and one commit fewer per claim. The message
    itself still counts as pending in this statement's snapshot, so it is left
    out of the "anything pending" test.
    """
    ok = await conn.fetchval(
        "WITH lease AS (UPDATE inbox_senders SET claimed_by = NULL, claimed_until = NULL, "
        "  ready_at = CASE WHEN arrivals <> $4 OR EXISTS (SELECT 1 FROM inbound_messages "
        "                  WHERE sender = $2 AND status = 'pending' AND wamid <> $1) "
        "             THEN now() + make_interval(secs => $5) ELSE NULL END "
        "  WHERE sender = $2 AND claimed_by = $3 RETURNING 1) "
        "UPDATE inbound_messages SET status = 'done', handled_at = now() "
        "WHERE wamid = $1 AND status = 'pending' AND EXISTS (SELECT 1 FROM lease) "
        "RETURNING true", wamid, claim.sender, worker, claim.arrivals, float(delay_seconds))
    if not ok:
        raise ClaimLost(wamid)


async def record_failure(conn: asyncpg.Connection, wamid: str, error: str) -> int:
    """Count a failed attempt at a message; the attempts so far."""
    return int(await conn.fetchval(
        "UPDATE inbound_messages SET attempts = attempts + 1, last_error = $2 "
        "WHERE wamid = $1 AND status = 'pending' RETURNING attempts", wamid, error[:2000]) or 0)


async def park(conn: asyncpg.Connection, wamid: str, error: str) -> bool:
    """Set a message aside as a dead letter (inside the transaction that says sorry)."""
    return bool(await conn.fetchval(
        "UPDATE inbound_messages SET status = 'dead', handled_at = now(), last_error = $2 "
        "WHERE wamid = $1 AND status = 'pending' RETURNING true",
        wamid, error[:2000]))


async def release_sender(conn: asyncpg.Connection, claim: Claim, worker: str, *,
                         delay_seconds: float = 0.0) -> None:
    """End the claim: back of the queue if anything is pending (or arrived meanwhile), else idle.

    `arrivals` is compared on the row as it is when the update runs, so a
    message persisted while the worker held the sender is never left behind.
    """
    await conn.execute(
        "UPDATE inbox_senders SET claimed_by = NULL, claimed_until = NULL, ready_at = "
        "  CASE WHEN arrivals <> $3 OR EXISTS (SELECT 1 FROM inbound_messages "
        "            WHERE sender = $1 AND status = 'pending') "
        "       THEN now() + make_interval(secs => $4) ELSE NULL END "
        "WHERE sender = $1 AND claimed_by = $2", claim.sender, worker, claim.arrivals,
        float(delay_seconds))


@dataclass(frozen=True, slots=True)
class TakenStatus:
    """A status taken from the inbox to apply, as the webhook stored it."""

    id: int
    payload: bytes
    received_at: dt.datetime


async def take_statuses(conn: asyncpg.Connection, limit: int) -> list[TakenStatus]:
    """Inside a transaction: the oldest received statuses, removed from the inbox."""
    rows = await conn.fetch(
        "DELETE FROM inbox_statuses WHERE id IN (SELECT id FROM inbox_statuses ORDER BY id "
        "LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING id, payload, received_at", limit)
    return sorted((TakenStatus(r["id"], r["payload"], r["received_at"]) for r in rows),
                  key=lambda t: t.id)


async def put_back_statuses(conn: asyncpg.Connection, taken: Sequence[TakenStatus]) -> None:
    """Inside the taking transaction: statuses back in the inbox for the next batch.

    They keep their ids, so they stay ahead of their message's later statuses.
    """
    if taken:
        await conn.execute(
            "INSERT INTO inbox_statuses (id, payload, received_at) "
            "SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::timestamptz[])",
            [t.id for t in taken], [t.payload for t in taken], [t.received_at for t in taken])


@dataclass(frozen=True, slots=True)
class Backlog:
    """How far behind the workers are."""

    pending: int
    dead: int
    statuses: int
    oldest_pending_seconds: float


async def backlog(conn: asyncpg.Connection) -> Backlog:
    """Inbox depth, dead letters, statuses waiting, age of the oldest unhandled message."""
    row = await conn.fetchrow(
        "SELECT (SELECT count(*) FROM inbound_messages WHERE status = 'pending') AS pending, "
        "(SELECT count(*) FROM inbound_messages WHERE status = 'dead') AS dead, "
        "(SELECT count(*) FROM inbox_statuses) AS statuses, "
        "coalesce(extract(epoch FROM now() - (SELECT min(received_at) FROM inbound_messages "
        "  WHERE status = 'pending')), 0)::float8 AS oldest")
    assert row is not None
    return Backlog(int(row["pending"]), int(row["dead"]), int(row["statuses"]),
                   float(row["oldest"]))


async def was_handled(conn: asyncpg.Connection, wamid: str) -> bool:
    """Whether a message has been handled (its effects committed)."""
    return bool(await conn.fetchval(
        "SELECT true FROM inbound_messages WHERE wamid = $1 AND status = 'done'", wamid))
