"""refarch size: one whole `refarch size` process against `python -c pass`, and in-process sizings per second.

Goals: `refarch size --users 8000 --repositories 30000 --format json` under 0.3 s and at most 10 times
`python -c pass` measured in the same run. Sizings per second are reported, not held to issue 3's absolute
20,000/s, which depends on the machine: issue 11 replaced it with a rate next to a same-run baseline
(bench_startup sets it beside the YAML C loader reading the same inputs).
"""

from __future__ import annotations

import math
import random
import sys

from harness import BIN, ROOT, Result, process_seconds, rate

from refarch.loading import Catalog, load_catalog
from refarch.models.sizing import SizingInputs
from refarch.sizing import evaluate, read_inputs, size, sizing_model_json

COUNT = 5_000
ARGV = [str(BIN / "refarch"), "size", "--users", "8000", "--repositories", "30000", "--format", "json"]


def generate(catalog: Catalog, count: int, seed: int = 3) -> list[SizingInputs]:
    """`count` distinct inputs spread log-uniformly over the chart and a little past it, on every self-hosted method."""
    rng = random.Random(seed)
    methods = sorted(m.id for m in catalog.methods.values() if m.self_hosted)

    def log_uniform(low: float, high: float) -> float:
        return math.exp(rng.uniform(math.log(low), math.log(high)))

    out = []
    for _ in range(count):
        total = round(log_uniform(1, 50_000), 1)
        out.append(
            SizingInputs(
                users=int(log_uniform(5, 60_000)),
                repositories=int(log_uniform(10, 600_000)),
                total_repo_size_gb=total,
                largest_repo_gb=round(min(total, log_uniform(0.1, 40)), 1),
                largest_index_gb=rng.choice([0, 1, 5, 20, 60, 100]),
                code_insights=rng.random() < 0.8,
                method=rng.choice(methods) if rng.random() < 0.3 else None,
            )
        )
    return out


def bench() -> list[Result]:
    catalog = load_catalog(ROOT)
    inputs = generate(catalog, COUNT)
    size(catalog, inputs[0])  # compile the model once, as any long-running caller would

    def run_size() -> int:
        for item in inputs:
            size(catalog, item)
        return len(inputs)

    model = sizing_model_json(catalog)
    checked = [read_inputs(model, item.model_dump(exclude_none=True)) for item in inputs]

    def run_evaluate() -> int:
        for item in checked:
            evaluate(model, item)
        return len(checked)

    results = []
    per_second = rate(run_size, repeat=7)
    results.append(
        Result(
            name=f"size(catalog, inputs), {COUNT:,} distinct inputs",
            unit="/s",
            median=per_second,
            runs=7,
            goal="report only (issue 11: no absolute rate)",
        )
    )
    per_second = rate(run_evaluate, repeat=7)
    results.append(Result(name="evaluate(model, checked inputs), the engine alone", unit="/s", median=per_second, runs=7, goal="(information)"))

    # A whole process against `python -c pass` in the same environment, with Python's usual bytecode cache
    # (__pycache__) turned on even where PYTHONDONTWRITEBYTECODE is set, as an installed wheel has its .pyc files.
    # The first runs (warm-up) also fill refarch's catalog cache, as any second run of the command finds it.
    env = {"PYTHONDONTWRITEBYTECODE": ""}
    baseline = process_seconds([sys.executable, "-c", "pass"], repeat=21, env=env)
    seconds = process_seconds(ARGV, repeat=21, env=env)
    ratio = seconds / baseline
    results.append(
        Result(
            name="refarch size --users 8000 --repositories 30000 --format json",
            unit="s",
            median=seconds,
            runs=21,
            baseline="python -c pass",
            baseline_median=baseline,
            ratio=ratio,
            goal="< 0.3 s and <= 10x python -c pass",
            met=seconds < 0.3 and ratio <= 10,
        )
    )
    return results
