"""The inbound pipeline: each WhatsApp message handled exactly once, replies in the outbox.

Contract for the conversation side (bot/conversation/router.py implements `MessageHandler`):

    class MessageHandler(Protocol):
        async def handle(self, conn, message: InboundMessage) -> list[Outgoing]: ...
        async def unreadable(self, conn, message: InboundMessage) -> list[Outgoing]: ...

Per message, in the order the senders wrote them (different senders in parallel):

    if the Redis guard says the wamid is done: skip              (fast path)
    async with locks.hold(sender):                                (per-sender order)
        async with pool.acquire() as conn, conn.transaction():
            if not await inbox_store.claim(conn, message): skip (the durable truth)
            outgoing = await conversation.handle(conn, message)   (or .unreadable / nothing)
            await outbox_store.enqueue(conn, outgoing)            (same transaction)
        run the after-commit hooks                                 (still under the lock)
    mark the guard

- `handle` gets what the bot can read: text, reply-button and list taps
  (`InteractiveMessage`), template quick replies (`ButtonMessage`) and Flow
  completions. Its business writes go through `conn`, inside the transaction.
- `unreadable` gets what it cannot (image, audio, video, document, sticker,
  location, contacts, catalogue order, unsupported and unknown types) and
  returns the short, polite "I can read text and buttons" reply in the
  retailer's language: the channel decides *what* is unreadable, the flows own
  the wording.
- Reactions, system notices, deletions and edits are recorded and nothing is said.
- Session writes go in `after_commit(fn)`: the hook runs only if the
  transaction committed, while the sender's lock is still held, so a session
  never runs ahead of Postgres. Load the session inside `handle` (the lock is held).
- Any exception (Postgres or Redis down, a bug in a flow) rolls the message
  back and surfaces as `Unavailable`: the webhook answers 503 and WhatsApp
  redelivers later, which the wamid claim makes safe.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg
import redis.asyncio as redis

from bot.conversation.locks import SenderLocks
from bot.kv import Keys
from bot.logs import current_request_id
from bot.metrics import MESSAGES, STATUSES
from bot.rate_limits import RateLimiter
from bot.store import inbox as inbox_store
from bot.store import outbox as outbox_store
from bot.transient import TRANSIENT
from bot.whatsapp.updates import (
    ButtonMessage,
    InboundMessage,
    InteractiveMessage,
    ParsedUpdate,
    ReactionMessage,
    StatusUpdate,
    SystemMessage,
    TextMessage,
    UnsupportedMessage,
)
from flows.replies import Outgoing

log = logging.getLogger(__name__)

GUARD_TTL_SECONDS = 8 * 24 * 3600  # WhatsApp redelivers for up to 7 days
_SILENT_UNSUPPORTED = frozenset({"revoke", "edit", "deleted", "ephemeral"})
_SILENT_INTERACTIVE = frozenset({"call_permission_reply"})


class MessageHandler(Protocol):
    """What the pipeline needs from the conversation side: one message on one connection."""

    async def handle(self, conn: asyncpg.Connection, message: InboundMessage) -> list[Outgoing]:
        """React to a message the bot can read; return the replies."""
        ...

    async def unreadable(
        self, conn: asyncpg.Connection, message: InboundMessage
    ) -> list[Outgoing]:
        """Say politely, in the sender's language, what the bot can read."""
        ...


class Unavailable(Exception):
    """A message could not be handled now; WhatsApp should redeliver it later."""


class Throttled(Exception):
    """A sender is over their message rate: answer 429 so WhatsApp redelivers later.

    Only that sender's messages wait; everyone else's in the same POST are
    handled, and on redelivery those are skipped as duplicates.
    """

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"sender over rate limit, retry after {retry_after}s")
        self.retry_after = retry_after


# Label values come from untrusted input: anything else is counted as "other".
_MESSAGE_TYPES = frozenset({"text", "interactive", "button", "image", "audio", "video",
                            "document", "sticker", "location", "contacts", "reaction", "order",
                            "system", "unsupported"})
_STATUS_NAMES = frozenset({"sent", "delivered", "read", "failed", "played", "deleted"})


AfterCommit = Callable[[], Awaitable[None]]
_hooks: contextvars.ContextVar[list[AfterCommit] | None] = contextvars.ContextVar(
    "after_commit_hooks", default=None)


def after_commit(hook: AfterCommit) -> None:
    """Run `hook` once the current message's transaction has committed."""
    hooks = _hooks.get()
    if hooks is None:
        raise RuntimeError("after_commit() is only available while a message is handled")
    hooks.append(hook)


def route(message: InboundMessage) -> str:
    """"handle", "unreadable" or "silent": what the pipeline does with a message."""
    if isinstance(message, TextMessage | ButtonMessage):
        return "handle"
    if isinstance(message, InteractiveMessage):
        if message.interactive.type in _SILENT_INTERACTIVE:
            return "silent"
        has_reply = message.reply_id is not None or message.interactive.nfm_reply is not None
        return "handle" if has_reply else "unreadable"
    if isinstance(message, ReactionMessage | SystemMessage):
        return "silent"
    if isinstance(message, UnsupportedMessage) and message.type in _SILENT_UNSUPPORTED:
        return "silent"
    return "unreadable"


