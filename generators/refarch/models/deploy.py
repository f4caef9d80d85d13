"""catalog/deploy/: what the deployment files of each release contain, and how services map onto them.

helm.yaml and docker-compose.yaml are written by `refarch catalog chart-values --git DIR` from a clone
of the chart or Compose repository: every release's keys (with type and default) or services, each
version stored as a difference from the one before. keys.yaml is authored: which chart key or Compose
services carry each catalog service, and the commands that install an override.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .common import Cloud, Id, IsoDate, Sourced, Strict, Url, Version, version_key

ValueType = Literal["string", "integer", "number", "boolean", "null", "list", "map"]
"""The YAML type of a chart value: a scalar, a list, or an empty map (a map with keys is not a leaf)."""

Leaf = tuple[ValueType, Any]
"""[type, default]; a list or string default longer than the data keeps is written as 'sha256:<12 hex>'."""


class MissingVersion(Strict):
    version: Version
    reason: str = Field(description="Why the data has no entry for this release, e.g. no tag in the clone it was read from.")


class ChartVersion(Strict):
    """One release of the chart: what changed in values.yaml since the version before it in this file."""

    version: Version = Field(description="The product minor, X.Y.")
    tag: str = Field(description="The git tag read: the highest patch of the minor in the repository.")
    source: Url
    released: IsoDate = Field(description="The date of the tagged commit.")
    added: dict[str, Leaf] = Field(default_factory=dict, description="Leaf keys (dotted; a dot inside a key is written \\.) new in this version: [type, default].")
    changed: dict[str, Leaf] = Field(default_factory=dict, description="Leaf keys whose type or default changed: the new [type, default].")
    removed: list[str] = Field(default_factory=list, description="Leaf keys this version no longer has.")


class ChartValues(Sourced):
    """catalog/deploy/helm.yaml: the chart's values.yaml keys at every release."""

    repository: Url
    file: str = Field(description="The values file inside the repository.")
    versions: list[ChartVersion] = Field(min_length=1, description="Oldest first; the first holds every key.")
    missing: list[MissingVersion] = Field(default_factory=list, description="Catalog releases the data could not cover.")

    @field_validator("versions")
    @classmethod
    def _in_order(cls, versions: list[Any]) -> list[Any]:
        _check_order([v.version for v in versions])
        return versions


class ComposeService(Strict):
    """One service of the Compose file, as far as an override needs it."""

    image: str | None = Field(default=None, description="The image without tag or digest.")
    cpus: float | None = None
    mem_limit: str | None = Field(default=None, description="As the file writes it, e.g. '8g'.")
    volumes: list[str] = Field(default_factory=list, description="Named volumes it mounts.")
    environment: list[str] = Field(default_factory=list, description="Names of the environment variables it sets.")


class ComposeVersion(Strict):
    version: Version
    tag: str
    source: Url
    released: IsoDate
    added: dict[str, ComposeService] = Field(default_factory=dict, description="Services new in this version, or (in the first) every service.")
    changed: dict[str, ComposeService] = Field(default_factory=dict)
    removed: list[str] = Field(default_factory=list)


class ComposeFiles(Sourced):
    """catalog/deploy/docker-compose.yaml: the Compose file's services at every release."""

    repository: Url
    file: str
    versions: list[ComposeVersion] = Field(min_length=1)
    missing: list[MissingVersion] = Field(default_factory=list)

    @field_validator("versions")
    @classmethod
    def _in_order(cls, versions: list[Any]) -> list[Any]:
        _check_order([v.version for v in versions])
        return versions


def _check_order(versions: list[str]) -> None:
    keys = [version_key(v) for v in versions]
    if keys != sorted(set(keys)):
        raise ValueError(f"versions must be listed oldest first, each once (got {', '.join(versions)}); rewrite the file with refarch catalog chart-values")


