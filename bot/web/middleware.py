"""What wraps every request: request id, errors, metrics, rate limits, headers, CORS.

- Request id: `X-Request-Id` from the caller (when it is a sane token) or a
  fresh one, set in the logging contextvar for the whole request (so every log
  line, and every outbox row the request enqueues, carries it) and echoed back.
- Errors: an unexpected exception becomes a JSON 500 naming the request id;
  the traceback goes to the log, never to the client. Under `/api/` aiohttp's
  plain-text HTTP errors (404, 405, 413 …) are answered as JSON too.
- Bad input is a 400 wherever it surfaces, one mechanism for every route:
  text no column can store (NUL, lone surrogates) in the path or query is
  refused before any handler runs (bodies: `bot.web.endpoints`), and what
  Postgres itself refuses as data (`DataError`: a value out of a column's
  range, an unrepresentable character or date) is a 400, not a 500.
- An outage (Postgres or Redis unreachable, a timeout: `bot.transient.TRANSIENT`)
  is a 503 with `Retry-After`, so clients retry instead of reporting a bug.
- Metrics: every request is counted by route template; webhook POSTs also by
  outcome with their latency.
- Rate limits: per client IP on `/api/` (except health/ready), in Redis.
- Headers: the helmet set on every response, CORS for `ADMIN_ORIGINS` only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiohttp import hdrs, web

from bot.logs import clean_request_id, reset_request_id, set_request_id
from bot.metrics import HTTP_REQUESTS, WEBHOOK_LATENCY, WEBHOOK_REQUESTS
from bot.rate_limits import RateLimiter
from bot.transient import TRANSIENT
from bot.web.keys import RUNTIME

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

REQUEST_ID_KEY = web.RequestKey("request_id", str)
REQUEST_ID_HEADER = "X-Request-Id"
_API_LIMITER = web.AppKey("api_rate_limiter", RateLimiter)
# Probes must answer even when a client is being throttled.
_UNLIMITED = frozenset({"/api/health", "/api/ready"})
# Label values must not come from the client unbounded.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes every few seconds would drown the access log.
_QUIET = frozenset({"/api/health", "/api/ready", "/metrics"})

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    # Nothing here is a web page: no script, style, frame or form may load.
    "Content-Security-Policy": (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Origin-Agent-Cluster": "?1",
    "X-DNS-Prefetch-Control": "off",
    "X-Download-Options": "noopen",
    "X-Permitted-Cross-Domain-Policies": "none",
    "X-XSS-Protection": "0",
}

CORS_ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
CORS_ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-Id"
CORS_EXPOSE_HEADERS = (
    "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset"
)


def request_id(request: web.Request) -> str:
    """The id of this request (set by the middleware)."""
    return str(request.get(REQUEST_ID_KEY, ""))


def client_ip(request: web.Request) -> str:
    """The caller's IP, trusting only as many X-Forwarded-For hops as configured."""
    hops = request.app[RUNTIME].settings.trusted_proxy_hops
    if hops:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote or "unknown"


# What Postgres refuses as data (class 22) and what asyncpg refuses to encode
# (a Python int beyond int4, a datetime that overflows on conversion to UTC).
# The client-side one subclasses InterfaceError, which is TRANSIENT: it must be
# tried first.
BAD_DATA: tuple[type[BaseException], ...] = (
    asyncpg.DataError, asyncpg.exceptions._base.DataError,
)
RETRY_AFTER_SECONDS = 5
# The limit browsers and proxies keep to: a longer header line or URL is refused.
MAX_HEADER_BYTES = 8 * 1024


def _oversized(request: web.Request) -> int | None:
    """414 for a URL over the limit, 431 for a header over it, else None."""
    if len(request.raw_path) > MAX_HEADER_BYTES:
        return 414
    for name, value in request.raw_headers:
        if len(name) + len(value) > MAX_HEADER_BYTES:
            return 431
    return None


