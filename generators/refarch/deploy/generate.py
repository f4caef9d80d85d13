"""`refarch config generate`: the override file that deploys an architecture (or a sizing answer) with its method.

Helm: a values override that sets, in the chart's own keys, only what differs from the chart's defaults
at that version (replicas, requests, limits, volume sizes, the storage class). Docker Compose: a
docker-compose.override.yaml with cpus and mem_limit for the services of the Compose file at that
version. Kustomize is planned for deprecation, so it gets the Helm override with a statement saying so.
Pure: the catalog, catalog/deploy/ data and the resolved numbers in, text and JSON out.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import yaml

from ..problems import InputError, Problem, did_you_mean
from . import data as deploy_data

if TYPE_CHECKING:
    from ..loading import Catalog

SCHEMA_VERSION = 1
METHODS = ("helm", "docker-compose")
FILE_NAMES = {"helm": "override.yaml", "docker-compose": "docker-compose.override.yaml"}


# --- quantities ---------------------------------------------------------------------------


def cpu_quantity(cores: float) -> str:
    """Kubernetes CPU: whole cores as "4", fractions in millicores ("500m")."""
    if float(cores).is_integer():
        return str(int(cores))
    return f"{round(cores * 1000)}m"


def memory_quantity(gb: float) -> str:
    """Kubernetes memory: whole GB as "4Gi", fractions as "512Mi" (the catalog reads Gi as GB and Mi as 1/1000 GB)."""
    if float(gb).is_integer():
        return f"{int(gb)}Gi"
    return f"{round(gb * 1000)}Mi"


def compose_memory(gb: float) -> str:
    """Compose mem_limit: "8g", or "512m" for fractions."""
    if float(gb).is_integer():
        return f"{int(gb)}g"
    return f"{round(gb * 1000)}m"


_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*$")
_MEMORY_UNITS = {"": 1e-9, "k": 1e-6, "K": 1e-6, "Ki": 1e-6, "M": 1e-3, "Mi": 1e-3, "m": 1e-3, "G": 1, "Gi": 1, "g": 1, "T": 1000, "Ti": 1000, "t": 1000, "b": 1e-9}


def parse_cpu(value: Any) -> float | None:
    """ "500m" -> 0.5, "4" or 4 -> 4.0; None when it is not a CPU quantity."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = _QUANTITY.match(str(value))
    if not match or match.group(2) not in ("", "m"):
        return None
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "m" else number


def parse_memory(value: Any) -> float | None:
    """A memory quantity in GB as the catalog counts it (Gi and G as GB, Mi and M as 1/1000 GB); None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) * 1e-9
    match = _QUANTITY.match(str(value))
    if not match or match.group(2) not in _MEMORY_UNITS:
        return None
    return float(match.group(1)) * _MEMORY_UNITS[match.group(2)]


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# --- building the override --------------------------------------------------------------------


def _set(tree: dict[str, Any], key: str, value: Any) -> None:
    parts = deploy_data_split(key)
    node = tree
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def deploy_data_split(key: str) -> list[str]:
    from ..catalog.chart_values import split_key

    return split_key(key)


def _version_problem(data: deploy_data.DeployData, method: str, version: str) -> InputError:
    covered = deploy_data.covered(data, method)
    reason = deploy_data.missing_reason(data, method, version)
    why = f" ({reason})" if reason else ""
    hint = did_you_mean(version, covered) or ""
    return InputError([Problem("<arguments>", None, "--version", f"the catalog has no {method} data for {version}{why}{hint}; covered: {', '.join(covered)}")])


def helm_values(
    catalog: Catalog, data: deploy_data.DeployData, rows: list[dict[str, Any]], version: str, cloud: str | None
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the override tree, the dotted keys it sets, notes) for service rows at a chart version."""
    chart = deploy_data.table(data, "helm", version)
    if chart is None:
        raise _version_problem(data, "helm", version)
    keys = data["keys"]["helm"]
    pods = {service for members in catalog.sizing.pods.values() for service in members[1:]}  # replicas follow the pod's first service
    tree: dict[str, Any] = {}
    written: list[str] = []
    notes: list[str] = []
    smaller: list[str] = []

    def put(key: str, value: Any, default: Any, parse: Any) -> None:
        if key not in chart:
            return
        if parse is not None and _same(parse(default[1]), parse(value)):
            return
        if parse is None and default[1] == value:
            return
        _set(tree, key, value)
        written.append(key)

    for row in rows:
        service = row["name"]
        mapping = keys.get(service)
        if mapping is None:
            notes.append(f"{service}: the catalog names no chart key for it (catalog/deploy/keys.yaml), so the override leaves it at the chart's defaults.")
            continue
        base = mapping["key"]
        if not any(key.startswith(base + ".") for key in chart):
            notes.append(f"{service}: the chart at {version} has no {base} key, so the override cannot set it.")
            continue
        if not row["per_node"] and service not in pods:
            key = f"{base}.replicaCount"
            if key in chart:
                put(key, row["replicas"], chart[key], None)
            elif row["replicas"] != 1:
                notes.append(f"{service}: the chart at {version} has no {key}; it runs its own number of pods, not {row['replicas']}.")
        for field, kind, unit in (
            ("cpu_request", "requests", "cpu"),
            ("cpu_limit", "limits", "cpu"),
            ("memory_request_gb", "requests", "memory"),
            ("memory_limit_gb", "limits", "memory"),
        ):
            value = row.get(field)
            key = f"{base}.resources.{kind}.{unit}"
            if value is None or key not in chart:
                continue
            quantity = cpu_quantity(value) if unit == "cpu" else memory_quantity(value)
            put(key, quantity, chart[key], parse_cpu if unit == "cpu" else parse_memory)
        if mapping.get("storage") and row.get("storage_gb"):
            key = f"{base}.storageSize"
            if key in chart:
                size = memory_quantity(math.ceil(row["storage_gb"]))
                put(key, size, chart[key], parse_memory)
                default = parse_memory(chart[key][1])
                if default is not None and math.ceil(row["storage_gb"]) < default:
                    smaller.append(f"{key} {size} (chart default {chart[key][1]})")
    if smaller:
        notes.append(
            "Kubernetes cannot shrink a volume: on a deployment that already runs, keep the current size where this override sets a smaller one: "
            + ", ".join(smaller) + "."
        )
    if cloud is not None:
        storage_class = data["keys"].get("storage_classes", {}).get(cloud)
        for name, value in sorted((storage_class or {}).items()):
            key = f"storageClass.{name}"
            parent = "storageClass." + name.split(".", 1)[0]
            if key in chart:
                put(key, value, chart[key], None)
            elif "." in name and chart.get(parent, [None])[0] == "map":
                _set(tree, key, value)  # a key under a free-form map (storageClass.parameters)
                written.append(key)
    return tree, written, notes


