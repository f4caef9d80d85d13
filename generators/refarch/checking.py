"""Judge a customer's requirements against the catalog: findings, a verdict, a tally. Pure: no I/O.

Every outcome comes from the catalog's support-levels table: a finding names the level of what was
requested, and the table says whether that level passes, warns or fails and whether an exception
may be requested. A failure at a level that allows no exception makes the verdict `unsupported`.

Exception records are matched here too, and whether a record is active is decided by one function,
`exception_state`, which every path calls.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .freshness import currency, stale_message, version_problem
from .keypaths import LineMap, dotted, service_id
from .lifecycle import at_or_after, level_at, release_statuses
from .matrix import rule_at
from .memo import per_catalog
from .numbers import minor_of, version_key
from .problems import MAX_PROBLEMS, InputError, Problem, clip, did_you_mean, one_of

if TYPE_CHECKING:
    from .loading import Catalog
    from .models import ExceptionRecord, Method, Requirements, SupportLevel

SCHEMA_VERSION = 1

VERDICT_EXIT = {"supported": 0, "supported-with-exception": 0, "exception-required": 1, "unsupported": 3}
"""Exit code per verdict; 2 is invalid input, decided by the CLI before any verdict."""

VERDICT_ORDER = ("supported", "supported-with-exception", "exception-required", "unsupported")

# Pages of the docs site that explain each rule family (paths under site/).
DOCS = {
    "catalog": "generated/releases.md",
    "release": "generated/releases.md",
    "method": "generated/deployment-options.md",
    "platform": "generated/support-matrix.md",
    "cpu": "generated/support-matrix.md",
    "service": "generated/support-matrix.md",
    "option": "generated/support-matrix.md",
    "scale": "generated/sizing.md",
}
ARCHITECTURE_PAGE = "generated/architectures/{}.md"

Path_ = tuple[str | int, ...]

# Requirements repeat the same few versions and paths: parse and spell each once.
_version_key = functools.lru_cache(maxsize=4096)(version_key)
_at_or_after = functools.lru_cache(maxsize=4096)(at_or_after)
_dotted = functools.lru_cache(maxsize=4096)(dotted)
_minor_of = functools.lru_cache(maxsize=4096)(minor_of)
_service_id = functools.lru_cache(maxsize=1024)(service_id)


# --- exception expiry: the one function every path calls --------------------------------


def exception_state(record: ExceptionRecord, as_of: dt.date, warn_days: int) -> str:
    """'active', 'expiring', 'expired' or 'not-yet-valid' on the UTC date `as_of`.

    A record expiring on D waives findings through D-1 23:59:59 UTC: active while created <= as_of < expires.
    'expiring' is active with at most `warn_days` days left.
    """
    if as_of < record.created:
        return "not-yet-valid"
    if as_of >= record.expires:
        return "expired"
    return "expiring" if (record.expires - as_of).days <= warn_days else "active"


def same_customer(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- a per-catalog index, built once, so each check is dictionary look-ups ----------------


class _Index:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.levels: dict[str, SupportLevel] = {level.id: level for level in catalog.support_levels.levels}
        self.minors = {release.version: release for release in catalog.releases.releases}
        self.files = {key: origin.file for key, origin in catalog.origins.items()}
        self.cpus = {a.id: a for a in catalog.cpu_architectures.architectures}
        self.platforms_for: dict[str, list[str]] = {
            method_id: [p.id for p in catalog.platforms.values() if method_id in p.methods] for method_id in catalog.methods
        }
        self.providers_for: dict[str, list[str]] = {
            service: [p.id for p in catalog.providers.values() if service in p.serves] for service in catalog.external_services
        }
        self.good_platforms = {m: [p for p in ids if self.passes(catalog.platforms[p].level)] for m, ids in self.platforms_for.items()}
        self.good_providers = {s: [p for p in ids if self.passes(catalog.providers[p].level)] for s, ids in self.providers_for.items()}
        self.bundled = {s: [p for p in ids if catalog.providers[p].kind == "bundled"] for s, ids in self.providers_for.items()}
        self.good_cpus = [a.id for a in catalog.cpu_architectures.architectures if self.passes(a.level)]
        self.conflicts_with: dict[str, set[str]] = {
            option_id: set(option.conflicts) | {o.id for o in catalog.options.values() if option_id in o.conflicts}
            for option_id, option in catalog.options.items()
        }
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.option_ids = set(catalog.options)
        self.compose_methods = {m.id for m in catalog.methods.values() if any(r.id == "docker-compose" for r in m.runtime)}
        self.offered: dict[tuple[str, str], list[str]] = {}
        self._statuses: dict[dt.date, dict[str, Any]] = {}
        self._rules: dict[tuple[str, str], Any] = {}
        self._method_levels: dict[tuple[str, str], str] = {}

    def file(self, kind: str, entity_id: str = "") -> str:
        return self.files.get((kind, entity_id), "")

    def statuses(self, as_of: dt.date) -> dict[str, Any]:
        found = self._statuses.get(as_of)
        if found is None:
            if len(self._statuses) > 64:
                self._statuses.clear()
            statuses = release_statuses(self.catalog, as_of)
            found = {"by_minor": {s.version: s for s in statuses}, "supported": [s for s in statuses if s.status == "supported"]}
            self._statuses[as_of] = found
        return found

    def method_level(self, method: Method, minor: str) -> str:
        key = (method.id, minor)
        found = self._method_levels.get(key)
        if found is None:
            found = self._method_levels[key] = level_at(method.lifecycle, method.level, minor)
        return found

    def rule_at(self, service: Any, minor: str) -> Any:
        key = (service.id, minor)
        if key not in self._rules:
            self._rules[key] = rule_at(service, minor)
        return self._rules[key]

    def passes(self, level: str) -> bool:
        return self.levels[level].outcome == "pass"


@per_catalog
def _index(catalog: Catalog) -> _Index:
    return _Index(catalog)


# --- input problems: ids the catalog does not know ---------------------------------------


def requirement_problems(catalog: Catalog, req: Requirements, file: str = "<requirements>", lines: LineMap | None = None, prefix: Path_ = ()) -> list[Problem]:
    """Every id in `req` that the catalog does not know, or a field the method cannot take, located by `lines`.

    `prefix` is where the requirements sit in the file (("requirements",) inside an exception request).
    """
    lines = lines or LineMap()
    problems: list[Problem] = []

    def problem(path: Path_, message: str) -> None:
        full = (*prefix, *path)
        problems.append(Problem(file, lines.line_for(full), dotted(full), message))

    listed: dict[str, str] = {}

    def unknown(path: Path_, value: str, pool: Iterable[str], what: str, folder: str) -> None:
        pool = list(pool)
        hint = did_you_mean(value, pool) if len(problems) < MAX_PROBLEMS else ""  # past what a report shows, skip the search
        known = listed.get(what) or listed.setdefault(what, one_of(pool))
        problem(path, f"unknown {what} '{clip(value)}'; the catalog ({folder}) knows: {known}{hint}")

    wrong_version = version_problem(catalog, req.version)
    if wrong_version:
        problem(("version",), wrong_version)
    deployment = req.deployment
    method = catalog.methods.get(deployment.method)
    if method is None:
        unknown(("deployment", "method"), deployment.method, catalog.methods, "deployment method", "catalog/methods/")
    if deployment.platform is not None and deployment.platform not in catalog.platforms:
        unknown(("deployment", "platform"), deployment.platform, catalog.platforms, "platform", "catalog/platforms/")
    if deployment.compose_version is not None and method is not None and not any(r.id == "docker-compose" for r in method.runtime):
        problem(("deployment", "compose_version"), f"method {method.id} ({method.name}) does not use Docker Compose; remove deployment.compose_version")
    if deployment.architecture is not None and deployment.architecture not in {a.id for a in catalog.cpu_architectures.architectures}:
        ids = [a.id for a in catalog.cpu_architectures.architectures]
        unknown(("deployment", "architecture"), deployment.architecture, ids, "CPU architecture", "catalog/cpu-architectures.yaml")
    if req.scale.method is not None and req.scale.method != deployment.method:
        problem(
            ("scale", "method"),
            f"scale.method '{clip(req.scale.method)}' differs from deployment.method '{clip(deployment.method)}'; remove scale.method (the deployment method is used)",
        )
    seen_services: dict[str, str] = {}
    for key, choice in req.services.items():
        external_id = service_id(key)
        if external_id not in catalog.external_services:
            unknown(("services", key), key, [s.replace("-", "_") for s in catalog.external_services], "external service", "catalog/external-services/")
            continue
        if external_id in seen_services:
            problem(("services", key), f"external service '{clip(key)}' is given twice (also as '{clip(seen_services[external_id])}'); keep one")
        seen_services[external_id] = key
        provider = catalog.providers.get(choice.provider)
        if provider is None:
            unknown(("services", key, "provider"), choice.provider, _index(catalog).providers_for[external_id], f"provider for {key}", "catalog/providers/")
        elif external_id not in provider.serves:
            choices = _index(catalog).providers_for[external_id]
            problem(
                ("services", key, "provider"),
                f"provider '{clip(choice.provider)}' ({provider.name}) does not provide {clip(key)}; providers for {key}: {one_of(choices)}",
            )
    first: dict[str, int] = {}
    for position, option_id in enumerate(req.options):
        if option_id not in catalog.options:
            unknown(("options", position), option_id, catalog.options, "option", "catalog/options/")
        elif option_id in first:
            problem(("options", position), f"option '{clip(option_id)}' is listed twice (also at options[{first[option_id]}]); keep one")
        first.setdefault(option_id, position)
    return problems


def all_ids_known(catalog: Catalog, req: Requirements) -> bool:
    """A quick test that requirement_problems would find nothing (the common case), without building messages."""
    index = _index(catalog)
    deployment = req.deployment
    method = catalog.methods.get(deployment.method)
    release = index.minors.get(_minor_of(req.version))
    if method is None or release is None or _version_key(req.version) > _version_key(release.latest_patch):
        return False
    if deployment.platform is not None and (deployment.platform not in catalog.platforms or method.platform_kind not in ("kubernetes", "host")):
        return False
    if deployment.compose_version is not None and method.id not in index.compose_methods:
        return False
    if (deployment.architecture is not None and deployment.architecture not in index.cpus) or (req.scale.method not in (None, deployment.method)):
        return False
    options = req.options
    if options and (len(set(options)) != len(options) or not index.option_ids.issuperset(options)):
        return False
    seen = set()
    for key, choice in req.services.items():
        external = _service_id(key)
        provider = catalog.providers.get(choice.provider)
        if provider is None or external not in provider.serves or external in seen:
            return False
        seen.add(external)
    return True


# --- the check ---------------------------------------------------------------------------


@dataclass
class _Run:
    """The findings of one rule group, each with the key path it concerns."""

    index: _Index
    findings: list[dict[str, Any]]
    paths: list[Path_]
    skipped: list[dict[str, Any]]

    def add(
        self,
        rule_id: str,
        path: Path_,
        requested: str | None,
        level: str,
        message: str,
        source: str,
        alternatives: Sequence[str] = (),
        docs: str | None = None,
    ) -> None:
        entry = self.index.levels[level]
        self.paths.append(path)
        self.findings.append(
            {
                "rule_id": rule_id,
                "path": _dotted(path),
                "line": None,
                "requested": requested,
                "level": level,
                "outcome": entry.outcome,
                "message": message,
                "alternatives": list(alternatives),
                "exception_allowed": entry.exception,
                "exception_id": None,
                "source": source,
                "docs": docs or DOCS[rule_id.split(".", 1)[0]],
            }
        )

    def skip(self, rule_id: str, path: Path_, reason: str) -> None:
        self.skipped.append({"rule_id": rule_id, "path": _dotted(path), "reason": reason})


MEMO_SIZE = 100_000
"""Rule-group results remembered per catalog; each group is a pure function of the key it is stored under."""


def _group(index: _Index, out: _Run, key: tuple[Any, ...], rules: Callable[..., Any], *args: Any) -> Any:
    """Run `rules(run, *args)` once per `key` and add copies of its findings to `out`; return what it returned.

    `key` must hold every input the rules read, so that equal keys give equal findings.
    """
    memo = index.memo
    found = memo.get(key)
    if found is None:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        run = _Run(index, [], [], [])
        result = rules(run, *args)
        found = memo[key] = (tuple(run.findings), tuple(run.paths), tuple(run.skipped), result)
    findings, paths, skipped, result = found
    for finding in findings:
        copy = finding.copy()
        copy["alternatives"] = list(finding["alternatives"])
        out.findings.append(copy)
    out.paths.extend(paths)
    out.skipped.extend(entry.copy() for entry in skipped)
    return result


def check(
    catalog: Catalog,
    requirements: Requirements,
    as_of: dt.date,
    exceptions: Sequence[ExceptionRecord] = (),
    *,
    file: str | None = None,
    lines: LineMap | None = None,
    prefix: Path_ = (),
) -> dict[str, Any]:
    """Judge `requirements` on the UTC date `as_of`, honouring active exception records; JSON-ready (see models/report.py).

    Raises InputError when the requirements name ids the catalog does not know, located by `lines` (the
    requirements sit at `prefix` inside the document, e.g. ("requirements",) in an exception request).
    """
    if not all_ids_known(catalog, requirements):
        problems = requirement_problems(catalog, requirements, file or "<requirements>", lines, prefix)
        if problems:
            raise InputError(problems)
    index = _index(catalog)
    run = _Run(index, [], [], [])
    version = requirements.version
    minor = _minor_of(version)
    method = catalog.methods[requirements.deployment.method]
    deployment = requirements.deployment
    # Each group's key names every field its rules read (see _group).
    _group(index, run, ("release", version, as_of), _release_rules, requirements, minor, as_of)
    _group(index, run, ("catalog", version, as_of), _freshness_rule, requirements, as_of)
    _group(index, run, ("method", method.id, version, deployment.new_install), _method_rules, requirements, method, minor)
    platform_key = ("platform", method.id, deployment.platform, deployment.platform_version, deployment.compose_version)
    _group(index, run, platform_key, _platform_rules, requirements, method)
    _group(index, run, ("cpu", deployment.architecture), _cpu_rule, requirements)
    for key in sorted(requirements.services):
        choice = requirements.services[key]
        service_key = ("service", method.id, version, key, choice.provider, choice.version, choice.mode)
        _group(index, run, service_key, _service_rule, requirements, method, minor, key)
    for position, option_id in enumerate(requirements.options):
        _group(index, run, ("option", method.id, version, option_id, position), _option_support, requirements, method, minor, position)
    if requirements.options:
        _option_relations(run, requirements)
    # Scale is different in nearly every requirements file, so it is not remembered (the sizing engine keeps its own memo).
    size, architecture = _scale_rule(run, requirements, method)
    if lines is not None:
        for finding, path in zip(run.findings, run.paths, strict=True):
            finding["line"] = lines.line_for(path)
    notices = _apply_exceptions(run.findings, requirements, exceptions, as_of, catalog.exception_policy.warn_before_expiry_days)
    tally = tally_of(run.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "file": file,
        "customer": requirements.customer,
        "version": requirements.version,
        "method": method.id,
        "as_of": as_of.isoformat(),
        "catalog": currency(catalog),
        "verdict": verdict_of(run.findings),
        "size": size,
        "recommended_architecture": architecture,
        "findings": run.findings,
        "skipped": run.skipped,
        "notices": notices,
        "tally": tally,
        "summary": tally_line(tally),
    }


def _freshness_rule(run: _Run, req: Requirements, as_of: dt.date) -> None:
    """A warning, and only then a finding, when the catalog's next release is overdue on `as_of`."""
    message = stale_message(run.index.catalog, as_of)
    if message:
        run.add("catalog.freshness", ("version",), req.version, "best-effort", message, run.index.file("releases"), docs=DOCS["catalog"])


