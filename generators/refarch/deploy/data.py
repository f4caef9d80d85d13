"""catalog/deploy/: the chart's keys and the Compose file's services at every release, read and validated once.

Loaded only by the commands that need it (config generate, config check, inspect, validate), never
with the catalog itself, so `refarch size` and `refarch check` do not pay for it; a JSON copy under
the catalog's cache key makes later loads cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..problems import InputError, Problem

FILES = {"keys": ("catalog/deploy/keys.yaml", "DeployKeys"), "helm": ("catalog/deploy/helm.yaml", "ChartValues"), "docker-compose": ("catalog/deploy/docker-compose.yaml", "ComposeFiles")}

DeployData = dict[str, Any]


def present(root: Path) -> bool:
    """Whether the catalog has deployment data (a test catalog may leave catalog/deploy/ out)."""
    return (root / "catalog" / "deploy").is_dir()


def read_keys(root: Path) -> dict[str, Any]:
    """catalog/deploy/keys.yaml alone, validated (the maintainer command needs no data files yet)."""
    keys: dict[str, Any] = read(root, ("keys",))["keys"]
    return keys


def read(root: Path, names: tuple[str, ...] = tuple(FILES)) -> DeployData:
    """Every catalog/deploy/ file (or those named), validated by its model, as plain data; raises InputError with every problem."""
    from ..loading import read_document
    from ..models import deploy as models
    from ..models.common import plain

    problems: list[Problem] = []
    out: DeployData = {}
    if not present(root):
        raise InputError([Problem("catalog/deploy", None, "", "this catalog has no catalog/deploy/ folder, so it has no deployment data; add it or use the shipped catalog")])
    for name in names:
        label, model_name = FILES[name]
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


def problems(data: DeployData, service_ids: set[str], root: Path | None = None) -> list[Problem]:
    """Cross-checks for `refarch validate`: keys.yaml names only services the catalog defines.

    Coverage of new releases is not an error here: a release added to releases.yaml before the data is
    re-read is reported by config generate and config check ("no data for X"), not by validate.
    """
    from ..fsutil import read_input
    from ..problems import did_you_mean
    from ..yamlfile import parse

    out: list[Problem] = []
    keys_file = FILES["keys"][0]
    lines = parse(read_input(root / keys_file, keys_file), keys_file)[1] if root is not None else None
    for method in ("helm", "docker-compose"):
        for service_id in sorted(data["keys"][method]):
            if service_id not in service_ids:
                line = lines.line_for((method, service_id)) if lines is not None else None
                hint = did_you_mean(service_id, service_ids) or ""
                out.append(Problem(keys_file, line, f"{method}.{service_id}", f"names service '{service_id}', which no catalog/services/ file defines{hint}"))
    return out
