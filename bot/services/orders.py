"""Orders as one transaction each: quote, place, vendor answers, cancel, time-outs.

Every function takes a connection and does its whole use case inside one
transaction (a savepoint when the caller already has one), writes an
`order_events` row for every status change, asks `domain.order_status` whether
the change is allowed, and returns the WhatsApp notices (`Outgoing`) the
change causes, for the caller to put in the outbox in the same transaction.

Concurrency: placing locks the retailer row (`SELECT … FOR UPDATE`), so the
credit check and the insert are atomic per retailer; stock is reserved with a
conditional UPDATE (`stock >= qty`); every vendor action locks the order row,
so a second accept sees the first one's result.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from bot.metrics import ORDERS_PLACED
from bot.services import ledger as ledger_service
from bot.store import orders as store
from bot.store import parties as party_store
from domain import credit, routing
from domain.money import to_paisa
from domain.order_status import Action, Role, Status, TransitionError, transition
from domain.vendor_commands import VendorAction
from flows import order_notices as notices
from flows.i18n import t
from flows.replies import Outgoing

DEFAULT_ACCEPT_MINUTES = 15.0
Item = routing.CartLine


# ------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class PricedLine:
    line_no: int
    product_id: int
    sku: str
    name: str
    unit: str
    qty: Decimal
    unit_price: Decimal
    line_total: Decimal


@dataclass(frozen=True, slots=True)
class ShortLine:
    """A line the vendor (or, with vendor None, no vendor in the area) cannot supply."""

    sku: str
    name: str
    unit: str
    wanted: Decimal
    available: Decimal
    vendor_id: int | None = None
    vendor_name: str | None = None


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another vendor who can supply the whole cart."""

    vendor_id: int
    vendor_name: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class SplitPart:
    vendor_id: int
    vendor_name: str
    lines: tuple[PricedLine, ...]
    total: Decimal

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(Item(ln.sku, ln.qty) for ln in self.lines)


@dataclass(frozen=True, slots=True)
class Placed:
    order: store.Order
    lines: tuple[PricedLine, ...]
    vendor_name: str
    outgoing: tuple[Outgoing, ...]
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class CreditShort:
    shortfall: Decimal
    available: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class StockShort:
    lines: tuple[ShortLine, ...]
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class SplitOffer:
    parts: tuple[SplitPart, ...]

    @property
    def total(self) -> Decimal:
        return to_paisa(sum((p.total for p in self.parts), Decimal(0)))


@dataclass(frozen=True, slots=True)
class NotAllowed:
    """`code`: unknown_retailer, pending, blocked, empty, bad_qty, vendor."""

    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class UnknownItems:
    skus: tuple[str, ...]


PlaceResult = Placed | CreditShort | StockShort | SplitOffer | NotAllowed | UnknownItems