def _release_rules(run: _Run, req: Requirements, minor: str, as_of: dt.date) -> None:
    index = run.index
    product = index.catalog.product
    statuses = index.statuses(as_of)
    status = statuses["by_minor"][minor]
    supported = statuses["supported"]
    source = index.file("releases")
    name = f"{product.name} {req.version}"
    newest = [f"{s.version} (latest patch {s.latest_patch})" for s in supported[-1:]]
    window = [f"{supported[0].version} to {supported[-1].version}"] if len(supported) > 1 else []
    if status.status == "upcoming":
        run.add(
            "release.support-window",
            ("version",),
            req.version,
            "unavailable",
            f"{name} is not released on {as_of} (it came out on {status.released}); pick a released version.",
            source,
            newest,
        )
        return
    if status.status == "end-of-life":
        run.add(
            "release.support-window",
            ("version",),
            req.version,
            "not-supported",
            f"{name} went out of support on {status.eol}. {product.support_policy.summary} Upgrade to a supported release.",
            source,
            newest + window,
        )
        return
    until = f" until {status.eol}" if status.eol else ""
    run.add("release.support-window", ("version",), req.version, "supported", f"{name} is supported{until} (checked on {as_of}).", source)
    allowed = product.support_policy.warn_minors_behind
    behind = status.minors_behind or 0
    latest = supported[-1]
    if behind > allowed:
        run.add(
            "release.minors-behind",
            ("version",),
            req.version,
            "deprecated",
            f"{name} is {behind} minor releases behind the latest, {latest.version}. Plan an upgrade to {latest.version} "
            f"(latest patch {latest.latest_patch}); the upgrade notes of your deployment method say how.",
            index.file("product"),
            newest,
        )
    else:
        gap = "the latest release" if behind == 0 else f"{behind} minor release{'s' if behind != 1 else ''} behind the latest, {latest.version}"
        run.add("release.minors-behind", ("version",), req.version, "supported", f"{name} is {gap}.", index.file("product"))


