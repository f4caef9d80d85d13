"""Generate the site's pages from the catalog (pure rendering), then build with mkdocs.

`pages()` and `assets()` are pure: catalog in, file contents out. `generate()` writes them under
site/generated/; `build()` and `serve()` hand the result to mkdocs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .feeds import LIBRARY_MADE, feed_files, feed_links, library_feeds
from .freshness import currency, freshness
from .fsutil import write_atomic, write_atomic_bytes
from .lifecycle import ReleaseStatus, at_or_after, end_of_support, exists_at, level_at, method_level, release_statuses
from .matrix import rule_at, support_matrix
from .models import Architecture, Method, Service, Size, version_key
from .models.common import CLOUD_NAMES, plain
from .problems import InputError, Problem
from .render.pages import render
from .yamlfile import dumps_json

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from .loading import Catalog

GENERATED = "generated"
NAV_ARCHITECTURES = "architectures/.nav"
CURRENCY_FILE = ".catalog-currency"
DOWNLOADS = "downloads"
FLEET_PAGE = "fleet.md"
SCHEMA_VERSION = 1
GONE = ("removed", "unavailable")
AUDIENCES = ("public", "internal")
"""public: for prospects and customers; internal: adds the exception process's thresholds, routing and triage."""
# Catalog parts that only the internal build publishes: the exception policy's thresholds and routes.
INTERNAL_ONLY = ("exception_policy",)


def catalog_version(catalog: Catalog) -> str:
    """A short fingerprint of the catalog's content and its newest verification date."""
    digest = hashlib.blake2b(digest_size=4)
    newest = dt.date.min
    for (_, _), origin in sorted(catalog.origins.items()):
        digest.update(origin.file.encode())
    for kind, entity_id in sorted(catalog.origins):
        entity = getattr(catalog, kind)
        entity = entity[entity_id] if entity_id else entity
        digest.update(json.dumps(plain(entity), sort_keys=True).encode())
        newest = max(newest, getattr(entity, "verified", dt.date.min))
    return f"{newest.isoformat()}+{digest.hexdigest()}"


# --- facts the pages share ----------------------------------------------------------------


@dataclass
class Facts:
    """What every page needs to know about the catalog on the build date."""

    catalog: Catalog
    as_of: dt.date
    statuses: list[ReleaseStatus]
    latest: str
    level_order: dict[str, int]
    version: str
    sizes: list[Size] = field(default_factory=list)

    @property
    def product(self) -> Any:
        return self.catalog.product

    def passes(self, level_id: str) -> bool:
        """Whether a support level passes a check (warn and fail levels do not), as the matrix and the checker read it."""
        return next(level.outcome for level in self.catalog.support_levels.levels if level.id == level_id) == "pass"

    def method_now(self, method: Method) -> str:
        return method_level(method, self.latest)

    def current_methods(self) -> list[Method]:
        """Self-hosted methods that still exist at the latest release, best level first."""
        methods = [m for m in self.catalog.methods.values() if m.self_hosted and self.method_now(m) not in GONE]
        return sorted(methods, key=lambda m: (self.level_order[self.method_now(m)], m.id != self.product.recommended_method, m.id))

    def architecture_for(self, method_id: str, size_id: str) -> Architecture | None:
        return next((a for a in self.catalog.architectures.values() if a.method == method_id and a.size == size_id), None)


def facts(catalog: Catalog, as_of: dt.date) -> Facts:
    statuses = release_statuses(catalog, as_of)
    released = [s for s in statuses if s.status != "upcoming"] or statuses
    return Facts(
        catalog=catalog,
        as_of=as_of,
        statuses=statuses,
        latest=released[-1].version,
        level_order={level.id: index for index, level in enumerate(catalog.support_levels.levels)},
        version=catalog_version(catalog),
        sizes=sorted(catalog.sizes.values(), key=lambda s: s.rank),
    )


def method_status(f: Facts, method: Method, version: str | None = None) -> list[str]:
    """Plain sentences about where a method stands at a version (default: the latest release)."""
    version = version or f.latest
    life = method.lifecycle
    level = level_at(life, method.level, version)
    replacement = f.catalog.methods[method.replacement].name if method.replacement else None
    out = []
    if level == "unavailable":
        out.append(f"Not available before {life.introduced}.")
    elif level == "removed":
        out.append(f"Removed in {life.removed}: it no longer exists from that version on.")
    else:
        if life.deprecated and at_or_after(version, life.deprecated):
            out.append(f"Deprecated since {life.deprecated}.")
        elif level == "deprecated":
            out.append("Deprecated.")
        if life.removed:
            out.append(f"Will be removed in {life.removed}.")
        elif life.deprecation_planned:
            out.append(f"{f.catalog.product.name} plans to deprecate it; no version has been announced yet.")
        if life.introduced:
            out.append(f"Available since {life.introduced}.")
    if replacement and (level in ("removed", "deprecated") or method.new_installs == "discouraged"):
        out.append(f"For new installs, use {replacement}.")
    elif method.new_installs == "discouraged":
        out.append("Not for new installs.")
    return out


