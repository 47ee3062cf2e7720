"""The Prometheus registry renders the text exposition format 0.0.4."""

from __future__ import annotations

import pytest

from bot.metrics import Registry


def test_counter_renders_help_type_and_labelled_samples() -> None:
    reg = Registry()
    c = reg.counter("x_total", "Things.", ["kind"])
    c.inc(kind="a")
    c.inc(2, kind='b"q')
    text = reg.render()
    assert "# HELP x_total Things.\n# TYPE x_total counter\n" in text
    assert 'x_total{kind="a"} 1\n' in text
    assert 'x_total{kind="b\\"q"} 2\n' in text


def test_counter_refuses_to_go_down_and_wrong_labels() -> None:
    c = Registry().counter("y_total", "Y.", ["a"])
    with pytest.raises(ValueError):
        c.inc(-1, a="x")
    with pytest.raises(ValueError):
        c.inc(b="x")


def test_histogram_buckets_are_cumulative_with_sum_and_count() -> None:
    reg = Registry()
    h = reg.histogram("lat_seconds", "Latency.", ["outcome"], buckets=(0.1, 1))
    for v in (0.05, 0.5, 5):
        h.observe(v, outcome="ok")
    text = reg.render()
    assert 'lat_seconds_bucket{outcome="ok",le="0.1"} 1\n' in text
    assert 'lat_seconds_bucket{outcome="ok",le="1"} 2\n' in text
    assert 'lat_seconds_bucket{outcome="ok",le="+Inf"} 3\n' in text
    assert 'lat_seconds_sum{outcome="ok"} 5.55\n' in text
    assert 'lat_seconds_count{outcome="ok"} 3\n' in text


def test_gauge_set_all_drops_series_that_vanished() -> None:
    reg = Registry()
    g = reg.gauge("depth", "Depth.", ["status"])
    g.set_all({("a",): 1, ("b",): 2})
    g.set_all({("a",): 3})
    text = reg.render()
    assert 'depth{status="a"} 3\n' in text
    assert 'status="b"' not in text


def test_a_metric_name_cannot_be_registered_twice() -> None:
    reg = Registry()
    reg.counter("dup_total", "D.")
    with pytest.raises(ValueError):
        reg.counter("dup_total", "D.")
