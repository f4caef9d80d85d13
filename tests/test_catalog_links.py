"""refarch catalog links: URL shapes, and cited paths judged by git in a real repository built here."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from refarch.catalog.links import Cited, GitRepository, Link, check_links, find_links, parse

Run = Callable[..., Result]


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo)}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A repository whose tag v1.0.0 has docs/a.md and whose next commit moves it to docs/moved/a.md."""
    repo = tmp_path_factory.mktemp("upstream")
    _git(repo, "init", "-q", "-b", "main")
    (repo / "docs").mkdir()
    (repo / "docs/a.md").write_text("first\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "first")
    _git(repo, "tag", "v1.0.0")
    first = _git(repo, "rev-parse", "HEAD")
    (repo / "docs/moved").mkdir()
    _git(repo, "mv", "docs/a.md", "docs/moved/a.md")
    _git(repo, "commit", "-q", "-m", "move")
    second = _git(repo, "rev-parse", "HEAD")
    return repo, first, second


@pytest.fixture(scope="module")
def bare(clone: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("bare") / "repo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(clone[0]), str(target)], check=True, capture_output=True)
    return target


U = "https://github.com/acme/widgets"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{U}/blob/v1.0.0/docs/a.md", Cited("acme/widgets", "v1.0.0", "docs/a.md")),
        (f"{U}/tree/abc1234/docs", Cited("acme/widgets", "abc1234", "docs")),
        (f"{U}/tree/main", Cited("acme/widgets", "main", "")),
        (f"{U}/blob/main/docs/a%20b.md", Cited("acme/widgets", "main", "docs/a b.md")),
        (f"{U}/commits/main/docs/a.md", Cited("acme/widgets", "main", "docs/a.md")),
        (f"{U}/commit/abc1234", Cited("acme/widgets", "abc1234", "")),
        (f"{U}/pull/12", Cited("acme/widgets")),
        (f"{U}/issues/7", Cited("acme/widgets")),
        (f"{U}/tags", Cited("acme/widgets")),
        (U, Cited("acme/widgets")),
        ("https://learn.microsoft.com/azure/virtual-machines/dv5-dsv5-series", Cited()),
    ],
)
def test_well_formed_urls_say_what_they_cite(url: str, expected: Cited) -> None:
    assert parse(url) == expected


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://github.com/acme/widgets/blob/main/a.md", "scheme must be https (got http://)"),
        (f"{U}/blob", "not a GitHub URL shape"),
        (f"{U}/pull/abc", "not a GitHub URL shape"),
        (f"{U}/wiki/Home", "not a GitHub URL shape"),
        ("https://www.github.com/acme/widgets/blob/main/a.md", "GitHub links use the host github.com"),
        ("https://localhost/a", "expected https://host/path with a plain host name"),
        ("https://user:pw@example.com/a", "expected https://host/path with a plain host name"),
    ],
)
def test_malformed_urls_say_why(url: str, problem: str) -> None:
    answer = parse(url)
    assert isinstance(answer, str) and answer.startswith(problem)


def test_links_are_found_with_their_lines_and_without_sentence_punctuation() -> None:
    text = 'a: "https://example.com/x"\nnotes:\n  - See https://example.com/y. And (https://example.com/z), too\n'
    assert find_links([("f.yaml", text)]) == [
        Link("f.yaml", 1, "https://example.com/x"),
        Link("f.yaml", 3, "https://example.com/y"),
        Link("f.yaml", 3, "https://example.com/z"),
    ]


@pytest.mark.parametrize("which", ["work tree", "bare"])
def test_git_judges_revisions_and_paths_on_both_sides(clone: tuple[Path, str, str], bare: Path, which: str) -> None:
    repo, first, second = clone
    git = GitRepository(repo if which == "work tree" else bare)
    urls = {
        f"{U}/blob/v1.0.0/docs/a.md": "",  # at the tag, the file is there
        f"{U}/blob/{second[:7]}/docs/a.md": f"'docs/a.md' does not exist at {second[:7]}",  # after the move, it is not
        f"{U}/blob/{second[:7]}/docs/moved/a.md": "",
        f"{U}/tree/{first}/docs": "",  # a folder, at a full sha
        f"{U}/blob/v1.0.0/docs/moved/a.md": "'docs/moved/a.md' does not exist at v1.0.0",
        f"{U}/blob/main/docs/moved/a.md": "",  # a branch
        f"{U}/tree/v9.9.9": "revision 'v9.9.9' is not in the clone",
        f"{U}/blob/{'0' * 40}/docs/a.md": f"revision '{'0' * 40}' is not in the clone",
    }
    report = check_links([Link("f.yaml", n, url) for n, url in enumerate(urls, start=1)], {"acme/widgets": git})
    for finding in report.findings:
        expected = urls[finding.link.url]
        assert finding.verdict == ("broken" if expected else "ok"), finding
        assert finding.why.startswith(expected)


