"""vendor-timeouts and recovery: each kind of leftover put right, and logged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.runtime import Runtime
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

NOW = b.ktm(2026, 3, 8, 12, 0)


async def _pending(runtime: Runtime, deadline_ago: timedelta) -> dict:
    """An order offered to v1 whose answer was due `deadline_ago`; v2 could take it."""
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn)
        v1 = await b.vendor(conn, name="Slow Vendor")
        v2 = await b.vendor(conn, name="Next Vendor")
        p = await b.product(conn, "dal")
        await b.price(conn, v1["id"], p, "150")
        await b.price(conn, v2["id"], p, "155")
        o = await b.order(conn, r["id"], v1["id"], NOW - timedelta(minutes=30),
                          [(p, "10", "150")], status="pending")
        deadline = NOW - deadline_ago
        await conn.execute("UPDATE orders SET accept_deadline = $2 WHERE id = $1", o["id"],
                           deadline)
        await conn.execute(
            "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline) "
            "VALUES ($1, $2, $3, $4)", o["id"], v1["id"], deadline - timedelta(minutes=15),
            deadline)
        return {"order": o, "v1": v1, "v2": v2, "retailer": r}


async def test_vendor_timeouts_reroutes_an_unanswered_order(runtime: Runtime, run: RunJob) -> None:
    data = await _pending(runtime, timedelta(minutes=1))
    result = await run("vendor-timeouts", NOW)
    assert result.counts == {"rerouted": 1}
    async with runtime.pool.acquire() as conn:
        order = await conn.fetchrow("SELECT status, vendor_id FROM orders WHERE id = $1",
                                    data["order"]["id"])
        offers = await conn.fetch("SELECT vendor_id, outcome FROM order_offers ORDER BY id")
        recipients = {r["recipient"] for r in await b.outbox(conn)}
    assert (order["status"], order["vendor_id"]) == ("pending", data["v2"]["id"])
    assert [(o["vendor_id"], o["outcome"]) for o in offers] == [
        (data["v1"]["id"], "timed_out"), (data["v2"]["id"], None)]
    assert data["v2"]["phone"] in recipients
    again = await run("vendor-timeouts", NOW)
    assert again.counts == {"rerouted": 0}


async def test_recovery_leaves_a_fresh_time_out_to_vendor_timeouts(
    runtime: Runtime, run: RunJob
) -> None:
    await _pending(runtime, timedelta(minutes=2))
    result = await run("recovery", NOW)
    assert "orders_rerouted" not in result.counts


async def test_recovery_reroutes_an_order_stuck_past_its_deadline(
    runtime: Runtime, run: RunJob, caplog: pytest.LogCaptureFixture
) -> None:
    data = await _pending(runtime, timedelta(minutes=20))
    with caplog.at_level(logging.WARNING, logger="jobs.recovery"):
        result = await run("recovery", NOW)
    assert result.counts["orders_rerouted"] == 1
    assert any(f"order #{data['order']['number']} stuck" in r.getMessage()
               for r in caplog.records)
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT vendor_id FROM orders WHERE id = $1",
                                   data["order"]["id"]) == data["v2"]["id"]


async def test_recovery_closes_an_offer_left_open_on_an_order_that_moved_on(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn)
        v = await b.vendor(conn)
        other = await b.vendor(conn)
        p = await b.product(conn, "salt")
        o = await b.order(conn, r["id"], v["id"], NOW - timedelta(hours=2), [(p, "1", "20")],
                          status="accepted")
        for vid in (v["id"], other["id"]):
            await conn.execute(
                "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline) "
                "VALUES ($1, $2, $3, $3)", o["id"], vid, NOW - timedelta(hours=2))
    result = await run("recovery", NOW)
    assert result.counts["offers_closed"] == 2
    async with runtime.pool.acquire() as conn:
        outcomes = {r["vendor_id"]: r["outcome"] for r in await conn.fetch(
            "SELECT vendor_id, outcome FROM order_offers")}
    assert outcomes == {v["id"]: "accepted", other["id"]: "cancelled"}


async def test_recovery_releases_outbox_rows_claimed_by_a_dead_dispatcher(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        dead = await conn.fetchval(
            "INSERT INTO outbox (recipient, kind, payload, status, claimed_by, claimed_until) "
            "VALUES ('9779801', 'text', '{}', 'sending', 'dispatcher-dead', "
            "now() - interval '1 minute') RETURNING id")
        alive = await conn.fetchval(
            "INSERT INTO outbox (recipient, kind, payload, status, claimed_by, claimed_until) "
            "VALUES ('9779802', 'text', '{}', 'sending', 'dispatcher-alive', "
            "now() + interval '1 minute') RETURNING id")
    result = await run("recovery", NOW)
    assert result.counts["outbox_released"] == 1
    async with runtime.pool.acquire() as conn:
        rows = {r["id"]: (r["status"], r["claimed_by"]) for r in await conn.fetch(
            "SELECT id, status, claimed_by FROM outbox")}
    assert rows == {dead: ("pending", None), alive: ("sending", "dispatcher-alive")}


async def test_recovery_marks_runs_of_a_dead_worker_interrupted(
    runtime: Runtime, run: RunJob
) -> None:
    async with runtime.pool.acquire() as conn:
        stale = await conn.fetchval(
            "INSERT INTO job_runs (job, as_of, started_at) VALUES ('analytics', now(), "
            "now() - interval '10 minutes') RETURNING id")
    result = await run("recovery", NOW)
    assert result.counts["runs_interrupted"] == 1
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT outcome, finished_at FROM job_runs WHERE id = $1",
                                  stale)
    assert row["outcome"] == "interrupted"
    assert row["finished_at"] is not None


async def test_recovery_leaves_the_run_of_a_live_worker_alone(
    runtime: Runtime, run: RunJob
) -> None:
    from jobs.runner import get_job

    async with runtime.pool.acquire() as conn:
        running = await conn.fetchval(
            "INSERT INTO job_runs (job, as_of, started_at) VALUES ('analytics', now(), "
            "now() - interval '10 minutes') RETURNING id")
        async with runtime.pool.acquire() as holder:
            await holder.execute("SELECT pg_advisory_lock($1)", get_job("analytics").lock_key)
            try:
                await run("recovery", NOW)
            finally:
                await holder.execute("SELECT pg_advisory_unlock_all()")
        assert await conn.fetchval("SELECT outcome FROM job_runs WHERE id = $1", running) is None


async def test_recovery_deletes_a_sender_lock_without_a_lease(
    runtime: Runtime, run: RunJob
) -> None:
    leaked, held = runtime.keys.lock("9779811"), runtime.keys.lock("9779812")
    await runtime.redis.set(leaked, b"token-a")
    await runtime.redis.set(held, b"token-b", px=30_000)
    result = await run("recovery", NOW)
    assert result.counts["locks_released"] == 1
    assert await runtime.redis.exists(leaked) == 0
    assert await runtime.redis.get(held) == b"token-b"
