"""The webhook's group commit (bot/web/persist_batch.py): POSTs that arrive while a
persist runs share the next statement, and each is answered with its own outcome."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from bot.runtime import Runtime
from bot.store import inbox as inbox_store
from bot.web.persist_batch import PersistBatch
from bot.whatsapp.updates import TextMessage

LIMIT, WINDOW = 1000, 60.0


def _text(wamid: str, sender: str = "9779800000001") -> TextMessage:
    return TextMessage.model_validate({"from": sender, "id": wamid, "timestamp": "1700000000",
                                       "type": "text", "text": {"body": "chini 5 kg"}})


def _part(*messages: TextMessage) -> inbox_store.Part:
    return inbox_store.Part(messages, (), None)


async def _persist(batch: PersistBatch, runtime: Runtime,
                   part: inbox_store.Part) -> inbox_store.Persisted:
    return await batch.persist(runtime.pool, part, rate_limit=LIMIT, rate_window_seconds=WINDOW)


async def _stored(runtime: Runtime) -> list[str]:
    async with runtime.pool.acquire() as conn:
        return [r["wamid"] for r in await conn.fetch(
            "SELECT wamid FROM inbound_messages ORDER BY seq")]


async def test_posts_arriving_together_share_statements_and_each_gets_its_own_outcome(
    runtime: Runtime,
) -> None:
    batch = PersistBatch()
    results = await asyncio.gather(*(
        _persist(batch, runtime, _part(_text(f"wamid.g{i}", f"97798000000{i:02d}")))
        for i in range(20)))
    assert [r.inserted for r in results] == [(f"wamid.g{i}",) for i in range(20)]
    # All twenty were waiting before the first statement ran: one statement, one commit.
    assert batch.flushes == 1
    assert sorted(await _stored(runtime)) == sorted(f"wamid.g{i}" for i in range(20))


async def test_a_wamid_brought_by_two_posts_of_one_batch_is_inserted_once(
    runtime: Runtime,
) -> None:
    batch = PersistBatch()
    first, second = await asyncio.gather(_persist(batch, runtime, _part(_text("wamid.same"))),
                                         _persist(batch, runtime, _part(_text("wamid.same"))))
    assert (first.inserted, first.duplicates) == (("wamid.same",), ())
    assert (second.inserted, second.duplicates) == ((), ("wamid.same",))
    assert await _stored(runtime) == ["wamid.same"]


async def test_a_post_postgres_cannot_store_fails_alone_and_the_others_go_in(
    runtime: Runtime,
) -> None:
    batch = PersistBatch()
    # The parser refuses NUL in ids; a part built around it stands for any value
    # Postgres refuses as text.
    bad = _text("wamid.ok").model_copy(update={"id": "wamid.bad\x00"})
    outcomes = await asyncio.gather(
        _persist(batch, runtime, _part(_text("wamid.a"))),
        _persist(batch, runtime, _part(_text("wamid.b"))),
        _persist(batch, runtime, _part(bad)),
        _persist(batch, runtime, _part(_text("wamid.c"))),
        return_exceptions=True)
    assert isinstance(outcomes[2], asyncpg.DataError)
    assert [o.inserted for o in outcomes if isinstance(o, inbox_store.Persisted)] == [
        ("wamid.a",), ("wamid.b",), ("wamid.c",)]
    assert sorted(await _stored(runtime)) == ["wamid.a", "wamid.b", "wamid.c"]


async def test_postgres_down_fails_every_waiting_post(runtime: Runtime) -> None:
    batch = PersistBatch()
    pool = await asyncpg.create_pool(runtime.settings.database_url, min_size=1, max_size=1)
    await pool.close()  # a closed pool stands for Postgres gone
    with pytest.raises(asyncpg.InterfaceError):
        await batch.persist(pool, _part(_text("wamid.x")), rate_limit=LIMIT,
                            rate_window_seconds=WINDOW)
    assert await _stored(runtime) == []
