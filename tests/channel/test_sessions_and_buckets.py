"""The Redis session store and token buckets."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from bot.conversation.sessions import SessionStore
from bot.rate_limits import TokenBucket, per_number_bucket
from bot.runtime import Runtime


class Cart(BaseModel):
    state: str
    items: list[str] = []


async def test_a_saved_session_loads_back_equal(runtime: Runtime) -> None:
    store = SessionStore(runtime.redis, runtime.keys, Cart, ttl=60)
    await store.save("977A", Cart(state="collecting", items=["चिनी 5 kg"]))
    assert await store.load("977A") == Cart(state="collecting", items=["चिनी 5 kg"])


async def test_no_session_is_none_and_delete_forgets(runtime: Runtime) -> None:
    store = SessionStore(runtime.redis, runtime.keys, Cart, ttl=60)
    assert await store.load("977B") is None
    await store.save("977B", Cart(state="idle"))
    await store.delete("977B")
    assert await store.load("977B") is None


async def test_a_session_expires_after_its_idle_ttl(runtime: Runtime) -> None:
    store = SessionStore(runtime.redis, runtime.keys, Cart, ttl=0.2)
    await store.save("977C", Cart(state="idle"))
    await asyncio.sleep(0.35)
    assert await store.load("977C") is None


async def test_a_session_of_another_shape_is_dropped_not_a_crash(runtime: Runtime) -> None:
    await runtime.redis.set(runtime.keys.session("977D"), b'{"unexpected": 1}')
    store = SessionStore(runtime.redis, runtime.keys, Cart, ttl=60)
    assert await store.load("977D") is None


async def test_a_bucket_gives_its_capacity_then_makes_callers_wait(runtime: Runtime) -> None:
    bucket = TokenBucket(runtime.redis, runtime.keys.bucket("t1"), rate=10, capacity=3)
    waits = [await bucket.try_take() for _ in range(4)]
    assert waits[:3] == [0, 0, 0]
    assert 0 < waits[3] <= 0.1


async def test_two_bucket_objects_on_one_key_share_the_tokens(runtime: Runtime) -> None:
    key = runtime.keys.bucket("t2")
    one = TokenBucket(runtime.redis, key, rate=1, capacity=2)
    two = TokenBucket(runtime.redis, key, rate=1, capacity=2)
    assert [await one.try_take(), await two.try_take()] == [0, 0]
    assert await one.try_take() > 0 and await two.try_take() > 0


async def test_the_per_number_bucket_never_allows_more_than_the_rate_in_a_second(
    runtime: Runtime,
) -> None:
    bucket = per_number_bucket(runtime.redis, runtime.keys.bucket("t3"), 40)
    loop = asyncio.get_running_loop()
    start = loop.time()
    got = 0
    while loop.time() - start < 1.0:
        if await bucket.try_take() == 0:
            got += 1
        else:
            await asyncio.sleep(0.001)
    assert 30 <= got <= 40
