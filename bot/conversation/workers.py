"""Conversation workers: they take the inbox the webhook filled, one sender at a time.

Each worker loop claims the longest-waiting ready sender (a lease on the
sender's row, `FOR UPDATE SKIP LOCKED`: one worker per sender, across
processes), handles up to `batch` of their pending messages in WhatsApp's
order, each in its own transaction that also marks the inbox row done; the
last one's transaction also releases the sender — to the back of the queue if
more is waiting, which is what keeps one flooding number from holding up the
others by more than a batch. A worker that dies loses its claims when their lease runs out.

Failures:
- an outage (`bot.transient.TRANSIENT`: Postgres or Redis unreachable …) is
  nobody's fault: the sender is retried after a pause, attempts uncounted;
- anything else is counted against the message; after `max_attempts` it is
  parked as a dead letter with its error, the sender gets a polite "something
  went wrong, please send that again" and operators get an alert — in one
  transaction — and the sender's next messages go on.

Statuses are applied by one task of the process, a batch at a time
(bot/store/outbox.py), and by one process at a time (an advisory lock): the
conversation loops only ever wait on senders.
Woken by `LISTEN khaacho_inbox` (the webhook NOTIFYs), polling as a fallback: a
NOTIFY says how many senders got messages and whether statuses came, and wakes
that many idle conversation loops (bot/conversation/doorbell.py) and, for
statuses, the status task — not every loop for every status webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from pydantic import TypeAdapter, ValidationError

from bot.conversation.doorbell import Doorbell
from bot.conversation.locks import Held, SenderLocks
from bot.conversation.pipeline import MessageHandler, count_status, handle_message
from bot.conversation.sessions import read_ahead, release_with_save
from bot.db import wake_on_notify
from bot.logs import reset_request_id, set_request_id
from bot.runtime import Runtime
from bot.store import alerts as alert_store
from bot.store import inbox as inbox_store
from bot.store import outbox as outbox_store
from bot.store import parties as party_store
from bot.transient import TRANSIENT
from bot.whatsapp.updates import InboundMessage, StatusUpdate
from domain.alerts import Alert, AlertKind
from flows.i18n import t
from flows.replies import Outgoing, Text

log = logging.getLogger(__name__)

# Reads back what the webhook stored (`model_dump_json(by_alias=True)` of the parsed message).
_MESSAGE: TypeAdapter[InboundMessage] = TypeAdapter(InboundMessage)

# Any constant works, the same in every process ("stat").
STATUS_APPLIER_LOCK = 0x73746174


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How the conversation workers of one process behave."""

    concurrency: int = 4          # worker loops in this process
    batch: int = 8                # messages of one sender per claim (the fairness unit)
    lease_seconds: float = 30.0   # a dead worker's senders come back after this
    max_attempts: int = 3         # failures of one message before it is parked
    retry_seconds: float = 2.0    # first pause after a failure (doubles per attempt)
    poll_seconds: float = 1.0     # without a NOTIFY, look this often anyway
    status_batch: int = 500       # statuses applied per statement
    # Woken for statuses, the task first lets more come in: each webhook brings
    # one, five or so per inbound message, and one transaction per webhook was
    # five round trips each. Nobody waits on a status being marked.
    status_gather_seconds: float = 0.02
    # After a full batch with more waiting, the sender rests this long: one
    # number flooding can take at most batch/pause messages a second of the
    # workers' time, whatever their number; people write far slower.
    flood_pause_seconds: float = 0.25


def config_of(runtime: Runtime) -> WorkerConfig:
    """The worker settings from the process's settings."""
    s = runtime.settings
    return WorkerConfig(concurrency=s.conversation_workers, batch=s.inbox_batch,
                        lease_seconds=s.inbox_lease_seconds, max_attempts=s.inbox_max_attempts,
                        retry_seconds=s.inbox_retry_seconds, poll_seconds=s.inbox_poll_seconds)


@dataclass(slots=True)
class _Lease:
    """A worker's claim on a sender, and whether a message's transaction already ended it."""

    claim: inbox_store.Claim
    released: bool = False


