"""Vendor prices against the product's median: which are far off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

THRESHOLD = Decimal("0.15")
# With two prices the median is their midpoint and both would look "off";
# a median says something about the market only from three vendors on.
MIN_VENDORS = 3


@dataclass(frozen=True, slots=True)
class PriceFlag:
    """One vendor's price and how far it is from the median (signed share)."""

    vendor_id: int
    price: Decimal
    median: Decimal
    deviation: Decimal


def median_price(prices: Sequence[Decimal]) -> Decimal:
    """The median, to the paisa (the mean of the middle two for an even count)."""
    if not prices:
        raise ValueError("median of no prices")
    s = sorted(prices)
    mid = len(s) // 2
    m = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return m.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def deviation(price: Decimal, median: Decimal) -> Decimal:
    """(price − median) / median, to four places."""
    return ((price - median) / median).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def flags(
    prices: Mapping[int, Decimal], threshold: Decimal = THRESHOLD, min_vendors: int = MIN_VENDORS
) -> list[PriceFlag]:
    """Vendors whose price is more than `threshold` above or below the median."""
    if len(prices) < min_vendors:
        return []
    med = median_price(list(prices.values()))
    out = []
    for vendor_id, price in sorted(prices.items()):
        dev = deviation(price, med)
        if abs(dev) > threshold:
            out.append(PriceFlag(vendor_id, price, med, dev))
    return out
