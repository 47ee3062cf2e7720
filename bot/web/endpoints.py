"""Declared JSON endpoints: auth, role checks, validation and auditing in one place.

An endpoint is declared once (method, path, summary, role, pydantic models for
its query and body); the same declaration adds the aiohttp route and the
OpenAPI operation (bot/web/openapi.py), so the document cannot drift from
the routes. Every call:

- needs `Authorization: Bearer <JWT>` (401 without a valid one); a write
  needs role `operator` (403 for a viewer);
- has its query and JSON body validated by pydantic: 400 with the field errors;
  text no column can store (NUL, lone surrogates) anywhere in a body is a 400
  naming the field, before the model sees it; integers that name rows are
  bounded to int4 (`RowNumber`, `path_number`) and timestamps converted to UTC
  and clamped to the representable range (`Instant`), so no value reaches
  Postgres that it refuses;
- for a write that succeeds, leaves an `audit_log` row (who, what, when) —
  the handler writes it in its own transaction via `call.audit(conn, ...)`,
  or the endpoint writes a generic one if the handler did not.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

import asyncpg
import orjson
from aiohttp import web
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    WithJsonSchema,
)

from bot import jsontext
from bot.auth import MIN_SECRET_LENGTH, AuthError, Principal, verify_token
from bot.runtime import Runtime
from bot.services import operator_actions
from bot.web.keys import RUNTIME
from bot.web.middleware import json_error, request_id, unstorable

log = logging.getLogger(__name__)

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


# Order numbers, outbox ids … are int4 columns: a bigger number names no row.
INT4_MAX = 2**31 - 1
RowNumber = Annotated[int, Field(ge=1, le=INT4_MAX)]
_ASCII_NUMBER = re.compile(r"[0-9]{1,10}")


_EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def utc_instant(value: dt.datetime) -> dt.datetime:
    """`value` in UTC (naive means UTC), clamped to what Python can represent.

    `0001-01-01T00:00:00+14:00` is a valid ISO timestamp but before year 1 in
    UTC: converting it (as asyncpg must) overflows. As a bound on a filter it
    means "since the beginning", so it is clamped rather than refused: no
    stored row lies outside the range either way.
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    try:
        return aware.astimezone(dt.UTC)
    except OverflowError:
        return _EARLIEST if aware.year == dt.MINYEAR else _LATEST


Instant = Annotated[dt.datetime, AfterValidator(utc_instant)]


# Path parameters are typed by name, in the document and here alike.
PHONE_PATTERN = r"^\+?[1-9][0-9]{5,14}$"
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "number": {"type": "integer", "minimum": 1, "maximum": INT4_MAX},
    "id": {"type": "integer", "minimum": 1, "maximum": INT4_MAX},
    "phone": {"type": "string", "pattern": PHONE_PATTERN},
}
_PHONE = re.compile(PHONE_PATTERN)
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,200}$"
# Declared request headers with a format of their own.
HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    "Idempotency-Key": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
}


def _check_path(params: dict[str, str]) -> None:
    """400 for a path parameter its declared schema does not allow."""
    for name, value in params.items():
        if name in ("number", "id"):
            path_number(params, name)
        elif name == "phone" and not _PHONE.fullmatch(value):
            raise ApiError(400, "phone must be a phone number", fields=[
                {"field": name,
                 "message": "6-15 digits (not starting with 0), optionally after +"}])


