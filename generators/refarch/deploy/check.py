"""`refarch config check`: will a customer's override still work after the upgrade?

Reads a Helm values override or a docker-compose.override.yaml and compares it with the chart's keys
(or the Compose file's services) at the version it was written for and at the target version: keys or
services the target no longer has (removed, or renamed with the new name), values of the wrong type,
and defaults that changed under a key the customer sets. Pure: parsed data and catalog/deploy/ in.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..models import version_key
from ..problems import InputError, Problem, did_you_mean
from ..yamlfile import LineMap
from . import data as deploy_data
from .generate import parse_cpu, parse_memory

if TYPE_CHECKING:
    from ..loading import Catalog

SCHEMA_VERSION = 1
FIX = ("removed", "renamed", "unknown", "type")
"""Finding kinds that stop an override from carrying over; the others are notices."""



def _key(parts: list[Any]) -> str:
    from ..catalog.chart_values import escape

    return ".".join(escape(str(part)) for part in parts)


def _leaves(value: Any, parts: list[Any], out: list[tuple[list[Any], Any]]) -> None:
    if isinstance(value, dict) and value:
        for name, item in value.items():
            _leaves(item, [*parts, name], out)
    elif parts:
        out.append((parts, value))


def _type_of(value: Any) -> str:
    from ..catalog.chart_values import value_type

    return value_type(value)


def _has_prefix(table: dict[str, Any], prefix: str) -> bool:
    start = prefix + "."
    return prefix in table or any(k.startswith(start) for k in table)


def _free_form(table: dict[str, Any], key: str, names: tuple[str, ...] = ()) -> str | None:
    """The free-form map that `key` sits under in the chart, if any: an empty map it declares, or a key
    named in catalog/deploy/keys.yaml free_form (env, a Kubernetes resource list) that the chart has."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        if table.get(prefix, [None])[0] == "map":
            return prefix
        if any(prefix == name or prefix.endswith("." + name) for name in names) and _has_prefix(table, prefix):
            return prefix
    return None


def _scalar_parent(table: dict[str, Any], key: str) -> str | None:
    """A key the chart holds as a plain value, which `key` treats as a mapping."""
    parts = key.split(".")
    for end in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in table and table[prefix][0] not in ("map", "null"):
            return prefix
    return None


def _versions_between(data: deploy_data.DeployData, method: str, start: str, end: str) -> list[str]:
    return [v for v in deploy_data.covered(data, method) if version_key(start) < version_key(v) <= version_key(end)]


def _dropped_in(data: deploy_data.DeployData, method: str, start: str, end: str, present: Any) -> str | None:
    """The first version after `start` (up to `end`) whose table no longer satisfies present(table)."""
    for version in _versions_between(data, method, start, end):
        table = deploy_data.table(data, method, version)
        if table is not None and not present(table):
            return version
    return None


def _type_ok(expected: str, value: Any, key: str) -> bool:
    got = _type_of(value)
    if expected in ("null",) or got == "null":
        return True
    if key.endswith((".cpu", ".memory")) or key.rsplit(".", 1)[-1] in ("storageSize", "cpu", "memory"):
        return got in ("string", "integer", "number")  # Kubernetes quantities: "500m", 4, 0.5
    if expected == "number":
        return got in ("integer", "number")
    if expected == "map":
        return got == "map"
    return expected == got


def _versions(data: deploy_data.DeployData, method: str, start: str, end: str) -> tuple[dict[str, Any], dict[str, Any]]:
    problems = []
    tables = []
    for flag, version in (("--from", start), ("--to", end)):
        table = deploy_data.table(data, method, version)
        if table is None:
            reason = deploy_data.missing_reason(data, method, version)
            covered = deploy_data.covered(data, method)
            problems.append(
                Problem("<arguments>", None, flag, f"the catalog has no {method} data for {version}" + (f" ({reason})" if reason else "") + f"{did_you_mean(version, covered) or ''}; covered: {', '.join(covered)}")
            )
        tables.append(table)
    if not problems and version_key(end) < version_key(start):
        problems.append(Problem("<arguments>", None, "--to", f"--to {end} is older than --from {start}; config check looks at an upgrade"))
    if problems:
        raise InputError(problems)
    return tables[0] or {}, tables[1] or {}