def _method_alternatives(index: _Index, minor: str, exclude: str, prefer: str | None) -> list[str]:
    found = [
        m.id
        for m in index.catalog.methods.values()
        if m.self_hosted and m.id != exclude and index.passes(index.method_level(m, minor)) and m.new_installs == "allowed"
    ]
    if prefer in found:
        found.remove(prefer)
        found.insert(0, prefer)
    return found


def _method_rules(run: _Run, req: Requirements, method: Method, minor: str) -> None:
    index = run.index
    level = index.method_level(method, minor)
    source = index.file("methods", method.id)
    path: Path_ = ("deployment", "method")
    at = f"{index.catalog.product.name} {req.version}"
    replacement = f" Move to {index.catalog.methods[method.replacement].name} ({method.replacement})." if method.replacement else ""
    life = method.lifecycle
    if level == "removed":
        message = f"{method.name} was removed in {life.removed}, so it cannot run {at}.{replacement}"
    elif level == "unavailable":
        message = f"{method.name} is available from {life.introduced} on, not at {at}. Upgrade to {life.introduced} or later, or pick another method."
    elif level == "deprecated":
        since = f"from {life.deprecated} on" if life.deprecated else f"at {at}"
        removal = f" and removed in {life.removed}" if life.removed else ""
        message = f"{method.name} is deprecated {since}{removal}: it still works, but plan a move.{replacement}"
    elif index.passes(level):
        message = f"{method.name} is {index.levels[level].label.lower()} at {at}."
    else:
        message = f"{method.name} is {index.levels[level].label.lower()} at {at}: {index.levels[level].description}{replacement}"
    alternatives = [] if index.passes(level) else _method_alternatives(index, minor, method.id, method.replacement)
    run.add("method.status", path, method.id, level, message, source, alternatives)
    if not req.deployment.new_install or level in ("removed", "unavailable"):
        return
    if method.new_installs == "discouraged":
        run.add(
            "method.new-install",
            ("deployment", "new_install"),
            method.id,
            "deprecated",
            f"{method.name} is kept for existing deployments, but new installs should use another method.{replacement}",
            source,
            _method_alternatives(index, minor, method.id, method.replacement),
        )
    else:
        run.add("method.new-install", ("deployment", "new_install"), method.id, "supported", f"{method.name} is a good choice for a new install.", source)


