"""`refarch catalog releases`: compare catalog/releases.yaml with the release tags of the deploy repositories.

Reading tags is git's job (one `git for-each-ref` per clone, bare or not). Comparing is a pure function
over those tags and the file's rows. Writing edits the file with ruamel.yaml's round-trip mode, so its
comments, order and quoting stay, and adds the tags' URLs to its sources.

The rules, the same ones releases.yaml states in its notes:
- a release tag is `vX.Y.Z`; its date is the tag's creation date (tagger date of an annotated tag,
  commit date of a lightweight one), in the time zone it was made in;
- a minor's release date is the earliest date of its `vX.Y.0` tag across the clones given (when no
  clone has `vX.Y.0`, the file's date is not judged);
- its latest patch is the highest `vX.Y.Z` of any clone, dated by that tag's earliest date.
A catalog that is ahead of the clones (a minor or patch they do not have yet) is reported but is no
difference: clones can be older than the release pull requests the catalog also cites.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..models import Releases, version_key
from ..yamlfile import LineMap

TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)")
FILE = "catalog/releases.yaml"

Kind = Literal["new-minor", "newer-patch", "released", "latest-patch-date"]


class NotARepository(Exception):
    """The directory is not a git repository, or git cannot be run."""


@dataclass(frozen=True, order=True)
class Tag:
    version: str  # "7.4.2513", without the v
    date: dt.date
    repo: str  # owner/name where given, else the directory
    named: bool = field(default=False, compare=False)  # whether repo is an owner/name given by the user

    @property
    def url(self) -> str | None:
        """The tag on GitHub, when the repository was named owner/name."""
        return f"https://github.com/{self.repo}/releases/tag/v{self.version}" if self.named and self.repo.count("/") == 1 else None

    def label(self) -> str:
        return f"{self.repo} v{self.version} ({self.date.isoformat()})"


def read_tags(directory: Path, name: str | None = None) -> list[Tag]:
    """Every `vX.Y.Z` tag of a local clone with its creation date, asked of git itself."""
    try:
        result = subprocess.run(
            ["git", "-C", str(directory), "for-each-ref", "--format=%(refname:strip=2)%09%(creatordate:short)", "refs/tags"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:  # git itself is missing
        raise NotARepository(f"cannot run git: {error.strerror}") from error
    if not directory.is_dir() or result.returncode != 0:
        raise NotARepository(f"{directory} is not a git repository")
    tags = []
    for line in result.stdout.splitlines():
        ref, _, date = line.partition("\t")
        match = TAG.fullmatch(ref)
        if match and date:
            version = ".".join(str(int(part)) for part in match.groups())
            tags.append(Tag(version, dt.date.fromisoformat(date), name or str(directory), named=bool(name)))
    return sorted(tags)


@dataclass(frozen=True)
class Observed:
    """What the tags say about one minor."""

    minor: str
    released: dt.date
    has_zero: bool  # whether some clone has vX.Y.0 (else `released` is the minor's earliest tag)
    released_from: tuple[Tag, ...]
    latest_patch: str
    latest_patch_date: dt.date
    latest_from: tuple[Tag, ...]


def observe(tags: Iterable[Tag]) -> dict[str, Observed]:
    """Per minor: release date, latest patch and its date, each with the tags that give it."""
    by_minor: dict[str, list[Tag]] = {}
    for tag in tags:
        by_minor.setdefault(".".join(tag.version.split(".")[:2]), []).append(tag)
    out = {}
    for minor, group in by_minor.items():
        zero = [t for t in group if t.version == minor + ".0"]
        first = min(t.date for t in (zero or group))
        latest = max((t.version for t in group), key=version_key)
        at_latest = [t for t in group if t.version == latest]
        latest_date = min(t.date for t in at_latest)
        out[minor] = Observed(
            minor,
            first,
            bool(zero),
            tuple(sorted(t for t in (zero or group) if t.date == first)),
            latest,
            latest_date,
            tuple(sorted(t for t in at_latest if t.date == latest_date)),
        )
    return dict(sorted(out.items(), key=lambda item: version_key(item[0])))


@dataclass(frozen=True)
class Difference:
    kind: Kind
    minor: str
    key: str  # dotted path in the file, e.g. releases[12].latest_patch
    line: int | None
    catalog: str | None
    tags: str
    evidence: tuple[Tag, ...]

    def message(self) -> str:
        where = f"{FILE}:{self.line}" if self.line else FILE
        seen = ", ".join(t.label() for t in self.evidence)
        if self.kind == "new-minor":
            what = f"release {self.minor} is missing; the tags have it (released {self.tags})"
        elif self.kind == "newer-patch":
            what = f"latest patch of {self.minor} is {self.catalog}, but the tags have {self.tags}"
        else:
            what = f"{self.minor} has {self.catalog or 'no date'}, but the tags say {self.tags}"
        return f"{where}: {self.key}: {what} ({seen}); run with --write to update the file"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "minor": self.minor,
            "key": self.key,
            "line": self.line,
            "catalog": self.catalog,
            "tags": self.tags,
            "evidence": [{"repository": t.repo, "tag": f"v{t.version}", "date": t.date.isoformat(), "url": t.url} for t in self.evidence],
        }


@dataclass
class SyncReport:
    differences: list[Difference] = field(default_factory=list)
    ahead: list[str] = field(default_factory=list)  # the catalog knows more than the clones
    older_minors: int = 0  # minors in the tags older than the catalog's first release, left out
    tag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def in_sync(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        counts = {kind: sum(d.kind == kind for d in self.differences) for kind in ("new-minor", "newer-patch", "released", "latest-patch-date")}
        repos = ", ".join(f"{name} ({count} tags)" for name, count in self.tag_counts.items())
        head = "in sync with the tags" if self.in_sync else f"{len(self.differences)} difference{'s' if len(self.differences) != 1 else ''}"
        return (
            f"{FILE}: {head}: {counts['new-minor']} new minors, {counts['newer-patch']} newer latest patches, "
            f"{counts['released'] + counts['latest-patch-date']} dates ({counts['released']} release, {counts['latest-patch-date']} latest-patch)\n"
            f"{len(self.ahead)} ahead of the clones, {self.older_minors} older minors left out; read {repos}\n"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "file": FILE,
            "in_sync": self.in_sync,
            "repositories": [{"name": name, "tags": count} for name, count in self.tag_counts.items()],
            "differences": [d.as_json() for d in self.differences],
            "ahead": self.ahead,
            "older_minors_left_out": self.older_minors,
        }


def compare(releases: Releases, lines: LineMap, observed: Mapping[str, Observed]) -> SyncReport:
    """What releases.yaml lacks or gets wrong against the tags, oldest minor first."""
    report = SyncReport()
    rows = {r.version: (i, r) for i, r in enumerate(releases.releases)}
    first = version_key(releases.releases[0].version)
    for minor, seen in observed.items():
        if version_key(minor) < first:
            report.older_minors += 1
            continue
        if minor not in rows:
            report.differences.append(
                Difference("new-minor", minor, "releases", lines.line_for(("releases",)), None, seen.released.isoformat(), seen.released_from + seen.latest_from)
            )
            continue
        i, row = rows[minor]
        at = ("releases", i)
        if seen.has_zero and row.released != seen.released:
            report.differences.append(
                Difference("released", minor, f"releases[{i}].released", lines.line_for((*at, "released")), row.released.isoformat(), seen.released.isoformat(), seen.released_from)
            )
        ours, theirs = version_key(row.latest_patch), version_key(seen.latest_patch)
        if theirs > ours:
            report.differences.append(
                Difference(
                    "newer-patch",
                    minor,
                    f"releases[{i}].latest_patch",
                    lines.line_for((*at, "latest_patch")),
                    row.latest_patch,
                    f"{seen.latest_patch} ({seen.latest_patch_date.isoformat()})",
                    seen.latest_from,
                )
            )
        elif theirs == ours and seen.latest_patch != minor + ".0" and row.latest_patch_date != seen.latest_patch_date:
            key = (*at, "latest_patch_date") if row.latest_patch_date else (*at, "latest_patch")
            report.differences.append(
                Difference(
                    "latest-patch-date",
                    minor,
                    f"releases[{i}].latest_patch_date",
                    lines.line_for(key),
                    row.latest_patch_date.isoformat() if row.latest_patch_date else None,
                    seen.latest_patch_date.isoformat(),
                    seen.latest_from,
                )
            )
        elif theirs < ours:
            report.ahead.append(f"{minor}: the catalog's latest patch {row.latest_patch} is newer than the tags' {seen.latest_patch}")
    for minor in rows:
        if minor not in observed and observed and version_key(minor) > max(version_key(m) for m in observed):
            report.ahead.append(f"{minor}: not tagged in the clones given")
    return report


# --- writing -----------------------------------------------------------------------------------


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, order and quoting survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long notes
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def apply(text: str, report: SyncReport, observed: Mapping[str, Observed], verified: dt.date) -> str:
    """releases.yaml's text with every difference fixed, the tags' URLs added to its sources and
    verified set to `verified`; the result is validated before it is returned."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Quoted

    yaml = _yaml()
    doc = yaml.load(text)
    rows = doc["releases"]
    urls: list[str] = []
    for diff in report.differences:
        seen = observed[diff.minor]
        urls += [t.url for t in diff.evidence if t.url]
        if diff.kind == "new-minor":
            row = CommentedMap()
            row["version"] = Quoted(diff.minor)
            row["released"] = seen.released
            row["latest_patch"] = Quoted(seen.latest_patch)
            if seen.latest_patch != diff.minor + ".0":
                row["latest_patch_date"] = seen.latest_patch_date
            if not seen.has_zero:
                row["notes"] = [f"There is no v{diff.minor}.0 tag, so the release date is that of the earliest {diff.minor} tag."]
            position = next((i for i, r in enumerate(rows) if version_key(str(r["version"])) > version_key(diff.minor)), len(rows))
            rows.insert(position, row)
            continue
        row = next(r for r in rows if str(r["version"]) == diff.minor)
        if diff.kind == "released":
            row["released"] = seen.released
        else:
            if diff.kind == "newer-patch":
                row["latest_patch"] = Quoted(seen.latest_patch)
            if "latest_patch_date" in row:
                row["latest_patch_date"] = seen.latest_patch_date
            else:
                row.insert(list(row).index("latest_patch") + 1, "latest_patch_date", seen.latest_patch_date)
    sources = doc["sources"]
    for url in dict.fromkeys(urls):
        if url not in sources:
            sources.append(url)
    doc["verified"] = verified
    out = io.StringIO()
    yaml.dump(doc, out)
    new = out.getvalue()
    _check(new)
    return new


def _check(text: str) -> None:
    """The written file must still be a valid releases file (it always is, unless the code is wrong)."""
    from ..loading import validate_document
    from ..yamlfile import parse

    data, lines = parse(text, FILE)
    validate_document(data, Releases, FILE, lines)
