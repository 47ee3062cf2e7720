"""A tiny Prometheus registry: Counter, Gauge and Histogram with labels.

No dependency: the text exposition format 0.0.4 is a few lines. Modules
import the metric objects defined at the bottom and increment them; `/metrics`
renders `REGISTRY`. Values are per process (each web and worker instance is
scraped on its own, as Prometheus expects). Gauges that describe Postgres
(orders by status, outbox depth) are set at scrape time by bot/metrics_endpoint.py.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

LabelValues = tuple[str, ...]


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _labels_text(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    parts = [f'{n}="{_escape_label(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


class _Metric:
    kind = "untyped"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str | int]) -> LabelValues:
        if set(labels) != set(self.label_names):
            raise ValueError(
                f"{self.name} takes labels {self.label_names}, got {tuple(sorted(labels))}"
            )
        return tuple(str(labels[n]) for n in self.label_names)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]

    def samples(self) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def render(self) -> list[str]:
        return [*self.header(), *self.samples()]


class Counter(_Metric):
    """A value that only goes up (restarts reset it; Prometheus handles that)."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[LabelValues, float] = {}

    def inc(self, amount: float = 1.0, **labels: str | int) -> None:
        """Add `amount` (must be >= 0) to the series named by `labels`."""
        if amount < 0:
            raise ValueError("a counter cannot go down")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str | int) -> float:
        """The current value of one series (0 when never incremented)."""
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [
            f"{self.name}{_labels_text(self.label_names, k)} {_format_value(v)}" for k, v in items
        ]