def _level_message(index: _Index, level_id: str, template: str) -> str:
    """`template` with the level's label filled in; for a level that does not pass, followed by what the level means."""
    level = index.levels[level_id]
    text = template.replace("{}", level.label.lower())
    return f"{text}." if level.outcome == "pass" else f"{text}: {level.description}"


def _platform_rules(run: _Run, req: Requirements, method: Method) -> None:
    index = run.index
    catalog = index.catalog
    deployment = req.deployment
    if method.platform_kind not in ("kubernetes", "host"):
        # The method brings its own machines: a platform named anyway is ignored with a note, not refused.
        for key in ("platform", "platform_version"):
            value = getattr(deployment, key)
            if value is not None:
                rule = "platform.support" if key == "platform" else "platform.version"
                run.skip(rule, ("deployment", key), f"{method.name} runs on machines it brings itself, so deployment.{key} '{value}' is ignored")
        return
    what = "Kubernetes distribution" if method.platform_kind == "kubernetes" else "host operating system"
    good = index.good_platforms[method.id]
    platform = catalog.platforms.get(deployment.platform) if deployment.platform else None
    path: Path_ = ("deployment", "platform")
    if platform is None:
        run.skip("platform.support", path, f"deployment.platform is not given; name the {what} to check it")
    else:
        source = index.file("platforms", platform.id)
        if platform.kind != method.platform_kind:
            kind = "a Kubernetes platform" if platform.kind == "kubernetes" else "a host operating system"
            message = f"{platform.name} is {kind}, but {method.name} runs on a {what}; it cannot run there."
            run.add("platform.support", path, platform.id, "unavailable", message, source, good)
        elif method.id not in platform.methods:
            message = f"The catalog does not list {method.name} on {platform.name}, so it is not supported there."
            run.add("platform.support", path, platform.id, "not-supported", message, source, good or [f"{m} on {platform.id}" for m in platform.methods])
        else:
            message = _level_message(index, platform.level, f"{platform.name} is {{}} for {method.name}")
            run.add("platform.support", path, platform.id, platform.level, message, source, [] if index.passes(platform.level) else good)
    _minimum_rule(run, req, method, platform)