def compose_values(
    catalog: Catalog, data: deploy_data.DeployData, rows: list[dict[str, Any]], version: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the override's services tree, the services it sets, notes) for service rows at a Compose version."""
    compose = deploy_data.table(data, "docker-compose", version)
    if compose is None:
        raise _version_problem(data, "docker-compose", version)
    keys = data["keys"]["docker-compose"]
    services: dict[str, Any] = {}
    notes: list[str] = []
    volumes: list[str] = []
    for row in rows:
        containers = [name for name in keys.get(row["name"], []) if name in compose]
        if not containers:
            notes.append(f"{row['name']}: the Compose file at {version} has no service for it, so the override cannot set it.")
            continue
        for name in containers:
            default = compose[name]
            entry: dict[str, Any] = {}
            cpus = row.get("cpu_limit")
            if cpus is not None and not _same(float(cpus), default.get("cpus")):
                entry["cpus"] = int(cpus) if float(cpus).is_integer() else cpus
            memory = row.get("memory_limit_gb")
            if memory is not None and not _same(memory, parse_memory(default.get("mem_limit"))):
                entry["mem_limit"] = compose_memory(memory)
            if entry:
                services[name] = entry
            if row.get("storage_gb") and default.get("volumes"):
                volumes.append(f"{', '.join(default['volumes'])} ({name}) {math.ceil(row['storage_gb'])} GB")
    if volumes:
        notes.append(
            "Docker volumes have no size of their own: the data disk must hold them all. Volume needs: " + "; ".join(volumes) + "."
        )
    return services, sorted(services), notes


def _header(lines: list[str]) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)


