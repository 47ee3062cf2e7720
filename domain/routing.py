"""Choosing the vendor for an order, and splitting a cart no one vendor can supply.

A vendor is a candidate when it serves the retailer's area and can supply
every line (offers the product, has the stock if it tracks stock, and the
quantity meets its minimum). Candidates are ranked by a score that weighs the
cart price against the cheapest candidate, and the vendor's track record:
acceptance rate, response time and fulfilment. A vendor without history gets
the neutral prior, so a newcomer is neither favoured nor punished; as offers
accumulate, the record takes over (Bayesian smoothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from domain.areas import serves_area
from domain.money import format_npr, to_paisa

# Weights of the score's parts; they sum to 1.
W_PRICE = 0.5
W_ACCEPT = 0.2
W_FULFIL = 0.2
W_SPEED = 0.1

# The neutral prior and how many offers' worth of weight it carries.
PRIOR_RATE = 0.8
PRIOR_WEIGHT = 5.0
# A response within this time scores 1, at the deadline 0 (linearly between).
FAST_RESPONSE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    qty: Decimal


@dataclass(frozen=True, slots=True)
class Offer:
    """One vendor's terms for one product; `stock` None means not stock-tracked."""

    sku: str
    price: Decimal
    stock: Decimal | None = None
    min_qty: Decimal = Decimal(1)

    def supplies(self, qty: Decimal) -> bool:
        """Whether this offer covers `qty`."""
        return qty >= self.min_qty and (self.stock is None or self.stock >= qty)


@dataclass(frozen=True, slots=True)
class Performance:
    """A vendor's record over recent offers."""

    offered: int = 0
    accepted: int = 0
    answered: int = 0
    mean_response_seconds: float | None = None
    delivered: int = 0
    # Accepted orders that have since been delivered or cancelled (settled).
    settled: int = 0

    def acceptance(self) -> float:
        return (self.accepted + PRIOR_RATE * PRIOR_WEIGHT) / (self.offered + PRIOR_WEIGHT)

    def fulfilment(self) -> float:
        return (self.delivered + PRIOR_RATE * PRIOR_WEIGHT) / (self.settled + PRIOR_WEIGHT)

    def speed(self, deadline_seconds: float) -> float:
        prior = 0.5
        if self.mean_response_seconds is None or self.answered == 0:
            return prior
        span = max(deadline_seconds - FAST_RESPONSE_SECONDS, 1.0)
        raw = 1.0 - (self.mean_response_seconds - FAST_RESPONSE_SECONDS) / span
        observed = min(1.0, max(0.0, raw))
        return (observed * self.answered + prior * PRIOR_WEIGHT) / (self.answered + PRIOR_WEIGHT)


@dataclass(frozen=True, slots=True)
class Candidate:
    vendor_id: int
    name: str
    areas: tuple[str, ...]
    offers: Mapping[str, Offer]
    performance: Performance = field(default_factory=Performance)

    def serves(self, area: str) -> bool:
        return serves_area(self.areas, area)

    def covers(self, line: CartLine) -> bool:
        offer = self.offers.get(line.sku)
        return offer is not None and offer.supplies(line.qty)

    def price_of(self, lines: Iterable[CartLine]) -> Decimal:
        return to_paisa(sum((self.offers[ln.sku].price * ln.qty for ln in lines), Decimal(0)))


@dataclass(frozen=True, slots=True)
class Scored:
    vendor_id: int
    name: str
    score: float
    cart_total: Decimal
    acceptance: float
    fulfilment: float
    speed: float

    def explain(self, rank_of: int, cheapest: Decimal) -> str:
        price_note = ("cheapest" if self.cart_total == cheapest
                      else f"{format_npr(self.cart_total - cheapest)} above cheapest")
        return (f"{self.name} (#{rank_of} of candidates): serves the area, has every item, "
                f"cart {format_npr(self.cart_total)} ({price_note}), acceptance "
                f"{self.acceptance:.0%}, fulfilment {self.fulfilment:.0%}, speed "
                f"{self.speed:.0%}, score {self.score:.3f}")


@dataclass(frozen=True, slots=True)
class Chosen:
    """One vendor supplies the whole cart; `ranking` holds every candidate, best first."""

    vendor_id: int
    cart_total: Decimal
    explanation: str
    ranking: tuple[Scored, ...]


