"""The outbox dispatcher: sends what the outbox holds, fast, in order, within limits.

- Woken by `LISTEN outbox` (the enqueueing transaction NOTIFYs on commit), so a
  reply leaves within milliseconds; it also polls, so a lost notification or a
  dropped LISTEN connection only delays, never loses, a message.
- Claims with `FOR UPDATE SKIP LOCKED` under a lease: any number of
  dispatchers (in any number of workers) can run; a dispatcher killed mid-send
  leaves its rows to be claimed again when the lease expires (the message may
  then go out twice, never zero times).
- One Redis token bucket per business number, shared by every dispatcher,
  keeps under `WHATSAPP_MAX_MPS`; a per-recipient bucket spaces replies to one
  user (burst-tolerant, then about one per 6 s) without counting an attempt.
- Keeps each recipient's order: a row waits while an earlier row to the same
  recipient is pending or in flight (a failed or dead row no longer blocks).
- Retries 5xx, timeouts and throttling codes with exponential backoff and
  jitter; after `max_attempts` the row is a dead letter (`khaacho outbox`).
  Permanent errors fail at once. 131047 (outside the 24-hour window) sends the
  row's approved template instead when it has one.
- Templates (bot/whatsapp/template_gate.py): sent only when APPROVED in that
  language, else in the other approved language, else the row is `held` and
  operators are told once (the template-approved webhook puts it back);
  marketing ones go to `/marketing_messages` and are `skipped` for numbers that
  opted out. 131049 (Meta's marketing limit for that user) and 131050 (the user
  stopped marketing; recorded as an opt-out) fail without retrying; 132001,
  132015 and 132016 record the template as missing, paused or disabled and hold the row.
- A row that sends a stored file (`media_file_id`, bot/store/media.py) names
  Meta's media id: a live upload is reused (Meta keeps them 30 days), else the
  bytes are uploaded (`POST /{phone_number_id}/media`) just before the send.
  An upload failure is recorded like a send failure (131053 is permanent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg
import redis.asyncio as redis

from bot.db import wake_on_notify
from bot.kv import Keys
from bot.logs import request_context
from bot.metrics import SEND_LATENCY, SENDS, SENDS_PACED
from bot.rate_limits import TokenBucket, per_number_bucket
from bot.store import alerts as alert_store
from bot.store import media as media_store
from bot.store import outbox as outbox_store
from bot.store import refusals
from bot.store import templates as template_store
from bot.store.refusals import template_of
from bot.transient import TRANSIENT
from bot.whatsapp import template_gate
from bot.whatsapp.client import GraphClient, SendFailed, Sent
from bot.whatsapp.errors import TEMPLATE_STATUS_OF_CODE, Disposition
from bot.whatsapp.media_types import media_type
from domain.alerts import Alert, AlertKind

log = logging.getLogger(__name__)

# The loop outlives any one failed statement, not only an outage (bot.transient).
_INFRA_ERRORS = (*TRANSIENT, asyncpg.PostgresError)


@dataclass(frozen=True, slots=True)
class DispatcherConfig:
    """Tunables; the defaults suit production."""

    max_mps: float = 80.0
    concurrency: int = 64
    batch_size: int = 100
    lease_seconds: float = 60.0
    max_attempts: int = 10
    base_delay: float = 2.0
    max_delay: float = 600.0
    idle_poll: float = 2.0
    pair_interval: float = 6.0
    pair_burst: float = 10.0


def backoff(attempts_before: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter: half fixed, half random, capped."""
    ceiling = min(cap, base * (2 ** min(attempts_before, 30)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


# Accepted sends per statement: a full concurrency's worth in one commit.
MAX_SENT_PER_STATEMENT = 100


class SentRecorder:
    """Group commit of accepted sends: those finishing while one is recorded share the next.

    Each accepted send costs a commit; at the dispatcher's concurrency they
    arrive together. The first after a quiet spell is recorded at once (no
    sleep); under load a statement records whatever came in during the
    previous one. A send is answered only after the statement holding its
    record committed. A failed shared statement is retried one record at a
    time, so a record Postgres refuses fails alone and the others still go in.
    """

    def __init__(self, pool: asyncpg.Pool, dispatcher: str,
                 max_records: int = MAX_SENT_PER_STATEMENT) -> None:
        self._pool = pool
        self._dispatcher = dispatcher
        self._max = max(1, max_records)
        self._queue: list[tuple[outbox_store.SentRecord, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.statements = 0  # run so far (tests and the bench read it)

    async def record(self, record: outbox_store.SentRecord) -> None:
        """Record one accepted send, with whatever else is waiting; raises what recording it did."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._queue.append((record, done))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush_all())
        await done

    async def _flush_all(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[:self._max], self._queue[self._max:]
                try:
                    await self._flush(batch)
                except BaseException as exc:
                    _settle(batch, exc)  # nobody is left waiting forever
                    if not isinstance(exc, Exception):
                        raise
        finally:
            self._flusher = None
            left, self._queue = self._queue, []
            _settle(left, ConnectionError("dispatcher stopping"))

    async def _flush(self, batch: list[tuple[outbox_store.SentRecord, asyncio.Future[None]]]
                     ) -> None:
        async with self._pool.acquire() as conn:
            try:
                self.statements += 1
                await outbox_store.record_sent_many(conn, [r for r, _ in batch],
                                                    self._dispatcher)
            except asyncpg.PostgresError:
                if len(batch) == 1:
                    raise
                log.warning("combined record of %d sends failed; recording each alone",
                            len(batch))
                for item in batch:
                    try:
                        self.statements += 1
                        await outbox_store.record_sent_many(conn, [item[0]], self._dispatcher)
                    except Exception as exc:
                        _settle([item], exc)
                    else:
                        _settle([item], None)
                return
        _settle(batch, None)


def _settle(waiting: list[tuple[outbox_store.SentRecord, asyncio.Future[None]]],
            error: BaseException | None) -> None:
    for _, done in waiting:
        if done.done():
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


class Dispatcher:
    """One dispatcher loop; run several (here or in other workers) for more throughput."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        client: redis.Redis,
        keys: Keys,
        graph: GraphClient,
        dsn: str,
        *,
        config: DispatcherConfig | None = None,
        name: str | None = None,
    ) -> None:
        self.config = config or DispatcherConfig()
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._pool = pool
        self._keys = keys
        self._graph = graph
        self._dsn = dsn
        self._bucket = per_number_bucket(client, keys.bucket("wa-send"), self.config.max_mps)
        self._pacing = TokenBucket(client, keys.pacing("_"), 1 / self.config.pair_interval,
                                   self.config.pair_burst)
        self._bucket_lock = asyncio.Lock()
        self._next_housekeeping = 0.0
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._inflight: set[asyncio.Task[None]] = set()
        self.recorder = SentRecorder(pool, self.name)

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        """Send until `stop()`; in-flight sends are finished before returning."""
        listen = asyncio.get_running_loop().create_task(self._listen())
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    more = await self._claim_and_start()
                except _INFRA_ERRORS as exc:
                    log.warning("dispatcher cannot claim: %s", exc)
                    await self._sleep(1.0)
                    continue
                if more:
                    continue
                await self._housekeep()
                await self._sleep(await self._idle_timeout())
        finally:
            listen.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listen
            if self._inflight:
                await asyncio.gather(*self._inflight, return_exceptions=True)

    async def _housekeep(self) -> None:
        """Now and then, drop early statuses whose message was never ours."""
        now = asyncio.get_running_loop().time()
        if now < self._next_housekeeping:
            return
        self._next_housekeeping = now + 3600
        with contextlib.suppress(*_INFRA_ERRORS):
            async with self._pool.acquire() as conn:
                await outbox_store.purge_early_statuses(conn)

    async def stop(self) -> None:
        """Ask the loop to finish (it completes the sends already started)."""
        self._stopping.set()
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))

    async def _idle_timeout(self) -> float:
        try:
            async with self._pool.acquire() as conn:
                due = await outbox_store.next_due_in(conn)
        except _INFRA_ERRORS:
            return 1.0
        if due is None:
            return self.config.idle_poll
        return min(self.config.idle_poll, due + 0.005)

    async def _listen(self) -> None:
        """Keep a LISTEN connection; every NOTIFY wakes the loop."""
        await wake_on_notify(self._dsn, outbox_store.NOTIFY_CHANNEL,
                             lambda _payload: self._wake.set(), "dispatcher")

    # ------------------------------------------------------------------ sending

    async def _claim_and_start(self) -> bool:
        """Claim what is due and start sending it; True if more may be due right now.

        A claim that got fewer rows than it asked for took everything due: the
        loop then waits for a wake (a NOTIFY, a finished send) instead of asking
        again at once for nothing — under load that was every other claim.
        """
        free = self.config.concurrency - len(self._inflight)
        if free <= 0:
            return False
        asked = min(free, self.config.batch_size)
        async with self._pool.acquire() as conn:
            rows = await outbox_store.claim(conn, self.name, asked, self.config.lease_seconds)
        for row in rows:
            task = asyncio.get_running_loop().create_task(self._deliver(row))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(rows) == asked

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        # A finished row may unblock the next one to the same recipient.
        self._wake.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("dispatcher send failed", exc_info=task.exception())

    async def drain(self, max_seconds: float = 30.0) -> None:
        """Send everything due now and wait for it (tests and one-shot use)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_seconds
        while loop.time() < deadline:
            await self._claim_and_start()
            if not self._inflight:
                return
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    async def _gate(self, row: outbox_store.OutboxRow) -> tuple[dict[str, Any], bool] | None:
        """The payload to send and whether it is marketing; None when held or skipped."""
        payload = row.send_payload()
        name, language = template_of(payload)
        if name is None:
            return payload, False
        async with self._pool.acquire() as conn:
            facts = await template_store.send_facts(conn, name, row.recipient)
            verdict = template_gate.decide(name, language, facts.statuses, facts.category,
                                           facts.opted_out)
            if isinstance(verdict, template_gate.Send):
                if verdict.language != language:
                    payload = _with_language(payload, verdict.language)
                return payload, verdict.marketing
            if isinstance(verdict, template_gate.Skip):
                await outbox_store.skip(conn, row.id, verdict.reason)
                log.info("outbox row %s skipped: %s", row.id, verdict.reason)
                return None
            await self._hold(conn, row, name, verdict.reason)
            return None

    async def _hold(self, conn: asyncpg.Connection, row: outbox_store.OutboxRow, name: str,
                    reason: str, code: int | None = None) -> None:
        """Park the row and tell operators once per template (closed on approval)."""
        async with conn.transaction():
            if await outbox_store.hold(conn, row.id, reason, code=code):
                await alert_store.raise_alert(
                    conn, Alert(AlertKind.TEMPLATE_WAITING, f"template:{name}",
                                f"messages wait: {reason}. khaacho templates sync / status"),
                    details={"template": name, "outbox_id": row.id})
        log.warning("outbox row %s held: %s", row.id, reason)

    async def _deliver(self, row: outbox_store.OutboxRow) -> None:
        try:
            gated = await self._gate(row) if row.kind == "template" else (
                row.send_payload(), False)
            if gated is None:
                return
            wait = await self._pacing.try_take(self._keys.pacing(row.recipient))
            if wait > 0:
                async with self._pool.acquire() as conn:
                    await outbox_store.defer(conn, row.id, wait)
                SENDS_PACED.inc()
                return
            # One waiter per process polls the shared bucket: tokens go out in
            # claim order and Redis sees one caller, not `concurrency` of them.
            async with self._bucket_lock:
                await self._bucket.take()
        except _INFRA_ERRORS as exc:
            log.warning("dispatcher cannot pace row %s: %s", row.id, exc)
            with contextlib.suppress(*_INFRA_ERRORS):
                async with self._pool.acquire() as conn:
                    await outbox_store.defer(conn, row.id, 1.0)
            return  # if even that failed, the lease hands the row on later
        # The row's request id (the webhook request that caused it) is on every
        # log line of its send, so one message can be followed end to end.
        payload, marketing = gated
        with request_context(row.request_id):
            result = await self._send(row, payload, marketing)
            try:
                _count_send(row, result)
            except Exception:  # counting must never stand between a send and its record
                log.exception("could not count a send")
            await self._record(row, result, payload)

    async def _send(self, row: outbox_store.OutboxRow, payload: dict[str, Any],
                    marketing: bool) -> Any:
        if row.media_file_id is not None:
            attached = await self._attach_media(row, payload)
            if isinstance(attached, SendFailed):
                return attached
            payload = attached
        return await self._graph.send(payload, marketing=marketing)

    async def _attach_media(
        self, row: outbox_store.OutboxRow, payload: dict[str, Any]
    ) -> dict[str, Any] | SendFailed:
        """The payload with Meta's media id of the row's file, uploading it if need be."""
        file_id = row.media_file_id
        assert file_id is not None
        try:
            async with self._pool.acquire() as conn:
                media_id = await media_store.live_upload(conn, file_id)
                file = data = None
                if media_id is None:
                    file = await media_store.get(conn, file_id)
                    data = await media_store.read_bytes(conn, file_id)
            if media_id is None:
                if file is None or data is None:
                    return SendFailed(Disposition.PERMANENT, None, None,
                                      f"stored media file {file_id} is gone (purged?)", 0)
                known = media_type(file.mime_type)
                name = file.filename or f"file-{file.id}.{known.extension if known else 'bin'}"
                uploaded = await self._graph.upload(data, file.mime_type, name)
                if isinstance(uploaded, SendFailed):
                    log.warning("upload of media file %s failed: %s %s", file_id,
                                uploaded.code, uploaded.title)
                    return uploaded
                media_id = uploaded.media_id
                async with self._pool.acquire() as conn:
                    await media_store.record_upload(conn, file_id, media_id)
        except _INFRA_ERRORS as exc:
            return SendFailed(Disposition.RETRY, None, None, f"media store: {exc}"[:300], 0)
        kind = row.kind
        return {**payload, kind: {**payload.get(kind, {}), "id": media_id}}

    async def _record(self, row: outbox_store.OutboxRow, result: Any,
                      payload: dict[str, Any] | None = None) -> None:
        for attempt in range(3):
            try:
                if isinstance(result, Sent):
                    await self.recorder.record(outbox_store.SentRecord(
                        row.id, result.message_id, result.http_status, result.duration_ms))
                    return
                async with self._pool.acquire() as conn:
                    await self._record_on(conn, row, result, payload)
                return
            except _INFRA_ERRORS as exc:
                log.warning("dispatcher cannot record row %s (try %d): %s", row.id, attempt, exc)
                await asyncio.sleep(0.5 * (attempt + 1))
        # Left as 'sending': after the lease it is sent again (at least once).

    async def _record_on(
        self, conn: asyncpg.Connection, row: outbox_store.OutboxRow, result: Any,
        payload: dict[str, Any] | None = None,
    ) -> None:
        common = {"http_status": result.http_status, "code": result.code, "title": result.title,
                  "duration_ms": result.duration_ms}
        if result.disposition is Disposition.OUTSIDE_WINDOW and row.fallback is not None:
            await outbox_store.switch_to_fallback(conn, row.id, self.name, **common)
            return
        sent = payload or row.payload
        name, language = template_of(sent)
        if result.disposition is Disposition.TEMPLATE_UNAVAILABLE and name is not None \
                and result.code in TEMPLATE_STATUS_OF_CODE:
            # Meta says the template is missing, paused or disabled in that language:
            # remember it (so the next sends wait too) and hold the row.
            async with conn.transaction():
                status = await refusals.record_refusal(
                    conn, recipient=row.recipient, payload=sent, code=result.code,
                    title=result.title)
                await self._hold(conn, row, name, f"template {name} ({language}) is "
                                 f"{status} at Meta ({result.code})", code=result.code)
            return
        if result.disposition is Disposition.OPTED_OUT:
            async with conn.transaction():
                await refusals.record_refusal(conn, recipient=row.recipient, payload=sent,
                                              code=result.code, title=result.title)
                await outbox_store.record_permanent(conn, row, self.name, **common)
            log.info("outbox row %s: recipient stopped marketing (131050)", row.id)
            return
        if result.disposition is Disposition.RETRY:
            delay = backoff(row.attempts, self.config.base_delay, self.config.max_delay)
            if result.retry_after:
                delay = max(delay, result.retry_after)
            dead = await outbox_store.record_retry(conn, row, self.name, delay=delay,
                                                   max_attempts=self.config.max_attempts,
                                                   **common)
            if dead:
                log.error("outbox row %s is a dead letter after %d attempts: %s", row.id,
                          row.attempts + 1, result.title)
            return
        # One transaction: a row seen as failed has already forgotten its
        # upload, so an operator's `outbox retry` at once still uploads afresh.
        async with conn.transaction():
            await outbox_store.record_permanent(conn, row, self.name, **common)
            if row.media_file_id is not None:
                # The upload may be what Meta refused (an id it no longer knows).
                await media_store.forget_upload(conn, row.media_file_id)
        log.warning("outbox row %s failed permanently: %s %s", row.id, result.code, result.title)


def _count_send(row: outbox_store.OutboxRow, result: Any) -> None:
    if isinstance(result, Sent):
        outcome, code = "sent", "none"
        log.info("message sent", extra={"outbox_id": row.id, "recipient": row.recipient,
                                        "wamid": result.message_id})
    else:
        outcome = result.disposition.value
        code = str(result.code) if result.code is not None else (
            f"http_{result.http_status}" if result.http_status else "no_answer")
        log.info("send failed", extra={"outbox_id": row.id, "recipient": row.recipient,
                                       "outcome": outcome, "code": code})
    SENDS.inc(result=outcome, code=code)
    SEND_LATENCY.observe(result.duration_ms / 1000, result=outcome)


def _with_language(payload: dict[str, Any], language: str) -> dict[str, Any]:
    template = dict(payload["template"])
    template["language"] = {**template.get("language", {}), "code": language}
    return {**payload, "template": template}


async def start(runtime: Any, scheduler: Any) -> Callable[[], Awaitable[None]]:
    """Worker component: run one dispatcher with the runtime's settings."""
    settings = runtime.settings
    session = aiohttp.ClientSession()
    graph = GraphClient(session, settings.whatsapp_api_url, settings.whatsapp_phone_number_id,
                        settings.whatsapp_access_token.get_secret_value())
    dispatcher = Dispatcher(runtime.pool, runtime.redis, runtime.keys, graph,
                            settings.database_url,
                            config=DispatcherConfig(max_mps=settings.whatsapp_max_mps))
    task = asyncio.get_running_loop().create_task(dispatcher.run())

    async def stop() -> None:
        await dispatcher.stop()
        try:
            await asyncio.wait_for(task, 30)
        finally:
            await session.close()

    return stop
