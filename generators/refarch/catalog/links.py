"""Link checks: is every source URL in the catalog well formed, and does a cited repository path exist?

`find_links` and `check_links` are pure: they read text handed to them and ask a `Repository` (anything
with `has_rev` and `has_path`) about revisions. `GitRepository` is the one implementation that runs git,
so a cited path is judged by git itself (`git cat-file`), never by matching strings.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

SCHEMA_VERSION = 1

# A URL runs to the first blank, quote or bracket; trailing punctuation belongs to the sentence.
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>`\[\]{}]+")
_TRAILING = ".,;:!?)"
_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
# Shapes of github.com paths the catalog may cite; anything else on github.com is a typo.
_GITHUB_SHAPES = {
    "file": re.compile(rf"^/(?P<owner>{_NAME})/(?P<name>{_NAME})/(?:blob|tree)/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"),
    "commits": re.compile(rf"^/(?P<owner>{_NAME})/(?P<name>{_NAME})/commits/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"),
    "commit": re.compile(rf"^/(?P<owner>{_NAME})/(?P<name>{_NAME})/commit/(?P<rev>[0-9a-fA-F]{{7,40}})$"),
    "thread": re.compile(rf"^/(?P<owner>{_NAME})/(?P<name>{_NAME})/(?:pull|issues)/[1-9][0-9]*$"),
    "page": re.compile(rf"^/(?P<owner>{_NAME})/(?P<name>{_NAME})(?:/(?:tags|releases|pulls|issues|releases/tag/[^/]+))?$"),
}
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")

Verdict = Literal["ok", "broken", "not-checkable"]


class Repository(Protocol):
    """A local clone that can say whether a revision, and a path at it, exist."""

    def has_rev(self, rev: str) -> bool: ...

    def has_path(self, rev: str, path: str) -> bool: ...


R = TypeVar("R", bound=Repository)


@dataclass(frozen=True, order=True)
class Link:
    file: str
    line: int
    url: str


@dataclass(frozen=True)
class Cited:
    """What a well-formed URL points at: a repository revision and path, when it names one."""

    repo: str | None = None  # "owner/name" on github.com
    rev: str | None = None
    path: str | None = None  # "" for the repository root at rev


@dataclass(frozen=True)
class Finding:
    link: Link
    verdict: Verdict
    why: str = ""

    def __str__(self) -> str:
        return f"{self.link.file}:{self.link.line}: {self.link.url}: {self.why}"


@dataclass
class LinkReport:
    findings: list[Finding] = field(default_factory=list)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for f in self.findings if f.verdict == verdict)

    @property
    def broken(self) -> list[Finding]:
        return [f for f in self.findings if f.verdict == "broken"]

    def summary(self) -> str:
        ok, broken, unknown = self.count("ok"), self.count("broken"), self.count("not-checkable")
        return f"{len(self.findings)} links: {ok + broken} checked ({ok} ok, {broken} broken), {unknown} not checkable here"

    def as_json(self) -> dict[str, object]:
        return {
            "schema_version": SCHEMA_VERSION,
            "total": len(self.findings),
            "checked": self.count("ok") + self.count("broken"),
            "ok": self.count("ok"),
            "broken": [{"file": f.link.file, "line": f.link.line, "url": f.link.url, "problem": f.why} for f in self.broken],
            "not_checkable": self.count("not-checkable"),
        }


def find_links(files: Iterable[tuple[str, str]]) -> list[Link]:
    """Every URL in each (label, text) pair, with its 1-based line, in file and line order."""
    links = []
    for label, text in files:
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _URL.finditer(line):
                links.append(Link(label, number, match.group(0).rstrip(_TRAILING)))
    return sorted(links)


def parse(url: str) -> Cited | str:
    """What a URL cites, or why it is malformed (a sentence)."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return f"not a URL ({error})"
    if parts.scheme != "https":
        return f"scheme must be https (got {parts.scheme}://)"
    host = (parts.hostname or "").lower()
    if not _HOST.match(host) or parts.username or parts.password or parts.port:
        return "expected https://host/path with a plain host name"
    if host == "www.github.com" or (host != "github.com" and host.endswith(".github.com") and host != "docs.github.com"):
        return "GitHub links use the host github.com"
    if host != "github.com":
        return Cited()
    path = parts.path.rstrip("/") or "/"
    for shape, pattern in _GITHUB_SHAPES.items():
        match = pattern.match(path)
        if match:
            repo = f"{match['owner']}/{match['name']}"
            if shape in ("file", "commits"):
                return Cited(repo, unquote(match["rev"]), unquote(match["path"] or ""))
            if shape == "commit":
                return Cited(repo, match["rev"], "")
            return Cited(repo)
    return "not a GitHub URL shape the catalog cites (owner/name, /blob|tree/REV/PATH, /commits/REV, /commit/SHA, /pull/N, /issues/N, /tags)"