@dataclass(frozen=True, slots=True)
class SplitPlaced:
    placed: tuple[Placed, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """What placing now would do, without doing it (nothing is locked or written)."""

    retailer_id: int
    available: Decimal
    vendor_id: int | None = None
    vendor_name: str | None = None
    lines: tuple[PricedLine, ...] = ()
    total: Decimal = Decimal("0.00")
    explanation: str | None = None
    shortages: tuple[ShortLine, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    split: tuple[SplitPart, ...] = ()
    unknown: tuple[str, ...] = ()
    problem: NotAllowed | None = None

    @property
    def credit_shortfall(self) -> Decimal:
        return credit.decide(credit.CreditPosition(self.available, Decimal(0), Decimal(0)),
                             self.total).shortfall


@dataclass(frozen=True, slots=True)
class Cancelled:
    order: store.Order
    outgoing: tuple[Outgoing, ...]


@dataclass(frozen=True, slots=True)
class CancelRefused:
    """`code`: not_found, final, not_allowed, wrong_status."""

    code: str
    message: str
    status: str | None = None


# ------------------------------------------------------------------ planning


@dataclass(frozen=True, slots=True)
class _Chosen:
    vendor_id: int
    vendor_name: str
    lines: tuple[PricedLine, ...]
    total: Decimal
    explanation: str
    ranking: tuple[routing.Scored, ...]


@dataclass(slots=True)
class _Market:
    products: dict[str, store.Product]
    candidates: dict[int, routing.Candidate] = field(default_factory=dict)


MAX_QTY = Decimal(100000)
QTY_STEP = Decimal("0.001")  # order_items.qty is numeric(12, 3)


def _merge(items: Sequence[Item]) -> list[Item] | NotAllowed:
    """One line per product (quantities added up), each quantity checked and rounded."""
    merged: OrderedDict[str, Decimal] = OrderedDict()
    for it in items:
        try:
            qty = it.qty if isinstance(it.qty, Decimal) else Decimal(str(it.qty))
        except ArithmeticError:
            return NotAllowed("bad_qty", f"quantity for {it.sku} is not a number")
        if not qty.is_finite() or qty <= 0:
            return NotAllowed("bad_qty", f"quantity for {it.sku} must be more than zero")
        merged[it.sku] = merged.get(it.sku, Decimal(0)) + qty
    if not merged:
        return NotAllowed("empty", "the order has no items")
    lines = []
    for sku, qty in merged.items():
        qty = qty.quantize(QTY_STEP, rounding=ROUND_HALF_UP)
        if qty <= 0 or qty > MAX_QTY:
            return NotAllowed("bad_qty", f"quantity for {sku} must be between 0.001 and "
                                         f"{MAX_QTY}")
        lines.append(Item(sku, qty))
    return lines


async def _market(conn: asyncpg.Connection, skus: Sequence[str], area: str) -> _Market:
    market = _Market(await store.products_by_sku(conn, skus))
    offers = await store.vendor_offers(conn, skus, area)
    by_vendor: dict[int, list[store.VendorOffer]] = {}
    for o in offers:
        by_vendor.setdefault(o.vendor_id, []).append(o)
    perf = await store.performance(conn, list(by_vendor))
    for vid, rows in by_vendor.items():
        p = perf.get(vid)
        performance = routing.Performance() if p is None else routing.Performance(
            offered=p.offers, accepted=p.accepted, answered=p.accepted + p.rejected,
            mean_response_seconds=(float(p.median_response_seconds)
                                   if p.median_response_seconds is not None else None),
            delivered=p.fulfilled, settled=p.fulfilled + p.failed)
        market.candidates[vid] = routing.Candidate(
            vid, rows[0].vendor_name, rows[0].areas,
            {r.sku: routing.Offer(r.sku, r.price, r.stock, r.min_qty) for r in rows},
            performance)
    return market


def _priced(market: _Market, vendor_id: int, lines: Sequence[Item]) -> tuple[PricedLine, ...]:
    cand = market.candidates[vendor_id]
    out = []
    for n, ln in enumerate(lines, start=1):
        product = market.products[ln.sku]
        price = cand.offers[ln.sku].price
        out.append(PricedLine(n, product.id, ln.sku, product.name, product.unit, ln.qty, price,
                              to_paisa(price * ln.qty)))
    return tuple(out)


def _total(lines: Sequence[PricedLine]) -> Decimal:
    """An order's total: the sum of its rounded line totals, so the two always agree."""
    return sum((ln.line_total for ln in lines), Decimal("0.00"))


def _short_lines(market: _Market, lines: Sequence[Item],
                 cand: routing.Candidate | None) -> tuple[ShortLine, ...]:
    out = []
    for ln in lines:
        if cand is not None and cand.covers(ln):
            continue
        p = market.products[ln.sku]
        if cand is None:
            out.append(ShortLine(ln.sku, p.name, p.unit, ln.qty, Decimal(0)))
            continue
        offer = cand.offers.get(ln.sku)
        have = Decimal(0) if offer is None else (offer.stock if offer.stock is not None
                                                 else ln.qty)
        if offer is not None and ln.qty < offer.min_qty:
            have = Decimal(0)
        out.append(ShortLine(ln.sku, p.name, p.unit, ln.qty, have, cand.vendor_id, cand.name))
    return tuple(out)


def _plan(market: _Market, area: str, lines: Sequence[Item], vendor_id: int | None,
          deadline_seconds: float) -> _Chosen | StockShort | SplitOffer | NotAllowed:
    """Pick the vendor (or honour the one asked for), or say why not."""
    cands = list(market.candidates.values())
    if vendor_id is not None:
        cand = market.candidates.get(vendor_id)
        if cand is None or not cand.serves(area):
            return NotAllowed("vendor", "that vendor does not supply these items in your area")
        if not all(cand.covers(ln) for ln in lines):
            others = routing.rank(area, lines, cands, deadline_seconds=deadline_seconds,
                                  exclude=frozenset({vendor_id}))
            return StockShort(_short_lines(market, lines, cand),
                              tuple(Alternative(s.vendor_id, s.name, s.cart_total)
                                    for s in others[:3]))
        ranking = routing.rank(area, lines, [cand], deadline_seconds=deadline_seconds)
        why = f"{cand.name} chosen by the retailer"
        priced = _priced(market, vendor_id, lines)
        return _Chosen(vendor_id, cand.name, priced, _total(priced), why, ranking)
    decision = routing.choose(area, lines, cands, deadline_seconds=deadline_seconds)
    if isinstance(decision, routing.Chosen):
        name = market.candidates[decision.vendor_id].name
        priced = _priced(market, decision.vendor_id, lines)
        return _Chosen(decision.vendor_id, name, priced, _total(priced), decision.explanation,
                       decision.ranking)
    if isinstance(decision, routing.Split):
        parts = []
        for part in decision.parts:
            priced = _priced(market, part.vendor_id, part.lines)
            parts.append(SplitPart(part.vendor_id, part.name, priced, _total(priced)))
        return SplitOffer(tuple(parts))
    shorts = []
    for s in decision.shortages:
        p = market.products[s.sku]
        shorts.append(ShortLine(s.sku, p.name, p.unit, s.wanted, s.available))
    return StockShort(tuple(shorts))


async def quote(conn: asyncpg.Connection, retailer_id: int, items: Sequence[Item], *,
                vendor_id: int | None = None,
                accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> Quote:
    """Price a cart as placing it would: vendor, lines, total, credit, shortages or a split."""
    retailer = await party_store.retailer(conn, retailer_id)
    if retailer is None:
        return Quote(retailer_id, Decimal(0), problem=NotAllowed("unknown_retailer",
                                                                 "unknown retailer"))
    position = await ledger_service.credit_position(conn, retailer_id)
    available = position.available
    blocked = credit.may_order(credit.RetailerStatus(retailer.status))
    problem = NotAllowed(retailer.status, blocked) if blocked else None
    lines = _merge(items)
    if isinstance(lines, NotAllowed):
        return Quote(retailer_id, available, problem=lines)
    market = await _market(conn, [ln.sku for ln in lines], retailer.area)
    unknown = tuple(ln.sku for ln in lines if ln.sku not in market.products)
    if unknown:
        return Quote(retailer_id, available, unknown=unknown, problem=problem)
    plan = _plan(market, retailer.area, lines, vendor_id, accept_minutes * 60)
    if isinstance(plan, _Chosen):
        return Quote(retailer_id, available, plan.vendor_id, plan.vendor_name, plan.lines,
                     plan.total, plan.explanation, problem=problem)
    if isinstance(plan, StockShort):
        return Quote(retailer_id, available, shortages=plan.lines,
                     alternatives=plan.alternatives, problem=problem)
    if isinstance(plan, SplitOffer):
        return Quote(retailer_id, available, split=plan.parts, total=plan.total,
                     problem=problem)
    return Quote(retailer_id, available, problem=problem or plan)


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

    The outgoing notices are the offer to the vendor (and, with
    `notify_retailer`, a confirmation for orders placed on the retailer's behalf).
    A repeated `idempotency_key` returns the order placed the first time.
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
    items = await store.items(conn, order.id)
    lines = tuple(PricedLine(i.line_no, i.product_id, i.sku, i.name, i.unit, i.qty,
                             i.unit_price, i.line_total) for i in items)
    return Placed(order, lines, vendor.name if vendor else "", (), duplicate=True)


async def _place(conn: asyncpg.Connection, *, retailer_id: int, items: Sequence[Item],
                 vendor_id: int | None, source: str, idempotency_key: str | None, actor: str,
                 now: dt.datetime, accept_minutes: float,
                 notify_retailer: bool) -> PlaceResult:
    retailer = await party_store.retailer(conn, retailer_id, for_update=True)
    if retailer is None:
        return NotAllowed("unknown_retailer", "unknown retailer")
    if idempotency_key:
        earlier = await store.order_by_key(conn, idempotency_key)
        if earlier is not None:
            if earlier.retailer_id != retailer_id:
                return NotAllowed("idempotency", "that idempotency key belongs to another order")
            return await _existing(conn, earlier)
    refusal = credit.may_order(credit.RetailerStatus(retailer.status))
    if refusal:
        return NotAllowed(retailer.status, refusal)
    lines = _merge(items)
    if isinstance(lines, NotAllowed):
        return lines
    market = await _market(conn, [ln.sku for ln in lines], retailer.area)
    unknown = tuple(ln.sku for ln in lines if ln.sku not in market.products)
    if unknown:
        return UnknownItems(unknown)
    plan = _plan(market, retailer.area, lines, vendor_id, accept_minutes * 60)
    if not isinstance(plan, _Chosen):
        return plan
    position = credit.CreditPosition(
        retailer.credit_limit, await ledger_service.balance(conn, retailer_id),
        await store.open_orders_value(conn, retailer_id))
    decision = credit.decide(position, plan.total)
    if not decision.allowed:
        return CreditShort(decision.shortfall, decision.available, plan.total)
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
    out = [notices.vendor_offer(to=vendor.phone, language=vendor.language, number=order.number,
                                shop=retailer.shop_name, area=retailer.area, lines=plan.lines,
                                total=plan.total, minutes=accept_minutes)]
    if notify_retailer:
        out.append(notices.text(to=retailer.phone, language=retailer.language,
                                number=order.number, key="order.placed_for_you",
                                vendor=vendor.name,
                                total=notices.amount(retailer.language, plan.total)))
    return Placed(order, plan.lines, vendor.name, tuple(out))


async def place_split(conn: asyncpg.Connection, *, retailer_id: int,
                      parts: Sequence[SplitPart], source: str = "whatsapp",
                      idempotency_key: str | None = None, actor: str, now: dt.datetime,
                      accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> SplitPlaced | PlaceResult:
    """Place a split offer's per-vendor orders all together, or none of them."""
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
                      now: dt.datetime, accept_minutes: float) -> list[Outgoing]:
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
                    raise _Abort(NotAllowed("stock", "stock went"))
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
        out = [notices.vendor_offer(to=vendor.phone, language=vendor.language,
                                    number=updated.number, shop=retailer.shop_name,
                                    area=retailer.area, lines=items, total=updated.total,
                                    minutes=accept_minutes)]
        out.append(notices.text(to=retailer.phone, language=retailer.language,
                                number=order.number, key="order.rerouted",
                                vendor=previous.name if previous else "-", next=vendor.name))
        return out
    transition(Status(order.status), Action.GIVE_UP, Role.SYSTEM)
    await store.update_order(conn, order.id, now=now, status=Status.UNROUTABLE.value,
                             accept_deadline=None)
    await store.insert_event(
        conn, order_id=order.id, at=now, actor=actor, from_status="pending",
        to_status="unroutable", reason=f"{why}; no other vendor can supply it — for operators",
        details={"excluded": sorted(asked)})
    return [notices.text(to=retailer.phone, language=retailer.language, number=order.number,
                         key="order.unroutable")]


async def reroute_expired(conn: asyncpg.Connection, now: dt.datetime, *,
                          accept_minutes: float = DEFAULT_ACCEPT_MINUTES,
                          limit: int = 200) -> int:
    """Re-route every pending order whose vendor did not answer by its deadline.

    One transaction per order (rows another worker holds are skipped); the
    notices go into the outbox in the same transaction. Returns how many
    orders were handled. Safe to run again after a crash: a handled order is
    no longer past its deadline.
    """
    from bot.store.outbox import enqueue

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
            await _release(conn, order, items)
            old_vendor = await party_store.vendor(conn, order.vendor_id)
            out: list[Outgoing] = []
            if old_vendor is not None:
                minutes = f"{accept_minutes:g}"
                out.append(notices.text(to=old_vendor.phone, language=old_vendor.language,
                                        number=order.number, key="vendor.timed_out",
                                        minutes=minutes))
            name = old_vendor.name if old_vendor else f"vendor {order.vendor_id}"
            out += await _offer_next(conn, order, items, why=f"{name} did not answer in time",
                                     actor="system:vendor-timeouts", now=now,
                                     accept_minutes=accept_minutes)
            await enqueue(conn, out)
            handled += 1
    return handled


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
                     accept_minutes: float = DEFAULT_ACCEPT_MINUTES) -> list[Outgoing]:
    """Apply a vendor's accept / reject / dispatched / delivered to one of their orders.

    Only the assigned vendor may act; a repeat is answered, not applied twice;
    unknown and finished orders get a clear reply. Returns the reply to the
    vendor and the retailer's notice.
    """
    async with conn.transaction():
        vendor = await party_store.vendor(conn, vendor_id)
        if vendor is None:
            return []
        return await _vendor_act(conn, vendor, order_number, action, reason, now,
                                 accept_minutes)


def _reply(vendor: party_store.Vendor, number: int, key: str, **values: object) -> Outgoing:
    return notices.text(to=vendor.phone, language=vendor.language, number=number, key=key,
                        **values)


async def _vendor_act(conn: asyncpg.Connection, vendor: party_store.Vendor, number: int,
                      action: VendorAction, reason: str | None, now: dt.datetime,
                      accept_minutes: float) -> list[Outgoing]:
    lang = vendor.language
    order = await store.order_by_number(conn, number, for_update=True)
    if order is None:
        return [_reply(vendor, number, "vendor.not_found")]
    if order.vendor_id != vendor.id or order.status == Status.UNROUTABLE:
        asked = await store.offered_vendors(conn, order.id)
        # Someone else's order is "not found": its number tells a vendor nothing.
        key = "vendor.not_yours" if vendor.id in asked else "vendor.not_found"
        return [_reply(vendor, number, key)]
    status = Status(order.status)
    target = _TARGET.get(action)
    if target is not None and status in _PROGRESS and \
            _PROGRESS.index(status) >= _PROGRESS.index(target):
        if action is VendorAction.ACCEPT:
            return [_reply(vendor, number, "vendor.already_accepted")]
        return [_reply(vendor, number, "vendor.already",
                       status=notices.status_name(lang, status.value))]
    try:
        transition(status, _VENDOR_ACTIONS[action], Role.VENDOR)
    except TransitionError as exc:
        status_text = notices.status_name(lang, status.value)
        if exc.code == "final":
            return [_reply(vendor, number, "vendor.finished", status=status_text)]
        hint_key = {Status.PENDING: "vendor.hint.pending",
                    Status.ACCEPTED: "vendor.hint.accepted"}.get(status, "vendor.hint.none")
        return [_reply(vendor, number, "vendor.wrong_step", status=status_text,
                       action=t(lang, f"vendor.action.{action.value}"),
                       hint=t(lang, hint_key, number=number))]
    retailer = await party_store.retailer(conn, order.retailer_id)
    assert retailer is not None
    actor = f"vendor:{vendor.id}"
    rlang = retailer.language
    if action is VendorAction.ACCEPT:
        await store.update_order(conn, order.id, now=now, status="accepted", accepted_at=now,
                                 accept_deadline=None)
        await store.close_offer(conn, order_id=order.id, vendor_id=vendor.id, at=now,
                                outcome="accepted", reason=None)
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status="pending", to_status="accepted",
                                 reason=f"accepted by {vendor.name}")
        return [_reply(vendor, number, "vendor.accepted", shop=retailer.shop_name,
                       area=retailer.area, phone=retailer.phone),
                notices.text(to=retailer.phone, language=rlang, number=number,
                             key="order.accepted", vendor=vendor.name,
                             total=notices.amount(rlang, order.total))]
    if action is VendorAction.REJECT:
        why = reason.strip()[:200] if reason and reason.strip() else None
        await store.close_offer(conn, order_id=order.id, vendor_id=vendor.id, at=now,
                                outcome="rejected", reason=why)
        items = await store.items(conn, order.id)
        await _release(conn, order, items)
        ack = _reply(vendor, number, "vendor.rejected",
                     reason=why or t(lang, "vendor.rejected.noreason"))
        rest = await _offer_next(conn, order, items,
                                 why=f"rejected by {vendor.name}" + (f" ({why})" if why else ""),
                                 actor=actor, now=now, accept_minutes=accept_minutes)
        return [ack, *rest]
    if action is VendorAction.DISPATCH:
        await store.update_order(conn, order.id, now=now, status="dispatched", dispatched_at=now)
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status="accepted", to_status="dispatched",
                                 reason=f"dispatched by {vendor.name}")
        return [_reply(vendor, number, "vendor.dispatched"),
                notices.text(to=retailer.phone, language=rlang, number=number,
                             key="order.dispatched", vendor=vendor.name)]
    updated = await store.update_order(conn, order.id, now=now, status="delivered",
                                       delivered_at=now)
    entry = await ledger_service.post_delivery_debit(conn, updated, now=now, actor=actor)
    await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                             from_status="dispatched", to_status="delivered",
                             reason=f"delivered by {vendor.name}",
                             details={"ledger_entry_id": entry.id,
                                      "due_date": entry.due_date.isoformat()
                                      if entry.due_date else None})
    assert entry.due_date is not None
    return [_reply(vendor, number, "vendor.delivered", total=notices.amount(lang, order.total),
                   shop=retailer.shop_name),
            notices.text(to=retailer.phone, language=rlang, number=number,
                         key="order.delivered", total=notices.amount(rlang, order.total),
                         due=notices.due_text(rlang, entry.due_date))]


