"""The outbox dispatcher against the Cloud API simulator over real HTTP."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import aiohttp
import pytest

from bot.metrics import SENDS_PACED
from bot.runtime import Runtime
from bot.store import outbox as outbox_store
from flows.replies import Outgoing, Template, Text
from tests.channel.conftest import Bot, RunningSimulator, start_bot, text_envelope
from tests.channel.dispatch import FAST, enqueue, running, statuses, wait_until

A, B = "9779800000001", "9779800000002"


async def _attempts(runtime: Runtime, row_id: int) -> list[str]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT outcome FROM outbox_attempts WHERE outbox_id = $1 ORDER BY id", row_id)
    return [r["outcome"] for r in rows]


async def test_a_reply_leaves_within_milliseconds_of_its_commit(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    config = dataclasses.replace(FAST, idle_poll=30.0)  # only NOTIFY can wake it in time
    async with running(runtime, http, simulator.api_url, config):
        await asyncio.sleep(0.3)  # let it reach its idle wait
        latencies = []
        for i in range(5):
            started = time.monotonic()
            await enqueue(runtime, [Outgoing(A, Text(f"reply {i}"))])
            await wait_until(lambda i=i: len(simulator.sim.sent) == i + 1, timeout=5,
                             interval=0.001)
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.05)
    print(f"commit-to-API latency ms: {[round(x * 1000, 1) for x in latencies]}")
    assert max(latencies) < 0.5


async def test_a_claim_that_took_everything_due_is_not_repeated_at_once(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claims: list[int] = []
    claim = outbox_store.claim

    async def counted(*args: object, **kwargs: object) -> list[outbox_store.OutboxRow]:
        rows = await claim(*args, **kwargs)  # type: ignore[arg-type]
        claims.append(len(rows))
        return rows

    monkeypatch.setattr(outbox_store, "claim", counted)
    config = dataclasses.replace(FAST, idle_poll=30.0)
    async with running(runtime, http, simulator.api_url, config):
        await asyncio.sleep(0.3)
        claims.clear()
        await enqueue(runtime, [Outgoing(A, Text("one reply"))])
        await wait_until(lambda: statuses(runtime), timeout=5)
        await asyncio.sleep(0.3)
    # The NOTIFY's claim takes the row; the finished send's wake looks once more.
    # Asking again straight after the first claim would make it three.
    assert claims == [1, 0]


async def test_the_returned_message_id_and_the_attempt_are_recorded(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    async with running(runtime, http, simulator.api_url):
        (row_id,) = await enqueue(runtime, [Outgoing(A, Text("namaste"))])
        await wait_until(lambda: len(simulator.sim.sent) == 1)
        await wait_until(lambda: statuses(runtime), timeout=5)
        await asyncio.sleep(0.1)
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM outbox WHERE id = $1", row_id)
    assert row["wamid"] == simulator.sim.sent[0].wamid
    assert row["status"] == "sent" and row["attempts"] == 1
    assert await _attempts(runtime, row_id) == ["sent"]


async def test_status_webhooks_from_the_api_mark_replies_delivered(
    runtime: Runtime, bot: Bot, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.webhook_url = bot.webhook_url
    async with running(runtime, http, simulator.api_url):
        assert (await bot.post(text_envelope(A, "hello", "wamid.in1")))[0] == 200

        async def delivered() -> bool:
            return list((await statuses(runtime)).values()) == ["delivered"]

        await wait_until(delivered, timeout=10)
    assert [m.text for m in simulator.sim.sent] == ["echo: hello"]


async def test_a_delivered_after_read_does_not_move_the_row_back(runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE outbox SET status = 'sent', wamid = 'wamid.R' WHERE id = $1",
                           row_id)
        from bot.whatsapp.updates import StatusUpdate
        for status in ("read", "delivered", "sent", "failed"):
            await outbox_store.apply_status(conn, StatusUpdate(
                id="wamid.R", status=status, timestamp="1700000000", errors=[
                    {"code": 131026, "title": "undeliverable"}] if status == "failed" else []))
        row = await conn.fetchrow("SELECT * FROM outbox WHERE id = $1", row_id)
    assert row["status"] == "read"
    assert row["delivered_at"] is not None and row["read_at"] is not None
    assert row["failed_at"] is None


async def test_a_status_that_arrives_before_the_api_answer_is_applied_later(
    runtime: Runtime,
) -> None:
    from bot.whatsapp.updates import StatusUpdate
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        early = await outbox_store.apply_status(
            conn, StatusUpdate(id="wamid.E", status="delivered", timestamp="1700000000"))
        (row,) = await outbox_store.claim(conn, "t", 10, 30)
        await outbox_store.record_sent(conn, row, "t", "wamid.E", http_status=200,
                                       duration_ms=3)
        status = await conn.fetchval("SELECT status FROM outbox WHERE id = $1", row_id)
    assert early == "early" and status == "delivered"


async def test_a_failed_status_records_code_and_title(runtime: Runtime) -> None:
    from bot.whatsapp.updates import StatusUpdate
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE outbox SET status = 'sent', wamid = 'wamid.F' WHERE id = $1",
                           row_id)
        await outbox_store.apply_status(conn, StatusUpdate(
            id="wamid.F", status="failed", errors=[{"code": 131026,
                                                    "title": "Message Undeliverable"}]))
        row = await conn.fetchrow("SELECT * FROM outbox WHERE id = $1", row_id)
    assert (row["status"], row["error_code"], row["last_error"]) == (
        "failed", 131026, "Message Undeliverable")


@pytest.mark.slow
async def test_every_reply_is_delivered_once_after_the_api_fails_for_30_seconds(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    config = dataclasses.replace(FAST, base_delay=0.5, max_delay=4.0, max_attempts=30)
    simulator.sim.fail("http500", seconds=30)
    started = time.monotonic()
    async with running(runtime, http, simulator.api_url, config, count=2):
        wanted = [Outgoing(f"97798000001{i:02d}", Text(f"reply {i}")) for i in range(20)]
        await enqueue(runtime, wanted)

        async def all_sent() -> bool:
            return set((await statuses(runtime)).values()) == {"sent"}

        await wait_until(all_sent, timeout=60, interval=0.2)
    elapsed = time.monotonic() - started
    texts = sorted(m.text or "" for m in simulator.sim.sent)
    assert texts == sorted(f"reply {i}" for i in range(20))  # each exactly once
    assert elapsed >= 30
    print(f"30 s outage: all 20 delivered once after {elapsed:.1f}s, "
          f"{simulator.sim.requests} API requests")


@pytest.mark.slow
async def test_the_token_bucket_holds_a_500_message_burst_under_the_rate(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    rate = 100
    simulator.sim.mps = rate  # the simulator answers 130429 above it, like Meta
    config = dataclasses.replace(FAST, max_mps=rate, concurrency=64)
    await enqueue(runtime, [Outgoing(f"97798{i:08d}", Text(f"m{i}")) for i in range(500)])
    started = time.monotonic()
    async with running(runtime, http, simulator.api_url, config, count=3):
        await wait_until(lambda: len(simulator.sim.sent) == 500, timeout=30, interval=0.05)
    elapsed = time.monotonic() - started
    times = sorted(m.at for m in simulator.sim.sent)
    worst = max(sum(1 for t in times[i:i + rate + 1] if t - times[i] < 1.0)
                for i in range(len(times)))
    print(f"500 burst at {rate}/s: {elapsed:.2f}s, busiest 1 s window {worst}, "
          f"{simulator.sim.requests - 500} refused requests")
    assert worst <= rate
    assert simulator.sim.requests == 500  # not one 130429
    assert elapsed >= 500 / rate - 1.5


async def test_outside_the_window_the_template_fallback_is_sent_sync_error(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.window_errors = "sync"
    simulator.sim.close_window(A)
    fallback = Template("order_update", "en", ("1042",))
    async with running(runtime, http, simulator.api_url):
        (row_id,) = await enqueue(runtime, [Outgoing(A, Text("Your order shipped"), fallback)])
        await wait_until(lambda: len(simulator.sim.sent) == 1)
        await asyncio.sleep(0.1)
    (sent,) = simulator.sim.sent
    assert sent.type == "template" and sent.payload["template"]["name"] == "order_update"
    assert await _attempts(runtime, row_id) == ["fallback", "sent"]


async def test_outside_the_window_the_template_fallback_is_sent_on_failed_status(
    runtime: Runtime, bot: Bot, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    """Meta usually accepts the message and reports 131047 in a `failed` status webhook."""
    simulator.sim.webhook_url = bot.webhook_url
    simulator.sim.close_window(B)
    async with running(runtime, http, simulator.api_url):
        (row_id,) = await enqueue(runtime, [Outgoing(B, Text("Payment due"),
                                                      Template("payment_due", "en"))])
        await wait_until(lambda: [m.type for m in simulator.sim.sent] == ["text", "template"],
                         timeout=10)
        await wait_until(lambda: statuses(runtime), timeout=5)

        async def delivered() -> bool:
            return (await statuses(runtime))[row_id] == "delivered"

        await wait_until(delivered, timeout=10)
    assert await _attempts(runtime, row_id) == ["sent", "fallback", "sent"]


async def test_131047_without_a_fallback_fails_without_retrying(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.window_errors = "sync"
    simulator.sim.close_window(A)
    async with running(runtime, http, simulator.api_url):
        (row_id,) = await enqueue(runtime, [Outgoing(A, Text("hi"))])

        async def failed() -> bool:
            return (await statuses(runtime)).get(row_id) == "failed"

        await wait_until(failed)
    assert simulator.sim.requests == 1


@pytest.mark.parametrize("code", [131026, 100, 132001, 190, 368, 131051])
async def test_permanent_errors_are_never_retried(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession, code: int
) -> None:
    simulator.sim.fail("error", code=code)
    async with running(runtime, http, simulator.api_url):
        (row_id,) = await enqueue(runtime, [Outgoing(A, Text("hi"))])

        async def failed() -> bool:
            return (await statuses(runtime)).get(row_id) == "failed"

        await wait_until(failed)
        await asyncio.sleep(0.3)
    assert simulator.sim.requests == 1
    assert await _attempts(runtime, row_id) == ["permanent"]


@pytest.mark.parametrize("code", [130429, 131056, 131000, 131016, 1, 2])
async def test_retryable_errors_are_retried_until_sent(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession, code: int
) -> None:
    simulator.sim.fail("error", code=code, count=2)
    async with running(runtime, http, simulator.api_url):
        (row_id,) = await enqueue(runtime, [Outgoing(A, Text("hi"))])
        await wait_until(lambda: len(simulator.sim.sent) == 1)
        await asyncio.sleep(0.1)
    assert await _attempts(runtime, row_id) == ["retry", "retry", "sent"]


async def test_exhausted_rows_become_dead_letters_an_operator_can_retry(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    config = dataclasses.replace(FAST, max_attempts=3)
    simulator.sim.fail("http500")
    async with running(runtime, http, simulator.api_url, config):
        (row_id,) = await enqueue(runtime, [Outgoing(A, Text("hi"))])

        async def dead() -> bool:
            return (await statuses(runtime)).get(row_id) == "dead"

        await wait_until(dead)
        async with runtime.pool.acquire() as conn:
            listed = await outbox_store.list_rows(conn)
        assert [r["id"] for r in listed] == [row_id] and listed[0]["attempts"] == 3
        simulator.sim.heal()
        async with runtime.pool.acquire() as conn:
            assert await outbox_store.retry(conn, [row_id]) == 1
        await wait_until(lambda: len(simulator.sim.sent) == 1)


async def test_timeouts_are_retried(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.fail("slow", delay=1.0, count=1)
    async with running(runtime, http, simulator.api_url, timeout=0.3):
        (row_id,) = await enqueue(runtime, [Outgoing(B, Text("hi"))])

        async def sent() -> bool:
            return (await statuses(runtime)).get(row_id) == "sent"

        await wait_until(sent)
    assert (await _attempts(runtime, row_id))[0] == "retry"


async def test_a_recipients_messages_keep_their_order_through_retries(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.fail("error", code=131000, count=3, to=A)
    async with running(runtime, http, simulator.api_url, count=3):
        await enqueue(runtime, [Outgoing(A, Text(f"a{i}")) for i in range(6)]
                      + [Outgoing(B, Text(f"b{i}")) for i in range(6)])
        await wait_until(lambda: len(simulator.sim.sent) == 12)
    assert [m.text for m in simulator.sim.sent_to(A)] == [f"a{i}" for i in range(6)]
    assert [m.text for m in simulator.sim.sent_to(B)] == [f"b{i}" for i in range(6)]


async def test_replies_to_one_user_are_spaced_after_a_burst(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    config = dataclasses.replace(FAST, pair_burst=2, pair_interval=0.5)
    async with running(runtime, http, simulator.api_url, config):
        await enqueue(runtime, [Outgoing(A, Text(f"a{i}")) for i in range(4)])
        await wait_until(lambda: len(simulator.sim.sent) == 4, timeout=10)
    times = [m.at for m in simulator.sim.sent]
    assert times[1] - times[0] < 0.3
    assert times[2] - times[1] >= 0.4 and times[3] - times[2] >= 0.4
    async with runtime.pool.acquire() as conn:
        attempts = await conn.fetchval("SELECT max(attempts) FROM outbox")
    assert attempts == 1  # spacing is not an attempt


async def test_replies_held_back_by_pacing_are_counted_for_operators(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    config = dataclasses.replace(FAST, pair_burst=1, pair_interval=0.3)
    before = SENDS_PACED.value()
    async with running(runtime, http, simulator.api_url, config):
        await enqueue(runtime, [Outgoing(A, Text(f"a{i}")) for i in range(3)])
        await wait_until(lambda: len(simulator.sim.sent) == 3, timeout=10)
    assert SENDS_PACED.value() - before >= 2  # the second and third waited their turn


async def test_a_dispatcher_killed_mid_send_loses_nothing(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    await enqueue(runtime, [Outgoing(A, Text("one")), Outgoing(B, Text("two"))])
    async with runtime.pool.acquire() as conn:
        # A dispatcher claims both rows, then dies before sending anything.
        assert len(await outbox_store.claim(conn, "killed", 10, 1.0)) == 2
    async with running(runtime, http, simulator.api_url):
        await asyncio.sleep(0.5)
        assert simulator.sim.sent == []  # the lease still holds
        await wait_until(lambda: len(simulator.sim.sent) == 2, timeout=5)
    assert sorted(m.text or "" for m in simulator.sim.sent) == ["one", "two"]


async def test_several_dispatchers_send_each_row_exactly_once(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    async with running(runtime, http, simulator.api_url, count=4):
        await enqueue(runtime, [Outgoing(f"97798{i % 40:08d}", Text(f"m{i}"))
                                for i in range(300)])
        await wait_until(lambda: len(simulator.sim.sent) == 300, timeout=30)
        await asyncio.sleep(0.3)
    texts = [m.text for m in simulator.sim.sent]
    assert len(set(texts)) == 300 == len(texts)


async def test_a_webhook_reply_reaches_the_api_end_to_end(
    runtime: Runtime, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    bot = await start_bot(runtime)
    try:
        async with runtime.pool.acquire() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS channel_effects (wamid text, sender text, body text)")
        simulator.sim.webhook_url = bot.webhook_url
        async with running(runtime, http, simulator.api_url):
            await simulator.sim.inbound_text(A, "dai 2 bora chamal")
            await wait_until(lambda: len(simulator.sim.sent) == 1)
        assert simulator.sim.sent[0].text == "echo: dai 2 bora chamal"
    finally:
        await bot.client.close()


async def test_early_statuses_that_never_find_their_row_are_purged(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO outbox_early_statuses (wamid, status, received_at) VALUES "
            "('wamid.old', 'read', now() - interval '2 days'), ('wamid.new', 'read', now())")
        assert await outbox_store.purge_early_statuses(conn) == 1
        assert await conn.fetchval("SELECT wamid FROM outbox_early_statuses") == "wamid.new"