@dataclass(slots=True)
class Summary:
    """What one webhook POST amounted to."""

    handled: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)


class InboundPipeline:
    """Handles parsed webhook updates against Postgres, Redis and a `MessageHandler`."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        client: redis.Redis,
        keys: Keys,
        conversation: MessageHandler | None,
        *,
        locks: SenderLocks | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._pool = pool
        self._redis = client
        self._keys = keys
        self._conversation = conversation
        self._locks = locks or SenderLocks(client, keys)
        self._limiter = limiter

    async def process(self, update: ParsedUpdate) -> Summary:
        """Handle every message and status of one POST; raise `Unavailable` if any failed.

        Messages of one sender run in the order given; senders run in parallel.
        Everything that succeeded stays done: on redelivery it is skipped.
        """
        summary = Summary()
        by_sender: dict[str, list[InboundMessage]] = {}
        for message in update.messages:
            by_sender.setdefault(message.sender, []).append(message)

        async def run_sender(messages: Sequence[InboundMessage]) -> None:
            for message in messages:
                if await self.handle_message(message):
                    summary.handled.append(message.wamid)
                else:
                    summary.duplicates.append(message.wamid)

        results = await asyncio.gather(
            *(run_sender(msgs) for msgs in by_sender.values()),
            *(self._status(s, summary) for s in update.statuses),
            return_exceptions=True,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        throttled = [f for f in failures if isinstance(f, Throttled)]
        failures = [f for f in failures if not isinstance(f, Throttled)]
        for failure in failures:
            if not isinstance(failure, Unavailable):
                log.error("webhook update failed", exc_info=failure)
        if failures:
            raise Unavailable(str(failures[0]) or type(failures[0]).__name__)
        if throttled:
            raise Throttled(max(t.retry_after for t in throttled))
        return summary

    async def _status(self, status: StatusUpdate, summary: Summary) -> None:
        outcome = await self.handle_status(status)
        summary.statuses[outcome] = summary.statuses.get(outcome, 0) + 1
        STATUSES.inc(status=status.status if status.status in _STATUS_NAMES else "other")

    async def handle_status(self, status: StatusUpdate) -> str:
        """Apply one status webhook to the outbox."""
        try:
            async with self._pool.acquire() as conn:
                return await outbox_store.apply_status(conn, status)
        except TRANSIENT as exc:
            raise Unavailable(f"postgres: {exc}") from exc

    async def handle_message(self, message: InboundMessage) -> bool:
        """Handle one message exactly once; False if it had been handled before."""
        try:
            if await self._redis.exists(self._keys.seen(message.wamid)):
                return False
            if self._limiter is not None:
                decision = await self._limiter.hit(message.sender)
                if not decision.allowed:
                    if decision.first_refusal:  # once per window, not once per message
                        log.warning("sender over rate limit, deferring their messages",
                                    extra={"sender": message.sender,
                                           "retry_after": decision.retry_after})
                    raise Throttled(decision.retry_after)
            async with self._locks.hold(message.sender):
                handled = await self._handle_locked(message)
        except (Unavailable, Throttled):
            raise
        except Exception as exc:
            # Postgres or Redis unreachable, lock timeout, or a bug in a flow:
            # nothing was committed for this message, so redelivery is safe.
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
        try:
            await self._redis.set(self._keys.seen(message.wamid), b"1", ex=GUARD_TTL_SECONDS)
        except redis.RedisError:
            log.warning("could not mark wamid in Redis; Postgres still dedupes it")
        return handled

    async def _handle_locked(self, message: InboundMessage) -> bool:
        hooks: list[AfterCommit] = []
        token = _hooks.set(hooks)
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                if not await inbox_store.claim(conn, message):
                    return False
                action = route(message)
                if action != "silent" and self._conversation is None:
                    raise Unavailable("no conversation is configured")
                if action == "handle":
                    assert self._conversation is not None
                    outgoing = await self._conversation.handle(conn, message)
                elif action == "unreadable":
                    assert self._conversation is not None
                    outgoing = await self._conversation.unreadable(conn, message)
                else:
                    outgoing = []
                # The webhook request's id, so logs and the outbox row tie up.
                await outbox_store.enqueue(conn, outgoing,
                                           request_id=current_request_id() or message.wamid)
        except BaseException:
            hooks.clear()
            raise
        finally:
            _hooks.reset(token)
        for hook in hooks:
            try:
                await hook()
            except Exception:
                # The effects are committed; a lost session write only means the
                # conversation resumes from its previous state.
                log.exception("after-commit hook failed", extra={"wamid": message.wamid})
        kind = message.type if message.type in _MESSAGE_TYPES else "other"
        MESSAGES.inc(type=kind)
        log.info("message handled", extra={"wamid": message.wamid, "sender": message.sender,
                                           "type": kind, "action": action,
                                           "replies": len(outgoing)})
        if isinstance(message, TextMessage):
            # Only at DEBUG: what people write stays out of shipped logs.
            log.debug("message text", extra={"wamid": message.wamid, "sender": message.sender,
                                             "body": message.text.body})
        return True
