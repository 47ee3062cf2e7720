"""The load generator's engine: one HTTP client, two schedules, its own CPU meter.

- `open_loop` fires work at a fixed rate whatever the server does (so a slow
  server shows up as latency, not as a politely lower rate); work that cannot
  start on time is counted as schedule lag.
- `closed_loop` keeps N units of work in flight and measures how many finish
  per second: the maximum rate.
- `CpuMeter` is this process's CPU share over a wall-clock window, so a load
  generator that is itself the bottleneck is reported, not hidden.

Every loop is bounded by a count and a deadline.
"""

from __future__ import annotations

import asyncio
import os
import resource
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

from bot.dev.bench.hist import Histogram


@dataclass(slots=True)
class CpuMeter:
    """CPU seconds this process used (user+sys) against wall seconds."""

    wall0: float = field(default_factory=time.monotonic)
    cpu0: float = field(default_factory=time.process_time)

    def reset(self) -> None:
        """Start a new window now."""
        self.wall0, self.cpu0 = time.monotonic(), time.process_time()

    def share(self) -> float:
        """Fraction of one core used since the window started (1.0 = one core busy)."""
        wall = time.monotonic() - self.wall0
        return round((time.process_time() - self.cpu0) / wall, 3) if wall > 0 else 0.0


def max_rss_mb() -> float:
    """Peak resident memory of this process in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@dataclass(slots=True)
class PostStats:
    """What the server answered: latencies and status counts."""

    latency: Histogram = field(default_factory=Histogram)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0  # connection errors and timeouts

    def add_status(self, status: int) -> None:
        """Count one HTTP status."""
        key = str(status)
        self.statuses[key] = self.statuses.get(key, 0) + 1

    @property
    def non_2xx(self) -> int:
        """Answers that were not 2xx, plus connection errors."""
        return self.errors + sum(n for s, n in self.statuses.items() if not s.startswith("2"))


class Poster:
    """POSTs raw bodies to one URL (or several in turn, like a load balancer) over a
    bounded keep-alive connection pool."""

    def __init__(self, url: str | Sequence[str], *, connections: int = 64,
                 timeout: float = 30.0) -> None:
        self.urls = [url] if isinstance(url, str) else list(url)
        self.url = self.urls[0]
        self._turn = 0
        self._connections = connections
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Poster:
        connector = aiohttp.TCPConnector(limit=self._connections, force_close=False,
                                         enable_cleanup_closed=True)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout,
                                              skip_auto_headers=("User-Agent",))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, body: bytes, headers: dict[str, str],
                   stats: PostStats | None = None) -> tuple[int, float]:
        """(HTTP status or 0 on a connection error, latency in ms)."""
        assert self._session is not None, "use `async with Poster(...)`"
        started = time.monotonic()
        try:
            self._turn += 1
            url = self.urls[self._turn % len(self.urls)]
            async with self._session.post(url, data=body, headers=headers) as resp:
                await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError):
            status = 0
        ms = (time.monotonic() - started) * 1000.0
        if stats is not None:
            if status == 0:
                stats.errors += 1
            else:
                stats.add_status(status)
                stats.latency.record(ms)
        return status, ms


@dataclass(slots=True)
class ScheduleResult:
    """How a schedule went: what was started, finished, and how late it ran."""

    started: int = 0
    finished: int = 0
    failed: int = 0
    wall: float = 0.0
    lag: Histogram = field(default_factory=Histogram)  # ms late against the schedule
    gave_up: int = 0  # units never started because the in-flight cap was hit

    @property
    def rate(self) -> float:
        """Units finished per wall second."""
        return self.finished / self.wall if self.wall > 0 else 0.0


Work = Callable[[int], Awaitable[bool]]


async def open_loop(rate: float, duration: float, work: Work, *,
                    max_inflight: int = 5000) -> ScheduleResult:
    """Start `work(i)` at `rate` per second for `duration` seconds; wait for all to end.

    Unit i is due at t0 + i/rate. If the generator falls behind, late units are
    started at once and their lateness is recorded; if `max_inflight` units are
    already running, the unit is counted in `gave_up` rather than queued without
    bound.
    """
    result = ScheduleResult()
    total = max(1, int(rate * duration))
    tasks: set[asyncio.Task[None]] = set()

    async def run(i: int) -> None:
        try:
            ok = await work(i)
        except Exception:  # a unit's failure is a result, not a crash of the generator
            ok = False
        result.finished += 1
        if not ok:
            result.failed += 1

    t0 = time.monotonic()
    for i in range(total):
        due = t0 + i / rate
        now = time.monotonic()
        if due > now:
            await asyncio.sleep(due - now)
            now = time.monotonic()
        result.lag.record((now - due) * 1000.0)
        if len(tasks) >= max_inflight:
            result.gave_up += 1
            continue
        result.started += 1
        task = asyncio.create_task(run(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=max(30.0, duration))
    result.wall = time.monotonic() - t0
    return result


async def closed_loop(concurrency: int, duration: float, work: Work, *,
                      max_units: int = 10_000_000) -> ScheduleResult:
    """Run `concurrency` workers that call `work` back to back until `duration` ends."""
    result = ScheduleResult()
    deadline = time.monotonic() + duration
    counter = iter(range(max_units))

    async def worker() -> None:
        while time.monotonic() < deadline:
            i = next(counter, None)
            if i is None:
                return
            result.started += 1
            try:
                ok = await work(i)
            except Exception:
                ok = False
            result.finished += 1
            if not ok:
                result.failed += 1

    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    result.wall = time.monotonic() - t0
    return result


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
