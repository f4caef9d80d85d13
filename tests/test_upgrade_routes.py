"""The upgrade planner's routing table against networkx: the same path for every question, so the same plan.

`refarch upgrade-plan` reads its paths from a table networkx filled once per catalog (refarch.upgrades.routing_table),
so that a whole process needs no networkx; these tests hold the table to what networkx answers on the spot.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from refarch import upgrades
from refarch.cache import load_derived
from refarch.lifecycle import exists_at
from refarch.loading import Catalog
from refarch.problems import InputError
from refarch.snapshot import freeze_catalog
from refarch.upgrades import STRATEGIES, Postgres, routing_table, upgrade_plan

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def table(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The table as `refarch upgrade-plan` reads it: from the session's cache folder (conftest), built by the first test that needs it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REFARCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
        patch.delenv("REFARCH_NO_CACHE", raising=False)
        loaded: dict[str, Any] = load_derived(repo_root, "upgrade-routes", routing_table)
    return loaded


def _postgres_values(catalog: Catalog) -> list[str | None]:
    """The default, every bundled form, and external majors from below the lowest to above the highest the catalog names."""
    bundled = sorted({int(m) for rule in catalog.upgrades.bundled_postgres for m in rule.majors})
    whens = [s.when for s in catalog.upgrade_stops.values()] + [n.when for n in catalog.upgrade_notes.values()]
    named = sorted({*bundled, *(int(w.postgres_below) for w in whens if w.postgres_below)})
    return [None, "bundled", *(f"bundled-{m}" for m in bundled), *(f"external-{m}" for m in range(named[0] - 1, named[-1] + 2))]


def test_every_path_in_the_table_is_the_path_networkx_finds(catalog: Catalog, table: dict[str, Any]) -> None:
    prep = upgrades._prepared(catalog)
    starts = upgrades._starts(catalog, prep)
    assert sorted(table["paths"]) == sorted(shape.key for shape in starts)
    compared = 0
    for shape, furthest in starts.items():
        graph = upgrades._graph(catalog, prep, shape)
        for strategy in STRATEGIES:
            for start, until in furthest.items():
                networkx_paths = upgrades._shortest(graph, start, strategy)
                for end in range(start + 1, until + 1):
                    assert upgrades._routed(table, shape, strategy, start, end) == networkx_paths[end], (shape.key, strategy, start, end)
                    compared += 1
    assert compared > 100_000  # every node each tree covers, not a sample


def test_every_question_finds_its_path_in_the_table(catalog: Catalog, table: dict[str, Any]) -> None:
    """Every method, every pair of releases and both strategies with the default database; every other database
    form from every eighth release. The table must answer each (no fallback to networkx); the test above shows
    that every answer it holds is networkx's."""
    prep = upgrades._prepared(catalog)
    nodes = len(prep.minors)
    asked = 0
    for method in (m for m in catalog.methods.values() if m.self_hosted):
        for postgres in _postgres_values(catalog):
            for start in range(0, nodes - 1, 1 if postgres is None else 8):
                try:
                    db: Postgres = upgrades.parse_postgres(catalog, postgres, prep.minors[start], method)
                except InputError:
                    continue  # refused before any path is looked for
                for end in range(start + 1, nodes):
                    shape = upgrades._shape(catalog, prep, upgrades._applicable(catalog, prep, method, db, start, end))
                    for strategy in STRATEGIES:
                        found = upgrades._routed(table, shape, strategy, start, end)
                        assert found is not None, (method.id, postgres, prep.minors[start], prep.minors[end], strategy)
                        asked += 1
    assert asked > 50_000


def _outcome(catalog: Catalog, *args: Any, **kwargs: Any) -> str:
    """The plan as stable JSON, or the report of the problems: what the command prints either way."""
    try:
        return json.dumps(upgrade_plan(catalog, *args, **kwargs), sort_keys=True)
    except InputError as error:
        return error.report()


