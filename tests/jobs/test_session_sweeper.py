"""session-sweeper: the last state of a session about to expire is archived, once."""

from __future__ import annotations

import orjson

from bot.runtime import Runtime
from tests.jobs import builders as b
from tests.jobs.conftest import RunJob

NOW = b.ktm(2026, 3, 8, 12, 0)


async def test_a_session_about_to_expire_is_archived_once(runtime: Runtime, run: RunJob) -> None:
    session = {"state": "reviewing", "cart": [{"sku": "sugar", "qty": "5"}], "language": "ne"}
    await runtime.redis.set(runtime.keys.session("9779841"), orjson.dumps(session), px=120_000)
    await runtime.redis.set(runtime.keys.session("9779842"), orjson.dumps({"state": "idle"}),
                            px=24 * 3600 * 1000)
    result = await run("session-sweeper", NOW)
    again = await run("session-sweeper", NOW)
    assert result.counts == {"archived": 1}
    assert again.counts == {"already_archived": 1}
    async with runtime.pool.acquire() as conn:
        [row] = await conn.fetch("SELECT phone, state, data, archived_at FROM session_archive")
    assert (row["phone"], row["state"], row["data"]) == ("9779841", "reviewing", session)
    assert row["archived_at"] == NOW


async def test_a_session_that_changed_is_archived_again(runtime: Runtime, run: RunJob) -> None:
    key = runtime.keys.session("9779843")
    await runtime.redis.set(key, orjson.dumps({"state": "collecting"}), px=60_000)
    await run("session-sweeper", NOW)
    await runtime.redis.set(key, orjson.dumps({"state": "placed"}), px=60_000)
    await run("session-sweeper", NOW)
    async with runtime.pool.acquire() as conn:
        states = [r["state"] for r in await conn.fetch(
            "SELECT state FROM session_archive ORDER BY id")]
    assert states == ["collecting", "placed"]


async def test_an_unreadable_session_is_archived_as_text_not_a_crash(
    runtime: Runtime, run: RunJob
) -> None:
    await runtime.redis.set(runtime.keys.session("9779844"), b"\xff{not json", px=60_000)
    result = await run("session-sweeper", NOW)
    assert result.counts == {"archived": 1}
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT state FROM session_archive") == "unknown"
