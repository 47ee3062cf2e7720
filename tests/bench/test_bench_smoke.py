"""`khaacho bench` smoke: a few seconds of every phase, a complete report, nothing lost.

No timing is asserted: CI machines vary. What must hold anywhere is that the
bench runs from a fresh setup, its JSON carries every figure, and every
message it sent had its effect and its reply.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.dev.bench.report import REQUIRED_KEYS

pytestmark = pytest.mark.slow


def test_a_short_bench_writes_a_complete_report_and_loses_nothing(
        tmp_path: Path, service_urls: tuple[str, str]) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "DATABASE_URL": service_urls[0], "REDIS_URL": service_urls[1]}
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "bot.cli.main", "bench", "--duration", "1", "--rate", "20",
         "--concurrency", "6", "--steps", "2,4", "--step-seconds", "1",
         "--baseline-concurrency", "8", "--retailers", "300",
         "--vendors", "100", "--products", "300", "--json", str(out),
         "--log-dir", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, timeout=240, check=False)
    assert out.is_file(), f"no report written: {done.stdout}\n{done.stderr}"
    report = json.loads(out.read_text())
    missing = [k for k in REQUIRED_KEYS if report.get(k) is None]
    assert not missing, f"report lacks {missing}: {report}"
    for key in ("ack_ms", "reply_ms"):
        assert all(report[key].get(p) is not None for p in ("p50", "p95", "p99")), report[key]
    assert report["lost"] == 0, json.dumps(report["accounting"], indent=1)[:3000]
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| max inbound msgs/s" in done.stdout


def test_web_1_and_2_are_measured_side_by_side_in_one_run(
        tmp_path: Path, service_urls: tuple[str, str]) -> None:
    out = tmp_path / "bench.json"
    env = {**os.environ, "DATABASE_URL": service_urls[0], "REDIS_URL": service_urls[1]}
    done = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "bot.cli.main", "bench", "--phases", "baseline,max",
         "--web", "2,1", "--duration", "1", "--steps", "2,4", "--step-seconds", "1",
         "--baseline-concurrency", "8", "--retailers", "300", "--vendors", "100",
         "--products", "300", "--json", str(out), "--log-dir", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, timeout=240, check=False)
    assert out.is_file(), f"no report written: {done.stdout}\n{done.stderr}"
    report = json.loads(out.read_text())
    by_webs = report["max_by_webs"]
    assert sorted(by_webs) == ["1", "2"], by_webs
    # A one-second step on a loaded box may handle nothing yet: the figures must be
    # measured (present, numbers), not large.
    for row in by_webs.values():
        assert isinstance(row["msgs_per_s"], int | float) and row["msgs_per_s"] >= 0, row
        assert "cpu_ms_per_message" in row, row
    assert "msgs_per_s_vs_first" in by_webs["2"], by_webs
    assert report["webs"] == 2 and report["phases"]["max"]["webs"] == 2
    assert report["phases"]["max-web1"]["webs"] == 1
    assert report["lost"] == 0, json.dumps(report["accounting"], indent=1)[:3000]
    assert "| web processes | msgs/s |" in done.stdout
