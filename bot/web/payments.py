"""What a customer's browser reaches around a gateway payment (no login: the links are the key).

- `GET /payments/khalti/return` — where Khalti sends the browser after its page;
- `GET /payments/esewa/{token}` — the short link the bot sends: an auto-submitting
  form, signed, posted to ESEWA_FORM_URL;
- `GET /payments/esewa/success?data=…` / `GET /payments/esewa/failure?t=…` — eSewa's
  redirects back.

Nothing a browser brings is believed: the query names the intent, and the gateway's
status API is then asked (bot/services/payments.check), which settles it once.
Every answer is a small page in the retailer's language.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from bot import gateways
from bot.gateways.esewa import EsewaClient
from bot.services import payments
from bot.store import parties as party_store
from bot.store import payment_intents as intents
from bot.web.keys import RUNTIME
from domain.payments import Gateway, IntentState, SignatureError, esewa_read_response
from flows.i18n import money, t
from flows.money_notices import payment_notices

_PAGE_KEYS = {IntentState.PAID: "pay.page.paid", IntentState.PENDING: "pay.page.pending",
              IntentState.HELD: "pay.page.held", IntentState.EXPIRED: "pay.page.closed",
              IntentState.CANCELED: "pay.page.closed", IntentState.FAILED: "pay.page.closed"}
# Tokens and references are short; anything longer is not ours.
_MAX_ID = 100


def _page(lang: str, text: str, *, status: int = 200, body: str = "",
          csp: str | None = None) -> web.Response:
    title = html.escape(t(lang, "pay.page.title"))
    doc = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
           '<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{title}</title></head><body><h1>{title}</h1>"
           f"<p>{html.escape(text)}</p>{body}</body></html>")
    response = web.Response(text=doc, content_type="text/html", status=status)
    if csp is not None:
        response.headers["Content-Security-Policy"] = csp
    return response


async def _language(request: web.Request, intent: intents.Intent | None) -> str:
    if intent is None:
        return "en"
    async with request.app[RUNTIME].pool.acquire() as conn:
        retailer = await party_store.retailer(conn, intent.retailer_id)
    return "ne" if retailer is not None and retailer.language == "ne" else "en"


async def _outcome(request: web.Request, intent: intents.Intent | None) -> web.Response:
    """Ask the gateway about `intent` (settling it), then say where it stands."""
    if intent is None:
        return _page("en", t("en", "pay.page.unknown"), status=404)
    rt = request.app[RUNTIME]
    client = gateways.clients(rt.settings).get(intent.gateway)
    if client is not None and intent.state is IntentState.PENDING:
        await payments.check(rt.pool, client, intent, settings=rt.settings,
                             now=dt.datetime.now(dt.UTC), word=payment_notices)
        async with rt.pool.acquire() as conn:
            intent = await intents.by_id(conn, intent.id)
        assert intent is not None
    lang = await _language(request, intent)
    return _page(lang, t(lang, _PAGE_KEYS[intent.state], amount=money(lang, intent.amount)))


def _id(value: str | None) -> str | None:
    return value if value and len(value) <= _MAX_ID and value.isprintable() else None


async def khalti_return(request: web.Request) -> web.Response:
    """Khalti's redirect: `?pidx=…&status=…` (the status there is not believed)."""
    pidx = _id(request.query.get("pidx"))
    intent = None
    if pidx is not None:
        async with request.app[RUNTIME].pool.acquire() as conn:
            intent = await intents.by_reference(conn, Gateway.KHALTI, pidx)
    return await _outcome(request, intent)


async def esewa_link(request: web.Request) -> web.Response:
    """The short link: a form that posts itself to eSewa, signed with the merchant key."""
    rt = request.app[RUNTIME]
    token = _id(request.match_info["token"])
    intent = None
    if token is not None:
        async with rt.pool.acquire() as conn:
            intent = await intents.by_token(conn, token)
    if intent is None or intent.gateway is not Gateway.ESEWA:
        return _page("en", t("en", "pay.page.unknown"), status=404)
    lang = await _language(request, intent)
    client = gateways.clients(rt.settings).get(Gateway.ESEWA)
    if intent.state is not IntentState.PENDING or not isinstance(client, EsewaClient) \
            or intent.expires_at <= dt.datetime.now(dt.UTC):
        key = _PAGE_KEYS[intent.state] if intent.state is not IntentState.PENDING \
            else "pay.page.closed"
        return _page(lang, t(lang, key, amount=money(lang, intent.amount)))
    nonce = secrets.token_urlsafe(16)
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in client.form_fields(intent).items())
    button = html.escape(t(lang, "pay.page.esewa_button"))
    form = (f'<form id="pay" method="post" action="{html.escape(client.form_url)}">{inputs}'
            f'<button type="submit">{button}</button></form>'
            f'<script nonce="{nonce}">document.getElementById("pay").submit();</script>')
    target = urlsplit(client.form_url)
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; "
           f"form-action {target.scheme}://{target.netloc}; frame-ancestors 'none'; "
           "base-uri 'none'")
    return _page(lang, t(lang, "pay.page.esewa", amount=money(lang, intent.amount)),
                 body=form, csp=csp)


async def esewa_success(request: web.Request) -> web.Response:
    """eSewa's success redirect: verify its signed `data`, then ask the status API."""
    rt = request.app[RUNTIME]
    client = gateways.clients(rt.settings).get(Gateway.ESEWA)
    data = request.query.get("data", "")
    if not isinstance(client, EsewaClient) or not data or len(data) > 4096:
        return _page("en", t("en", "pay.page.unknown"), status=400)
    try:
        answer = esewa_read_response(client.secret, data)
    except SignatureError:
        return _page("en", t("en", "pay.page.unknown"), status=400)
    async with rt.pool.acquire() as conn:
        intent = await intents.by_reference(conn, Gateway.ESEWA, answer.transaction_uuid)
    return await _outcome(request, intent)


async def esewa_failure(request: web.Request) -> web.Response:
    """eSewa's failure redirect (`?t=<token>`, ours): the status API still decides."""
    token = _id(request.query.get("t"))
    intent = None
    if token is not None:
        async with request.app[RUNTIME].pool.acquire() as conn:
            intent = await intents.by_token(conn, token)
    if intent is not None and intent.gateway is not Gateway.ESEWA:
        intent = None
    return await _outcome(request, intent)


def setup(app: web.Application) -> None:
    """Add the payment pages."""
    app.router.add_get("/payments/khalti/return", khalti_return)
    app.router.add_get("/payments/esewa/success", esewa_success)
    app.router.add_get("/payments/esewa/failure", esewa_failure)
    app.router.add_get("/payments/esewa/{token}", esewa_link)