def decimal_text(*, le: int, places: int, gt: int | None = None, ge: int | None = None
                 ) -> Any:
    """A Decimal field sent as a string ("12.50") or a whole number, never a float.

    A JSON float is not money: 0.57 arrives as 0.5700000000000001. The string
    form is a pattern the document states and the validation enforces, so the
    two agree exactly: integer digits fewer than `le` has, or `le` itself (so any such
    string is within bounds), at most `places` decimals, and non-zero when `gt=0`.
    """
    digits = len(str(le)) - 1
    frac = f"(\\.[0-9]{{1,{places}}})?"
    # The bound itself is allowed (`le` is inclusive), with only zeros after the point.
    bound = f"0*{le}(\\.0{{1,{places}}})?"
    if gt == 0:
        nonzero_frac = "|".join(f"0{{{k}}}[1-9][0-9]{{0,{places - k - 1}}}"
                                for k in range(places))
        pattern = (f"^(0*[1-9][0-9]{{0,{digits - 1}}}{frac}|0*\\.({nonzero_frac})|{bound})$")
    else:
        pattern = f"^(0*[0-9]{{1,{digits}}}{frac}|{bound})$"
    compiled = re.compile(pattern)
    minimum: dict[str, int] = {"exclusiveMinimum": gt} if gt is not None else {
        "minimum": ge if ge is not None else 0}

    def check(value: object) -> object:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError('send decimals as strings, e.g. "12.50"')
        if isinstance(value, str) and not compiled.fullmatch(value):
            raise ValueError(f"must be a decimal under {le} with at most {places} decimals")
        return value

    schema = {"anyOf": [{"type": "integer", **minimum, "maximum": le},
                        {"type": "string", "pattern": pattern}]}
    return Annotated[Decimal, BeforeValidator(check), Field(gt=gt, ge=ge, le=le),
                     WithJsonSchema(schema)]


def _strict_bool(value: object) -> object:
    if isinstance(value, str) and value not in ("true", "false"):
        raise ValueError("must be true or false")
    return value


# A query flag: `true` or `false` as the document says, not pydantic's "yes"/"1"/"on".
QueryBool = Annotated[bool, BeforeValidator(_strict_bool)]
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?")


def _iso_only(value: object) -> object:
    # pydantic would read "1700000000" as a Unix time; the document says ISO 8601.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("must be an ISO 8601 date or timestamp")
    if isinstance(value, int | float):
        raise ValueError("must be an ISO 8601 date or timestamp")
    return value


IsoStrict = BeforeValidator(_iso_only)


def path_number(params: dict[str, str], name: str) -> int:
    """A path parameter that names a row by number: ASCII digits within int4, else 400.

    `²` and `١٠٠١` are digits to `str.isdigit` but not numbers an operator typed.
    """
    text = params[name]
    if not _ASCII_NUMBER.fullmatch(text) or not 1 <= int(text) <= INT4_MAX:
        raise ApiError(400, f"{name} must be a number", fields=[
            {"field": name, "message": f"must be a whole number from 1 to {INT4_MAX}"}])
    return int(text)


