"""A retailer's cart before it becomes an order: pure operations on immutable lines.

Lines are kept in the order the retailer first asked for them, because the
review message numbers them and `remove 2` must mean what the retailer saw.
Adding a product already in the cart adds to its quantity rather than making a
second line, so "2 bora chini" twice is 4 bags, not two lines to reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal


class CartError(ValueError):
    """An edit that cannot apply to this cart (bad line number, bad quantity)."""


@dataclass(frozen=True, slots=True)
class CartLine:
    """One product and how much of it, in the product's own unit."""

    sku: str
    name: str
    unit: str
    qty: Decimal

    def __post_init__(self) -> None:
        if self.qty <= 0:
            raise CartError(f"quantity must be positive, not {self.qty}")


Cart = tuple[CartLine, ...]

EMPTY: Cart = ()

# More than this many units of one line is almost always a typo (20000 for 20).
MAX_QTY = Decimal(100000)


def _check_qty(qty: Decimal) -> Decimal:
    if not qty.is_finite() or qty <= 0:
        raise CartError("quantity must be more than zero")
    if qty > MAX_QTY:
        raise CartError(f"quantity {qty} is more than {MAX_QTY}")
    return qty


def add(cart: Cart, line: CartLine) -> Cart:
    """The cart with `line` added; a product already present gets the quantity added."""
    _check_qty(line.qty)
    for i, existing in enumerate(cart):
        if existing.sku == line.sku:
            total = _check_qty(existing.qty + line.qty)
            return (*cart[:i], replace(existing, qty=total), *cart[i + 1 :])
    return (*cart, line)


def add_all(cart: Cart, lines: tuple[CartLine, ...] | list[CartLine]) -> Cart:
    """The cart with every line added in order."""
    for line in lines:
        cart = add(cart, line)
    return cart


def remove(cart: Cart, number: int) -> Cart:
    """The cart without line `number` (1-based, as shown to the retailer)."""
    if not 1 <= number <= len(cart):
        raise CartError(f"there is no line {number}")
    return (*cart[: number - 1], *cart[number:])


def set_qty(cart: Cart, sku: str, qty: Decimal) -> Cart:
    """The cart with the quantity of `sku` replaced by `qty`."""
    _check_qty(qty)
    for i, existing in enumerate(cart):
        if existing.sku == sku:
            return (*cart[:i], replace(existing, qty=qty), *cart[i + 1 :])
    raise CartError(f"{sku} is not in the cart")


def clear(cart: Cart) -> Cart:
    """An empty cart."""
    del cart
    return EMPTY


def index_of(cart: Cart, sku: str) -> int | None:
    """The 1-based line number of `sku`, or None."""
    for i, existing in enumerate(cart):
        if existing.sku == sku:
            return i + 1
    return None


def total_units(cart: Cart) -> Decimal:
    """Sum of quantities (a sanity figure for summaries, not money)."""
    return sum((line.qty for line in cart), Decimal(0))


def fit_budget(cart: Cart, prices: dict[str, Decimal], budget: Decimal) -> Cart:
    """The cart cut down, last lines first and whole units at a time, to cost ≤ `budget`.

    Lines without a price are kept as they are (they cost nothing here). The
    retailer asked for the first lines first, so those are the last to shrink.
    An empty cart comes back when even one unit of the first line is too dear.
    """
    def cost(lines: list[CartLine]) -> Decimal:
        return sum((ln.qty * prices.get(ln.sku, Decimal(0)) for ln in lines), Decimal(0))

    lines = list(cart)
    while (over := cost(lines) - budget) > 0:
        priced = [i for i, ln in enumerate(lines) if prices.get(ln.sku, Decimal(0)) > 0]
        if not priced:
            break
        i = priced[-1]
        line = lines[i]
        drop = (over / prices[line.sku]).to_integral_value(rounding=ROUND_CEILING)
        keep = (line.qty - drop).to_integral_value(rounding=ROUND_FLOOR)
        if keep <= 0:
            del lines[i]
        else:
            lines[i] = replace(line, qty=keep)
    return tuple(lines)