def lifecycle_events(catalog: Catalog) -> list[dict[str, str]]:
    """Every dated change in the catalog: methods, services, options, external services and their version rules."""
    events: list[dict[str, str]] = []

    def add(version: str | None, what: str) -> None:
        if version:
            events.append({"version": version, "what": what})

    for method in catalog.methods.values():
        add(method.lifecycle.introduced, f"Deployment method {method.name} is available.")
        add(method.lifecycle.deprecated, f"Deployment method {method.name} is deprecated.")
        add(method.lifecycle.removed, f"Deployment method {method.name} is removed.")
    for service in catalog.services.values():
        add(service.lifecycle.introduced, f"Service {service.name} is added.")
        add(service.lifecycle.deprecated, f"Service {service.name} is deprecated.")
        add(service.lifecycle.removed, f"Service {service.name} is removed.")
    for option in catalog.options.values():
        add(option.since, f"Option {option.name} is available.")
    for ext in catalog.external_services.values():
        add(ext.since, f"External {ext.name} can be used.")
        for rule in ext.version_rules:
            add(rule.from_version, f"External {ext.name} must be version {rule.min} or later.")
    return sorted(events, key=lambda e: (version_key(e["version"]), e["what"]))


# --- one context per page kind ---------------------------------------------------------------


def _sources(entity: Any) -> dict[str, Any]:
    return {"notes": list(entity.notes), "sources": list(entity.sources), "disagreements": list(entity.disagreements), "verified": entity.verified}


def deployment_options_page(f: Facts) -> dict[str, Any]:
    catalog = f.catalog
    current = f.current_methods()
    others = [m for m in catalog.methods.values() if m.self_hosted and m not in current]
    managed = [m for m in catalog.methods.values() if not m.self_hosted]
    methods = []
    for method in [*current, *sorted(others, key=lambda m: m.id), *managed]:
        methods.append(
            {
                "method": method,
                "level": f.method_now(method),
                "status": method_status(f, method),
                # Split by the same support levels as the matrix: a platform the matrix rates not supported is not "runs on".
                "platforms": [p for p in catalog.platforms.values() if method.id in p.methods and f.passes(p.level)],
                "other_platforms": [p for p in catalog.platforms.values() if method.id in p.methods and not f.passes(p.level)],
                "sizes": [
                    {"size": f.catalog.sizes[s], "architecture": f.architecture_for(method.id, s)}
                    for s in sorted(method.scale.sizes, key=lambda s: f.catalog.sizes[s].rank)
                ],
                **_sources(method),
            }
        )
    return {
        "product": f.product,
        "latest": f.latest,
        "recommended": catalog.methods[f.product.recommended_method],
        "current": current,
        "methods": methods,
        "platforms": sorted(catalog.platforms.values(), key=lambda p: (p.kind, f.level_order[p.level], p.name)),
        "methods_by_id": catalog.methods,
        "levels_by_id": {level.id: level for level in catalog.support_levels.levels},
    }


def support_matrix_page(f: Facts) -> dict[str, Any]:
    catalog = f.catalog
    supported = [s for s in f.statuses if s.status == "supported"]
    newest_per_major: dict[str, ReleaseStatus] = {}
    for status in supported:
        newest_per_major[status.version.split(".")[0]] = status
    chosen = sorted(newest_per_major.values(), key=lambda s: version_key(s.version), reverse=True)
    events = lifecycle_events(catalog)
    versions = []
    for status in chosen:
        major = status.version.split(".")[0]
        first = min((s.version for s in supported if s.version.split(".")[0] == major), key=version_key)
        matrix = support_matrix(catalog, status.version, f.as_of)
        platform_methods = [m for m in matrix["methods"] if m["platforms"]]
        grid = {p.id: {m["id"]: next((q for q in m["platforms"] if q["id"] == p.id), None) for m in platform_methods} for p in catalog.platforms.values()}
        versions.append(
            {
                "version": status.version,
                "first": first,
                "major": major,
                "matrix": matrix,
                "platform_methods": platform_methods,
                "platforms": [p for p in catalog.platforms.values() if any(grid[p.id].values())],
                "grid": grid,
                # External services are the same for every method that allows them; the first such method says which.
                "externals": next((m["services"] for m in matrix["methods"] if m["services"] and m["external_services"]), []),
                "changes": [e for e in events if e["version"].split(".")[0] == major],
            }
        )
    option_methods = [m for m in f.current_methods() if any(m.id in o.methods for o in catalog.options.values())]
    return {
        "product": f.product,
        "as_of": f.as_of,
        "versions": versions,
        "levels": catalog.support_levels.levels,
        "options": sorted(catalog.options.values(), key=lambda o: (o.category, o.name)),
        "option_methods": option_methods,
        "external_services": [
            {"service": ext, "providers": [p for p in catalog.providers.values() if ext.id in p.serves], "rules": ext.version_rules, **_sources(ext)}
            for ext in catalog.external_services.values()
        ],
        "providers": catalog.providers,
        "cpu_architectures": catalog.cpu_architectures,
        "services": catalog.services,
        "methods": catalog.methods,
        "cloud_names": CLOUD_NAMES,
    }