def check_helm(data: deploy_data.DeployData, document: Any, lines: LineMap, start: str, end: str) -> list[dict[str, Any]]:
    before, after = _versions(data, "helm", start, end)
    renamed = data["keys"].get("renamed", {}).get("helm", {})
    names = tuple(data["keys"].get("free_form", {}).get("helm", []))
    leaves: list[tuple[list[Any], Any]] = []
    _leaves(document if isinstance(document, dict) else {}, [], leaves)
    findings: list[dict[str, Any]] = []
    for parts, value in leaves:
        key = _key(parts)
        line = lines.line_for(tuple(parts))

        def add(kind: str, message: str, new_key: str | None = None, key: str = key, line: int | None = line) -> None:
            findings.append({"kind": kind, "key": key, "line": line, "message": message, "new_key": new_key})

        def known(table: dict[str, Any], key: str = key) -> bool:
            return key in table or _free_form(table, key, names) is not None

        if known(after):
            expected = after.get(key)
            if expected is not None and not _type_ok(expected[0], value, key):
                add("type", f"{key} is {_type_of(value)} here, but the chart at {end} expects {expected[0]} (its default: {expected[1]!r})")
            elif expected is None:
                parent = _scalar_parent(after, key)
                if parent is not None:
                    add("type", f"{key} treats {parent} as a mapping, but the chart at {end} holds a {after[parent][0]} there")
                elif not isinstance(value, dict) and _has_prefix(after, key) and key not in after:
                    add("type", f"{key} is {_type_of(value)} here, but the chart at {end} holds a mapping there (keys like {_first_under(after, key)})")
            if expected is not None and key in before and before[key] != expected:
                add(
                    "default-changed",
                    f"the chart's default for {key} changed from {before[key][1]!r} ({start}) to {expected[1]!r} ({end}); you set {value!r}, which still applies",
                )
            continue
        if _has_prefix(after, key):  # the customer sets a list or value where the chart has a mapping
            add("type", f"{key} is {_type_of(value)} here, but the chart at {end} holds a mapping there (keys like {_first_under(after, key)})")
            continue
        top = str(parts[0])
        target = renamed.get(top)
        if not known(before) and _has_prefix(before, top) and not _has_prefix(after, top):
            dropped = _dropped_in(data, "helm", start, end, lambda table, top=top: _has_prefix(table, top)) or end
            if target is None:
                add("removed", f"{top} is gone from the chart in {dropped}, with everything under it; remove {key}")
            else:
                add("renamed", f"{key}: {top} is gone from the chart in {dropped}, folded into {target}; move this setting under {target}", target)
            continue
        if known(before):
            dropped = _dropped_in(data, "helm", start, end, known) or end
            if target is not None:
                new_key = _key([target, *parts[1:]])
                where = new_key if known(after, new_key) else target
                add("renamed", f"{key} is gone from the chart in {dropped}: {top} was folded into {target}; move this setting to {where}", where)
            else:
                hint = _close(key, after, anywhere=False)
                add("removed", f"{key} is gone from the chart in {dropped}; remove it" + (f" (the closest key at {end} is {hint})" if hint else ""), hint)
        else:
            hint = _close(key, after)
            add("unknown", f"{key} is not a key of the chart at {start} or {end}" + (f"; did you mean {hint}?" if hint else "; Helm ignores it"), hint)
    return findings


def _first_under(table: dict[str, Any], key: str) -> str:
    return min(k for k in table if k.startswith(key + "."))


def _close(key: str, table: dict[str, Any], anywhere: bool = True) -> str | None:
    """The closest key of the same component (or, with anywhere, of the whole chart when the component has none)."""
    pool = [k for k in table if k.startswith(key.split(".")[0] + ".")] or (list(table) if anywhere else [])
    match = difflib.get_close_matches(key, pool, n=1, cutoff=0.75)
    return match[0] if match else None


def _compose_cpus(value: Any) -> float | None:
    """Compose cpus: a number, or a string holding one ("1.5"); not Kubernetes millicores."""
    if isinstance(value, str) and not value.replace(".", "", 1).isdigit():
        return None
    return parse_cpu(value)


