"""What changed in support between two catalogs, and whom it affects. Pure: two loaded catalogs in, a report out.

Levels are compared at every product version either catalog lists, so adding a release shows up only as a
release added, and a moved deprecation shows up at exactly the versions whose level it changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..lifecycle import end_of_support, exists_at, level_at
from ..models import version_key
from ..problems import InputError

if TYPE_CHECKING:
    from ..loading import Catalog
    from .inventory import Inventory

SCHEMA_VERSION = 1
ABSENT = "absent"  # the entity or the offer does not exist in that catalog


def _versions(old: Catalog, new: Catalog) -> list[str]:
    return sorted({r.version for r in old.releases.releases} | {r.version for r in new.releases.releases}, key=version_key)


def runs(versions: Sequence[str], before: Callable[[str], str], after: Callable[[str], str]) -> list[dict[str, str]]:
    """Runs of consecutive versions where the value differs, one per (before, after) pair: [{versions, from, to}]."""
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for version in versions:
        a, b = before(version), after(version)
        if a == b:
            current = None
        elif current is not None and (current["from"], current["to"]) == (a, b):
            current["last"] = version
        else:
            current = {"first": version, "last": version, "from": a, "to": b}
            found.append(current)
    return [{"versions": c["first"] if c["first"] == c["last"] else f"{c['first']} to {c['last']}", "from": c["from"], "to": c["to"]} for c in found]


def _release_changes(old: Catalog, new: Catalog) -> dict[str, Any]:
    before = {r.version: r for r in old.releases.releases}
    after = {r.version: r for r in new.releases.releases}

    def describe(catalog: Catalog, release: Any) -> dict[str, Any]:
        eol = end_of_support(catalog, release)
        return {
            "version": release.version,
            "released": release.released.isoformat(),
            "latest_patch": release.latest_patch,
            "end_of_support": eol.isoformat() if eol else None,
        }

    changed = []
    windows = []
    for version in sorted(set(before) & set(after), key=version_key):
        a, b = before[version], after[version]
        for field in ("released", "latest_patch"):
            if getattr(a, field) != getattr(b, field):
                changed.append({"version": version, "field": field, "from": str(getattr(a, field)), "to": str(getattr(b, field))})
        ea, eb = end_of_support(old, a), end_of_support(new, b)
        if ea != eb:
            windows.append({"version": version, "from": ea.isoformat() if ea else None, "to": eb.isoformat() if eb else None})
    return {
        "added": [describe(new, after[v]) for v in sorted(set(after) - set(before), key=version_key)],
        "removed": [describe(old, before[v]) for v in sorted(set(before) - set(after), key=version_key)],
        "changed": changed,
        "support_windows": windows,
    }


def _entity_changes(old: Catalog, new: Catalog, versions: Sequence[str]) -> list[dict[str, Any]]:
    """One entry per entity whose support changed: what (level, a field, a method's offer) and at which versions."""
    out: list[dict[str, Any]] = []

    def add(kind: str, entity_id: str, name: str, what: str, changes: list[dict[str, str]]) -> None:
        if changes:
            out.append({"kind": kind, "id": entity_id, "name": name, "what": what, "changes": changes})

    def everywhere(a: object, b: object) -> list[dict[str, str]]:
        return [] if a == b else [{"versions": "all", "from": _text(a), "to": _text(b)}]

    for method_id in sorted(set(old.methods) | set(new.methods)):
        a, b = old.methods.get(method_id), new.methods.get(method_id)
        name = (b or a).name  # type: ignore[union-attr]

        def method_level(method: Any) -> Callable[[str], str]:
            return lambda v: level_at(method.lifecycle, method.level, v) if method else ABSENT

        add("method", method_id, name, "level", runs(versions, method_level(a), method_level(b)))
    for platform_id in sorted(set(old.platforms) | set(new.platforms)):
        pl_old, pl_new = old.platforms.get(platform_id), new.platforms.get(platform_id)
        name = (pl_new or pl_old).name  # type: ignore[union-attr]
        add("platform", platform_id, name, "level", everywhere(pl_old.level if pl_old else ABSENT, pl_new.level if pl_new else ABSENT))
        if pl_old and pl_new:
            for gone in sorted(set(pl_old.methods) - set(pl_new.methods)):
                add("platform", platform_id, name, f"methods.{gone}", everywhere("allowed", ABSENT))
            for came in sorted(set(pl_new.methods) - set(pl_old.methods)):
                add("platform", platform_id, name, f"methods.{came}", everywhere(ABSENT, "allowed"))
            add("platform", platform_id, name, "min_version", everywhere(pl_old.min_version, pl_new.min_version))
    for service_id in sorted(set(old.services) | set(new.services)):
        sv_old, sv_new = old.services.get(service_id), new.services.get(service_id)
        name = (sv_new or sv_old).name  # type: ignore[union-attr]

        def present(service: Any) -> Callable[[str], str]:
            return lambda v: ("runs" if exists_at(service.lifecycle, v) else "does not run") if service else ABSENT

        add("service", service_id, name, "runs", runs(versions, present(sv_old), present(sv_new)))
    for provider_id in sorted(set(old.providers) | set(new.providers)):
        pr_old, pr_new = old.providers.get(provider_id), new.providers.get(provider_id)
        name = (pr_new or pr_old).name  # type: ignore[union-attr]
        add("provider", provider_id, name, "level", everywhere(pr_old.level if pr_old else ABSENT, pr_new.level if pr_new else ABSENT))
    for option_id in sorted(set(old.options) | set(new.options)):
        op_old, op_new = old.options.get(option_id), new.options.get(option_id)
        name = (op_new or op_old).name  # type: ignore[union-attr]
        methods = sorted(set(op_old.methods if op_old else {}) | set(op_new.methods if op_new else {}))
        for method_id in methods:
            add(
                "option",
                option_id,
                name,
                f"methods.{method_id}",
                everywhere((op_old.methods.get(method_id) if op_old else None) or ABSENT, (op_new.methods.get(method_id) if op_new else None) or ABSENT),
            )
        add("option", option_id, name, "since", everywhere(op_old.since if op_old else None, op_new.since if op_new else None))
    return out


def _text(value: object) -> str:
    return "none" if value is None else str(value)


def requirement_changes(old: Catalog, new: Catalog, documents: Iterable[tuple[str, Any, Any]], as_of: dt.date) -> list[dict[str, Any]]:
    """Requirements files (label, requirements, line map) whose verdict differs between the catalogs on `as_of`, with the findings that changed."""
    from ..checking import check

    def judge(catalog: Catalog, requirements: Any, label: str, lines: Any) -> tuple[str, dict[tuple[str, str], dict[str, Any]]]:
        try:
            report = check(catalog, requirements, as_of, file=label, lines=lines)
        except InputError as error:
            return "invalid", {("input", p.key): {"outcome": "invalid", "message": str(p), "line": p.line} for p in error.problems}
        return str(report["verdict"]), {(f["rule_id"], f["path"]): f for f in report["findings"]}

    out = []
    for label, requirements, lines in documents:
        verdict_a, findings_a = judge(old, requirements, label, lines)
        verdict_b, findings_b = judge(new, requirements, label, lines)
        if verdict_a == verdict_b:
            continue
        changed = []
        for key in sorted(set(findings_a) | set(findings_b)):
            a, b = findings_a.get(key), findings_b.get(key)
            if (a or {}).get("outcome") != (b or {}).get("outcome"):
                changed.append(
                    {
                        "rule_id": key[0],
                        "path": key[1],
                        "line": (b or a or {}).get("line"),
                        "from": (a or {}).get("outcome", ABSENT),
                        "to": (b or {}).get("outcome", ABSENT),
                        "message": (b or a or {}).get("message"),
                    }
                )
        out.append({"file": label, "from": verdict_a, "to": verdict_b, "findings": changed})
    return out


def fleet_changes(old: Catalog, new: Catalog, inv: Inventory, as_of: dt.date, active_days: int) -> list[dict[str, Any]]:
    """Active instances whose support status on `as_of` differs between the catalogs."""
    from ..lifecycle import release_status
    from .report import _states

    def status(catalog: Catalog, version: str) -> str:
        found = release_status(catalog, version, as_of)
        return found.status if found else "unknown"

    out = []
    since = as_of - dt.timedelta(days=active_days)
    for inst in _states(inv, as_of):
        if inst.last_seen < since:
            continue
        a, b = status(old, inst.version), status(new, inst.version)
        if a != b:
            out.append({"instance": inst.instance, "customer": inst.customer, "version": inst.version, "method": inst.method, "from": a, "to": b})
    return out


def catalog_diff(
    old: Catalog,
    new: Catalog,
    labels: tuple[str, str],
    as_of: dt.date,
    requirements: list[dict[str, Any]] | None = None,
    fleet: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The whole diff as stable JSON; `changed` says whether anything differs (the command's exit code)."""
    from ..freshness import currency

    releases = _release_changes(old, new)
    entities = _entity_changes(old, new, _versions(old, new))
    changed = any(releases[k] for k in releases) or bool(entities) or bool(requirements) or bool(fleet)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "catalog-diff",
        "from": {"revision": labels[0], "catalog": currency(old)},
        "to": {"revision": labels[1], "catalog": currency(new)},
        "as_of": as_of.isoformat(),
        "changed": changed,
        "releases": releases,
        "support": entities,
        "requirements": requirements,
        "fleet": fleet,
    }
