"""A retailer's lifetime value and churn risk, for the operators' call list.

Margin is Khaacho's share of what a retailer buys (`MARGIN_RATE` of GMV, the
commission vendors pay). Lifetime value = margin to date + the margin the
retailer is expected to bring over the next year at their recent rate,
discounted by the chance they are leaving. Churn risk rises as the days
since the last order pass the retailer's own usual interval, and more when
their baskets are shrinking.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MARGIN_RATE = Decimal("0.03")
DEFAULT_INTERVAL_DAYS = 30.0  # until a retailer has a habit of their own
RATE_WINDOW_DAYS = 90
HORIZON_MONTHS = 12
CENT = Decimal("0.01")


# The basket trend compares the last three baskets with the three before.
TREND_BASKETS = 6


@dataclass(frozen=True, slots=True)
class PastOrder:
    """One order a retailer placed (not cancelled): its day and total."""

    on: date
    total: Decimal


@dataclass(frozen=True, slots=True)
class OrderDay:
    """A day a retailer ordered on: how many orders (none cancelled) and their total."""

    on: date
    orders: int
    total: Decimal


@dataclass(frozen=True, slots=True)
class History:
    """What the figures read of a retailer's orders: each order day, and the latest
    baskets (at most TREND_BASKETS totals, oldest first). A year of a busy shop's
    orders is thousands of rows; this is one per day it ordered."""

    days: tuple[OrderDay, ...] = ()
    last_baskets: tuple[Decimal, ...] = ()


def history_of(orders: Sequence[PastOrder]) -> History:
    """The History of these orders, given oldest first (same-day orders in their order)."""
    by_day: dict[date, tuple[int, Decimal]] = {}
    for o in orders:
        n, total = by_day.get(o.on, (0, Decimal(0)))
        by_day[o.on] = (n + 1, total + o.total)
    ordered = sorted(orders, key=lambda o: o.on)
    return History(tuple(OrderDay(on, n, t) for on, (n, t) in sorted(by_day.items())),
                   tuple(o.total for o in ordered[-TREND_BASKETS:]))


@dataclass(frozen=True, slots=True)
class RetailerValue:
    """Value and risk figures for one retailer on one day."""

    orders: int
    gmv: Decimal
    margin_to_date: Decimal
    projected_margin: Decimal
    lifetime_value: Decimal
    days_since_last: int | None
    usual_interval_days: float | None
    basket_trend: float | None
    churn_risk: float
    call_priority: Decimal


def usual_interval(days: Sequence[date]) -> float | None:
    """Median gap between distinct order days (None with fewer than two)."""
    ds = sorted(set(days))
    if len(ds) < 2:
        return None
    return float(statistics.median([(b - a).days for a, b in itertools.pairwise(ds)]))


def basket_trend(baskets: Sequence[Decimal]) -> float | None:
    """Mean of the last three baskets over the mean of the three before (None: too few).

    `baskets` are order totals, oldest first."""
    if len(baskets) < 4:
        return None
    recent = baskets[-3:]
    before = baskets[-6:-3]
    prev = statistics.fmean(float(t) for t in before)
    if prev <= 0:
        return None
    return statistics.fmean(float(t) for t in recent) / prev


def churn_risk(days_since_last: int, interval: float | None, trend: float | None) -> float:
    """0 while within the usual interval, 1 at three intervals; shrinking baskets add up to 0.3."""
    usual = interval if interval and interval > 0 else DEFAULT_INTERVAL_DAYS
    ratio = days_since_last / usual
    risk = max(0.0, min(1.0, (ratio - 1.0) / 2.0))
    if trend is not None and trend < 1.0:
        risk += min(0.3, (1.0 - trend) * 0.5)
    return round(min(1.0, risk), 4)


def value(history: History, joined_on: date, today: date) -> RetailerValue:
    """Compute lifetime value, churn risk and how much calling this retailer is worth."""
    days = history.days
    gmv = sum((d.total for d in days), Decimal(0))
    margin = (gmv * MARGIN_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    if not days:
        zero = Decimal("0.00")
        return RetailerValue(0, gmv, margin, zero, margin, None, None, None, 0.0, zero)
    last = max(d.on for d in days)
    since = (today - last).days
    interval = usual_interval([d.on for d in days])
    trend = basket_trend(history.last_baskets)
    risk = churn_risk(since, interval, trend)
    # The recent monthly rate over the last 90 days (or the tenure, if shorter).
    window = max(1, min(RATE_WINDOW_DAYS, (today - joined_on).days))
    recent = sum((d.total for d in days if (today - d.on).days < window), Decimal(0))
    monthly_margin = recent * MARGIN_RATE * Decimal(30) / Decimal(window)
    keep = Decimal(str(1.0 - risk))
    projected = (monthly_margin * HORIZON_MONTHS * keep).quantize(CENT, rounding=ROUND_HALF_UP)
    # What calling is worth: the margin we lose if they go, times how likely that is.
    at_stake = monthly_margin * HORIZON_MONTHS
    priority = (at_stake * Decimal(str(risk))).quantize(CENT, rounding=ROUND_HALF_UP)
    return RetailerValue(
        orders=sum(d.orders for d in days),
        gmv=gmv,
        margin_to_date=margin,
        projected_margin=projected,
        lifetime_value=margin + projected,
        days_since_last=since,
        usual_interval_days=interval,
        basket_trend=round(trend, 4) if trend is not None else None,
        churn_risk=risk,
        call_priority=priority,
    )
