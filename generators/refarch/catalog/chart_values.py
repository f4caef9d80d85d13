"""Chart and Compose data as catalog facts: read values.yaml and docker-compose.yaml at every release tag with git.

`refarch catalog chart-values --git DIR` runs read_releases() over a clone (bare or not) of the
Helm chart or the Compose repository and writes catalog/deploy/helm.yaml or docker-compose.yaml:
for each catalog release from 5.0 on, the highest patch tag of that minor, its date, and what
changed since the version before (keys with [type, default], or services). Releases without a tag
in the clone are listed under missing:, never guessed. Only this module runs git; the flattening
and diffing functions are pure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

OLDEST = (5, 0)
LONG = 120
"""A list or string default longer than this (as JSON) is stored as a digest: config check only needs to see that it changed."""

TYPES = ("string", "integer", "number", "boolean", "null", "list", "map")


class GitError(Exception):
    """git could not answer (not a repository, unknown revision)."""


@dataclass(frozen=True)
class Kind:
    """What to read for one method, from catalog/deploy/keys.yaml (methods.<id>): its git repository, file and tag prefixes."""

    method: str
    repository: str
    file: str
    tag_prefixes: tuple[str, ...]

    @property
    def is_chart(self) -> bool:
        return self.method == "helm"


def kind_for(keys: Mapping[str, Any], method: str) -> Kind:
    entry = keys["methods"][method]
    return Kind(method, entry["git"], entry["file"], tuple(entry["tag_prefixes"]))


# --- pure: flattening and diffing -----------------------------------------------------------


def escape(part: str) -> str:
    return part.replace("\\", "\\\\").replace(".", "\\.")


def split_key(key: str) -> list[str]:
    """'a.b\\.c' -> ['a', 'b.c']."""
    parts, current, chars = [], "", iter(key)
    for char in chars:
        if char == "\\":
            current += next(chars, "")
        elif char == ".":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def value_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "map"
    return "string"


def _stored(value: Any) -> Any:
    if isinstance(value, (list, str)):
        text = json.dumps(value, sort_keys=True, default=str)
        if len(text) > LONG:
            return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def flatten(values: Any, prefix: str = "") -> dict[str, list[Any]]:
    """Every leaf of a values document: dotted key -> [type, default]. Empty maps and lists are leaves."""
    out: dict[str, list[Any]] = {}
    if isinstance(values, dict) and values:
        for name, value in values.items():
            key = f"{prefix}.{escape(str(name))}" if prefix else escape(str(name))
            out.update(flatten(value, key))
    elif prefix:
        out[prefix] = [value_type(values), _stored(values)]
    return out


def _image(reference: Any) -> str | None:
    if not isinstance(reference, str):
        return None
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def compose_services(document: Any) -> dict[str, dict[str, Any]]:
    """The services of a Compose file: image (no tag), cpus, mem_limit, named volumes, environment variable names."""
    services = document.get("services") if isinstance(document, dict) else None
    out: dict[str, dict[str, Any]] = {}
    for name, service in sorted((services or {}).items()):
        if not isinstance(service, dict):
            continue
        volumes = []
        for volume in service.get("volumes") or []:
            source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":", 1)[0]
            if source and not str(source).startswith(("/", ".", "~")):
                volumes.append(str(source))
        environment = service.get("environment") or []
        names = sorted(environment) if isinstance(environment, dict) else sorted(str(item).split("=", 1)[0].strip("'\"") for item in environment)
        entry: dict[str, Any] = {"image": _image(service.get("image"))}
        cpus = _number(service.get("cpus"))
        if cpus is not None:
            entry["cpus"] = int(cpus) if float(cpus).is_integer() else cpus
        if service.get("mem_limit") is not None:
            entry["mem_limit"] = str(service["mem_limit"])
        if volumes:
            entry["volumes"] = sorted(set(volumes))
        if names:
            entry["environment"] = names
        out[str(name)] = entry
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """added / changed / removed from one version's table to the next (keys sorted)."""
    out: dict[str, Any] = {}
    added = {key: after[key] for key in sorted(after) if key not in before}
    changed = {key: after[key] for key in sorted(after) if key in before and before[key] != after[key]}
    removed = sorted(key for key in before if key not in after)
    if added:
        out["added"] = added
    if changed:
        out["changed"] = changed
    if removed:
        out["removed"] = removed
    return out


def replay(versions: Iterable[Mapping[str, Any]], until: str | None = None) -> dict[str, Any]:
    """The full table at `until` (or the last version), from the first version's keys and each difference after it."""
    table: dict[str, Any] = {}
    for entry in versions:
        for key in entry.get("removed", []):
            table.pop(key, None)
        table.update(entry.get("added", {}))
        table.update(entry.get("changed", {}))
        if until is not None and entry["version"] == until:
            break
    return table


