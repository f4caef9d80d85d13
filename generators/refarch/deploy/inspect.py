"""`refarch inspect`: what a customer runs, read from their own files, as the requirements file `refarch check` takes.

Recognises Helm values overrides, `helm list -o json`, `kubectl version -o json`, `kubectl get nodes -o json`,
docker-compose.yaml and its overrides, `docker version` and `docker compose version` output, and
kustomization.yaml. Every field it writes says which file and key it came from; what it cannot tell
is listed. Pure: parsed documents in, the requirements text and data out.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from ..problems import InputError, Problem
from . import data as deploy_data

if TYPE_CHECKING:
    from ..loading import Catalog

SCHEMA_VERSION = 1
VERSION = re.compile(r"(?<![\d.])v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass
class Source:
    """One input: its label, parsed data (None for text output) and raw text."""

    label: str
    data: Any
    text: str
    tags: dict[tuple[Any, ...], str] = field(default_factory=dict)


@dataclass
class Fact:
    value: Any
    origin: str


@dataclass
class Findings:
    facts: dict[str, Fact] = field(default_factory=dict)
    kinds: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any, origin: str) -> None:
        if name not in self.facts:
            self.facts[name] = Fact(value, origin)
        elif self.facts[name].value != value:
            self.notes.append(f"{name}: {origin} says {value!r}, {self.facts[name].origin} says {self.facts[name].value!r}; kept the first")


def _minor(text: str) -> str | None:
    match = VERSION.search(text)
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else None


def kind_of(source: Source, chart_keys: set[str]) -> str:
    """What a file is: helm-list, kubectl-version, nodes, docker-version, compose-version, compose, kustomization, helm-values, or unknown."""
    data, text = source.data, source.text.lstrip()
    if data is None:
        if text.startswith("Client:"):
            return "docker-version"
        if text.startswith(("Docker Compose version", "docker-compose version")):
            return "compose-version"
        return "unknown"
    if isinstance(data, list):
        if data and all(isinstance(item, dict) and "chart" in item and "app_version" in item for item in data):
            return "helm-list"
        return "unknown"
    if isinstance(data, str) and data.startswith(("Docker Compose version", "docker-compose version")):
        return "compose-version"
    if not isinstance(data, dict):
        return "unknown"
    if "serverVersion" in data or "clientVersion" in data:
        return "kubectl-version"
    if data.get("kind") in ("List", "NodeList") and all(isinstance(item, dict) and item.get("kind", "Node") == "Node" for item in data.get("items") or [None]):
        return "nodes"
    if isinstance(data.get("Server"), dict) and isinstance(data.get("Client"), dict):
        return "docker-version"
    if isinstance(data.get("services"), dict):
        return "compose"
    if str(data.get("apiVersion", "")).startswith("kustomize.config.k8s.io") or data.get("kind") in ("Kustomization", "Component"):
        return "kustomization"
    if set(map(str, data)) & chart_keys:
        return "helm-values"
    return "unknown"


def _docker_text(found: Findings, source: Source) -> None:
    section = ""
    in_engine = False
    for line in source.text.splitlines():
        stripped = line.strip()
        if line and not line[0].isspace():
            section = stripped.split(":", 1)[0]
            in_engine = False
            continue
        if section.startswith("Server") and stripped.startswith("Engine:"):
            in_engine = True
            continue
        if section.startswith("Server") and in_engine and stripped.startswith("Version:"):
            minor = _minor(stripped)
            if minor:
                found.set("deployment.platform_version", minor, f"{source.label}: Server > Engine > Version ({stripped.split(':', 1)[1].strip()})")
            in_engine = False
        if section.startswith("Server") and stripped.startswith("OS/Arch:"):
            os_name, _, arch = stripped.split(":", 1)[1].strip().partition("/")
            found.set("deployment.platform", os_name, f"{source.label}: Server OS/Arch ({os_name}/{arch})")
            if arch:
                found.set("deployment.architecture", arch, f"{source.label}: Server OS/Arch ({os_name}/{arch})")


def _docker_json(found: Findings, source: Source) -> None:
    server = source.data["Server"]
    version = str(server.get("Version", ""))
    if _minor(version):
        found.set("deployment.platform_version", _minor(version), f"{source.label}: Server.Version ({version})")
    if server.get("Os"):
        found.set("deployment.platform", str(server["Os"]), f"{source.label}: Server.Os")
    if server.get("Arch"):
        found.set("deployment.architecture", str(server["Arch"]), f"{source.label}: Server.Arch")


def _provider_for(host: str, hints: dict[str, str], fallback: str) -> tuple[str, str]:
    for suffix, provider in hints.items():
        if suffix.startswith(".") and suffix in host:
            return provider, f" (host {host})"
    return fallback, f" (host {host}: self-managed as far as the files tell)"


def _external(found: Findings, service: str, provider: str, origin: str) -> None:
    key = f"services.{service.replace('-', '_')}"
    found.set(key, provider, origin)


def _helm_values(found: Findings, source: Source, keys: dict[str, Any]) -> None:
    hints = keys["inspect"]
    data = source.data

    def get(dotted: str) -> Any:
        node: Any = data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    turned_off: dict[str, list[str]] = {}
    for key, service in sorted(hints["helm_external"].items()):  # sorted: the same answer whatever order the data comes in
        if get(key) is False:
            turned_off.setdefault(service, []).append(key)
    for service, candidates in sorted(turned_off.items()):
        hosts = sorted(k for k, s in hints["helm_hosts"].items() if s == service and isinstance(get(k), str))
        with_host = [key for key in candidates if any(h.startswith(key.split(".", 1)[0] + ".") for h in hosts)]
        key = (with_host or candidates)[0]
        component = key.split(".", 1)[0]
        host_key = next((k for k in hosts if k.startswith(component + ".")), hosts[0] if hosts else None)
        if service == "object-storage":
            backend = _helm_env(data, hints)
            provider = hints["providers"].get(str(backend).upper(), "s3") if backend else None
            if provider is None:
                found.unknown.append(f"services.object_storage.provider: {source.label} turns the bundled blobstore off ({key}: false) but names no backend")
                continue
            _external(found, service, provider, f"{source.label}: {key}: false, upload backend {backend}")
        elif host_key is not None:
            provider, why = _provider_for(str(get(host_key)), hints["providers"], "postgres" if service == "postgres" else "redis")
            _external(found, service, provider, f"{source.label}: {key}: false and {host_key}{why}")
        else:
            _external(found, service, "postgres" if service == "postgres" else "redis", f"{source.label}: {key}: false (no host in the file: self-managed assumed)")
    found.set("deployment.method", "helm", f"{source.label}: a Helm values override (top-level keys of the chart)")


def _helm_env(data: dict[str, Any], hints: dict[str, Any]) -> str | None:
    """An object-storage backend named in any env block of the override (NAME: {value: S3})."""
    names = [name for name, service in hints["environment"].items() if service == "object-storage"]
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name in names:
                value = node.get(name)
                if isinstance(value, dict) and isinstance(value.get("value"), str):
                    return str(value["value"])
                if isinstance(value, str):
                    return value
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _compose(found: Findings, source: Source, data: deploy_data.DeployData) -> None:
    keys = data["keys"]
    hints = keys["inspect"]
    images = {entry.get("image") for version in data["docker-compose"]["versions"] for entry in version.get("added", {}).values()} - {None}
    versions: Counter[str] = Counter()
    first: dict[str, str] = {}
    services = source.data["services"]
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        image = service.get("image")
        if isinstance(image, str):
            base, _, rest = image.partition("@")[0].rpartition(":")
            if base and base in images and _minor(rest):
                minor = _minor(rest) or ""
                versions[minor] += 1
                first.setdefault(minor, f"services.{name}.image ({image.split('@', 1)[0]})")
        environment = service.get("environment")
        pairs = environment.items() if isinstance(environment, dict) else (str(item).partition("=")[::2] for item in environment or [])
        for variable, value in pairs:
            target = hints["environment"].get(str(variable))
            if target is None or value in (None, ""):
                continue
            value = str(value)
            if target == "object-storage":
                provider = hints["providers"].get(value.upper())
                if provider:
                    _external(found, target, provider, f"{source.label}: services.{name}.environment.{variable} ({value})")
                continue
            provider, why = _provider_for(value, hints["providers"], "postgres" if target == "postgres" else "redis")
            _external(found, target, provider, f"{source.label}: services.{name}.environment.{variable}{why}")
    for name, target in hints["compose_bundled"].items():
        service = services.get(name)
        reset = source.tags.get(("services", name)) == "!reset"
        disabled = isinstance(service, dict) and (service.get("profiles") or (service.get("deploy") or {}).get("replicas") == 0)
        if (reset or disabled) and f"services.{target.replace('-', '_')}" not in found.facts:
            found.notes.append(f"{source.label}: services.{name} is {'reset' if reset else 'disabled'}, so {target} is external; its host is not in this file")
    if versions:
        minor, _ = versions.most_common(1)[0]
        found.set("version", minor, f"{source.label}: {first[minor]}, the tag of {versions[minor]} image(s)")
    found.set("deployment.method", "docker-compose", f"{source.label}: a Compose file (services:)")


def _kustomization(found: Findings, source: Source) -> None:
    found.set("deployment.method", "kustomize", f"{source.label}: a Kustomize overlay (kustomization)")
    for key in ("resources", "components"):
        for index, entry in enumerate(source.data.get(key) or []):
            match = re.search(r"[?&]ref=(v?\d+\.\d+[.\d]*)", str(entry))
            if match and _minor(match.group(1)):
                found.set("version", _minor(match.group(1)), f"{source.label}: {key}[{index}] (ref={match.group(1)})")


def inspect(catalog: Catalog, data: deploy_data.DeployData, sources: list[Source], customer: str | None = None, version: str | None = None) -> dict[str, Any]:
    """The requirements the files describe, with where each field came from and what could not be determined."""
    keys = data["keys"]
    hints = keys["inspect"]
    newest = deploy_data.covered(data, "helm")[-1]
    chart_keys = {key.split(".", 1)[0] for key in deploy_data.table(data, "helm", newest) or {}}
    found = Findings()
    for source in sources:
        kind = kind_of(source, chart_keys)
        found.kinds.append((source.label, kind))
        if kind == "helm-list":
            releases = [item for item in source.data if str(item.get("chart", "")).startswith(hints["helm_chart"] + "-")]
            if releases:
                item = releases[0]
                listed = _minor(str(item.get("app_version") or "")) or _minor(str(item["chart"])[len(hints["helm_chart"]) :])
                if listed:
                    found.set("version", listed, f"{source.label}: [{source.data.index(item)}].app_version ({item.get('app_version')}, chart {item['chart']})")
                found.set("deployment.method", "helm", f"{source.label}: [{source.data.index(item)}].chart ({item['chart']})")
            else:
                found.unknown.append(f"version: {source.label} lists no release of the {hints['helm_chart']} chart")
        elif kind == "kubectl-version":
            server = source.data.get("serverVersion") or {}
            git_version = str(server.get("gitVersion", ""))
            if git_version:
                minor = _minor(git_version)
                found.set("deployment.platform_version", minor, f"{source.label}: serverVersion.gitVersion ({git_version})")
                platform = next((p for marker, p in hints["kubernetes_platforms"].items() if marker in git_version), None)
                if platform:
                    found.set("deployment.platform", platform, f"{source.label}: serverVersion.gitVersion ({git_version})")
                else:
                    found.unknown.append(f"deployment.platform: {source.label}: the server version {git_version} does not name a distribution")
            else:
                found.unknown.append(f"deployment.platform_version: {source.label} has no serverVersion (was the cluster reachable?)")
        elif kind == "nodes":
            items = source.data.get("items") or []
            arches = sorted({str((item.get("status") or {}).get("nodeInfo", {}).get("architecture", "")) for item in items} - {""})
            cpus = sorted({str((item.get("status") or {}).get("capacity", {}).get("cpu", "")) for item in items} - {""})
            found.notes.append(f"{source.label}: {len(items)} node(s), CPU capacity {', '.join(cpus) or 'not given'}")
            if len(arches) == 1:
                found.set("deployment.architecture", arches[0], f"{source.label}: items[*].status.nodeInfo.architecture")
            elif arches:
                found.unknown.append(f"deployment.architecture: {source.label} mixes {', '.join(arches)}")
        elif kind == "docker-version":
            (_docker_text if source.data is None else _docker_json)(found, source)
        elif kind == "compose-version":
            minor = _minor(source.text)
            if minor:
                found.set("deployment.compose_version", minor, f"{source.label}: {source.text.strip().splitlines()[0]}")
        elif kind == "compose":
            _compose(found, source, data)
        elif kind == "kustomization":
            _kustomization(found, source)
        elif kind == "helm-values":
            _helm_values(found, source, keys)
        else:
            found.unknown.append(f"{source.label}: not a file refarch inspect recognises; it was skipped")
    if version is not None:
        minor = _minor(version)
        if minor is None:
            raise InputError([Problem("<arguments>", None, "--version", f"expected a version like 7.5 (got {version!r})")])
        found.set("version", minor, "--version")
    return _requirements(catalog, found, customer)


def _requirements(catalog: Catalog, found: Findings, customer: str | None) -> dict[str, Any]:
    facts = found.facts
    unknown = list(found.unknown)
    if "deployment.method" not in facts:
        raise InputError([Problem("<arguments>", None, "FILE", "none of the files says how the product is deployed (a Helm override or helm list, a Compose file, or a kustomization.yaml)")])
    if "version" not in facts:
        raise InputError(
            [Problem("<arguments>", None, "FILE", "none of the files gives the product version: add helm list -o json output, the Compose file with its image tags, or give --version")]
        )
    method = facts["deployment.method"].value
    kubernetes = catalog.methods[method].platform_kind == "kubernetes" if method in catalog.methods else False
    if "deployment.platform" in facts and facts["deployment.platform"].value not in catalog.platforms:
        unknown.append(f"deployment.platform: {facts['deployment.platform'].origin} gives {facts['deployment.platform'].value!r}, which the catalog has no platform for")
        del facts["deployment.platform"]
    if "deployment.architecture" in facts:
        arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(facts["deployment.architecture"].value, facts["deployment.architecture"].value)
        facts["deployment.architecture"].value = arch
    wanted = ["deployment.platform", "deployment.platform_version", "deployment.architecture"] + ([] if kubernetes else ["deployment.compose_version"])
    unknown += [f"{name}: no file gives it" for name in wanted if name not in facts and not any(u.startswith(name + ":") for u in unknown)]
    unknown += ["scale (users, repositories, repository sizes): deployment files do not say; add them for a size check"]
    unknown += ["options: deployment files do not say which options are in use"]
    unknown += [f"services.{name}.version: the files give no version of the external service" for name in ("postgres", "redis") if f"services.{name}" in facts]
    document: dict[str, Any] = {
        "customer": customer or "inspected deployment",
        "version": facts["version"].value,
        "deployment": {"method": method},
        "services": {},
    }
    origins: dict[str, str] = {"customer": "--customer" if customer else "not in the files: set it", "version": facts["version"].origin, "deployment.method": facts["deployment.method"].origin}
    for name in ("platform", "platform_version", "compose_version", "architecture"):
        fact = facts.get(f"deployment.{name}")
        if fact is not None and (name != "compose_version" or not kubernetes):
            document["deployment"][name] = fact.value
            origins[f"deployment.{name}"] = fact.origin
    document["deployment"]["new_install"] = False
    origins["deployment.new_install"] = "inspected from a running deployment"
    for service in ("postgres", "redis", "object_storage"):
        fact = facts.get(f"services.{service}")
        document["services"][service] = {"provider": fact.value if fact else "bundled"}
        origins[f"services.{service}"] = fact.origin if fact else "no file points it elsewhere: bundled"
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "inspection",
        "files": [{"file": label, "recognised_as": kind} for label, kind in found.kinds],
        "requirements": document,
        "origins": origins,
        "undetermined": unknown,
        "notes": found.notes,
    }


def render(result: dict[str, Any]) -> str:
    """The requirements file, with a comment on every field naming where it came from."""
    origins = result["origins"]
    doc = result["requirements"]

    def line(key: str, value: Any, indent: int = 0) -> str:
        text = yaml.safe_dump({key: value}, default_flow_style=True, width=1000).strip()[1:-1]
        comment = origins.get(key if indent == 0 else current + "." + key, "")
        return f"{'  ' * indent}{text}  # {comment}\n" if comment else f"{'  ' * indent}{text}\n"

    out = ["# Requirements written by refarch inspect from: " + ", ".join(f"{f['file']} ({f['recognised_as']})" for f in result["files"]) + "\n"]
    out.append("# Check them with: refarch check FILE (or pipe: refarch inspect ... | refarch check -)\n")
    if result["undetermined"]:
        out.append("# Could not determine:\n")
        out += [f"#   - {item}\n" for item in result["undetermined"]]
    if result["notes"]:
        out.append("# Notes:\n")
        out += [f"#   - {note}\n" for note in result["notes"]]
    current = ""
    out.append(line("customer", doc["customer"]))
    out.append(line("version", doc["version"]))
    out.append("deployment:\n")
    current = "deployment"
    for key, value in doc["deployment"].items():
        out.append(line(key, value, 1))
    out.append("services:\n")
    current = "services"
    for key, value in doc["services"].items():
        out.append(line(key, value, 1))
    return "".join(out)
