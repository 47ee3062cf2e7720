"""A retailer's credit score (300–900), its risk band and a suggested limit.

The score is 300 + 600 × a weighted sum of five sub-scores in [0, 1]:

| factor            | weight | 1.0 when                     | 0.0 when              |
|-------------------|--------|------------------------------|-----------------------|
| on-time share     | 0.35   | every due debit paid on time | none was              |
| days past due     | 0.30   | nothing overdue              | ≥ 60 days overdue     |
| utilisation       | 0.15   | owes ≤ 30 % of the limit     | owes ≥ the limit      |
| tenure            | 0.10   | a year or more with us       | joined today          |
| order regularity  | 0.10   | orders at a steady interval  | very irregular        |

Without history a factor is neutral (0.5) so a new shop is neither trusted
nor punished.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Literal

from domain.dues import DebitState, max_days_past_due, outstanding

Band = Literal["low", "medium", "elevated", "high", "very_high"]

WEIGHTS: dict[str, float] = {
    "on_time": 0.35,
    "days_past_due": 0.30,
    "utilisation": 0.15,
    "tenure": 0.10,
    "regularity": 0.10,
}
NEUTRAL = 0.5
DPD_ZERO_AT = 60
TENURE_FULL_DAYS = 365

# Lower bound of each band, best first.
BANDS: tuple[tuple[int, Band], ...] = (
    (750, "low"), (650, "medium"), (550, "elevated"), (450, "high"), (300, "very_high"),
)
# Months of typical purchases a retailer in each band may owe at once.
LIMIT_MONTHS: dict[Band, Decimal] = {
    "low": Decimal("2.0"), "medium": Decimal("1.5"), "elevated": Decimal("1.0"),
    "high": Decimal("0.5"), "very_high": Decimal("0"),
}
LIMIT_STEP = Decimal(500)


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    """Everything the score looks at for one retailer on one day."""

    today: date
    debts: Sequence[DebitState]
    credit_limit: Decimal
    joined_on: date
    order_days: Sequence[date] = ()
    purchases_90d: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class CreditScore:
    """The result, with the factors that produced it (stored for operators)."""

    score: int
    band: Band
    suggested_limit: Decimal
    factors: dict[str, float | int | str] = field(default_factory=dict)


def band_for(score: int) -> Band:
    """The risk band a score falls in."""
    for floor, band in BANDS:
        if score >= floor:
            return band
    return "very_high"


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def on_time_share(debts: Sequence[DebitState], today: date) -> float | None:
    """Share of debits already due that were paid by their due date (None: none due)."""
    due = [d for d in debts if d.debit.due_date < today or d.paid_on is not None]
    if not due:
        return None
    return sum(1 for d in due if d.paid_on_time()) / len(due)


def regularity(order_days: Sequence[date]) -> float | None:
    """1 / (1 + coefficient of variation of the gaps between order days)."""
    days = sorted(set(order_days))
    if len(days) < 3:
        return None
    gaps = [(b - a).days for a, b in itertools.pairwise(days)]
    mean = statistics.fmean(gaps)
    if mean <= 0:
        return None
    return 1.0 / (1.0 + statistics.pstdev(gaps) / mean)


def utilisation(owed: Decimal, limit: Decimal) -> float:
    """Owed as a share of the limit (owing anything on a zero limit counts as full)."""
    if limit <= 0:
        return 0.0 if owed <= 0 else 1.0
    return float(owed / limit)


def suggested_limit(band: Band, purchases_90d: Decimal, current: Decimal) -> Decimal:
    """A limit operators may set: months of typical purchases by band, in steps of 500."""
    if purchases_90d <= 0:
        return current if LIMIT_MONTHS[band] >= 1 else Decimal(0)
    monthly = purchases_90d / 3
    raw = monthly * LIMIT_MONTHS[band]
    return ((raw / LIMIT_STEP).to_integral_value(rounding=ROUND_DOWN) * LIMIT_STEP).quantize(
        Decimal("0.01")
    )


def score(inputs: ScoreInputs) -> CreditScore:
    """Compute the score, band and suggested limit."""
    today = inputs.today
    share = on_time_share(inputs.debts, today)
    dpd = max_days_past_due(inputs.debts, today)
    owed = outstanding(inputs.debts)
    util = utilisation(owed, inputs.credit_limit)
    tenure_days = max(0, (today - inputs.joined_on).days)
    reg = regularity(inputs.order_days)

    subs = {
        "on_time": NEUTRAL if share is None else share,
        "days_past_due": _clamp(1 - dpd / DPD_ZERO_AT),
        "utilisation": _clamp((1 - util) / 0.7),
        "tenure": _clamp(tenure_days / TENURE_FULL_DAYS),
        "regularity": NEUTRAL if reg is None else reg,
    }
    total = sum(WEIGHTS[k] * v for k, v in subs.items())
    value = max(300, min(900, round(300 + 600 * total)))
    band = band_for(value)
    factors: dict[str, float | int | str] = {
        "on_time_share": round(share, 4) if share is not None else "no history",
        "days_past_due": dpd,
        "outstanding": str(owed),
        "utilisation": round(util, 4),
        "tenure_days": tenure_days,
        "order_regularity": round(reg, 4) if reg is not None else "too few orders",
    }
    for k, v in subs.items():
        factors[f"sub_{k}"] = round(v, 4)
    return CreditScore(value, band, suggested_limit(band, inputs.purchases_90d,
                                                    inputs.credit_limit), factors)
