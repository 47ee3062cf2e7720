"""Accepted sends that finish together are recorded in one statement, each with its own id."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.runtime import Runtime
from bot.store import outbox as outbox_store
from flows.replies import Outgoing, Text
from jobs.dispatcher import SentRecorder
from tests.channel.dispatch import enqueue

RECIPIENTS = [f"97798000000{i:02d}" for i in range(5)]


async def _claimed(runtime: Runtime) -> list[int]:
    ids = await enqueue(runtime, [Outgoing(to, Text("x")) for to in RECIPIENTS])
    async with runtime.pool.acquire() as conn:
        await outbox_store.claim(conn, "d", 10, 30)
    return ids


async def test_sends_accepted_together_share_one_statement(runtime: Runtime) -> None:
    ids = await _claimed(runtime)
    recorder = SentRecorder(runtime.pool, "d")
    await asyncio.gather(*(recorder.record(outbox_store.SentRecord(i, f"wamid.{i}", 200, 5))
                           for i in ids))
    assert recorder.statements == 1


async def test_each_send_recorded_together_has_its_own_id_and_one_attempt(
        runtime: Runtime) -> None:
    ids = await _claimed(runtime)
    recorder = SentRecorder(runtime.pool, "d")
    await asyncio.gather(*(recorder.record(outbox_store.SentRecord(i, f"wamid.{i}", 200, 5))
                           for i in ids))
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT o.id, o.status, o.wamid, o.attempts, o.claimed_by, "
            "(SELECT count(*) FROM outbox_attempts a WHERE a.outbox_id = o.id "
            " AND a.outcome = 'sent' AND a.wamid = o.wamid) AS recorded "
            "FROM outbox o WHERE o.id = ANY($1) ORDER BY o.id", ids)
    assert [tuple(r) for r in rows] == [(i, "sent", f"wamid.{i}", 1, None, 1) for i in ids]


async def test_a_send_postgres_cannot_record_fails_alone(runtime: Runtime) -> None:
    ids = await _claimed(runtime)
    recorder = SentRecorder(runtime.pool, "d")
    wamids = {i: f"wamid.{i}" for i in ids}
    wamids[ids[2]] = "wamid.\x00"
    outcomes = await asyncio.gather(
        *(recorder.record(outbox_store.SentRecord(i, wamids[i], 200, 5)) for i in ids),
        return_exceptions=True)
    assert [isinstance(o, asyncpg.PostgresError) for o in outcomes] == [
        False, False, True, False, False]
    async with runtime.pool.acquire() as conn:
        sent = await conn.fetchval("SELECT count(*) FROM outbox WHERE id = ANY($1) "
                                   "AND status = 'sent'", ids)
    assert sent == 4


@pytest.mark.parametrize("count", [1, 3])
async def test_a_statement_holds_at_most_its_limit_of_sends(runtime: Runtime,
                                                            count: int) -> None:
    ids = await _claimed(runtime)
    recorder = SentRecorder(runtime.pool, "d", max_records=count)
    await asyncio.gather(*(recorder.record(outbox_store.SentRecord(i, f"wamid.{i}", 200, 5))
                           for i in ids))
    assert recorder.statements == -(-len(ids) // count)