# ------------------------------------------------------------------ cancelling


async def cancel_order(conn: asyncpg.Connection, *, order_number: int, role: Role, actor: str,
                       reason: str | None, now: dt.datetime,
                       retailer_id: int | None = None) -> Cancelled | CancelRefused:
    """Cancel an order (a retailer only their own pending one; an operator any open one)."""
    async with conn.transaction():
        order = await store.order_by_number(conn, order_number, for_update=True)
        if order is None or (role is Role.RETAILER and order.retailer_id != retailer_id):
            return CancelRefused("not_found", f"no order #{order_number}")
        status = Status(order.status)
        try:
            transition(status, Action.CANCEL, role)
        except TransitionError as exc:
            return CancelRefused(exc.code, str(exc), status.value)
        items = await store.items(conn, order.id)
        await _release(conn, order, items)
        if order.vendor_id is not None and status is Status.PENDING:
            await store.close_offer(conn, order_id=order.id, vendor_id=order.vendor_id, at=now,
                                    outcome="cancelled", reason=reason)
        updated = await store.update_order(conn, order.id, now=now, status="cancelled",
                                           cancelled_at=now, accept_deadline=None)
        why = reason.strip()[:200] if reason and reason.strip() else f"cancelled by {role.value}"
        await store.insert_event(conn, order_id=order.id, at=now, actor=actor,
                                 from_status=status.value, to_status="cancelled", reason=why)
        out: list[Outgoing] = []
        if order.vendor_id is not None and status in (Status.PENDING, Status.ACCEPTED):
            vendor = await party_store.vendor(conn, order.vendor_id)
            if vendor is not None:
                out.append(notices.text(to=vendor.phone, language=vendor.language,
                                        number=order.number, key="vendor.cancelled", reason=why))
        if role is not Role.RETAILER:
            retailer = await party_store.retailer(conn, order.retailer_id)
            if retailer is not None:
                out.append(notices.text(to=retailer.phone, language=retailer.language,
                                        number=order.number, key="order.cancelled_by_operator",
                                        reason=why))
        return Cancelled(updated, tuple(out))
