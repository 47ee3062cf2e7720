"""`/api/…`: the order API for the admin panel and partner apps.

`POST /api/orders` places an order through the same service a WhatsApp
confirmation uses (`bot.services.orders.place_order`: credit check, stock
reservation, routing), in one transaction with its notices in the outbox.
It needs an `Idempotency-Key`: the first result for a key (an order or a
refusal) is kept for a day and replayed for the same request; a different
request with the key is 422. While the first request runs its key is marked
pending in Redis, so a parallel request with the key gets 409
`idempotency_in_progress` (retry for the replay). Postgres' unique
`orders.idempotency_key` is the durable backstop, so even with Redis
flushed a key never places two orders (a race there is a 409 too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import Any

import asyncpg
import orjson
from aiohttp import web
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from redis.exceptions import RedisError

from bot.jsontext import dumps
from bot.services import ledger as ledger_service
from bot.services import orders as order_service
from bot.services import parties
from bot.store import reports
from bot.store.outbox import enqueue
from bot.web.endpoints import (
    IDEMPOTENCY_KEY_PATTERN,
    PHONE_PATTERN,
    ApiError,
    Call,
    EndpointTable,
    decimal_text,
    respond,
)
from bot.web.keys import RUNTIME
from bot.web.middleware import request_id
from domain.ordering import (
    CreditShort,
    NotAllowed,
    Placed,
    Refusal,
    SplitOffer,
    StockShort,
    UnknownItems,
)
from domain.ordertext import parse_message
from domain.routing import CartLine
from flows import order_notices

log = logging.getLogger(__name__)

API = EndpointTable("orders")

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_TTL_SECONDS = 24 * 3600
_KEY_OK = re.compile(IDEMPOTENCY_KEY_PATTERN)


class _Body(BaseModel):
    # No whitespace stripping: a length the document states is the length checked.
    model_config = ConfigDict(extra="forbid")


class OrderItemIn(_Body):
    sku: str = Field(min_length=1, max_length=64)
    qty: decimal_text(gt=0, le=100_000, places=3)  # type: ignore[valid-type]


class PlaceOrderBody(_Body):
    """An order for a retailer: catalogue lines, or a message as a retailer would write it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["items"]}, {"required": ["text"]}]})

    retailer: str = Field(pattern=PHONE_PATTERN, description="retailer phone")
    # Absent means None, but an explicit null is refused: the document has no null
    # for these (Field's default is not validated; a sent value is).
    items: list[OrderItemIn] = Field(default=None, min_length=1, max_length=50)
    text: str = Field(default=None, min_length=1, max_length=2000,
                      description="an order message, e.g. '2 bora mansuli, 5 kg chini'")
    vendor: str = Field(default=None, pattern=PHONE_PATTERN,
                        description="vendor phone (default: routed as on WhatsApp)")

    @model_validator(mode="after")
    def _one_of(self) -> PlaceOrderBody:
        if (self.items is None) == (self.text is None):
            raise ValueError("give exactly one of items or text")
        return self


class ProductsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(default="", max_length=200, description="free text, fuzzy matched")
    vendor: str | None = Field(default=None, description="only this vendor's prices")
    area: str | None = Field(default=None, description="only vendors serving this area")
    limit: int = Field(default=10, ge=1, le=50)

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


# ---------------------------------------------------------------- idempotency


def _fingerprint(body: PlaceOrderBody) -> str:
    return hashlib.sha256(orjson.dumps(body.model_dump(mode="json"),
                                       option=orjson.OPT_SORT_KEYS)).hexdigest()


# A request holding a key marks it pending for at most this long (placing an
# order takes well under a second); a crash mid-request frees the key after it.
IDEMPOTENCY_PENDING_SECONDS = 60
# Delete the pending mark only if it is still ours (not a later request's result).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _in_progress() -> ApiError:
    return ApiError(409, f"a request with this {IDEMPOTENCY_HEADER} is still being processed; "
                         "retry shortly to get its result", code="idempotency_in_progress")


