"""Orders as one transaction each: quote, place, vendor answers, cancel, time-outs.

Every function takes a connection and does its whole use case inside one
transaction (a savepoint when the caller already has one), writes an
`order_events` row for every status change, asks `domain.order_status` whether
the change is allowed, and returns what happened as `domain.ordering` outcomes
carrying `domain.facts` (the notices the change causes). The caller words the
facts (`flows.order_notices.outgoing`) and puts them in the outbox in the
same transaction; where this module writes to the outbox itself
(`reroute_expired`), the caller passes the wording in.

The planning (merging lines, choosing and pricing the vendor, short lines)
is pure and lives in `domain.ordering`; this module reads and writes around it.

Concurrency: placing locks the retailer row (`SELECT … FOR UPDATE`), so the
credit check and the insert are atomic per retailer; stock is reserved with a
conditional UPDATE (`stock >= qty`); every vendor action locks the order row,
so a second accept sees the first one's result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from decimal import Decimal

import asyncpg

from bot.metrics import ORDERS_PLACED
from bot.services import invoices as invoice_service
from bot.services import ledger as ledger_service
from bot.store import orders as store
from bot.store import parties as party_store
from bot.store.outbox import enqueue
from domain import credit, ordering, routing
from domain import facts as fact
from domain.money import to_paisa
from domain.order_status import Action, Role, Status, TransitionError, transition
from domain.ordering import (
    Cancelled,
    CancelRefusal,
    CancelRefused,
    CancelResult,
    CreditShort,
    Item,
    Market,
    NotAllowed,
    OrderRef,
    Placed,
    PlaceResult,
    Plan,
    PricedLine,
    Product,
    Quote,
    Refusal,
    ShortLine,
    SplitOffer,
    SplitPart,
    SplitPlaced,
    StockShort,
    UnknownItems,
)
from domain.vendor_commands import LessFit, VendorAction, VendorChange, sending_less
from flows.replies import Outgoing

DEFAULT_ACCEPT_MINUTES = 15.0


# How the caller words facts for the outbox (`flows.order_notices.outgoing`).
Wording = Callable[[Iterable[fact.Fact]], list[Outgoing]]


# ------------------------------------------------------------------ reading the market


def _ref(order: store.Order) -> OrderRef:
    return OrderRef(order.id, order.number, order.retailer_id, order.vendor_id,
                    Status(order.status), order.total)


def _retailer_party(r: party_store.Retailer) -> fact.Party:
    return fact.Party(r.phone, r.language, r.shop_name)


def _vendor_party(v: party_store.Vendor) -> fact.Party:
    return fact.Party(v.phone, v.language, v.name)


def _priced_item(it: store.OrderItem) -> PricedLine:
    return PricedLine(it.line_no, it.product_id, it.sku, it.name, it.unit, it.qty,
                      it.unit_price, it.line_total)


async def _market(conn: asyncpg.Connection, skus: Sequence[str], area: str) -> Market:
    found, offers = await store.market(conn, skus, area)
    products = {sku: Product(p.id, p.sku, p.name, p.unit) for sku, p in found.items()}
    by_vendor: dict[int, list[store.VendorOffer]] = {}
    for o in offers:
        by_vendor.setdefault(o.vendor_id, []).append(o)
    candidates: dict[int, routing.Candidate] = {}
    for vid, rows in by_vendor.items():
        p = rows[0].performance
        performance = routing.Performance() if p is None else routing.Performance(
            offered=p.offers, accepted=p.accepted, answered=p.accepted + p.rejected,
            mean_response_seconds=(float(p.median_response_seconds)
                                   if p.median_response_seconds is not None else None),
            delivered=p.fulfilled, settled=p.fulfilled + p.failed)
        candidates[vid] = routing.Candidate(
            vid, rows[0].vendor_name, rows[0].areas,
            {r.sku: routing.Offer(r.sku, r.price, r.stock, r.min_qty) for r in rows},
            performance)
    return Market(products, candidates)


async def quote(conn: asyncpg.Connection, retailer_id: int, items: Sequence[Item], *,
                vendor_id: int | None = None,
                accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> Quote:
    """Price a cart as placing it would: vendor, lines, total, credit, shortages or a split."""
    found = await ledger_service.retailer_credit(conn, retailer_id)
    if found is None:
        return Quote(retailer_id, Decimal(0), problem=NotAllowed(Refusal.UNKNOWN_RETAILER,
                                                                 "unknown retailer"))
    retailer, position = found
    available = position.available
    problem = ordering.refusal_of(credit.RetailerStatus(retailer.status))
    lines = ordering.merge(items)
    if isinstance(lines, NotAllowed):
        return Quote(retailer_id, available, problem=lines)
    market = await _market(conn, [ln.sku for ln in lines], retailer.area)
    return ordering.quote_from(retailer_id, available, problem, market, retailer.area, lines,
                               vendor_id, accept_minutes * 60)


# ------------------------------------------------------------------ placing


class _Abort(Exception):
    """Roll back a savepoint and hand a result to the caller."""

    def __init__(self, result: PlaceResult) -> None:
        super().__init__("aborted")
        self.result = result


async def _reserve_all(conn: asyncpg.Connection, vendor_id: int,
                       lines: Sequence[PricedLine | store.OrderItem]
                       ) -> dict[int, Decimal] | PricedLine | store.OrderItem:
    """Reserve every line at the vendor: {line_no: reserved qty}, or the first short line.

    Rows are taken in product order so two orders for the same products can never
    deadlock. Call inside a savepoint: a failure leaves earlier lines reserved.
    """
    reserved: dict[int, Decimal] = {}
    for ln in sorted(lines, key=lambda x: (x.product_id, x.line_no)):
        got = await store.reserve(conn, vendor_id=vendor_id, product_id=ln.product_id,
                                  qty=ln.qty)
        if got is None:
            return ln
        reserved[ln.line_no] = got
    return reserved


async def place_order(conn: asyncpg.Connection, *, retailer_id: int, items: Sequence[Item],
                      vendor_id: int | None = None, source: str = "whatsapp",
                      idempotency_key: str | None = None, actor: str, now: dt.datetime,
                      accept_minutes: float = DEFAULT_ACCEPT_MINUTES,
                      notify_retailer: bool = False) -> PlaceResult:
    """Place an order: credit check, routing, stock reservation and insert, atomically.

    The notices are the offer to the vendor (and, with `notify_retailer`, a
    confirmation for orders placed on the retailer's behalf). A repeated
    `idempotency_key` returns the order placed the first time, without notices.
    """
    try:
        async with conn.transaction():
            result = await _place(conn, retailer_id=retailer_id, items=items,
                                  vendor_id=vendor_id, source=source,
                                  idempotency_key=idempotency_key, actor=actor, now=now,
                                  accept_minutes=accept_minutes, notify_retailer=notify_retailer)
    except _Abort as abort:
        result = abort.result
    ORDERS_PLACED.inc(result=_result_label(result), source=source)
    return result


def _result_label(result: PlaceResult) -> str:
    """The metric label of a placement outcome (placed, replayed, credit_short, ...)."""
    if isinstance(result, Placed):
        return "replayed" if result.duplicate else "placed"
    return {CreditShort: "credit_short", StockShort: "stock_short", SplitOffer: "split_needed",
            NotAllowed: "not_allowed", UnknownItems: "unknown_items"}[type(result)]


async def _existing(conn: asyncpg.Connection, order: store.Order) -> Placed:
    vendor = await party_store.vendor(conn, order.vendor_id) if order.vendor_id else None
    lines = tuple(_priced_item(i) for i in await store.items(conn, order.id))
    return Placed(_ref(order), lines, vendor.name if vendor else "", (), duplicate=True)


async def _place(conn: asyncpg.Connection, *, retailer_id: int, items: Sequence[Item],
                 vendor_id: int | None, source: str, idempotency_key: str | None, actor: str,
                 now: dt.datetime, accept_minutes: float,
                 notify_retailer: bool) -> PlaceResult:
    retailer = await party_store.retailer(conn, retailer_id, for_update=True)
    if retailer is None:
        return NotAllowed(Refusal.UNKNOWN_RETAILER, "unknown retailer")
    if idempotency_key:
        earlier = await store.order_by_key(conn, idempotency_key)
        if earlier is not None:
            if earlier.retailer_id != retailer_id:
                return NotAllowed(Refusal.IDEMPOTENCY,
                                  "that idempotency key belongs to another order")
            return await _existing(conn, earlier)
    refusal = ordering.refusal_of(credit.RetailerStatus(retailer.status))
    if refusal is not None:
        return refusal
    lines = ordering.merge(items)
    if isinstance(lines, NotAllowed):
        return lines
    market = await _market(conn, [ln.sku for ln in lines], retailer.area)
    unknown = ordering.unknown_skus(market, lines)
    if unknown:
        return UnknownItems(unknown)
    plan = ordering.plan(market, retailer.area, lines, vendor_id, accept_minutes * 60)
    if not isinstance(plan, Plan):
        return plan
    position = await ledger_service.credit_position(conn, retailer_id)
    decision = credit.decide(position, plan.total)
    if not decision.allowed:
        return ordering.short_of_credit(decision, plan)
    async with conn.transaction():
        reserved = await _reserve_all(conn, plan.vendor_id, plan.lines)
        if not isinstance(reserved, dict):
            # Someone took the stock since we read it; undo this savepoint's reservations.
            ln = reserved
            stock = await conn.fetchval(
                "SELECT stock FROM vendor_products WHERE vendor_id = $1 AND product_id = $2",
                plan.vendor_id, ln.product_id)
            raise _Abort(StockShort((ShortLine(ln.sku, ln.name, ln.unit, ln.qty,
                                               stock or Decimal(0), plan.vendor_id,
                                               plan.vendor_name),)))
    deadline = now + dt.timedelta(minutes=accept_minutes)
    order = await store.insert_order(
        conn, retailer_id=retailer_id, vendor_id=plan.vendor_id, total=plan.total,
        item_count=len(plan.lines), source=source, idempotency_key=idempotency_key,
        accept_deadline=deadline, now=now)
    await store.insert_items(conn, order.id, [
        store.OrderItem(ln.line_no, ln.product_id, ln.sku, ln.name, ln.unit, ln.qty,
                        ln.unit_price, ln.line_total, reserved.get(ln.line_no, Decimal(0)))
        for ln in plan.lines])
    await store.insert_offer(conn, order_id=order.id, vendor_id=plan.vendor_id, at=now,
                             deadline=deadline)
    await store.insert_event(
        conn, order_id=order.id, at=now, actor=actor, from_status=None, to_status="pending",
        reason=f"routed to {plan.explanation}",
        details={"vendor_id": plan.vendor_id, "source": source,
                 "available_credit": str(decision.available),
                 "ranking": [{"vendor_id": s.vendor_id, "score": s.score,
                              "total": str(s.cart_total)} for s in plan.ranking[:5]]})
    vendor = await party_store.vendor(conn, plan.vendor_id)
    assert vendor is not None
    told: list[fact.Fact] = [fact.OrderOffered(order.number, _vendor_party(vendor),
                                               retailer.shop_name, retailer.area, plan.lines,
                                               plan.total, accept_minutes)]
    if notify_retailer:
        told.append(fact.PlacedOnBehalf(order.number, _retailer_party(retailer), vendor.name,
                                        plan.total))
    return Placed(_ref(order), plan.lines, vendor.name, tuple(told))


async def place_split(conn: asyncpg.Connection, *, retailer_id: int,
                      parts: Sequence[SplitPart], source: str = "whatsapp",
                      idempotency_key: str | None = None, actor: str, now: dt.datetime,
                      accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> SplitPlaced | PlaceResult:
    """Place a split offer's per-vendor orders all together, or none of them.

    A part short of credit refuses the whole split; its `CreditShort` carries no
    prices, since no one vendor's prices price the cart.
    """
    try:
        async with conn.transaction():
            placed = []
            for i, part in enumerate(parts, start=1):
                key = f"{idempotency_key}:{i}" if idempotency_key else None
                result = await _place(conn, retailer_id=retailer_id, items=part.items,
                                      vendor_id=part.vendor_id, source=source,
                                      idempotency_key=key, actor=actor, now=now,
                                      accept_minutes=accept_minutes, notify_retailer=False)
                if not isinstance(result, Placed):
                    raise _Abort(result)
                placed.append(result)
            return SplitPlaced(tuple(placed))
    except _Abort as abort:
        if isinstance(abort.result, CreditShort):
            return CreditShort(abort.result.shortfall, abort.result.available,
                               abort.result.total)
        return abort.result


# ------------------------------------------------------------------ re-routing


async def _release(conn: asyncpg.Connection, order: store.Order,
                   items: Sequence[store.OrderItem]) -> None:
    if order.vendor_id is None:
        return
    # Product order, as when reserving, so a release and a reservation never deadlock.
    for it in sorted(items, key=lambda x: (x.product_id, x.line_no)):
        await store.release(conn, vendor_id=order.vendor_id, product_id=it.product_id,
                            qty=it.reserved_qty)
    await store.set_reserved(conn, order.id, {it.line_no: Decimal(0) for it in items})


async def _offer_next(conn: asyncpg.Connection, order: store.Order,
                      items: Sequence[store.OrderItem], *, why: str, actor: str,
                      now: dt.datetime, accept_minutes: float) -> list[fact.Fact]:
    """Offer the order to the best vendor not yet asked, or mark it for operators.
    The order's reservation must already be released. Prices stay as placed."""
    retailer = await party_store.retailer(conn, order.retailer_id)
    assert retailer is not None
    previous = await party_store.vendor(conn, order.vendor_id) if order.vendor_id else None
    lines = [Item(it.sku, it.qty) for it in items]
    market = await _market(conn, [ln.sku for ln in lines], retailer.area)
    asked = frozenset(await store.offered_vendors(conn, order.id))
    ranking = routing.rank(retailer.area, lines, list(market.candidates.values()),
                           deadline_seconds=accept_minutes * 60, exclude=asked)
    for rank_no, scored in enumerate(ranking, start=1):
        try:
            async with conn.transaction():
                reserved = await _reserve_all(conn, scored.vendor_id, items)
                if not isinstance(reserved, dict):
                    raise _Abort(NotAllowed(Refusal.STOCK, "stock went"))
        except _Abort:
            continue
        transition(Status(order.status), Action.REROUTE, Role.SYSTEM)
        deadline = now + dt.timedelta(minutes=accept_minutes)
        updated = await store.update_order(conn, order.id, now=now, vendor_id=scored.vendor_id,
                                           accept_deadline=deadline)
        await store.set_reserved(conn, order.id, reserved)
        await store.insert_offer(conn, order_id=order.id, vendor_id=scored.vendor_id, at=now,
                                 deadline=deadline)
        cheapest = min(s.cart_total for s in ranking)
        await store.insert_event(
            conn, order_id=order.id, at=now, actor=actor, from_status="pending",
            to_status="pending", reason=f"{why}; re-routed to {scored.explain(rank_no, cheapest)}",
            details={"from_vendor_id": order.vendor_id, "vendor_id": scored.vendor_id,
                     "excluded": sorted(asked), "score": scored.score})
        vendor = await party_store.vendor(conn, scored.vendor_id)
        assert vendor is not None
        return [fact.OrderOffered(updated.number, _vendor_party(vendor), retailer.shop_name,
                                  retailer.area, tuple(_priced_item(it) for it in items),
                                  updated.total, accept_minutes),
                fact.OrderRerouted(order.number, _retailer_party(retailer),
                                   previous.name if previous else "-", vendor.name)]
    transition(Status(order.status), Action.GIVE_UP, Role.SYSTEM)
    await store.update_order(conn, order.id, now=now, status=Status.UNROUTABLE.value,
                             accept_deadline=None)
    await store.insert_event(
        conn, order_id=order.id, at=now, actor=actor, from_status="pending",
        to_status="unroutable", reason=f"{why}; no other vendor can supply it — for operators",
        details={"excluded": sorted(asked)})
    return [fact.OrderUnroutable(order.number, _retailer_party(retailer))]


async def reroute_expired(conn: asyncpg.Connection, now: dt.datetime, *, word: Wording,
                          accept_minutes: float = DEFAULT_ACCEPT_MINUTES,
                          limit: int = 200) -> int:
    """Re-route every pending order whose vendor did not answer by its deadline.

    One transaction per order (rows another worker holds are skipped); the
    notices, worded by `word`, go into the outbox in the same transaction.
    Returns how many orders were handled. Safe to run again after a crash: a
    handled order is no longer past its deadline.
    """
    handled = 0
    while handled < limit:
        async with conn.transaction():
            expired = await store.expired_pending(conn, now, limit=1)
            if not expired:
                break
            order = expired[0]
            items = await store.items(conn, order.id)
            assert order.vendor_id is not None
            await store.close_offer(conn, order_id=order.id, vendor_id=order.vendor_id, at=now,
                                    outcome="timed_out", reason="no answer before deadline")
            waiting = await store.open_change(conn, order.id)
            if waiting is not None:  # the shop never answered the smaller order
                await store.close_change(conn, waiting.id, at=now, outcome="withdrawn")
            await _release(conn, order, items)
            old_vendor = await party_store.vendor(conn, order.vendor_id)
            name = old_vendor.name if old_vendor else f"vendor {order.vendor_id}"
            rest = await _offer_next(conn, order, items, why=f"{name} did not answer in time",
                                     actor="system:vendor-timeouts", now=now,
                                     accept_minutes=accept_minutes)
            told: list[fact.Fact] = []
            if old_vendor is not None:
                # "It went to another supplier" only when it did.
                told.append(fact.OfferTimedOut(order.number, _vendor_party(old_vendor),
                                               accept_minutes, rerouted=_rerouted(rest)))
            await enqueue(conn, word([*told, *rest]))
            handled += 1
    return handled


def _rerouted(told: Sequence[fact.Fact]) -> bool:
    """Whether `_offer_next` found another vendor (else the order went to operators)."""
    return not any(isinstance(f, fact.OrderUnroutable) for f in told)


# ------------------------------------------------------------------ vendor actions

_VENDOR_ACTIONS = {
    VendorAction.ACCEPT: Action.ACCEPT,
    VendorAction.REJECT: Action.REROUTE,
    VendorAction.DISPATCH: Action.DISPATCH,
    VendorAction.DELIVER: Action.DELIVER,
}
_PROGRESS = [Status.PENDING, Status.ACCEPTED, Status.DISPATCHED, Status.DELIVERED]
_TARGET = {VendorAction.ACCEPT: Status.ACCEPTED, VendorAction.DISPATCH: Status.DISPATCHED,
           VendorAction.DELIVER: Status.DELIVERED}


async def vendor_act(conn: asyncpg.Connection, vendor_id: int, order_number: int,
                     action: VendorAction, reason: str | None, now: dt.datetime, *,
                     accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> list[fact.Fact]:
    """Apply a vendor's accept / reject / dispatched / delivered to one of their orders.

    Only the assigned vendor may act; a repeat is answered, not applied twice;
    unknown and finished orders get a clear refusal. Returns what happened: the
    vendor's answer and the retailer's news, as facts to word.
    """
    async with conn.transaction():
        vendor = await party_store.vendor(conn, vendor_id)
        if vendor is None:
            return []
        return await _vendor_act(conn, vendor, order_number, action, reason, now,
                                 accept_minutes)


async def _vendor_act(conn: asyncpg.Connection, vendor: party_store.Vendor, number: int,
                      action: VendorAction, reason: str | None, now: dt.datetime,
                      accept_minutes: float) -> list[fact.Fact]:
    party = _vendor_party(vendor)

    def refused(why: fact.VendorRefusal, status: Status | None = None) -> list[fact.Fact]:
        return [fact.VendorRefused(number, party, why, action, status)]

    order = await store.order_by_number(conn, number, for_update=True)
    if order is None:
        return refused(fact.VendorRefusal.NOT_FOUND)
    if order.vendor_id != vendor.id or order.status == Status.UNROUTABLE:
        asked = await store.offered_vendors(conn, order.id)
        # Someone else's order is "not found": its number tells a vendor nothing.
        return refused(fact.VendorRefusal.NOT_YOURS if vendor.id in asked
                       else fact.VendorRefusal.NOT_FOUND)
    status = Status(order.status)
    target = _TARGET.get(action)
    if target is not None and status in _PROGRESS and \
            _PROGRESS.index(status) >= _PROGRESS.index(target):
        if action is VendorAction.ACCEPT:
            return refused(fact.VendorRefusal.ALREADY_ACCEPTED)
        return refused(fact.VendorRefusal.ALREADY, status)
    try:
        transition(status, _VENDOR_ACTIONS[action], Role.VENDOR)
    except TransitionError as exc:
        if exc.code == "final":
            return refused(fact.VendorRefusal.FINISHED, status)
        return refused(fact.VendorRefusal.WRONG_STEP, status)
    retailer = await party_store.retailer(conn, order.retailer_id)
    assert retailer is not None
    shop = _retailer_party(retailer)
    actor = f"vendor:{vendor.id}"
    if action is VendorAction.ACCEPT:
        await store.update_order(conn, order.id, now=now, status="accepted", accepted_at=now,
                                 accept_deadline=None)
        await store.close_offer(conn, order_id=order.id, vendor_id=vendor.id, at=now,
                                outcome="accepted", reason=None)
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status="pending", to_status="accepted",
                                 reason=f"accepted by {vendor.name}")
        return [fact.OrderAccepted(number, party, shop, retailer.area, order.total)]
    if action is VendorAction.REJECT:
        why = reason.strip()[:200] if reason and reason.strip() else None
        if status is Status.ACCEPTED:
            # Taken back after accepting (the truck broke down): back to pending, so it
            # is re-routed like any reject; the event says who and why.
            order = await store.update_order(conn, order.id, now=now, status="pending",
                                             accepted_at=None)
            await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                     from_status="accepted", to_status="pending",
                                     reason=f"taken back by {vendor.name}"
                                            + (f" ({why})" if why else ""))
        else:
            await store.close_offer(conn, order_id=order.id, vendor_id=vendor.id, at=now,
                                    outcome="rejected", reason=why)
        waiting = await store.open_change(conn, order.id)
        if waiting is not None:  # their smaller order goes with them; the shop's question too
            await store.close_change(conn, waiting.id, at=now, outcome="withdrawn")
        items = await store.items(conn, order.id)
        await _release(conn, order, items)
        rest = await _offer_next(conn, order, items,
                                 why=f"rejected by {vendor.name}" + (f" ({why})" if why else ""),
                                 actor=actor, now=now, accept_minutes=accept_minutes)
        return [fact.OrderRejected(number, party, why, rerouted=_rerouted(rest)), *rest]
    if action is VendorAction.DISPATCH:
        if await store.open_change(conn, order.id) is not None:
            # The shop has not yet said whether it takes the smaller order: sending now
            # would deliver (and debit) something nobody agreed to.
            return [fact.ChangeRefused(number, party, fact.ChangeRefusal.DISPATCH_WAITING)]
        await store.update_order(conn, order.id, now=now, status="dispatched", dispatched_at=now)
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status="accepted", to_status="dispatched",
                                 reason=f"dispatched by {vendor.name}")
        return [fact.OrderDispatched(number, party, shop)]
    updated = await store.update_order(conn, order.id, now=now, status="delivered",
                                       delivered_at=now)
    entry = await ledger_service.post_delivery_debit(conn, updated, now=now, actor=actor)
    # The invoice is numbered in this same transaction: no delivery without its
    # invoice, and no number used by a delivery that rolled back.
    await invoice_service.issue_invoice(conn, updated, now=now)
    await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                             from_status="dispatched", to_status="delivered",
                             reason=f"delivered by {vendor.name}",
                             details={"ledger_entry_id": entry.id,
                                      "due_date": entry.due_date.isoformat()
                                      if entry.due_date else None})
    assert entry.due_date is not None
    return [fact.OrderDelivered(number, party, shop, order.total, entry.due_date)]