def _minimum_rule(run: _Run, req: Requirements, method: Method, platform: Any) -> None:
    index = run.index
    deployment = req.deployment
    runtime = method.runtime[0] if method.runtime else None
    path: Path_ = ("deployment", "platform_version")
    listed = platform is not None and platform.kind == method.platform_kind and method.id in platform.methods
    minimum = (platform.min_version if listed and platform.min_version else None) or (runtime.min if runtime else None)
    source = index.file("platforms", platform.id) if listed and platform.min_version else index.file("methods", method.id)
    what = runtime.name if runtime else "the platform"
    if deployment.platform_version is None:
        run.skip("platform.version", path, f"deployment.platform_version is not given; give the {what} version to check it")
    elif minimum is None:
        run.skip("platform.version", path, f"the catalog states no minimum {what} version for {method.name}")
    elif listed and platform.ships_kubernetes and method.platform_kind == "kubernetes":
        _distribution_version(run, path, deployment.platform_version, platform, minimum, what, method.name, index.file("platforms", platform.id))
    else:
        _at_least(run, "platform.version", path, deployment.platform_version, minimum, what, method.name, source)
    compose = next((r for r in method.runtime if r.id == "docker-compose"), None)
    if compose is None:
        return
    path = ("deployment", "compose_version")
    if deployment.compose_version is None:
        run.skip("platform.compose-version", path, f"deployment.compose_version is not given; give the {compose.name} version to check it")
    elif compose.min is None:
        run.skip("platform.compose-version", path, f"the catalog states no minimum {compose.name} version")
    else:
        _at_least(run, "platform.compose-version", path, deployment.compose_version, compose.min, compose.name, method.name, index.file("methods", method.id))


def _distribution_version(run: _Run, path: Path_, version: str, platform: Any, minimum: str, what: str, method_name: str, source: str) -> None:
    """A version in the distribution's own numbering (OpenShift 4.14) is judged as the Kubernetes version it ships."""
    own_majors = {entry.version.split(".")[0] for entry in platform.ships_kubernetes}
    if version.split(".")[0] not in own_majors:  # already a Kubernetes version (1.27)
        _at_least(run, "platform.version", path, version, minimum, what, method_name, source)
        return
    minor = ".".join(version.split(".")[:2])
    shipped = next((entry for entry in platform.ships_kubernetes if entry.version == minor), None)
    if shipped is None:
        known = ", ".join(f"{e.version} (Kubernetes {e.kubernetes})" for e in platform.ships_kubernetes)
        run.skip(
            "platform.version",
            path,
            f"the catalog does not say which {what} version {platform.name} {version} ships (it knows {known}); "
            f"give the {what} version the cluster runs instead (kubectl version shows it)",
        )
        return
    shipping = f"{platform.name} {version} ships {what} {shipped.kubernetes}"
    if _older(shipped.kubernetes, minimum):
        message = f"{shipping}, below the minimum {minimum} for {method_name}; supported: {what} {minimum} and later."
        run.add("platform.version", path, version, "not-supported", message, source, [f"{what} {minimum} or later"])
    else:
        run.add("platform.version", path, version, "supported", f"{shipping}, which meets the minimum {minimum} for {method_name}.", source)


def _older(version: str, minimum: str) -> bool:
    """Whether `version` is below `minimum`, comparing missing parts as zero ("1.29" = "1.29.0")."""
    v, m = _version_key(version), _version_key(minimum)
    width = max(len(v), len(m))
    return v + (0,) * (width - len(v)) < m + (0,) * (width - len(m))


