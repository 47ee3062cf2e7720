"""Every response: security headers, a request id, CORS only for allowed origins,
JSON errors without tracebacks, and per-IP rate limits shared through Redis."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.processes import create_app
from bot.runtime import Runtime
from bot.web.middleware import SECURITY_HEADERS
from tests.ops.helpers import serving


def _with(runtime: Runtime, **settings: object) -> Runtime:
    return Runtime(runtime.settings.model_copy(update=settings), runtime.pool, runtime.redis,
                   runtime.keys)


async def test_security_headers_are_on_ok_and_error_responses(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        for path in ("/api/health", "/no/such/page", "/api/admin/nope"):
            resp = await client.get(path)
            for name in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                         "Strict-Transport-Security", "Content-Security-Policy"):
                assert resp.headers[name] == SECURITY_HEADERS[name], (path, name)
    assert "default-src 'none'" in SECURITY_HEADERS["Content-Security-Policy"]


async def test_a_request_id_is_echoed_or_generated(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        given = await client.get("/api/health", headers={"X-Request-Id": "abc-123"})
        fresh = await client.get("/api/health")
        hostile = await client.get("/api/health", headers={"X-Request-Id": "a b <script>"})
    assert given.headers["X-Request-Id"] == "abc-123"
    assert len(fresh.headers["X-Request-Id"]) == 16
    assert hostile.headers["X-Request-Id"] != "a b <script>"


async def test_an_unexpected_exception_is_a_json_500_with_the_request_id(
    runtime: Runtime,
) -> None:
    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals")

    app = create_app(runtime)
    app.router.add_get("/api/boom", boom)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        resp = await client.get("/api/boom", headers={"X-Request-Id": "r-500"})
        body = await resp.json()
    finally:
        await client.close()
    assert resp.status == 500
    assert body == {"error": "internal error", "request_id": "r-500"}


async def test_unknown_api_paths_answer_json_404(runtime: Runtime) -> None:
    async with serving(runtime) as client:
        resp = await client.get("/api/admin/does-not-exist")
        body = await resp.json()
    assert resp.status == 404
    assert body["error"] == "Not Found"


async def test_cors_allows_only_listed_origins(runtime: Runtime) -> None:
    rt = _with(runtime, admin_origins="https://panel.khaacho.com")
    async with serving(rt) as client:
        ok = await client.options("/api/admin/orders", headers={
            "Origin": "https://panel.khaacho.com", "Access-Control-Request-Method": "GET"})
        bad = await client.options("/api/admin/orders", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        simple = await client.get("/api/health", headers={"Origin": "https://panel.khaacho.com"})
        evil = await client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert ok.status == 204
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    assert bad.status == 403
    assert simple.headers["Access-Control-Allow-Origin"] == "https://panel.khaacho.com"
    assert "Access-Control-Allow-Origin" not in evil.headers


async def test_rate_limit_holds_across_two_instances_sharing_redis(runtime: Runtime) -> None:
    rt = _with(runtime, admin_rate_limit=5, admin_rate_window_seconds=60)
    async with serving(rt) as one, serving(rt) as two:
        statuses = []
        for i in range(6):
            client = one if i % 2 == 0 else two
            resp = await client.get("/api/admin/openapi.json")
            statuses.append(resp.status)
        refused = resp
        body = await refused.json()
        health = await one.get("/api/health")
    assert statuses[:5].count(429) == 0
    assert statuses[5] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert body["error"] == "too many requests"
    assert health.status == 200  # probes are never throttled


async def test_rate_limit_counts_each_ip_separately(runtime: Runtime) -> None:
    rt = _with(runtime, admin_rate_limit=1, admin_rate_window_seconds=60, trusted_proxy_hops=1)
    async with serving(rt) as client:
        a1 = await client.get("/api/admin/openapi.json", headers={"X-Forwarded-For": "10.0.0.1"})
        a2 = await client.get("/api/admin/openapi.json", headers={"X-Forwarded-For": "10.0.0.1"})
        b1 = await client.get("/api/admin/openapi.json", headers={"X-Forwarded-For": "10.0.0.2"})
    assert (a1.status, a2.status, b1.status) == (200, 429, 200)