def _decide(saved: dict[str, Any], fingerprint: str) -> web.Response:
    """What a request gets for a key someone already holds: a replay, 422 or 409."""
    if saved["fingerprint"] != fingerprint:
        raise ApiError(422, f"{IDEMPOTENCY_HEADER} was already used for a different request",
                       code="idempotency_key_reused")
    if saved.get("pending"):
        raise _in_progress()
    response = web.Response(text=saved["body"], status=saved["status"],
                            content_type="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


async def _claim(call: Call, key: str, fingerprint: str) -> tuple[web.Response | None, bytes]:
    """Replay the key's result, refuse a reuse, or mark the key pending for this request.

    Returns (a response to give instead, None to go on) and the pending mark.
    Parallel requests with one key therefore see one winner: the others get
    409 while it runs (422 if their body differs) and its replay after.
    Without Redis, Postgres' unique key still prevents a second order.
    """
    redis_key = call.runtime.keys.idempotency(key)
    mark = orjson.dumps({"fingerprint": fingerprint, "pending": True,
                         "request_id": request_id(call.request)})
    try:
        for _ in range(2):  # a result may land between our SET and GET
            if await call.runtime.redis.set(redis_key, mark, ex=IDEMPOTENCY_PENDING_SECONDS,
                                            nx=True):
                return None, mark
            raw = await call.runtime.redis.get(redis_key)
            if raw is not None:
                return _decide(orjson.loads(raw), fingerprint), mark
    except RedisError as exc:
        log.warning("idempotency key not claimed in redis", extra={"error": type(exc).__name__})
        return None, mark
    raise _in_progress()


async def _release(call: Call, key: str, mark: bytes) -> None:
    try:
        await call.runtime.redis.eval(_RELEASE, 1, call.runtime.keys.idempotency(key), mark)
    except RedisError as exc:
        log.warning("idempotency mark not released", extra={"error": type(exc).__name__})


async def _remember(call: Call, key: str, fingerprint: str, status: int, body: str) -> None:
    record = orjson.dumps({"fingerprint": fingerprint, "status": status, "body": body})
    try:
        await call.runtime.redis.set(call.runtime.keys.idempotency(key), record,
                                     ex=IDEMPOTENCY_TTL_SECONDS)
    except RedisError as exc:
        log.warning("idempotency record not kept", extra={"error": type(exc).__name__})


# ---------------------------------------------------------------- placing


def _not_understood(lines: list[dict[str, Any]]) -> ApiError:
    return ApiError(422, "some lines of the text could not be matched to one product",
                    code="not_understood", lines=lines)


async def _items_from_text(call: Call, text: str) -> list[CartLine]:
    """Read the message with the same parser as WhatsApp; every line must be unambiguous."""
    index = await call.request.app[RUNTIME].catalog.index()
    parsed = parse_message(text, index)
    if not parsed.lines:
        raise _not_understood([{"text": text, "status": "unknown", "candidates": []}])
    items: list[CartLine] = []
    problems: list[dict[str, Any]] = []
    for line in parsed.lines:
        candidates = [{"sku": c.sku, "name": c.name, "score": c.score} for c in line.candidates]
        if line.sku is None:
            problems.append({"text": line.text, "status": line.status.value,
                             "candidates": candidates})
        elif line.qty is None or line.qty <= 0:
            problems.append({"text": line.text, "status": "no_quantity", "sku": line.sku,
                             "candidates": candidates})
        else:
            items.append(CartLine(line.sku, line.qty))
    if problems:
        raise _not_understood(problems)
    return items


def _refusal(result: object) -> tuple[int, dict[str, object]]:
    """(status, body) for a result that is not a placed order."""
    if isinstance(result, CreditShort):
        return 409, {"error": "order total is over the retailer's available credit",
                     "code": "credit_short", "shortfall": result.shortfall,
                     "available": result.available, "total": result.total}
    if isinstance(result, StockShort):
        return 409, {"error": "not enough stock for some items", "code": "stock_short",
                     "lines": result.lines, "alternatives": result.alternatives}
    if isinstance(result, SplitOffer):
        return 409, {"error": "no single vendor has every item; place the parts separately",
                     "code": "split_needed", "parts": result.parts,
                     "total": result.total}
    if isinstance(result, UnknownItems):
        return 422, {"error": "unknown sku", "code": "unknown_sku",
                     "skus": result.skus}
    if isinstance(result, NotAllowed):
        status = 409 if result.code is Refusal.IDEMPOTENCY else 422
        return status, {"error": result.reason, "code": result.code}
    raise TypeError(f"unexpected order result {type(result).__name__}")


@API.route("POST", "/api/orders", write=True, body=PlaceOrderBody, success=201,
           summary="Place an order exactly as a WhatsApp confirmation does (idempotent)",
           headers=((IDEMPOTENCY_HEADER, "Unique per intended order (8-200 characters); "
                                         "a repeat returns the first result", True),),
           responses={409: "Refused: credit shortfall, stock, split needed, or key conflict",
                      422: "Unknown sku, unreadable text, or the retailer may not order"})
async def place_order(call: Call) -> web.Response:
    body: PlaceOrderBody = call.body
    key = call.request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not _KEY_OK.match(key):
        raise ApiError(400, f"an {IDEMPOTENCY_HEADER} header of 8-200 letters, digits or "
                            "._:- is required", fields=[{"field": IDEMPOTENCY_HEADER,
                                                         "message": "missing or malformed"}])
    fingerprint = _fingerprint(body)
    replay, mark = await _claim(call, key, fingerprint)
    if replay is not None:
        call.audited = True  # nothing was written
        return replay
    try:
        status, text, duplicate = await _place(call, body, key)
    except ApiError as exc:
        if exc.extra.get("code") == "idempotency_in_progress":
            await _release(call, key, mark)
            raise
        text = dumps({"error": exc.message, **exc.extra, "request_id": request_id(call.request)})
        await _remember(call, key, fingerprint, exc.status, text)
        raise
    except BaseException:
        await _release(call, key, mark)  # an outage or a bug: the key may be tried again
        raise
    await _remember(call, key, fingerprint, status, text)
    response = web.Response(text=text, status=status, content_type="application/json")
    if duplicate:
        response.headers["Idempotent-Replayed"] = "true"
    return response


async def _place(call: Call, body: PlaceOrderBody, key: str) -> tuple[int, str, bool]:
    """(status, JSON text, whether it is an earlier order) of placing the body under `key`."""
    settings = call.runtime.settings
    items = ([CartLine(i.sku, i.qty) for i in body.items] if body.items is not None
             else await _items_from_text(call, body.text or ""))
    payload: dict[str, object]
    try:
        async with call.runtime.pool.acquire() as conn, conn.transaction():
            try:
                retailer = await parties.find_retailer(conn, body.retailer)
                vendor = await parties.find_vendor(conn, body.vendor) if body.vendor else None
            except parties.PartyError as exc:
                raise ApiError(422, str(exc), code="unknown_party") from None
            result = await order_service.place_order(
                conn, retailer_id=retailer.id, items=items,
                vendor_id=vendor.id if vendor else None, source="api", idempotency_key=key,
                actor=call.actor, now=dt.datetime.now(dt.UTC),
                accept_minutes=settings.vendor_accept_minutes, notify_retailer=True)
            if isinstance(result, Placed):
                if not result.duplicate:
                    await enqueue(conn, order_notices.outgoing(result.notices),
                                  request_id=request_id(call.request))
                    await call.audit(conn, "order.place", f"order:{result.order.number}",
                                     {"retailer": retailer.phone, "total": result.order.total,
                                      "idempotency_key": key})
                else:
                    call.audited = True  # the first request's order; nothing new written
                detail = await reports.order_detail(conn, result.order.number)
                status, payload = 201, {"order": detail}
            else:
                status, payload = _refusal(result)
    except asyncpg.UniqueViolationError as exc:
        # Another request with this key committed its order first (Redis could
        # not tell us: down, flushed, or its pending mark expired).
        if "idempotency_key" not in (exc.constraint_name or ""):
            raise
        raise _in_progress() from None
    payload["request_id"] = request_id(call.request)
    return status, dumps(payload), bool(getattr(result, "duplicate", False))


# ---------------------------------------------------------------- reads


@API.route("GET", "/api/retailers/{phone}/credit",
           summary="A retailer's credit: limit, outstanding, open orders, next due, band",
           responses={404: "No such retailer"})
async def retailer_credit(call: Call) -> web.Response:
    async with call.runtime.pool.acquire() as conn:
        try:
            retailer = await parties.find_retailer(conn, call.params["phone"])
        except parties.PartyError as exc:
            raise ApiError(404, str(exc)) from None
        position = await ledger_service.credit_position(conn, retailer.id)
        summary = await reports.retailer_detail(conn, retailer.phone)
    assert summary is not None
    return respond({
        "phone": retailer.phone,
        "shop_name": retailer.shop_name,
        "status": retailer.status,
        "limit": position.limit,
        "outstanding": position.outstanding,
        "open_orders": position.open_orders,
        "available": position.available,
        "terms_days": retailer.credit_terms_days,
        "next_due": ({"date": summary["next_due"], "amount": summary["next_due_amount"]}
                     if summary["next_due"] else None),
        "score": summary["score"],
        "band": summary["band"],
        "score_as_of": summary["score_as_of"],
    })


_OFFERS = """
SELECT p.sku, v.phone AS vendor_phone, v.name AS vendor_name, vp.price, vp.stock, vp.min_qty,
       vp.updated_at
FROM vendor_products vp
JOIN products p ON p.id = vp.product_id
JOIN vendors v ON v.id = vp.vendor_id AND v.active
WHERE p.sku = ANY($1::text[])
  AND ($2::text IS NULL OR v.phone = $2)
  AND ($3::text IS NULL OR serves_area(v.areas, $3))
ORDER BY p.sku, vp.price, v.id
"""


@API.route("GET", "/api/products", query=ProductsQuery, responses={404: "No such vendor"},
           summary="Search the catalogue (the WhatsApp resolver) with price and stock per vendor")
async def products(call: Call) -> web.Response:
    q: ProductsQuery = call.query
    index = await call.request.app[RUNTIME].catalog.index()
    async with call.runtime.pool.acquire() as conn:
        vendor_phone = None
        if q.vendor:
            try:
                vendor_phone = (await parties.find_vendor(conn, q.vendor)).phone
            except parties.PartyError as exc:
                raise ApiError(404, str(exc)) from None
        found: list[tuple[str, float | None]]
        if q.q:
            found = [(c.sku, c.score) for c in index.search(q.q, q.limit * 3)]
        else:
            rows = await conn.fetch("SELECT sku FROM products ORDER BY name LIMIT $1",
                                    q.limit * 3)
            found = [(r["sku"], None) for r in rows]
        offers = await conn.fetch(_OFFERS, [sku for sku, _ in found], vendor_phone, q.area)
    by_sku: dict[str, list[dict[str, Any]]] = {}
    for r in offers:
        offer = dict(r)
        by_sku.setdefault(offer.pop("sku"), []).append(offer)
    filtered = q.vendor is not None or q.area is not None
    out = []
    for sku, score in found:
        if filtered and sku not in by_sku:
            continue
        try:
            product = index.product(sku)
        except KeyError:
            continue  # imported since the index was built; the next refresh has it
        out.append({"sku": sku, "name": product.name, "unit": product.unit,
                    "category": product.category, "score": score,
                    "offers": by_sku.get(sku, [])})
        if len(out) >= q.limit:
            break
    return respond({"query": q.q, "products": out, "count": len(out)})

