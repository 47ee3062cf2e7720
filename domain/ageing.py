"""Ageing of what retailers owe: each unpaid remainder put in a bucket by its age.

A debit's age is the days since it was raised (the delivery it is for), on
the business calendar; what is left of it after payments are allocated
first-in first-out (`domain.dues.settle`) is what gets aged. The buckets are
the ones operators chase by: 0–15, 16–30, 31–60 and over 60 days.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.dues import DebitState


class AgeBucket(enum.Enum):
    """An age range in days, in the order reports show them."""

    UP_TO_15 = "0-15"
    UP_TO_30 = "16-30"
    UP_TO_60 = "31-60"
    OVER_60 = "60+"

    @property
    def label(self) -> str:
        """How a report heads the bucket (`0–15 days`)."""
        return {"0-15": "0–15 days", "16-30": "16–30 days", "31-60": "31–60 days",
                "60+": "over 60 days"}[self.value]


BUCKETS: tuple[AgeBucket, ...] = tuple(AgeBucket)


def bucket_of(age_days: int) -> AgeBucket:
    """The bucket for an age in days (a negative age — a future date — counts as 0)."""
    if age_days <= 15:
        return AgeBucket.UP_TO_15
    if age_days <= 30:
        return AgeBucket.UP_TO_30
    if age_days <= 60:
        return AgeBucket.UP_TO_60
    return AgeBucket.OVER_60


@dataclass(frozen=True, slots=True)
class Ageing:
    """Outstanding money per bucket (every bucket present, zero when empty)."""

    amounts: tuple[tuple[AgeBucket, Decimal], ...]

    @property
    def total(self) -> Decimal:
        """All that is outstanding."""
        return sum((a for _, a in self.amounts), Decimal(0))

    def amount(self, bucket: AgeBucket) -> Decimal:
        """What is outstanding in one bucket."""
        return dict(self.amounts)[bucket]


def age(states: Sequence[DebitState], today: date) -> Ageing:
    """Bucket each debit's unpaid remainder by the days since it was raised."""
    sums = {b: Decimal(0) for b in BUCKETS}
    for s in states:
        if s.outstanding > 0:
            sums[bucket_of((today - s.debit.created_on).days)] += s.outstanding
    return Ageing(tuple((b, sums[b]) for b in BUCKETS))


def combine(parts: Iterable[Ageing]) -> Ageing:
    """The bucket-by-bucket sum of several ageings (e.g. every retailer's)."""
    sums = {b: Decimal(0) for b in BUCKETS}
    for part in parts:
        for b, amount in part.amounts:
            sums[b] += amount
    return Ageing(tuple((b, sums[b]) for b in BUCKETS))