def topology(services: dict[str, Service], present: list[str]) -> dict[str, Any]:
    """The service dependency graph restricted to `present`: nodes grouped by role, edges from depends_on."""
    keep = set(present)
    groups: dict[str, list[Service]] = {}
    for service_id in present:
        groups.setdefault(services[service_id].role, []).append(services[service_id])
    edges = [(s, d) for s in present for d in services[s].depends_on if d in keep]
    return {"groups": sorted(groups.items()), "edges": edges}


def architecture_page(f: Facts, arch: Architecture) -> dict[str, Any]:
    from .architectures import resolved_architectures

    catalog = f.catalog
    method, size = catalog.methods[arch.method], catalog.sizes[arch.size]
    resolved = resolved_architectures(catalog)[arch.id]
    rows = [{"service": catalog.services[row["name"]], "allocation": row} for row in resolved["services"]]
    external = []
    for ext_id in arch.external:
        ext = catalog.external_services[ext_id]
        rule = rule_at(ext, arch.version)
        external.append({"service": ext, "rule": rule, "providers": [p for p in catalog.providers.values() if ext_id in p.serves and p.kind != "bundled"]})
    machines = resolved["machines"]
    return {
        "architecture": arch,
        "method": method,
        "size": size,
        "rows": rows,
        "totals": resolved["totals"],
        "resolved": resolved,
        "differences": [d for d in resolved["differences"] if d["differs"]],
        "machines": machines,
        "clouds": [c for c in CLOUD_NAMES if any(m["instance_types"].get(c) for m in machines)],
        "cloud_names": CLOUD_NAMES,
        "topology": topology(catalog.services, [row["name"] for row in resolved["services"]]),
        "external": external,
        "multi_node": method.scale.nodes == "multi",
        **_sources(arch),
    }


def architectures_index_page(f: Facts) -> dict[str, Any]:
    methods = f.current_methods()
    grid = []
    for size in f.sizes:
        cells = []
        for method in methods:
            arch = f.architecture_for(method.id, size.id)
            serves = size.id in method.scale.sizes
            cells.append({"method": method, "architecture": arch, "serves": serves})
        grid.append({"size": size, "cells": cells})
    archs = sorted(f.catalog.architectures.values(), key=lambda a: (a.method, f.catalog.sizes[a.size].rank))
    return {
        "methods": methods,
        "grid": grid,
        "architectures": [{"architecture": a, "size": f.catalog.sizes[a.size], "method": f.catalog.methods[a.method]} for a in archs],
    }


def services_page(f: Facts) -> dict[str, Any]:
    catalog = f.catalog
    services = sorted(catalog.services.values(), key=lambda s: (s.role, s.id))
    current = [s.id for s in services if exists_at(s.lifecycle, f.latest)]
    method_ids = sorted({m for s in services for m in s.defaults}, key=lambda m: (f.level_order[f.method_now(catalog.methods[m])], m))
    return {
        "services": services,
        "latest": f.latest,
        "topology": topology(catalog.services, current),
        "methods": [catalog.methods[m] for m in method_ids],
        "external_services": catalog.external_services,
    }


def sizing_page(f: Facts) -> dict[str, Any]:
    archs = sorted(f.catalog.architectures.values(), key=lambda a: (a.method, f.catalog.sizes[a.size].rank))
    return {
        "sizes": f.sizes,
        "product": f.product,
        "methods": f.current_methods(),
        "methods_by_id": f.catalog.methods,
        "model": sizing_model(f.catalog),
        "architectures": archs,
        "cloud_names": CLOUD_NAMES,
    }


