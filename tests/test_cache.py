"""refarch's caches (refarch.cache): the catalog snapshot and kept answers give the same bytes as no cache, and any change is seen at once."""

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


ANSWERED: set[str] = set()
"""Commands whose answers are kept: none now; check, matrix and upgrade-plan answer from the catalog snapshot every time."""


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
    assert len(_answers(cache, name)) == (1 if name in ANSWERED else 0)  # one answer, whatever the format
    assert len(list(cache.glob("snapshot-*.pickle"))) <= 1  # one snapshot of one catalog, whatever the format


def test_a_changed_catalog_file_is_read_again(run: Callable[..., Result], cache: Path, catalog_copy: Path) -> None:
    args = ["upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--catalog", str(catalog_copy), "--format", "json"]
    before = run(*args).stdout
    method = catalog_copy / "catalog" / "methods" / "helm.yaml"
    method.write_text(method.read_text(encoding="utf-8").replace("name: Kubernetes with Helm", "name: Helm on Kubernetes", 1), encoding="utf-8")
    after = run(*args).stdout
    assert "Kubernetes with Helm" in before and "Helm on Kubernetes" in after
    assert len(list(cache.glob("snapshot-*.pickle"))) == 2


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


def test_a_catalog_file_rewritten_within_one_clock_tick_is_read_again(run: Callable[..., Result], cache: Path, catalog_copy: Path) -> None:
    """Same size, same modification time (as two writes within one tick of a coarse file-system clock leave it): still seen."""
    import os

    args = ["matrix", "--version", "7.5", "--method", "helm", "--catalog", str(catalog_copy), "--format", "json"]
    method = catalog_copy / "catalog" / "methods" / "helm.yaml"
    method.write_bytes(method.read_bytes())  # written just now (copytree kept the original's older time)
    before = run(*args).stdout
    status = method.stat()
    method.write_text(method.read_text(encoding="utf-8").replace("name: Kubernetes with Helm", "name: Kubernetes with Helx", 1), encoding="utf-8")
    os.utime(method, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert method.stat().st_size == status.st_size and method.stat().st_mtime_ns == status.st_mtime_ns
    after = run(*args).stdout
    assert "Kubernetes with Helm" in before and "Kubernetes with Helx" in after


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
