"""Fixtures for the job tests: run a job as of a frozen time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest

from bot.runtime import Runtime
from jobs.runner import RunResult, get_job, run_job

RunJob = Callable[[str, datetime], Awaitable[RunResult]]


@pytest.fixture
def run(runtime: Runtime) -> RunJob:
    """`await run("payment-reminders", at)`: one run of a job as if the clock said `at`."""

    async def _run(job_id: str, at: datetime) -> RunResult:
        result = await run_job(runtime, get_job(job_id), at)
        assert result.outcome == "ok", result
        return result

    return _run
