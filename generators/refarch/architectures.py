"""Reference architectures resolved: the sizing answer at an architecture's reference inputs, with its recorded differences.

One source for every number of a size: an architecture file states the inputs it is the reference for,
and its services and machines are what `refarch size` answers for them with the architecture's method.
A value the architecture sets otherwise is a difference with a reason; differences() reports every one,
and problems() the ones without a reason (or that no longer differ), for `refarch validate`.
Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .memo import per_catalog
from .models.architecture import DIFFERENCE_FIELDS, MACHINE_DIFFERENCE_FIELDS
from .models.sizing import SizingInputs
from .sizing import FIELDS, TOTAL_FIELDS, _fmt, size, sizing_model_json

if TYPE_CHECKING:
    from .loading import Catalog
    from .models.architecture import Architecture

Resolved = dict[str, Any]


def reference_answer(catalog: Catalog, arch: Architecture) -> dict[str, Any]:
    """`refarch size` at the architecture's reference inputs, with its method."""
    inputs = arch.reference_inputs.model_copy(update={"method": arch.method, "cloud": None})
    return size(catalog, inputs)


def given_inputs(arch: Architecture) -> dict[str, Any]:
    """The reference inputs the file states, in field order (the rest take the estimator's defaults)."""
    return {name: value for name, value in arch.reference_inputs.__dict__.items() if value is not None and name not in ("method", "cloud")}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9)


def resolve(catalog: Catalog, arch: Architecture) -> Resolved:
    """The architecture's services, machines and totals: the reference answer with the differences applied."""
    answer = reference_answer(catalog, arch)
    rows = {row["name"]: dict(row) for row in answer["services"] if row["enabled"]}
    differences: list[dict[str, Any]] = []
    for index, difference in enumerate(arch.differences):
        row = rows.get(difference.service)
        for name in DIFFERENCE_FIELDS:
            value = getattr(difference, name)
            if value is None:
                continue
            sizing_value = None if row is None else row.get(name)
            differences.append(
                {
                    "service": difference.service,
                    "field": name,
                    "sizing": sizing_value,
                    "architecture": value,
                    "reason": difference.reason,
                    "path": ("differences", index, name),
                    "differs": not _same(sizing_value, value),
                }
            )
            if row is not None:
                row[name] = value
    machines = [dict(machine) for machine in answer["machines"]]
    if arch.machine_differences is not None and machines:
        machine = machines[0]
        changed = arch.machine_differences
        for name in MACHINE_DIFFERENCE_FIELDS:
            value = getattr(changed, name)
            if value is not None:
                differences.append(
                    {
                        "service": None,
                        "field": name,
                        "sizing": machine.get(name),
                        "architecture": value,
                        "reason": changed.reason,
                        "path": ("machine_differences", name),
                        "differs": not _same(machine.get(name), value),
                    }
                )
                machine[name] = value
        for cloud, machine_id in changed.instance_types.items():
            current = machine["instance_types"].get(cloud)
            differences.append(
                {
                    "service": None,
                    "field": f"instance_types.{cloud}",
                    "sizing": current,
                    "architecture": machine_id,
                    "reason": changed.reason,
                    "path": ("machine_differences", "instance_types", cloud),
                    "differs": current != machine_id,
                }
            )
            machine["instance_types"] = {**machine["instance_types"], cloud: machine_id}
    services = [rows[name] for name in sorted(rows)]
    nodes = sum(machine["count"] for machine in machines) if machines else 1
    totals = dict.fromkeys(TOTAL_FIELDS, 0.0)
    for row in services:
        copies = nodes if row["per_node"] else row["replicas"]
        for name in TOTAL_FIELDS:
            totals[name] += (row[name] or 0) * copies
    return {
        "architecture": arch.id,
        "method": arch.method,
        "size": arch.size,
        "version": arch.version,
        "sizing_version": answer["version"],
        "reference_inputs": given_inputs(arch),
        "inputs": {name: value for name, value in answer["inputs"].items() if name not in ("method", "cloud")},
        "defaulted": answer["defaulted"],
        "tier": answer["tier"],
        "services": services,
        "machines": machines,
        "totals": {name: _round3(value) for name, value in totals.items()},
        "differences": differences,
        "why_machines": why_machines(catalog, services, machines, answer),
    }


