"""Planning an order, and the one vocabulary of what placing it came to.

Pure: the order service (bot/services/orders.py) reads the retailer, the
market (products and every vendor's terms in the area) and the credit
position from Postgres, asks this module what to do, and writes the result.
The outcome types below are what the service returns and what the flows word
(flows/retailer, flows/order_notices); they hold plain values only.

Planning, in order: `merge` the cart into one checked line per product; look
up the `Market`; `plan` picks the vendor (or honours the one asked for) and
prices the lines, or says why not (`StockShort`, `SplitOffer`, `NotAllowed`);
`quote_from` turns that into a `Quote` without placing anything.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from rapidfuzz import fuzz

from domain import credit, routing
from domain.facts import Fact
from domain.money import to_paisa
from domain.normalize import plain_form
from domain.order_status import Status

Item = routing.CartLine

MAX_QTY = Decimal(100000)
QTY_STEP = Decimal("0.001")  # order_items.qty is numeric(12, 3)


# ------------------------------------------------------------------ the market, as data


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue product as an order line needs it."""

    id: int
    sku: str
    name: str
    unit: str


@dataclass(frozen=True, slots=True)
class Market:
    """The products of a cart and the vendors serving the retailer's area that offer any."""

    products: Mapping[str, Product]
    candidates: Mapping[int, routing.Candidate] = field(default_factory=dict)


# ------------------------------------------------------------------ outcomes


class Refusal(StrEnum):
    """Why an order may not be placed (or quoted) at all."""

    UNKNOWN_RETAILER = "unknown_retailer"
    PENDING = "pending"
    BLOCKED = "blocked"
    EMPTY = "empty"
    BAD_QTY = "bad_qty"
    VENDOR = "vendor"
    IDEMPOTENCY = "idempotency"
    STOCK = "stock"


@dataclass(frozen=True, slots=True)
class PricedLine:
    """One order line priced at one vendor."""

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
    """A line the vendor (or, with vendor None, no vendor in the area) cannot supply.

    `available` never exceeds `wanted`; `minimum` is set when the quantity is
    below the least the vendor sells (the retailer is told it, never offered more).
    """

    sku: str
    name: str
    unit: str
    wanted: Decimal
    available: Decimal
    vendor_id: int | None = None
    vendor_name: str | None = None
    minimum: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another vendor who can supply the whole cart."""

    vendor_id: int
    vendor_name: str
    total: Decimal


@dataclass(frozen=True, slots=True)
class SplitPart:
    """The lines one vendor supplies when no single vendor has them all."""

    vendor_id: int
    vendor_name: str
    lines: tuple[PricedLine, ...]
    total: Decimal

    @property
    def items(self) -> tuple[Item, ...]:
        """The part as cart lines, to place it."""
        return tuple(Item(ln.sku, ln.qty) for ln in self.lines)


@dataclass(frozen=True, slots=True)
class OrderRef:
    """An order as its outcome names it."""

    id: int
    number: int
    retailer_id: int
    vendor_id: int | None
    status: Status
    total: Decimal


@dataclass(frozen=True, slots=True)
class Placed:
    """The order is in, with the notices it causes; `duplicate` for a replayed key."""

    order: OrderRef
    lines: tuple[PricedLine, ...]
    vendor_name: str
    notices: tuple[Fact, ...]
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class SplitPlaced:
    """A split cart placed as one order per vendor (all of them or none)."""

    placed: tuple[Placed, ...]


@dataclass(frozen=True, slots=True)
class CreditShort:
    """The order is more than the credit left; `prices` (per sku) let a smaller one fit.

    `prices` are the unit prices at the vendor the order would have gone to
    (empty when no one vendor was chosen); they are not part of the outcome's
    identity.
    """

    shortfall: Decimal
    available: Decimal
    total: Decimal
    prices: Mapping[str, Decimal] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class StockShort:
    """Some lines cannot be supplied; `alternatives` could supply the whole cart."""

    lines: tuple[ShortLine, ...]
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class SplitOffer:
    """No single vendor has every line, but these vendors together do."""

    parts: tuple[SplitPart, ...]

    @property
    def total(self) -> Decimal:
        """The parts' totals together."""
        return to_paisa(sum((p.total for p in self.parts), Decimal(0)))


@dataclass(frozen=True, slots=True)
class NotAllowed:
    """The order may not be placed: `code` says why, `reason` in one line."""

    code: Refusal
    reason: str


@dataclass(frozen=True, slots=True)
class UnknownItems:
    """Skus that are not in the catalogue (any more)."""

    skus: tuple[str, ...]


