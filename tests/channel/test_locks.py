"""The per-sender Redis lock: owned, expiring, fair, and no waiter dropped."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.conversation.locks import LockTimeout, SenderLocks
from bot.conversation.sessions import SessionStore, release_with_save
from bot.runtime import Runtime
from flows.session import Session


@pytest.fixture
def locks(runtime: Runtime) -> SenderLocks:
    return SenderLocks(runtime.redis, runtime.keys, ttl=2.0, wait_timeout=5.0, waiter_ttl=1.0)


async def test_only_one_holder_at_a_time(locks: SenderLocks) -> None:
    inside = 0
    most = 0

    async def work() -> None:
        nonlocal inside, most
        async with locks.hold("977A"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(work() for _ in range(20)))
    assert most == 1


async def test_waiters_get_the_lock_in_arrival_order_and_none_is_dropped(
    locks: SenderLocks,
) -> None:
    order: list[int] = []
    first = await locks.acquire("977B")

    async def waiter(i: int) -> None:
        async with locks.hold("977B"):
            order.append(i)

    tasks = []
    for i in range(10):
        tasks.append(asyncio.create_task(waiter(i)))
        await asyncio.sleep(0.02)  # arrive one after another
    await locks.release("977B", first)
    await asyncio.gather(*tasks)
    assert order == list(range(10))


async def test_another_token_cannot_release_the_lock(locks: SenderLocks,
                                                     runtime: Runtime) -> None:
    token = await locks.acquire("977C")
    assert not await locks.release("977C", "not-the-owner")
    assert await runtime.redis.get(runtime.keys.lock("977C")) == token.encode()
    assert await locks.release("977C", token)


async def test_a_crashed_holder_frees_the_sender_after_the_ttl(runtime: Runtime) -> None:
    short = SenderLocks(runtime.redis, runtime.keys, ttl=0.3, wait_timeout=5.0)
    await short.acquire("977D")  # never released: the holder "crashed"
    started = asyncio.get_running_loop().time()
    async with short.hold("977D"):
        waited = asyncio.get_running_loop().time() - started
    assert 0.1 < waited < 2.0


async def test_a_live_holder_keeps_its_lock_past_the_ttl(runtime: Runtime) -> None:
    short = SenderLocks(runtime.redis, runtime.keys, ttl=0.3, wait_timeout=0.5)
    async with short.hold("977E"):
        await asyncio.sleep(0.8)  # longer than the ttl: the keeper extends it
        with pytest.raises(LockTimeout):
            await short.acquire("977E")


async def test_leaving_the_lock_always_stops_its_keeper(runtime: Runtime) -> None:
    # The keeper extends every ttl/3; the block ends at random points of that cycle,
    # including while an extend is in flight, which redis-py can swallow a
    # cancellation in. A keeper that survived would keep the sender locked for good.
    short = SenderLocks(runtime.redis, runtime.keys, ttl=0.015, wait_timeout=1.0)
    for n in range(150):
        async with asyncio.timeout(2.0):
            async with short.hold("977L"):
                await asyncio.sleep(0.0003 * (n % 23))
    token = await asyncio.wait_for(short.acquire("977L"), 1.0)
    assert await short.release("977L", token)


async def test_a_waiter_that_vanished_does_not_block_the_queue(runtime: Runtime) -> None:
    locks = SenderLocks(runtime.redis, runtime.keys, ttl=2.0, wait_timeout=3.0, waiter_ttl=0.3)
    holder = await locks.acquire("977F")
    # A process that queued for the lock and then died: its entry stops being refreshed.
    now_ms = int((await runtime.redis.time())[0]) * 1000
    await runtime.redis.rpush(runtime.keys.lock_queue("977F"), b"crashed-process")
    await runtime.redis.zadd(runtime.keys.lock_waiters("977F"), {b"crashed-process": now_ms + 300})
    live = asyncio.create_task(locks.acquire("977F"))
    await asyncio.sleep(0.05)
    await locks.release("977F", holder)
    token = await asyncio.wait_for(live, 2.0)
    assert await locks.release("977F", token)


async def test_a_cancelled_waiter_never_ends_up_holding_the_lock(locks: SenderLocks,
                                                                 runtime: Runtime) -> None:
    # Cancellation lands at random points, including inside a Redis call.
    for n in range(25):
        sender = f"977I{n}"
        holder = await locks.acquire(sender)
        waiter = asyncio.create_task(locks.acquire(sender))
        await asyncio.sleep(0.002 * (n % 7))
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiter
        await locks.release(sender, holder)
        token = await asyncio.wait_for(locks.acquire(sender), 2.0)
        assert await locks.release(sender, token)


async def test_different_senders_do_not_wait_for_each_other(locks: SenderLocks) -> None:
    async with locks.hold("977G"):
        await asyncio.wait_for(locks.acquire("977H"), 0.5)


async def test_the_holder_gets_the_value_it_asked_for_as_the_lock_was_taken(
        locks: SenderLocks, runtime: Runtime) -> None:
    key = runtime.keys.session("977I")
    await runtime.redis.set(key, b"before")
    async with locks.hold("977I", read=key) as held:
        assert held.value == b"before"
    async with locks.hold("977I", read=runtime.keys.session("977-none")) as held:
        assert held.value is None


async def test_a_session_save_under_release_with_save_frees_the_lock(
        locks: SenderLocks, runtime: Runtime) -> None:
    store: SessionStore[Session] = SessionStore(runtime.redis, runtime.keys, Session, ttl=60)
    async with locks.hold("977J") as held:
        with release_with_save(held):
            await store.save("977J", Session(phone="977J"))
        assert held.released
        other = await asyncio.wait_for(locks.acquire("977J"), 0.5)
    assert await locks.release("977J", other)
    saved = await store.load("977J")
    assert saved is not None and saved.phone == "977J"


async def test_a_save_outside_release_with_save_leaves_the_lock_held(
        locks: SenderLocks, runtime: Runtime) -> None:
    store: SessionStore[Session] = SessionStore(runtime.redis, runtime.keys, Session, ttl=60)
    async with locks.hold("977K") as held:
        await store.save("977K", Session(phone="977K"))
        assert not held.released
        assert await runtime.redis.get(held.key) == held.token.encode()
    assert await runtime.redis.get(held.key) is None