def _round3(value: float) -> float | int:
    rounded = math.floor(value * 1000 + 0.5) / 1000
    return int(rounded) if rounded == int(rounded) else rounded


@per_catalog
def resolved_architectures(catalog: Catalog) -> dict[str, Resolved]:
    """Every architecture resolved, once per catalog."""
    return {arch_id: resolve(catalog, arch) for arch_id, arch in catalog.architectures.items()}


def _largest(pods: list[dict[str, Any]], how_many: int = 4) -> str:
    """The pods with the largest CPU requests (x replicas), as 'name CPU, ...'."""
    largest = sorted(pods, key=lambda row: (-(row["cpu_request"] or 0) * row["replicas"], row["name"]))[:how_many]
    return ", ".join(f"{row['name']} {_fmt((row['cpu_request'] or 0) * row['replicas'])}" for row in largest)


def _and(items: Any) -> str:
    names = list(items)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def why_machines(catalog: Catalog, services: list[dict[str, Any]], machines: list[dict[str, Any]], answer: dict[str, Any]) -> list[str]:
    """Plain sentences saying why the plan has the machines it has, from the numbers themselves."""
    if not machines:
        return []
    model = sizing_model_json(catalog)
    machine = machines[0]
    pods = [row for row in services if not row["per_node"] and row["replicas"]]
    cpu = sum((row["cpu_request"] or 0) * row["replicas"] for row in pods)
    memory = sum((row["memory_request_gb"] or 0) * row["replicas"] for row in pods)
    biggest = _largest(pods)
    tier = next(size for size in model["sizes"] if size["id"] == answer["tier"])
    if machine["role"] != "worker nodes":
        lines = [
            f"The services request {_fmt(cpu)} CPU and {_fmt(memory)} GB together (largest: {biggest} CPU).",
            f"Size {tier['name']}'s machine in the size chart has {tier['vcpu']} vCPU and {_fmt(tier['memory_gb'])} GB.",
        ]
        if machine["vcpu"] > tier["vcpu"] or machine["memory_gb"] > tier["memory_gb"]:
            lines.append(
                f"That is less than the requests, so the machine is sized to them: at least {machine['vcpu']} vCPU and {_fmt(machine['memory_gb'])} GB."
            )
        else:
            lines.append("It holds the requests, so the plan keeps the size chart's machine.")
        lines.append(f"The data disk ({_fmt(machine.get('data_disk_gb') or 0)} GB) is the sum of every service's storage.")
        return lines
    kubernetes = model["kubernetes"]
    usable = 1 - kubernetes["headroom"]
    daemons = [row for row in services if row["per_node"]]
    daemon_cpu = sum(row["cpu_request"] or 0 for row in daemons)
    daemon_memory = sum(row["memory_request_gb"] or 0 for row in daemons)
    free_cpu = kubernetes["vcpu"] * usable - daemon_cpu
    free_memory = kubernetes["memory_gb"] * usable - daemon_memory
    count = machine["count"]
    by_sum = max(math.ceil(cpu / free_cpu - 1e-9), math.ceil(memory / free_memory - 1e-9), 1)
    lines = [
        f"The pods request {_fmt(cpu)} CPU and {_fmt(memory)} GB together (requests × replicas; largest: {biggest} CPU).",
        f"Each node has {kubernetes['vcpu']} vCPU and {_fmt(kubernetes['memory_gb'])} GB; {_fmt(kubernetes['headroom'] * 100)}% stays free, and the per-node pods "
        f"({', '.join(row['name'] for row in daemons)}) take {_fmt(daemon_cpu)} CPU and {_fmt(daemon_memory)} GB on every node, "
        f"which leaves {_fmt(free_cpu)} CPU and {_fmt(free_memory)} GB per node for the other pods.",
    ]
    if count == by_sum and count > 1:
        binding = "CPU" if cpu > (count - 1) * free_cpu else "memory"
        lines.append(
            f"{count - 1} nodes would leave room for only {_fmt((count - 1) * free_cpu)} CPU and {_fmt((count - 1) * free_memory)} GB, "
            f"too little {binding}, so the plan has {count} nodes."
        )
    elif count > by_sum:
        lines.append(
            f"By the totals {by_sum} node(s) would do, but a pod cannot be split across nodes: placing the pods largest first "
            f"(by CPU, then memory) on the first node with room fills {count} nodes."
        )
    floor = size(catalog, SizingInputs(users=1, repositories=1, method=answer["method"]))
    floor_pods = [row for row in floor["services"] if row["enabled"] and not row["per_node"]]
    floor_cpu = sum((row["cpu_request"] or 0) * row["replicas"] for row in floor_pods)
    floor_count = floor["machines"][0]["count"] if floor["machines"] else 1
    sharing = [
        other.size
        for other in sorted(catalog.architectures.values(), key=lambda a: catalog.sizes[a.size].rank)
        if other.method == answer["method"] and (reference_answer(catalog, other)["machines"] or [{}])[0].get("count") == count
    ]
    if floor_count == count:
        lines.append(
            f"Even for 1 user and 1 repository the pods request {_fmt(floor_cpu)} CPU (largest: {_largest(floor_pods)} CPU): most requests are "
            f"floors that do not grow with the size, so the smallest cluster already has {count} nodes"
            + (f", and sizes {_and(name.upper() for name in sharing)} use it." if len(sharing) > 1 else ".")
        )
    elif len(sharing) > 1:
        lines.append(f"Sizes {_and(name.upper() for name in sharing)} use the same {count} nodes: their requests fit in them.")
    lines.append(
        f"Size {tier['name']}'s single machine in the size chart has {tier['vcpu']} vCPU and {_fmt(tier['memory_gb'])} GB; a cluster must hold the sum of the requests "
        "with headroom on every node, so it is larger."
    )
    return lines


