"""Handling one inbound message: its effects, its replies and its inbox row in one transaction.

Contract for the conversation side (bot/conversation/router.py implements `MessageHandler`):

    class MessageHandler(Protocol):
        async def handle(self, conn, message: InboundMessage) -> list[Outgoing]: ...
        async def unreadable(self, conn, message: InboundMessage) -> list[Outgoing]: ...

The webhook only persists messages to the inbox (bot/store/inbox.py); a
conversation worker (bot/conversation/workers.py) holds the sender and, per
message in WhatsApp's order for that sender, calls `handle_message`:

    async with conn.transaction():
        outgoing = await conversation.handle(conn, message)   (or .unreadable / nothing)
        await outbox_store.enqueue(conn, outgoing)            (same transaction)
        await mark_done()                                     (inbox row done, lease checked)
    run the after-commit hooks                                 (the sender is still held)

- `handle` gets what the bot can read: text, reply-button and list taps
  (`InteractiveMessage`), template quick replies (`ButtonMessage`) and Flow
  completions. Its business writes go through `conn`, inside the transaction.
- `unreadable` gets what it cannot (image, audio, video, document, sticker,
  location, contacts, catalogue order, unsupported and unknown types): the
  router sends files to the operator inbox and locations to the delivery pin
  (bot/conversation/media_intake.py) and answers the rest with the short,
  polite "I can read text and buttons" reply in the retailer's language: the
  channel decides *what* is unreadable, the flows own the wording.
- Reactions, system notices, deletions and edits are recorded and nothing is said.
- While an operator has taken the conversation over (bot/services/takeover.py)
  every message is recorded and nothing is said or changed: the operator answers.
- Session writes go in `after_commit(fn)`: the hook runs only if the
  transaction committed, while the worker still holds the sender, so a session
  never runs ahead of Postgres. Load the session inside `handle`.
- A flow that fails on a bug raises `FlowFailed` (bot/conversation/router.py):
  the message's transaction rolls back and the message is done once more, the
  failed flow answering only its apology (`apologising()`), so everything else
  the message did before the flow stays, as a savepoint around the flow gave.
- Any other exception rolls the message back; the worker decides whether it is an
  outage (retry later, uncounted) or the message's fault (counted, and parked
  as a dead letter after a few attempts).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from bot.conversation import taken_over
from bot.metrics import MESSAGES, STATUSES
from bot.services.operator_inbox import is_operator_cart
from bot.store import outbox as outbox_store
from bot.store import parties as party_store
from bot.whatsapp.updates import (
    ButtonMessage,
    InboundMessage,
    InteractiveMessage,
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


class FlowFailed(Exception):
    """A flow failed on a bug; the pipeline does the message again, apologising."""


# None outside `handle_message`; False on a message's first try; True when it is
# done again after a flow failed (`FlowFailed`).
_redo: contextvars.ContextVar[bool | None] = contextvars.ContextVar("flow_redo", default=None)


def flow_failure_redoes() -> bool:
    """Whether a failing flow may raise `FlowFailed`: the pipeline will redo the message."""
    return _redo.get() is False


def apologising() -> bool:
    """Whether this is the redo of a message whose flow failed: answer only the apology."""
    return _redo.get() is True


# Label values come from untrusted input: anything else is counted as "other".
_MESSAGE_TYPES = frozenset({"text", "interactive", "button", "image", "audio", "video",
                            "document", "sticker", "location", "contacts", "reaction", "order",
                            "system", "unsupported"})
_STATUS_NAMES = frozenset({"sent", "delivered", "read", "failed", "played", "deleted"})


@dataclass
class _FirstRead:
    """What the message's first statement found about its sender (`party_store.sender`)."""

    phone: str
    found: party_store.Sender
    retailer_taken: bool = False


# The first read of the message being handled, so the router and the retailer
# backend need not ask Postgres again what that one statement already said.
_first: contextvars.ContextVar[_FirstRead | None] = contextvars.ContextVar(
    "sender_first_read", default=None)