class ConversationWorkers:
    """The loops of one process that work off the inbox."""

    def __init__(self, runtime: Runtime, conversation: MessageHandler | None,
                 config: WorkerConfig | None = None) -> None:
        self.runtime = runtime
        self.conversation = conversation
        self.config = config or config_of(runtime)
        self.name = f"{socket.gethostname()}:{secrets.token_hex(3)}"
        # One bell for the conversation loops (a ring per sender with news), one
        # for the status task; a NOTIFY rings what it announces.
        self._bell = Doorbell(max(1, self.config.concurrency))
        self._status_bell = Doorbell(1)
        self._stopping = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # As long-lived as the lease: a dead worker's Redis lock frees when its lease ends.
        lease = self.config.lease_seconds
        self.locks = SenderLocks(runtime.redis, runtime.keys, ttl=min(30.0, lease),
                                 wait_timeout=max(1.0, lease))

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the LISTEN connection, the worker loops and the status task."""
        loop = asyncio.get_running_loop()
        self._listener = loop.create_task(self._listen())
        self._tasks.append(loop.create_task(self._status_loop()))
        for i in range(max(1, self.config.concurrency)):
            self._tasks.append(loop.create_task(self._loop(f"{self.name}/{i}")))

    async def stop(self) -> None:
        """Finish the message in hand in every loop, release the senders, stop."""
        self._stopping.set()
        self.wake(None)
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    def wake(self, arrival: inbox_store.Arrival | None) -> None:
        """Look at the inbox now: for what `arrival` announces, or (None) for anything."""
        if arrival is None:
            self._bell.ring_all()
            self._status_bell.ring()
            return
        self._bell.ring(arrival.senders)
        if arrival.statuses:
            self._status_bell.ring()

    async def _listen(self) -> None:
        """Keep a LISTEN connection; a dropped one only delays work until the next poll."""
        await wake_on_notify(self.runtime.settings.database_url, inbox_store.NOTIFY_CHANNEL,
                             lambda payload: self.wake(inbox_store.arrival_of(payload)),
                             "inbox")

    async def _loop(self, worker: str) -> None:
        await self._run(self._bell, lambda: self.serve_one(worker), "conversation worker")

    async def _status_loop(self) -> None:
        await self._run(self._status_bell, self._statuses, "status applier",
                        gather=self.config.status_gather_seconds)

    async def _run(self, bell: Doorbell, step: Callable[[], Awaitable[bool]],
                   what: str, *, gather: float = 0.0) -> None:
        """Repeat `step` while it finds work; otherwise wait for a ring or the poll.

        A ring that lands while the step runs is kept by the bell, so it is never
        lost to a wait that begins after it. After a ring the step waits `gather`
        seconds first, so what arrives close together is worked off together.
        """
        while not self._stopping.is_set():
            try:
                busy = await step()
            except TRANSIENT as exc:
                log.warning("%s cannot reach a store: %s", what, exc)
                await self._pause(self._stopping, 1.0)  # not cut short by NOTIFYs
                continue
            except Exception:
                log.exception("%s loop failed", what)
                await self._pause(self._stopping, 1.0)
                continue
            if not busy:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.config.poll_seconds):
                        await bell.wait()
                        if gather:
                            await asyncio.sleep(gather)

    async def _pause(self, wake: asyncio.Event, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=seconds)

    # ------------------------------------------------------------ messages

    async def serve_one(self, worker: str) -> bool:
        """Claim one ready sender and handle a batch of their messages; False if none was ready."""
        cfg = self.config
        async with self.runtime.pool.acquire() as conn:
            # The claim and the sender's pending messages in one round trip.
            claimed = await inbox_store.claim_with_pending(conn, worker, cfg.lease_seconds,
                                                           cfg.batch)
            if claimed is None:
                return False
            claim, items = claimed
            lease = _Lease(claim)
            delay = cfg.retry_seconds
            try:
                # The Redis sender lock as well as the Postgres lease: its keeper
                # extends it while this worker lives, so the Redis session never
                # has two writers even if the lease lapsed under a long pause.
                # The session comes with the lock, in the same round trip.
                session_key = self.runtime.keys.session(claim.sender)
                async with self.locks.hold(claim.sender, read=session_key) as held:
                    with read_ahead(session_key, held.value):
                        delay = await self._batch(conn, worker, held, lease, items)
            finally:
                if not lease.released:
                    with contextlib.suppress(*TRANSIENT):
                        await inbox_store.release_sender(conn, claim, worker,
                                                         delay_seconds=delay)
        return True

    async def _batch(self, conn: asyncpg.Connection, worker: str, held: Held, lease: _Lease,
                     items: list[inbox_store.Pending]) -> float:
        """Handle the claimed messages in order; the pause before the sender is tried again."""
        cfg = self.config
        # A full batch may have more behind it: the sender rests before the next claim.
        rest = cfg.flood_pause_seconds if len(items) >= cfg.batch else 0.0
        delay = 0.0
        for i, item in enumerate(items):
            if self._stopping.is_set():
                break
            if i == len(items) - 1:
                # Nothing follows under the lock: the session save frees it too,
                # and the message's transaction ends the claim.
                with release_with_save(held):
                    delay = await self._one(conn, worker, lease, item, release_after=rest)
            else:
                delay = await self._one(conn, worker, lease, item)
            if delay:
                return delay  # the sender's later messages wait behind this one
        return rest or delay

    async def _one(self, conn: asyncpg.Connection, worker: str, lease: _Lease,
                   item: inbox_store.Pending, *, release_after: float | None = None) -> float:
        """Handle one message; the pause before the sender is tried again (0: go on).

        With `release_after`, the message's own transaction also ends the claim
        (the sender ready again after that many seconds if more is waiting).
        """
        cfg = self.config
        sender = lease.claim.sender
        try:
            message = _MESSAGE.validate_json(item.payload)
        except ValidationError as exc:
            # Stored by an older version in a shape this one cannot read: a person looks.
            await self._park(conn, sender, item, f"unreadable payload: {exc}")
            return 0.0

        async def done() -> None:
            if release_after is None:
                await inbox_store.mark_done(conn, item.wamid, sender, worker, cfg.lease_seconds)
            else:
                await inbox_store.mark_done_and_release(conn, item.wamid, lease.claim, worker,
                                                        delay_seconds=release_after)

        # The webhook request's id, so the worker's log lines and the outbox
        # rows tie up with the POST that brought the message.
        token = set_request_id(item.request_id or item.wamid)
        try:
            await handle_message(conn, self.conversation, message, request_id=item.request_id,
                                 mark_done=done)
            lease.released = release_after is not None  # committed with the message
        except inbox_store.ClaimLost:
            log.warning("sender claim lost; another worker has them", extra={"sender": sender})
            return cfg.retry_seconds
        except TRANSIENT as exc:
            log.warning("message deferred: %s", exc, extra={"wamid": item.wamid})
            return cfg.retry_seconds
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.exception("message failed", extra={"wamid": item.wamid, "sender": sender})
            attempts = await inbox_store.record_failure(conn, item.wamid, error)
            if attempts >= cfg.max_attempts:
                await self._park(conn, sender, item, error)
                return 0.0
            return float(cfg.retry_seconds * 2 ** (attempts - 1))
        finally:
            reset_request_id(token)
        return 0.0

    async def _park(self, conn: asyncpg.Connection, sender: str, item: inbox_store.Pending,
                    error: str) -> None:
        """Dead-letter the message: recorded, the sender told politely, operators alerted."""
        async with conn.transaction():
            if not await inbox_store.park(conn, item.wamid, error):
                return
            lang = await _language(conn, sender)
            await outbox_store.enqueue(conn, [Outgoing(sender, Text(t(lang, "busy_error")))],
                                       request_id=item.request_id or item.wamid)
            await alert_store.raise_alert(
                conn, Alert(AlertKind.DEAD_LETTER, f"inbound:{item.wamid}",
                            "A message could not be handled and was set aside"),
                details={"wamid": item.wamid, "sender": sender, "error": error[:500]})
        log.error("message parked as a dead letter", extra={"wamid": item.wamid,
                                                            "sender": sender})

    # ------------------------------------------------------------ statuses

    async def _statuses(self) -> bool:
        """Apply one batch of received statuses to the outbox; True if more may be waiting."""
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            # One applier at a time across every process: batches applied side by
            # side touch the same outbox rows (a message's sent in one, its read in
            # the next) and waited on each other's row locks — three quarters of
            # Postgres's statement time in the bench. Batches are large, so one keeps up.
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)",
                                       STATUS_APPLIER_LOCK):
                return False
            taken = await inbox_store.take_statuses(conn, self.config.status_batch)
            if not taken:
                return False
            read: list[inbox_store.TakenStatus] = []
            statuses: list[StatusUpdate] = []
            for item in taken:
                try:
                    statuses.append(StatusUpdate.model_validate_json(item.payload))
                    read.append(item)
                except ValidationError:
                    log.warning("stored status unreadable; dropped")
            applied = await outbox_store.apply_statuses(conn, statuses)
            await inbox_store.put_back_statuses(conn, [read[i] for i in applied.deferred])
        waiting = set(applied.deferred)
        for index, status in enumerate(statuses):
            if index not in waiting:
                count_status(status)
        # A batch short of full took all there was: the loop waits for the next
        # ring. Only deferred ones left: not busy either, so the loop does not
        # spin on rows whose dispatcher has not committed yet.
        return len(taken) >= self.config.status_batch and len(waiting) < len(taken)


async def _language(conn: asyncpg.Connection, phone: str) -> str:
    vendor = await party_store.vendor_by_phone(conn, phone)
    if vendor is not None:
        return vendor.language
    retailer = await party_store.retailer_by_phone(conn, phone)
    return retailer.language if retailer is not None else "en"


async def drained(pool: asyncpg.Pool, *, within: float = 30.0,
                  interval: float = 0.02) -> None:
    """Wait until no message or status waits in the inbox and no sender is held.

    The one way tests (and the bench) wait for the workers to catch up; a
    message waiting out a retry pause counts as waiting.
    """
    async with asyncio.timeout(within):
        while True:
            async with pool.acquire() as conn:
                busy = await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM inbound_messages WHERE status = 'pending') "
                    "OR EXISTS (SELECT 1 FROM inbox_statuses) "
                    "OR EXISTS (SELECT 1 FROM inbox_senders WHERE claimed_by IS NOT NULL)")
            if not busy:
                return
            await asyncio.sleep(interval)



async def start(runtime: Runtime, conversation: MessageHandler | None,
                config: WorkerConfig | None = None) -> ConversationWorkers:
    """Start a process's conversation workers; `await workers.stop()` on the way out."""
    workers = ConversationWorkers(runtime, conversation, config)
    await workers.start()
    return workers