def pick_tags(tags: Iterable[str], minors: Iterable[str], prefixes: Iterable[str] = ("v",)) -> dict[str, str | None]:
    """Each minor X.Y -> its highest patch tag (PREFIX X.Y.Z, e.g. v7.5.4453), or None when the repository has none."""
    pattern = re.compile(r"^(?:" + "|".join(re.escape(prefix) for prefix in prefixes) + r")(\d+)\.(\d+)\.(\d+)$")
    best: dict[tuple[int, int], tuple[int, str]] = {}
    for tag in tags:
        match = pattern.match(tag)
        if not match:
            continue
        major, minor, patch = (int(part) for part in match.groups())
        current = best.get((major, minor))
        if current is None or patch > current[0]:
            best[(major, minor)] = (patch, tag)
    out: dict[str, str | None] = {}
    for version in minors:
        major, minor = (int(part) for part in version.split(".")[:2])
        hit = best.get((major, minor))
        out[version] = hit[1] if hit else None
    return out


def build(kind: Kind, read: Mapping[str, tuple[str, dt.date, Any] | None], verified: dt.date, described: str) -> dict[str, Any]:
    """The catalog file's data from each minor's (tag, date, parsed document), or None for a minor without a tag."""
    versions: list[dict[str, Any]] = []
    missing: list[dict[str, str]] = []
    previous: dict[str, Any] = {}
    for version in sorted(read, key=lambda v: tuple(int(p) for p in v.split("."))):
        hit = read[version]
        if hit is None:
            missing.append({"version": version, "reason": f"{described} has no tag for {version}"})
            continue
        tag, released, document = hit
        table = flatten(document) if kind.is_chart else compose_services(document)
        entry = {"version": version, "tag": tag, "source": f"{kind.repository}/blob/{tag}/{kind.file}", "released": released.isoformat()}
        entry.update(diff(previous, table))
        versions.append(entry)
        previous = table
    data: dict[str, Any] = {"repository": kind.repository, "file": kind.file, "versions": versions}
    if missing:
        data["missing"] = missing
    data["sources"] = [kind.repository, *(entry["source"] for entry in versions)]
    data["verified"] = verified.isoformat()
    data["notes"] = [
        f"Written by refarch catalog chart-values from {described}; do not edit by hand.",
        "Each version lists what changed since the version before it in this file; the first lists every "
        + ("key." if kind.is_chart else "service."),
    ]
    return data


def dump(data: dict[str, Any], schema: str) -> str:
    """The catalog file: one line per key or service, so a release's difference reads as a short block."""

    class _Dumper(yaml.SafeDumper):
        pass

    def _flow_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
        flow = len(value) == 2 and value[0] in TYPES and not isinstance(value[1], (dict, list))  # a [type, default] leaf
        return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)

    _Dumper.add_representer(list, _flow_list)
    header = f"# yaml-language-server: $schema=../schema/{schema}.schema.json\n"
    return header + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)


# --- git -----------------------------------------------------------------------------------


def _git(directory: Path, *args: str) -> str:
    try:
        run = subprocess.run(["git", "-C", str(directory), *args], capture_output=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(str(error)) from None
    if run.returncode != 0:
        raise GitError(run.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return run.stdout.decode("utf-8", "replace")


def describe(directory: Path, kind: Kind) -> str:
    """'the clone of <repository> read (newest commit <sha>, <date>)', for the notes and the missing reasons."""
    head = _git(directory, "log", "-1", "--format=%h %cs", "--all").split()
    name = kind.repository.rsplit("/", 2)[-2:]
    where = f"the clone of {'/'.join(name)} that was read"
    return f"{where} (newest commit {head[0]}, {head[1]})" if len(head) == 2 else where


def read_releases(directory: Path, kind: Kind, minors: Iterable[str]) -> dict[str, tuple[str, dt.date, Any] | None]:
    """For each minor: (tag, tagged commit date, parsed file) from the clone, or None when it has no tag for it."""
    _git(directory, "rev-parse", "--git-dir")
    wanted = [v for v in minors if tuple(int(p) for p in v.split(".")[:2]) >= OLDEST]
    tags = pick_tags(_git(directory, "tag", "--list").split(), wanted, kind.tag_prefixes)
    out: dict[str, tuple[str, dt.date, Any] | None] = {}
    for version, tag in tags.items():
        if tag is None:
            out[version] = None
            continue
        text = _git(directory, "show", f"{tag}:{kind.file}")
        date = dt.date.fromisoformat(_git(directory, "log", "-1", "--format=%cs", f"{tag}^{{commit}}").strip())
        out[version] = (tag, date, yaml.safe_load(text))
    return out


def write(root: Path, kind: Kind, directory: Path, minors: Iterable[str], verified: dt.date) -> tuple[Path, dict[str, Any]]:
    """Read the clone and write catalog/deploy/<method>.yaml atomically: (the file, its data)."""
    from ..fsutil import write_atomic

    data = build(kind, read_releases(directory, kind, minors), verified, describe(directory, kind))
    path = root / "catalog" / "deploy" / f"{kind.method}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, dump(data, "chart-values" if kind.is_chart else "compose-files"))
    path.chmod(0o644)  # a catalog file, readable like the others (the temporary file was private)
    return path, data