def _size_condition(size: Size, short: bool = False, beyond: bool = False) -> str:
    """'up to 500 users and 5,000 repositories'; short: '≤ 500 users, ≤ 5,000 repos'; beyond: 'more than ... or ...'."""
    limits = size.limits
    parts = []
    if limits.users:
        parts.append((f"{limits.users:,} users", f"{limits.users:,} users"))
    if limits.repositories:
        parts.append((f"{limits.repositories:,} repositories", f"{limits.repositories:,} repos"))
    if not parts:
        return "any scale"
    if beyond:
        return ("> " + " or > ".join(p[1] for p in parts)) if short else "more than " + " or ".join(p[0] for p in parts)
    return ("≤ " + ", ≤ ".join(p[1] for p in parts)) if short else "up to " + " and ".join(p[0] for p in parts)


def decision_tree(f: Facts) -> dict[str, Any]:
    """Which method and architecture to read, from the methods' scale (sizes, nodes, production) and the size limits."""
    catalog = f.catalog

    def pick(size: Size, nodes: str) -> Method | None:
        preferred = size.recommended_method or f.product.recommended_method
        candidates = [
            m
            for m in f.current_methods()
            if m.scale.production
            and m.scale.nodes == nodes
            and size.id in m.scale.sizes
            and f.method_now(m) not in ("deprecated", *GONE)
            and m.new_installs == "allowed"
        ]
        candidates.sort(key=lambda m: (f.level_order[f.method_now(m)], m.id != preferred, m.id))
        return candidates[0] if candidates else None

    rows = []
    for size in f.sizes:
        leaves = {}
        for nodes in ("multi", "single"):
            method = pick(size, nodes)
            leaves[nodes] = {"method": method, "architecture": f.architecture_for(method.id, size.id) if method else None}
        rows.append({"size": size, "condition": _size_condition(size), "short": _size_condition(size, short=True), "leaves": leaves})
    trial_methods = [m for m in f.current_methods() if not m.scale.production]
    smallest = f.sizes[0]
    trial = trial_methods[0] if trial_methods else pick(smallest, "single") or pick(smallest, "multi")
    managed = [m for m in catalog.methods.values() if not m.self_hosted and f.method_now(m) not in GONE]
    largest = f.sizes[-1]
    return {
        "rows": rows,
        "trial": {"method": trial, "size": smallest, "architecture": f.architecture_for(trial.id, smallest.id) if trial else None},
        "managed": managed,
        "largest": largest,
        "beyond_condition": _size_condition(largest, beyond=True),
        "beyond_short": _size_condition(largest, short=True, beyond=True),
    }


def choosing_page(f: Facts) -> dict[str, Any]:
    return {"tree": decision_tree(f), "product": f.product}


def releases_page(f: Facts, stops: list[dict[str, Any]]) -> dict[str, Any]:
    releases = {r.version: r for r in f.catalog.releases.releases}
    rows = [{"status": s, "release": releases[s.version], "eol": end_of_support(f.catalog, releases[s.version])} for s in reversed(f.statuses)]
    return {
        "product": f.product,
        "as_of": f.as_of,
        "rows": rows,
        "latest": f.latest,
        "policy": f.product.support_policy,
        "methods": [m for m in f.current_methods()],
        "upgrades": f.catalog.upgrades,
        "stops": stops,
        "releases": f.catalog.releases,
        "currency": currency(f.catalog),
        "freshness": freshness(f.catalog),
    }


def upgrade_planner_page(f: Facts) -> dict[str, Any]:
    """The planner's form (every release, the methods that upgrade in place, the database choices) and its glossary."""
    catalog = f.catalog
    versions = [r.version for r in catalog.releases.releases]
    methods = [m for m in f.current_methods() if m.self_hosted]
    majors = sorted({major for period in catalog.upgrades.bundled_postgres for major in period.majors}, key=int)
    postgres_choices = [{"value": f"bundled-{major}", "label": f"bundled PostgreSQL {major}"} for major in majors]
    postgres_choices += [{"value": f"external-{major}", "label": f"external PostgreSQL {major}"} for major in majors]
    supported = [s.version for s in f.statuses if s.status == "supported"]
    return {
        "versions": versions,
        "default_from": supported[0] if supported else versions[0],
        "methods": methods,
        "postgres_choices": postgres_choices,
        "downtime_levels": catalog.upgrades.downtime_levels,
        "upgrades": catalog.upgrades,
        "planner": {
            # The page is generated/upgrade-planner/ under the site root; `refarch serve` puts the API at /api/v1 beside it.
            "api": "../../api/v1/upgrade-plan",
            "downtime": {level.id: {"label": level.label, "summary": level.summary, "outage": level.outage} for level in catalog.upgrades.downtime_levels},
        },
    }


