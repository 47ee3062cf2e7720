"""The APIs answer 4xx for bad input and 503 for an outage, never a 500 (issue 19).

One mechanism each: text no column stores is refused at the request edge
(path, query, body), row numbers are int4 and timestamps convert to UTC in the
models, and whatever Postgres still refuses as data is mapped to 400 by the
middleware; every TRANSIENT failure is a 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import redis.asyncio as redis_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.dev.demo_catalog import load_demo
from bot.processes import create_app
from bot.runtime import Runtime
from bot.services import parties
from bot.web.middleware import SECURITY_HEADERS
from tests.ops.helpers import bearer, seed_basic, serving

PHONE = "9812345123"


async def _get(runtime: Runtime, path: str) -> tuple[int, Any]:
    async with serving(runtime) as client:
        resp = await client.get(path, headers=bearer())
        return resp.status, await resp.json()


async def _post(runtime: Runtime, path: str, body: object) -> tuple[int, Any]:
    async with serving(runtime) as client:
        resp = await client.post(path, json=body, headers=bearer())
        return resp.status, await resp.json()


# ---------------------------------------------------------------- NUL and surrogates


async def test_nul_in_a_query_value_is_a_400_naming_the_parameter(runtime: Runtime) -> None:
    status, body = await _get(runtime, "/api/admin/orders?retailer=%00")
    assert status == 400
    assert body["fields"] == [{"field": "query.retailer", "message": "unstorable character"}]


async def test_nul_in_a_path_segment_is_a_400(runtime: Runtime) -> None:
    status, body = await _get(runtime, "/api/admin/retailers/%00")
    assert status == 400
    assert body["fields"][0]["field"] == "path"


async def test_a_lone_surrogate_in_the_path_is_a_400(runtime: Runtime) -> None:
    status, _ = await _get(runtime, "/api/admin/vendors/%ED%A0%80")
    assert status in (400, 404)  # undecodable UTF-8 never reaches a handler as text


async def test_nul_in_a_block_reason_is_a_400_naming_the_field(runtime: Runtime) -> None:
    await seed_basic(runtime)
    status, body = await _post(runtime, f"/api/admin/retailers/{PHONE}/block",
                               {"reason": "bad\u0000debt"})
    assert status == 400
    assert body["fields"] == [{"field": "reason", "message": "unstorable character"}]
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM retailers") == "active"


async def test_nul_in_a_payment_reference_is_a_400(runtime: Runtime) -> None:
    await seed_basic(runtime)
    status, body = await _post(runtime, "/api/admin/payments",
                               {"retailer": PHONE, "amount": "100", "reference": "ab\u0000"})
    assert status == 400
    assert body["fields"][0]["field"] == "reference"


async def test_nul_deep_in_an_order_body_names_its_path(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.post("/api/orders", headers={**bearer(), "Idempotency-Key": "k" * 9},
                                 json={"retailer": PHONE, "items": [{"sku": "A\u0000", "qty": 1}]})
        body = await resp.json()
    assert resp.status == 400
    assert body["fields"][0]["field"] == "items.0.sku"


# ---------------------------------------------------------------- numbers beyond the columns


async def test_an_order_number_beyond_int4_is_a_400(runtime: Runtime) -> None:
    status, body = await _get(runtime, "/api/admin/orders/999999999999")
    assert status == 400
    assert body["fields"][0]["field"] == "number"


@pytest.mark.parametrize("number", ["²", "١٠٠١", "+1001", "1001.0", "0"])
async def test_an_order_number_is_ascii_digits_only(runtime: Runtime, number: str) -> None:
    await seed_basic(runtime)  # order #1001 exists: none of these may name it
    status, _ = await _get(runtime, f"/api/admin/orders/{number}")
    assert status == 400


async def test_a_payment_for_an_order_beyond_int4_is_a_400(runtime: Runtime) -> None:
    await seed_basic(runtime)
    status, body = await _post(runtime, "/api/admin/payments",
                               {"retailer": PHONE, "amount": "100", "order": 1099511627776})
    assert status == 400
    assert body["fields"][0]["field"] == "order"
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM payments") == 0


@pytest.mark.parametrize(("since", "count"), [
    ("0001-01-01T00:00:00%2B14:00", 1), ("0001-01-01", 1), ("9999-12-31T23:59:59-23:59", 0)])
async def test_a_since_beyond_utc_is_clamped_not_a_500(runtime: Runtime, since: str,
                                                       count: int) -> None:
    """Before year 1 in UTC means "since the beginning"; after 9999, "nothing yet"."""
    await seed_basic(runtime)
    status, body = await _get(runtime, f"/api/admin/orders?since={since}")
    assert status == 200, body
    assert body["count"] == count


async def test_a_valid_since_still_filters(runtime: Runtime) -> None:
    await seed_basic(runtime)
    status, body = await _get(runtime, "/api/admin/orders?since=2000-01-01T00:00:00%2B05:45")
    assert status == 200
    assert body["count"] == 1


# ---------------------------------------------------------------- the middleware's backstop


async def _serve_route(runtime: Runtime, handler: Any) -> tuple[int, Any, Any]:
    app = create_app(runtime)
    app.router.add_get("/api/probe", handler)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        resp = await client.get("/api/probe")
        return resp.status, await resp.json(), resp.headers
    finally:
        await client.close()


async def test_postgres_refusing_a_character_is_a_400_not_a_500(runtime: Runtime) -> None:
    async def probe(request: web.Request) -> web.Response:
        async with runtime.pool.acquire() as conn:
            await conn.fetchval("SELECT convert_from('\\x00'::bytea, 'UTF8')")
        return web.json_response({})

    status, body, _ = await _serve_route(runtime, probe)
    assert status == 400
    assert body["error"] == "a value is out of range or not storable"


async def test_asyncpg_refusing_an_int4_argument_is_a_400(runtime: Runtime) -> None:
    async def probe(request: web.Request) -> web.Response:
        async with runtime.pool.acquire() as conn:
            await conn.fetchval("SELECT $1::int4", 2**40)
        return web.json_response({})

    status, _, _ = await _serve_route(runtime, probe)
    assert status == 400


async def test_a_numeric_overflow_in_sql_is_a_400(runtime: Runtime) -> None:
    async def probe(request: web.Request) -> web.Response:
        async with runtime.pool.acquire() as conn:
            await conn.fetchval("SELECT 999999999999999.99::numeric(14,2)")
        return web.json_response({})

    status, _, _ = await _serve_route(runtime, probe)
    assert status == 400


async def test_an_outage_is_a_503_with_retry_after(runtime: Runtime) -> None:
    async def probe(request: web.Request) -> web.Response:
        raise ConnectionRefusedError("db down")

    status, body, headers = await _serve_route(runtime, probe)
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert body["retry_after"] == 5


# ---------------------------------------------------------------- Redis down


@pytest.fixture
async def no_redis(runtime: Runtime) -> Any:
    dead = redis_asyncio.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    yield Runtime(runtime.settings, runtime.pool, dead, runtime.keys)
    await dead.aclose()


@pytest.mark.parametrize("path", ["/api/admin/sessions", f"/api/admin/sessions/{PHONE}"])
async def test_sessions_answer_503_when_redis_is_unreachable(no_redis: Runtime,
                                                             path: str) -> None:
    status, body = await _get(no_redis, path)
    assert status == 503
    assert "retry" in body["error"]


async def test_resetting_a_session_is_a_503_when_redis_is_unreachable(no_redis: Runtime) -> None:
    status, _ = await _post(no_redis, f"/api/admin/sessions/{PHONE}/reset", {})
    assert status == 503


# ---------------------------------------------------------------- idempotency under load

SHOPS = [f"97798123450{i:02d}" for i in range(4)]


@pytest.fixture
async def market(runtime: Runtime) -> Runtime:
    await load_demo(runtime.pool)
    async with runtime.pool.acquire() as conn:
        for shop in SHOPS:
            await parties.add_retailer(conn, phone=shop, shop_name="Shop", area="Kathmandu",
                                       credit_limit=Decimal("100000"), approve=True,
                                       actor="test", now=dt.datetime.now(dt.UTC))
    return runtime


async def _parallel_orders(runtime: Runtime, bodies: list[dict[str, Any]]
                           ) -> list[tuple[int, Any]]:
    headers = {**bearer(), "Idempotency-Key": "parallel-key-1"}
    async with serving(runtime) as client:
        async def one(body: dict[str, Any]) -> tuple[int, Any]:
            resp = await client.post("/api/orders", json=body, headers=headers)
            return resp.status, await resp.json()
        return await asyncio.gather(*(one(b) for b in bodies))


async def test_one_key_for_four_retailers_in_parallel_places_one_order(market: Runtime) -> None:
    bodies = [{"retailer": s, "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]}
              for s in SHOPS]
    results = await _parallel_orders(market, bodies)
    assert sorted(s for s, _ in results) == [201, 422, 422, 422], results
    assert {b.get("code") for s, b in results if s == 422} == {"idempotency_key_reused"}
    async with market.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 1


async def test_one_key_with_different_bodies_in_parallel_is_422_for_the_others(
    market: Runtime,
) -> None:
    bodies = [{"retailer": SHOPS[0], "items": [{"sku": "RICE-MANSULI-25", "qty": str(q)}]}
              for q in (1, 2, 3, 4)]
    results = await _parallel_orders(market, bodies)
    assert sorted(s for s, _ in results) == [201, 422, 422, 422], results
    winner = next(i for i, (s, _) in enumerate(results) if s == 201)
    async with serving(market) as client:
        again = [await client.post("/api/orders", json=body,
                                   headers={**bearer(), "Idempotency-Key": "parallel-key-1"})
                 for body in bodies]
    assert [r.status for r in again] == [201 if i == winner else 422 for i in range(4)]
    async with market.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 1


async def test_the_same_request_in_parallel_is_one_order_and_replays(market: Runtime) -> None:
    body = {"retailer": SHOPS[0], "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]}
    results = await _parallel_orders(market, [body] * 4)
    assert all(s in (201, 409) for s, _ in results), results
    async with serving(market) as client:
        again = await client.post("/api/orders", json=body,
                                  headers={**bearer(), "Idempotency-Key": "parallel-key-1"})
    assert again.status == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    async with market.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 1


async def test_the_same_request_in_parallel_without_redis_is_one_order(
    market: Runtime,
) -> None:
    """Postgres' unique key alone: the losers of the race get 409, never a 500."""
    dead = redis_asyncio.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    try:
        rt = Runtime(market.settings, market.pool, dead, market.keys)
        body = {"retailer": SHOPS[0], "items": [{"sku": "RICE-MANSULI-25", "qty": "1"}]}
        results = await _parallel_orders(rt, [body] * 4)
    finally:
        await dead.aclose()
    assert all(s in (201, 409) for s, _ in results), results
    assert 201 in {s for s, _ in results}
    async with market.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM orders") == 1


# ---------------------------------------------------------------- oversized headers


async def test_a_header_over_8_kb_is_a_431_with_the_security_headers(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/health", headers={"X-Junk": "a" * 10_000})
        body = await resp.json()
    assert resp.status == 431
    assert body["error"] == "request line or header over 8 KB"
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers[name] == value


async def test_a_url_over_8_kb_is_a_414_with_the_security_headers(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/admin/orders?retailer=" + "9" * 9000, headers=bearer())
    assert resp.status == 414
    assert resp.headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


async def test_a_header_under_8_kb_is_served(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/health", headers={"X-Junk": "a" * 7_000})
    assert resp.status == 200
