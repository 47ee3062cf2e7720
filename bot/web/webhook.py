"""`GET /webhook` (Meta's verification handshake) and `POST /webhook` (updates).

POST only persists, then answers; conversation workers do the rest
(bot/conversation/workers.py). Answers, in order of checks:
- 413 body over 3 MB; 401 no `X-Hub-Signature-256`; 403 wrong signature;
- 200 with `unreadable` (the reason) and `dead_letter`: a correctly signed body
  that is not JSON, not a WhatsApp envelope, has nothing readable in it, or holds
  an id Postgres cannot store. The same bytes would fail on every redelivery
  (WhatsApp retries any non-200 for up to 7 days), so the body is recorded once
  in `webhook_dead_letters` (digest, reason, size, first 64 KB), counted in
  `khaacho_webhook_unreadable_total`, logged without its content, and acknowledged;
- 503 Postgres unavailable: nothing of the POST was written, WhatsApp redelivers;
- 429 with Retry-After: a sender went over SENDER_RATE_LIMIT messages per
  window; the rest of the POST is in the inbox, that sender's wait for redelivery;
- 200 once every message and status of the POST is in the inbox — one
  statement, `ON CONFLICT` on the wamid, a NOTIFY for the workers; POSTs that
  arrive while one such statement runs share the next (the group commit,
  bot/web/persist_batch.py), each still answered with its own outcome. `handled`
  counts the messages taken in for handling, `duplicates` those already in the
  inbox (a redelivery), `statuses` those queued for the outbox. Parts that
  cannot be read are listed under `rejected` and never block the rest.
Nothing else runs before the answer: no Redis, no conversation, no pricing.

The conversation is `app[CONVERSATION]` (set by whoever builds the app: the
production router or a test conversation); the workers started with the app
(`CONVERSATION_WORKERS`, 0 for none) hand it each message.
"""

from __future__ import annotations

import hmac
import json
import logging

import asyncpg
import orjson
from aiohttp import web

from bot.conversation.pipeline import MessageHandler
from bot.conversation.workers import ConversationWorkers
from bot.logs import current_request_id
from bot.metrics import WEBHOOK_UNREADABLE
from bot.store import account_signals
from bot.store import inbox as inbox_store
from bot.store import webhook_dead_letters as dead_letters
from bot.store.webhook_dead_letters import Unreadable
from bot.transient import TRANSIENT
from bot.web.keys import RUNTIME
from bot.web.persist_batch import PERSIST_BATCH
from bot.whatsapp import signals
from bot.whatsapp.signature import HEADER, SignatureCheck, check
from bot.whatsapp.updates import EnvelopeError, edge_for, parse_update

log = logging.getLogger(__name__)

CONVERSATION = web.AppKey("conversation", MessageHandler)
WORKERS = web.AppKey("conversation_workers", ConversationWorkers)
MAX_BODY_BYTES = 3 * 1024 * 1024


def _error(status: int, reason: str, **extra: object) -> web.Response:
    return web.json_response({"error": reason, **extra}, status=status)