def exception_request_template() -> str:
    """An empty exception request as commented YAML, written from the request model's fields and descriptions."""
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    from .models.requirements import ExceptionRequest

    lines = [
        "# An exception request. The easiest way to make one is `refarch exception new requirements.yaml`,",
        "# which fills in the deviations for you. Otherwise fill this in by hand and send it to Support.",
    ]

    def placeholder(annotation: Any, default: Any, required: bool) -> str:
        if not required and default is None:
            return "null"
        if default not in (None, "") and not callable(default) and not isinstance(default, BaseModel):
            return json.dumps(default.isoformat() if isinstance(default, dt.date) else default)
        text = str(annotation)
        if "list" in text:
            return "[]"
        if "dict" in text:
            return "{}"
        if "date" in text:
            return '""  # YYYY-MM-DD'
        return '""' if "str" in text else "null"

    def walk(model: type[BaseModel], indent: str) -> None:
        for name, info in model.model_fields.items():
            if name == "schema_version":
                lines.append(f"{indent}{name}: {info.default}")
                continue
            key = info.alias or name
            if info.description:
                lines.append(f"{indent}# {info.description}")
            nested = info.annotation if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel) else None
            if nested is not None:
                lines.append(f"{indent}{key}:")
                walk(nested, indent + "  ")
            else:
                default = info.default if info.default is not PydanticUndefined else None
                lines.append(f"{indent}{key}: {placeholder(info.annotation, default, info.is_required())}")

    walk(ExceptionRequest, "")
    return "\n".join(lines) + "\n"


def exception_questions() -> list[dict[str, Any]]:
    """The five questions of the exception policy, from the request model's field descriptions (each starts "Qn:")."""
    from .models.requirements import Answers

    questions: dict[str, list[dict[str, str]]] = {}
    for name, info in Answers.model_fields.items():
        match = re.match(r"(Q\d): (.*)", info.description or "")
        if match:
            text = match.group(2)
            questions.setdefault(match.group(1), []).append({"text": text[:1].upper() + text[1:], "field": name})
    return [{"number": number, "asks": asks} for number, asks in sorted(questions.items())]


def exceptions_page(f: Facts, files: dict[str, str]) -> dict[str, Any]:
    from .models.requirements import RULES

    return {
        "levels": f.catalog.support_levels.levels,
        "questions": exception_questions(),
        "policy": f.catalog.exception_policy,
        "rules": RULES,
        "request_template": f"{DOWNLOADS}/exception-request-template.yaml",
    }


def downloads_page(f: Facts, files: dict[str, str]) -> dict[str, Any]:
    schemas = sorted(name for name in files if name.startswith(f"{DOWNLOADS}/schema/"))
    return {"files": files, "schemas": schemas, "version": f.version, "product": f.product}


# --- assets: machine-readable files beside the pages -------------------------------------


def catalog_json(catalog: Catalog, version: str | None = None, leave_out: tuple[str, ...] = ()) -> str:
    """The whole catalog as one JSON document, in the shape of the models (what the schemas describe), less `leave_out`."""
    from .loading import KINDS

    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "catalog_version": version or catalog_version(catalog)}
    for kind in KINDS:
        if kind.name in leave_out:
            continue
        value = getattr(catalog, kind.name)
        if kind.many:
            data[kind.name] = {key: plain(entity) for key, entity in value.items()}
        else:
            data[kind.name] = plain(value)
    return dumps_json(data)


def sizing_model(catalog: Catalog) -> dict[str, Any] | None:
    """The sizing engine's data, if the sizing engine is installed."""
    try:
        from . import sizing
    except ImportError:
        return None
    model: dict[str, Any] = sizing.sizing_model_json(catalog)
    return model


def assets(catalog: Catalog, schemas: dict[str, str] | None = None, version: str | None = None, audience: str = "public") -> dict[str, str]:
    """Downloadable files, relative to site/generated/: the catalog, its schemas, the sizing model, the request template.

    `schemas` (file name -> text) are the committed schema files; without them they are rendered from the models,
    which gives the same text (`refarch schema --check` guards that) but takes longer.
    """
    if schemas is None:
        from .schema import render_all

        schemas = render_all()
    out = {f"{DOWNLOADS}/catalog.json": catalog_json(catalog, version, () if audience == "internal" else INTERNAL_ONLY)}
    for name, text in sorted(schemas.items()):
        out[f"{DOWNLOADS}/schema/{name}"] = text
    out[f"{DOWNLOADS}/exception-request-template.yaml"] = exception_request_template()
    model = sizing_model(catalog)
    if model is not None:
        # Not key-sorted: the engine (and the calculator) read some of the model's lists in its order.
        out[f"{DOWNLOADS}/sizing-model.json"] = json.dumps(model, indent=2, ensure_ascii=False) + "\n"
    return out