def test_links_without_a_clone_are_not_checkable_and_never_broken(clone: tuple[Path, str, str]) -> None:
    git = GitRepository(clone[0])
    links = [Link("f.yaml", 1, f"{U}/pull/3"), Link("f.yaml", 2, "https://example.com/a"), Link("f.yaml", 3, "https://github.com/other/repo/blob/main/x")]
    report = check_links(links, {"acme/widgets": git})
    assert [f.verdict for f in report.findings] == ["not-checkable"] * 3
    assert report.summary() == "3 links: 0 checked (0 ok, 0 broken), 3 not checkable here"


def _fixture_catalog(root: Path, lines: list[str]) -> Path:
    (root / "catalog/options").mkdir(parents=True)
    (root / "architectures").mkdir()
    body = "id: x\nsources:\n" + "".join(f"  - {line}\n" for line in lines)
    (root / "catalog/options/x.yaml").write_text(body, encoding="utf-8")
    (root / "architectures/a.yaml").write_text(f"sources:\n  - {U}/blob/v1.0.0/docs/a.md\n", encoding="utf-8")
    return root


def test_cli_prints_each_broken_link_with_file_and_line_and_exits_1(run: Run, clone: tuple[Path, str, str], tmp_path: Path) -> None:
    root = _fixture_catalog(
        tmp_path,
        [f"{U}/blob/v1.0.0/docs/a.md", f"{U}/blob/v1.0.0/docs/gone.md", "http://example.com/x", f"{U}/pull/5", "https://example.com/page"],
    )
    result = run("catalog", "links", "--catalog", str(root), "--repo", f"acme/widgets={clone[0]}")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"catalog/options/x.yaml:4: {U}/blob/v1.0.0/docs/gone.md: 'docs/gone.md' does not exist at v1.0.0 (cite the path where the content is now, or a revision that has it)",
        "catalog/options/x.yaml:5: http://example.com/x: scheme must be https (got http://)",
        "6 links: 4 checked (2 ok, 2 broken), 2 not checkable here",
    ]
    data = json.loads(run("catalog", "links", "--catalog", str(root), "--repo", f"widgets={clone[0]}", "--format", "json").stdout)
    assert (data["schema_version"], data["total"], data["checked"], data["ok"], data["not_checkable"]) == (1, 6, 4, 2, 2)
    assert [(b["file"], b["line"]) for b in data["broken"]] == [("catalog/options/x.yaml", 4), ("catalog/options/x.yaml", 5)]


def test_cli_exits_0_when_every_link_holds(run: Run, bare: Path, tmp_path: Path) -> None:
    root = _fixture_catalog(tmp_path, [f"{U}/tree/v1.0.0/docs", f"{U}/blob/main/docs/moved/a.md", f"{U}/pull/5"])
    result = run("catalog", "links", "--catalog", str(root), "--repo", f"ACME/Widgets={bare}")
    assert result.exit_code == 0, result.output
    assert result.stdout == "4 links: 3 checked (3 ok, 0 broken), 1 not checkable here\n"
    # without the clone, nothing is checked against git, and nothing is broken
    assert run("catalog", "links", "--catalog", str(root)).stdout == "4 links: 0 checked (0 ok, 0 broken), 4 not checkable here\n"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "acme/widgets={dir}",
            "<arguments>: --repo: '{dir}' is not a git repository (give a bare or normal git directory, e.g. --repo acme/widgets=/path/to/clone)",
        ),
        ("acme/widgets", "<arguments>: --repo: expected NAME=DIR, where NAME is owner/name or name (got 'acme/widgets'), e.g. --repo owner/docs=/path/to/docs"),
        ("a/b/c={dir}", "<arguments>: --repo: expected NAME=DIR, where NAME is owner/name or name (got 'a/b/c={dir}'), e.g. --repo owner/docs=/path/to/docs"),
    ],
)
def test_cli_bad_repo_is_a_usage_error(run: Run, tmp_path: Path, spec: str, message: str) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    root = _fixture_catalog(tmp_path / "root", [f"{U}/pull/1"])
    result = run("catalog", "links", "--catalog", str(root), "--repo", spec.format(dir=plain))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [message.format(dir=plain), "1 problem found"]


def test_the_shipped_catalog_has_no_malformed_link(run: Run) -> None:
    result = run("catalog", "links")
    assert result.exit_code == 0, result.output
    assert " 0 broken" in result.stdout