class HelmKeys(Strict):
    """Where the chart keeps one service's settings."""

    key: str = Field(description="The service's top-level key in values.yaml, e.g. indexedSearch (dotted for a nested one).")
    storage: bool = Field(default=False, description="Whether the key has a storageSize (a persistent volume).")


class DeployMethod(Strict):
    """How one method's override file reaches the deployment."""

    repository: Url = Field(description="Where the method's files are installed from: the Helm chart repository, or the Compose repository.")
    git: Url = Field(description="The git repository whose release tags `refarch catalog chart-values` reads.")
    file: str = Field(description="The file read at each tag: the chart's values.yaml or the Compose file.")
    tag_prefixes: list[str] = Field(min_length=1, description="What precedes X.Y.Z in a release tag, e.g. v.")
    install: list[str] = Field(description="Commands that install or upgrade with the override, with {version}, {patch} and {file} placeholders.")


class InspectHints(Strict):
    """What `refarch inspect` recognises in a customer's files."""

    helm_chart: str = Field(description="The chart's name, as `helm list` shows it before the version (NAME-X.Y.Z).")
    kubernetes_platforms: dict[str, Id] = Field(description="Text in the Kubernetes server version -> platform id, e.g. -eks- -> eks.")
    helm_external: dict[str, Id] = Field(description="Chart key that, set to false, means the external service (id) is used instead.")
    helm_hosts: dict[str, Id] = Field(default_factory=dict, description="Chart key holding an external service's host or endpoint.")
    environment: dict[str, Id] = Field(description="Environment variable that points a service at an external one (or names an object-storage backend).")
    compose_bundled: dict[str, Id] = Field(description="Compose service that, reset or disabled in an override, means the external service is used.")
    providers: dict[str, Id] = Field(description="Host suffix (or object-storage backend value) -> provider id.")


class DeployKeys(Sourced):
    """catalog/deploy/keys.yaml: which chart key or Compose services carry each catalog service."""

    helm: dict[Id, HelmKeys] = Field(description="Service id -> its chart key.")
    docker_compose: dict[Id, list[str]] = Field(alias="docker-compose", description="Service id -> the Compose services (containers) that run it.")
    free_form: dict[Id, list[str]] = Field(
        default_factory=dict, description="Method -> keys (matched at the end of a key path) under which the chart takes any name, e.g. env or resources.limits."
    )
    renamed: dict[Id, dict[str, str]] = Field(
        default_factory=dict, description="Method -> old key or service -> where its settings went (e.g. symbols -> searcher in 6.4)."
    )
    storage_classes: dict[Cloud, dict[str, Any]] = Field(
        default_factory=dict, description="Cloud -> storageClass keys (under the chart's storageClass) for an SSD class on that cloud."
    )
    inspect: InspectHints
    methods: dict[Id, DeployMethod] = Field(description="Method id -> its repository and install commands.")


class ConfigFile(BaseModel):
    """What `refarch config generate --format json` prints and GET /api/v1/config/{architecture} returns."""

    model_config = ConfigDict(extra="forbid")  # not Strict: the file's text keeps its final newline

    schema_version: Literal[1]
    architecture: str | None = Field(description="The reference architecture, or null for a file from sizing inputs.")
    method: str = Field(description="The method the file is for (kustomize gets the helm file).")
    version: str = Field(description="The product minor the file is written for.")
    tag: str = Field(description="The release tag whose defaults the file differs from.")
    source: str = Field(description="The chart's values.yaml or the Compose file at that tag.")
    file_name: str = Field(description="The file name the install commands expect, e.g. override.yaml.")
    inputs: dict[str, Any] = Field(description="The sizing inputs the numbers come from.")
    sets: list[str] = Field(description="The keys (Helm) or services (Compose) the file sets.")
    notes: list[str]
    commands: list[str] = Field(description="Commands that install or upgrade with the file.")
    content: str = Field(description="The file itself.")


__all__ = ["ChartValues", "ComposeFiles", "ConfigFile", "DeployKeys"]
