"""`/api/admin/…`: the operators' JSON API (the admin panel's backend).

Reads mirror the CLI (`khaacho orders|retailers|vendors|outbox|sessions|stats`);
writes call the same services the CLI and the WhatsApp flows use (ledger,
parties, orders, outbox) and are audited. Declarations in `ADMIN` also feed
the OpenAPI document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.conversation import session_admin
from bot.services import operator_actions, operator_orders, parties, sender_links
from bot.services.credit_notes import CreditLineRequest
from bot.store import alerts as alert_store
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
from domain.money import MAX_AMOUNT
from domain.money_facts import CreditNoteReason
from domain.vendor_commands import VendorAction
from flows import money_notices, order_notices

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
    amount: decimal_text(gt=0, le=int(MAX_AMOUNT), places=2)  # type: ignore[valid-type]
    method: Literal["cash", "esewa", "khalti", "bank"] = "cash"
    reference: str | None = Field(
        default=None, min_length=1, max_length=120,
        description="unique, in any case: a repeat of the same payment records nothing new; "
                    "the same reference for another amount is refused (409)")
    order: RowNumber | None = Field(default=None, description="the order it pays for")
    advance: bool = Field(default=False, description="more than is owed is kept on account "
                                                     "as an advance (else refused, 422)")


class VoidBody(_Body):
    reason: str = Field(min_length=1, max_length=200, description="told to the retailer")


class CreditLimitBody(_Body):
    limit: decimal_text(ge=0, le=int(MAX_AMOUNT), places=2)  # type: ignore[valid-type]
    terms_days: int | None = Field(default=None, ge=1, le=365)


class BlockBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


class CancelBody(_Body):
    reason: str = Field(min_length=1, max_length=200)


class AssignBody(_Body):
    vendor: str = Field(min_length=5, max_length=32, description="vendor phone")
    reason: str = Field(min_length=1, max_length=200)


class ActBody(_Body):
    action: Literal["accept", "dispatch", "deliver"]
    reason: str = Field(min_length=1, max_length=200, description="why an operator does it")


class ApproveQuery(_Query):
    # A query parameter, so that approving with no body keeps working for existing clients.
    limit: decimal_text(ge=0, le=int(MAX_AMOUNT), places=2) | None = Field(  # type: ignore[valid-type]
        default=None, description="credit limit to set too")


class RetailerUpdateBody(_Body):
    shop_name: str | None = Field(default=None, min_length=1, max_length=120)
    area: str | None = Field(default=None, min_length=1, max_length=80)
    language: Literal["en", "ne"] | None = None


class SenderLinkBody(_Body):
    user_id: str = Field(min_length=1, max_length=sender_links.USER_ID_MAX,
                         pattern=sender_links.USER_ID_PATTERN,
                         description="business-scoped WhatsApp user id of a sender without "
                                     "a phone number")


class VendorActiveBody(_Body):
    active: bool
    reason: str | None = Field(default=None, max_length=200)


class CreditLineBody(_Body):
    line: int = Field(ge=1, le=9999, description="the order's line number")
    qty: decimal_text(gt=0, le=1_000_000_000, places=3)  # type: ignore[valid-type]


class CreditNoteBody(_Body):
    reason: Literal["damaged", "wrong", "returned"]
    lines: list[CreditLineBody] = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=200)


class AlertsQuery(_Query):
    limit: int = Field(default=100, ge=1, le=1000)


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


@ADMIN.route("POST", "/api/admin/orders/{number}/assign", write=True, body=AssignBody,
             summary="Offer a pending or unroutable order to a named vendor",
             responses={404: "No such order or vendor",
                        409: "Not pending/unroutable, or the vendor cannot supply it"})
async def assign_order(call: Call) -> web.Response:
    number = _int_param(call, "number")
    body: AssignBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_orders.assign_order(
            conn, number, vendor_phone=body.vendor, reason=body.reason, actor=call.actor,
            accept_minutes=call.runtime.settings.vendor_accept_minutes,
            word=order_notices.outgoing, word_money=money_notices.outgoing,
            context=call.audit_context())
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/orders/{number}/act", write=True, body=ActBody,
             summary="Accept, dispatch or deliver an order for its vendor (audited with why)",
             responses={404: "No such order", 409: "Not the order's next step"})
async def act_for_vendor(call: Call) -> web.Response:
    number = _int_param(call, "number")
    body: ActBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_orders.act_for_vendor(
            conn, number, VendorAction(body.action), reason=body.reason, actor=call.actor,
            word=order_notices.outgoing, context=call.audit_context())
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/orders/{number}/credit-notes", write=True,
             body=CreditNoteBody, success=201,
             summary="Credit damaged, wrong or returned items of a delivered order",
             responses={404: "No such order or line",
                        409: "Not delivered, or more than is left to credit",
                        422: "A line twice"})
async def credit_note(call: Call) -> web.Response:
    number = _int_param(call, "number")
    body: CreditNoteBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.issue_credit_note(
            conn, number, reason=CreditNoteReason(body.reason),
            lines=[CreditLineRequest(ln.line, ln.qty) for ln in body.lines], note=body.note,
            actor=call.actor, word=money_notices.outgoing, context=call.audit_context())
    call.audited = True
    return respond(result, status=201)


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


@ADMIN.route("POST", "/api/admin/retailers/{phone}/approve", write=True, query=ApproveQuery,
             summary="Approve (or unblock) a retailer, optionally at a credit limit; they are "
                     "told on WhatsApp",
             responses={404: "No such retailer"})
async def approve_retailer(call: Call) -> web.Response:
    q: ApproveQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        cart_kept = await _cart_kept(call, conn, call.params["phone"])
        result = await operator_actions.approve_retailer(
            conn, call.params["phone"], actor=call.actor, limit=q.limit,
            cart_kept=cart_kept, word=money_notices.outgoing)
    call.audited = True
    return respond(result)


async def _cart_kept(call: Call, conn: Any, phone: str) -> bool:
    try:
        found = await parties.find_retailer(conn, phone)
    except parties.PartyError:
        return False
    data, _ = await session_admin.read_session(call.runtime, found.phone)
    return bool((data or {}).get("cart"))


@ADMIN.route("POST", "/api/admin/retailers/{phone}/block", write=True, body=BlockBody,
             summary="Block a retailer from ordering (placed orders carry on); they are told",
             responses={404: "No such retailer"})
async def block_retailer(call: Call) -> web.Response:
    body: BlockBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.block_retailer(conn, call.params["phone"],
                                                       reason=body.reason, actor=call.actor,
                                                       word=money_notices.outgoing)
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/retailers/{phone}/update", write=True,
             body=RetailerUpdateBody, summary="Correct a retailer's shop name, area or language",
             responses={404: "No such retailer", 422: "Nothing to change"})
async def update_retailer(call: Call) -> web.Response:
    body: RetailerUpdateBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.update_retailer(
            conn, call.params["phone"], actor=call.actor, shop_name=body.shop_name,
            area=body.area, language=body.language)
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/retailers/{phone}/link", write=True, body=SenderLinkBody,
             summary="Serve a sender WhatsApp names only by a user id as this retailer",
             responses={404: "No such retailer", 422: "The id cannot be linked"})
async def link_sender(call: Call) -> web.Response:
    body: SenderLinkBody = call.body
    async with call.runtime.pool.acquire() as conn:
        try:
            done = await sender_links.link_sender(conn, body.user_id, call.params["phone"],
                                                  actor=call.actor)
        except sender_links.LinkError as exc:
            raise ApiError(404 if exc.missing else 422, str(exc)) from None
    call.audited = True
    return respond(dataclasses.asdict(done))


@ADMIN.route("POST", "/api/admin/vendors/{phone}/active", write=True, body=VendorActiveBody,
             summary="Deactivate (or reactivate) a vendor: no new orders are offered to them",
             responses={404: "No such vendor"})
async def set_vendor_active(call: Call) -> web.Response:
    body: VendorActiveBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.set_vendor_active(
            conn, call.params["phone"], body.active, actor=call.actor, reason=body.reason)
    call.audited = True
    return respond(result)


@ADMIN.route("POST", "/api/admin/payments", write=True, body=PaymentBody, success=201,
             summary="Record a retailer's payment (ledger credit, receipt on WhatsApp)",
             responses={404: "No such retailer",
                        409: "The reference is already another payment",
                        422: "Not a valid payment for this retailer (e.g. more than owed "
                             "without advance)"})
async def record_payment(call: Call) -> web.Response:
    body: PaymentBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.record_payment(
            conn, retailer=body.retailer, amount=body.amount, method=body.method,
            reference=body.reference, order_number=body.order, advance=body.advance,
            actor=call.actor, word=order_notices.outgoing, word_money=money_notices.outgoing,
            block_after_days=call.runtime.settings.block_after_days_overdue,
            context=call.audit_context())
    call.audited = True
    return respond(result, status=200 if result["duplicate"] else 201)


@ADMIN.route("POST", "/api/admin/payments/{id}/void", write=True, body=VoidBody,
             summary="Void a payment (reversing debit, retailer told on WhatsApp)",
             responses={404: "No such payment", 409: "The payment is already voided"})
async def void_payment(call: Call) -> web.Response:
    payment_id = _int_param(call, "id")
    body: VoidBody = call.body
    async with call.runtime.pool.acquire() as conn:
        result = await operator_actions.void_payment(
            conn, payment_id, reason=body.reason, actor=call.actor,
            word=money_notices.outgoing, context=call.audit_context())
    call.audited = True
    return respond(result)


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


# ---------------------------------------------------------------- operator alerts


@ADMIN.route("GET", "/api/admin/alerts", query=AlertsQuery,
             summary="Open operator alerts, oldest first")
async def list_alerts(call: Call) -> web.Response:
    q: AlertsQuery = call.query
    async with call.runtime.pool.acquire() as conn:
        rows = await alert_store.open_alerts(conn, limit=q.limit)
    return respond({"alerts": [dataclasses.asdict(r) for r in rows], "count": len(rows)})


@ADMIN.route("POST", "/api/admin/alerts/{id}/resolve", write=True,
             summary="Close an open operator alert", responses={404: "No such open alert"})
async def resolve_alert(call: Call) -> web.Response:
    alert_id = _int_param(call, "id")
    async with call.runtime.pool.acquire() as conn, conn.transaction():
        if not await alert_store.resolve(conn, alert_id, by=call.actor,
                                         at=dt.datetime.now(dt.UTC)):
            raise ApiError(404, f"no open alert {alert_id}")
        await call.audit(conn, "alert.resolve", f"alert:{alert_id}", {})
    call.audited = True
    return respond({"id": alert_id, "resolved": True})


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