def problems(catalog: Catalog, arch: Architecture) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, message) for every way the architecture and its reference answer disagree without a recorded reason."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    answer = reference_answer(catalog, arch)
    owner = f"architecture {arch.id}"
    given = ", ".join(f"{name} {_fmt(value)}" for name, value in given_inputs(arch).items()) or "the estimator's defaults"
    if answer["tier"] != arch.size:
        driven = ", ".join(answer["driven_by"])
        out.append(
            (
                ("reference_inputs",),
                f"{owner} is size {arch.size}, but its reference inputs ({given}) need size {answer['tier']} (driven by {driven}); "
                f"give inputs within size {arch.size}",
            )
        )
        return out
    rows = {row["name"]: row for row in answer["services"]}
    enabled = {name for name, row in rows.items() if row["enabled"]}
    for index, difference in enumerate(arch.differences):
        if difference.service not in enabled:
            state = "gives no resources to" if difference.service in rows else "does not run"
            out.append(
                (
                    ("differences", index, "service"),
                    f"{owner} sets values for service '{difference.service}', but the sizing answer at its reference inputs {state} it; "
                    f"turn it on in reference_inputs or remove the difference",
                )
            )
    for item in resolve(catalog, arch)["differences"]:
        what = f"{item['service']} {item['field']}" if item["service"] else f"the machine's {item['field']}"
        if not item["differs"]:
            out.append(
                (
                    item["path"],
                    f"{owner} sets {what} to {_show(item['architecture'])}, which the sizing answer at its reference inputs already gives; remove it",
                )
            )
        elif not item["reason"]:
            out.append(
                (
                    item["path"],
                    f"{owner} sets {what} to {_show(item['architecture'])}, but the sizing answer at its reference inputs ({given}) gives "
                    f"{_show(item['sizing'])}; record why under reason:, or remove the value to take the sizing answer",
                )
            )
    return out


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    return _fmt(value) if isinstance(value, (int, float)) else str(value)


__all__ = ["FIELDS", "problems", "reference_answer", "resolve", "resolved_architectures", "why_machines"]