def test_plans_from_the_table_are_the_plans_from_networkx(catalog: Catalog, table: dict[str, Any]) -> None:
    """Whole plans and exit-2 problems, byte for byte, as the command works them out (the snapshot and the table)
    and over the models with networkx: for every self-hosted method, every fourth pair of releases it runs (patches,
    latest, every database form and both strategies in turn); then every bad argument in each place."""
    snapshot = pickle.loads(pickle.dumps(freeze_catalog(catalog)))  # as the cache keeps it
    patches = {r.version: r.latest_patch for r in catalog.releases.releases}
    postgres_values = _postgres_values(catalog)
    questions: list[tuple[str, str, str, str | None, str]] = []
    for m, method in enumerate(m for m in catalog.methods.values() if m.self_hosted):
        runs = [r.version for r in catalog.releases.releases if exists_at(method.lifecycle, r.latest_patch)]
        pairs = [(a, b) for i, a in enumerate(runs) for b in runs[i + 1 :]][m % 4 :: 4]
        for k, (start, end) in enumerate(pairs):
            questions.append(
                (
                    patches[start] if k % 3 == 0 else start,
                    "latest" if k % 11 == 0 else end,
                    method.id,
                    postgres_values[k % len(postgres_values)],
                    STRATEGIES[k % 2],
                )
            )
    good = questions[:: len(questions) // 12]
    bad = {0: ["5.9.9999", "2.0", "99.0", "seven", "latest", ""], 1: ["5.9.9999", "2.0", "3.0", "99.0", "seven", ""], 2: ["helmm", "cloud", ""]}
    bad |= {3: ["bundled-99", "external-9.6", "external-1", "external", "mysql", ""], 4: ["fastest", ""]}
    questions += [(*q[:slot], value, *q[slot + 1 :]) for q in good for slot, values in bad.items() for value in values]  # type: ignore[misc]
    plans = 0
    for start, end, method_id, postgres, strategy in questions:
        fast = _outcome(snapshot, start, end, method_id, postgres, strategy, routes=lambda: table)
        assert fast == _outcome(catalog, start, end, method_id, postgres, strategy), (start, end, method_id, postgres, strategy)
        plans += fast.startswith("{")
    assert plans > 1_500 and len(questions) - plans > 1_000


def _with_trees(table: dict[str, Any], tree: Callable[[str], str], **changes: Any) -> dict[str, Any]:
    paths = {key: {strategy: {start: tree(t) for start, t in trees.items()} for strategy, trees in by.items()} for key, by in table["paths"].items()}
    return {**table, "paths": paths, **changes}


def test_the_table_is_used_only_when_it_is_this_catalogs_and_readable(catalog: Catalog, table: dict[str, Any]) -> None:
    networkx = _outcome(catalog, "5.9", "7.6", "helm")
    one_minor_at_a_time = _with_trees(table, lambda tree: "1" * len(tree))
    assert _outcome(catalog, "5.9", "7.6", "helm", routes=lambda: one_minor_at_a_time) != networkx  # a table is followed
    for ignored in (
        _with_trees(table, lambda tree: "1" * len(tree), releases=table["releases"][:-1]),  # another catalog's
        _with_trees(table, lambda tree: "1" * len(tree), schema_version=table["schema_version"] + 1),
        _with_trees(table, lambda tree: "-" * len(tree)),  # nothing reached
        _with_trees(table, lambda tree: "0" * len(tree)),  # hops of no length
        _with_trees(table, lambda tree: "~" * len(tree)),  # hops from before the start
        _with_trees(table, lambda tree: tree[:1]),  # trees cut short
        {**table, "paths": {}},
    ):
        assert _outcome(catalog, "5.9", "7.6", "helm", routes=lambda table=ignored: table) == networkx  # type: ignore[misc]


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "5.9", "--to", "7.6", "--method", "helm", "--postgres", "external-12", "--format", "json"),
        ("--from", "3.20", "--to", "latest", "--method", "docker-compose", "--strategy", "least-downtime", "--format", "markdown"),
        ("--from", "7.5", "--to", "5.2", "--method", "helm"),
    ],
)
def test_the_cli_prints_the_same_with_and_without_the_table(run: Run, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]) -> None:
    answers = Path(os.environ["REFARCH_CACHE_DIR"])

    def first_time() -> Result:
        for answer in answers.glob("answer-*.json"):
            answer.unlink()
        return run("upgrade-plan", *args)

    with_table = first_time()
    monkeypatch.setattr("refarch.cli.upgrade._routes", lambda root: None)  # no table: the path comes from networkx
    without = first_time()
    assert (with_table.exit_code, with_table.stdout, with_table.stderr) == (without.exit_code, without.stdout, without.stderr)


def test_a_whole_process_asked_for_the_first_time_imports_neither_networkx_nor_pydantic() -> None:
    """With the catalog caches warm and the answer cache empty, as bench_startup measures it."""
    refarch = Path(sys.executable).parent / "refarch"
    argv = [sys.executable, "-X", "importtime", str(refarch), "upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--format", "json"]
    env = {key: value for key, value in os.environ.items() if key != "REFARCH_NO_CACHE"}  # the session's cache folder (conftest)
    first = subprocess.run(argv, capture_output=True, text=True, check=True, env=env, timeout=120)  # fills the catalog caches if no test has yet
    for answer in Path(env["REFARCH_CACHE_DIR"]).glob("answer-*.json"):
        answer.unlink()
    warm = subprocess.run(argv, capture_output=True, text=True, check=True, env=env, timeout=60)
    assert warm.stdout == first.stdout and json.loads(warm.stdout)["steps"]
    imported = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "refarch.upgrades" in imported  # the plan was worked out, not recalled
    # networkx (the table has the path), pydantic and the models (the snapshot has the catalog): 180 ms together
    assert sorted(name for name in imported if name.split(".")[0] in ("networkx", "pydantic", "pydantic_core") or name.startswith("refarch.models")) == []