def required_stops(catalog: Catalog) -> list[dict[str, Any]]:
    """Required upgrade stops, from the upgrade planner's own data."""
    from .upgrades import required_stops as planner_stops

    return planner_stops(catalog)


# --- the whole site ------------------------------------------------------------------------


def pages(
    catalog: Catalog,
    as_of: dt.date,
    schemas: dict[str, str] | None = None,
    audience: str = "public",
    deploy: dict[str, Any] | None = None,
    library_feeds: bool = True,
) -> dict[str, str]:
    """Relative path under site/generated/ -> file content (Markdown pages and downloads). No I/O.

    With `deploy` (catalog/deploy/ data), every architecture page offers its override file as a download.
    Without `library_feeds`, the feeds.LIBRARY_MADE files are left out (someone else makes them).
    """
    from .deploy.generate import for_architecture

    f = facts(catalog, as_of)
    if audience not in AUDIENCES:
        raise ValueError(f"audience {audience!r}: expected one of {', '.join(AUDIENCES)}")
    configs = {arch_id: for_architecture(catalog, deploy, arch_id) for arch_id in catalog.architectures} if deploy is not None else {}
    files = assets(catalog, schemas, f.version, audience)
    out = dict(files)
    # The footer's catalog version: build() reads it back, so a plain `mkdocs build` of these files needs no catalog.
    out[".catalog-version"] = f.version + "\n"
    out[CURRENCY_FILE] = render("partials/currency.md.j2", currency=currency(catalog)).strip() + "\n"
    common = {"as_of": as_of, "latest": f.latest, "product": f.product, "audience": audience}
    page: Callable[[str, dict[str, Any]], str] = lambda template, ctx: render(template, **{**common, **ctx})  # noqa: E731
    out["deployment-options.md"] = page("deployment-options.md.j2", deployment_options_page(f))
    out["support-matrix.md"] = page("support-matrix.md.j2", support_matrix_page(f))
    out["architectures/index.md"] = page("architectures-index.md.j2", architectures_index_page(f))
    ordered = sorted(
        catalog.architectures.values(), key=lambda a: (f.level_order[f.method_now(catalog.methods[a.method])], a.method, catalog.sizes[a.size].rank)
    )
    for arch in ordered:
        config = configs.get(arch.id)
        if config is not None:
            out[f"config/{arch.id}/{config['file_name']}"] = config["content"]
        out[f"architectures/{arch.id}.md"] = page("architecture.md.j2", {**architecture_page(f, arch), "config": config})
    # The nav order of the architecture pages (mkdocs.yml cannot list them): best method first, then by size.
    out[NAV_ARCHITECTURES] = "".join(f"architectures/{arch.id}.md\n" for arch in ordered)
    out["services.md"] = page("services.md.j2", services_page(f))
    out["sizing.md"] = page("sizing.md.j2", {**sizing_page(f), "configs": configs})
    out["choosing.md"] = page("choosing.md.j2", choosing_page(f))
    feeds = feed_files(catalog, as_of, library_made=library_feeds)
    out.update(feeds)
    out["releases.md"] = page("releases.md.j2", {**releases_page(f, required_stops(catalog)), "feeds": feed_links(feeds)})
    out["upgrade-planner.md"] = page("upgrade-planner.md.j2", upgrade_planner_page(f))
    out["exceptions.md"] = page("exceptions.md.j2", exceptions_page(f, files))
    out["downloads.md"] = page("downloads.md.j2", downloads_page(f, files))
    return out


KEY_FILE = ".generated-key"