def pick_repository(repos: Mapping[str, R], repo: str) -> R | None:
    """The clone given for "owner/name", matched case-insensitively by owner/name or by name alone."""
    wanted = repo.lower()
    for key, clone in repos.items():
        if key.lower() == wanted:
            return clone
    for key, clone in repos.items():
        if "/" not in key and key.lower() == wanted.split("/", 1)[1]:
            return clone
    return None


def check_links(links: Iterable[Link], repos: Mapping[str, Repository]) -> LinkReport:
    """Judge every link: malformed ones are broken; a cited path is checked when its repository has a clone."""
    report = LinkReport()
    answers: dict[tuple[str, str, str], str] = {}
    for link in links:
        cited = parse(link.url)
        if isinstance(cited, str):
            report.findings.append(Finding(link, "broken", cited))
            continue
        clone = pick_repository(repos, cited.repo) if cited.repo else None
        if clone is None or cited.rev is None or cited.path is None:
            report.findings.append(Finding(link, "not-checkable"))
            continue
        key = (cited.repo or "", cited.rev, cited.path)
        if key not in answers:
            answers[key] = _judge(clone, cited.rev, cited.path)
        why = answers[key]
        report.findings.append(Finding(link, "broken" if why else "ok", why))
    return report


def _judge(clone: Repository, rev: str, path: str) -> str:
    if not clone.has_rev(rev):
        return f"revision {rev!r} is not in the clone (no such commit, tag or branch; fetch it, or cite a revision that exists)"
    if path and not clone.has_path(rev, path):
        return f"{path!r} does not exist at {rev} (cite the path where the content is now, or a revision that has it)"
    return ""


# --- the git side: the only I/O in this module ---------------------------------------------------


class NotARepository(Exception):
    pass


class GitRepository:
    """A bare or normal git directory, asked with `git cat-file` in one batch process per question set."""

    def __init__(self, directory: Path):
        self.directory = directory
        try:
            result = subprocess.run(["git", "-C", str(directory), "rev-parse", "--git-dir"], capture_output=True, text=True, check=False)
        except OSError as error:  # git itself is missing
            raise NotARepository(str(error)) from error
        if not directory.is_dir() or result.returncode != 0:
            raise NotARepository(str(directory))
        self._known: dict[str, bool] = {}

    def _exists(self, objects: list[str]) -> list[bool]:
        wanted = [o for o in objects if o not in self._known]
        if wanted:
            answer = subprocess.run(
                ["git", "-C", str(self.directory), "cat-file", "--batch-check"],
                input="".join(o + "\n" for o in wanted),
                capture_output=True,
                text=True,
                check=False,
            )
            lines = answer.stdout.splitlines()
            for name, line in zip(wanted, lines + [""] * (len(wanted) - len(lines)), strict=True):
                self._known[name] = bool(line) and not line.endswith((" missing", " ambiguous"))
        return [self._known[o] for o in objects]

    def has_rev(self, rev: str) -> bool:
        return "\n" not in rev and self._exists([f"{rev}^{{commit}}"])[0]

    def has_path(self, rev: str, path: str) -> bool:
        return "\n" not in rev + path and self._exists([f"{rev}:{path}"])[0]

    def prefetch(self, questions: Iterable[tuple[str, str]]) -> None:
        """Ask git about many (rev, path) pairs in one process, so checking hundreds of links stays fast."""
        objects = []
        for rev, path in questions:
            objects.append(f"{rev}^{{commit}}")
            if path:
                objects.append(f"{rev}:{path}")
        self._exists(sorted(set(o for o in objects if "\n" not in o)))


def prefetch(links: Iterable[Link], repos: Mapping[str, GitRepository]) -> None:
    """Warm each clone's answers for every path the links cite (one git process per clone)."""
    wanted: dict[int, tuple[GitRepository, set[tuple[str, str]]]] = {}
    for link in links:
        cited = parse(link.url)
        if isinstance(cited, str) or not cited.repo or cited.rev is None or cited.path is None:
            continue
        clone = pick_repository(repos, cited.repo)
        if clone is not None:
            wanted.setdefault(id(clone), (clone, set()))[1].add((cited.rev, cited.path))
    for clone, questions in wanted.values():
        clone.prefetch(questions)
