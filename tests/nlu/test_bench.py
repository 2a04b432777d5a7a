"""The benchmark's arithmetic and report (the measurement itself runs with `make bench-nlu`)."""

from __future__ import annotations

import os

import pytest

from nlu.bench import ServerFigures, machine, markdown, percentile, rss_mb


def test_percentiles_interpolate() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([], 95) == 0.0
    assert percentile([3.0], 99) == 3.0


def test_resident_memory_of_this_process() -> None:
    assert rss_mb(os.getpid()) > 1


def test_report_has_both_servers_and_the_training_time() -> None:
    figures = [
        ServerFigures("rasa run --enable-api", 9.0, 12.0, 20.0, 25.0, 80.0, 300.0, 350.0, 100.0, None, 900.0),
        ServerFigures("nlu.server (thin)", 9.5, 8.0, 12.0, 15.0, 120.0, 90.0, 120.0, 300.0, 450.0, 950.0),
    ]
    text = markdown(figures, {"seconds": 291.0, "cpus": 2, "model": "m", "finished": "x"}, machine(), "m")
    assert "| rasa run --enable-api | 9.0 s | 12.0 / 20.0 / 25.0 ms | 80 |" in text
    assert "a third of the messages repeated: 450 req/s" in text
    assert "291.0 s" in text
