"""The site's calculator (site/javascripts/calculator.js, run with node) gives the same answers as the Python sizing engine."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from refarch.loading import Catalog

sizing = pytest.importorskip("refarch.sizing", reason="the sizing engine (issue 3) is not in this checkout yet")

ROOT = Path(__file__).resolve().parents[1]
CALCULATOR = ROOT / "site" / "javascripts" / "calculator.js"
NODE = shutil.which("node")
CASES = 600

RUNNER = """
const calculator = require(process.argv[1]);
let text = "";
process.stdin.on("data", (chunk) => { text += chunk; });
process.stdin.on("end", () => {
  const { model, cases } = JSON.parse(text);
  process.stdout.write(JSON.stringify(cases.map((inputs) => calculator.evaluate(model, inputs))));
});
"""

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed; the parity test runs calculator.js with node")


def generated_inputs(model: dict[str, Any], count: int, seed: int = 5) -> list[dict[str, Any]]:
    """Raw inputs across and past every size: limits exactly, just above, random, absent; every method and cloud."""
    rng = random.Random(seed)
    sizes = model["sizes"]
    methods = [None, *sorted(model["methods"])]
    clouds = [None, *model["clouds"]]

    def around(name: str, cap: float) -> float | None:
        limits = [s["limits"][name] for s in sizes if s["limits"].get(name) is not None]
        pick = rng.random()
        if pick < 0.1 or not limits:
            return None
        if pick < 0.4:
            limit = rng.choice(limits)
            return limit + rng.choice([0, 1, -1])
        return rng.uniform(1, cap)

    cases: list[dict[str, Any]] = [{"users": 8000, "repositories": 30000}, {}]
    while len(cases) < count:
        raw: dict[str, Any] = {}
        users = around("users", 60_000)
        repositories = around("repositories", 6_000_000)
        if users is not None:
            raw["users"] = max(1, int(users))
        if repositories is not None:
            raw["repositories"] = max(1, int(repositories))
        if rng.random() < 0.8:
            total = round(rng.choice([rng.uniform(1, 200), rng.uniform(1, 50_000), rng.uniform(1, 60_000_000)]), rng.choice([0, 1, 3]))
            raw["total_repo_size_gb"] = max(total, 0.5)
            if rng.random() < 0.8:
                raw["largest_repo_gb"] = round(rng.uniform(0, min(raw["total_repo_size_gb"], rng.choice([5, 40, 5000]))), 2)
        elif rng.random() < 0.5:
            raw["largest_repo_gb"] = round(rng.uniform(0, 60), 1)
        if rng.random() < 0.7:
            raw["largest_index_gb"] = rng.choice([0, 0.5, 1, 8, 33.3, 60, 81, 500, 1200])
        if rng.random() < 0.6:
            raw["code_insights"] = rng.random() < 0.5
        if "syntactic_code_intel" in model["inputs"] and rng.random() < 0.4:
            raw["syntactic_code_intel"] = rng.random() < 0.5
        if rng.random() < 0.3:
            raw["concurrent_users"] = rng.choice([50, 100, 101, 1000, 4000, 4001, 9000])
            if "users" in raw:  # concurrent users are some of the users
                raw["concurrent_users"] = min(raw["concurrent_users"], raw["users"])
        method = rng.choice(methods)
        if method is not None:
            raw["method"] = method
        cloud = rng.choice(clouds)
        if cloud is not None:
            raw["cloud"] = cloud
        cases.append(raw)
    return cases


def test_calculator_gives_the_engines_answers(catalog: Catalog) -> None:
    model = sizing.sizing_model_json(catalog)
    cases = [sizing.read_inputs(model, raw) for raw in generated_inputs(model, CASES)]
    expected = [json.loads(json.dumps(sizing.evaluate(model, inputs))) for inputs in cases]
    # The model goes to node exactly as the site embeds it: JSON in the engine's own key order.
    payload = json.dumps({"model": model, "cases": cases})
    run = subprocess.run([NODE, "-e", RUNNER, str(CALCULATOR)], input=payload, capture_output=True, text=True, timeout=120, check=False)  # type: ignore[list-item]
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    assert len(answers) == len(cases) >= 500
    mismatches = [(inputs, want, got) for inputs, want, got in zip(cases, expected, answers, strict=True) if want != got]
    if mismatches:
        inputs, want, got = mismatches[0]
        differing = sorted(key for key in want if want.get(key) != got.get(key))
        detail = {key: {"python": want.get(key), "javascript": got.get(key)} for key in differing}
        pytest.fail(f"{len(mismatches)} of {len(cases)} answers differ; first for {inputs}:\n{json.dumps(detail, indent=1)[:4000]}")


def test_calculator_formats_numbers_as_the_engine_does(catalog: Catalog) -> None:
    values = [0, 1, 12, 999, 1000, 1234567, 0.5, 0.25, 2.125, 0.0625, 1234.5678, 10.000000000000002, 1e-4, 33.3, 5_000_000.75]
    run = subprocess.run(
        [
            NODE,
            "-e",
            "const c = require(process.argv[1]); process.stdout.write(JSON.stringify(JSON.parse(process.argv[2]).map(c.fmt)))",
            str(CALCULATOR),
            json.dumps(values),
        ],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [sizing._fmt(v) for v in values]