def _past_max(version: str, maximum: str) -> bool:
    """Whether `version` is above `maximum` at the maximum's precision ("16.4" is within a maximum of "16")."""
    top = _version_key(maximum)
    return _version_key(version)[: len(top)] > top


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def _at_least(run: _Run, rule_id: str, path: Path_, version: str, minimum: str, what: str, method_name: str, source: str) -> None:
    if _older(version, minimum):
        message = f"{what} {version} is below the minimum {minimum} for {method_name}; supported: {minimum} and later."
        run.add(rule_id, path, version, "not-supported", message, source, [f"{minimum} or later"])
    else:
        run.add(rule_id, path, version, "supported", f"{what} {version} meets the minimum {minimum} for {method_name}.", source)


def _cpu_rule(run: _Run, req: Requirements) -> None:
    index = run.index
    path: Path_ = ("deployment", "architecture")
    if req.deployment.architecture is None:
        run.skip("cpu.architecture", path, "deployment.architecture is not given; name the CPU architecture (for example amd64) to check it")
        return
    cpu = index.cpus[req.deployment.architecture]
    good = index.good_cpus
    message = _level_message(index, cpu.level, f"{cpu.name} is {{}}")
    if cpu.notes and not index.passes(cpu.level):
        message += f" {cpu.notes[0]}"
    run.add("cpu.architecture", path, cpu.id, cpu.level, message, index.file("cpu_architectures"), [] if index.passes(cpu.level) else good)


def _service_rule(run: _Run, req: Requirements, method: Method, minor: str, key: str) -> None:
    index = run.index
    catalog = index.catalog
    choice = req.services[key]
    service = catalog.external_services[service_id(key)]
    provider = catalog.providers[choice.provider]
    base: Path_ = ("services", key)
    bundled = index.bundled[service.id]
    if provider.kind == "bundled":
        run.add(
            "service.provider",
            (*base, "provider"),
            provider.id,
            provider.level,
            f"{service.name} runs bundled with {method.name}.",
            index.file("providers", provider.id),
        )
        return
    method_file = index.file("methods", method.id)
    if not method.self_hosted:
        message = f"{method.name} is run by {catalog.product.name}, so it cannot use your own {service.name}."
        run.add("service.allowed", base, provider.id, "unavailable", message, method_file, bundled)
        return
    if not method.external_services:
        message = f"{method.name} allows no external services; {service.name} must be the bundled one."
        run.add("service.allowed", base, provider.id, "not-supported", message, method_file, bundled)
        return
    if service.since and not _at_or_after(minor, service.since):
        message = f"An external {service.name} is possible from {service.since} on, not at {req.version}."
        run.add("service.allowed", base, provider.id, "unavailable", message, index.file("external_services", service.id), bundled)
        return
    run.add("service.allowed", base, provider.id, "supported", f"{method.name} allows an external {service.name}.", method_file)
    good = index.good_providers[service.id]
    message = _level_message(index, provider.level, f"{provider.name} is {{}} as the external {service.name}")
    run.add(
        "service.provider",
        (*base, "provider"),
        provider.id,
        provider.level,
        message,
        index.file("providers", provider.id),
        [] if index.passes(provider.level) else good,
    )
    _service_version(run, req, service, choice.version, base, minor)
    if choice.mode is not None:
        reason = service.unsupported_modes.get(choice.mode)
        source = index.file("external_services", service.id)
        if reason is None:
            run.add("service.mode", (*base, "mode"), choice.mode, "supported", f"{service.name} in {choice.mode} mode is fine.", source)
        else:
            blocked = ", ".join(sorted(service.unsupported_modes))
            message = f"{service.name} in {choice.mode} mode does not work: {reason} Run it without these modes: {blocked}."
            run.add("service.mode", (*base, "mode"), choice.mode, "unavailable", message, source, bundled)


def _service_version(run: _Run, req: Requirements, service: Any, version: str | None, base: Path_, minor: str) -> None:
    path: Path_ = (*base, "version")
    if not service.version_rules:
        return  # the catalog constrains no version of this service
    rule = run.index.rule_at(service, minor)
    if version is None:
        run.skip("service.version", path, f"services.{base[1]}.version is not given; give the {service.name} version to check it")
        return
    if rule is None:
        run.skip("service.version", path, f"the catalog states no {service.name} version rule for {req.version}")
        return
    source = run.index.file("external_services", service.id)
    accepted = f"{rule.min} to {rule.max}" if rule.max else f"{rule.min} or later"
    if _older(version, rule.min) or (rule.max is not None and _past_max(version, rule.max)):
        message = f"{service.name} {version} does not work with {run.index.catalog.product.name} {req.version}: it needs {accepted}. {rule.reason.strip()}"
        run.add("service.version", path, version, "unavailable", message, source, [accepted])
    else:
        run.add("service.version", path, version, "supported", f"{service.name} {version} works with {req.version} ({accepted}).", source)


def _offered_by(index: _Index, option: Any, method_id: str) -> list[str]:
    """Other methods that offer `option` at a passing level, e.g. 'kustomize (supported)'."""
    key = (option.id, method_id)
    found = index.offered.get(key)
    if found is None:
        found = index.offered[key] = [f"{m} ({level})" for m, level in option.methods.items() if m != method_id and index.passes(level)]
    return found


