"""catalog/deploy/: the chart's keys and the Compose file's services at every release, read and validated once.

Loaded only by the commands that need it (config generate, config check, inspect, validate), never
with the catalog itself, so `refarch size` and `refarch check` do not pay for it; a JSON copy under
the catalog's cache key makes later loads cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import version_key
from ..problems import InputError, Problem

FILES = {"keys": ("catalog/deploy/keys.yaml", "DeployKeys"), "helm": ("catalog/deploy/helm.yaml", "ChartValues"), "docker-compose": ("catalog/deploy/docker-compose.yaml", "ComposeFiles")}

DeployData = dict[str, Any]


def read(root: Path) -> DeployData:
    """Every catalog/deploy/ file, validated by its model, as plain data; raises InputError with every problem."""
    from ..loading import read_document
    from ..models import deploy as models
    from ..models.common import plain

    problems: list[Problem] = []
    out: DeployData = {}
    for name, (label, model_name) in FILES.items():
        try:
            document, _ = read_document(root / label, getattr(models, model_name), label)
        except InputError as error:
            problems.extend(error.problems)
            continue
        out[name] = plain(document)
    if problems:
        raise InputError(problems)
    return out


def load(root: Path) -> DeployData:
    """read(root), through a JSON copy keyed by every catalog file (as the catalog cache is); a broken cache only costs a read."""
    import contextlib
    import json
    import os

    from ..cache import cache_dir, catalog_key
    from ..fsutil import write_atomic_bytes

    if os.environ.get("REFARCH_NO_CACHE"):
        return read(root)
    path: Path | None
    try:
        path = cache_dir() / f"deploy-data-{catalog_key(root)}.json"
        if path.exists():
            return json.loads(path.read_bytes())  # type: ignore[no-any-return]
    except Exception:  # a broken cache is never fatal
        path = None
    data = read(root)
    if path is not None:
        with contextlib.suppress(OSError):
            write_atomic_bytes(path, json.dumps(data, sort_keys=True).encode("utf-8"))
    return data


_tables: dict[tuple[int, str, str], tuple[DeployData, dict[str, Any] | None]] = {}


def table(data: DeployData, method: str, version: str) -> dict[str, Any] | None:
    """The full key table (helm: key -> [type, default]) or service table (docker-compose) at a minor; None if not covered.

    Remembered per data object: treat the result as read-only.
    """
    key = (id(data), method, version)
    hit = _tables.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    if len(_tables) > 512:
        _tables.clear()
    result = _replay(data, method, version)
    _tables[key] = (data, result)
    return result


def _replay(data: DeployData, method: str, version: str) -> dict[str, Any] | None:
    versions = data[method]["versions"]
    if not any(entry["version"] == version for entry in versions):
        return None
    out: dict[str, Any] = {}
    for entry in versions:
        for key in entry.get("removed", []):
            out.pop(key, None)
        out.update(entry.get("added", {}))
        out.update(entry.get("changed", {}))
        if entry["version"] == version:
            return out
    return None  # pragma: no cover - the version was found above


def entry(data: DeployData, method: str, version: str) -> dict[str, Any] | None:
    return next((e for e in data[method]["versions"] if e["version"] == version), None)


def covered(data: DeployData, method: str) -> list[str]:
    return [e["version"] for e in data[method]["versions"]]


def missing_reason(data: DeployData, method: str, version: str) -> str | None:
    return next((m["reason"] for m in data[method].get("missing", []) if m["version"] == version), None)


def problems(data: DeployData, service_ids: set[str], releases: list[str]) -> list[Problem]:
    """Cross-checks for `refarch validate`: keys.yaml names known services; every release from the oldest covered is in the data or missing."""
    out: list[Problem] = []
    keys_file = FILES["keys"][0]
    for method in ("helm", "docker-compose"):
        for service_id in sorted(data["keys"][method]):
            if service_id not in service_ids:
                out.append(Problem(keys_file, None, f"{method}.{service_id}", f"names service '{service_id}', which no catalog/services/ file defines"))
    for method in ("helm", "docker-compose"):
        label = FILES[method][0]
        versions = covered(data, method)
        listed = set(versions) | {m["version"] for m in data[method].get("missing", [])}
        oldest = version_key(versions[0])
        for release in releases:
            if version_key(release) >= oldest and release not in listed:
                out.append(Problem(label, None, "versions", f"release {release} is neither in versions nor in missing; run refarch catalog chart-values --git DIR to read it"))
    return out