# ------------------------------------------------------------------ partial fulfilment

# A vendor may send less until the order leaves: before or after accepting it.
_CHANGEABLE = frozenset({Status.PENDING.value, Status.ACCEPTED.value})


def _smaller(items: Sequence[store.OrderItem],
             less: dict[int, Decimal]) -> list[store.OrderItem]:
    """The lines with the quantities the vendor can send, each line's total at its price."""
    return [replace(it, qty=less[it.line_no],
                    line_total=to_paisa(it.unit_price * less[it.line_no]))
            if it.line_no in less else it for it in items]


async def vendor_change(conn: asyncpg.Connection, vendor_id: int, change: VendorChange,
                        now: dt.datetime, *,
                        accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> list[fact.Fact]:
    """A vendor can send only some lines of an order not yet dispatched: ask the shop.

    Nothing changes on the order until the shop says yes (`answer_change`). A pending
    offer's deadline is moved on so the time-out does not take it away meanwhile; an
    accepted order cannot be dispatched while the question is open (`vendor_act`).
    """
    async with conn.transaction():
        vendor = await party_store.vendor(conn, vendor_id)
        if vendor is None:
            return []
        party = _vendor_party(vendor)
        number = change.order_number
        order = await store.order_by_number(conn, number, for_update=True)
        if order is None or order.vendor_id != vendor.id or order.status == Status.UNROUTABLE:
            return [fact.VendorRefused(number, party, fact.VendorRefusal.NOT_FOUND,
                                       VendorAction.ACCEPT)]
        if order.status not in _CHANGEABLE:
            return [fact.ChangeRefused(number, party, fact.ChangeRefusal.WRONG_STEP)]
        accepted = order.status == Status.ACCEPTED.value
        if await store.open_change(conn, order.id) is not None:
            return [fact.ChangeRefused(number, party, fact.ChangeRefusal.WAITING)]
        items = await store.items(conn, order.id)
        aliases = await store.product_aliases(conn, [it.product_id for it in items])
        texts = {it.line_no: [it.name, it.sku, *aliases.get(it.product_id, [])] for it in items}
        keep, unmatched_keep = ordering.match_lines(change.keep, texts)
        drop, unmatched_drop = ordering.match_lines(change.drop, texts)
        fewer, unmatched_less = ordering.match_lines([n for n, _ in change.less], texts)
        if unmatched_keep or unmatched_drop or unmatched_less:
            return [fact.ChangeRefused(number, party, fact.ChangeRefusal.UNMATCHED,
                                       unmatched_keep + unmatched_drop + unmatched_less)]
        kept = ordering.kept_lines([it.line_no for it in items], keep, drop)
        if not kept:
            return [fact.ChangeRefused(number, party, fact.ChangeRefusal.NOTHING_LEFT)]
        by_line = {it.line_no: it for it in items}
        less: dict[int, Decimal] = {}
        units = dict(change.units)
        for name, asked in change.less:
            line = by_line[fewer[name]]
            # Less than ordered, more than none, whole where sold whole, on a line that
            # stays; anything else is not "sending less": the vendor says it another way.
            how, qty = sending_less(asked, units.get(name), line.qty, line.unit, line.name)
            if line.line_no not in kept and how is LessFit.OK:
                how = LessFit.NOT_LESS
            if how is not LessFit.OK or qty is None:
                return [fact.ChangeRefused(number, party, fact.ChangeRefusal(how.value),
                                           (name,), line.unit)]
            less[line.line_no] = qty
        if len(kept) == len(items) and not less:
            # Everything named stays: before accepting that is an accept; after, nothing.
            return await _vendor_act(conn, vendor, number, VendorAction.ACCEPT, None, now,
                                     accept_minutes)
        await store.insert_change(conn, order_id=order.id, vendor_id=vendor.id, kept=kept,
                                  at=now, less=less)
        if not accepted:
            # A pending offer would time out while the shop thinks: give the shop the time.
            await store.update_order(conn, order.id, now=now,
                                     accept_deadline=now + dt.timedelta(minutes=accept_minutes))
        await store.insert_event(conn, order_id=order.id, at=now, actor=f"vendor:{vendor.id}",
                                 from_status=order.status, to_status=order.status,
                                 reason=f"{vendor.name} can send only some lines; shop asked",
                                 details={"kept_lines": list(kept),
                                          "less": {str(n): str(q) for n, q in less.items()}})
        retailer = await party_store.retailer(conn, order.retailer_id)
        assert retailer is not None
        shown = _smaller([it for it in items if it.line_no in kept], less)
        return [fact.ChangeProposed(
            number, party, _retailer_party(retailer),
            tuple((it.name, it.qty, it.unit, it.line_total) for it in shown),
            tuple(it.name for it in items if it.line_no not in kept),
            ordering.total([_priced_item(it) for it in shown]))]


async def answer_change(conn: asyncpg.Connection, retailer_id: int, number: int, agree: bool,
                        now: dt.datetime, *,
                        accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> list[fact.Fact] | None:
    """The shop's yes (the order shrinks to the kept lines, accepted by the vendor) or no
    (re-routed whole to the next vendor). None when no change of theirs is waiting."""
    async with conn.transaction():
        order = await store.order_by_number(conn, number, for_update=True)
        if order is None or order.retailer_id != retailer_id or \
                order.status not in _CHANGEABLE:
            return None
        waiting = await store.open_change(conn, order.id)
        if waiting is None or waiting.vendor_id != order.vendor_id:
            return None
        change_id, vendor_id, kept = waiting.id, waiting.vendor_id, waiting.kept
        vendor = await party_store.vendor(conn, vendor_id)
        assert vendor is not None
        items = await store.items(conn, order.id)
        accepted = order.status == Status.ACCEPTED.value
        actor = f"retailer:{retailer_id}"
        if not agree:
            rest = await _whole_elsewhere(
                conn, order, items, change_id, vendor, outcome="declined", actor=actor,
                why=f"the shop declined {vendor.name}'s partial order", now=now,
                accept_minutes=accept_minutes)
            return [fact.ChangeDeclined(number, _vendor_party(vendor)), *rest]
        dropped = [it for it in items if it.line_no not in kept]
        assert order.vendor_id is not None
        for it in dropped:
            await store.release(conn, vendor_id=order.vendor_id, product_id=it.product_id,
                                qty=it.reserved_qty)
        await store.delete_items(conn, order.id, [it.line_no for it in dropped])
        kept_items = _smaller([it for it in items if it.line_no in kept], waiting.less)
        for before, after in zip([it for it in items if it.line_no in kept], kept_items,
                                 strict=True):
            if after.qty == before.qty:
                continue
            # Only what will be sent stays reserved; the debit and credit notes read the
            # line's new quantity and total.
            held = min(before.reserved_qty, after.qty)
            await store.release(conn, vendor_id=order.vendor_id, product_id=before.product_id,
                                qty=before.reserved_qty - held)
            await store.set_item_qty(conn, order.id, after.line_no, qty=after.qty,
                                     line_total=after.line_total, reserved=held)
        new_total = ordering.total([_priced_item(it) for it in kept_items])
        await store.update_order(conn, order.id, now=now, total=new_total,
                                 item_count=len(kept_items))
        await store.close_change(conn, change_id, at=now, outcome="accepted")
        await store.insert_event(conn, order_id=order.id, at=now,
                                 actor=actor, from_status=order.status,
                                 to_status=order.status,
                                 reason="the shop agreed to the partial order",
                                 details={"dropped_lines": [it.line_no for it in dropped],
                                          "less": {str(n): str(q)
                                                   for n, q in waiting.less.items()},
                                          "total": str(new_total)})
        if accepted:
            # Already accepted: the smaller order stands; the delivery debit reads the new
            # total and credit notes can only cover the lines that remain.
            retailer = await party_store.retailer(conn, retailer_id)
            assert retailer is not None
            return [fact.ChangeAgreed(number, _vendor_party(vendor), _retailer_party(retailer),
                                      new_total)]
        # The vendor offered these lines: agreeing is their acceptance of the smaller order.
        return await _vendor_act(conn, vendor, number, VendorAction.ACCEPT, None, now,
                                 accept_minutes)


async def _whole_elsewhere(conn: asyncpg.Connection, order: store.Order,
                           items: Sequence[store.OrderItem], change_id: int,
                           vendor: party_store.Vendor, *, outcome: str, actor: str, why: str,
                           now: dt.datetime, accept_minutes: float) -> list[fact.Fact]:
    """The smaller order is not taken (the shop said no, or never answered): the whole
    order goes to the next vendor, or to operators when none is left."""
    await store.close_change(conn, change_id, at=now, outcome=outcome)
    if order.status == Status.ACCEPTED.value:
        # As when the vendor takes an accepted order back: pending again, re-routed
        # whole (their offer was closed "accepted" and stays asked, so not re-offered).
        order = await store.update_order(conn, order.id, now=now, status="pending",
                                         accepted_at=None)
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status="accepted", to_status="pending",
                                 reason=f"{why} after it was accepted")
    else:
        await store.close_offer(conn, order_id=order.id, vendor_id=vendor.id, at=now,
                                outcome="rejected", reason=why)
    await _release(conn, order, items)
    return await _offer_next(conn, order, items, why=why, actor=actor, now=now,
                             accept_minutes=accept_minutes)


async def expire_changes(conn: asyncpg.Connection, now: dt.datetime, *, word: Wording,
                         answer_minutes: float, accept_minutes: float = DEFAULT_ACCEPT_MINUTES,
                         limit: int = 200) -> int:
    """Smaller-order questions the shop left unanswered for `answer_minutes`: as a no.

    The shop never agreed to less, so the order goes whole to the next vendor (or to
    operators); the vendor is told not to send it and the shop why nothing came of
    the question. One transaction per order, its notices in the outbox; returns how
    many were handled (rows another worker holds are skipped).
    """
    handled = 0
    cutoff = now - dt.timedelta(minutes=answer_minutes)
    while handled < limit:
        async with conn.transaction():
            number = await store.stale_change(conn, cutoff)
            if number is None:
                break
            order = await store.order_by_number(conn, number, for_update=True)
            waiting = await store.open_change(conn, order.id) if order is not None else None
            assert order is not None and waiting is not None  # locked by stale_change
            vendor = await party_store.vendor(conn, waiting.vendor_id)
            retailer = await party_store.retailer(conn, order.retailer_id)
            assert vendor is not None and retailer is not None
            items = await store.items(conn, order.id)
            rest = await _whole_elsewhere(
                conn, order, items, waiting.id, vendor, outcome="withdrawn",
                actor="system:change-timeouts",
                why=f"the shop did not answer {vendor.name}'s partial order in time", now=now,
                accept_minutes=accept_minutes)
            timed_out = fact.ChangeTimedOut(order.number, _vendor_party(vendor),
                                            _retailer_party(retailer), answer_minutes,
                                            rerouted=_rerouted(rest))
            await enqueue(conn, word([timed_out, *rest]))
            handled += 1
    return handled


# ------------------------------------------------------------------ cancelling


async def cancel_order(conn: asyncpg.Connection, *, order_number: int, role: Role, actor: str,
                       reason: str | None, now: dt.datetime,
                       retailer_id: int | None = None) -> CancelResult:
    """Cancel an order (a retailer only their own pending one; an operator any open one)."""
    async with conn.transaction():
        order = await store.order_by_number(conn, order_number, for_update=True)
        if order is None or (role is Role.RETAILER and order.retailer_id != retailer_id):
            return CancelRefused(CancelRefusal.NOT_FOUND, f"no order #{order_number}",
                                 order_number)
        status = Status(order.status)
        try:
            transition(status, Action.CANCEL, role)
        except TransitionError as exc:
            return CancelRefused(CancelRefusal(exc.code), str(exc), order_number, status.value)
        items = await store.items(conn, order.id)
        await _release(conn, order, items)
        waiting = await store.open_change(conn, order.id)
        if waiting is not None:
            await store.close_change(conn, waiting.id, at=now, outcome="withdrawn")
        if order.vendor_id is not None and status is Status.PENDING:
            await store.close_offer(conn, order_id=order.id, vendor_id=order.vendor_id, at=now,
                                    outcome="cancelled", reason=reason)
        updated = await store.update_order(conn, order.id, now=now, status="cancelled",
                                           cancelled_at=now, accept_deadline=None)
        why = reason.strip()[:200] if reason and reason.strip() else f"cancelled by {role.value}"
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status=status.value, to_status="cancelled", reason=why)
        vendor = await party_store.vendor(conn, order.vendor_id) if order.vendor_id else None
        retailer = await party_store.retailer(conn, order.retailer_id)
        told = fact.OrderCancelled(order.number, why, role, status,
                                   _vendor_party(vendor) if vendor else None,
                                   _retailer_party(retailer) if retailer else None)
        return Cancelled(_ref(updated), (told,))
