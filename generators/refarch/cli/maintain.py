"""refarch catalog ...: maintainer commands that keep the catalog true (link checks, release sync)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import EXIT_FAILED, catalog_option, default_root, emit, format_option, main, usage_error

if TYPE_CHECKING:
    from ..catalog.links import GitRepository


@main.group("catalog")
def catalog_group() -> None:
    """Maintainer tools that keep the catalog true: check its links and its releases against local clones."""


def _repositories(specs: tuple[str, ...]) -> dict[str, GitRepository]:
    from ..catalog.links import GitRepository, NotARepository

    repos: dict[str, GitRepository] = {}
    for spec in specs:
        name, sep, directory = spec.partition("=")
        name = name.strip().strip("/")
        if not sep or not name or not directory or name.count("/") > 1:
            usage_error("--repo", f"expected NAME=DIR, where NAME is owner/name or name (got {spec!r}), e.g. --repo owner/docs=/path/to/docs")
        try:
            repos[name] = GitRepository(Path(directory))
        except NotARepository:
            usage_error("--repo", f"{directory!r} is not a git repository (give a bare or normal git directory, e.g. --repo {name}=/path/to/clone)")
    return repos


@catalog_group.command("links")
@click.option("--repo", "repo_specs", multiple=True, metavar="NAME=DIR", help="A local clone (bare or normal) of a cited repository; NAME is owner/name or name. Repeatable.")
@format_option(("table", "json"))
@catalog_option
def links_command(repo_specs: tuple[str, ...], fmt: str, catalog_root: Path | None) -> None:
    """Check every source URL in catalog/ and architectures/: well formed, and, for repositories given
    with --repo, that the cited revision and path exist (asked of git itself).

    Prints `file:line: url: what is wrong` for each broken link, then the counts. Links this run cannot
    check (pull requests, other hosts, repositories without a clone) are counted, not failed.
    Exits 0 when no link is broken, 1 when one is, 2 on bad usage.
    """
    from ..catalog.links import check_links, find_links, prefetch
    from ..yamlfile import dumps_json

    repos = _repositories(repo_specs)
    root = catalog_root or default_root()
    texts = []
    for folder in ("catalog", "architectures"):
        for path in sorted((root / folder).rglob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if path.parent.name == "deploy" and path.name in ("helm.yaml", "docker-compose.yaml"):
                # Written by chart-values: the defaults hold URLs that are values, not citations. Keep only the citing lines (same numbers).
                text = "\n".join(line if line.lstrip().startswith(("source:", "- https://", "repository:")) else "" for line in text.splitlines())
            texts.append((path.relative_to(root).as_posix(), text))
    if not texts:
        usage_error("--catalog", f"{root} holds no catalog/ or architectures/ YAML files (give the folder that holds them)")
    links = find_links(texts)
    prefetch(links, repos)
    report = check_links(links, repos)
    if fmt == "json":
        emit(dumps_json(report.as_json()))
    else:
        emit("".join(f"{finding}\n" for finding in report.broken) + report.summary())
    if report.broken:
        sys.exit(EXIT_FAILED)


@catalog_group.command("releases")
@click.option("--git", "first", multiple=True, metavar="DIR", help="A local clone (bare or normal) of a deploy repository, as DIR or owner/name=DIR; more may follow.")
@click.argument("more", nargs=-1, metavar="[DIR]...")
@click.option("--write", is_flag=True, help="Update catalog/releases.yaml in place (comments and order kept), adding the tags as sources.")
@click.option("--verified", "verified", default=None, metavar="YYYY-MM-DD", help="The verified: date --write sets (default: today, UTC).")
@format_option(("table", "json"))
@catalog_option
def releases_command(first: tuple[str, ...], more: tuple[str, ...], write: bool, verified: str | None, fmt: str, catalog_root: Path | None) -> None:
    """Compare catalog/releases.yaml with the vX.Y.Z tags of local clones of the deploy repositories:
    new minors, newer latest patches and dates (a tag's creation date; the earliest across clones wins).

    Prints `file:line: key: what differs` for each difference, then the counts. A catalog ahead of the
    clones is reported, not failed. Exits 0 when in sync (or once --write has fixed every difference),
    1 when something differs, 2 on bad usage.
    """
    from ..catalog.releases_sync import FILE, NotARepository, apply, compare, observe, read_tags
    from ..fsutil import write_atomic
    from ..loading import read_document
    from ..models import Releases
    from ..yamlfile import dumps_json
    from .common import parse_date

    specs = first + more
    if not specs:
        usage_error("--git", "give at least one clone of a deploy repository, e.g. --git owner/name=/path/to/clone")
    tags = []
    counts: dict[str, int] = {}
    for spec in specs:
        name, _, directory = spec.partition("=") if "=" in spec else ("", "", spec)
        try:
            found = read_tags(Path(directory), name.strip().strip("/") or None)
        except NotARepository as error:
            usage_error("--git", f"{error} (give a bare or normal git directory, e.g. --git owner/name=/path/to/clone)")
        counts[found[0].repo if found else (name or directory)] = len(found)
        tags += found
    path = (catalog_root or default_root()) / FILE
    releases, lines = read_document(path, Releases, FILE)
    observed = observe(tags)
    report = compare(releases, lines, observed)
    report.tag_counts = counts
    if fmt == "json":
        emit(dumps_json(report.as_json()))
    else:
        emit("".join(f"{d.message()}\n" for d in report.differences) + "".join(f"note: {a}\n" for a in report.ahead) + report.summary())
    if write and report.differences:
        write_atomic(path, apply(path.read_text(encoding="utf-8"), report, observed, parse_date(verified, "--verified")))
        click.echo(f"{FILE}: wrote {len(report.differences)} changes", err=True)
        return
    if report.differences:
        sys.exit(EXIT_FAILED)


from . import chart_values as _chart_values  # noqa: E402, F401  (registers refarch catalog chart-values)