class Gauge(_Metric):
    """A value that goes up and down; `set_all` replaces every series at once."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[LabelValues, float] = {}

    def set(self, value: float, **labels: str | int) -> None:
        """Set one series."""
        key = self._key(labels)
        with self._lock:
            self._values[key] = value

    def inc(self, amount: float = 1.0, **labels: str | int) -> None:
        """Add to one series (negative to subtract)."""
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def dec(self, amount: float = 1.0, **labels: str | int) -> None:
        """Subtract from one series."""
        self.inc(-amount, **labels)

    def set_all(self, values: dict[LabelValues, float]) -> None:
        """Replace all series (a scrape-time snapshot: series that vanished are dropped)."""
        for key in values:
            if len(key) != len(self.label_names):
                raise ValueError(f"{self.name} takes labels {self.label_names}")
        with self._lock:
            self._values = dict(values)

    def value(self, **labels: str | int) -> float:
        """The current value of one series (0 when never set)."""
        return self._values.get(self._key(labels), 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return [
            f"{self.name}{_labels_text(self.label_names, k)} {_format_value(v)}" for k, v in items
        ]


DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Histogram(_Metric):
    """Observations counted into cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        super().__init__(name, help_text, labels)
        if "le" in self.label_names:
            raise ValueError("'le' is reserved for histogram buckets")
        self.buckets = tuple(sorted(float(b) for b in buckets))
        # Per series: bucket counts (non-cumulative; +Inf last), sum.
        self._series: dict[LabelValues, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: str | int) -> None:
        """Record one observation (seconds for durations)."""
        key = self._key(labels)
        index = len(self.buckets)
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                index = i
                break
        with self._lock:
            counts, total = self._series.setdefault(
                key, ([0] * (len(self.buckets) + 1), [0.0])
            )
            counts[index] += 1
            total[0] += value

    @contextmanager
    def time(self, **labels: str | int) -> Iterator[None]:
        """Observe the duration of the `with` block."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.observe(time.perf_counter() - start, **labels)

    def count(self, **labels: str | int) -> int:
        """How many observations one series has."""
        series = self._series.get(self._key(labels))
        return sum(series[0]) if series else 0

    def samples(self) -> list[str]:
        with self._lock:
            items = sorted((k, (list(c), s[0])) for k, (c, s) in self._series.items())
        lines: list[str] = []
        for key, (counts, total) in items:
            cumulative = 0
            for bound, n in zip((*self.buckets, math.inf), counts, strict=True):
                cumulative += n
                le = 'le="' + ("+Inf" if math.isinf(bound) else _format_value(bound)) + '"'
                lines.append(
                    f"{self.name}_bucket{_labels_text(self.label_names, key, le)} {cumulative}"
                )
            lines.append(f"{self.name}_sum{_labels_text(self.label_names, key)} "
                         f"{_format_value(total)}")
            lines.append(f"{self.name}_count{_labels_text(self.label_names, key)} {cumulative}")
        return lines


_M = TypeVar("_M", bound=_Metric)


class Registry:
    """The metrics one process exposes."""

    def __init__(self) -> None:
        self._metrics: dict[str, _Metric] = {}

    def register(self, metric: _M) -> _M:
        """Add a metric; a second one with the same name is an error."""
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name} is already registered")
        self._metrics[metric.name] = metric
        return metric

    def counter(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
        return self.register(Counter(name, help_text, labels))

    def gauge(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Gauge:
        return self.register(Gauge(name, help_text, labels))

    def histogram(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> Histogram:
        return self.register(Histogram(name, help_text, labels, buckets))

    def get(self, name: str) -> _Metric:
        """A registered metric by name (KeyError when unknown)."""
        return self._metrics[name]

    def render(self) -> str:
        """Every metric in the text exposition format, metrics sorted by name."""
        lines: list[str] = []
        for name in sorted(self._metrics):
            lines.extend(self._metrics[name].render())
        return "\n".join(lines) + "\n"


REGISTRY = Registry()

# ---------------------------------------------------------------- the metrics

WEBHOOK_REQUESTS = REGISTRY.counter(
    "khaacho_webhook_requests_total",
    "Webhook POSTs by outcome (ok, unauthorized, forbidden, bad_request, rate_limited, error).",
    ["outcome"],
)
WEBHOOK_UNREADABLE = REGISTRY.counter(
    "khaacho_webhook_unreadable_total",
    "Signed webhook POSTs that could not be read at all, recorded and acknowledged, by reason.",
    ["reason"],
)
WEBHOOK_LATENCY = REGISTRY.histogram(
    "khaacho_webhook_latency_seconds",
    "Time to answer a webhook POST, by outcome.",
    ["outcome"],
)
HTTP_REQUESTS = REGISTRY.counter(
    "khaacho_http_requests_total",
    "HTTP requests by route and status class.",
    ["route", "method", "status"],
)
MESSAGES = REGISTRY.counter(
    "khaacho_messages_total",
    "Inbound WhatsApp messages handled, by message type.",
    ["type"],
)
STATUSES = REGISTRY.counter(
    "khaacho_message_statuses_total",
    "Delivery statuses received from WhatsApp (sent, delivered, read, failed).",
    ["status"],
)
FLOW_TRANSITIONS = REGISTRY.counter(
    "khaacho_flow_transitions_total",
    "Conversation state changes, by flow and source/destination state.",
    ["flow", "source", "dest"],
)
FLOW_REFUSED = REGISTRY.counter(
    "khaacho_flow_refused_triggers_total",
    "Triggers a conversation's machine refused (the flow and its table disagree), by state.",
    ["flow", "trigger", "state"],
)
ORDERS_PLACED = REGISTRY.counter(
    "khaacho_orders_placed_total",
    "Order placement attempts by result (placed, credit_short, stock_short, ...) and channel.",
    ["result", "source"],
)
ORDERS_BY_STATUS = REGISTRY.gauge(
    "khaacho_orders",
    "Orders still being worked on (pending, accepted, dispatched, unroutable), by status, "
    "computed at scrape time.",
    ["status"],
)
OUTBOX_DEPTH = REGISTRY.gauge(
    "khaacho_outbox_depth",
    "Outbox rows still to send (pending, sending, held), by status, computed at scrape time.",
    ["status"],
)
OUTBOX_OLDEST_AGE = REGISTRY.gauge(
    "khaacho_outbox_oldest_pending_age_seconds",
    "Age of the oldest outbox row still waiting to be sent (0 when none).",
)
# inbox branch (issue 15): the backlog the conversation workers have not handled yet.
INBOX_DEPTH = REGISTRY.gauge(
    "khaacho_inbox_depth",
    "Inbound messages by inbox status (pending, dead) and statuses waiting (scrape time).",
    ["status"],
)
INBOX_OLDEST_AGE = REGISTRY.gauge(
    "khaacho_inbox_oldest_pending_age_seconds",
    "Age of the oldest inbound message not yet handled (0 when none).",
)
# media (issue 16): what waits for a person, and downloads not yet done.
OPERATOR_INBOX = REGISTRY.gauge(
    "khaacho_operator_inbox_items",
    "Operator inbox items not yet done, by state and download (scrape time).",
    ["state", "download"],
)
SENDS = REGISTRY.counter(
    "khaacho_sends_total",
    "Graph API send attempts by result (sent, retry, permanent, fallback) and error code.",
    ["result", "code"],
)
SENDS_PACED = REGISTRY.counter(
    "khaacho_sends_paced_total",
    "Sends put back to honour WhatsApp's per-user pacing (about one message per 6 s to one "
    "number after a burst): a vendor with many orders waits for their notices.",
)
SEND_LATENCY = REGISTRY.histogram(
    "khaacho_send_latency_seconds",
    "Time of one Graph API send attempt.",
    ["result"],
)
JOB_RUNS = REGISTRY.counter(
    "khaacho_job_runs_total",
    "Scheduled job runs by job and outcome (ok, error, skipped).",
    ["job", "outcome"],
)
JOB_DURATION = REGISTRY.histogram(
    "khaacho_job_duration_seconds",
    "Duration of scheduled job runs.",
    ["job"],
    buckets=(0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
LOCK_WAIT = REGISTRY.histogram(
    "khaacho_lock_wait_seconds",
    "Time spent waiting for a per-sender conversation lock.",
    ["outcome"],
)
RATE_LIMITED = REGISTRY.counter(
    "khaacho_rate_limited_total",
    "Requests refused with 429, by scope (admin, api, webhook).",
    ["scope"],
)
SCRAPE_ERRORS = REGISTRY.counter(
    "khaacho_metrics_collect_errors_total",
    "Scrape-time collectors that failed (the rest of the scrape is still served).",
    ["collector"],
)
# tmpl (issue 16): templates as Meta reports them, the account's own signals, consent.
TEMPLATES_BY_STATUS = REGISTRY.gauge(
    "khaacho_templates",
    "Message templates by the status Meta last reported, per language (scrape time).",
    ["status"],
)
ACCOUNT_SIGNAL = REGISTRY.gauge(
    "khaacho_whatsapp_signal_info",
    "1 for the latest event of each WhatsApp account/number signal field (quality, "
    "messaging limit, account update), with the messaging limit where Meta gave one.",
    ["field", "event", "limit"],
)
MARKETING_OPTED_OUT = REGISTRY.gauge(
    "khaacho_marketing_opted_out",
    "WhatsApp numbers that stopped marketing messages (STOP, user_preferences, 131050).",
)