def generation_key(catalog_root: Path, as_of: dt.date, schema_dir: Path | None = None, audience: str = "public") -> str:
    """What the generated files depend on: the catalog files, refarch's code and templates, the schemas and the date."""
    from .cache import catalog_key

    digest = hashlib.blake2b(digest_size=16)
    from importlib import metadata

    # The vendored browser files come from this package: a new version of it must be copied again.
    digest.update(f"{catalog_key(catalog_root)}|{as_of.isoformat()}|mermaidx {metadata.version('mermaidx')}|{audience}".encode())
    templates = Path(__file__).resolve().parent / "render" / "templates"
    for path in sorted([*templates.rglob("*.j2"), *(schema_dir.glob("*.schema.json") if schema_dir and schema_dir.is_dir() else [])]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def up_to_date(site_dir: Path, key: str) -> bool:
    """Whether site_dir/generated/ was written for exactly this key (then generating again would write the same files)."""
    stamp = site_dir / GENERATED / KEY_FILE
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == key


def generate(
    catalog: Catalog,
    site_dir: Path,
    as_of: dt.date | None = None,
    schema_dir: Path | None = None,
    key: str | None = None,
    extra: dict[str, str] | None = None,
    audience: str = "public",
    library_feeds: bool = True,
) -> list[Path]:
    """Write every generated file under site_dir/generated/, replacing what was there.

    schema_dir holds the committed *.schema.json files to publish (default: render them from the models);
    extra holds more files (path under generated/ -> text) made from other inputs, such as the fleet page.
    Without `library_feeds`, the feeds.LIBRARY_MADE files are neither written nor removed (write_library_feeds
    writes them). Unchanged files are left alone, so a live-reloading server does not rebuild for nothing.
    """
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    target = site_dir / GENERATED
    schemas = None
    if schema_dir is not None and schema_dir.is_dir():
        schemas = {path.name: path.read_text(encoding="utf-8") for path in sorted(schema_dir.glob("*.schema.json"))}
    from .deploy.data import load as load_deploy
    from .deploy.data import present

    with_deploy = catalog.root is not None and present(catalog.root)
    rendered = pages(catalog, as_of, schemas, audience, load_deploy(catalog.root) if with_deploy and catalog.root is not None else None, library_feeds)
    from .vendor import site_files

    vendored = {file.path: file.data for file in site_files()}  # bytes as shipped: 3.5 MB of mermaid need no decoding
    rendered.update(extra or {})
    if key is not None:
        rendered[KEY_FILE] = key + "\n"
    if target.exists():
        for old in target.rglob("*"):
            relative = old.relative_to(target).as_posix()
            if old.is_file() and relative not in rendered and relative not in vendored and (library_feeds or not _library_made(relative)):
                old.unlink()
    for relative, data in vendored.items():
        _write_changed_bytes(target / relative, data)
    written = []
    for relative, text in sorted(rendered.items()):
        path = target / relative
        _write_changed(path, text)
        if relative.endswith(".md"):
            written.append(path)
    return written


def _library_made(relative: str) -> bool:
    """One of feeds.LIBRARY_MADE, or the temporary file write_atomic is writing it through (in the same folder)."""
    folder, _, name = relative.rpartition("/")
    return any(
        relative == made or (folder == made.rpartition("/")[0] and name.startswith(f".{made.rpartition('/')[2]}.") and name.endswith(".tmp"))
        for made in LIBRARY_MADE
    )


def write_library_feeds(catalog: Catalog, site_dir: Path, as_of: dt.date) -> None:
    """Write the feeds.LIBRARY_MADE files under site_dir/generated/ (what generate(..., library_feeds=False) leaves out)."""
    for relative, text in library_feeds(catalog, as_of).items():
        _write_changed(site_dir / GENERATED / relative, text)


def _write_changed(path: Path, text: str) -> None:
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        write_atomic(path, text)


def _write_changed_bytes(path: Path, data: bytes) -> None:
    if not (path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data):
        write_atomic_bytes(path, data)


def site_config(root: Path, out: Path, built: dt.date | None = None) -> MkDocsConfig:
    """mkdocs.yml, strict, with the footer (catalog version, build date) and the generated architecture pages in the nav."""
    return _finish_config(_load_config(root, out), root, built)


def _load_config(root: Path, out: Path) -> MkDocsConfig:
    """mkdocs.yml as mkdocs reads it (this imports the theme and the Markdown extensions); needs no generated page."""
    from mkdocs.config import load_config

    # absolute: mkdocs reads a relative site_dir against mkdocs.yml's folder, so --root x would build into x/x/build/site
    return load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(out.absolute()), strict=True)