async def verify(request: web.Request) -> web.Response:
    """Meta's subscription handshake: echo `hub.challenge` if the token matches."""
    settings = request.app[RUNTIME].settings
    expected = settings.whatsapp_verify_token.get_secret_value()
    mode = request.query.get("hub.mode")
    token = request.query.get("hub.verify_token", "")
    challenge = request.query.get("hub.challenge", "")
    if (
        mode == "subscribe"
        and expected
        and hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
    ):
        return web.Response(text=challenge, content_type="text/plain")
    return web.Response(status=403, text="verification failed", content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    """Verify, parse and handle one webhook POST."""
    settings = request.app[RUNTIME].settings
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return _error(413, "body over 3 MB")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "body over 3 MB")
    if len(raw) > MAX_BODY_BYTES:
        return _error(413, "body over 3 MB")

    verdict = check(settings.whatsapp_app_secret.get_secret_value(), raw,
                    request.headers.get(HEADER))
    if verdict is SignatureCheck.MISSING:
        return _error(401, f"missing {HEADER}")
    if verdict is SignatureCheck.INVALID:
        return _error(403, "signature does not match")

    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        try:
            # orjson refuses integers beyond 64 bits, which are still JSON.
            data = json.loads(raw)
        except (ValueError, RecursionError):
            return await _set_aside(request, raw, Unreadable.NOT_JSON, "body is not JSON")
    try:
        update = parse_update(data, edge_for(settings.whatsapp_phone_number_id,
                                             settings.max_text_chars))
    except EnvelopeError as exc:
        return await _set_aside(request, raw, Unreadable.NOT_ENVELOPE,
                                f"not a WhatsApp webhook envelope: {exc}")
    rejected = [r.model_dump() for r in update.rejected]
    for item in rejected:  # capped by parse_update; the rest only counted
        log.warning("webhook part rejected", extra=item)
    if update.rejected_more:
        log.warning("webhook parts rejected", extra={"more": update.rejected_more})
    if rejected and not (update.messages or update.statuses or update.ignored_fields
                         or update.change_errors or update.signals):
        return await _set_aside(request, raw, Unreadable.NOTHING_READABLE,
                                "nothing in the envelope could be read", rejected=rejected)

    rt = request.app[RUNTIME]
    try:
        applied = None
        if update.signals:
            # Template, account and consent changes are not messages: applied here
            # in one statement (bot/store/account_signals.py), never queued for a
            # conversation. Meta posts them on their own, so a POST is still one statement.
            async with rt.pool.acquire() as conn:
                applied = await account_signals.apply(conn, signals.interpret(
                    update.signals, settings.whatsapp_business_account_id))
        persisted = (await _persist(request, inbox_store.Part(
            update.messages, update.statuses, current_request_id()))
            if update.messages or update.statuses or not update.signals
            else inbox_store.Persisted((), (), (), 1))
    except asyncpg.DataError as exc:
        # An id or number Postgres cannot store as text (a NUL character): the
        # same bytes would fail on every redelivery, so the body is set aside.
        return await _set_aside(request, raw, Unreadable.NOT_STORABLE,
                                f"a message id or sender cannot be stored ({type(exc).__name__})")
    except (*TRANSIENT, asyncpg.PostgresError) as exc:
        log.warning("webhook deferred: %s", exc)
        return _error(503, "temporarily unavailable, retry later")
    if persisted.throttled:
        log.warning("sender over rate limit, deferring their messages",
                    extra={"messages": len(persisted.throttled),
                           "retry_after": persisted.retry_after})
        response = _error(429, "sender over rate limit, retry later",
                          retry_after=persisted.retry_after)
        response.headers["Retry-After"] = str(persisted.retry_after)
        return response
    return web.json_response({
        "handled": len(persisted.inserted),
        "duplicates": len(persisted.duplicates),
        "statuses": {"queued": len(update.statuses)} if update.statuses else {},
        "ignored": update.ignored_fields,
        "rejected": rejected,
        **({"signals": applied.as_dict()} if applied is not None else {}),
    })


async def _persist(request: web.Request, part: inbox_store.Part) -> inbox_store.Persisted:
    """Persist one POST's messages and statuses in the app's group commit."""
    rt = request.app[RUNTIME]
    return await request.app[PERSIST_BATCH].persist(
        rt.pool, part, rate_limit=rt.settings.sender_rate_limit,
        rate_window_seconds=rt.settings.sender_rate_window_seconds)


async def _set_aside(request: web.Request, raw: bytes, reason: Unreadable, detail: str,
                     **extra: object) -> web.Response:
    """Record a signed body nobody can read and acknowledge it, so it is not redelivered.

    Postgres down is still 503: then nothing was recorded, and a redelivery is right.
    """
    rt = request.app[RUNTIME]
    try:
        async with rt.pool.acquire() as conn:
            letter = await dead_letters.record(conn, raw, reason, detail, current_request_id())
    except (*TRANSIENT, asyncpg.PostgresError) as exc:
        log.warning("webhook deferred: %s", type(exc).__name__)
        return _error(503, "temporarily unavailable, retry later")
    WEBHOOK_UNREADABLE.inc(reason=reason.value)
    # Size, digest and reason only: the body may hold phone numbers and text.
    log.warning("webhook body unreadable, set aside", extra={
        "reason": reason.value, "bytes": len(raw), "sha256": letter.sha256[:16],
        "dead_letter": letter.id, "deliveries": letter.deliveries})
    return web.json_response({"handled": 0, "unreadable": reason.value, "error": detail,
                              "dead_letter": letter.id, **extra})


def setup(app: web.Application, conversation: MessageHandler | None = None) -> None:
    """Add the webhook routes (and the conversation, if given now)."""
    if conversation is not None:
        app[CONVERSATION] = conversation
    app.router.add_get("/webhook", verify)
    app.router.add_post("/webhook", receive)