def check_compose(data: deploy_data.DeployData, document: Any, lines: LineMap, start: str, end: str) -> list[dict[str, Any]]:
    before, after = _versions(data, "docker-compose", start, end)
    renamed = data["keys"].get("renamed", {}).get("docker-compose", {})
    findings: list[dict[str, Any]] = []
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict):
        line = lines.line_for(("services",))
        findings.append({"kind": "type", "key": "services", "line": line, "message": "expected a services: mapping, as a Compose override has", "new_key": None})
        return findings
    for name, service in services.items():
        line = lines.line_for(("services", name))
        key = f"services.{name}"

        def add(kind: str, message: str, new_key: str | None = None, key: str = key, line: int | None = line) -> None:
            findings.append({"kind": kind, "key": key, "line": line, "message": message, "new_key": new_key})

        entry = service if isinstance(service, dict) else {}
        if not isinstance(service, dict) and service is not None:
            add("type", f"service {name} is {_type_of(service)} here; a Compose service is a mapping")
            continue
        if name not in after:
            if "image" in entry or "build" in entry:
                add("added", f"service {name} is not in the Compose file at {end}; it has its own image, so the override adds it and it carries over")
                continue
            if name in before:
                dropped = _dropped_in(data, "docker-compose", start, end, lambda table, name=name: name in table) or end
                target = renamed.get(name)
                if target is not None:
                    add("renamed", f"service {name} is gone from the Compose file in {dropped}: it was folded into {target}; move these settings to {target}", target)
                else:
                    add("removed", f"service {name} is gone from the Compose file in {dropped}; remove it (docker compose refuses a service without an image)")
            else:
                hint = did_you_mean(str(name), after)
                add("unknown", f"service {name} is not in the Compose file at {start} or {end}, and has no image, so docker compose refuses it{hint or ''}")
            continue
        parsers: tuple[tuple[str, Callable[[Any], float | None]], ...] = (("cpus", _compose_cpus), ("mem_limit", parse_memory))
        for field, parse in parsers:
            if field not in entry:
                continue
            field_line = lines.line_for(("services", name, field))
            value = entry[field]
            if parse(value) is None:
                want = "a number of CPUs, like 4 or 0.5" if field == "cpus" else "a size, like 8g or 512m"
                add("type", f"{name}.{field} is {value!r}; expected {want}", key=f"{key}.{field}", line=field_line)
                continue
            old, new = (before.get(name) or {}).get(field), after[name].get(field)
            if name in before and old != new:
                add(
                    "default-changed",
                    f"the Compose file's {field} for {name} changed from {old!r} ({start}) to {new!r} ({end}); you set {value!r}, which still applies",
                    key=f"{key}.{field}",
                    line=field_line,
                )
    return findings


def check(catalog: Catalog, data: deploy_data.DeployData, document: Any, lines: LineMap, method: str, start: str, end: str, file: str) -> dict[str, Any]:
    """The report for one override: every finding in line order, and whether it carries over as it is."""
    if method == "helm":
        findings = check_helm(data, document, lines, start, end)
    elif method == "docker-compose":
        findings = check_compose(data, document, lines, start, end)
    else:
        raise InputError([Problem("<arguments>", None, "--method", f"config check reads helm or docker-compose overrides (got {method})")])
    findings.sort(key=lambda f: (f["line"] or 0, f["key"], f["kind"]))
    to_fix = [f for f in findings if f["kind"] in FIX]
    summary = f"{len(findings)} findings, {len(to_fix)} to fix" + (": the override carries over to " + end if not to_fix else f" before upgrading to {end}")
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "config-check",
        "file": file,
        "method": method,
        "from": start,
        "to": end,
        "carries_over": not to_fix,
        "findings": findings,
        "summary": summary,
    }


def render(report: dict[str, Any]) -> str:
    """`file:line: key: message` per finding, then the summary."""
    lines = []
    for finding in report["findings"]:
        where = f"{report['file']}:{finding['line']}" if finding["line"] else report["file"]
        label = "fix" if finding["kind"] in FIX else "note"
        lines.append(f"{where}: {finding['key']}: {label}: {finding['message']}")
    lines.append(report["summary"])
    return "\n".join(lines) + "\n"
