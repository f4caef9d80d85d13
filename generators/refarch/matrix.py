"""The support matrix for one product version: what is supported, by method, at what level."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from .freshness import currency, freshness, version_problem
from .lifecycle import at_or_after, method_level, release_status
from .numbers import minor_of
from .problems import InputError, Problem, unknown
from .snapshot import plain

if TYPE_CHECKING:
    from .loading import Catalog
    from .models import ExternalService, VersionRule

SCHEMA_VERSION = 1


def rule_at(service: ExternalService, version: str) -> VersionRule | None:
    """The external-service version rule in force at a product version."""
    for rule in service.version_rules:
        if at_or_after(version, rule.from_version) and not (rule.until and at_or_after(version, rule.until)):
            return rule
    return None


def require_version(catalog: Catalog, version: str, key: str = "version") -> str:
    """The minor of `version` if the catalog knows it; otherwise an input problem (see freshness.version_problem)."""
    problem = version_problem(catalog, version)
    if problem:
        raise InputError([Problem("<arguments>", None, key, problem)])
    return minor_of(version)


def require_id(pool: dict[str, Any], value: str, what: str, key: str) -> str:
    if value not in pool:
        raise InputError([Problem("<arguments>", None, key, unknown(what, value, pool))])
    return value


def support_matrix(catalog: Catalog, version: str, as_of: dt.date, method_id: str | None = None) -> dict[str, Any]:
    """Everything supported at `version`, by deployment method, as plain JSON-ready data."""
    minor = require_version(catalog, version)
    if method_id is not None:
        require_id(catalog.methods, method_id, "deployment method", "method")
    status = release_status(catalog, minor, as_of)
    order: dict[str, int] = {level.id: index for index, level in enumerate(catalog.support_levels.levels)}
    methods = sorted(
        (m for m in catalog.methods.values() if method_id in (None, m.id)),
        key=lambda m: (not m.self_hosted, order.get(method_level(m, minor), len(order)), m.id),
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "product": catalog.product.id,
        "version": minor,
        "as_of": as_of.isoformat(),
        "catalog": currency(catalog),
        "release_cadence": cadence.as_dict() if (cadence := freshness(catalog).cadence) else None,
        "release": status.as_dict() if status else None,
        "levels": [plain(level) for level in catalog.support_levels.levels],
        "cpu_architectures": [{"id": a.id, "name": a.name, "level": a.level, "production": a.production} for a in catalog.cpu_architectures.architectures],
        "methods": [_method_entry(catalog, method.id, minor) for method in methods],
    }


def _method_entry(catalog: Catalog, method_id: str, version: str) -> dict[str, Any]:
    method = catalog.methods[method_id]
    level = method_level(method, version)
    current = level not in ("removed", "unavailable") and method.self_hosted
    runtime_min = method.runtime[0].min if method.runtime else None
    platforms = [
        {
            "id": p.id,
            "name": p.name,
            "level": p.level,
            "production": p.production,
            "min_version": p.min_version or runtime_min,
            "requirements": list(p.requirements),
        }
        for p in catalog.platforms.values()
        if method_id in p.methods
    ]
    externals = []
    for service in catalog.external_services.values():
        if service.since and not at_or_after(version, service.since):
            continue
        rule = rule_at(service, version)
        externals.append(
            {
                "id": service.id,
                "name": service.name,
                "allowed": method.external_services,
                "min_version": rule.min if rule else None,
                "max_version": rule.max if rule else None,
                "rule": rule.reason if rule else None,
                "providers": [
                    {"id": p.id, "name": p.name, "level": p.level if (method.external_services or p.kind == "bundled") else "not-supported"}
                    for p in catalog.providers.values()
                    if service.id in p.serves
                ],
            }
        )
    options = [
        {"id": o.id, "name": o.name, "level": o.methods[method_id], "requires": list(o.requires), "conflicts": list(o.conflicts)}
        for o in catalog.options.values()
        if method_id in o.methods and not (o.since and not at_or_after(version, o.since))
    ]
    return {
        "id": method.id,
        "name": method.name,
        "level": level,
        "self_hosted": method.self_hosted,
        "lifecycle": plain(method.lifecycle),
        "new_installs": method.new_installs,
        "replacement": method.replacement,
        "sizes": list(method.scale.sizes),
        "nodes": method.scale.nodes,
        "production": method.scale.production,
        "external_services": method.external_services,
        "mvu": method.mvu,
        "runtime": [plain(r) for r in method.runtime],
        "platforms": platforms if current else [],
        "services": externals if current else [],
        "options": options if current else [],
        "architectures": sorted(a.id for a in catalog.architectures.values() if a.method == method_id),
        "docs": method.docs,
    }
