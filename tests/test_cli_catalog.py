"""refarch validate, matrix and schema, through the CLI as a user runs them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from pydantic import Field

from refarch import schema as schema_module
from refarch.models import Option

Run = Callable[..., Result]


def test_validate_accepts_the_shipped_catalog(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "catalog is valid" in result.output


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


def test_validate_reports_every_problem_with_file_and_line(run: Run, catalog_copy: Path) -> None:
    helm = catalog_copy / "catalog/methods/helm.yaml"
    _break(helm, "\nmvu:", "\nmvuu:")  # misspelt key
    tls = catalog_copy / "catalog/options/tls.yaml"
    _break(tls, "\nmethods:\n", "\nmethods:\n  helms: supported\n")  # unknown id
    gke = catalog_copy / "catalog/platforms/gke.yaml"
    gke.write_text(gke.read_text(encoding="utf-8") + "level: supported\n", encoding="utf-8")  # duplicate key
    xs = catalog_copy / "catalog/sizes/xs.yaml"
    _break(xs, "\nrank: 0", "\nrank: first")  # wrong type
    bomb = catalog_copy / "catalog/services/bomb.yaml"
    bomb.write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)),
        encoding="utf-8",
    )
    started = time.monotonic()
    result = run("validate", "--catalog", str(catalog_copy))
    elapsed = time.monotonic() - started
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[-1] == "5 problems found"
    expected_prefixes = [
        f"catalog/methods/helm.yaml:{_line_of(helm, 'mvuu:')}: mvuu: unknown key 'mvuu'; did you mean 'mvu'?",
        f"catalog/options/tls.yaml:{_line_of(tls, 'helms:')}: methods.helms: option tls names method 'helms'",
        f"catalog/platforms/gke.yaml:{len(gke.read_text().splitlines())}: level: duplicate key 'level'",
        f"catalog/sizes/xs.yaml:{_line_of(xs, 'rank:')}: rank: input should be a valid integer",
        "catalog/services/bomb.yaml:",
    ]
    for prefix in expected_prefixes:
        assert any(line.startswith(prefix) for line in lines), f"no line starts with {prefix!r} in:\n{result.stderr}"
    assert elapsed < 5  # the budget is one second on a quiet machine; `make bench` measures it


def test_matrix_json_lists_every_method_with_its_status(run: Run, catalog) -> None:  # type: ignore[no-untyped-def]
    result = run("matrix", "--version", "7.5", "--format", "json", "--as-of", "2026-11-27")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["version"] == "7.5"
    levels = {m["id"]: m["level"] for m in data["methods"]}
    assert set(levels) == set(catalog.methods)
    for method_id, method in catalog.methods.items():
        removed = method.lifecycle.removed
        if removed and tuple(map(int, removed.split("."))) <= (7, 5):
            assert levels[method_id] == "removed", method_id
        else:
            assert levels[method_id] not in ("removed", "unavailable"), method_id


@pytest.mark.parametrize(
    ("version", "method", "level"),
    [("4.4", "kustomize", "unavailable"), ("4.5", "kustomize", "supported"), ("6.12", "machine-image", "deprecated"), ("7.0", "machine-image", "removed")],
)
def test_matrix_method_level_follows_its_lifecycle(run: Run, version: str, method: str, level: str) -> None:
    result = run("matrix", "--version", version, "--method", method, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [m["level"] for m in json.loads(result.stdout)["methods"]] == [level]


def test_matrix_json_is_stable(run: Run) -> None:
    first = run("matrix", "--version", "7.5", "--format", "json", "--as-of", "2026-11-27").stdout
    assert first == run("matrix", "--version", "7.5", "--format", "json", "--as-of", "2026-11-27").stdout


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_matrix_human_formats_name_every_method(run: Run, fmt: str, catalog) -> None:  # type: ignore[no-untyped-def]
    result = run("matrix", "--version", "7.5", "--format", fmt)
    assert result.exit_code == 0
    for method_id in catalog.methods:
        assert method_id in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--version", "5.12"], "<arguments>: version: unknown product version '5.12': there is no 5.12 release; the catalog covers"),
        (["--version", "5.12"], "did you mean '5.2'?"),
        (["--method", "helms"], "<arguments>: method: unknown deployment method 'helms'; did you mean 'helm'?"),
        (["--as-of", "yesterday"], "<arguments>: --as-of: expected a date like 2026-11-27 (got 'yesterday')"),
    ],
)
def test_matrix_bad_arguments_exit_2_without_output(run: Run, args: list[str], message: str) -> None:
    result = run("matrix", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_schema_check_passes_on_the_committed_schemas(run: Run) -> None:
    result = run("schema", "--check")
    assert result.exit_code == 0, result.output


def test_schema_check_fails_when_a_model_changes(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    class ChangedOption(Option):
        owner: str = Field(default="", description="A field added without regenerating the schema.")

    original = schema_module.schema_models

    def changed() -> dict[str, type]:
        return {**original(), "option": ChangedOption}

    monkeypatch.setattr(schema_module, "schema_models", changed)
    result = run("schema", "--check")
    assert result.exit_code == 1
    assert "catalog/schema/option.schema.json: stale or missing; run `refarch schema` to regenerate it" in result.stderr


def test_schema_writes_what_check_expects(run: Run, catalog_copy: Path) -> None:
    stale = catalog_copy / "catalog/schema/size.schema.json"
    stale.write_text("{}\n")
    assert run("schema", "--check", "--catalog", str(catalog_copy)).exit_code == 1
    assert run("schema", "--catalog", str(catalog_copy)).exit_code == 0
    assert run("schema", "--check", "--catalog", str(catalog_copy)).exit_code == 0


def test_every_catalog_file_names_its_schema(repo_root: Path) -> None:
    for path in sorted([*(repo_root / "catalog").rglob("*.yaml"), *(repo_root / "architectures").glob("*.yaml")]):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("$schema=")[1]).resolve()
        assert target.is_file(), f"{path} points at a schema that does not exist: {target}"
