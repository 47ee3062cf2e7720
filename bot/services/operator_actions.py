"""Operator writes shared by the CLI and the admin API, each audited in its transaction.

The business rules live in the services they call (orders, ledger, parties,
the outbox store); this module adds what an operator action needs around
them: a clear refusal (`ActionError` with an HTTP-like status) and one
audit_log row naming who did it, committed together with the change.

The services report what happened as facts; the caller passes `word`
(`flows.order_notices.outgoing`) to turn them into the messages this module
puts in the outbox, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import asyncpg
import orjson

from bot import audit_context
from bot.jsontext import dumps
from bot.logs import current_request_id
from bot.services import credit_notes, ledger, parties
from bot.services import orders as order_service
from bot.services.credit_notes import CreditLineRequest
from bot.services.orders import Wording
from bot.store import outbox as outbox_store
from bot.store.outbox import enqueue
from domain.facts import Party
from domain.money_facts import (
    AccountApproved,
    AccountBlocked,
    AccountUnblocked,
    CreditNoteReason,
    MoneyFact,
)
from domain.order_status import Role
from domain.ordering import CancelRefusal, CancelRefused
from flows.replies import Outgoing

# flows.money_notices.outgoing, passed in by the CLI and the admin API (services
# do not import the wording).
MoneyWording = Callable[[Iterable[MoneyFact]], list[Outgoing]]


class ActionError(Exception):
    """An operator action refused: 404 nothing there, 409 wrong state, 422 invalid."""

    def __init__(self, status: int, message: str, **details: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


async def audit(conn: asyncpg.Connection, *, actor: str, action: str, target: str | None,
                details: dict[str, Any]) -> None:
    """One audit_log row (inside the caller's transaction), with where the write came from."""
    await conn.execute(
        "INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4)",
        actor, action, target, orjson.loads(dumps({**audit_context.current(), **details})))


async def retry_outbox(conn: asyncpg.Connection, row_id: int, *, actor: str,
                       context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Re-queue a failed or dead outbox row from scratch."""
    async with conn.transaction():
        status = await conn.fetchval("SELECT status FROM outbox WHERE id = $1 FOR UPDATE",
                                     row_id)
        if status is None:
            raise ActionError(404, f"outbox row {row_id} not found")
        if await outbox_store.retry(conn, [row_id]) == 0:
            raise ActionError(409, f"outbox row {row_id} is {status}; only failed or dead rows "
                                   "can be retried", row_status=status)
        await audit(conn, actor=actor, action="outbox.retry", target=f"outbox:{row_id}",
                    details={"previous_status": status, **(context or {})})
    return {"id": row_id, "status": "pending", "previous_status": status}


async def cancel_order(conn: asyncpg.Connection, number: int, *, reason: str, actor: str,
                       word: Wording, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Cancel an open order through the order service; the notices go to the outbox."""
    if not reason.strip():
        raise ActionError(422, "a reason is required to cancel an order")
    async with conn.transaction():
        result = await order_service.cancel_order(
            conn, order_number=number, role=Role.OPERATOR, actor=actor, reason=reason,
            now=dt.datetime.now(dt.UTC))
        if isinstance(result, CancelRefused):
            status = 404 if result.code is CancelRefusal.NOT_FOUND else 409
            raise ActionError(status, result.message, code=result.code.value,
                              order_status=result.status)
        notices = word(result.notices)
        await enqueue(conn, notices, request_id=current_request_id())
        previous = await conn.fetchval(
            "SELECT from_status FROM order_events WHERE order_id = $1 AND to_status = "
            "'cancelled' ORDER BY id DESC LIMIT 1", result.order.id)
        await audit(conn, actor=actor, action="order.cancel", target=f"order:{number}",
                    details={"reason": reason, "previous_status": previous, **(context or {})})
    return {"number": number, "status": result.order.status, "previous_status": previous,
            "notices": len(notices)}


async def record_payment(conn: asyncpg.Connection, *, retailer: str, amount: Decimal,
                         method: str, reference: str | None, order_number: int | None,
                         actor: str, word: Wording, word_money: MoneyWording,
                         block_after_days: int, advance: bool = False,
                         context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Post a payment to the ledger (receipt to the outbox); a repeated reference is a no-op,
    the same reference for another amount a 409, more than is owed without `advance` a 422."""
    async with conn.transaction():
        try:
            found = await parties.find_retailer(conn, retailer)
            result = await ledger.record_payment(
                conn, retailer_id=found.id, amount=amount, method=method, reference=reference,
                order_number=order_number, advance=advance, block_after_days=block_after_days,
                actor=actor, now=dt.datetime.now(dt.UTC))
        except parties.PartyError as exc:
            raise ActionError(404, str(exc)) from None
        except ledger.NeedsAdvance as exc:
            raise ActionError(exc.status, str(exc), code="needs_advance",
                              owed=str(exc.owed)) from None
        except ledger.LedgerError as exc:
            raise ActionError(exc.status, str(exc)) from None
        if not result.duplicate:
            await enqueue(conn, word(result.notices) + word_money(result.account_notices),
                          request_id=current_request_id())
            await audit(conn, actor=actor, action="payment.record",
                        target=f"retailer:{found.phone}",
                        details={"payment_id": result.payment.id, "amount": result.payment.amount,
                                 "method": method, "reference": reference, "advance": advance,
                                 **(context or {})})
    p = result.payment
    return {"payment_id": p.id, "ledger_entry_id": result.entry.id,
            "duplicate": result.duplicate, "retailer": found.phone, "amount": p.amount,
            "method": p.method, "reference": p.reference, "balance": result.balance,
            "credit_reopened": bool(result.account_notices)}


async def void_payment(conn: asyncpg.Connection, payment_id: int, *, reason: str, actor: str,
                       word: MoneyWording,
                       context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Void a payment: a reversing debit, the retailer told, audited — one transaction."""
    async with conn.transaction():
        try:
            result = await ledger.void_payment(conn, payment_id, reason=reason, actor=actor,
                                               now=dt.datetime.now(dt.UTC))
        except ledger.LedgerError as exc:
            raise ActionError(exc.status, str(exc)) from None
        await enqueue(conn, word(result.notices), request_id=current_request_id())
        p = result.payment
        await audit(conn, actor=actor, action="payment.void", target=f"payment:{p.id}",
                    details={"amount": p.amount, "reason": p.void_reason,
                             "reversal_entry_id": result.reversal.id, **(context or {})})
    return {"payment_id": p.id, "amount": p.amount, "voided_at": p.voided_at,
            "voided_by": p.voided_by, "reason": p.void_reason,
            "reversal_entry_id": result.reversal.id, "balance": result.balance}


async def issue_credit_note(conn: asyncpg.Connection, number: int, *, reason: CreditNoteReason,
                            lines: Sequence[CreditLineRequest], note: str | None, actor: str,
                            word: MoneyWording,
                            context: dict[str, Any] | None = None) -> dict[str, Any]:
    """A credit note on a delivered order: ledger credit, both sides told, audited."""
    async with conn.transaction():
        try:
            result = await credit_notes.issue_credit_note(
                conn, order_number=number, reason=reason, lines=lines, note=note, actor=actor,
                now=dt.datetime.now(dt.UTC))
        except ledger.LedgerError as exc:
            raise ActionError(exc.status, str(exc)) from None
        notices = word(result.notices)
        await enqueue(conn, notices, request_id=current_request_id())
        await audit(conn, actor=actor, action="order.credit_note", target=f"order:{number}",
                    details={"credit_note_id": result.credit_note_id, "amount": result.amount,
                             "reason": reason.value, "note": note,
                             "lines": [{"line": ln.line_no, "qty": ln.qty} for ln in lines],
                             **(context or {})})
    return {"credit_note_id": result.credit_note_id, "order": number, "amount": result.amount,
            "reason": reason.value, "ledger_entry_id": result.entry.id,
            "balance": result.balance, "notices": len(notices),
            "lines": [{"name": ln.name, "qty": ln.qty, "unit": ln.unit, "amount": ln.amount}
                      for ln in result.lines]}


def _party_error(exc: parties.PartyError) -> ActionError:
    message = str(exc)
    return ActionError(404 if message.startswith("no ") else 422, message)


def _retailer_view(r: Any) -> dict[str, Any]:
    return {"phone": r.phone, "shop_name": r.shop_name, "status": r.status,
            "blocked_reason": r.blocked_reason, "credit_limit": r.credit_limit,
            "credit_terms_days": r.credit_terms_days, "approved_at": r.approved_at}


async def set_credit_limit(conn: asyncpg.Connection, phone: str, limit: Decimal, *,
                           terms_days: int | None, actor: str) -> dict[str, Any]:
    """Change a retailer's credit limit (the parties service audits it)."""
    try:
        r = await parties.set_limit(conn, phone, limit, actor=actor, terms_days=terms_days,
                                    now=dt.datetime.now(dt.UTC))
    except parties.PartyError as exc:
        raise _party_error(exc) from None
    return _retailer_view(r)


def _party(r: Any) -> Party:
    return Party(r.phone, r.language, r.shop_name)


async def approve_retailer(conn: asyncpg.Connection, phone: str, *, actor: str,
                           word: MoneyWording, limit: Decimal | None = None,
                           cart_kept: bool = False) -> dict[str, Any]:
    """Let a retailer order (the parties service audits it), at `limit` if given; a pending
    one is told they are approved (and that their kept cart waits), a blocked one that
    they are open again."""
    async with conn.transaction():
        try:
            before = await parties.find_retailer(conn, phone)
            r = await parties.approve_retailer(conn, phone, actor=actor, limit=limit,
                                               now=dt.datetime.now(dt.UTC))
        except parties.PartyError as exc:
            raise _party_error(exc) from None
        told: list[MoneyFact] = []
        if before.status == "pending":
            told.append(AccountApproved(_party(r), r.credit_limit, cart_kept))
        elif before.status == "blocked":
            told.append(AccountUnblocked(_party(r)))
        await enqueue(conn, word(told), request_id=current_request_id())
    return {**_retailer_view(r), "told": len(told)}


async def block_retailer(conn: asyncpg.Connection, phone: str, *, reason: str, actor: str,
                         word: MoneyWording) -> dict[str, Any]:
    """Stop a retailer ordering (the parties service audits it); they are told why."""
    async with conn.transaction():
        try:
            before = await parties.find_retailer(conn, phone)
            r = await parties.block_retailer(conn, phone, reason=reason, actor=actor,
                                             now=dt.datetime.now(dt.UTC))
        except parties.PartyError as exc:
            raise _party_error(exc) from None
        told: list[MoneyFact] = []
        if before.status != "blocked" or before.blocked_reason != r.blocked_reason:
            told.append(AccountBlocked(_party(r), r.blocked_reason or reason))
        await enqueue(conn, word(told), request_id=current_request_id())
    return {**_retailer_view(r), "told": len(told)}


async def update_retailer(conn: asyncpg.Connection, phone: str, *, actor: str,
                          shop_name: str | None = None, area: str | None = None,
                          language: str | None = None) -> dict[str, Any]:
    """Correct a retailer's name, area or language (the parties service audits it)."""
    try:
        r = await parties.update_retailer(conn, phone, actor=actor, now=dt.datetime.now(dt.UTC),
                                          shop_name=shop_name, area=area, language=language)
    except parties.PartyError as exc:
        raise _party_error(exc) from None
    return {**_retailer_view(r), "area": r.area, "language": r.language}


async def set_vendor_active(conn: asyncpg.Connection, phone: str, active: bool, *,
                            actor: str, reason: str | None = None) -> dict[str, Any]:
    """Deactivate (or reactivate) a vendor (the parties service audits it)."""
    try:
        v, open_orders = await parties.set_vendor_active(
            conn, phone, active, actor=actor, reason=reason, now=dt.datetime.now(dt.UTC))
    except parties.PartyError as exc:
        raise _party_error(exc) from None
    return {"phone": v.phone, "name": v.name, "active": v.active, "open_orders": open_orders}