async def vendor_of(conn: asyncpg.Connection, phone: str) -> party_store.Vendor | None:
    """The vendor with this phone: as the message's first read found it, else read now.

    A vendor row does not change while one of the vendor's messages is handled
    by the shell, so the first read's answer stands for the whole message.
    """
    first = _first.get()
    if first is not None and first.phone == phone:
        return first.found.vendor
    return await party_store.vendor_by_phone(conn, phone)


async def retailer_of(conn: asyncpg.Connection, phone: str) -> party_store.Retailer | None:
    """The retailer with this phone; the first call per message takes the first read's row.

    Only the first: the flow may register or change the retailer afterwards,
    and what it reads then must be what Postgres holds then.
    """
    first = _first.get()
    if first is not None and first.phone == phone and not first.retailer_taken:
        first.retailer_taken = True
        return first.found.retailer
    return await party_store.retailer_by_phone(conn, phone)


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


async def handle_message(conn: asyncpg.Connection, conversation: MessageHandler | None,
                         message: InboundMessage, *, request_id: str | None,
                         mark_done: Callable[[], Awaitable[None]]) -> int:
    """Handle one message in one transaction on `conn`: effects, replies, the inbox row done.

    `mark_done` runs inside the transaction (it marks the inbox row and checks
    the worker still holds the sender); if anything raises, nothing of the
    message is committed and no after-commit hook runs. Returns the reply count.
    """
    hooks: list[AfterCommit] = []
    token = _hooks.set(hooks)
    first_token = _first.set(None)
    redo_token = _redo.set(False)
    try:
        try:
            action, outgoing = await _transaction(conn, conversation, message,
                                                  request_id=request_id, mark_done=mark_done)
        except FlowFailed:
            # A flow failed on a bug (logged where it failed): its transaction is
            # gone, so the message is done again with that flow answering only its
            # apology — what a savepoint around the flow gave, without a SAVEPOINT
            # on every turn that does not fail.
            hooks.clear()
            _redo.set(True)
            action, outgoing = await _transaction(conn, conversation, message,
                                                  request_id=request_id, mark_done=mark_done)
    except BaseException:
        hooks.clear()
        raise
    finally:
        _redo.reset(redo_token)
        _hooks.reset(token)
        _first.reset(first_token)
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
    return len(outgoing)


async def _transaction(conn: asyncpg.Connection, conversation: MessageHandler | None,
                       message: InboundMessage, *, request_id: str | None,
                       mark_done: Callable[[], Awaitable[None]]) -> tuple[str, list[Outgoing]]:
    """The message's one transaction: what was done with it, and the replies enqueued."""
    async with conn.transaction():
        action = route(message)
        first = None
        _first.set(None)
        if action != "silent" and not is_operator_cart(message.wamid):
            first = _FirstRead(message.sender, await party_store.sender(conn, message.sender))
            _first.set(first)
        if first is not None and first.found.taken_over:
            # An operator holds the conversation (bot/services/takeover.py): the
            # message stays in the inbox as the transcript (a file also goes to
            # the operator inbox); the bot neither answers nor touches the
            # session until it is handed back. A cart an operator made from the
            # inbox is the operator's own doing, so it goes through.
            if action == "unreadable":
                await taken_over.keep(conn, message)
            action = "taken_over"
        if action not in ("silent", "taken_over") and conversation is None:
            raise Unavailable("no conversation is configured")
        if action == "handle":
            assert conversation is not None
            outgoing = await conversation.handle(conn, message)
        elif action == "unreadable":
            assert conversation is not None
            outgoing = await conversation.unreadable(conn, message)
        else:
            outgoing = []
        # The webhook request's id, so logs and the outbox row tie up.
        await outbox_store.enqueue(conn, outgoing, request_id=request_id or message.wamid)
        await mark_done()
    return action, outgoing


def count_status(status: StatusUpdate) -> None:
    """The statuses counter, by kind (label values from untrusted input are bounded)."""
    STATUSES.inc(status=status.status if status.status in _STATUS_NAMES else "other")
