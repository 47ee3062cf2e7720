"""The durable inbox: the webhook only persists; conversation workers handle each
sender's messages in WhatsApp's order, exactly once, and park what keeps failing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from bot.conversation.workers import ConversationWorkers, WorkerConfig, drained
from bot.runtime import Runtime
from bot.store import inbox as inbox_store
from bot.whatsapp.updates import InboundMessage
from flows.replies import Outgoing
from tests.channel.conftest import Bot, EchoConversation, start_bot, text_envelope
from tests.channel.dispatch import wait_until

RETAILER = "9779800000001"
OTHER = "9779800000002"


def _without_workers(runtime: Runtime) -> Runtime:
    settings = runtime.settings.model_copy(update={"conversation_workers": 0})
    return Runtime(settings, runtime.pool, runtime.redis, runtime.keys)


@pytest.fixture
async def quiet_bot(runtime: Runtime, channel_effects_reset: None) -> AsyncIterator[Bot]:
    """The web app with no conversation workers of its own: only the acknowledgement runs."""
    b = await start_bot(_without_workers(runtime))
    yield b
    await b.client.close()


async def _inbox(runtime: Runtime) -> list[asyncpg.Record]:
    async with runtime.pool.acquire() as conn:
        return await conn.fetch(
            "SELECT wamid, status, attempts, last_error FROM inbound_messages ORDER BY seq")


def _texts(envelope: dict[str, Any]) -> list[dict[str, Any]]:
    return envelope["entry"][0]["changes"][0]["value"]["messages"]  # type: ignore[no-any-return]


async def test_the_acknowledgement_persists_the_message_and_runs_no_conversation(
    quiet_bot: Bot,
) -> None:
    status, body = await quiet_bot.post(text_envelope(RETAILER, "chini 5 kg", "wamid.q1"),
                                        drain=False)
    assert status == 200 and body["handled"] == 1
    rows = await _inbox(quiet_bot.runtime)
    assert [(r["wamid"], r["status"]) for r in rows] == [("wamid.q1", "pending")]
    async with quiet_bot.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM channel_effects") == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0


async def test_statuses_of_a_post_are_persisted_with_its_messages(quiet_bot: Bot) -> None:
    env = text_envelope(RETAILER, "hi", "wamid.q2")
    _texts(env)  # the message stays; statuses ride along in the same change
    env["entry"][0]["changes"][0]["value"]["statuses"] = [
        {"id": "wamid.out1", "status": "delivered", "recipient_id": RETAILER},
        {"id": "wamid.out2", "status": "read", "recipient_id": RETAILER}]
    status, body = await quiet_bot.post(env, drain=False)
    assert status == 200 and body["statuses"] == {"queued": 2}
    async with quiet_bot.runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM inbox_statuses") == 2
        assert await conn.fetchval("SELECT count(*) FROM inbound_messages") == 1


async def test_a_senders_messages_are_handled_in_whatsapps_timestamp_order_not_arrival(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    # WhatsApp does not order its webhooks: the later message may arrive first.
    later = text_envelope(RETAILER, "second", "wamid.t2")
    _texts(later)[0]["timestamp"] = "1700000010"
    earlier = text_envelope(RETAILER, "first", "wamid.t1")
    _texts(earlier)[0]["timestamp"] = "1700000005"
    for env in (later, earlier):
        assert (await quiet_bot.post(env, drain=False))[0] == 200
    workers = ConversationWorkers(runtime, quiet_bot.conversation, WorkerConfig(concurrency=1))
    await workers.start()
    try:
        await drained(runtime.pool, within=10)
    finally:
        await workers.stop()
    async with runtime.pool.acquire() as conn:
        bodies = [r["payload"]["text"]["body"]
                  for r in await conn.fetch("SELECT payload FROM outbox ORDER BY id")]
    assert bodies == ["echo: first", "echo: second"]


async def test_a_message_that_keeps_failing_is_parked_the_sender_told_and_operators_alerted(
    bot: Bot,
) -> None:
    status, _ = await bot.post(text_envelope(RETAILER, "boom", "wamid.poison"))
    assert status == 200
    (row,) = await _inbox(bot.runtime)
    assert row["status"] == "dead"
    assert row["attempts"] == bot.runtime.settings.inbox_max_attempts
    assert "a bug in a flow" in row["last_error"]
    assert await bot.effects() == []
    (reply,) = await bot.outbox()
    assert reply["recipient"] == RETAILER
    assert "something went wrong" in reply["payload"]["text"]["body"]
    async with bot.runtime.pool.acquire() as conn:
        alert = await conn.fetchrow("SELECT kind, details FROM operator_alerts")
    assert alert["kind"] == "dead_letter" and alert["details"]["wamid"] == "wamid.poison"


async def test_a_dead_letter_is_never_retried_and_the_senders_next_message_is_handled(
    bot: Bot,
) -> None:
    await bot.post(text_envelope(RETAILER, "boom", "wamid.poison2"))
    status, body = await bot.post(text_envelope(RETAILER, "boom", "wamid.poison2"))
    assert status == 200 and body["duplicates"] == 1  # a redelivery changes nothing
    await bot.post(text_envelope(RETAILER, "hello", "wamid.after"))
    assert [r["wamid"] for r in await bot.effects()] == ["wamid.after"]
    assert [r["payload"]["text"]["body"] for r in await bot.outbox()][-1] == "echo: hello"
    assert [r["status"] for r in await _inbox(bot.runtime)] == ["dead", "done"]


async def test_a_dead_workers_sender_is_taken_over_after_the_lease(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    assert (await quiet_bot.post(text_envelope(RETAILER, "hi", "wamid.lease"),
                                 drain=False))[0] == 200
    async with runtime.pool.acquire() as conn:
        # A worker claimed the sender and died before handling anything.
        claim = await inbox_store.claim_sender(conn, "dead-worker", 0.3)
    assert claim is not None and claim.sender == RETAILER
    workers = ConversationWorkers(runtime, quiet_bot.conversation,
                                  WorkerConfig(concurrency=1, poll_seconds=0.05))
    await workers.start()
    try:
        await asyncio.sleep(0.1)
        assert await quiet_bot.effects_now() == []  # still held by the dead worker
        await drained(runtime.pool, within=5)
    finally:
        await workers.stop()
    assert [r["wamid"] for r in await quiet_bot.effects_now()] == ["wamid.lease"]


async def test_a_worker_whose_lease_ran_out_commits_nothing_for_the_message(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    assert (await quiet_bot.post(text_envelope(RETAILER, "hi", "wamid.stale"),
                                 drain=False))[0] == 200
    async with runtime.pool.acquire() as conn:
        await inbox_store.claim_sender(conn, "slow-worker", 30)
        # Another worker took the sender over (the lease had run out).
        await conn.execute("UPDATE inbox_senders SET claimed_by = 'new-worker'")
        with pytest.raises(inbox_store.ClaimLost):
            async with conn.transaction():
                await inbox_store.mark_done(conn, "wamid.stale", RETAILER, "slow-worker", 30)
    assert [r["status"] for r in await _inbox(runtime)] == ["pending"]


async def test_a_flooding_sender_delays_another_by_at_most_a_batch(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    flood = text_envelope(RETAILER, "f0", "wamid.fl0")
    _texts(flood).extend(dict(_texts(flood)[0], id=f"wamid.fl{i}", text={"body": f"f{i}"})
                         for i in range(1, 40))
    assert (await quiet_bot.post(flood, drain=False))[0] == 200
    assert (await quiet_bot.post(text_envelope(OTHER, "namaste", "wamid.other"),
                                 drain=False))[0] == 200
    batch = 5
    workers = ConversationWorkers(runtime, quiet_bot.conversation,
                                  WorkerConfig(concurrency=1, batch=batch))
    await workers.start()
    try:
        await drained(runtime.pool, within=20)
    finally:
        await workers.stop()
    async with runtime.pool.acquire() as conn:
        order = [r["recipient"] for r in await conn.fetch(
            "SELECT recipient FROM outbox ORDER BY id")]
    assert order.index(OTHER) <= batch


async def test_two_processes_workers_handle_each_message_once_in_each_senders_order(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    senders = [f"97798000100{i:02d}" for i in range(6)]
    for n in range(10):
        for s in senders:
            env = text_envelope(s, f"m{n}", f"wamid.{s}.{n}")
            _texts(env)[0]["timestamp"] = str(1700000000 + n)
            assert (await quiet_bot.post(env, drain=False))[0] == 200
    one = ConversationWorkers(runtime, EchoConversation(), WorkerConfig(concurrency=3, batch=2))
    two = ConversationWorkers(runtime, EchoConversation(), WorkerConfig(concurrency=3, batch=2))
    await one.start()
    await two.start()
    try:
        await drained(runtime.pool, within=20)
    finally:
        await one.stop()
        await two.stop()
    rows = await quiet_bot.effects_now()
    assert len(rows) == 60 and len({r["wamid"] for r in rows}) == 60
    async with runtime.pool.acquire() as conn:
        out = await conn.fetch("SELECT recipient, payload FROM outbox ORDER BY id")
    for s in senders:
        assert [r["payload"]["text"]["body"] for r in out if r["recipient"] == s] == [
            f"echo: m{n}" for n in range(10)]


async def test_a_senders_flood_past_the_limit_is_refused_with_429_and_not_persisted(
    runtime: Runtime, channel_effects_reset: None,
) -> None:
    b = await start_bot(_without_workers(runtime), sender_rate_limit=2)
    try:
        env = text_envelope(RETAILER, "a", "wamid.l1")
        _texts(env).extend([dict(_texts(env)[0], id="wamid.l2"),
                            dict(_texts(env)[0], id="wamid.l3")])
        status, body = await b.post(env, drain=False)
        assert status == 429 and 1 <= body["retry_after"] <= 60
        assert [r["wamid"] for r in await _inbox(runtime)] == ["wamid.l1", "wamid.l2"]
    finally:
        await b.client.close()


async def test_the_backlog_shows_in_metrics_as_depth_and_oldest_age(
    quiet_bot: Bot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot import metrics_endpoint

    monkeypatch.setattr(metrics_endpoint, "CACHE_SECONDS", 0.0)
    for i in range(3):
        await quiet_bot.post(text_envelope(RETAILER, f"m{i}", f"wamid.b{i}"), drain=False)
    await asyncio.sleep(0.05)
    async with quiet_bot.client.get("/metrics") as resp:
        text = await resp.text()
    lines = dict(line.rsplit(" ", 1) for line in text.splitlines()
                 if line.startswith("khaacho_inbox"))
    assert float(lines['khaacho_inbox_depth{status="pending"}']) == 3
    assert float(lines["khaacho_inbox_oldest_pending_age_seconds"]) > 0


async def test_ready_says_degraded_when_the_oldest_unhandled_message_is_too_old(
    runtime: Runtime, channel_effects_reset: None,
) -> None:
    settings = runtime.settings.model_copy(update={"conversation_workers": 0,
                                                   "inbox_degraded_seconds": 0.05})
    b = await start_bot(Runtime(settings, runtime.pool, runtime.redis, runtime.keys))
    try:
        async with b.client.get("/api/ready") as resp:
            assert resp.status == 200 and (await resp.json())["status"] == "ready"
        await b.post(text_envelope(RETAILER, "hi", "wamid.old"), drain=False)
        await asyncio.sleep(0.1)
        async with b.client.get("/api/ready") as resp:
            body = await resp.json()
        assert resp.status == 200 and body["status"] == "degraded"
        assert body["inbox"]["pending"] == 1
    finally:
        await b.client.close()


async def test_a_batch_of_statuses_never_moves_a_row_backwards(bot: Bot) -> None:
    await _sent_rows(bot.runtime, RETAILER, ["wamid.s1", "wamid.s2"])
    env = text_envelope(RETAILER, "x", "wamid.unused")
    env["entry"][0]["changes"][0]["value"] = {"statuses": [
        {"id": "wamid.s1", "status": "read", "timestamp": "1700000100", "recipient_id": RETAILER},
        {"id": "wamid.s1", "status": "delivered", "timestamp": "1700000090",
         "recipient_id": RETAILER},
        {"id": "wamid.s2", "status": "delivered", "timestamp": "1700000095",
         "recipient_id": RETAILER},
        {"id": "wamid.s1", "status": "sent", "timestamp": "1700000080", "recipient_id": RETAILER}]}
    status, body = await bot.post(env)
    assert status == 200 and body["statuses"] == {"queued": 4}
    async with bot.runtime.pool.acquire() as conn:
        rows = {r["wamid"]: r for r in await conn.fetch(
            "SELECT wamid, status, read_at, delivered_at FROM outbox ORDER BY id")}
        assert await conn.fetchval("SELECT count(*) FROM inbox_statuses") == 0
    assert rows["wamid.s1"]["status"] == "read" and rows["wamid.s1"]["read_at"] is not None
    assert rows["wamid.s1"]["delivered_at"] is not None
    assert rows["wamid.s2"]["status"] == "delivered"


@dataclass
class _HeldConversation(EchoConversation):
    """Echoes, but only once `go` is set: a conversation that takes its time."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    go: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, conn: asyncpg.Connection, message: InboundMessage) -> list[Outgoing]:
        self.started.set()
        await self.go.wait()
        return await super().handle(conn, message)


