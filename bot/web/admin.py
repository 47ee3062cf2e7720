"""`/api/admin/…`: the operators' JSON API (the admin panel's backend).

Reads mirror the CLI (`khaacho orders|retailers|vendors|outbox|sessions|stats`);
writes call the same services the CLI and the WhatsApp flows use (ledger,
parties, orders, outbox) and are audited. Declarations in `ADMIN` also feed
the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.conversation import session_admin
from bot.services import operator_actions, parties
from bot.store import reports
from bot.web.endpoints import (
    PHONE_PATTERN,
    ApiError,
    Call,
    EndpointTable,
    Instant,
    IsoStrict,
    QueryBool,
    RowNumber,
    decimal_text,
    path_number,
    respond,
    utc_instant,
)
from domain.business_time import day_start
from flows import order_notices

ADMIN = EndpointTable("admin")

OrderStatus = Literal["pending", "accepted", "dispatched", "delivered", "cancelled", "unroutable"]
RetailerStatus = Literal["pending", "active", "blocked"]


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Body(BaseModel):
    # No whitespace stripping: a length the document states is the length checked.
    model_config = ConfigDict(extra="forbid")


class OrdersQuery(_Query):
    status: OrderStatus | None = None
    retailer: str | None = Field(default=None, description="retailer phone")
    vendor: str | None = Field(default=None, description="vendor phone")
    since: Annotated[dt.date | Instant | None, IsoStrict] = Field(
        default=None, description="created at or after (date or ISO timestamp)")
    limit: int = Field(default=100, ge=1, le=1000)


class RetailersQuery(_Query):
    status: RetailerStatus | None = None
    area: str | None = None
    limit: int = Field(default=500, ge=1, le=5000)


class VendorsQuery(_Query):
    area: str | None = None


class OutboxQuery(_Query):
    failed: QueryBool = Field(default=False, description="only failed and dead rows")
    limit: int = Field(default=100, ge=1, le=1000)


class StatsQuery(_Query):
    days: int = Field(default=7, ge=1, le=366)


class SessionsQuery(_Query):
    state: str | None = Field(default=None, max_length=40)
    idle_over: float | None = Field(default=None, ge=0, description="idle for over N minutes")
    limit: int = Field(default=200, ge=1, le=5000)


class PaymentBody(_Body):
    """A payment received from a retailer."""

    retailer: str = Field(pattern=PHONE_PATTERN, description="retailer phone")
    amount: decimal_text(gt=0, le=100_000_000, places=2)  # type: ignore[valid-type]
    method: Literal["cash", "esewa", "khalti", "bank"] = "cash"
    reference: str | None = Field(default=None, min_length=1, max_length=120,
                                  description="unique: a repeat records nothing new")
    order: RowNumber | None = Field(default=None, description="the order it pays for")


class CreditLimitBody(_Body):
    limit: decimal_text(ge=0, le=100_000_000, places=2)  # type: ignore[valid-type]
    terms_days: int | None = Field(default=None, ge=1, le=365)


class BlockBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


class CancelBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


class AuditQuery(_Query):
    actor: str | None = None
    limit: int = Field(default=100, ge=1, le=1000)


def as_datetime(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """A date means its start in Kathmandu (the business day operators think in)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return utc_instant(value)
    return utc_instant(day_start(value))  # 0001-01-01 in Kathmandu is before year 1 in UTC


def _int_param(call: Call, name: str) -> int:
    return path_number(call.params, name)


# ---------------------------------------------------------------- orders


@ADMIN.route("GET", "/api/admin/orders", summary="List orders (newest first)", query=OrdersQuery)
async def list_orders(call: Call) -> web.Response:
    q: OrdersQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        rows = await reports.list_orders(conn, status=q.status, retailer=q.retailer,
                                         vendor=q.vendor, since=as_datetime(q.since),
                                         limit=q.limit)
    return respond({"orders": rows, "count": len(rows)})