def unstorable(text: str) -> bool:
    """Whether `text` holds what no text column stores: NUL or a lone surrogate."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unstorable_request_text(request: web.Request) -> str | None:
    """The part of the URL (path or a query key/value) holding unstorable text."""
    if unstorable(request.path):
        return "path"
    for key, value in request.query.items():
        if unstorable(key) or unstorable(value):
            return f"query.{key}" if not unstorable(key) else "query"
    return None


def json_error(status: int, message: str, request: web.Request, **extra: object) -> web.Response:
    """A JSON error body every API error shares: `{"error", "request_id", ...}`."""
    body: dict[str, object] = {"error": message, "request_id": request_id(request), **extra}
    return web.json_response(body, status=status)


def _route_name(request: web.Request) -> str:
    info = request.match_info
    route = getattr(info, "route", None)
    resource = getattr(route, "resource", None) if route is not None else None
    if resource is None or getattr(info, "http_exception", None) is not None:
        return "unmatched"
    return str(resource.canonical)


def _webhook_outcome(status: int) -> str:
    if status < 300:
        return "ok"
    return {400: "bad_request", 401: "unauthorized", 403: "forbidden", 413: "too_large",
            429: "rate_limited"}.get(status, "error" if status >= 500 else "other")


@web.middleware
async def request_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Request id, error shielding and metrics (outermost, so it sees everything)."""
    rid = clean_request_id(request.headers.get(REQUEST_ID_HEADER))
    request[REQUEST_ID_KEY] = rid
    token = set_request_id(rid)
    started = time.perf_counter()
    status = 500
    response: web.StreamResponse
    try:
        try:
            too_big = _oversized(request)
            bad_part = _unstorable_request_text(request) if too_big is None else None
            if too_big is not None:
                response = json_error(too_big, "request line or header over 8 KB", request)
            elif bad_part is not None:
                response = json_error(400, "text may not contain NUL or lone surrogates",
                                      request, fields=[{"field": bad_part,
                                                        "message": "unstorable character"}])
            else:
                response = await handler(request)
        except web.HTTPException as exc:
            if request.path.startswith("/api/") and exc.status >= 400 and (
                exc.content_type != "application/json"
            ):
                response = json_error(exc.status, exc.reason, request)
                for name in ("Allow", "Retry-After"):
                    if name in exc.headers:
                        response.headers[name] = exc.headers[name]
            else:
                status = exc.status
                raise
        except BAD_DATA as exc:
            # Input a handler let through but a column cannot hold: the client's
            # request is wrong, not the server. Logged (masked) so the gap in the
            # validation that let it through can be closed.
            log.warning("bad data reached the database", extra={
                "path": request.path, "error": type(exc).__name__})
            response = json_error(400, "a value is out of range or not storable", request)
        except TRANSIENT as exc:
            log.warning("dependency unavailable", extra={
                "path": request.path, "error": type(exc).__name__})
            response = json_error(503, "a dependency is unavailable; retry shortly", request,
                                  retry_after=RETRY_AFTER_SECONDS)
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        except Exception:
            log.exception("unhandled error", extra={"path": request.path,
                                                     "method": request.method})
            response = json_error(500, "internal error", request)
        status = response.status
        return response
    finally:
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else "other"
        HTTP_REQUESTS.inc(route=_route_name(request), method=method,
                          status=f"{status // 100}xx")
        if request.path == "/webhook" and request.method == "POST":
            outcome = _webhook_outcome(status)
            WEBHOOK_REQUESTS.inc(outcome=outcome)
            WEBHOOK_LATENCY.observe(elapsed, outcome=outcome)
        if request.path not in _QUIET:
            # The access log: one line per request, tied to everything else by its id.
            log.log(logging.WARNING if status >= 500 else logging.INFO, "request",
                    extra={"method": request.method, "route": _route_name(request),
                           "status": status, "duration_ms": round(elapsed * 1000, 1)})
        reset_request_id(token)


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer CORS preflights for allowed origins under /api/; refuse others."""
    if (request.method == hdrs.METH_OPTIONS and request.path.startswith("/api/")
            and "Access-Control-Request-Method" in request.headers):
        origin = request.headers.get("Origin", "")
        allowed = request.app[RUNTIME].settings.admin_origin_list
        if origin not in allowed:
            return json_error(403, "origin not allowed", request)
        return web.Response(status=204, headers={
            "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
            "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
            "Access-Control-Max-Age": "600",
        })
    return await handler(request)


@web.middleware
async def ratelimit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Per-IP limit on the HTTP APIs; 429 with Retry-After past it."""
    if not request.path.startswith("/api/") or request.path in _UNLIMITED or (
        request.method == hdrs.METH_OPTIONS
    ):
        return await handler(request)
    decision = await request.app[_API_LIMITER].hit(client_ip(request))
    if not decision.allowed:
        refused = json_error(429, "too many requests", request,
                             retry_after=decision.retry_after)
        refused.headers.update(decision.headers())
        return refused
    response = await handler(request)
    response.headers.update(decision.headers())
    return response


async def _on_response_prepare(request: web.Request, response: web.StreamResponse) -> None:
    # A signal, not a middleware: it also reaches responses aiohttp makes itself.
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    rid = request.get(REQUEST_ID_KEY)
    if rid:
        response.headers[REQUEST_ID_HEADER] = str(rid)
    origin = request.headers.get("Origin")
    if origin and request.path.startswith("/api/"):
        response.headers.add("Vary", "Origin")
        if origin in request.app[RUNTIME].settings.admin_origin_list:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS


def setup(app: web.Application) -> None:
    """Install the middlewares (outermost first) and the response headers signal."""
    app.middlewares.extend([request_middleware, cors_middleware, ratelimit_middleware])
    app.on_response_prepare.append(_on_response_prepare)
    app.on_startup.append(_open_api_limiter)


async def _open_api_limiter(app: web.Application) -> None:
    # At startup: the runtime may be opened by the app's own cleanup context.
    rt = app[RUNTIME]
    app[_API_LIMITER] = RateLimiter(
        rt.redis, rt.keys, "api",
        limit=rt.settings.admin_rate_limit, window=rt.settings.admin_rate_window_seconds,
    )
