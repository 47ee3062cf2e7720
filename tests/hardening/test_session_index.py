"""Session listings read an index by last activity, not every session (issue 19)."""

from __future__ import annotations

import asyncio
import datetime as dt

import orjson

from bot.conversation import session_admin
from bot.conversation.sessions import SessionIndex, SessionStore
from bot.runtime import Runtime
from flows.session import Session
from tests.jobs.conftest import RunJob, run

__all__ = ["run"]

NOW = dt.datetime.now(dt.UTC)


def _store(rt: Runtime, ttl: float = 3600) -> SessionStore[Session]:
    return SessionStore(rt.redis, rt.keys, Session, ttl=ttl)


async def _save(rt: Runtime, phone: str, idle: dt.timedelta, state: str = "idle",
                ttl: float = 3600) -> None:
    await _store(rt, ttl).save(phone, Session(phone=phone, state=state,
                                              last_activity=NOW - idle))


async def test_a_listing_reads_only_limit_sessions_whatever_the_total(runtime: Runtime) -> None:
    phones = [f"97798000{i:05d}" for i in range(300)]
    for i, phone in enumerate(phones):
        await _save(runtime, phone, dt.timedelta(minutes=i))
    # Redis's idle clock ticks in seconds: after 2 s every key is "idle", and
    # only the keys the listing reads are fresh again.
    await asyncio.sleep(2.1)
    rows = await session_admin.list_sessions(runtime, limit=5)
    assert [r["phone"] for r in rows] == phones[:5]
    touched = [p for p in phones
               if await runtime.redis.object("idletime", runtime.keys.session(p)) == 0]
    assert touched == phones[:5]


async def test_sessions_are_listed_most_recently_active_first(runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(hours=3))
    await _save(runtime, "9779800000002", dt.timedelta(minutes=1))
    await _save(runtime, "9779800000003", dt.timedelta(hours=1))
    rows = await session_admin.list_sessions(runtime)
    assert [r["phone"] for r in rows] == ["9779800000002", "9779800000003", "9779800000001"]


async def test_idle_over_lists_only_sessions_idle_that_long(runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(hours=3))
    await _save(runtime, "9779800000002", dt.timedelta(minutes=1))
    rows = await session_admin.list_sessions(runtime, idle_over=60)
    assert [r["phone"] for r in rows] == ["9779800000001"]


async def test_a_state_filter_reads_past_the_first_page_until_limit_match(
        runtime: Runtime) -> None:
    for i in range(session_admin.PAGE + 20):
        await _save(runtime, f"97798001{i:05d}", dt.timedelta(seconds=i))
    await _save(runtime, "9779800999998", dt.timedelta(hours=5), state="reviewing")
    await _save(runtime, "9779800999999", dt.timedelta(hours=6), state="reviewing")
    rows = await session_admin.list_sessions(runtime, state="reviewing", limit=1)
    assert [r["phone"] for r in rows] == ["9779800999998"]
    both = await session_admin.list_sessions(runtime, state="reviewing", limit=10)
    assert [r["phone"] for r in both] == ["9779800999998", "9779800999999"]


async def test_an_expired_session_drops_out_of_the_index(runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(0), ttl=0.2)
    await _save(runtime, "9779800000002", dt.timedelta(0))
    await asyncio.sleep(0.35)
    assert [r["phone"] for r in await session_admin.list_sessions(runtime)] == [
        "9779800000002"]
    members = await runtime.redis.zrange(runtime.keys.session_index(), 0, -1)
    assert members == [b"9779800000002"]
    assert await runtime.redis.zcard(runtime.keys.session_expiry()) == 1


async def test_saving_trims_expired_entries_even_if_nobody_lists(runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(0), ttl=0.2)
    await asyncio.sleep(0.35)
    await _save(runtime, "9779800000002", dt.timedelta(0))
    assert await runtime.redis.zrange(runtime.keys.session_index(), 0, -1) == [
        b"9779800000002"]


async def test_a_session_saved_again_stays_in_the_index_past_its_first_expiry(
        runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(0), ttl=0.3)
    await asyncio.sleep(0.1)
    await _save(runtime, "9779800000001", dt.timedelta(0), ttl=60)
    await asyncio.sleep(0.35)
    assert [r["phone"] for r in await session_admin.list_sessions(runtime)] == [
        "9779800000001"]


async def test_deleting_or_resetting_a_session_removes_it_from_the_index(
        runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(0))
    await _save(runtime, "9779800000002", dt.timedelta(0))
    assert await _store(runtime).delete("9779800000001") is True
    assert await session_admin.reset_session(runtime, "9779800000002", actor="test")
    assert await runtime.redis.zcard(runtime.keys.session_index()) == 0
    assert await runtime.redis.zcard(runtime.keys.session_expiry()) == 0


async def test_the_sweeper_indexes_sessions_saved_before_the_index_existed(
        runtime: Runtime, run: RunJob) -> None:
    old = {"state": "collecting", "last_activity": (NOW - dt.timedelta(hours=2)).isoformat()}
    await runtime.redis.set(runtime.keys.session("9779800000001"), orjson.dumps(old),
                            ex=3600)
    assert await session_admin.list_sessions(runtime) == []
    await run("session-sweeper", NOW)
    rows = await session_admin.list_sessions(runtime, idle_over=100)
    assert [(r["phone"], r["state"]) for r in rows] == [("9779800000001", "collecting")]
    assert await SessionIndex(runtime.redis, runtime.keys).contains("9779800000001")


async def test_an_idle_filter_longer_than_time_itself_lists_nobody(runtime: Runtime) -> None:
    await _save(runtime, "9779800000001", dt.timedelta(days=3))
    assert await session_admin.list_sessions(runtime, idle_over=float("inf")) == []
    assert await session_admin.list_sessions(runtime, idle_over=1e300) == []
