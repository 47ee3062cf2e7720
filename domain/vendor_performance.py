"""A vendor's figures over a window: how often and how fast they answer, and deliver."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Offer:
    """One offer of an order to the vendor and how it ended (outcome None: still open)."""

    offered_at: datetime
    answered_at: datetime | None
    outcome: str | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Performance:
    """The figures routing and the weekly report use."""

    offers: int
    accepted: int
    rejected: int
    timed_out: int
    acceptance_rate: Decimal | None
    median_response_seconds: int | None
    fulfilled: int
    failed: int
    fulfilment_rate: Decimal | None
    rejection_reasons: dict[str, int] = field(default_factory=dict)


def _rate(num: int, den: int) -> Decimal | None:
    if den == 0:
        return None
    return (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def compute(offers: Sequence[Offer], fulfilled: int, failed: int) -> Performance:
    """Acceptance = accepted / (accepted + rejected + timed out); open and cancelled
    offers are not the vendor's doing. Fulfilment = delivered / (delivered + orders
    cancelled after the vendor accepted)."""
    accepted = sum(1 for o in offers if o.outcome == "accepted")
    rejected = sum(1 for o in offers if o.outcome == "rejected")
    timed_out = sum(1 for o in offers if o.outcome == "timed_out")
    responses = [
        (o.answered_at - o.offered_at).total_seconds()
        for o in offers
        if o.outcome in ("accepted", "rejected") and o.answered_at is not None
    ]
    median = round(statistics.median(responses)) if responses else None
    reasons = Counter(
        (o.reason or "no reason given").strip().lower()[:60]
        for o in offers if o.outcome == "rejected"
    )
    return Performance(
        offers=len(offers),
        accepted=accepted,
        rejected=rejected,
        timed_out=timed_out,
        acceptance_rate=_rate(accepted, accepted + rejected + timed_out),
        median_response_seconds=median,
        fulfilled=fulfilled,
        failed=failed,
        fulfilment_rate=_rate(fulfilled, fulfilled + failed),
        rejection_reasons=dict(reasons.most_common()),
    )