@ADMIN.route("GET", "/api/admin/orders/{number}",
             summary="One order with items, events and vendor offers",
             responses={404: "No such order"})
async def show_order(call: Call) -> web.Response:
    number = _int_param(call, "number")
    async with call.runtime.pool.acquire() as conn:
        order = await reports.order_detail(conn, number)
    if order is None:
        raise ApiError(404, f"order #{number} not found")
    return respond(order)


@ADMIN.route("POST", "/api/admin/orders/{number}/cancel", write=True, body=CancelBody,
             summary="Cancel an open order (stock released, both sides told)",
             responses={404: "No such order", 409: "The order can no longer be cancelled"})
async def cancel_order(call: Call) -> web.Response:
    number = _int_param(call, "number")
    body: CancelBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.cancel_order(conn, number, reason=body.reason,
                                                     actor=call.actor, word=order_notices.outgoing,
                                                     context=call.audit_context())
    call.audited = True
    return respond(result)


# ---------------------------------------------------------------- parties


@ADMIN.route("GET", "/api/admin/retailers",
             summary="List retailers with balance, available credit, score and band",
             query=RetailersQuery)
async def list_retailers(call: Call) -> web.Response:
    q: RetailersQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        rows = await reports.list_retailers(conn, status=q.status, area=q.area, limit=q.limit)
    return respond({"retailers": rows, "count": len(rows)})


@ADMIN.route("GET", "/api/admin/retailers/{phone}",
             summary="One retailer with recent orders, payments and ledger",
             responses={404: "No such retailer"})
async def show_retailer(call: Call) -> web.Response:
    async with call.runtime.pool.acquire() as conn:
        try:
            retailer = await parties.find_retailer(conn, call.params["phone"])
        except parties.PartyError:
            raise ApiError(404, "retailer not found") from None
        row = await reports.retailer_detail(conn, retailer.phone)
    if row is None:
        raise ApiError(404, "retailer not found")
    return respond(row)


@ADMIN.route("POST", "/api/admin/retailers/{phone}/credit-limit", write=True,
             body=CreditLimitBody, summary="Set a retailer's credit limit (and terms)",
             responses={404: "No such retailer", 422: "Invalid limit or terms"})
async def set_credit_limit(call: Call) -> web.Response:
    body: CreditLimitBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.set_credit_limit(
            conn, call.params["phone"], body.limit, terms_days=body.terms_days,
            actor=call.actor)
    call.audited = True  # the parties service writes the audit row in its transaction
    return respond(result)


@ADMIN.route("POST", "/api/admin/retailers/{phone}/approve", write=True,
             summary="Approve a retailer (they may order on credit)",
             responses={404: "No such retailer"})
async def approve_retailer(call: Call) -> web.Response:
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.approve_retailer(conn, call.params["phone"],
                                                         actor=call.actor)
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/retailers/{phone}/block", write=True, body=BlockBody,
             summary="Block a retailer from ordering (placed orders carry on)",
             responses={404: "No such retailer"})
async def block_retailer(call: Call) -> web.Response:
    body: BlockBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.block_retailer(conn, call.params["phone"],
                                                       reason=body.reason, actor=call.actor)
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/payments", write=True, body=PaymentBody, success=201,
             summary="Record a retailer's payment (ledger credit, receipt on WhatsApp)",
             responses={404: "No such retailer", 422: "Not a valid payment for this retailer"})
async def record_payment(call: Call) -> web.Response:
    body: PaymentBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.record_payment(
            conn, retailer=body.retailer, amount=body.amount, method=body.method,
            reference=body.reference, order_number=body.order, actor=call.actor,
            word=order_notices.outgoing, context=call.audit_context())
    call.audited = True
    return respond(result, status=200 if result["duplicate"] else 201)


@ADMIN.route("GET", "/api/admin/vendors", summary="List vendors with 30-day performance",
             query=VendorsQuery)
