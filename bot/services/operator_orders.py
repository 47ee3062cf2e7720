"""Operators moving a stuck order along: assign it to a vendor, or act for its vendor.

Every action is audited with who and why (audit_log, and a line in the
order's event trail naming the operator); the notices go to the outbox in the
same transaction. The order rules are the order service's (`vendor_act`) and
the status table's (domain.order_status): an operator re-offers a pending or
unroutable order, and accepts, dispatches or delivers for the assigned vendor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

from bot.logs import current_request_id
from bot.services import orders as order_service
from bot.services import parties
from bot.services.operator_actions import ActionError, MoneyWording, audit
from bot.services.orders import Wording
from bot.store import orders as order_store
from bot.store import parties as party_store
from bot.store.outbox import enqueue
from domain import facts as f
from domain.money_facts import MoneyFact, OrderAssigned, OrderTakenAway
from domain.order_status import Action, Role, Status, TransitionError, transition
from domain.ordering import PricedLine
from domain.vendor_commands import VendorAction

ON_BEHALF = (VendorAction.ACCEPT, VendorAction.DISPATCH, VendorAction.DELIVER)


def _why(reason: str) -> str:
    why = " ".join(reason.split())
    if not 1 <= len(why) <= 200:
        raise ActionError(422, "a reason is required (1 to 200 characters)")
    return why


async def assign_order(conn: asyncpg.Connection, number: int, *, vendor_phone: str,
                       reason: str, actor: str, accept_minutes: float, word: Wording,
                       word_money: MoneyWording,
                       context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Offer a pending or unroutable order to the vendor an operator names.

    The order keeps the prices it was placed at; its stock moves from the old
    vendor's shelf to the new one's (refused when they cannot supply a line); the
    old vendor is told to stop, the new one gets the offer with its deadline, and
    the retailer hears who has it now.
    """
    why = _why(reason)
    now = dt.datetime.now(dt.UTC)
    async with conn.transaction():
        order = await order_store.order_by_number(conn, number, for_update=True)
        if order is None:
            raise ActionError(404, f"order #{number} not found")
        status = Status(order.status)
        try:
            transition(status, Action.REROUTE, Role.OPERATOR)
        except TransitionError:
            raise ActionError(409, f"order #{number} is {status.value}; only a pending or "
                                   "unroutable order can be assigned",
                              order_status=status.value) from None
        try:
            vendor = await parties.find_vendor(conn, vendor_phone)
        except parties.PartyError as exc:
            raise ActionError(404, str(exc)) from None
        if not vendor.active:
            raise ActionError(409, f"vendor {vendor.name} is deactivated")
        if order.vendor_id == vendor.id and status is Status.PENDING:
            raise ActionError(409, f"order #{number} is already with {vendor.name}")
        items = await order_store.items(conn, order.id)
        previous = (await party_store.vendor(conn, order.vendor_id)
                    if order.vendor_id is not None and status is Status.PENDING else None)
        if previous is not None:
            await order_store.close_offer(conn, order_id=order.id, vendor_id=previous.id,
                                          at=now, outcome="cancelled",
                                          reason=f"assigned to {vendor.name} by {actor}")
            for it in sorted(items, key=lambda x: (x.product_id, x.line_no)):
                await order_store.release(conn, vendor_id=previous.id,
                                          product_id=it.product_id, qty=it.reserved_qty)
        reserved = {}
        for it in sorted(items, key=lambda x: (x.product_id, x.line_no)):
            got = await order_store.reserve(conn, vendor_id=vendor.id,
                                            product_id=it.product_id, qty=it.qty)
            if got is None:
                # The transaction rolls back: the old vendor keeps the order and its stock.
                raise ActionError(409, f"{vendor.name} cannot supply {it.qty.normalize():f} "
                                       f"{it.unit} {it.name} (not listed or not in stock)")
            reserved[it.line_no] = got
        deadline = now + dt.timedelta(minutes=accept_minutes)
        await order_store.set_reserved(conn, order.id, reserved)
        updated = await order_store.update_order(conn, order.id, now=now, status="pending",
                                                 vendor_id=vendor.id, accept_deadline=deadline)
        # One offer row per vendor and order: asking a vendor again re-opens theirs.
        await conn.execute(
            "INSERT INTO order_offers (order_id, vendor_id, offered_at, deadline) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT (order_id, vendor_id) DO UPDATE SET "
            "offered_at = EXCLUDED.offered_at, deadline = EXCLUDED.deadline, "
            "answered_at = NULL, outcome = NULL, reason = NULL",
            order.id, vendor.id, now, deadline)
        await order_store.insert_event(
            conn, order_id=order.id, at=now, actor=actor, from_status=status.value,
            to_status="pending", reason=f"assigned to {vendor.name} by an operator: {why}",
            details={"from_vendor_id": order.vendor_id, "vendor_id": vendor.id})
        retailer = await party_store.retailer(conn, order.retailer_id)
        assert retailer is not None
        lines = tuple(PricedLine(it.line_no, it.product_id, it.sku, it.name, it.unit, it.qty,
                                 it.unit_price, it.line_total) for it in items)
        order_facts: list[f.Fact] = [f.OrderOffered(
            number, f.Party(vendor.phone, vendor.language, vendor.name), retailer.shop_name,
            retailer.area, lines, updated.total, accept_minutes)]
        money_facts: list[MoneyFact] = []
        if previous is not None:
            money_facts.append(OrderTakenAway(number, f.Party(previous.phone, previous.language,
                                                              previous.name)))
        money_facts.append(OrderAssigned(
            number, f.Party(retailer.phone, retailer.language, retailer.shop_name), vendor.name))
        notices = word(order_facts) + word_money(money_facts)
        await enqueue(conn, notices, request_id=current_request_id())
        await audit(conn, actor=actor, action="order.assign", target=f"order:{number}",
                    details={"vendor": vendor.phone, "reason": why,
                             "previous_status": status.value,
                             "previous_vendor": previous.phone if previous else None,
                             **(context or {})})
    return {"number": number, "status": "pending", "previous_status": status.value,
            "vendor": vendor.phone, "deadline": deadline, "notices": len(notices)}


