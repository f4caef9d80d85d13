"""Start-up: whole refarch processes against `python -c pass`, and in-process rates against the YAML C loader.

Goals (issue 11), as ratios to `python -c pass` measured in the same run: check, size, matrix and
validate at most 10x, upgrade-plan at most 15x. Each question is asked for the first time: any kept
answer (answer-*.json) is removed before every run but validate's; the catalog snapshot is warm, as after any
earlier command over the same catalog. validate's answer depends on the catalog alone, so its goal
is measured over an unchanged catalog (found valid before); a run after a catalog file changed,
which reads and validates every file, is reported beside it. Rounds interleave the commands, so a
slow moment of the shared machine hits all of them alike.

In process: checks and sizings per second, next to loading the same documents with the YAML C
loader (a floor for anything that reads them) in the same run.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from bench_checking import generate as generate_requirements
from bench_sizing import generate as generate_inputs
from harness import BIN, ROOT, Result, process_seconds, rate

from refarch.checking import _index, check
from refarch.loading import load_catalog
from refarch.sizing import size

ROUNDS = 3
RUNS = 5  # per round
COUNT = 2_000
AS_OF = dt.date(2026, 11, 27)
GOALS = {"check": 10.0, "size": 10.0, "matrix": 10.0, "validate": 10.0, "upgrade-plan": 15.0}


def _commands(requirements: Path) -> dict[str, list[str]]:
    refarch = str(BIN / "refarch")
    return {
        "check": [refarch, "check", str(requirements), "--as-of", "2026-11-27"],
        "size": [refarch, "size", "--users", "8000", "--repositories", "30000", "--format", "json"],
        "matrix": [refarch, "matrix", "--version", "7.5", "--format", "json"],
        "validate": [refarch, "validate"],
        "upgrade-plan": [refarch, "upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--format", "json"],
    }


def _startup() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        requirements = Path(folder) / "acme.yaml"
        requirements.write_text(
            (ROOT / "tests/data/requirements/valid/acme.yaml").read_text(encoding="utf-8").replace("[network-policy, private-registry]", "[private-registry]")
        )
        cache = Path(folder) / "cache"
        copy = Path(folder) / "catalog-copy"
        for part in ("catalog", "architectures"):
            shutil.copytree(ROOT / part, copy / part)
        changed = copy / "catalog" / "product.yaml"
        # Python's bytecode cache on (as an installed wheel has its .pyc files), refarch's cache in a folder of its own.
        env = {"PYTHONDONTWRITEBYTECODE": "", "REFARCH_CACHE_DIR": str(cache)}
        commands = _commands(requirements)
        # No command but validate keeps answers; the removal keeps "first time asked" true should one ever do. validate's kept
        # verdict is its row's point ("found valid before"): a changed catalog is the row after it.
        fresh = {
            name: argv if name == "validate" else ["/bin/sh", "-c", f'rm -f "{cache}"/answer-*.json && exec "$0" "$@"', *argv] for name, argv in commands.items()
        }
        edited = ["/bin/sh", "-c", f'echo "# edited" >> "{changed}" && exec "$0" "$@"', str(BIN / "refarch"), "validate", "--catalog", str(copy)]
        baseline_rounds: list[float] = []
        first_time: dict[str, list[float]] = {name: [] for name in commands}
        after_edit: list[float] = []
        for _ in range(ROUNDS):
            baseline_rounds.append(process_seconds([sys.executable, "-c", "pass"], repeat=RUNS, env=env))
            for name, argv in fresh.items():
                first_time[name].append(process_seconds(argv, repeat=RUNS, env=env))
            after_edit.append(process_seconds(edited, repeat=RUNS, env=env))
    baseline = statistics.median(baseline_rounds)
    results = []
    for name in commands:
        seconds = statistics.median(first_time[name])
        ratio = seconds / baseline
        what = "catalog found valid before" if name == "validate" else "first time asked"
        results.append(Result(f"refarch {name}, whole process, {what}", "s", seconds, ROUNDS * RUNS, "python -c pass", baseline, ratio, f"<= {GOALS[name]:g}x", ratio <= GOALS[name]))
    seconds = statistics.median(after_edit)
    results.append(Result("refarch validate, whole process, after a catalog file changed (reads every file)", "s", seconds, ROUNDS * RUNS, "python -c pass", baseline, seconds / baseline, "report only"))
    return results


def _rates() -> list[Result]:
    catalog = load_catalog(ROOT)
    batch = generate_requirements(catalog, COUNT, scale=True)
    texts = [yaml.safe_dump(r.model_dump(mode="json", exclude_none=True)) for r in batch]
    inputs = generate_inputs(catalog, COUNT)
    input_texts = [yaml.safe_dump(i.model_dump(mode="json", exclude_none=True)) for i in inputs]

    def load_all(documents: list[str]) -> int:
        for text in documents:
            yaml.load(text, Loader=yaml.CSafeLoader)
        return len(documents)

    def check_all() -> int:
        _index(catalog).memo.clear()  # each pass starts cold, as in bench_checking
        for requirements in batch:
            check(catalog, requirements, AS_OF)
        return len(batch)

    def size_all() -> int:
        for item in inputs:
            size(catalog, item)
        return len(inputs)

    checks, loads = rate(check_all), rate(lambda: load_all(texts))
    sizings, input_loads = rate(size_all), rate(lambda: load_all(input_texts))
    return [
        Result(f"in-process checks per second, {COUNT:,} generated requirements with scale", "/s", checks, 5, "YAML C loader, same documents (loads/s)", loads, checks / loads, "report only"),
        Result(f"in-process sizings per second, {COUNT:,} generated inputs", "/s", sizings, 5, "YAML C loader, same inputs (loads/s)", input_loads, sizings / input_loads, "report only"),
    ]


def bench() -> list[Result]:
    return [*_startup(), *_rates()]
