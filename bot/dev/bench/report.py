"""The bench report: the JSON document and the table printed for people."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

REQUIRED_KEYS: tuple[str, ...] = (
    "baseline_rps", "max_msgs_per_s", "ratio", "ack_ms", "reply_ms", "orders_per_s",
    "errors", "lost", "loadgen_cpu", "versions", "machine", "cpu_ms_per_message",
    "max_rss_mb",
)
# Issue 15's targets on the 2-core machine.
TARGETS = {"max_msgs_per_s": 400, "ack_p99_ms": 50, "reply_p95_ms": 150, "orders_per_s": 50,
           "cpu_ms_per_message": 2.5, "rss_mb": 300}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        mem_gb = round(pages / 1024**3, 1)
    except (ValueError, OSError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": model, "cores": cores, "memory_gb": mem_gb,
            "os": f"{platform.system()} {platform.release()}"}


def versions(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Versions of what was measured."""
    out = {"python": platform.python_version()}
    for dist in ("khaacho", "aiohttp", "asyncpg", "redis", "uvloop", "orjson", "pydantic"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out["git"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git on PATH
            capture_output=True, text=True, timeout=5,
            cwd=Path(__file__).resolve().parent.parent.parent, check=False).stdout.strip()
    out.update(extra or {})
    return out


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(report: dict[str, Any]) -> str:
    """The summary table (Markdown, readable in a terminal)."""
    ack, rep = report.get("ack_ms") or {}, report.get("reply_ms") or {}
    rows = [
        ("bare aiohttp ceiling (req/s)", report.get("baseline_rps"), ""),
        ("max inbound msgs/s, end to end", report.get("max_msgs_per_s"),
         f"≥ {TARGETS['max_msgs_per_s']:,}"),
        ("ratio to the ceiling", f"{report['ratio']:.3f}" if report.get("ratio") else None,
         ""),
        ("webhook ack p50 / p95 / p99 ms @ rate",
         f"{_fmt(ack.get('p50'))} / {_fmt(ack.get('p95'))} / {_fmt(ack.get('p99'))}",
         f"p99 < {TARGETS['ack_p99_ms']}"),
        ("reply p50 / p95 / p99 ms @ rate",
         f"{_fmt(rep.get('p50'))} / {_fmt(rep.get('p95'))} / {_fmt(rep.get('p99'))}",
         f"p95 < {TARGETS['reply_p95_ms']}"),
        ("inbound rate offered in the latency phase (msgs/s)", report.get("latency_rate"),
         _fmt(report.get("latency_target_rate"))),
        ("orders placed per s", report.get("orders_per_s"), f"≥ {TARGETS['orders_per_s']}"),
        ("errors (non-2xx webhook answers)", report.get("errors"), "0"),
        ("lost (no effect or no reply)", report.get("lost"), "0"),
        ("CPU ms per inbound message (web+workers+Postgres+Redis)",
         report.get("cpu_ms_per_message"), f"≤ {TARGETS['cpu_ms_per_message']}"),
        ("  the same, relative to bare aiohttp's CPU per request",
         report.get("cpu_ms_per_message_vs_baseline"), ""),
        ("max RSS MB per process", ", ".join(
            f"{k} {v:.0f}" for k, v in (report.get("max_rss_mb") or {}).items()),
         f"each < {TARGETS['rss_mb']}"),
        ("web processes", report.get("webs"), ""),
        ("load generator CPU, cores (per phase)", ", ".join(
            f"{k} {v:.2f}" for k, v in (report.get("loadgen_cpu") or {}).items()
            if v is not None), ""),
    ]
    lines = ["| measure | value | target |", "|---|---:|---|"]
    lines += [f"| {name} | {_fmt(value)} | {target} |" for name, value, target in rows]
    cpu = report.get("cpu_share") or {}
    if cpu:
        lines.append("")
        lines.append("CPU (cores) per process, max phase: " + ", ".join(
            f"{k} {v:.2f}" for k, v in sorted(cpu.items())))
    by_webs = report.get("max_by_webs") or {}
    if by_webs:
        lines += ["", "max phase by web processes (same run, fresh processes each):", "",
                  "| web processes | msgs/s | × first | CPU ms/msg | × bare aiohttp | "
                  "ack p99 ms | reply p95 ms |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for n, row in by_webs.items():
            lines.append(
                f"| {n} | {_fmt(row.get('msgs_per_s'))} | {_fmt(row.get('msgs_per_s_vs_first'))}"
                f" | {_fmt(row.get('cpu_ms_per_message'))}"
                f" | {_fmt(row.get('cpu_ms_per_message_vs_baseline'))}"
                f" | {_fmt(row.get('ack_p99_ms'))} | {_fmt(row.get('reply_p95_ms'))} |")
    for note in report.get("notes") or ():
        lines.append(f"- {note}")
    return "\n".join(lines)
