"""The answer cache (refarch.cache): a repeated question gets the same bytes, and any change is seen at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from derived import HELM_NOT_OFFERED

VALID = Path(__file__).parent / "data" / "requirements" / "valid"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REFARCH_CACHE_DIR", str(folder))
    return folder


def _answers(cache: Path, name: str) -> list[Path]:
    return sorted(cache.glob(f"answer-{name}-*.json"))


COMMANDS = [
    ("matrix", ["matrix", "--version", "7.5", "--as-of", "2026-11-27"]),
    ("matrix", ["matrix", "--method", "helm", "--as-of", "2026-11-27"]),
    ("upgrade-plan", ["upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm"]),
    ("upgrade-plan", ["upgrade-plan", "--from", "5.9", "--to", "6.5", "--method", "helm", "--strategy", "least-downtime", "--postgres", "external-16"]),
    ("check", ["check", str(VALID / "acme.yaml"), str(VALID / "initech.yaml"), "--as-of", "2026-11-27"]),
]
FORMATS = {
    "matrix": ["table", "json", "markdown"],
    "upgrade-plan": ["table", "json", "markdown"],
    "check": ["table", "json", "markdown", "junit", "github", "sarif"],
}


@pytest.mark.parametrize(("name", "args"), COMMANDS, ids=lambda v: v if isinstance(v, str) else " ".join(v[1:4]))
def test_an_answer_from_the_cache_is_byte_identical(
    run: Callable[..., Result], cache: Path, monkeypatch: pytest.MonkeyPatch, name: str, args: list[str]
) -> None:
    for fmt in FORMATS[name]:
        monkeypatch.setenv("REFARCH_NO_CACHE", "1")
        fresh = run(*args, "--format", fmt)
        monkeypatch.delenv("REFARCH_NO_CACHE")
        first, second = run(*args, "--format", fmt), run(*args, "--format", fmt)
        assert (
            (first.stdout, first.stderr, first.exit_code) == (fresh.stdout, fresh.stderr, fresh.exit_code) == (second.stdout, second.stderr, second.exit_code)
        ), fmt
    assert len(_answers(cache, name)) == 1  # one answer, whatever the format


def test_a_changed_catalog_file_is_read_again(run: Callable[..., Result], cache: Path, catalog_copy: Path) -> None:
    args = ["upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--catalog", str(catalog_copy), "--format", "json"]
    before = run(*args).stdout
    method = catalog_copy / "catalog" / "methods" / "helm.yaml"
    method.write_text(method.read_text(encoding="utf-8").replace("name: Kubernetes with Helm", "name: Helm on Kubernetes", 1), encoding="utf-8")
    after = run(*args).stdout
    assert "Kubernetes with Helm" in before and "Helm on Kubernetes" in after
    assert len(_answers(cache, "upgrade-plan")) == 2


def test_a_changed_requirements_file_is_checked_again(run: Callable[..., Result], cache: Path, tmp_path: Path) -> None:
    document = tmp_path / "acme.yaml"
    document.write_text((VALID / "acme.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert run("check", str(document), "--as-of", "2026-11-27").exit_code == 0
    document.write_text(document.read_text(encoding="utf-8").replace("options: [", f"options: [{HELM_NOT_OFFERED}, "), encoding="utf-8")
    assert run("check", str(document), "--as-of", "2026-11-27").exit_code == 1  # Helm does not offer it
    typo = HELM_NOT_OFFERED[:-2] + HELM_NOT_OFFERED[-1] + HELM_NOT_OFFERED[-2]
    document.write_text(document.read_text(encoding="utf-8").replace("options: [", f"options: [{typo}, "), encoding="utf-8")
    result = run("check", str(document), "--as-of", "2026-11-27")
    assert result.exit_code == 2 and f"did you mean '{HELM_NOT_OFFERED}'?" in result.stderr
    assert len(_answers(cache, "check")) == 2  # problems are never kept


def test_stdin_is_never_cached(run: Callable[..., Result], cache: Path) -> None:
    text = (VALID / "acme.yaml").read_text(encoding="utf-8")
    assert run("check", "-", "--as-of", "2026-11-27", input=text).exit_code == 0
    assert _answers(cache, "check") == []


def test_validate_reads_every_file_again_whenever_one_changes(run: Callable[..., Result], cache: Path, catalog_copy: Path) -> None:
    valid = run("validate", "--catalog", str(catalog_copy))
    assert valid.exit_code == 0 and len(_answers(cache, "validate")) == 1
    assert run("validate", "--catalog", str(catalog_copy)).stdout == valid.stdout  # answered from the cache
    methods = [catalog_copy / "catalog" / "methods" / f"{name}.yaml" for name in ("helm", "kustomize")]
    good = [method.read_text(encoding="utf-8") for method in methods]
    for method, text in zip(methods, good, strict=True):
        method.write_text(text.replace("\nname: ", "\nnam: ", 1), encoding="utf-8")
    for _ in range(2):  # a catalog with problems is read in full every time: every problem, every time
        broken = run("validate", "--catalog", str(catalog_copy))
        assert broken.exit_code == 2
        for name in ("helm", "kustomize"):
            assert f"catalog/methods/{name}.yaml:3: nam: unknown key 'nam'; did you mean 'name'?" in broken.stderr
        assert broken.stderr.endswith("2 problems found\n")
    for method, text in zip(methods, good, strict=True):
        method.write_text(text, encoding="utf-8")
    assert run("validate", "--catalog", str(catalog_copy)).stdout == valid.stdout
