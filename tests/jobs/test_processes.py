"""The worker and the jobs/report CLI as real processes: start-up lines, SIGTERM, output."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import socket
import sys
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest

from bot.config import Settings
from bot.runtime import Runtime
from jobs import credit_scores
from jobs.runner import registry
from tests.jobs import builders as b
from tests.jobs.test_weekly_reports import build_week

ROOT = Path(__file__).resolve().parents[2]
KHAACHO = [sys.executable, "-m", "bot.cli.main"]


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "REDIS_KEY_PREFIX": settings.redis_key_prefix,
        "WHATSAPP_API_URL": settings.whatsapp_api_url,
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": settings.whatsapp_access_token.get_secret_value(),
        "WHATSAPP_APP_SECRET": settings.whatsapp_app_secret.get_secret_value(),
        "WHATSAPP_VERIFY_TOKEN": settings.whatsapp_verify_token.get_secret_value(),
        "JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _khaacho(settings: Settings, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *KHAACHO, *args, cwd=ROOT, env=_env(settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_the_worker_logs_each_job_serves_health_and_exits_0_on_sigterm(
    runtime: Runtime,
) -> None:
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        *KHAACHO, "worker", cwd=ROOT,
        env=_env(runtime.settings, WORKER_HEALTH_PORT=str(port), HOST="127.0.0.1"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stderr is not None
    lines: list[dict] = []
    try:
        async with asyncio.timeout(30):
            while True:
                raw = await proc.stderr.readline()
                assert raw, "worker exited early"
                line = json.loads(raw)
                lines.append(line)
                if line["msg"] == "worker started":
                    break
        initialized = {ln["job"]: ln["schedule"] for ln in lines
                       if ln["msg"].endswith(" initialized")}
        assert set(initialized) == set(registry())
        assert initialized["payment-reminders"] == "15 8-19 * * * Asia/Kathmandu"
        async with asyncio.timeout(10):
            while True:
                try:
                    async with aiohttp.ClientSession() as http, http.get(
                            f"http://127.0.0.1:{port}/health") as resp:
                        status, body = resp.status, await resp.json()
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        assert status == 200
        assert body["scheduler"] == "running"
        proc.send_signal(signal.SIGTERM)
        rest = await asyncio.wait_for(proc.stderr.read(), 30)
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0
    assert '"worker stopped"' in rest.decode()


async def test_sigterm_during_a_job_run_stops_cleanly_and_the_next_run_completes_it(
    runtime: Runtime,
) -> None:
    async with runtime.pool.acquire() as conn:
        ids = [(await b.retailer(conn))["id"] for _ in range(credit_scores.BATCH + 5)]
    blocker = await runtime.pool.acquire()
    tx = blocker.transaction()
    await tx.start()
    # The first batch blocks on this row until we let go: SIGTERM arrives mid-batch.
    await blocker.execute("SELECT 1 FROM retailers WHERE id = $1 FOR UPDATE", ids[10])
    proc = await asyncio.create_subprocess_exec(
        *KHAACHO, "jobs", "run", "credit-scores", "--at", "2026-03-08T10:40", "--json",
        cwd=ROOT, env=_env(runtime.settings),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with runtime.pool.acquire() as conn:
            async with asyncio.timeout(20):
                while await conn.fetchval(
                        "SELECT count(*) FROM job_runs WHERE job = 'credit-scores'") == 0:
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            await tx.rollback()
            out, _ = await asyncio.wait_for(proc.communicate(), 30)
            run = await conn.fetchrow("SELECT outcome, counts FROM job_runs")
            first = await conn.fetchval("SELECT count(*) FROM credit_scores")
    finally:
        await runtime.pool.release(blocker)
        if proc.returncode is None:
            proc.kill()
    assert proc.returncode == 4
    assert json.loads(out)["outcome"] == "interrupted"
    assert run["outcome"] == "interrupted"
    assert first == credit_scores.BATCH  # the batch in progress was finished, no more
    code, out, err = await _khaacho(runtime.settings, "jobs", "run", "credit-scores",
                                    "--at", "2026-03-08T11:40")
    assert code == 0, err
    async with runtime.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM credit_scores") == len(ids)


async def test_jobs_list_shows_schedule_last_run_result_and_next_run(runtime: Runtime) -> None:
    code, _, err = await _khaacho(runtime.settings, "jobs", "run", "analytics",
                                  "--at", "2026-03-08T10:05:00+05:45")
    assert code == 0, err
    code, out, err = await _khaacho(runtime.settings, "jobs", "list", "--json")
    assert code == 0, err
    rows = {r["id"]: r for r in json.loads(out)}
    assert set(rows) == set(registry())
    assert rows["analytics"]["last_result"] == "ok"
    assert rows["analytics"]["last_run"] is not None
    assert rows["analytics"]["next_run"] is not None
    assert rows["weekly-reports"]["last_result"] is None
    code, out, _ = await _khaacho(runtime.settings, "jobs", "list")
    assert code == 0
    assert out.splitlines()[0].startswith("JOB")
    assert any(line.startswith("analytics") and " ok " in line for line in out.splitlines())


async def test_jobs_run_rejects_an_unknown_job_and_a_bad_time(runtime: Runtime) -> None:
    code, _, err = await _khaacho(runtime.settings, "jobs", "run", "nope")
    assert code == 1
    assert "unknown job 'nope'" in err
    code, _, err = await _khaacho(runtime.settings, "jobs", "run", "analytics", "--at", "soon")
    assert code == 2
    assert "not an ISO time" in err


async def test_report_daily_matches_the_analytics_figures(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as conn:
        r = await b.retailer(conn, area="Patan", created=b.ktm(2026, 3, 8, 9))
        v = await b.vendor(conn)
        p = await b.product(conn, "tea", category="beverages")
        await b.order(conn, r["id"], v["id"], b.ktm(2026, 3, 8, 10), [(p, "3", "450")])
        await b.order(conn, r["id"], v["id"], b.ktm(2026, 3, 8, 16), [(p, "1", "450")])
    code, out, err = await _khaacho(runtime.settings, "report", "daily", "--date", "2026-03-08",
                                    "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0] == {"dimension": "all", "key": "*", "orders": "2", "gmv": "1800.00",
                       "active_retailers": "1", "new_retailers": "1", "avg_basket": "900.00"}
    assert [(r["dimension"], r["key"]) for r in rows[1:]] == [("area", "Patan"),
                                                              ("category", "beverages")]
    code, out, _ = await _khaacho(runtime.settings, "report", "daily", "--date", "2026-03-08",
                                  "--format", "json")
    assert Decimal(json.loads(out)["rows"][0]["gmv"]) == Decimal("1800.00")
    code, out, _ = await _khaacho(runtime.settings, "report", "daily", "--date", "2026-03-08")
    assert "Daily report for 2026-03-08" in out


async def test_report_weekly_gives_the_figures_the_vendors_get(runtime: Runtime) -> None:
    await build_week(runtime)
    code, out, err = await _khaacho(runtime.settings, "report", "weekly", "--date", "2026-03-15",
                                    "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["period_start"] == "2026-03-08"
    assert report["totals"]["orders"] == 2
    assert Decimal(report["totals"]["gmv"]) == Decimal("4550.00")
    vendor = next(v for v in report["vendors"] if v["vendor"] == "Shrestha Traders")
    assert (vendor["orders"], vendor["median_response_seconds"]) == (2, 360)
    code, out, _ = await _khaacho(runtime.settings, "report", "weekly", "--date", "2026-03-15")
    assert "Weekly report 2026-03-08 to 2026-03-14" in out
    assert "Shrestha Traders" in out
    code, out, _ = await _khaacho(runtime.settings, "report", "weekly", "--date", "2026-03-15",
                                  "--format", "csv")
    assert out.splitlines()[-1].startswith("TOTAL,2,4550.00")
    code, _, err = await _khaacho(runtime.settings, "report", "weekly", "--date", "15/03")
    assert code == 2
    assert "not a date" in err


async def _wait_healthy(port: int, seconds: float = 30) -> None:
    async with asyncio.timeout(seconds):
        while True:
            try:
                async with aiohttp.ClientSession() as http, http.get(
                        f"http://127.0.0.1:{port}/health") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_two_workers_started_together_run_each_slot_of_a_job_once(
    runtime: Runtime,
) -> None:
    ports = [_free_port(), _free_port()]
    procs = [await asyncio.create_subprocess_exec(
        *KHAACHO, "worker", cwd=ROOT,
        env=_env(runtime.settings, WORKER_HEALTH_PORT=str(port), HOST="127.0.0.1",
                 LOG_LEVEL="WARNING"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        for port in ports]
    try:
        for port in ports:
            await _wait_healthy(port)
        async with runtime.pool.acquire() as conn:
            # Only minutes that began after both workers were up count.
            both_up = await conn.fetchval("SELECT now()")
            async with asyncio.timeout(120):
                # Both workers fire every-minute jobs at the next minute boundary.
                while True:
                    rows = await conn.fetch(
                        "SELECT job, as_of, outcome FROM job_runs WHERE outcome IS NOT NULL "
                        "AND job IN ('recovery', 'vendor-timeouts') AND as_of > $1 "
                        "ORDER BY as_of", both_up)
                    slots: dict[tuple[str, object], list[str]] = {}
                    for r in rows:
                        slots.setdefault((r["job"], r["as_of"]), []).append(r["outcome"])
                    if len(slots) >= 2 and all(len(v) == 2 for v in slots.values()):
                        break
                    await asyncio.sleep(0.5)
        for outcomes in slots.values():
            assert sorted(outcomes) == ["ok", "skipped"]
    finally:
        for p in procs:
            if p.returncode is None:
                p.send_signal(signal.SIGTERM)
        codes = [await asyncio.wait_for(p.wait(), 30) for p in procs]
    assert codes == [0, 0]
