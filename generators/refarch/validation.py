"""Checks across files: every reference resolves, graphs have no cycles, machines fit.

Pure: takes a loaded Catalog, returns problems. Each cross-reference message names both ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING

import networkx as nx

from .lifecycle import known_minor
from .models import LEVELS, version_key
from .problems import Problem, did_you_mean

if TYPE_CHECKING:
    from .loading import Catalog

Path_ = tuple[str | int, ...]


class _Checker:
    def __init__(self, catalog: Catalog, unloaded: set[str]):
        self.catalog = catalog
        self.unloaded = unloaded
        self.problems: list[Problem] = []

    def at(self, kind: str, entity_id: str, path: Path_, message: str) -> None:
        self.problems.append(self.catalog.origins[(kind, entity_id)].problem(path, message))

    def ref(self, kind: str, entity_id: str, path: Path_, target: str, pool: Iterable[str], what: str, owner: str) -> bool:
        """Report `target` when it is not in `pool`; `what` names the pool, `owner` the referring entity."""
        pool = set(pool)
        if target in pool:
            return True
        if target in self.unloaded:
            return False  # its file has problems of its own, already reported
        self.at(kind, entity_id, path, f"{owner} names {what} '{target}', which no {what} defines{did_you_mean(target, pool | self.unloaded) or ''}")
        return False


def _label(kind: str, entity_id: str) -> str:
    names = {
        "methods": "method",
        "platforms": "platform",
        "external_services": "external service",
        "providers": "provider",
        "options": "option",
        "sizes": "size",
        "services": "service",
        "architectures": "architecture",
    }
    return f"{names.get(kind, kind)} {entity_id}" if entity_id else kind.replace("_", " ")


def validate_catalog(catalog: Catalog, today: dt.date | None = None, unloaded: set[str] | None = None) -> list[Problem]:
    """Cross-file problems. `unloaded` holds ids whose files failed to load: references to them are not reported again."""
    c = _Checker(catalog, unloaded or set())
    _check_dates(c, today or dt.date.today())
    _check_levels_table(c)
    _check_releases(c)
    _check_methods(c)
    _check_platforms(c)
    _check_services_and_providers(c)
    _check_options(c)
    _check_sizes(c)
    _check_architectures(c)
    _check_upgrades(c)
    _check_sizing(c)
    _check_reference_answers(c)
    return sorted(set(c.problems), key=lambda p: (p.file, p.line or 0, p.key, p.message))


def _check_dates(c: _Checker, today: dt.date) -> None:
    for kind, entity_id in c.catalog.origins:
        entity = getattr(c.catalog, kind)
        entity = entity[entity_id] if entity_id else entity
        verified = getattr(entity, "verified", None)
        if verified and verified > today:
            c.at(kind, entity_id, ("verified",), f"date {verified} is in the future; set it to the day you checked the sources")


def _check_levels_table(c: _Checker) -> None:
    seen: dict[str, int] = {}
    for index, level in enumerate(c.catalog.support_levels.levels):
        if level.id in seen:
            c.at("support_levels", "", ("levels", index, "id"), f"level '{level.id}' is defined twice (also at levels[{seen[level.id]}])")
        seen[level.id] = index
    for level_id in LEVELS:
        if level_id not in seen:
            c.at("support_levels", "", ("levels",), f"level '{level_id}' is missing; the table must define every level of the vocabulary")


def _check_releases(c: _Checker) -> None:
    releases = c.catalog.releases.releases
    for index, (before, after) in enumerate(pairwise(releases), start=1):
        if version_key(after.version) <= version_key(before.version):
            c.at("releases", "", ("releases", index, "version"), f"release {after.version} comes after {before.version}; keep releases in version order, oldest first, each once")
        elif after.released < before.released:
            c.at("releases", "", ("releases", index, "released"), f"release {after.version} is dated {after.released}, before {before.version} ({before.released})")


def _known_version(c: _Checker, kind: str, entity_id: str, path: Path_, version: str | None, owner: str) -> None:
    if version and not known_minor(c.catalog, version):
        first, last = c.catalog.releases.releases[0].version, c.catalog.releases.releases[-1].version
        c.at(kind, entity_id, path, f"{owner} names version {version}, which is not a release in catalog/releases.yaml ({first} to {last})")


def _check_methods(c: _Checker) -> None:
    cat = c.catalog
    c.ref("product", "", ("recommended_method",), cat.product.recommended_method, cat.methods, "method", "the product")
    for method_id, method in cat.methods.items():
        owner = _label("methods", method_id)
        for index, size in enumerate(method.scale.sizes):
            c.ref("methods", method_id, ("scale", "sizes", index), size, cat.sizes, "size", owner)
        if method.replacement:
            c.ref("methods", method_id, ("replacement",), method.replacement, cat.methods, "method", owner)
        for key in ("introduced", "deprecated", "removed"):
            version = getattr(method.lifecycle, key)
            if version and version_key(version) >= version_key(cat.releases.releases[0].version):
                _known_version(c, "methods", method_id, ("lifecycle", key), version, owner)


def _check_platforms(c: _Checker) -> None:
    cat = c.catalog
    for platform_id, platform in cat.platforms.items():
        for index, method_id in enumerate(platform.methods):
            if c.ref("platforms", platform_id, ("methods", index), method_id, cat.methods, "method", _label("platforms", platform_id)):
                method = cat.methods[method_id]
                wanted = "kubernetes" if platform.kind == "kubernetes" else "host"
                if method.platform_kind != wanted:
                    c.at("platforms", platform_id, ("methods", index), f"platform {platform_id} is a {platform.kind} platform, but method {method_id} runs on {method.platform_kind} platforms")


def _check_services_and_providers(c: _Checker) -> None:
    cat = c.catalog
    graph: nx.DiGraph[str] = nx.DiGraph()
    for service_id, service in cat.services.items():
        owner = _label("services", service_id)
        graph.add_node(service_id)
        for index, dependency in enumerate(service.depends_on):
            if c.ref("services", service_id, ("depends_on", index), dependency, cat.services, "service", owner):
                graph.add_edge(service_id, dependency)
        if service.external:
            c.ref("services", service_id, ("external",), service.external, cat.external_services, "external service", owner)
        for method_id in service.defaults:
            c.ref("services", service_id, ("defaults", method_id), method_id, cat.methods, "method", owner)
    for cycle in _cycles(graph):
        c.at("services", cycle[0], ("depends_on",), f"services depend on each other in a cycle: {' -> '.join([*cycle, cycle[0]])}")
    for external_id, external in cat.external_services.items():
        for index, service_id in enumerate(external.replaces):
            c.ref("external_services", external_id, ("replaces", index), service_id, cat.services, "service", _label("external_services", external_id))
    for provider_id, provider in cat.providers.items():
        for index, external_id in enumerate(provider.serves):
            c.ref("providers", provider_id, ("serves", index), external_id, cat.external_services, "external service", _label("providers", provider_id))


def _cycles(graph: nx.DiGraph[str]) -> list[list[str]]:
    """One representative cycle per strongly connected component, rotated to start at its smallest id."""
    out = []
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            node = next(iter(component))
            if not graph.has_edge(node, node):
                continue
        cycle = [edge[0] for edge in nx.find_cycle(graph.subgraph(component))]
        start = cycle.index(min(cycle))
        out.append(cycle[start:] + cycle[:start])
    return sorted(out)


def _check_options(c: _Checker) -> None:
    cat = c.catalog
    requires: nx.DiGraph[str] = nx.DiGraph()
    for option_id, option in cat.options.items():
        owner = _label("options", option_id)
        requires.add_node(option_id)
        for method_id in option.methods:
            c.ref("options", option_id, ("methods", method_id), method_id, cat.methods, "method", owner)
        for index, other in enumerate(option.requires):
            if c.ref("options", option_id, ("requires", index), other, cat.options, "option", owner):
                requires.add_edge(option_id, other)
        for index, other in enumerate(option.conflicts):
            c.ref("options", option_id, ("conflicts", index), other, cat.options, "option", owner)
    for cycle in _cycles(requires):
        c.at("options", cycle[0], ("requires",), f"options require each other in a cycle: {' -> '.join([*cycle, cycle[0]])}")
    if _cycles(requires):
        return
    for option_id, option in cat.options.items():
        needed = nx.descendants(requires, option_id)
        for index, other in enumerate(option.conflicts):
            if other in needed:
                c.at("options", option_id, ("conflicts", index), f"option {option_id} both requires and conflicts with option {other}; remove one of the two")
        for needed_id in sorted(needed):
            if option_id in cat.options[needed_id].conflicts:
                c.at("options", needed_id, ("conflicts",), f"option {needed_id} conflicts with option {option_id}, which requires it; remove one of the two")


def _fits(c: _Checker, kind: str, entity_id: str, path: Path_, cloud: str, machine_id: str, vcpu: int, memory_gb: float, owner: str) -> None:
    machines = {t.id: t for t in c.catalog.machine_types.machine_types}
    if not c.ref(kind, entity_id, path, machine_id, machines, "machine type", owner):
        return
    machine = machines[machine_id]
    if machine.cloud != cloud:
        c.at(kind, entity_id, path, f"{owner} lists {machine_id} under {cloud}, but it is an {machine.cloud} machine type")
    elif machine.vcpu < vcpu or machine.memory_gb < memory_gb:
        c.at(
            kind, entity_id, path,
            f"{owner} needs {vcpu} vCPU and {memory_gb:g} GB, but {cloud} {machine_id} has {machine.vcpu} vCPU and {machine.memory_gb:g} GB; pick a larger type",
        )


def _check_sizes(c: _Checker) -> None:
    cat = c.catalog
    ranks: dict[int, str] = {}
    for size_id, size in cat.sizes.items():
        owner = _label("sizes", size_id)
        if size.rank in ranks:
            c.at("sizes", size_id, ("rank",), f"size {size_id} has rank {size.rank}, the same as size {ranks[size.rank]}; ranks order the sizes and must differ")
        ranks[size.rank] = size_id
        for cloud, machine_id in size.instance_types.items():
            _fits(c, "sizes", size_id, ("instance_types", cloud), cloud, machine_id, size.vcpu, size.memory_gb, owner)
        machines = {t.id: t for t in cat.machine_types.machine_types}
        for cloud, machine_id in size.min_instance_types.items():
            if c.ref("sizes", size_id, ("min_instance_types", cloud), machine_id, machines, "machine type", owner) and machines[machine_id].cloud != cloud:
                c.at("sizes", size_id, ("min_instance_types", cloud), f"{owner} lists {machine_id} under {cloud}, but it is an {machines[machine_id].cloud} machine type")
        if size.recommended_method:
            c.ref("sizes", size_id, ("recommended_method",), size.recommended_method, cat.methods, "method", owner)
    ordered = sorted(cat.sizes.values(), key=lambda s: s.rank)
    for smaller, larger in pairwise(ordered):
        for key in ("users", "repositories"):
            low, high = getattr(smaller.limits, key), getattr(larger.limits, key)
            if low is not None and high is not None and high < low:
                c.at("sizes", larger.id, ("limits", key), f"size {larger.id} allows {high:,} {key}, fewer than the smaller size {smaller.id} ({low:,})")


def _check_architectures(c: _Checker) -> None:
    cat = c.catalog
    for arch_id, arch in cat.architectures.items():
        owner = _label("architectures", arch_id)
        method_ok = c.ref("architectures", arch_id, ("method",), arch.method, cat.methods, "method", owner)
        size_ok = c.ref("architectures", arch_id, ("size",), arch.size, cat.sizes, "size", owner)
        if method_ok and size_ok and arch_id != f"{arch.method}-{arch.size}":
            c.at("architectures", arch_id, ("id",), f"architecture ids are <method>-<size>: expected '{arch.method}-{arch.size}'")
        _known_version(c, "architectures", arch_id, ("version",), arch.version, owner)
        for index, external_id in enumerate(arch.external):
            resolved = c.ref("architectures", arch_id, ("external", index), external_id, cat.external_services, "external service", owner)
            if resolved and method_ok and not cat.methods[arch.method].external_services:
                c.at("architectures", arch_id, ("external", index), f"{owner} allows external {external_id}, but method {arch.method} allows no external services")
        differences = arch.machine_differences
        if differences is not None:
            for cloud, machine_id in differences.instance_types.items():
                vcpu, memory = differences.vcpu or 1, differences.memory_gb or 1
                _fits(c, "architectures", arch_id, ("machine_differences", "instance_types", cloud), cloud, machine_id, vcpu, memory, owner)
        for name in ("method", "cloud"):
            if getattr(arch.reference_inputs, name) is not None:
                c.at("architectures", arch_id, ("reference_inputs", name), f"{owner} gives {name} in its reference inputs; remove it (the method is the architecture's own, {arch.method})")
        listed: dict[str, int] = {}
        for index, difference in enumerate(arch.differences):
            if difference.service in listed:
                c.at("architectures", arch_id, ("differences", index, "service"), f"{owner} lists service '{difference.service}' twice (also at differences[{listed[difference.service]}])")
            listed[difference.service] = index
            c.ref("architectures", arch_id, ("differences", index, "service"), difference.service, cat.services, "service", owner)


def _check_reference_answers(c: _Checker) -> None:
    """Each architecture agrees with the sizing answer at its reference inputs, or records why not.

    Runs only on a catalog without other problems: the sizing model needs every reference resolved.
    """
    from .architectures import problems

    if c.problems or c.unloaded:
        return
    for arch_id, arch in c.catalog.architectures.items():
        for path, message in problems(c.catalog, arch):
            c.at("architectures", arch_id, path, message)


def _check_sizing(c: _Checker) -> None:
    """catalog/sizing.yaml names services, methods, features, factors, inputs and machine types that must exist."""
    from .models.sizing import NUMERIC_INPUTS, SWITCH_INPUTS

    cat, owner = c.catalog, "the sizing model"
    sizing = cat.sizing
    for name in sizing.inputs:
        c.ref("sizing", "", ("inputs", name), name, NUMERIC_INPUTS + SWITCH_INPUTS, "sizing input", owner)
    for factor, coefficients in sizing.factors.items():
        for name in coefficients:
            c.ref("sizing", "", ("factors", factor, name), name, NUMERIC_INPUTS, "numeric sizing input", f"factor {factor}")
    for service_id, scaling in sizing.services.items():
        c.ref("sizing", "", ("services", service_id), service_id, cat.services, "service", owner)
        where = f"the sizing of service {service_id}"
        if scaling.factor:
            c.ref("sizing", "", ("services", service_id, "factor"), scaling.factor, sizing.factors, "factor", where)
        for field, formula in scaling.formulas.items():
            for sum_of_terms in formula.sums():
                for term in sum_of_terms:
                    c.ref("sizing", "", ("services", service_id, "formulas", field), term.factor, sizing.factors, "factor", where)
        for index, zero in enumerate(scaling.zero_while):
            c.ref("sizing", "", ("services", service_id, "zero_while", index, "factor"), zero.factor, sizing.factors, "factor", where)
    in_pod: dict[str, str] = {}
    for pod, members in sizing.pods.items():
        for index, service_id in enumerate(members):
            c.ref("sizing", "", ("pods", pod, index), service_id, cat.services, "service", f"pod {pod}")
            if service_id in in_pod:
                c.at("sizing", "", ("pods", pod, index), f"service {service_id} is in pod {in_pod[service_id]} and pod {pod}; a service runs in one pod")
            in_pod[service_id] = pod
    features = {service.feature for service in cat.services.values() if service.feature}
    for feature, name in sizing.features.items():
        c.ref("sizing", "", ("features", feature), feature, features, "feature", owner)
        c.ref("sizing", "", ("features", feature), name, NUMERIC_INPUTS + SWITCH_INPUTS, "sizing input", f"feature {feature}")
    with_defaults = {method_id for service in cat.services.values() for method_id in service.defaults}
    for method_id, source in sizing.resources_from.items():
        c.ref("sizing", "", ("resources_from", method_id), method_id, cat.methods, "method", owner)
        if c.ref("sizing", "", ("resources_from", method_id), source, cat.methods, "method", f"resources_from {method_id}") and source not in with_defaults:
            c.at("sizing", "", ("resources_from", method_id), f"method {method_id} takes its resources from method {source}, but no service gives defaults for {source}")
    node = sizing.kubernetes.node
    for cloud, machine_id in node.instance_types.items():
        _fits(c, "sizing", "", ("kubernetes", "node", "instance_types", cloud), cloud, machine_id, node.vcpu, node.memory_gb, "the Kubernetes node")


def _check_upgrades(c: _Checker) -> None:
    """Upgrade policy, stops, notes and migration routes name levels, methods and releases that exist."""
    cat = c.catalog
    releases = cat.releases.releases
    minors = [r.version for r in releases]
    latest = {r.version: r.latest_patch for r in releases}
    first = version_key(minors[0])
    levels = [level.id for level in cat.upgrades.downtime_levels]

    def release(kind: str, entity_id: str, path: Path_, version: str, owner: str, patch_must_be_latest: bool = False) -> None:
        minor = ".".join(version.split(".")[:2])
        if minor not in latest:
            if version_key(version) >= first:
                _known_version(c, kind, entity_id, path, version, owner)
        elif patch_must_be_latest and version.count(".") == 2 and version != latest[minor]:
            c.at(kind, entity_id, path, f"{owner} stops at {version}, but the latest {minor} patch in catalog/releases.yaml is {latest[minor]}; plans always go to the latest patch, so name {latest[minor]}")

    def level(kind: str, entity_id: str, path: Path_, value: str | None, owner: str) -> None:
        if value is not None:
            c.ref(kind, entity_id, path, value, levels, "downtime level", owner)

    policy, owner = cat.upgrades, "the upgrade policy"
    for index, level_id in enumerate(levels):
        if level_id in levels[:index]:
            c.at("upgrades", "", ("downtime_levels", index, "id"), f"downtime level '{level_id}' is defined twice")
    level("upgrades", "", ("standard", "downtime"), policy.standard.downtime, owner)
    for platform_kind, level_id in policy.standard.downtime_by_platform.items():
        level("upgrades", "", ("standard", "downtime_by_platform", platform_kind), level_id, owner)
    level("upgrades", "", ("mvu", "downtime"), policy.mvu.downtime, owner)
    release("upgrades", "", ("mvu", "since"), policy.mvu.since, owner)
    release("upgrades", "", ("automatic_mvu", "introduced"), policy.automatic_mvu.introduced, owner)
    release("upgrades", "", ("automatic_mvu", "removed"), policy.automatic_mvu.removed, owner)
    c.ref("upgrades", "", ("postgres_service",), policy.postgres_service, cat.external_services, "external service", owner)
    ranges = policy.bundled_postgres
    if version_key(ranges[0].from_version) > first:
        c.at("upgrades", "", ("bundled_postgres", 0, "from"), f"bundled_postgres starts at {ranges[0].from_version}, after the first release {minors[0]}; cover every release")
    for index, (before, after) in enumerate(pairwise(ranges), start=1):
        if before.until != after.from_version:
            c.at("upgrades", "", ("bundled_postgres", index, "from"), f"bundled_postgres ranges must follow each other: this one starts at {after.from_version}, the one before ends at {before.until}")
    if ranges[-1].until is not None:
        c.at("upgrades", "", ("bundled_postgres", len(ranges) - 1, "until"), "the last bundled_postgres range must be open-ended (no until), so every later release is covered")

    for stop_id, stop in cat.upgrade_stops.items():
        owner = f"upgrade stop {stop_id}"
        for index, method_id in enumerate(stop.when.methods):
            c.ref("upgrade_stops", stop_id, ("when", "methods", index), method_id, cat.methods, "method", owner)
        level("upgrade_stops", stop_id, ("downtime",), stop.downtime, owner)
        for index, version in enumerate(stop.at.versions):
            release("upgrade_stops", stop_id, ("at", "versions", index), version, owner, patch_must_be_latest=True)
        for key in ("from_version", "until"):
            version = getattr(stop.at, key)
            if version is not None:
                release("upgrade_stops", stop_id, ("at", "from" if key == "from_version" else key), version, owner)
        positions = [minors.index(".".join(v.split(".")[:2])) for v in stop.at.versions if ".".join(v.split(".")[:2]) in latest]
        if positions and positions != list(range(positions[0], positions[0] + len(positions))):
            c.at("upgrade_stops", stop_id, ("at", "versions"), f"{owner} lists {', '.join(stop.at.versions)}, which are not consecutive releases in order; a stop is one run of releases")
        if stop.when.hop_types:
            c.at("upgrade_stops", stop_id, ("when", "hop_types"), f"{owner} sets hop_types, which only upgrade notes use; a stop applies to the whole plan")

    for note_id, note in cat.upgrade_notes.items():
        owner = f"upgrade note {note_id}"
        for index, method_id in enumerate(note.when.methods):
            c.ref("upgrade_notes", note_id, ("when", "methods", index), method_id, cat.methods, "method", owner)
        level("upgrade_notes", note_id, ("downtime",), note.downtime, owner)
        release("upgrade_notes", note_id, ("version",), note.version, owner)

    routes: dict[tuple[str, str], str] = {}
    for route_id, route in cat.migrations.items():
        owner = f"migration {route_id}"
        c.ref("migrations", route_id, ("to_method",), route.to_method, cat.methods, "method", owner)
        level("migrations", route_id, ("downtime",), route.downtime, owner)
        if route.min_version:
            release("migrations", route_id, ("min_version",), route.min_version, owner)
        for index, method_id in enumerate(route.from_methods):
            c.ref("migrations", route_id, ("from_methods", index), method_id, cat.methods, "method", owner)
            if method_id == route.to_method:
                c.at("migrations", route_id, ("from_methods", index), f"{owner} goes from method {method_id} to itself; a route changes method")
            elif (method_id, route.to_method) in routes:
                c.at("migrations", route_id, ("from_methods", index), f"{owner} and migration {routes[(method_id, route.to_method)]} both go from {method_id} to {route.to_method}; keep one route per pair")
            routes.setdefault((method_id, route.to_method), route_id)