@dataclass(frozen=True, slots=True)
class SplitPart:
    vendor_id: int
    name: str
    lines: tuple[CartLine, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Split:
    """No single vendor has everything, but these vendors together do."""

    parts: tuple[SplitPart, ...]


@dataclass(frozen=True, slots=True)
class Shortage:
    """A line no vendor in the area can supply.

    `available` is the most any one vendor could supply of it, never more than
    `wanted`; `minimum` is set when the quantity is below what every vendor
    offering it sells at the least (then more is never offered: asking for
    0.5 kg does not become 96 kg).
    """

    sku: str
    wanted: Decimal
    available: Decimal
    minimum: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Uncovered:
    shortages: tuple[Shortage, ...]


Decision = Chosen | Split | Uncovered


def rank(area: str, lines: Sequence[CartLine], candidates: Iterable[Candidate],
         *, deadline_seconds: float = 900.0,
         exclude: frozenset[int] = frozenset()) -> tuple[Scored, ...]:
    """Vendors that can supply the whole cart, best first (ties: lower id)."""
    able = [c for c in candidates
            if c.vendor_id not in exclude and c.serves(area) and all(c.covers(ln) for ln in lines)]
    if not able:
        return ()
    totals = {c.vendor_id: c.price_of(lines) for c in able}
    cheapest = min(totals.values())
    scored = []
    for c in able:
        total = totals[c.vendor_id]
        price = float(cheapest / total) if total > 0 else 1.0
        perf = c.performance
        acc, ful, spd = perf.acceptance(), perf.fulfilment(), perf.speed(deadline_seconds)
        score = W_PRICE * price + W_ACCEPT * acc + W_FULFIL * ful + W_SPEED * spd
        scored.append(Scored(c.vendor_id, c.name, round(score, 6), total, acc, ful, spd))
    scored.sort(key=lambda s: (-s.score, s.cart_total, s.vendor_id))
    return tuple(scored)


def choose(area: str, lines: Sequence[CartLine], candidates: Sequence[Candidate],
           *, deadline_seconds: float = 900.0,
           exclude: frozenset[int] = frozenset()) -> Decision:
    """The best single vendor, else a split across vendors, else what is short."""
    ranking = rank(area, lines, candidates, deadline_seconds=deadline_seconds, exclude=exclude)
    if ranking:
        best = ranking[0]
        cheapest = min(s.cart_total for s in ranking)
        why = best.explain(1, cheapest)
        if len(ranking) > 1:
            runner = ranking[1]
            why += f"; next {runner.name} scored {runner.score:.3f}"
        return Chosen(best.vendor_id, best.cart_total, why, ranking)
    local = [c for c in candidates if c.vendor_id not in exclude and c.serves(area)]
    shortages = tuple(
        Shortage(ln.sku, ln.qty, *most_available(ln, local))
        for ln in lines if not any(c.covers(ln) for c in local)
    )
    if shortages:
        return Uncovered(shortages)
    return Split(split(area, lines, local, deadline_seconds=deadline_seconds))


def most_available(line: CartLine,
                   candidates: Iterable[Candidate]) -> tuple[Decimal, Decimal | None]:
    """The most of `line` one vendor could supply (≤ the quantity asked, at or above that
    vendor's minimum), and the smallest minimum when the quantity is below every one."""
    best = Decimal(0)
    minimums: list[Decimal] = []
    for c in candidates:
        offer = c.offers.get(line.sku)
        if offer is None:
            continue
        if line.qty < offer.min_qty:
            minimums.append(offer.min_qty)
            continue
        have = line.qty if offer.stock is None else min(offer.stock, line.qty)
        if have >= offer.min_qty:
            best = max(best, have)
    # The minimum is the reason only when no vendor can supply any of the line.
    return best, (min(minimums) if minimums and best == 0 else None)


def split(area: str, lines: Sequence[CartLine], candidates: Sequence[Candidate],
          *, deadline_seconds: float = 900.0) -> tuple[SplitPart, ...]:
    """Cover the cart with few vendors: repeatedly take the vendor that covers the
    most remaining lines (ties: the better-ranked for those lines). Every line must
    be coverable by someone (the caller checks)."""
    remaining = list(lines)
    parts: list[SplitPart] = []
    pool = [c for c in candidates if c.serves(area)]
    while remaining:
        best: tuple[int, float, Decimal, int] | None = None
        best_part: SplitPart | None = None
        for c in pool:
            mine = tuple(ln for ln in remaining if c.covers(ln))
            if not mine:
                continue
            score = rank(area, mine, [c], deadline_seconds=deadline_seconds)[0].score
            total = c.price_of(mine)
            key = (len(mine), score, -total, -c.vendor_id)
            if best is None or key > best:
                best = key
                best_part = SplitPart(c.vendor_id, c.name, mine, total)
        if best_part is None:
            raise ValueError("some lines cannot be supplied by any candidate")
        parts.append(best_part)
        taken = set(id(ln) for ln in best_part.lines)
        remaining = [ln for ln in remaining if id(ln) not in taken]
        pool = [c for c in pool if c.vendor_id != best_part.vendor_id]
    # Present the parts in the order the retailer wrote the lines.
    position = {id(ln): i for i, ln in enumerate(lines)}
    parts.sort(key=lambda p: min(position[id(ln)] for ln in p.lines))
    return tuple(parts)
