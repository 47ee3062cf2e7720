"""What a job is: its id, schedule and function, and the context a run gets.

A job is `async def run(ctx, now) -> counts`. `now` is the clock the job must
use for every business decision (the scheduler passes the fire time, an
operator or a test passes `--at`), so a run is reproducible. Each job module
defines `JOB = Job(...)`; `jobs.runner.JOBS` registers them by reference.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from bot.runtime import Runtime
from domain.business_time import ZONE, ZONE_NAME

Counts = dict[str, int]


class JobInterrupted(Exception):
    """The worker is stopping; the job ends after its last committed batch."""


@dataclass
class JobContext:
    """What a job gets besides the clock: resources, its counters, the stop signal."""

    runtime: Runtime
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    counts: Counter[str] = field(default_factory=Counter)
    # Every registered job, for the one job that looks after the others' runs (recovery).
    jobs: tuple[Job, ...] = ()

    def checkpoint(self) -> None:
        """Call between committed batches: stop here if the worker is stopping."""
        if self.stopping.is_set():
            raise JobInterrupted

    def add(self, name: str, n: int = 1) -> None:
        """Count something the job did (shown in job_runs and `khaacho jobs list`)."""
        self.counts[name] += n


JobFunc = Callable[[JobContext, datetime], Awaitable[Counts | None]]


@dataclass(frozen=True, slots=True)
class Job:
    """A registered job: id, cron schedule (Kathmandu time) and its function."""

    id: str
    cron: dict[str, str]
    func: JobFunc
    description: str

    @property
    def schedule(self) -> str:
        """The schedule in crontab order (minute hour day month day-of-week), Kathmandu."""
        c = self.cron
        return " ".join(
            c.get(k, "*") for k in ("minute", "hour", "day", "month", "day_of_week")
        ) + " " + ZONE_NAME

    def trigger(self) -> CronTrigger:
        """The APScheduler trigger for this job."""
        return CronTrigger(timezone=ZONE, **self.cron)

    @property
    def lock_key(self) -> int:
        """A stable signed 64-bit advisory-lock key for this job."""
        digest = hashlib.sha256(f"khaacho-job:{self.id}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)
