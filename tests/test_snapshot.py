"""The pydantic-free fast path (refarch.snapshot, refarch.conform) gives the answers the models give.

The snapshot is the validated catalog as Records; conform reads a plainly valid requirements document
without pydantic. Both are held to the models here: the same answers from check, matrix, size and
upgrade-plan over the snapshot as over the models, conform never accepting what pydantic refuses
and giving the same values when it accepts, and a warm command importing neither pydantic nor networkx.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from refarch.checking import check, requirement_problems
from refarch.conform import conform, derive
from refarch.loading import Catalog
from refarch.matrix import support_matrix
from refarch.models import Requirements
from refarch.problems import InputError
from refarch.sizing import compile_model, sizing_model_json
from refarch.snapshot import Record, freeze, freeze_catalog, plain
from refarch.upgrades import upgrade_plan
from refarch.yamlfile import parse

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "tests" / "data" / "requirements"
AS_OF = dt.date(2026, 11, 27)
SCALE = float(os.environ.get("REFARCH_FUZZ_SCALE", "1"))
"""As in test_fuzz_cli: REFARCH_FUZZ_SCALE=20 runs 20 times the generated documents, fresh ones; make test runs a fixed set."""


@pytest.fixture(scope="module")
def snapshot(catalog: Catalog) -> Catalog:
    """A snapshot as a command reads it: frozen, then through pickle (as the cache keeps it)."""
    return pickle.loads(pickle.dumps(freeze_catalog(catalog), protocol=pickle.HIGHEST_PROTOCOL))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def shapes() -> tuple[dict[str, Any], str]:
    found: dict[str, Any] = {}
    return found, derive(Requirements, found)


def _documents(catalog: Catalog, count: int, seed: int = 11) -> list[dict[str, Any]]:
    """Valid-looking requirements over the catalog's own ids: every method, platform, provider, option and scale."""
    rng = random.Random(seed)
    versions = [r.version for r in catalog.releases.releases[-24:]] + ["7.5.0", "6.12.1"]
    cpus = [a.id for a in catalog.cpu_architectures.architectures]
    out = []
    for index in range(count):
        method = rng.choice(list(catalog.methods.values()))
        deployment: dict[str, Any] = {"method": method.id, "architecture": rng.choice(cpus), "new_install": rng.random() < 0.5}
        if rng.random() < 0.8:
            deployment["platform"] = rng.choice(list(catalog.platforms))
            deployment["platform_version"] = rng.choice(["1.18", "1.24", "1.29", "1.31", "20.10.0", "24.0.7"])
        if rng.random() < 0.3:
            deployment["compose_version"] = rng.choice(["1.27", "2.20"])
        services = {}
        for service in catalog.external_services.values():
            if rng.random() < 0.5:
                choice: dict[str, Any] = {"provider": rng.choice([p.id for p in catalog.providers.values() if service.id in p.serves] or ["bundled"])}
                if rng.random() < 0.5:
                    choice["version"] = rng.choice(["12", "15", "16", "6.2", "7.2"])
                services[service.id.replace("-", "_") if rng.random() < 0.5 else service.id] = choice
        document: dict[str, Any] = {
            "customer": f"Customer {index}",
            "version": rng.choice(versions),
            "deployment": deployment,
            "services": services,
            "options": rng.sample(list(catalog.options), rng.randint(0, 4)),
        }
        if rng.random() < 0.7:
            users = rng.choice([10, 500, 8000, 40000])
            document["scale"] = {"users": users, "repositories": rng.choice([5, 3000, 30000]), "total_repo_size_gb": rng.choice([1, 90.5, 900])}
            if rng.random() < 0.5:
                document["scale"]["concurrent_users"] = max(1, users // rng.choice([1, 4, 10]))
        out.append(document)
    return out


def _pydantic(data: Any) -> Requirements | None:
    try:
        return Requirements.model_validate(data)
    except (ValidationError, TypeError):
        return None


def _same_reading(shapes: tuple[dict[str, Any], str], data: Any) -> Record | None:
    """The oracle: conform accepts only what pydantic accepts, and then with the same values."""
    fast = conform(shapes[0], shapes[1], data)
    if fast is not None:
        model = _pydantic(data)
        assert model is not None, f"conform accepted what pydantic refuses: {data!r}"
        assert plain(fast) == plain(model) and freeze(model) == fast, data
    return fast


def test_the_engine_answers_the_same_over_the_snapshot(catalog: Catalog, snapshot: Catalog, shapes: tuple[dict[str, Any], str]) -> None:
    documents = _documents(catalog, 300)
    documents += [parse((REQUIREMENTS / "valid" / name).read_bytes(), name)[0] for name in sorted(os.listdir(REQUIREMENTS / "valid"))]
    fast_path = 0
    for data in documents:
        model = _pydantic(data)
        fast = _same_reading(shapes, data)
        assert model is not None, data  # the generator writes schema-valid documents
        fast_path += fast is not None
        requirements = fast if fast is not None else model
        expected = [str(p) for p in requirement_problems(catalog, model)]
        assert [str(p) for p in requirement_problems(snapshot, requirements)] == expected  # type: ignore[arg-type]
        if not expected:
            assert check(snapshot, requirements, AS_OF) == check(catalog, model, AS_OF)  # type: ignore[arg-type]
    assert fast_path == len(documents)  # every plainly valid document takes the fast path


def test_matrix_and_sizing_answer_the_same_over_the_snapshot(catalog: Catalog, snapshot: Catalog) -> None:
    assert sizing_model_json(snapshot) == compile_model(catalog)
    for release in catalog.releases.releases[-12:]:
        for method in [None, *catalog.methods]:
            assert support_matrix(snapshot, release.version, AS_OF, method) == support_matrix(catalog, release.version, AS_OF, method)


def _plan(catalog: Catalog, *args: str, **options: Any) -> Any:
    try:
        return upgrade_plan(catalog, *args, **options)
    except InputError as error:
        return [str(p) for p in error.problems]


def test_upgrade_plans_are_the_same_over_the_snapshot(catalog: Catalog, snapshot: Catalog) -> None:
    versions = [r.version for r in catalog.releases.releases]
    rng = random.Random(5)
    for method in catalog.methods:
        for _ in range(6):
            start, end = sorted(rng.sample(versions[-40:], 2), key=lambda v: tuple(map(int, v.split("."))))
            for options in ({}, {"strategy": "least-downtime"}, {"postgres": "external-16"}):
                assert _plan(snapshot, start, end, method, **options) == _plan(catalog, start, end, method, **options)


def test_a_record_is_read_only_and_survives_pickle(snapshot: Catalog) -> None:
    method = next(iter(snapshot.methods.values()))
    with pytest.raises(AttributeError, match="read-only"):
        method.name = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(method)) == method and plain(pickle.loads(pickle.dumps(method))) == plain(method)


