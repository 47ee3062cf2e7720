"""The retention job purges what is not a money record, in bounded batches (issue 19)."""

from __future__ import annotations

import datetime as dt

from bot.runtime import Runtime
from jobs import retention
from jobs.job import JobContext
from jobs.runner import registry
from tests.ops.helpers import seed_basic

NOW = dt.datetime(2026, 12, 2, 3, 20, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=400)
RECENT = NOW - dt.timedelta(days=2)


def _ctx(runtime: Runtime, **settings: object) -> JobContext:
    rt = Runtime(runtime.settings.model_copy(update=settings), runtime.pool, runtime.redis,
                 runtime.keys)
    return JobContext(rt)


async def _seed_old_and_recent(runtime: Runtime) -> dict[str, int]:
    ids = await seed_basic(runtime)
    async with runtime.pool.acquire() as conn, conn.transaction():
        for when, tag in ((OLD, "old"), (RECENT, "new")):
            await conn.execute("INSERT INTO inbound_messages (wamid, sender, type, received_at) "
                               "VALUES ($1, '9812345123', 'text', $2)", f"wamid.{tag}", when)
            out = await conn.fetchval(
                "INSERT INTO outbox (recipient, kind, payload, status, created_at) "
                "VALUES ('9812345123', 'text', '{}'::jsonb, 'delivered', $1) RETURNING id", when)
            await conn.execute("INSERT INTO outbox_attempts (outbox_id, at, dispatcher, outcome) "
                               "VALUES ($1, $2, 'd1', 'sent')", out, when)
            await conn.execute("INSERT INTO session_archive (phone, state, data, archived_at) "
                               "VALUES ('9812345123', 'idle', '{}'::jsonb, $1)", when)
            for action in ("session.reset", "payment.record", "order.cancel"):
                await conn.execute("INSERT INTO audit_log (at, actor, action) "
                                   "VALUES ($1, 'admin:sita', $2)", when, action)
            await conn.execute("INSERT INTO job_runs (job, started_at, finished_at, as_of, "
                               "outcome) VALUES ('analytics', $1, $1, $1, 'ok')", when)
        # The seeded order and its dead outbox row are old too: money and unfinished work.
        await conn.execute("UPDATE orders SET created_at = $1", OLD)
        await conn.execute("UPDATE outbox SET created_at = $1 WHERE id = $2", OLD, ids["outbox"])
        await conn.execute("INSERT INTO outbox (recipient, kind, payload, status, created_at) "
                           "VALUES ('9812345123', 'text', '{}'::jsonb, 'pending', $1)", OLD)
    return ids


async def _counts(runtime: Runtime) -> dict[str, object]:
    async with runtime.pool.acquire() as conn:
        return {
            "inbound": await conn.fetchval("SELECT array_agg(wamid) FROM inbound_messages"),
            "outbox": await conn.fetchval("SELECT array_agg(status ORDER BY status) FROM outbox"),
            "attempts": await conn.fetchval("SELECT count(*) FROM outbox_attempts"),
            "archive": await conn.fetchval("SELECT count(*) FROM session_archive"),
            "audit_old": await conn.fetchval(
                "SELECT array_agg(action ORDER BY action) FROM audit_log WHERE at < $1",
                NOW - dt.timedelta(days=30)),
            "audit_new": await conn.fetchval("SELECT count(*) FROM audit_log WHERE at > $1",
                                             NOW - dt.timedelta(days=30)),
            "job_runs": await conn.fetchval("SELECT count(*) FROM job_runs"),
            "orders": await conn.fetchval("SELECT count(*) FROM orders"),
        }


def test_the_purge_job_is_registered() -> None:
    assert registry()["retention"] is retention.JOB


async def test_old_non_money_rows_go_and_money_records_stay(runtime: Runtime) -> None:
    await _seed_old_and_recent(runtime)
    ctx = _ctx(runtime)
    await retention.run(ctx, NOW)
    after = await _counts(runtime)
    assert after["inbound"] == ["wamid.new"]
    # Finished and old (delivered, dead): gone. Pending-but-old, and recent: kept.
    assert after["outbox"] == ["delivered", "pending"]
    assert after["attempts"] == 1
    assert after["archive"] == 1
    assert after["audit_old"] == ["order.cancel", "payment.record"]  # money audit kept
    assert after["audit_new"] == 3
    assert after["job_runs"] == 1
    assert after["orders"] == 1
    assert ctx.counts["inbound_messages"] == 1


async def test_the_dead_letter_is_kept_until_its_own_age(runtime: Runtime) -> None:
    """A dead row is finished too: kept only while younger than RETAIN_OUTBOX_DAYS."""
    ids = await _seed_old_and_recent(runtime)
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE outbox SET created_at = $1 WHERE id = $2",
                           RECENT, ids["outbox"])
    await retention.run(_ctx(runtime), NOW)
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE id = $1", ids["outbox"])


async def test_a_backlog_is_purged_in_batches_of_the_setting(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO inbound_messages (wamid, sender, type, received_at) "
            "SELECT 'wamid.' || g, '9812345123', 'text', $1 FROM generate_series(1, 1050) g",
            OLD)
    seen: list[int] = []

    class Watching(JobContext):
        def checkpoint(self) -> None:  # called after every committed batch
            seen.append(self.counts["inbound_messages"])
            super().checkpoint()

    base = _ctx(runtime, retention_batch=100)
    ctx = Watching(base.runtime)
    await retention.run(ctx, NOW)
    # Ten full batches of 100, then the remainder: never one statement for all.
    assert seen[:11] == [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1050]
    assert ctx.counts["inbound_messages"] == 1050


def test_retention_defaults_are_documented() -> None:
    from pathlib import Path

    from bot.config import Settings

    doc = (Path(__file__).resolve().parents[2] / "docs" / "RETENTION.md").read_text()
    for name, field in Settings.model_fields.items():
        if name.startswith("retain_"):
            assert f"`{field.alias}`" in doc and f"{field.default} days" in doc, name


async def test_within_window_uses_the_sender_index(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO inbound_messages (wamid, sender, type, received_at) "
            "SELECT 'wamid.' || g, '97798120' || (g % 500), 'text', now() "
            "FROM generate_series(1, 20000) g")
        await conn.execute("ANALYZE inbound_messages")
        plan = "\n".join(r[0] for r in await conn.fetch(
            "EXPLAIN SELECT max(received_at) FROM inbound_messages WHERE sender = $1",
            "9779800099999"))
    assert "inbound_messages_sender_idx" in plan


async def test_recovery_finds_open_offers_by_the_partial_index(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        indexdef = await conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'order_offers_open_idx'")
        actor = await conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'audit_log_actor_idx'")
    assert "WHERE (outcome IS NULL)" in indexdef
    assert "(actor, at DESC)" in actor