def generate(
    catalog: Catalog,
    data: deploy_data.DeployData,
    rows: list[dict[str, Any]],
    method: str,
    version: str,
    subject: str,
    inputs: dict[str, Any],
    cloud: str | None = None,
    architecture: str | None = None,
) -> dict[str, Any]:
    """The override for `rows` (resolved service rows) with `method` at `version`, as text and as data."""
    statement = None
    if method not in METHODS:
        method_entity = catalog.methods.get(method)
        lifecycle = method_entity.lifecycle if method_entity is not None else None
        if method_entity is not None and method_entity.replacement in METHODS and lifecycle is not None and (lifecycle.deprecation_planned or lifecycle.deprecated):
            statement = (
                f"{method_entity.name} ({method}) is planned for deprecation and its replacement is {catalog.methods[method_entity.replacement].name} "
                f"({method_entity.replacement}), so refarch writes no {method} patches: this is the {method_entity.replacement} override for the same resources. "
                f"Move to it with refarch migrate-plan --from-method {method} --to-method {method_entity.replacement}."
            )
            method = method_entity.replacement
        else:
            raise InputError(
                [Problem("<arguments>", None, "--method", f"refarch writes override files for {', '.join(METHODS)} (and kustomize, as the Helm override); not for {method}")]
            )
    keys = data["keys"]
    patch = deploy_data.entry(data, method, version)
    if patch is None:
        raise _version_problem(data, method, version)
    if method == "helm":
        tree, written, notes = helm_values(catalog, data, rows, version, cloud)
        body = tree
    else:
        services, written, notes = compose_values(catalog, data, rows, version)
        body = {"services": services} if services else {}
    tag = patch["tag"]
    release = next((tag[len(prefix) :] for prefix in keys["methods"][method]["tag_prefixes"] if tag.startswith(prefix)), tag)
    file_name = FILE_NAMES[method]
    commands = [command.format(version=version, patch=release, file=file_name) for command in keys["methods"][method]["install"]]
    verified = max(str(data["keys"]["verified"]), str(data[method]["verified"]))
    product = catalog.product.name
    described = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in inputs.items())
    header = [
        f"{'Helm values override' if method == 'helm' else 'Docker Compose override'} for {subject}",
        f"{product} {version} ({method} {tag}: {patch['source']})",
        f"Written by refarch config generate from the catalog (deployment data verified {verified}).",
        f"Sizing inputs: {described}." if described else "Sizing inputs: the resource estimator's defaults.",
        "Sets only what differs from the defaults of that version; everything else stays as shipped.",
    ]
    if statement:
        header += ["", statement]
    if notes:
        header += ["", "Notes:", *(f"- {note}" for note in notes)]
    header += ["", "Install or upgrade with it:", *(f"  {command}" for command in commands)]
    text = _header(header)
    if body:
        text += "\n" + yaml.dump(body, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=True, default_flow_style=False, width=200)
    else:
        text += "\n{}\n"
    return {
        "schema_version": SCHEMA_VERSION,
        "architecture": architecture,
        "method": method,
        "version": version,
        "tag": tag,
        "source": patch["source"],
        "file_name": file_name,
        "inputs": inputs,
        "sets": written,
        "notes": ([statement] if statement else []) + notes,
        "commands": commands,
        "content": text,
    }


def for_architecture(catalog: Catalog, data: deploy_data.DeployData, arch_id: str, version: str | None = None, cloud: str | None = None) -> dict[str, Any]:
    """generate() for a reference architecture: its resolved numbers, at its own version unless another is given."""
    from ..architectures import resolved_architectures

    arch = catalog.architectures.get(arch_id)
    if arch is None:
        raise InputError(
            [Problem("<arguments>", None, "ARCHITECTURE", f"unknown architecture '{arch_id}'{did_you_mean(arch_id, catalog.architectures) or ''}; known: {', '.join(catalog.architectures)}")]
        )
    resolved = resolved_architectures(catalog)[arch_id]
    return generate(
        catalog,
        data,
        resolved["services"],
        arch.method,
        version or arch.version,
        f"{arch.id} ({arch.name})",
        resolved["reference_inputs"],
        cloud=cloud,
        architecture=arch.id,
    )


def for_answer(catalog: Catalog, data: deploy_data.DeployData, answer: dict[str, Any], given: dict[str, Any], version: str | None = None) -> dict[str, Any]:
    """generate() for a sizing answer (refarch size's JSON): its services at the method's newest covered version unless one is given."""
    method = answer["method"]
    rows = [row for row in answer["services"] if row["enabled"]]
    target = method
    entity = catalog.methods.get(method)
    if method not in METHODS and entity is not None and entity.replacement in METHODS:
        target = entity.replacement
    newer = None
    if version is None and target in METHODS:
        version = _newest_covered(catalog, data, target)
        if version != answer["version"]:
            reason = deploy_data.missing_reason(data, target, answer["version"])
            newer = f"The sizing answer is for {answer['version']}, which the {target} data does not cover" + (f" ({reason})" if reason else "") + f"; this file is for {version}, the newest it covers."
    subject = f"size {answer['tier_name']} from the sizing answer" + (f" (reference architecture {answer['architecture']})" if answer["architecture"] else "")
    result = generate(catalog, data, rows, method, version or answer["version"], subject, given, cloud=answer["inputs"].get("cloud"), architecture=answer["architecture"])
    if newer:
        result["notes"].insert(0, newer)
        result["content"] = result["content"].replace("# Sets only what differs", f"# {newer}\n# Sets only what differs", 1)
    return result


def _newest_covered(catalog: Catalog, data: deploy_data.DeployData, method: str) -> str:
    """The newest release that the data covers and that is not newer than the catalog's latest."""
    covered = deploy_data.covered(data, method)
    releases = [r.version for r in catalog.releases.releases]
    usable = [v for v in covered if v in releases]
    return (usable or covered)[-1]
