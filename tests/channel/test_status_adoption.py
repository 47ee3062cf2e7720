"""A status webhook names its outbox row, so a send the dispatcher never recorded is not repeated.

Each send carries `biz_opaque_callback_data` = `outbox:<row id>`, which the
Cloud API echoes in its status webhooks.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.runtime import Runtime
from bot.store import outbox as outbox_store
from bot.whatsapp.updates import StatusUpdate
from flows.replies import Outgoing, Template, Text
from tests.channel.conftest import Bot, RunningSimulator
from tests.channel.dispatch import enqueue, running, statuses, wait_until

A = "9779800000001"


def _status(wamid: str, status: str, row_id: int | None) -> StatusUpdate:
    return StatusUpdate(id=wamid, status=status, timestamp="1700000000",
                        biz_opaque_callback_data=None if row_id is None else f"outbox:{row_id}")


async def test_a_status_naming_a_claimed_row_marks_it_sent_with_the_message_id(
        runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        await outbox_store.claim(conn, "died-mid-send", 10, 0.1)
        outcome = await outbox_store.apply_status(conn, _status("wamid.X", "sent", row_id))
        row = await conn.fetchrow("SELECT status, wamid, attempts FROM outbox WHERE id = $1",
                                  row_id)
    assert outcome == "applied"
    assert dict(row) == {"status": "sent", "wamid": "wamid.X", "attempts": 1}


async def test_an_adopted_row_is_not_claimed_again_when_its_lease_ends(
        runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        await outbox_store.claim(conn, "died-mid-send", 10, 0.05)
        await outbox_store.apply_status(conn, _status("wamid.X", "delivered", row_id))
        await asyncio.sleep(0.1)
        assert await outbox_store.claim(conn, "next", 10, 30) == []
        assert await conn.fetchval("SELECT status FROM outbox WHERE id = $1", row_id) == \
            "delivered"


async def test_the_late_api_answer_does_not_move_an_adopted_row_back(runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        (row,) = await outbox_store.claim(conn, "slow", 10, 30)
        await outbox_store.apply_status(conn, _status("wamid.X", "delivered", row_id))
        await outbox_store.record_sent(conn, row, "slow", "wamid.X", http_status=200,
                                       duration_ms=5)
        state = await conn.fetchrow("SELECT status, attempts FROM outbox WHERE id = $1", row_id)
    assert dict(state) == {"status": "delivered", "attempts": 1}


async def test_a_timed_out_send_the_api_accepted_is_not_retried(runtime: Runtime) -> None:
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with runtime.pool.acquire() as conn:
        (row,) = await outbox_store.claim(conn, "impatient", 10, 30)
        await outbox_store.apply_status(conn, _status("wamid.X", "sent", row_id))
        dead = await outbox_store.record_retry(
            conn, row, "impatient", delay=0, max_attempts=5, http_status=None, code=None,
            title="timeout", duration_ms=300)
        assert await outbox_store.claim(conn, "next", 10, 30) == []
        status = await conn.fetchval("SELECT status FROM outbox WHERE id = $1", row_id)
    assert (dead, status) == (False, "sent")


async def test_a_status_with_foreign_callback_data_is_kept_for_later(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        outcome = await outbox_store.apply_status(
            conn, StatusUpdate(id="wamid.Y", status="sent", biz_opaque_callback_data="crm:77"))
    assert outcome == "early"


async def test_the_simulator_echoes_the_callback_data_and_the_bot_adopts_the_row(
    runtime: Runtime, bot: Bot, simulator: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    simulator.sim.webhook_url = bot.webhook_url
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("x"))])
    async with running(runtime, http, simulator.api_url):
        async def delivered() -> bool:
            return (await statuses(runtime)).get(row_id) == "delivered"

        await wait_until(delivered, timeout=10)
    (sent,) = simulator.sim.sent
    assert sent.payload["biz_opaque_callback_data"] == f"outbox:{row_id}"


@pytest.mark.parametrize("junk", ["outbox:²", "outbox:١٢", "outbox:", "outbox:-1", "outbox:1 ",
                                  "outbox:" + "9" * 19, "other:12"])
def test_a_callback_that_names_no_row_id_is_ignored_not_crashed_on(junk: str) -> None:
    assert outbox_store.row_of_callback(junk) is None
    assert outbox_store.row_of_callback("outbox:42") == 42


async def test_a_redelivered_131047_failure_does_not_mark_the_switched_template_sent(
        runtime: Runtime) -> None:
    """WhatsApp redelivers webhooks: the failed text's id must not be adopted by its template."""
    (row_id,) = await enqueue(runtime, [Outgoing(A, Text("Payment due"),
                                                 Template("payment_due", "en"))])
    failed = StatusUpdate(id="wamid.TEXT", status="failed", timestamp="1700000000",
                          biz_opaque_callback_data=f"outbox:{row_id}",
                          errors=[{"code": 131047, "title": "Re-engagement message"}])
    async with runtime.pool.acquire() as conn:
        (row,) = await outbox_store.claim(conn, "d", 10, 30)
        await outbox_store.record_sent(conn, row, "d", "wamid.TEXT", http_status=200,
                                       duration_ms=5)
        assert await outbox_store.apply_status(conn, failed) == "fallback"
        await outbox_store.apply_status(conn, failed)
        state = await conn.fetchrow("SELECT status, wamid, kind FROM outbox WHERE id = $1",
                                    row_id)
    assert dict(state) == {"status": "pending", "wamid": None, "kind": "template"}
