"""A batch folds each message's statuses into one update; the end row is what applying
them one by one gives, and a status whose row is being recorded waits for the next batch."""

from __future__ import annotations

import itertools
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.runtime import Runtime
from bot.store import inbox as inbox_store
from bot.store import outbox as outbox_store
from bot.whatsapp.updates import StatusUpdate
from flows.replies import Outgoing, Template, Text
from tests.channel.dispatch import enqueue

A = "9779800000001"
_ids = itertools.count()
_COLUMNS = ("status", "kind", "payload", "fallback", "wamid_is_null", "attempts", "sent_at",
            "delivered_at", "read_at", "failed_at", "error_code", "last_error")

# Few kinds, times and errors, so that duplicates and ties come up often.
_statuses = st.lists(st.tuples(
    st.sampled_from(["sent", "delivered", "read", "played", "failed", "deleted"]),
    st.sampled_from(["1700000000", "1700000005", "1700000009"]),
    st.sampled_from([131026, 131047, 131050, 132015])), min_size=1, max_size=8)


def _status(wamid: str, kind: str, timestamp: str, code: int) -> StatusUpdate:
    errors = [{"code": code, "title": f"error {code}"}] if kind == "failed" else []
    return StatusUpdate(id=wamid, status=kind, timestamp=timestamp, errors=errors)


async def _row(conn: asyncpg.Connection, row_id: int) -> dict[str, Any]:
    row = await conn.fetchrow(
        "SELECT status, kind, payload::text AS payload, fallback::text AS fallback, "
        "wamid IS NULL AS wamid_is_null, attempts, sent_at, delivered_at, read_at, failed_at, "
        "error_code, last_error FROM outbox WHERE id = $1", row_id)
    return {c: row[c] for c in _COLUMNS}


async def _early(conn: asyncpg.Connection, wamid: str) -> list[tuple[Any, ...]]:
    rows = await conn.fetch("SELECT status, at, error_code, error_title FROM "
                            "outbox_early_statuses WHERE wamid = $1 ORDER BY id", wamid)
    return [tuple(r) for r in rows]


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.sampled_from(["sending", "sent", "delivered", "read", "failed"]),
       fallback=st.booleans(), received=_statuses)
async def test_a_batch_leaves_the_row_as_applying_its_statuses_one_by_one_does(
        runtime: Runtime, start: str, fallback: bool,
        received: list[tuple[str, str, int]]) -> None:
    n = next(_ids)
    template = Template("order_update", "en", ("x",)) if fallback else None
    one, batch = await enqueue(runtime, [Outgoing(A, Text("x"), template),
                                         Outgoing(A, Text("x"), template)])
    wamids = {one: f"wamid.one.{n}", batch: f"wamid.batch.{n}"}
    async with runtime.pool.acquire() as conn:
        for row_id, wamid in wamids.items():
            await conn.execute("UPDATE outbox SET status = $2, wamid = $3, "
                               "sent_at = '2023-11-14T00:00:00Z' WHERE id = $1",
                               row_id, start, wamid)
        for kind, timestamp, code in received:
            await outbox_store.apply_status(conn, _status(wamids[one], kind, timestamp, code))
        await outbox_store.apply_statuses(
            conn, [_status(wamids[batch], kind, timestamp, code)
                   for kind, timestamp, code in received])
        assert await _row(conn, batch) == await _row(conn, one)
        assert await _early(conn, wamids[batch]) == await _early(conn, wamids[one])


async def test_a_status_for_a_row_being_recorded_waits_for_the_next_batch(
        runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    delivered = StatusUpdate(id="wamid.W", status="delivered", timestamp="1700000000",
                             biz_opaque_callback_data=f"outbox:{row_id}")
    async with runtime.pool.acquire() as dispatcher, runtime.pool.acquire() as applier:
        await outbox_store.claim(dispatcher, "d", 10, 30)
        recording = dispatcher.transaction()
        await recording.start()
        await dispatcher.execute("UPDATE outbox SET wamid = 'wamid.W', status = 'sent' "
                                 "WHERE id = $1", row_id)
        async with applier.transaction():
            waiting = await outbox_store.apply_statuses(applier, [delivered])
        await recording.commit()
        async with applier.transaction():
            then = await outbox_store.apply_statuses(applier, [delivered])
        status = await applier.fetchval("SELECT status FROM outbox WHERE id = $1", row_id)
        early = await applier.fetchval("SELECT count(*) FROM outbox_early_statuses")
    assert (waiting.deferred, then.deferred) == ((0,), ())
    assert (status, early) == ("delivered", 0)


async def test_a_status_for_a_row_nobody_holds_is_adopted_in_the_same_batch(
        runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        await outbox_store.claim(conn, "died-mid-send", 10, 30)
        applied = await outbox_store.apply_statuses(conn, [StatusUpdate(
            id="wamid.D", status="delivered", timestamp="1700000000",
            biz_opaque_callback_data=f"outbox:{row_id}")])
        row = await conn.fetchrow("SELECT status, wamid FROM outbox WHERE id = $1", row_id)
    assert applied.deferred == ()
    assert dict(row) == {"status": "delivered", "wamid": "wamid.D"}


async def test_statuses_put_back_come_before_their_message_s_later_ones(
        runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute("INSERT INTO inbox_statuses (payload) VALUES ('a'), ('b')")
        async with conn.transaction():
            taken = await inbox_store.take_statuses(conn, 1)
            await conn.execute("INSERT INTO inbox_statuses (payload) VALUES ('c')")
            await inbox_store.put_back_statuses(conn, taken)
        async with conn.transaction():
            again = await inbox_store.take_statuses(conn, 10)
    assert [bytes(t.payload) for t in again] == [b"a", b"b", b"c"]


async def test_a_failed_status_the_outbox_does_not_track_records_no_opt_out(
        runtime: Runtime) -> None:
    from bot.store import consent as consent_store
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE outbox SET status = 'sent', wamid = 'wamid.C' WHERE id = $1",
                           row_id)
        applied = await outbox_store.apply_statuses(conn, [StatusUpdate(
            id="wamid.C", status="failed", type="call",
            errors=[{"code": 131050, "title": "stopped marketing"}])])
        state = await consent_store.state(conn, A)
    assert applied.outcomes == {"ignored": 1}
    assert state is None or not state.opted_out
