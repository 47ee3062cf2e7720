"""A retailer's cart before it becomes an order: pure operations on immutable lines.

Lines are kept in the order the retailer first asked for them, because the
review message numbers them and `remove 2` must mean what the retailer saw.
`add` of a product already in the cart adds to its quantity rather than making a
second line; the conversation uses it for "… thap" / "add … more", and `set_qty`
when a retailer writes a product again ("chini 20 kg" after 10 makes 20).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal


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
    """The most of the cart that costs ≤ `budget`, earlier lines first, whole units at a time.

    The retailer asked for the first lines first, so each line in turn gets all
    it asked for if that fits what is left, else as many whole units as fit;
    a line too dear for one unit is left out, and the lines after it still get
    their turn (one dear line does not make "nothing fits"). Lines without a
    price are kept as they are (they cost nothing here). Never more than asked.
    """
    left = budget
    out: list[CartLine] = []
    for line in cart:
        price = prices.get(line.sku, Decimal(0))
        if price <= 0:
            out.append(line)
            continue
        if line.qty * price <= left:
            out.append(line)
            left -= line.qty * price
            continue
        units = min((left / price).to_integral_value(rounding=ROUND_FLOOR),
                    line.qty.to_integral_value(rounding=ROUND_FLOOR))
        if units >= 1:
            out.append(replace(line, qty=units))
            left -= units * price
    return tuple(out)
