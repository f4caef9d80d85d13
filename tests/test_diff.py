"""refarch diff: fixture catalog folders and a real temporary git repository, with a change we make ourselves.

The "after" catalog is the shipped one plus a new major (9.0, which pushes 7.x out of support), Kustomize
deprecated from 8.0, network policies only best effort on Kustomize and one provider gone.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from refarch.checking import check
from refarch.cli.fleet import read_requirements
from refarch.fleet.revisions import load_support
from refarch.lifecycle import level_at

AS_OF = dt.date(2026, 12, 1)
OPTION_LEVEL = "best-effort"
VALID = Path(__file__).parent / "data" / "requirements" / "valid"


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def make_after(root: Path) -> None:
    _edit(root / "catalog" / "releases.yaml", lambda d: d["releases"].append({"version": "9.0", "released": dt.date(2026, 11, 20), "latest_patch": "9.0.0"}))
    _edit(root / "catalog" / "methods" / "kustomize.yaml", lambda d: d["lifecycle"].update({"deprecated": "8.0", "deprecation_planned": False}))
    _edit(root / "catalog" / "options" / "network-policy.yaml", lambda d: d["methods"].update({"kustomize": OPTION_LEVEL}))
    (root / "catalog" / "providers" / "digitalocean.yaml").unlink()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("diff")
    before, after = base / "before", base / "after"
    for root in (before, after):
        for folder in ("catalog", "architectures"):
            shutil.copytree(repo_root / folder, root / folder)
    make_after(after)
    return before, after


_RESULTS: dict[tuple[str, ...], tuple[int, dict[str, Any]]] = {}


def diff(run: Callable[..., Result], *args: str) -> tuple[int, dict[str, Any]]:
    """`refarch diff ARGS --format json`, run once per set of arguments (loading two catalogs is the slow part)."""
    if args not in _RESULTS:
        result = run("diff", *args, "--as-of", AS_OF.isoformat(), "--format", "json")
        assert result.exit_code in (0, 1), result.stderr
        _RESULTS[args] = result.exit_code, json.loads(result.stdout)
    return _RESULTS[args]


def test_the_same_catalog_has_nothing_changed(run: Callable[..., Result], folders: tuple[Path, Path]) -> None:
    code, data = diff(run, "--from", str(folders[0]), "--to", str(folders[0]))
    assert code == 0 and data["changed"] is False
    assert not any(data["releases"].values()) and data["support"] == []
    assert run("diff", "--from", str(folders[0]), "--to", str(folders[0])).stdout.endswith("Nothing changed.\n")


def test_releases_added_and_support_windows_moved(run: Callable[..., Result], folders: tuple[Path, Path]) -> None:
    code, data = diff(run, "--from", str(folders[0]), "--to", str(folders[1]))
    assert code == 1 and data["changed"] is True
    assert [r["version"] for r in data["releases"]["added"]] == ["9.0"] and data["releases"]["removed"] == []
    moved = {w["version"]: (w["from"], w["to"]) for w in data["releases"]["support_windows"]}
    before = load_support(folders[0])
    sevens = [r.version for r in before.releases.releases if r.version.startswith("7.")]
    assert moved == dict.fromkeys(sevens, (None, "2026-11-20")), "9.0 pushes every 7.x minor out of the two-major window"


def test_levels_that_changed_and_at_which_versions(run: Callable[..., Result], folders: tuple[Path, Path]) -> None:
    _, data = diff(run, "--from", str(folders[0]), "--to", str(folders[1]))
    found = {(s["kind"], s["id"], s["what"]): s["changes"] for s in data["support"]}
    versions = [r.version for r in load_support(folders[1]).releases.releases]
    eight = versions.index("8.0")
    before = load_support(folders[0])
    kustomize = before.methods["kustomize"]
    was = level_at(kustomize.lifecycle, kustomize.level, "8.0")
    assert was != "deprecated" and versions[eight:] == ["8.0", "9.0"]
    assert found.pop(("method", "kustomize", "level")) == [{"versions": "8.0 to 9.0", "from": was, "to": "deprecated"}]
    offered = before.options["network-policy"].methods["kustomize"]
    assert offered != OPTION_LEVEL
    assert found.pop(("option", "network-policy", "methods.kustomize")) == [{"versions": "all", "from": offered, "to": OPTION_LEVEL}]
    assert found.pop(("provider", "digitalocean", "level")) == [{"versions": "all", "from": "best-effort", "to": "absent"}]
    assert found == {}, "nothing else changed"


def test_requirements_whose_verdict_changes_with_the_finding(run: Callable[..., Result], folders: tuple[Path, Path]) -> None:
    _, data = diff(run, "--from", str(folders[0]), "--to", str(folders[1]), "--requirements", str(VALID))
    old, new = load_support(folders[0]), load_support(folders[1])
    expected = {}
    for label, requirements, lines in read_requirements(VALID):
        a, b = check(old, requirements, AS_OF, file=label, lines=lines), check(new, requirements, AS_OF, file=label, lines=lines)
        if a["verdict"] != b["verdict"]:
            expected[label] = (a["verdict"], b["verdict"])
    assert {r["file"]: (r["from"], r["to"]) for r in data["requirements"]} == expected
    acme = next(r for r in data["requirements"] if r["file"].endswith("acme.yaml"))
    assert (acme["from"], acme["to"]) == ("supported", "exception-required")
    window = next(f for f in acme["findings"] if f["rule_id"] == "release.support-window")
    assert (window["from"], window["to"], window["path"], window["line"]) == ("pass", "fail", "version", 4)


def test_fleet_instances_whose_support_changes(run: Callable[..., Result], folders: tuple[Path, Path], tmp_path: Path) -> None:
    inventory = tmp_path / "fleet.csv"
    inventory.write_text(
        "instance,customer,observed_at,version,method\n"
        "on-7,Acme,2026-11-28T10:00:00Z,v7.5.4453,helm\n"
        "on-8,Acme,2026-11-28,8.0,helm\n"
        "gone-quiet,Initech,2026-10-01,7.5,helm\n",
        encoding="utf-8",
    )
    _, data = diff(run, "--from", str(folders[0]), "--to", str(folders[1]), "--fleet", str(inventory))
    assert data["fleet"] == [{"instance": "on-7", "customer": "Acme", "version": "7.5.4453", "method": "helm", "from": "supported", "to": "end-of-life"}]


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def test_git_revisions_give_the_same_diff_as_the_folders(run: Callable[..., Result], folders: tuple[Path, Path], tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for folder in ("catalog", "architectures"):
        shutil.copytree(folders[0] / folder, repo / folder)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "before")
    shutil.rmtree(repo / "catalog")
    shutil.copytree(folders[1] / "catalog", repo / "catalog")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "after")
    (repo / "catalog" / "releases.yaml").write_text("not: [the committed file\n", encoding="utf-8")  # the work tree is never read
    _, by_git = diff(run, "--catalog", str(repo), "--from", "HEAD~1", "--to", "HEAD")
    _, by_folder = diff(run, "--from", str(folders[0]), "--to", str(folders[1]))
    for key in ("releases", "support", "changed"):
        assert by_git[key] == by_folder[key]
    assert (by_git["from"]["revision"], by_git["to"]["revision"]) == ("HEAD~1", "HEAD")
    assert _git(repo, "status", "--porcelain") == "M catalog/releases.yaml", "diff checked nothing out"


def test_an_unknown_revision_is_an_input_error(run: Callable[..., Result], folders: tuple[Path, Path]) -> None:
    result = run("diff", "--from", "no-such-rev", "--to", str(folders[1]))
    assert result.exit_code == 2 and result.stdout == ""
    assert "--from: 'no-such-rev' is neither a folder holding catalog/ nor a git revision of" in result.stderr


def test_a_broken_catalog_at_a_revision_is_located(run: Callable[..., Result], folders: tuple[Path, Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(folders[0] / "catalog", broken / "catalog")
    _edit(broken / "catalog" / "methods" / "helm.yaml", lambda d: d.update({"levle": "supported"}))
    result = run("diff", "--from", str(broken), "--to", str(folders[1]))
    assert result.exit_code == 2
    assert result.stderr.startswith("catalog/methods/helm.yaml:") and "levle" in result.stderr


def test_markdown_output(run: Callable[..., Result], folders: tuple[Path, Path]) -> None:
    result = run("diff", "--from", str(folders[0]), "--to", str(folders[1]), "--format", "markdown", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 1
    assert "## Releases added" in result.stdout and "| 9.0 | 2026-11-20 | 9.0.0 |" in result.stdout
