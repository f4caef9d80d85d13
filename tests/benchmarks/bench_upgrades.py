"""Upgrade planner: in-process time per plan over every pair of releases, every method and both strategies.

Goal (issue 6): at most 50 ms per plan in-process. "cold" is the first plan of each graph (it builds and
caches the versions graph for that method and set of rules); "warm" is every plan after that.
The baseline is one networkx single-source Dijkstra over a graph of the same size, the floor for any search.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

import networkx as nx
from harness import BIN, ROOT, Result, median_seconds, process_seconds, python_baseline

sys.path.insert(0, str(ROOT / "generators"))

from refarch.lifecycle import exists_at  # noqa: E402
from refarch.loading import load_catalog  # noqa: E402
from refarch.upgrades import STRATEGIES, upgrade_plan  # noqa: E402

GOAL = 0.050


def _cases(catalog: object) -> list[tuple[str, str, str, str]]:
    out = []
    for method in catalog.methods.values():  # type: ignore[attr-defined]
        if not method.self_hosted:
            continue
        releases = [r.version for r in catalog.releases.releases if exists_at(method.lifecycle, r.latest_patch)]  # type: ignore[attr-defined]
        out += [(method.id, a, b, s) for i, a in enumerate(releases) for b in releases[i + 1 :] for s in STRATEGIES]
    return out


def _times(catalog: object, cases: list[tuple[str, str, str, str]]) -> list[float]:
    gc.collect()  # start each pass without the garbage of loading the catalog
    times = []
    for method_id, start, end, strategy in cases:
        started = time.perf_counter()
        upgrade_plan(catalog, start, end, method_id, strategy=strategy)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    return times


def _dijkstra_baseline(nodes: int) -> float:
    graph = nx.DiGraph()
    for i in range(nodes):
        for j in range(i + 1, nodes):
            graph.add_edge(i, j, w=1 if j == i + 1 else 3)
    return median_seconds(lambda: nx.single_source_dijkstra(graph, 0, weight="w"), repeat=21)


def bench() -> list[Result]:
    results = []
    cold_runs, warm_runs = [], []
    for _ in range(3):  # a fresh Catalog object each round empties the planner's caches
        catalog = load_catalog(ROOT)
        cases = _cases(catalog)
        cold_runs.append(_times(catalog, cases))
        warm_runs.append(_times(catalog, cases))
    baseline = _dijkstra_baseline(len(catalog.releases.releases))
    for label, runs in (("cold (builds graphs)", cold_runs), ("warm", warm_runs)):
        medians = [statistics.median(r) for r in runs]
        worst = statistics.median(max(r) for r in runs)
        median = statistics.median(medians)
        results.append(
            Result(
                f"upgrade_plan per plan, {label}, median of {len(runs[0])} plans",
                "s",
                median,
                len(runs),
                "one Dijkstra",
                baseline,
                median / baseline,
                "<= 50 ms",
                median <= GOAL,
            )
        )
        p99 = statistics.median(statistics.quantiles(r, n=100)[98] for r in runs)
        results.append(
            Result(f"upgrade_plan per plan, {label}, 99th percentile", "s", p99, len(runs), "one Dijkstra", baseline, p99 / baseline, "<= 50 ms", p99 <= GOAL)
        )
        results.append(
            Result(f"upgrade_plan per plan, {label}, max", "s", worst, len(runs), "one Dijkstra", baseline, worst / baseline, "<= 50 ms", worst <= GOAL)
        )
    python = python_baseline()
    cli = process_seconds([str(BIN / "refarch"), "upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--format", "json"])
    results.append(Result("refarch upgrade-plan 5.9 -> 7.6 (whole process)", "s", cli, 15, "python -c pass", python, cli / python, "report only"))
    return results
