"""When a retailer will want a product again, from how often they have ordered it."""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

MIN_ORDERS = 3  # two gaps: one gap is a coincidence, two are a habit
MIN_INTERVAL_DAYS = 2


@dataclass(frozen=True, slots=True)
class Purchase:
    """One order of the product: the day and the quantity."""

    on: date
    qty: Decimal


@dataclass(frozen=True, slots=True)
class ReorderEstimate:
    """The usual interval and quantity, and when the next order is expected."""

    interval_days: int
    usual_qty: Decimal
    last_on: date
    due_on: date

    def is_due(self, today: date) -> bool:
        """The usual interval has passed since the last order."""
        return today >= self.due_on


def estimate(purchases: Sequence[Purchase]) -> ReorderEstimate | None:
    """Median gap between order days and median quantity; None without a habit."""
    by_day: dict[date, Decimal] = {}
    for p in purchases:
        by_day[p.on] = by_day.get(p.on, Decimal(0)) + p.qty
    days = sorted(by_day)
    if len(days) < MIN_ORDERS:
        return None
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    interval = math.ceil(statistics.median(gaps))
    if interval < MIN_INTERVAL_DAYS:
        return None
    qty = statistics.median(sorted(by_day.values()))
    return ReorderEstimate(interval, Decimal(qty), days[-1], days[-1] + timedelta(days=interval))
