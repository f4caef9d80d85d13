"""Benchmark helpers: repeated runs, medians, and a baseline measured in the same run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Result:
    name: str
    unit: str  # "s" for times, "/s" for rates
    median: float
    runs: int
    baseline: str | None = None
    baseline_median: float | None = None
    ratio: float | None = None
    goal: str = ""
    met: bool | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def median_seconds(func: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        func()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def process_seconds(argv: Sequence[str], repeat: int = 15, env: dict[str, str] | None = None) -> float:
    """Median wall time of a whole process, started fresh each time (output discarded)."""
    full_env = {**os.environ, **(env or {})}

    def once() -> None:
        subprocess.run(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=full_env, cwd=ROOT)

    return median_seconds(once, repeat=repeat, warmup=2)


def python_baseline(repeat: int = 15) -> float:
    """`python -c pass`: the cost of starting Python at all, the floor for any CLI command."""
    return process_seconds([sys.executable, "-c", "pass"], repeat=repeat)


def rate(func: Callable[[], int], repeat: int = 5) -> float:
    """Median items per second; func runs a batch and returns how many items it did."""
    rates = []
    func()
    for _ in range(repeat):
        started = time.perf_counter()
        count = func()
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates)