def _unstorable_fields(value: object, path: str = "") -> Iterator[str]:
    """Where in a decoded JSON value text holds NUL or a lone surrogate."""
    if isinstance(value, str):
        if unstorable(value):
            yield path or "(body)"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if unstorable(key):
                yield path or "(body)"
            else:
                yield from _unstorable_fields(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unstorable_fields(item, f"{path}.{i}" if path else str(i))


def dumps(value: object) -> str:
    """JSON text for API bodies: money (Decimal) as strings, datetimes ISO 8601."""
    return jsontext.dumps(value)


def respond(value: object, status: int = 200) -> web.Response:
    """A JSON response of `value` (see `dumps`)."""
    return web.json_response(value, status=status, dumps=dumps)


class ApiError(Exception):
    """A clean refusal: `status` with `{"error": message, ...extra}`."""

    def __init__(self, status: int, message: str, **extra: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as `[{"field": "items.0.qty", "message": "..."}]`."""
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(body)"
        out.append({"field": loc, "message": err.get("msg", "invalid")})
    return out


@dataclass(slots=True)
class Call:
    """One authorised, validated call of an endpoint."""

    request: web.Request
    runtime: Runtime
    principal: Principal
    params: dict[str, str]
    query: Any = None
    body: Any = None
    endpoint: Endpoint | None = None
    audited: bool = False

    @property
    def actor(self) -> str:
        """Who to name in audit trails and order events: `admin:<operator>`."""
        return f"admin:{self.principal.operator}"

    def audit_context(self) -> dict[str, Any]:
        """What an audit row of this call records besides the action: request id, role."""
        return {"request_id": request_id(self.request), "role": self.principal.role,
                "via": "admin-api"}

    async def audit(self, conn: asyncpg.Connection, action: str, target: str | None,
                    details: dict[str, Any] | None = None) -> None:
        """Record this write in audit_log (call inside the write's transaction)."""
        await operator_actions.audit(conn, actor=self.actor, action=action, target=target,
                                     details={**(details or {}), **self.audit_context()})
        self.audited = True


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Endpoint:
    """A declared operation."""

    method: Method
    path: str
    handler: Handler
    summary: str
    write: bool
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    responses: dict[int, str] = field(default_factory=dict)
    success: int = 200
    headers: tuple[tuple[str, str, bool], ...] = ()  # (name, description, required)

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    @property
    def role(self) -> str:
        return "operator" if self.write else "viewer"


class EndpointTable:
    """The endpoints of one module; `add_routes` wires them into an app."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def route(
        self, method: Method, path: str, *, summary: str, write: bool = False,
        query: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
        responses: dict[int, str] | None = None, success: int = 200,
        headers: tuple[tuple[str, str, bool], ...] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare `handler` as the operation `method path`."""
        def decorate(handler: Handler) -> Handler:
            self.endpoints.append(Endpoint(
                method=method, path=path, handler=handler, summary=summary, write=write,
                tag=self.tag, query=query, body=body, responses=dict(responses or {}),
                success=success, headers=headers))
            return handler
        return decorate

    def add_routes(self, app: web.Application) -> None:
        """Add every endpoint to the app's router."""
        for ep in self.endpoints:
            app.router.add_route(ep.method, ep.path, _wrap(ep), name=ep.operation_id)


def authenticate(request: web.Request) -> Principal:
    """The caller's principal from the bearer token, or ApiError 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing bearer token")
    secret = request.app[RUNTIME].settings.jwt_secret.get_secret_value()
    if len(secret) < MIN_SECRET_LENGTH:
        # A deployment without a usable secret accepts no token at all.
        log.error("JWT_SECRET is unset or too short: the APIs refuse every token")
        raise ApiError(503, "the API is not configured on this server")
    try:
        return verify_token(secret, token.strip())
    except AuthError as exc:
        raise ApiError(401, f"invalid token: {exc}") from None


async def _read_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.read()
    try:
        data = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        raise ApiError(400, "body is not JSON") from None
    if data is None:
        raise ApiError(400, "a JSON body is required")
    bad = list(_unstorable_fields(data))
    if bad:
        raise ApiError(400, "text may not contain NUL or lone surrogates", fields=[
            {"field": where, "message": "unstorable character"} for where in bad[:20]])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(400, "invalid body", fields=field_errors(exc)) from None


def _read_query(request: web.Request, model: type[BaseModel]) -> BaseModel:
    data: dict[str, Any] = {}
    for key in request.query:
        values = request.query.getall(key)
        data[key] = values[0] if len(values) == 1 else values
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(400, "invalid query", fields=field_errors(exc)) from None


def _wrap(ep: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            principal = authenticate(request)
            if ep.write and not principal.can_write:
                raise ApiError(403, f"role {principal.role} cannot {ep.method} {ep.path}")
            call = Call(request=request, runtime=request.app[RUNTIME], principal=principal,
                        params=dict(request.match_info), endpoint=ep)
            _check_path(call.params)
            if ep.query is not None:
                call.query = _read_query(request, ep.query)
            if ep.body is not None:
                call.body = await _read_body(request, ep.body)
            try:
                response = await ep.handler(call)
            except operator_actions.ActionError as exc:
                raise ApiError(exc.status, exc.message, **exc.details) from None
        except ApiError as exc:
            response = json_error(exc.status, exc.message, request, **exc.extra)
            if exc.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="khaacho"'
            return response
        if ep.write and response.status < 300 and not call.audited:
            # Every successful write leaves a trace, even if the handler forgot.
            async with call.runtime.pool.acquire() as conn:
                await call.audit(conn, f"{ep.method} {ep.path}", None,
                                 {"params": call.params,
                                  "body": call.body.model_dump(mode="json") if call.body else None})
        return response

    handle.__name__ = ep.operation_id
    handle.__doc__ = ep.summary
    return handle