def _option_support(run: _Run, req: Requirements, method: Method, minor: str, position: int) -> None:
    index = run.index
    option_id = req.options[position]
    option = index.catalog.options[option_id]
    path: Path_ = ("options", position)
    source = index.file("options", option_id)
    if option.since and not _at_or_after(minor, option.since):
        message = f"{option.name} exists from {option.since} on, not at {req.version}."
        run.add("option.support", path, option_id, "unavailable", message, source, [f"{option.since} or later"])
    elif method.id not in option.methods:
        message = f"{method.name} does not offer {option.name}, so it is not supported with this method."
        run.add("option.support", path, option_id, "not-supported", message, source, _offered_by(index, option, method.id))
    else:
        level_id = option.methods[method.id]
        message = _level_message(index, level_id, f"{option.name} is {{}} with {method.name}")
        run.add("option.support", path, option_id, level_id, message, source, [] if index.passes(level_id) else _offered_by(index, option, method.id))


def _option_relations(run: _Run, req: Requirements) -> None:
    """Each chosen option's requires and conflicts, against the other chosen options."""
    index = run.index
    catalog = index.catalog
    chosen = set(req.options)
    for position, option_id in enumerate(req.options):
        option = catalog.options[option_id]
        path: Path_ = ("options", position)
        source = index.file("options", option_id)
        if option.requires:
            missing = [r for r in option.requires if r not in chosen]
            if missing:
                names = ", ".join(catalog.options[r].name for r in missing)
                run.add("option.requires", path, option_id, "not-supported", f"{option.name} needs {names} as well; add it to options.", source, missing)
            else:
                run.add("option.requires", path, option_id, "supported", f"{option.name} has every option it needs.", source)
        related = index.conflicts_with[option_id]
        if not related:
            continue
        later = [o for o in req.options[position + 1 :] if o in related]
        if later:
            names = ", ".join(catalog.options[c].name for c in later)
            message = f"{option.name} cannot be combined with {names}; keep one of them."
            run.add("option.conflicts", path, " + ".join([option_id, *later]), "unavailable", message, source, [option_id, *later])
        elif not any(o in related for o in req.options[:position]):
            run.add("option.conflicts", path, option_id, "supported", f"{option.name} conflicts with no other chosen option.", source)


# --- scale -------------------------------------------------------------------------------

_SCALE_NAMES = {
    "largest_repo_gb": "GB in the largest repository",
    "total_repo_size_gb": "GB of repositories in all",
    "largest_index_gb": "GB in the largest code-intelligence index",
}


def _scale_name(name: str) -> str:
    return _SCALE_NAMES.get(name, name.replace("_", " "))


def _scale_rule(run: _Run, req: Requirements, method: Method) -> tuple[str | None, str | None]:
    """The size the scale needs, from the sizing engine, against the sizes the method serves."""
    from .sizing import size_tier  # the sizing engine decides tiers; imported here to keep `refarch check` light when scale is absent

    index = run.index
    catalog = index.catalog
    path: Path_ = ("scale",)
    if not any(value is not None for name, value in req.scale.__dict__.items() if name not in ("method", "cloud")):
        run.skip("scale.size", path, "no scale inputs (users, repositories, repository sizes, ...) are given")
        return None, None
    answer = size_tier(catalog, req.scale, method.id)
    size_id, architecture = answer["tier"], answer["architecture"]
    tier = catalog.sizes[size_id]
    driving = [d for d in answer["drivers"] if d["tier"] == size_id and d["given"]] or [d for d in answer["drivers"] if d["tier"] == size_id]
    drivers = " and ".join(f"{_number(d['value'])} {_scale_name(d['input'])}" for d in driving)
    why = f"The scale ({drivers}) needs size {tier.name}" if drivers else f"The scale needs size {tier.name}"
    page = ARCHITECTURE_PAGE.format(architecture) if architecture else None
    if not answer["method_serves_tier"]:
        minor = minor_of(req.version)
        serving = [m.id for m in catalog.methods.values() if size_id in m.scale.sizes and m.self_hosted and index.passes(index.method_level(m, minor))]
        largest = max((catalog.sizes[s] for s in method.scale.sizes), key=lambda s: s.rank).name
        message = f"{why}, but {method.name} serves sizes up to {largest} ({method.scale.summary})"
        run.add("scale.size", path, size_id, "not-supported", message, index.file("methods", method.id), serving)
        return size_id, None
    if answer["beyond_model"]:
        over = ", ".join(f"{_number(answer['inputs'][name])} {_scale_name(name)}" for name in answer["beyond_model_inputs"])
        message = f"{over}: beyond what the sizing model covers. Size {tier.name} is the nearest; plan this deployment with {catalog.product.name} support."
        run.add("scale.size", path, size_id, "best-effort", message, index.file("sizes", size_id), [architecture or size_id], docs=page)
        return size_id, architecture
    advice = f" Size {tier.name} is beyond the published size chart: plan it with {catalog.product.name} support." if tier.contact_support else ""
    run.add("scale.size", path, size_id, "supported", f"{why}, which {method.name} serves.{advice}", index.file("methods", method.id), docs=page)
    return size_id, architecture