async def list_vendors(call: Call) -> web.Response:
    q: VendorsQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        rows = await reports.list_vendors(conn, area=q.area)
    return respond({"vendors": rows, "count": len(rows)})


@ADMIN.route("GET", "/api/admin/vendors/{phone}", summary="One vendor with recent orders",
             responses={404: "No such vendor"})
async def show_vendor(call: Call) -> web.Response:
    async with call.runtime.pool.acquire() as conn:
        try:
            vendor = await parties.find_vendor(conn, call.params["phone"])
        except parties.PartyError:
            raise ApiError(404, "vendor not found") from None
        row = await reports.vendor_detail(conn, vendor.phone)
    if row is None:
        raise ApiError(404, "vendor not found")
    return respond(row)


# ---------------------------------------------------------------- outbox


@ADMIN.route("GET", "/api/admin/outbox", summary="List outbox rows (newest first)",
             query=OutboxQuery)
async def list_outbox(call: Call) -> web.Response:
    q: OutboxQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        rows = await reports.list_outbox(conn, failed_only=q.failed, limit=q.limit)
    return respond({"outbox": rows, "count": len(rows)})


@ADMIN.route("GET", "/api/admin/outbox/{id}", summary="One outbox row with its send attempts",
             responses={404: "No such outbox row"})
async def show_outbox(call: Call) -> web.Response:
    row_id = _int_param(call, "id")
    async with call.runtime.pool.acquire() as conn:
        row = await reports.outbox_row(conn, row_id)
    if row is None:
        raise ApiError(404, f"outbox row {row_id} not found")
    return respond(row)


@ADMIN.route("POST", "/api/admin/outbox/{id}/retry", write=True,
             summary="Send a failed or dead outbox row again",
             responses={404: "No such outbox row", 409: "The row is not failed or dead"})
async def retry_outbox(call: Call) -> web.Response:
    row_id = _int_param(call, "id")
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.retry_outbox(conn, row_id, actor=call.actor,
                                                     context=call.audit_context())
    call.audited = True
    return respond(result)


# ---------------------------------------------------------------- sessions


@ADMIN.route("GET", "/api/admin/sessions", query=SessionsQuery,
             summary="Live conversations (Redis), most recently active first")
async def list_sessions(call: Call) -> web.Response:
    q: SessionsQuery = call.query
    rows = await session_admin.list_sessions(call.runtime, state=q.state,
                                             idle_over=q.idle_over, limit=q.limit)
    return respond({"sessions": rows, "count": len(rows)})


@ADMIN.route("GET", "/api/admin/sessions/{phone}",
             summary="One conversation: state, cart, questions, history, lock",
             responses={404: "No session or lock for this phone"})
async def show_session(call: Call) -> web.Response:
    found = await session_admin.show_session(call.runtime, call.params["phone"])
    if found is None:
        raise ApiError(404, "no session for this phone")
    return respond(found)


@ADMIN.route("POST", "/api/admin/sessions/{phone}/reset", write=True,
             summary="Forget a stuck conversation (the next message starts afresh)",
             responses={404: "No session for this phone"})
async def reset_session(call: Call) -> web.Response:
    phone = call.params["phone"]
    if not await session_admin.reset_session(call.runtime, phone, actor=call.actor,
                                             context=call.audit_context()):
        raise ApiError(404, "no session for this phone")
    call.audited = True
    return respond({"phone": phone, "reset": True})


# ---------------------------------------------------------------- stats and audit


@ADMIN.route("GET", "/api/admin/stats", summary="Daily aggregates of the analytics job",
             query=StatsQuery)
async def stats(call: Call) -> web.Response:
    q: StatsQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        return respond(await reports.stats(conn, days=q.days))


@ADMIN.route("GET", "/api/admin/audit", summary="Operator writes, newest first",
             query=AuditQuery)
async def audit_log(call: Call) -> web.Response:
    q: AuditQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        rows = await reports.audit_entries(conn, actor=q.actor, limit=q.limit)
    return respond({"entries": rows, "count": len(rows)})