async def _sent_rows(runtime: Runtime, recipient: str, wamids: list[str]) -> None:
    """Outbox rows already sent to `recipient` as `wamids`, for statuses to land on."""
    async with runtime.pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO outbox (recipient, kind, payload, status, wamid, sent_at) "
            "VALUES ($1, 'text', '{}'::jsonb, 'sent', $2, now())",
            [(recipient, wamid) for wamid in wamids])


def _status_envelope(wamid: str, status: str) -> dict[str, Any]:
    """A webhook carrying only one status, for the message sent to OTHER as `wamid`."""
    env = text_envelope(OTHER, "x", "wamid.unused")
    env["entry"][0]["changes"][0]["value"] = {"statuses": [
        {"id": wamid, "status": status, "timestamp": "1700000090", "recipient_id": OTHER}]}
    return env


async def _outbox_status_becomes(runtime: Runtime, wamid: str, status: str) -> None:
    """Wait (up to 5 s) until the outbox row sent as `wamid` has `status`."""

    async def reached() -> bool:
        async with runtime.pool.acquire() as conn:
            return bool(await conn.fetchval(
                "SELECT status = $2 FROM outbox WHERE wamid = $1", wamid, status))

    await wait_until(reached, timeout=5, interval=0.02)


async def test_statuses_are_applied_while_every_conversation_loop_is_busy(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    await _sent_rows(runtime, OTHER, ["wamid.busy-out"])
    slow = _HeldConversation()
    workers = ConversationWorkers(runtime, slow, WorkerConfig(concurrency=1, poll_seconds=0.05))
    await workers.start()
    try:
        assert (await quiet_bot.post(text_envelope(RETAILER, "hi", "wamid.busy-in"),
                                     drain=False))[0] == 200
        await asyncio.wait_for(slow.started.wait(), 5)
        assert (await quiet_bot.post(_status_envelope("wamid.busy-out", "delivered"),
                                     drain=False))[0] == 200
        await _outbox_status_becomes(runtime, "wamid.busy-out", "delivered")
        assert not slow.go.is_set()  # the only loop was still inside the message
    finally:
        slow.go.set()
        await drained(runtime.pool, within=5)
        await workers.stop()
    assert [r["wamid"] for r in await quiet_bot.effects_now()] == ["wamid.busy-in"]


async def _sender_row(runtime: Runtime, sender: str) -> asyncpg.Record:
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT claimed_by, ready_at FROM inbox_senders WHERE sender = $1", sender)
    assert row is not None
    return row


async def _claim_and_finish_first(runtime: Runtime, *, limit: int,
                                  meanwhile: dict[str, Any] | None = None,
                                  quiet_bot: Bot) -> None:
    """Claim RETAILER, then handle their first message with the claim-ending statement."""
    async with runtime.pool.acquire() as conn:
        claimed = await inbox_store.claim_with_pending(conn, "w1", 30, limit)
        assert claimed is not None
        claim, items = claimed
        if meanwhile is not None:
            assert (await quiet_bot.post(meanwhile, drain=False))[0] == 200
        async with conn.transaction():
            await inbox_store.mark_done_and_release(conn, items[0].wamid, claim, "w1")


async def test_a_claims_last_message_ends_the_claim_and_leaves_an_idle_sender_idle(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    assert (await quiet_bot.post(text_envelope(RETAILER, "hi", "wamid.r1"), drain=False))[0] == 200
    await _claim_and_finish_first(runtime, limit=8, quiet_bot=quiet_bot)
    row = await _sender_row(runtime, RETAILER)
    assert row["claimed_by"] is None and row["ready_at"] is None
    assert [r["status"] for r in await _inbox(runtime)] == ["done"]


async def test_a_message_persisted_during_the_claim_leaves_the_sender_ready(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    assert (await quiet_bot.post(text_envelope(RETAILER, "hi", "wamid.r2"), drain=False))[0] == 200
    await _claim_and_finish_first(runtime, limit=8, quiet_bot=quiet_bot,
                                  meanwhile=text_envelope(RETAILER, "more", "wamid.r3"))
    row = await _sender_row(runtime, RETAILER)
    assert row["claimed_by"] is None and row["ready_at"] is not None


async def test_messages_left_out_of_a_claims_batch_leave_the_sender_ready(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    for i in (4, 5):
        assert (await quiet_bot.post(text_envelope(RETAILER, f"m{i}", f"wamid.r{i}"),
                                     drain=False))[0] == 200
    await _claim_and_finish_first(runtime, limit=1, quiet_bot=quiet_bot)
    row = await _sender_row(runtime, RETAILER)
    assert row["claimed_by"] is None and row["ready_at"] is not None


# ---------------------------------------------------------------- who a NOTIFY wakes


class _CountedWorkers(ConversationWorkers):
    """Workers that count their loops' claims, and the claims that found nobody."""

    claims = 0
    empty = 0

    async def serve_one(self, worker: str) -> bool:
        self.claims += 1
        found = await super().serve_one(worker)
        self.empty += not found
        return found


async def _counted_workers(runtime: Runtime) -> _CountedWorkers:
    # Polling slower than the test: only NOTIFYs wake a loop in time.
    workers = _CountedWorkers(runtime, EchoConversation(),
                              WorkerConfig(concurrency=4, poll_seconds=60))
    await workers.start()
    # Every loop looks once when LISTEN connects.
    await wait_until(lambda: workers.claims >= 4, timeout=5)
    await asyncio.sleep(0.2)
    return workers


async def test_a_notify_says_how_many_senders_got_messages_and_how_many_statuses_came(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    heard: asyncio.Queue[str] = asyncio.Queue()

    def hear(_conn: object, _pid: int, _channel: str, payload: str) -> None:
        heard.put_nowait(payload)

    async with runtime.pool.acquire() as conn:
        await conn.add_listener(inbox_store.NOTIFY_CHANNEL, hear)
        try:
            env = text_envelope(RETAILER, "hi", "wamid.n1")
            env["entry"][0]["changes"][0]["value"]["statuses"] = [
                {"id": "wamid.o1", "status": "delivered", "recipient_id": RETAILER},
                {"id": "wamid.o2", "status": "read", "recipient_id": RETAILER}]
            assert (await quiet_bot.post(env, drain=False))[0] == 200
            said = await asyncio.wait_for(heard.get(), 5)
        finally:
            await conn.remove_listener(inbox_store.NOTIFY_CHANNEL, hear)
    assert inbox_store.arrival_of(said) == inbox_store.Arrival(senders=1, statuses=2)


async def test_a_status_webhook_wakes_the_status_task_and_no_conversation_loop(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    await _sent_rows(runtime, OTHER, ["wamid.quiet-out"])
    workers = await _counted_workers(runtime)
    try:
        before = workers.claims
        assert (await quiet_bot.post(_status_envelope("wamid.quiet-out", "delivered"),
                                     drain=False))[0] == 200
        await _outbox_status_becomes(runtime, "wamid.quiet-out", "delivered")
        await asyncio.sleep(0.2)
        assert workers.claims == before
    finally:
        await workers.stop()


async def test_a_message_from_one_sender_wakes_one_conversation_loop(
    runtime: Runtime, quiet_bot: Bot,
) -> None:
    workers = await _counted_workers(runtime)
    try:
        empty_before = workers.empty
        assert (await quiet_bot.post(text_envelope(RETAILER, "hi", "wamid.one-loop"),
                                     drain=False))[0] == 200
        await drained(runtime.pool, within=5)
        await asyncio.sleep(0.2)
        # The loop that handled the message looks once more and finds nobody; the
        # other three were never woken.
        assert workers.empty - empty_before <= 1
    finally:
        await workers.stop()
    assert [r["wamid"] for r in await quiet_bot.effects_now()] == ["wamid.one-loop"]


async def test_statuses_arriving_close_together_are_applied_in_one_batch(
    runtime: Runtime, quiet_bot: Bot, monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _sent_rows(runtime, OTHER, [f"wamid.g{i}" for i in range(3)])
    batches: list[int] = []
    take = inbox_store.take_statuses

    async def counted(conn: asyncpg.Connection, limit: int) -> list[inbox_store.TakenStatus]:
        taken = await take(conn, limit)
        batches.append(len(taken))
        return taken

    monkeypatch.setattr(inbox_store, "take_statuses", counted)
    workers = ConversationWorkers(runtime, EchoConversation(), WorkerConfig(
        concurrency=1, poll_seconds=60, status_gather_seconds=1.0))
    await workers.start()
    try:
        await asyncio.sleep(0.5)  # past the look every loop takes when LISTEN connects
        batches.clear()
        for i in range(3):
            assert (await quiet_bot.post(_status_envelope(f"wamid.g{i}", "delivered"),
                                         drain=False))[0] == 200
        await drained(runtime.pool, within=5)
    finally:
        await workers.stop()
    assert batches == [3]
