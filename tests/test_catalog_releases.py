"""`refarch catalog releases --git`: real git repositories with dated tags, built in a temporary folder."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from refarch.catalog.releases_sync import Tag, observe, read_tags

Run = Callable[..., Result]

RELEASES = """\
# yaml-language-server: $schema=schema/releases.schema.json
# A comment the sync must keep.
notes:
  - A fixture, not the product's releases.
sources:
  - https://github.com/acme/deploy/tags
verified: 2026-01-01
releases:
  - version: "1.0"  # the first release
    released: 2026-01-10
    latest_patch: "1.0.2"
    latest_patch_date: 2026-01-20
  - version: "1.1"
    released: 2026-02-10
    latest_patch: "1.1.0"
    notes:
      - No patch release is listed for 1.1.
"""

# version -> (commit date, tag date or None for a lightweight tag). v1.0.2 is annotated a day after
# its commit, so its date must come from the tag, not the commit.
IN_SYNC = {
    "0.9.0": ("2025-12-01", None),
    "1.0.0": ("2026-01-10", None),
    "1.0.1": ("2026-01-15", None),
    "1.0.2": ("2026-01-19", "2026-01-20"),
    "1.1.0": ("2026-02-10", "2026-02-10"),
}


def git(directory: Path, *args: str, date: str = "2026-01-01") -> None:
    stamp = f"{date}T12:00:00+00:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(directory)}
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(directory), *args], check=True, capture_output=True, env=env)


def clone_with(tmp_path: Path, name: str, tags: dict[str, tuple[str, str | None]]) -> Path:
    """A git repository with one commit per tag, on the commit date given, tagged (annotated when a tag date is given)."""
    repo = tmp_path / name
    repo.mkdir()
    git(repo, "init", "-q")
    for version, (committed, tagged) in sorted(tags.items(), key=lambda item: item[1][0]):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"release {version}", date=committed)
        if tagged:
            git(repo, "tag", "-a", f"v{version}", "-m", f"v{version}", date=tagged)
        else:
            git(repo, "tag", f"v{version}", date=committed)
    git(repo, "tag", "latest")
    git(repo, "tag", "v1.1.0-rc1")
    return repo


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "cat" / "catalog").mkdir(parents=True)
    (tmp_path / "cat" / "catalog" / "releases.yaml").write_text(RELEASES, encoding="utf-8")
    return tmp_path / "cat"


def releases(run: Run, root: Path, *clones: Path | str, extra: tuple[str, ...] = ()) -> Result:
    specs = [f"acme/{Path(c).name}={c}" if isinstance(c, Path) else c for c in clones]
    return run("catalog", "releases", "--catalog", str(root), "--git", *specs, *extra)


def test_tags_are_release_tags_with_their_creation_dates(tmp_path: Path) -> None:
    repo = clone_with(tmp_path, "deploy", IN_SYNC)
    tags = {t.version: t.date.isoformat() for t in read_tags(repo, "acme/deploy")}
    assert tags == {"0.9.0": "2025-12-01", "1.0.0": "2026-01-10", "1.0.1": "2026-01-15", "1.0.2": "2026-01-20", "1.1.0": "2026-02-10"}


def test_a_bare_clone_reads_the_same(tmp_path: Path) -> None:
    repo = clone_with(tmp_path, "deploy", IN_SYNC)
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(tmp_path / "bare.git")], check=True, capture_output=True)
    assert read_tags(tmp_path / "bare.git", "acme/deploy") == read_tags(repo, "acme/deploy")


def test_the_earliest_clone_dates_a_release_and_the_highest_patch_wins() -> None:
    day = dt.date
    observed = observe(
        [
            Tag("1.0.0", day(2026, 1, 12), "acme/docker"),
            Tag("1.0.0", day(2026, 1, 10), "acme/helm"),
            Tag("1.0.7", day(2026, 1, 25), "acme/docker"),
            Tag("1.0.7", day(2026, 1, 22), "acme/helm"),
            Tag("1.0.10", day(2026, 2, 1), "acme/helm"),
        ]
    )["1.0"]
    assert (observed.released, observed.latest_patch, observed.latest_patch_date) == (day(2026, 1, 10), "1.0.10", day(2026, 2, 1))
    assert [t.repo for t in observed.released_from] == ["acme/helm"]


def test_in_sync_exits_0(run: Run, root: Path, tmp_path: Path) -> None:
    result = releases(run, root, clone_with(tmp_path, "deploy", IN_SYNC))
    assert result.exit_code == 0, result.output
    assert "in sync with the tags" in result.stdout and "1 older minors left out" in result.stdout


def test_a_new_minor_exits_1_and_write_adds_it_in_order(run: Run, root: Path, tmp_path: Path) -> None:
    clone = clone_with(tmp_path, "deploy", {**IN_SYNC, "1.2.0": ("2026-03-10", None), "1.2.3": ("2026-03-20", None)})
    result = releases(run, root, clone)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "catalog/releases.yaml:8: releases: release 1.2 is missing; the tags have it (released 2026-03-10) "
        "(acme/deploy v1.2.0 (2026-03-10), acme/deploy v1.2.3 (2026-03-20)); run with --write to update the file"
    )
    assert releases(run, root, clone, extra=("--write", "--verified", "2026-12-01")).exit_code == 0
    data = yaml.safe_load((root / "catalog" / "releases.yaml").read_text(encoding="utf-8"))
    assert data["releases"][-1] == {"version": "1.2", "released": dt.date(2026, 3, 10), "latest_patch": "1.2.3", "latest_patch_date": dt.date(2026, 3, 20)}
    assert "https://github.com/acme/deploy/releases/tag/v1.2.3" in data["sources"]
    assert releases(run, root, clone).exit_code == 0


def test_a_newer_patch_exits_1_and_write_sets_it_with_its_date(run: Run, root: Path, tmp_path: Path) -> None:
    clone = clone_with(tmp_path, "deploy", {**IN_SYNC, "1.1.5": ("2026-02-20", None)})
    result = releases(run, root, clone)
    assert result.exit_code == 1
    assert "catalog/releases.yaml:15: releases[1].latest_patch: latest patch of 1.1 is 1.1.0, but the tags have 1.1.5 (2026-02-20)" in result.stdout
    releases(run, root, clone, extra=("--write",))
    text = (root / "catalog" / "releases.yaml").read_text(encoding="utf-8")
    assert '    latest_patch: "1.1.5"\n    latest_patch_date: 2026-02-20\n    notes:\n' in text
    assert releases(run, root, clone).exit_code == 0


def test_a_wrong_date_exits_1_unless_an_earlier_clone_has_the_tag(run: Run, root: Path, tmp_path: Path) -> None:
    late = clone_with(tmp_path, "docker", {**IN_SYNC, "1.0.0": ("2026-01-11", None)})
    result = releases(run, root, late)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "catalog/releases.yaml:10: releases[0].released: 1.0 has 2026-01-10, but the tags say 2026-01-11 (acme/docker v1.0.0 (2026-01-11))"
    )
    assert releases(run, root, late, clone_with(tmp_path, "helm", IN_SYNC)).exit_code == 0


def test_a_missing_latest_patch_date_is_a_difference(run: Run, root: Path, tmp_path: Path) -> None:
    path = root / "catalog" / "releases.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    latest_patch_date: 2026-01-20\n", ""), encoding="utf-8")
    result = releases(run, root, clone_with(tmp_path, "deploy", IN_SYNC), extra=("--format", "json"))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(d["kind"], d["minor"], d["catalog"], d["tags"]) for d in report["differences"]] == [("latest-patch-date", "1.0", None, "2026-01-20")]
    assert report["schema_version"] == 1 and report["in_sync"] is False


def test_write_keeps_comments_order_and_quoting(run: Run, root: Path, tmp_path: Path) -> None:
    clone = clone_with(tmp_path, "deploy", {**IN_SYNC, "1.0.0": ("2026-01-09", None), "1.1.5": ("2026-02-20", None)})
    assert releases(run, root, clone, extra=("--write", "--verified", "2026-12-01")).exit_code == 0
    text = (root / "catalog" / "releases.yaml").read_text(encoding="utf-8")
    expected = (
        RELEASES.replace("verified: 2026-01-01", "verified: 2026-12-01")
        .replace("    released: 2026-01-10\n", "    released: 2026-01-09\n")
        .replace('    latest_patch: "1.1.0"\n', '    latest_patch: "1.1.5"\n    latest_patch_date: 2026-02-20\n')
        .replace(
            "  - https://github.com/acme/deploy/tags\n",
            "  - https://github.com/acme/deploy/tags\n  - https://github.com/acme/deploy/releases/tag/v1.0.0\n  - https://github.com/acme/deploy/releases/tag/v1.1.5\n",
        )
    )
    assert text == expected
    assert not list((root / "catalog").glob(".*.tmp"))


def test_a_catalog_ahead_of_the_clones_is_noted_not_failed(run: Run, root: Path, tmp_path: Path) -> None:
    older = clone_with(tmp_path, "deploy", {k: v for k, v in IN_SYNC.items() if not k.startswith("1.1")})
    result = releases(run, root, older)
    assert result.exit_code == 0, result.output
    assert "note: 1.1: not tagged in the clones given" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "<arguments>: --git: give at least one clone of a deploy repository, e.g. --git owner/name=/path/to/clone"),
        (("--git", "acme/x=/nonexistent"), "<arguments>: --git: /nonexistent is not a git repository (give a bare or normal git directory, e.g. --git owner/name=/path/to/clone)"),
    ],
)
def test_bad_usage_exits_2_with_one_message(run: Run, root: Path, args: tuple[str, ...], message: str) -> None:
    result = run("catalog", "releases", "--catalog", str(root), *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message, "1 problem found"] and result.stdout == ""


def test_without_an_x_y_0_tag_the_date_is_the_minors_earliest_and_says_so(run: Run, root: Path, tmp_path: Path) -> None:
    clone = clone_with(tmp_path, "deploy", {**IN_SYNC, "1.2.1": ("2026-03-12", None), "1.2.2": ("2026-03-19", None)})
    assert releases(run, root, clone, extra=("--write",)).exit_code == 0
    row = yaml.safe_load((root / "catalog" / "releases.yaml").read_text(encoding="utf-8"))["releases"][-1]
    assert (row["released"], row["latest_patch"]) == (dt.date(2026, 3, 12), "1.2.2")
    assert row["notes"] == ["There is no v1.2.0 tag, so the release date is that of the earliest 1.2 tag."]
    late = clone_with(tmp_path, "later", {"1.2.1": ("2026-03-15", None), "1.2.2": ("2026-03-19", None)})
    assert releases(run, root, late).exit_code == 0  # no v1.2.0 anywhere: the date is not judged


def test_a_clone_given_without_a_name_adds_no_url(run: Run, root: Path, tmp_path: Path) -> None:
    clone = clone_with(tmp_path, "deploy", {**IN_SYNC, "1.2.0": ("2026-03-10", None)})
    result = releases(run, root, str(clone), extra=("--write",))
    assert result.exit_code == 0 and f"{clone} v1.2.0 (2026-03-10)" in result.stdout
    data = yaml.safe_load((root / "catalog" / "releases.yaml").read_text(encoding="utf-8"))
    assert data["sources"] == ["https://github.com/acme/deploy/tags"] and data["releases"][-1]["version"] == "1.2"
