"""`khaacho jobs list | run JOB [--at TIME]`: the worker's jobs, for operators and tests."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

import orjson

from bot.cli.errors import CliError
from bot.cli.settings_arg import settings_for_cli
from bot.db import DatabaseUnavailable
from bot.lifecycle import stop_requested
from bot.runtime import Runtime
from domain.business_time import ZONE_NAME, local_time, read_local


def parse_at(text: str) -> datetime:
    """An ISO time; without an offset it is read as Kathmandu time (the business clock)."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO time: {text!r} (e.g. 2026-03-01T09:00 or 2026-03-01T03:15:00Z)"
        ) from None
    return read_local(value)


async def _open() -> Runtime:
    try:
        return await Runtime.open(settings_for_cli())
    except DatabaseUnavailable as exc:
        raise CliError(str(exc)) from None


def _fmt(value: datetime | None) -> str:
    return "-" if value is None else local_time(value).strftime("%Y-%m-%d %H:%M")


async def _list(args: argparse.Namespace) -> int:
    from jobs.runner import last_runs, registry

    jobs = registry()
    rt = await _open()
    try:
        async with rt.pool.acquire() as conn:
            runs = await last_runs(conn, jobs)
    finally:
        await rt.close()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for job_id, job in jobs.items():
        run = runs.get(job_id, {})
        nxt = job.trigger().get_next_fire_time(None, now)
        rows.append({
            "id": job_id, "schedule": job.schedule, "description": job.description,
            "last_run": run.get("started_at"), "last_result": run.get("outcome"),
            "last_counts": run.get("counts"), "last_error": run.get("error"),
            "next_run": nxt,
        })
    if args.json:
        print(orjson.dumps(rows, default=str).decode())
        return 0
    header = f"{'JOB':<22} {f'SCHEDULE ({ZONE_NAME})':<28} {'LAST RUN':<17} {'RESULT':<12} NEXT"
    print(header)
    for r in rows:
        sched = r["schedule"].removesuffix(f" {ZONE_NAME}")
        print(f"{r['id']:<22} {sched:<28} {_fmt(r['last_run']):<17} "
              f"{r['last_result'] or '-':<12} {_fmt(r['next_run'])}")
    return 0


async def _run(args: argparse.Namespace) -> int:
    from jobs.runner import get_job, run_job

    try:
        job = get_job(args.job)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    at = args.at or datetime.now(UTC)
    rt = await _open()
    # SIGTERM/SIGINT end the job after its current batch, as in the worker.
    with stop_requested() as stopping:
        try:
            result = await run_job(rt, job, at, stopping=stopping)
        finally:
            await rt.close()
    out = {"job": result.job, "outcome": result.outcome, "as_of": at.isoformat(),
           "counts": result.counts, "run_id": result.run_id, "error": result.error}
    if args.json:
        print(orjson.dumps(out).decode())
    else:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items())) or "nothing to do"
        print(f"{result.job}: {result.outcome} as of {_fmt(at)} Kathmandu ({counts})")
    if result.outcome == "error":
        raise CliError(f"{result.job} failed: {result.error}")
    if result.outcome == "interrupted":
        raise CliError(f"{result.job} interrupted: stopped after its last committed batch; "
                       "the next run completes it", exit_code=4)
    if result.outcome == "skipped":
        raise CliError(f"{result.job} skipped: another worker is running it", exit_code=3)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `jobs list` and `jobs run`."""
    p = sub.add_parser("jobs", help="list the worker's jobs or run one now",
                       description="The worker's scheduled jobs: their schedules and last "
                                   "runs, or run one once now.")
    jsub = p.add_subparsers(dest="jobs_command", metavar="ACTION")
    jsub.required = True
    lp = jsub.add_parser("list", help="each job's schedule, last run, last result, next run",
                         description="List every job with its schedule (Kathmandu time), "
                                     "last run and result (from job_runs) and next run.")
    lp.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lp.set_defaults(handler=_list)
    rp = jsub.add_parser("run", help="run one job once now (or as if the clock said --at)",
                         description="Run JOB once under its advisory lock and record the run. "
                                     "Exit 0 when it ran, 1 when it failed, 3 when another "
                                     "worker was running it, 4 when stopped by a signal.")
    rp.add_argument("job", metavar="JOB", help="job id (see `khaacho jobs list`)")
    rp.add_argument("--at", type=parse_at, metavar="ISO-TIME",
                    help="the clock the job sees, e.g. 2026-03-01T09:00 (Kathmandu when no "
                         "offset is given); default now")
    rp.add_argument("--json", action="store_true", help="print the result as JSON")
    rp.set_defaults(handler=_run)