# --- conform on generated documents: never more lenient than pydantic ------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["7.5", " 7.5", "7.5 ", "7.05", "1e3", "helm", "Helm", "helm\n", "", "16", "aws-rds", "object_storage", "x" * 201]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
)


def _mutate(data: Any, draw: Any, depth: int = 0) -> Any:
    """Change one place of a document: drop a key, add one, or swap a value for another type or a near-miss."""
    if isinstance(data, dict) and data and depth < 4 and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data, key=str)))
        out = dict(data)
        out[key] = _mutate(data[key], draw, depth + 1)
        return out
    if isinstance(data, list) and data and depth < 4 and draw(st.booleans()):
        index = draw(st.integers(0, len(data) - 1))
        return [*data[:index], _mutate(data[index], draw, depth + 1), *data[index + 1 :]]
    choice = draw(st.integers(0, 3))
    if choice == 0 and isinstance(data, dict) and data:
        out = dict(data)
        out.pop(draw(st.sampled_from(sorted(data, key=str))))
        return out
    if choice == 1 and isinstance(data, dict):
        return {**data, draw(st.sampled_from(["extra", "users", "Customer", "version", 7])): draw(_SCALARS)}
    if choice == 2:
        return [data] if draw(st.booleans()) else {"value": data}
    return draw(_SCALARS)


@st.composite
def _mutated(draw: Any, documents: list[dict[str, Any]]) -> Any:
    data = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 3))):
        data = _mutate(data, draw)
    return data


