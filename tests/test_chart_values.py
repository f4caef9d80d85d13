"""Chart and Compose data: read with git from release tags, stored as differences, validated by their models."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from refarch.catalog import chart_values as cv
from refarch.cli import main
from refarch.deploy import data as deploy_data
from refarch.loading import Catalog
from refarch.models import version_key

ROOT = Path(__file__).resolve().parents[1]
HELM = cv.kind_for(deploy_data.read_keys(ROOT), "helm")


def test_flatten_keeps_every_leaf_with_type_and_default() -> None:
    document = {"a": {"b": 1, "c": {"d": "x"}, "e": {}, "f": [1, 2], "g": None}, "k8s.io/x": True}
    assert cv.flatten(document) == {
        "a.b": ["integer", 1],
        "a.c.d": ["string", "x"],
        "a.e": ["map", {}],
        "a.f": ["list", [1, 2]],
        "a.g": ["null", None],
        "k8s\\.io/x": ["boolean", True],
    }
    assert cv.split_key("k8s\\.io/x") == ["k8s.io/x"]
    long = cv.flatten({"env": ["x" * 200]})["env"]
    assert long[0] == "list" and long[1].startswith("sha256:") and len(long[1]) == len("sha256:") + 12


def test_differences_replay_to_each_version() -> None:
    one, two, three = {"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}, {"c": 4}
    versions = [{"version": "1.0", **cv.diff({}, one)}, {"version": "1.1", **cv.diff(one, two)}, {"version": "1.2", **cv.diff(two, three)}]
    assert versions[1] == {"version": "1.1", "added": {"c": 4}, "changed": {"b": 3}}
    assert versions[2] == {"version": "1.2", "removed": ["a", "b"]}
    assert [cv.replay(versions, v) for v in ("1.0", "1.1", "1.2")] == [one, two, three]


def test_the_highest_patch_tag_of_each_minor_is_read() -> None:
    tags = ["v7.5.0", "v7.5.4453", "v7.5.900", "chart-5.0.6", "chart-5.0.10", "wip-5.3.666", "qa-v5.3.666"]
    assert cv.pick_tags(tags, ["5.0", "5.3", "7.5", "7.7"], ("v", "chart-")) == {"5.0": "chart-5.0.10", "5.3": None, "7.5": "v7.5.4453", "7.7": None}


def _git(directory: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(directory), *args], check=True, capture_output=True)


@pytest.fixture
def chart_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "chart"
    (repo / "charts" / "sourcegraph").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    values = repo / "charts" / "sourcegraph" / "values.yaml"
    for tag, text in (
        ("v6.3.0", "symbols:\n  replicaCount: 1\nsearcher:\n  replicaCount: 1\n"),
        ("v6.4.0", "searcher:\n  replicaCount: 2\n"),
    ):
        values.write_text(text)
        _git(repo, "add", "-A")
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", tag], check=True, capture_output=True, env={"GIT_COMMITTER_DATE": "2025-06-01T00:00:00Z", "PATH": "/usr/bin:/bin", "HOME": str(repo)})
        _git(repo, "tag", tag)
    return repo


def test_the_maintainer_reads_each_release_tag_and_records_the_missing_ones(chart_repo: Path) -> None:
    read = cv.read_releases(chart_repo, HELM, ["6.3", "6.4", "6.5", "4.0"])
    assert sorted(read) == ["6.3", "6.4", "6.5"]  # 4.0 is older than the data goes
    data = cv.build(HELM, read, dt.date(2026, 12, 1), cv.describe(chart_repo, HELM))
    assert [v["version"] for v in data["versions"]] == ["6.3", "6.4"]
    assert data["versions"][0]["added"] == {"searcher.replicaCount": ["integer", 1], "symbols.replicaCount": ["integer", 1]}
    assert data["versions"][1]["removed"] == ["symbols.replicaCount"] and data["versions"][1]["changed"] == {"searcher.replicaCount": ["integer", 2]}
    assert data["versions"][1]["source"] == "https://github.com/sourcegraph/deploy-sourcegraph-helm/blob/v6.4.0/charts/sourcegraph/values.yaml"
    assert data["versions"][1]["released"] == "2025-06-01"
    assert data["missing"] == [{"version": "6.5", "reason": data["missing"][0]["reason"]}]
    assert data["missing"][0]["reason"].startswith("the clone of sourcegraph/deploy-sourcegraph-helm that was read (newest commit ")
    assert data["missing"][0]["reason"].endswith("has no tag for 6.5")


def test_not_a_repository_is_a_git_error(tmp_path: Path) -> None:
    with pytest.raises(cv.GitError):
        cv.read_releases(tmp_path, HELM, ["7.0"])


def test_the_committed_data_covers_every_release_from_5_0_and_says_what_is_missing(catalog: Catalog) -> None:
    data = deploy_data.read(ROOT)
    for method in ("helm", "docker-compose"):
        covered = deploy_data.covered(data, method)
        missing = {m["version"]: m["reason"] for m in data[method].get("missing", [])}
        newest = max(version_key(v) for v in [*covered, *missing])
        releases = [r.version for r in catalog.releases.releases if (5, 0) <= version_key(r.version) <= newest]
        assert covered[0] == "5.0"
        assert sorted(set(covered) | set(missing), key=lambda v: tuple(int(p) for p in v.split("."))) == releases
        assert {"7.7", "8.0"} <= set(missing), "the snapshots have no 7.7 or 8.0 tags"
        for version in covered:
            entry = deploy_data.entry(data, method, version)
            assert entry is not None and entry["source"].endswith(data[method]["file"]) and f"/blob/{entry['tag']}/" in entry["source"]
    assert "symbols.replicaCount" in (deploy_data.table(data, "helm", "6.3") or {})
    assert "symbols.replicaCount" not in (deploy_data.table(data, "helm", "6.4") or {})
    assert "symbols-0" in (deploy_data.table(data, "docker-compose", "6.3") or {})
    assert "symbols-0" not in (deploy_data.table(data, "docker-compose", "6.4") or {})


def test_the_data_stays_small_and_fast(tmp_path: Path) -> None:
    sizes = {path.name: path.stat().st_size for path in (ROOT / "catalog" / "deploy").glob("*.yaml")}
    assert sum(sizes.values()) < 400_000, sizes


def _copy(tmp_path: Path) -> Path:
    for folder in ("catalog", "architectures"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_a_broken_data_file_fails_validate_with_its_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "catalog" / "deploy" / "helm.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- version: '5.1'", "- version: '5.10'", 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(root)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "catalog/deploy/helm.yaml:4: versions: versions must be listed oldest first, each once (got 5.0, 5.10, 5.2, 5.3, 5.4, 5.5, 5.6, 5.7, 5.8, "
        "5.9, 5.10, 5.11, 6.0, 6.1, 6.2, 6.3, 6.4, 6.5, 6.6, 6.7, 6.8, 6.9, 6.10, 6.11, 6.12, 7.0, 7.1, 7.2, 7.3, 7.4, 7.5, 7.6); "
        "rewrite the file with refarch catalog chart-values",
        "1 problem found",
    ]


def test_keys_naming_an_unknown_service_fail_validate(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "catalog" / "deploy" / "keys.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  worker: {key: worker}\n", "  workers: {key: worker}\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--catalog", str(root)])
    assert result.exit_code == 2
    line = path.read_text(encoding="utf-8").splitlines().index("  workers: {key: worker}") + 1
    assert result.output.splitlines()[0] == f"catalog/deploy/keys.yaml:{line}: helm.workers: names service 'workers', which no catalog/services/ file defines; did you mean 'worker'?"


def test_the_command_writes_the_file_from_a_clone(chart_repo: Path, tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    root = _copy(tmp_path / "root")
    result = CliRunner().invoke(main, ["catalog", "chart-values", "--git", str(chart_repo), "--verified", "2026-12-01", "--catalog", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {root / 'catalog' / 'deploy' / 'helm.yaml'}: 2 releases (6.3 to 6.4); no tag for: ")
    written = yaml.safe_load((root / "catalog" / "deploy" / "helm.yaml").read_text(encoding="utf-8"))
    assert [v["version"] for v in written["versions"]] == ["6.3", "6.4"] and written["verified"] == "2026-12-01"
    bad = CliRunner().invoke(main, ["catalog", "chart-values", "--git", str(tmp_path / "nothing"), "--catalog", str(root)])
    assert bad.exit_code == 2 and "--git: " in bad.output and "Traceback" not in bad.output
