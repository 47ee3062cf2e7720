"""The webhook's group commit: POSTs that arrive while a persist is in flight share the next one.

Each persist is a Postgres transaction and an fsync'd commit; a message brings
about five status POSTs, so at a few hundred messages a second the commits,
not the work, are what the web process and Postgres spend their time on. Here
the POSTs waiting while one statement runs are written together by the next
(`inbox.persist_many`): natural batching — the first POST after a quiet spell
is flushed at once, no sleep, and under load a batch is whatever came in
during the previous flush, capped at `max_parts`.

Each POST still gets exactly its own outcome (inserted, duplicates, throttled
and retry-after), and never before the statement holding its rows has
committed. If the shared statement fails with `asyncpg.DataError` (a value
Postgres cannot store as text), each POST's part is tried alone, so only the
bad body fails (the webhook sets it aside) and the others still go in. Any
other failure (Postgres down) is every waiting POST's: each answers 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg
from aiohttp import web

from bot.store import inbox as inbox_store

log = logging.getLogger(__name__)

# POSTs per statement: enough to absorb a burst in one commit, few enough that
# one statement stays a few milliseconds and a failed one retries quickly.
MAX_PARTS = 200


@dataclass(slots=True)
class _Waiting:
    part: inbox_store.Part
    answer: asyncio.Future[inbox_store.Persisted] = field(repr=False)


class PersistBatch:
    """Coalesces concurrent `persist` calls of one process into one statement each flush."""

    def __init__(self, max_parts: int = MAX_PARTS) -> None:
        self.max_parts = max(1, max_parts)
        self._queue: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        # The pool and limits of the app using the batch: one app, one runtime.
        self._pool: asyncpg.Pool | None = None
        self._rate_limit = 0
        self._rate_window = 0.0
        self.flushes = 0  # statements run (for the micro benchmark and tests)

    async def persist(self, pool: asyncpg.Pool, part: inbox_store.Part, *, rate_limit: int,
                      rate_window_seconds: float) -> inbox_store.Persisted:
        """Persist one POST's part, together with whatever else is waiting; its own outcome.

        Raises what persisting it raised: `asyncpg.DataError` if this part
        cannot be stored, or the shared failure (Postgres down) otherwise.
        """
        self._pool, self._rate_limit, self._rate_window = pool, rate_limit, rate_window_seconds
        answer: asyncio.Future[inbox_store.Persisted] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(part, answer))
        if self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_all())
        # A POST cancelled while waiting (its client went away) still has its
        # rows written if they were taken into a statement; only the answer is lost.
        return await answer

    async def close(self) -> None:
        """Let the flush in flight (and what waits for it) finish."""
        flusher = self._flusher
        if flusher is not None:
            with contextlib.suppress(Exception):
                await flusher

    async def _flush_all(self) -> None:
        # One statement at a time: what arrives during a flush waits for the next.
        try:
            while self._queue:
                batch, self._queue = (self._queue[:self.max_parts],
                                      self._queue[self.max_parts:])
                try:
                    await self._flush(batch)
                except BaseException as exc:
                    # Nobody is left waiting forever, whatever happened.
                    for w in batch:
                        if not w.answer.done():
                            w.answer.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
        finally:
            self._flusher = None
            # Left only if this task was cancelled (shutdown): those POSTs were never written.
            left, self._queue = self._queue, []
            for w in left:
                _answer(w, ConnectionError("webhook shutting down"))

    async def _flush(self, batch: list[_Waiting]) -> None:
        pool = self._pool
        assert pool is not None
        self.flushes += 1
        async with pool.acquire() as conn:
            try:
                results = await inbox_store.persist_many(
                    conn, [w.part for w in batch], rate_limit=self._rate_limit,
                    rate_window_seconds=self._rate_window)
            except asyncpg.DataError:
                if len(batch) == 1:
                    raise
                # One part holds what Postgres cannot store: nothing of the
                # statement was written, so each part goes in alone.
                log.warning("combined persist refused; persisting each POST alone",
                            extra={"posts": len(batch)})
                for w in batch:
                    try:
                        [alone] = await inbox_store.persist_many(
                            conn, [w.part], rate_limit=self._rate_limit,
                            rate_window_seconds=self._rate_window)
                    except asyncpg.DataError as exc:
                        _answer(w, exc)
                    else:
                        _answer(w, alone)
                return
        for w, result in zip(batch, results, strict=True):
            _answer(w, result)


def _answer(w: _Waiting, outcome: inbox_store.Persisted | BaseException) -> None:
    if w.answer.done():
        return
    if isinstance(outcome, BaseException):
        w.answer.set_exception(outcome)
    else:
        w.answer.set_result(outcome)


PERSIST_BATCH = web.AppKey("persist_batch", PersistBatch)


async def lifecycle(app: web.Application) -> AsyncIterator[None]:
    """The app's group commit, from startup to after the last request (a cleanup_ctx)."""
    batch = PersistBatch()
    app[PERSIST_BATCH] = batch
    try:
        yield
    finally:
        await batch.close()