PlaceResult = Placed | CreditShort | StockShort | SplitOffer | NotAllowed | UnknownItems


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
        """How much of the total the available credit does not cover."""
        return credit.decide(credit.CreditPosition(self.available, Decimal(0), Decimal(0)),
                             self.total).shortfall

    @property
    def priced(self) -> tuple[PricedLine, ...]:
        """Every priced line: the chosen vendor's, else those of the split's parts."""
        if self.lines:
            return self.lines
        return tuple(ln for part in self.split for ln in part.lines)

    @property
    def vendor_names(self) -> tuple[str, ...]:
        """Who would supply it: the chosen vendor, else the split's vendors in order."""
        if self.lines:
            return (self.vendor_name,) if self.vendor_name else ()
        return tuple(part.vendor_name for part in self.split)


class CancelRefusal(StrEnum):
    """Why an order cannot be cancelled (as `domain.order_status.TransitionError` codes)."""

    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"  # another retailer's order (a retailer asked by number)
    FINAL = "final"
    NOT_ALLOWED = "not_allowed"
    WRONG_STATUS = "wrong_status"


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The order is cancelled, with the notices it causes."""

    order: OrderRef
    notices: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class CancelRefused:
    """Order `number` was not cancelled: `code` says why, `message` in one line."""

    code: CancelRefusal
    message: str
    number: int
    status: str | None = None


CancelResult = Cancelled | CancelRefused


# ------------------------------------------------------------------ planning


@dataclass(frozen=True, slots=True)
class Plan:
    """One vendor for the whole cart: the priced lines, why, and every candidate ranked."""

    vendor_id: int
    vendor_name: str
    lines: tuple[PricedLine, ...]
    total: Decimal
    explanation: str
    ranking: tuple[routing.Scored, ...]


def refusal_of(status: credit.RetailerStatus) -> NotAllowed | None:
    """None when a retailer in `status` may order, else why not."""
    reason = credit.may_order(status)
    return None if reason is None else NotAllowed(Refusal(status.value), reason)


def merge(items: Sequence[Item]) -> list[Item] | NotAllowed:
    """One line per product (quantities added up), each quantity checked and rounded."""
    merged: OrderedDict[str, Decimal] = OrderedDict()
    for it in items:
        try:
            qty = it.qty if isinstance(it.qty, Decimal) else Decimal(str(it.qty))
        except ArithmeticError:
            return NotAllowed(Refusal.BAD_QTY, f"quantity for {it.sku} is not a number")
        if not qty.is_finite() or qty <= 0:
            return NotAllowed(Refusal.BAD_QTY, f"quantity for {it.sku} must be more than zero")
        merged[it.sku] = merged.get(it.sku, Decimal(0)) + qty
    if not merged:
        return NotAllowed(Refusal.EMPTY, "the order has no items")
    lines = []
    for sku, qty in merged.items():
        qty = qty.quantize(QTY_STEP, rounding=ROUND_HALF_UP)
        if qty <= 0 or qty > MAX_QTY:
            return NotAllowed(Refusal.BAD_QTY, f"quantity for {sku} must be between 0.001 and "
                                               f"{MAX_QTY}")
        lines.append(Item(sku, qty))
    return lines


def unknown_skus(market: Market, lines: Sequence[Item]) -> tuple[str, ...]:
    """The lines' skus the catalogue does not have."""
    return tuple(ln.sku for ln in lines if ln.sku not in market.products)


def priced(market: Market, vendor_id: int, lines: Sequence[Item]) -> tuple[PricedLine, ...]:
    """The lines at `vendor_id`'s prices, numbered from 1, each total rounded to paisa."""
    cand = market.candidates[vendor_id]
    out = []
    for n, ln in enumerate(lines, start=1):
        product = market.products[ln.sku]
        price = cand.offers[ln.sku].price
        out.append(PricedLine(n, product.id, ln.sku, product.name, product.unit, ln.qty, price,
                              to_paisa(price * ln.qty)))
    return tuple(out)


def total(lines: Sequence[PricedLine]) -> Decimal:
    """An order's total: the sum of its rounded line totals, so the two always agree."""
    return sum((ln.line_total for ln in lines), Decimal("0.00"))


def short_lines(market: Market, lines: Sequence[Item],
                cand: routing.Candidate | None) -> tuple[ShortLine, ...]:
    """The lines `cand` (or, with None, nobody) cannot supply, with what it has of each."""
    out = []
    for ln in lines:
        if cand is not None and cand.covers(ln):
            continue
        p = market.products[ln.sku]
        if cand is None:
            out.append(ShortLine(ln.sku, p.name, p.unit, ln.qty, Decimal(0)))
            continue
        have, minimum = routing.most_available(ln, [cand])
        out.append(ShortLine(ln.sku, p.name, p.unit, ln.qty, have, cand.vendor_id, cand.name,
                             minimum))
    return tuple(out)


