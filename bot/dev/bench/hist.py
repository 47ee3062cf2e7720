"""A mergeable log-bucket latency histogram (HDR-style, ~1% relative error).

Values are recorded in milliseconds into buckets whose bounds grow by 1%, so
a histogram of millions of samples is a small dict that can be sent between
processes as JSON and merged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

_GROWTH = 1.01
_LOG_GROWTH = math.log(_GROWTH)
_FLOOR_MS = 0.01  # everything below 10 µs is one bucket


@dataclass(slots=True)
class Histogram:
    """Counts per log bucket plus exact count, sum, min and max."""

    buckets: dict[int, int] = field(default_factory=dict)
    count: int = 0
    total: float = 0.0
    min: float = math.inf
    max: float = 0.0

    def record(self, ms: float) -> None:
        """Add one latency in milliseconds."""
        ms = max(ms, 0.0)
        idx = 0 if ms <= _FLOOR_MS else int(math.log(ms / _FLOOR_MS) / _LOG_GROWTH) + 1
        self.buckets[idx] = self.buckets.get(idx, 0) + 1
        self.count += 1
        self.total += ms
        self.min = min(self.min, ms)
        self.max = max(self.max, ms)

    def merge(self, other: Histogram) -> None:
        """Add another histogram's samples to this one."""
        for idx, n in other.buckets.items():
            self.buckets[idx] = self.buckets.get(idx, 0) + n
        self.count += other.count
        self.total += other.total
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)

    def percentile(self, p: float) -> float | None:
        """The value at percentile `p` (0–100), or None without samples."""
        if not self.count:
            return None
        rank = max(1, math.ceil(self.count * p / 100.0))
        seen = 0
        for idx in sorted(self.buckets):
            seen += self.buckets[idx]
            if seen >= rank:
                upper = _FLOOR_MS if idx == 0 else _FLOOR_MS * _GROWTH**idx
                return min(max(upper, self.min), self.max)
        return self.max

    def summary(self) -> dict[str, float | int | None]:
        """p50/p95/p99/max/mean in ms (rounded to 0.1 ms) and the count."""

        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 1)

        return {
            "p50": r(self.percentile(50)),
            "p95": r(self.percentile(95)),
            "p99": r(self.percentile(99)),
            "max": r(self.max if self.count else None),
            "mean": r(self.total / self.count if self.count else None),
            "count": self.count,
        }

    def to_json(self) -> dict[str, object]:
        """A JSON-able form `from_json` reads back."""
        return {"buckets": {str(k): v for k, v in self.buckets.items()}, "count": self.count,
                "total": self.total, "min": self.min if self.count else None, "max": self.max}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Histogram:
        """Rebuild a histogram written by `to_json`."""
        raw = data.get("buckets") or {}
        assert isinstance(raw, dict)
        h = cls({int(k): int(v) for k, v in raw.items()})
        h.count = int(data.get("count") or 0)  # type: ignore[call-overload]
        h.total = float(data.get("total") or 0.0)  # type: ignore[arg-type]
        mn = data.get("min")
        h.min = float(mn) if mn is not None else math.inf  # type: ignore[arg-type]
        h.max = float(data.get("max") or 0.0)  # type: ignore[arg-type]
        return h
