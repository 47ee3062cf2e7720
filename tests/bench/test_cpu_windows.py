"""The bench divides CPU by a rate measured over the same seconds.

A ramp phase reports its best step; its CPU must be that step's window, not an
average over every step, warm-up and drain (which once showed a saturated
2-core box as 1.4 cores busy and sent a diagnosis looking for lock contention).
"""

from __future__ import annotations

from pathlib import Path

from bot.dev.bench.run import _DriverRun


def _run() -> _DriverRun:
    return _DriverRun({}, Path("."), [], None, None)  # type: ignore[arg-type]


def test_a_ramp_phase_takes_the_cpu_of_the_step_it_reports() -> None:
    run = _run()
    run._windows = {"c=8": {"web": 0.4}, "c=16": {"web": 0.9}, "c=32": {"web": 0.8}}
    run._take_window('phase max: {"concurrency": 16, "msgs_per_s": 80.0}')
    assert run.cpu["max"] == {"web": 0.9}


def test_a_single_window_phase_takes_that_window() -> None:
    run = _run()
    run._windows = {"rate=200": {"web": 0.7}}
    run._take_window('phase latency: {"msgs_per_s": 150.0}')
    assert run.cpu["latency"] == {"web": 0.7}


def test_a_phase_without_windows_keeps_its_whole_phase_figure() -> None:
    run = _run()
    run.cpu["baseline"] = {"web": 0.5}
    run._take_window('phase baseline: {"rps": 7000}')
    assert run.cpu["baseline"] == {"web": 0.5}
