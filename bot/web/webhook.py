"""`GET /webhook` (Meta's verification handshake) and `POST /webhook` (updates).

POST answers, in order of checks:
- 413 body over 3 MB; 401 no `X-Hub-Signature-256`; 403 wrong signature;
- 400 not JSON, or not a WhatsApp envelope, or nothing in it readable (with a reason);
- 429 with Retry-After: a sender went over SENDER_RATE_LIMIT messages per
  window; the others in the POST are handled, the sender's wait for redelivery;
- 503 Postgres/Redis unavailable (or no conversation configured): WhatsApp
  redelivers, and whatever was already committed is skipped then;
- 200 once every message's effects and replies are committed. Parts that
  cannot be read are listed under `rejected` and never block the rest.

The conversation is `app[CONVERSATION]` (set by whoever builds the app: the
production router or a test conversation).
"""

from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass

import orjson
from aiohttp import web

from bot.conversation.locks import SenderLocks
from bot.conversation.pipeline import InboundPipeline, MessageHandler, Throttled, Unavailable
from bot.rate_limits import RateLimiter
from bot.web.keys import RUNTIME
from bot.whatsapp.signature import HEADER, SignatureCheck, check
from bot.whatsapp.updates import EnvelopeError, edge_for, parse_update

log = logging.getLogger(__name__)

CONVERSATION = web.AppKey("conversation", MessageHandler)
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


@dataclass(slots=True)
class _Channel:
    pipeline: InboundPipeline | None = None


_CHANNEL = web.AppKey("whatsapp_channel", _Channel)


def _pipeline(app: web.Application) -> InboundPipeline:
    holder = app[_CHANNEL]
    if holder.pipeline is None:
        rt = app[RUNTIME]
        # Per sender, in Redis (so it holds across instances): a flood from one
        # number waits for redelivery while everyone else is served.
        limiter = RateLimiter(rt.redis, rt.keys, "sender", limit=rt.settings.sender_rate_limit,
                              window=rt.settings.sender_rate_window_seconds)
        holder.pipeline = InboundPipeline(rt.pool, rt.redis, rt.keys, app.get(CONVERSATION),
                                          locks=SenderLocks(rt.redis, rt.keys), limiter=limiter)
    return holder.pipeline


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
            return _error(400, "body is not JSON")
    try:
        update = parse_update(data, edge_for(settings.whatsapp_phone_number_id,
                                             settings.max_text_chars))
    except EnvelopeError as exc:
        return _error(400, f"not a WhatsApp webhook envelope: {exc}")
    rejected = [r.model_dump() for r in update.rejected]
    for item in rejected:  # capped by parse_update; the rest only counted
        log.warning("webhook part rejected", extra=item)
    if update.rejected_more:
        log.warning("webhook parts rejected", extra={"more": update.rejected_more})
    if rejected and not (update.messages or update.statuses or update.ignored_fields
                         or update.change_errors):
        return _error(400, "nothing in the envelope could be read", rejected=rejected)

    try:
        summary = await _pipeline(request.app).process(update)
    except Unavailable as exc:
        log.warning("webhook deferred: %s", exc)
        return _error(503, "temporarily unavailable, retry later")
    except Throttled as exc:
        response = _error(429, "sender over rate limit, retry later",
                          retry_after=exc.retry_after)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return web.json_response({
        "handled": len(summary.handled),
        "duplicates": len(summary.duplicates),
        "statuses": summary.statuses,
        "ignored": update.ignored_fields,
        "rejected": rejected,
    })


def setup(app: web.Application, conversation: MessageHandler | None = None) -> None:
    """Add the webhook routes (and the conversation, if given now)."""
    if conversation is not None:
        app[CONVERSATION] = conversation
    app[_CHANNEL] = _Channel()
    app.router.add_get("/webhook", verify)
    app.router.add_post("/webhook", receive)