async def act_for_vendor(conn: asyncpg.Connection, number: int, action: VendorAction, *,
                         reason: str, actor: str, word: Wording,
                         context: dict[str, Any] | None = None) -> dict[str, Any]:
    """Accept, dispatch or deliver order `number` for its assigned vendor (who is told)."""
    if action not in ON_BEHALF:
        raise ActionError(422, "an operator may accept, dispatch or deliver for a vendor")
    why = _why(reason)
    now = dt.datetime.now(dt.UTC)
    async with conn.transaction():
        order = await order_store.order_by_number(conn, number, for_update=True)
        if order is None:
            raise ActionError(404, f"order #{number} not found")
        if order.vendor_id is None or order.status == Status.UNROUTABLE:
            raise ActionError(409, f"order #{number} is {order.status} with no vendor; "
                                   "assign it first", order_status=order.status)
        before = order.status
        told = await order_service.vendor_act(conn, order.vendor_id, number, action, None, now)
        refused = [x for x in told if isinstance(x, f.VendorRefused)]
        if refused or not told:
            raise ActionError(409, f"order #{number} is {before}; cannot {action.value} it",
                              order_status=before)
        after = await order_store.order_by_number(conn, number)
        assert after is not None
        await order_store.insert_event(
            conn, order_id=order.id, at=now, actor=actor, from_status=after.status,
            to_status=after.status,
            reason=f"{action.value} done by an operator for the vendor: {why}")
        notices = word(told)
        await enqueue(conn, notices, request_id=current_request_id())
        await audit(conn, actor=actor, action=f"order.{action.value}_for_vendor",
                    target=f"order:{number}",
                    details={"reason": why, "vendor_id": order.vendor_id,
                             "previous_status": before, **(context or {})})
    return {"number": number, "status": after.status, "previous_status": before,
            "notices": len(notices)}


