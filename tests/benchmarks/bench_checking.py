"""refarch check: in-process checks per second on 10,000 generated requirements, and one whole `refarch check` process.

Goals: one `refarch check FILE` under 0.3 s, reported against `python -c pass` measured in the same run.
Checks per second are reported, not held to issue 4's absolute 20,000/s, which depends on the machine:
issue 11 replaced it with rates next to a same-run baseline (here the sizing engine alone; bench_startup
sets them beside the YAML C loader reading the same documents).
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import tempfile
from pathlib import Path
from typing import Any

from harness import BIN, ROOT, Result, process_seconds, python_baseline, rate

from refarch.checking import _index, check, requirement_problems
from refarch.loading import Catalog, load_catalog
from refarch.models import Requirements
from refarch.models.sizing import SizingInputs
from refarch.sizing import size

COUNT = 10_000
AS_OF = dt.date(2026, 11, 27)


def generate(catalog: Catalog, count: int, seed: int = 4, scale: bool = True) -> list[Requirements]:
    """`count` valid requirements drawn from the catalog's ids, deterministic for a seed."""
    rng = random.Random(seed)
    versions = [r.version for r in catalog.releases.releases[-30:]]
    methods = [m for m in catalog.methods.values() if m.self_hosted]
    cpus = [a.id for a in catalog.cpu_architectures.architectures]
    out: list[Requirements] = []
    while len(out) < count:
        method = rng.choice(methods)
        deployment: dict[str, Any] = {"method": method.id, "architecture": rng.choice(cpus), "new_install": rng.random() < 0.5}
        if method.platform_kind in ("kubernetes", "host"):
            kinds = [p.id for p in catalog.platforms.values() if p.kind == method.platform_kind] or list(catalog.platforms)
            deployment["platform"] = rng.choice(kinds)
            deployment["platform_version"] = rng.choice(
                ["1.18", "1.24", "1.29", "1.31"] if method.platform_kind == "kubernetes" else ["19.03", "20.10.0", "24.0.7"]
            )
        if any(r.id == "docker-compose" for r in method.runtime):
            deployment["compose_version"] = rng.choice(["1.27", "1.29.2", "2.20"])
        services: dict[str, Any] = {}
        for service in catalog.external_services.values():
            if rng.random() < 0.6:
                provider = rng.choice([p.id for p in catalog.providers.values() if service.id in p.serves])
                choice: dict[str, Any] = {"provider": provider}
                if service.version_rules:
                    choice["version"] = rng.choice(["12", "15", "16", "6.2", "7.2"])
                services[service.id] = choice
        data: dict[str, Any] = {
            "customer": f"Customer {len(out)}",
            "version": rng.choice(versions),
            "deployment": deployment,
            "services": services,
            "options": rng.sample(sorted(catalog.options), rng.randint(0, 3)),
        }
        if scale:
            data["scale"] = {"users": rng.randint(10, 60_000), "repositories": rng.randint(10, 600_000), "largest_repo_gb": round(rng.uniform(0.1, 50), 1)}
            data["scale"]["total_repo_size_gb"] = data["scale"]["largest_repo_gb"] * rng.randint(1, 200)
        requirements = Requirements.model_validate(data)
        if not requirement_problems(catalog, requirements):
            out.append(requirements)
    return out


def bench() -> list[Result]:
    catalog = load_catalog(ROOT)
    results = []
    for label, scale in (("without scale", False), ("with scale", True)):
        batch = generate(catalog, COUNT, scale=scale)
        # The catalog and the 10,000 prebuilt inputs live for the whole run, as a server holds its catalog; freeze them so
        # the garbage collector does not rescan them on every pass (inputs arriving one at a time would not be there to scan).
        gc.collect()
        gc.freeze()

        def run_batch(batch: list[Requirements] = batch) -> int:
            _index(catalog).memo.clear()  # each run starts cold: no rule group is remembered from the previous run
            for requirements in batch:
                check(catalog, requirements, AS_OF)
            return len(batch)

        per_second = rate(run_batch, repeat=5)
        result = Result(
            f"in-process checks per second, {COUNT:,} generated requirements {label}", "/s", per_second, 5, goal="report only (issue 11: no absolute rate)"
        )
        if scale:
            # The scale rule calls the sizing engine once per check: measure the engine alone on the same inputs.
            inputs = [r.scale.model_copy(update={"method": r.deployment.method}) for r in batch]

            def run_sizing(inputs: list[SizingInputs] = inputs) -> int:
                for item in inputs:
                    size(catalog, item)
                return len(inputs)

            result.baseline = "refarch.sizing.size alone, same scale inputs (sizes/s)"
            result.baseline_median = rate(run_sizing, repeat=5)
            result.ratio = per_second / result.baseline_median
        results.append(result)
        gc.unfreeze()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "acme.yaml"
        path.write_text(
            (ROOT / "tests/data/requirements/valid/acme.yaml").read_text(encoding="utf-8").replace("[network-policy, private-registry]", "[private-registry]")
        )
        baseline = python_baseline()
        env = {"REFARCH_CACHE_DIR": str(Path(folder) / "cache")}
        whole = process_seconds([str(BIN / "refarch"), "check", str(path), "--as-of", "2026-11-27"], env=env)
    results.append(
        Result(
            "whole process: refarch check FILE",
            "s",
            whole,
            15,
            baseline="python -c pass",
            baseline_median=baseline,
            ratio=whole / baseline,
            goal="< 0.3 s",
            met=whole < 0.3,
        )
    )
    return results
