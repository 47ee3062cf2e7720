"""Counting what one conversation turn costs: Postgres statements and Redis round trips.

The counts are taken for real, on the connections the worker uses: asyncpg's
query logger on every pooled connection the turn acquires, and a wrapper on
the Redis client that counts each command and each pipeline as one round trip.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import redis.asyncio as redis

from bot.conversation.workers import ConversationWorkers, WorkerConfig
from bot.processes import conversation
from bot.runtime import Runtime
from bot.store import inbox as inbox_store
from bot.whatsapp.updates import TextMessage


@dataclass
class Tally:
    """What a stretch of work sent to Postgres and Redis."""

    statements: list[str] = field(default_factory=list)
    redis: list[str] = field(default_factory=list)


class _CountingPool:
    """The runtime's pool, with the query logger on every connection it hands out."""

    def __init__(self, pool: asyncpg.Pool, tally: Tally) -> None:
        self._pool = pool
        self._tally = tally

    def _log(self, record: Any) -> None:
        self._tally.statements.append(" ".join(str(record.query).split())[:120])

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._pool.acquire() as conn:
            conn.add_query_logger(self._log)
            try:
                yield conn
            finally:
                conn.remove_query_logger(self._log)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


@contextlib.contextmanager
def _counting_redis(client: redis.Redis, tally: Tally) -> Iterator[None]:
    execute = client.execute_command
    pipeline = client.pipeline

    async def counted(*args: Any, **kwargs: Any) -> Any:
        tally.redis.append(str(args[0]))
        return await execute(*args, **kwargs)

    def counted_pipeline(*args: Any, **kwargs: Any) -> Any:
        pipe = pipeline(*args, **kwargs)
        run = pipe.execute

        async def execute_pipe(*a: Any, **k: Any) -> Any:
            tally.redis.append("pipeline:" + ",".join(str(c[0][0]) for c in pipe.command_stack))
            return await run(*a, **k)

        pipe.execute = execute_pipe  # type: ignore[method-assign]
        return pipe

    client.execute_command = counted  # type: ignore[method-assign]
    client.pipeline = counted_pipeline  # type: ignore[method-assign]
    try:
        yield
    finally:
        del client.execute_command
        del client.pipeline


class Turns:
    """One retailer's text messages, each put in the inbox and handled by a worker."""

    def __init__(self, runtime: Runtime, phone: str) -> None:
        self.tally = Tally()
        self.runtime = Runtime(runtime.settings, _CountingPool(runtime.pool, self.tally),  # type: ignore[arg-type]
                               runtime.redis, runtime.keys)
        self._plain = runtime
        self.phone = phone
        self.workers = ConversationWorkers(self.runtime, conversation(self.runtime),
                                           WorkerConfig(concurrency=1))
        self._n = 0

    async def put(self, text: str) -> None:
        """The webhook's part: the message in the inbox (not counted)."""
        self._n += 1
        message = TextMessage.model_validate({
            "from": self.phone, "id": f"wamid.turn-{self.phone}-{self._n}",
            "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}})
        async with self._plain.pool.acquire() as conn:
            await inbox_store.persist(conn, [message], [], rate_limit=1000,
                                      rate_window_seconds=60)

    async def turn(self, text: str) -> Tally:
        """Put `text` in the inbox, let a worker handle it; what the worker sent."""
        await self.put(text)
        self.tally.statements.clear()
        self.tally.redis.clear()
        with _counting_redis(self.runtime.redis, self.tally):
            assert await self.workers.serve_one("turns")
        await asyncio.sleep(0)  # the query logger reports with call_soon
        return Tally(list(self.tally.statements), list(self.tally.redis))