def plan(market: Market, area: str, lines: Sequence[Item], vendor_id: int | None,
         deadline_seconds: float) -> Plan | StockShort | SplitOffer | NotAllowed:
    """Pick the vendor (or honour the one asked for), or say why not."""
    cands = list(market.candidates.values())
    if vendor_id is not None:
        cand = market.candidates.get(vendor_id)
        if cand is None or not cand.serves(area):
            return NotAllowed(Refusal.VENDOR,
                              "that vendor does not supply these items in your area")
        if not all(cand.covers(ln) for ln in lines):
            others = routing.rank(area, lines, cands, deadline_seconds=deadline_seconds,
                                  exclude=frozenset({vendor_id}))
            return StockShort(short_lines(market, lines, cand),
                              tuple(Alternative(s.vendor_id, s.name, s.cart_total)
                                    for s in others[:3]))
        ranking = routing.rank(area, lines, [cand], deadline_seconds=deadline_seconds)
        why = f"{cand.name} chosen by the retailer"
        chosen = priced(market, vendor_id, lines)
        return Plan(vendor_id, cand.name, chosen, total(chosen), why, ranking)
    decision = routing.choose(area, lines, cands, deadline_seconds=deadline_seconds)
    if isinstance(decision, routing.Chosen):
        name = market.candidates[decision.vendor_id].name
        chosen = priced(market, decision.vendor_id, lines)
        return Plan(decision.vendor_id, name, chosen, total(chosen), decision.explanation,
                    decision.ranking)
    if isinstance(decision, routing.Split):
        parts = []
        for part in decision.parts:
            part_lines = priced(market, part.vendor_id, part.lines)
            parts.append(SplitPart(part.vendor_id, part.name, part_lines, total(part_lines)))
        return SplitOffer(tuple(parts))
    shorts = []
    for s in decision.shortages:
        p = market.products[s.sku]
        shorts.append(ShortLine(s.sku, p.name, p.unit, s.wanted, s.available,
                                minimum=s.minimum))
    return StockShort(tuple(shorts))


def quote_from(retailer_id: int, available: Decimal, problem: NotAllowed | None,
               market: Market, area: str, lines: Sequence[Item], vendor_id: int | None,
               deadline_seconds: float) -> Quote:
    """The quote for merged `lines` in `market` (`problem`: why the retailer may not order)."""
    unknown = unknown_skus(market, lines)
    if unknown:
        return Quote(retailer_id, available, unknown=unknown, problem=problem)
    chosen = plan(market, area, lines, vendor_id, deadline_seconds)
    if isinstance(chosen, Plan):
        return Quote(retailer_id, available, chosen.vendor_id, chosen.vendor_name, chosen.lines,
                     chosen.total, chosen.explanation, problem=problem)
    if isinstance(chosen, StockShort):
        return Quote(retailer_id, available, shortages=chosen.lines,
                     alternatives=chosen.alternatives, problem=problem)
    if isinstance(chosen, SplitOffer):
        return Quote(retailer_id, available, split=chosen.parts, total=chosen.total,
                     problem=problem)
    return Quote(retailer_id, available, problem=problem or chosen)


def short_of_credit(decision: credit.CreditDecision, chosen: Plan) -> CreditShort:
    """The refusal for a plan the credit does not cover, with the plan's unit prices."""
    return CreditShort(decision.shortfall, decision.available, chosen.total,
                       {ln.sku: ln.unit_price for ln in chosen.lines})


# ------------------------------------------------------------------ partial fulfilment

# How close a vendor's word must be to a line's name or alias to mean that line.
LINE_MATCH_SCORE = 80


def _plain(text: str) -> str:
    return " ".join(w for w in (plain_form(t) for t in text.split()) if w)


def match_lines(names: Sequence[str],
                lines: Mapping[int, Sequence[str]]) -> tuple[dict[str, int], tuple[str, ...]]:
    """Each name to the one order line (by line_no) it means, by the line's names and
    aliases; and the names that mean no line, or more than one about equally."""
    found: dict[str, int] = {}
    unmatched: list[str] = []
    for name in names:
        key = _plain(name)
        scores = {n: max((_closeness(key, _plain(t)) for t in texts), default=0.0)
                  for n, texts in lines.items()} if key else {}
        best = sorted(scores.items(), key=lambda kv: -kv[1])
        if not best or best[0][1] < LINE_MATCH_SCORE or (
                len(best) > 1 and best[1][1] >= best[0][1]):
            unmatched.append(name)
        else:
            found[name] = best[0][0]
    return found, tuple(unmatched)


def _closeness(key: str, text: str) -> float:
    # The very alias ("mansuli") beats a name that merely contains it ("Sona Mansuli").
    return 101.0 if key == text else float(fuzz.partial_ratio(key, text))


def kept_lines(line_nos: Sequence[int], keep: Mapping[str, int],
               drop: Mapping[str, int]) -> tuple[int, ...]:
    """The lines that stay: those named as kept ("only …"), else all but those dropped."""
    if keep:
        return tuple(n for n in line_nos if n in set(keep.values()) and n not in
                     set(drop.values()))
    return tuple(n for n in line_nos if n not in set(drop.values()))