def test_conform_is_never_more_lenient_than_pydantic(catalog: Catalog, shapes: tuple[dict[str, Any], str]) -> None:
    documents = _documents(catalog, 40, seed=3)
    accepted = {"count": 0}

    @settings(max_examples=int(400 * SCALE), derandomize=SCALE == 1, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(_mutated(documents))
    def run(data: Any) -> None:
        accepted["count"] += _same_reading(shapes, data) is not None

    run()
    assert accepted["count"] > 0  # some mutations leave a valid document (a changed customer, a dropped option): those are read too


NEAR_MISSES: list[Any] = [
    None, True, False, 0, 1, -1, 10**15, 10**15 + 1, 0.0, 0.5, 1.0, -0.5, 1e300, float("inf"), float("nan"),
    "", " ", "7.5", " 7.5", "7.5 ", "7.5\n", "7.05", "7.5.0", "7", "1e3", "7.5.0-rc1", "1234567.5", "helm", "Helm", "helm\n",
    "a b", "aws-rds", "object_storage", "x" * 200, "x" * 201, [], ["helm"], {}, {"provider": "bundled"}, dt.date(2026, 1, 1),
]  # fmt: skip
"""Values one character, one type or one bound away from valid: each is put at every place of a valid document."""


def _places(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _places(value, (*path, index))
    return out


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    out = copy.copy(data)
    out[path[0]] = _replaced(data[path[0]], path[1:], value)
    return out


def test_conform_agrees_with_pydantic_at_every_place_of_a_document(catalog: Catalog, shapes: tuple[dict[str, Any], str]) -> None:
    """Every near miss at every place (and every key dropped, and one added at every level): conform and pydantic agree."""
    document = _documents(catalog, 1, seed=2)[0]
    document["scale"] = {"users": 800, "repositories": 30, "total_repo_size_gb": 90.5, "largest_repo_gb": 3, "concurrent_users": 80, "code_insights": True, "cloud": "aws"}
    document["services"] = {"postgres": {"provider": "aws-rds", "version": "16", "mode": "cluster"}, "object_storage": {"provider": "s3"}}
    document["options"] = ["private-registry"]
    document["deployment"]["compose_version"] = "2.20"
    accepted = refused = 0
    for path in _places(document):
        variants = [_replaced(document, path, value) for value in NEAR_MISSES]
        parent = path[:-1]
        if path and isinstance(path[-1], str):
            holder = _replaced(document, parent, {k: v for k, v in _get(document, parent).items() if k != path[-1]})
            variants.append(holder)
        if isinstance(_get(document, path), dict):
            variants.append(_replaced(document, path, {**_get(document, path), "unknown": 1}))
        for data in variants:
            if _same_reading(shapes, data) is None:
                refused += 1
            else:
                accepted += 1
    assert accepted and refused  # both sides are reached


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def test_conform_agrees_with_pydantic_on_every_requirements_file(shapes: tuple[dict[str, Any], str]) -> None:
    for path in sorted(REQUIREMENTS.glob("*/*")):
        try:
            data, _ = parse(path.read_bytes(), path.name)
        except InputError:
            continue  # not YAML at all: neither path reads it
        fast = _same_reading(shapes, data)
        if path.parent.name == "valid":
            assert fast is not None, path


# --- a warm command loads neither pydantic nor networkx ---------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["check", str(REQUIREMENTS / "valid" / "acme.yaml"), "--as-of", "2026-11-27"],
        ["matrix", "--version", "7.5", "--format", "json"],
        ["size", "--users", "8000", "--format", "json"],
    ],
    ids=lambda args: args[0],
)
def test_a_warm_command_imports_neither_pydantic_nor_networkx(tmp_path: Path, args: list[str]) -> None:
    script = Path(sys.executable).with_name("refarch")
    env = {**os.environ, "REFARCH_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("REFARCH_NO_CACHE", None)
    cold = subprocess.run([str(script), *args], env=env, capture_output=True, text=True, timeout=120)
    warm = subprocess.run([sys.executable, "-X", "importtime", str(script), *args], env=env, capture_output=True, text=True, timeout=120)
    assert warm.returncode == cold.returncode and warm.stdout == cold.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "click" in imported  # the listing is real
    assert not {name for name in imported if name.split(".")[0] in ("pydantic", "pydantic_core", "networkx", "jinja2")}