def _finish_config(config: MkDocsConfig, root: Path, built: dt.date | None) -> MkDocsConfig:
    """Add what the generated pages decide: the footer's catalog version and the architecture pages in the nav."""
    version_file = root / "site" / GENERATED / ".catalog-version"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else "unknown"
    built = built or dt.datetime.now(dt.UTC).date()
    config["copyright"] = f"Catalog {version} · built {built.isoformat()}"
    currency_file = root / "site" / GENERATED / CURRENCY_FILE
    if currency_file.exists():
        config["copyright"] += f" · {currency_file.read_text(encoding='utf-8').strip()}"
    order_file = root / "site" / GENERATED / NAV_ARCHITECTURES
    listed = order_file.read_text(encoding="utf-8").split() if order_file.exists() else []
    config["nav"] = _with_architectures(config["nav"], [f"{GENERATED}/{path}" for path in listed])
    if (root / "site" / GENERATED / FLEET_PAGE).exists():  # built with --fleet: the page mkdocs.yml cannot list
        config["nav"] = [*config["nav"], {"Fleet": f"{GENERATED}/{FLEET_PAGE}"}]
    return config


def _with_architectures(nav: Any, pages: list[str]) -> Any:
    """Add each architecture page to the nav section that holds the architectures index (mkdocs.yml cannot list generated files)."""
    index = f"{GENERATED}/architectures/index.md"
    if isinstance(nav, list):
        if index in nav or any(isinstance(item, dict) and index in item.values() for item in nav):
            listed = {v for item in nav for v in (item.values() if isinstance(item, dict) else [item])}
            return nav + [p for p in pages if p not in listed]
        return [_with_architectures(item, pages) for item in nav]
    if isinstance(nav, dict):
        return {key: _with_architectures(value, pages) for key, value in nav.items()}
    return nav


def build(root: Path, site_dir: Path | None = None, built: dt.date | None = None, config: MkDocsConfig | None = None) -> Path:
    """mkdocs build --strict of root/mkdocs.yml into root/build/site; the footer names the catalog version and build date.

    `config` is mkdocs.yml already loaded by _load_config() for the same site_dir, if the caller has it.
    """
    import shutil

    from mkdocs.commands.build import build as mkdocs_build

    out = site_dir or root / "build" / "site"
    config = _finish_config(config if config is not None else _load_config(root, out), root, built)
    if out.exists():
        shutil.rmtree(out)
    mkdocs_build(config)
    return out


def generate_and_build(
    load: Callable[[], Catalog],
    root: Path,
    as_of: dt.date,
    schema_dir: Path | None = None,
    key: str | None = None,
    extra: dict[str, str] | None = None,
    audience: str = "public",
) -> tuple[Path, int]:
    """Generate the pages from the catalog `load()` returns, then build the site: (the built site, pages written).

    Where the system can fork, a child process loads the catalog and writes the pages while this process
    loads mkdocs and its configuration, then writes the Atom feed and the calendar, so the two use both cores;
    the files written are the same.
    """
    if not hasattr(os, "fork"):
        written = generate(load(), root / "site", as_of, schema_dir, key=key, extra=extra, audience=audience)
        return build(root, built=as_of), len(written)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: generate, report through the pipe, and leave without running the parent's cleanup
        os.close(read_end)
        try:
            written = generate(load(), root / "site", as_of, schema_dir, key=key, extra=extra, audience=audience, library_feeds=False)
            outcome: tuple[str, Any] = ("ok", len(written))
        except InputError as error:
            outcome = ("input", error.problems)
        except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
            outcome = ("error", f"{type(error).__name__}: {error}")
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(write_end)
    try:
        config = _load_config(root, root / "build" / "site")
        with contextlib.suppress(InputError):  # the child reports the same problems
            write_library_feeds(load(), root / "site", as_of)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            report = pipe.read()
        os.waitpid(pid, 0)
    status, value = pickle.loads(report) if report else ("error", "the page generator stopped without a report")
    if status == "input":
        raise InputError(cast(list[Problem], value))
    if status == "error":
        raise RuntimeError(f"generating the pages failed: {value}")
    return build(root, built=as_of, config=config), int(value)


def serve(
    root: Path, load_catalog: Callable[[], Catalog], watch: Iterable[Path], host: str = "127.0.0.1", port: int = 8000, schema_dir: Path | None = None
) -> None:
    """Generate, build and serve with live reload; a change to a watched path (catalog, pages, mkdocs.yml) rebuilds."""
    import shutil
    import tempfile

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.livereload import LiveReloadServer

    out = Path(tempfile.mkdtemp(prefix="refarch-site-"))

    def builder() -> None:
        generate(load_catalog(), root / "site", schema_dir=schema_dir)
        config = site_config(root, out)
        config["site_url"] = f"http://{host}:{port}/"
        mkdocs_build(config, serve_url=config["site_url"])

    builder()
    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(out))
    for watched in watch:
        if watched.exists():
            server.watch(str(watched))
    try:
        server.serve()  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(out, ignore_errors=True)