# --- exceptions, verdict, tally ----------------------------------------------------------


def _apply_exceptions(
    findings: list[dict[str, Any]], req: Requirements, records: Sequence[ExceptionRecord], as_of: dt.date, warn_days: int
) -> list[dict[str, Any]]:
    """Waive failures that an active record covers; return notices for expiring, expired, stale and not-yet-valid records."""
    mine = [r for r in records if same_customer(r.customer, req.customer)]
    if not mine:
        return []
    states = {r.id: exception_state(r, as_of, warn_days) for r in mine}
    by_key: dict[tuple[str, str, str | None], list[ExceptionRecord]] = {}
    for record in mine:
        for waiver in record.covers:
            by_key.setdefault((waiver.rule_id, waiver.path, waiver.requested), []).append(record)
    used: set[str] = set()
    notices: list[dict[str, Any]] = []
    for finding in findings:
        candidates = by_key.get((finding["rule_id"], finding["path"], finding["requested"]))
        if not candidates:
            continue
        if finding["outcome"] != "fail" or not finding["exception_allowed"]:
            continue
        used.update(r.id for r in candidates)
        active = [r for r in candidates if states[r.id] in ("active", "expiring")]
        if active:
            record = max(active, key=lambda r: (r.expires, r.id))
            finding["outcome"] = "waived"
            finding["exception_id"] = record.id
            finding["message"] += f" Waived by exception {record.id}, which expires on {record.expires} (UTC)."
            continue
        expired = [r for r in candidates if states[r.id] == "expired"]
        if expired:
            record = max(expired, key=lambda r: (r.expires, r.id))
            finding["exception_id"] = record.id
            finding["message"] += f" Exception {record.id} expired on {record.expires}."
    for record in sorted(mine, key=lambda r: r.id):
        state = states[record.id]
        last_day = record.expires - dt.timedelta(days=1)
        if record.id not in used:
            notices.append(
                _notice("stale", "info", record, f"exception {record.id} matches no failure an exception can lift in these requirements; it can be retired.")
            )
        elif state == "expiring":
            days = (record.expires - as_of).days
            notices.append(
                _notice(
                    "expiring",
                    "warning",
                    record,
                    f"exception {record.id} expires on {record.expires} ({days} day{'s' if days != 1 else ''} left; last day {last_day}); renew it or remove the deviation.",
                )
            )
        elif state == "expired":
            notices.append(_notice("expired", "warning", record, f"exception {record.id} expired on {record.expires}; what it waived fails again."))
        elif state == "not-yet-valid":
            notices.append(_notice("not-yet-valid", "info", record, f"exception {record.id} starts on {record.created}, after {as_of}; it is not applied."))
    return notices


def _notice(kind: str, severity: str, record: ExceptionRecord, message: str) -> dict[str, Any]:
    return {"kind": kind, "severity": severity, "exception_id": record.id, "message": message}


def verdict_of(findings: Iterable[dict[str, Any]]) -> str:
    verdict = "supported"
    for finding in findings:
        outcome = finding["outcome"]
        if outcome == "fail":
            if not finding["exception_allowed"]:
                return "unsupported"
            verdict = "exception-required"
        elif outcome == "waived" and verdict == "supported":
            verdict = "supported-with-exception"
    return verdict


def tally_of(findings: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = {"pass": 0, "warn": 0, "fail": 0, "waived": 0}
    for finding in findings:
        counts[finding["outcome"]] += 1
    return {"checks": sum(counts.values()), "passed": counts["pass"], "warnings": counts["warn"], "failed": counts["fail"], "waived": counts["waived"]}


def tally_line(tally: dict[str, int]) -> str:
    """'12 checks, 10 passed, 1 warning, 1 failed, 0 waived'."""
    checks, warnings = tally["checks"], tally["warnings"]
    return f"{checks} check{'s' if checks != 1 else ''}, {tally['passed']} passed, {warnings} warning{'s' if warnings != 1 else ''}, {tally['failed']} failed, {tally['waived']} waived"


def exit_code(verdict: str, warnings: int, fail_on_warn: bool = False) -> int:
    """0 supported, 1 exception required (or warnings with fail_on_warn), 3 unsupported."""
    code = VERDICT_EXIT[verdict]
    if code == 0 and fail_on_warn and warnings:
        return 1
    return code


def combine(reports: list[dict[str, Any]], as_of: dt.date, fail_on_warn: bool = False) -> dict[str, Any]:
    """One result over several reports: the worst verdict, summed tallies, the exit code."""
    verdict = max((r["verdict"] for r in reports), key=VERDICT_ORDER.index, default="supported")
    tally = {key: sum(r["tally"][key] for r in reports) for key in ("checks", "passed", "warnings", "failed", "waived")}
    warnings = tally["warnings"] + sum(1 for r in reports for n in r["notices"] if n["severity"] == "warning")
    return {
        "schema_version": SCHEMA_VERSION,
        "as_of": as_of.isoformat(),
        "catalog": reports[0]["catalog"] if reports else None,
        "verdict": verdict,
        "exit_code": exit_code(verdict, warnings, fail_on_warn),
        "reports": reports,
        "tally": tally,
        "summary": tally_line(tally),
    }
