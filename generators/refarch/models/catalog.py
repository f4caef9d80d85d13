"""The support matrix as data: one model per kind of catalog file."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Literal

from pydantic import Field, model_validator

from .common import Cloud, Disagreement, Entity, Id, Level, MachineId, Minor, Outcome, Sourced, Strict, Url, Version, version_key

# --- product, releases, support levels -------------------------------------------------


class SupportPolicy(Strict):
    supported_majors: int = Field(ge=1, description="How many majors are supported: 2 means the current major and the one before it.")
    warn_minors_behind: int = Field(ge=0, description="Running more than this many minors behind the latest release is a warning.")
    summary: str = Field(description="The policy in one sentence, as the docs show it.")


class Product(Sourced):
    """catalog/product.yaml: the product and its support policy."""

    id: Id
    name: str
    docs_url: Url = Field(description="The product's deployment documentation.")
    support_policy: SupportPolicy
    recommended_method: Id = Field(description="The deployment method suggested when none is given.")
    upgrade_docs_url: Url | None = None


class Release(Strict):
    version: Minor = Field(description='The minor version, "X.Y".')
    released: dt.date = Field(description="Date of the X.Y.0 release (tag date where no announcement date is known).")
    latest_patch: Version = Field(description="The newest patch of this minor.")
    latest_patch_date: dt.date | None = Field(default=None, description="Date of the newest patch, if known.")
    eol: dt.date | None = Field(default=None, description="End of support, when a source states it; otherwise computed from the support policy.")
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _patch_belongs_to_minor(self) -> Release:
        if not self.latest_patch.startswith(self.version + ".") or self.latest_patch.count(".") != 2:
            # the planner ends a plan at this patch and compares "X.Y.Z" given by users against it: it must be one
            raise ValueError(f'latest_patch {self.latest_patch!r} is not a patch of {self.version!r}; write it in full, like "{self.version}.0"')
        return self


class Releases(Sourced):
    """catalog/releases.yaml: every minor release, oldest first.

    Its `verified:` is the catalog's currency: the day the release list was last checked, which every
    answer reports as `catalog.checked` and the freshness warning counts from (refarch.freshness).
    """

    verified: dt.date = Field(
        description="The day the release list was last checked against the deploy repositories' tags; answers report it as catalog.checked."
    )
    releases: list[Release] = Field(min_length=1)


class SupportLevel(Strict):
    id: Level
    label: str = Field(description="The badge text.")
    outcome: Outcome = Field(description="What a checker reports for a requirement at this level.")
    exception: bool = Field(description="Whether an exception may be requested when this level fails a requirement.")
    description: str = Field(description="What the level means, for the legend.")


class SupportLevels(Sourced):
    """catalog/support-levels.yaml: the one table that docs and checks both read."""

    levels: list[SupportLevel]


# --- deployment methods and platforms ----------------------------------------------------


class Lifecycle(Strict):
    """Versions at which something starts, is deprecated and is removed (each "end of X" when set)."""

    introduced: Version | None = Field(default=None, description="First product version where it exists; empty means since before the catalog starts.")
    deprecated: Version | None = Field(default=None, description="Version from which it is deprecated.")
    removed: Version | None = Field(default=None, description="Version from which it no longer exists.")
    deprecation_planned: bool = Field(default=False, description="The vendor has announced a deprecation without a version yet.")

    @model_validator(mode="after")
    def _ordered(self) -> Lifecycle:
        points = [(n, v) for n, v in (("introduced", self.introduced), ("deprecated", self.deprecated), ("removed", self.removed)) if v]
        for (n1, v1), (n2, v2) in pairwise(points):
            if version_key(v1) > version_key(v2):
                raise ValueError(f"{n1} ({v1}) must not come after {n2} ({v2})")
        return self


class Scale(Strict):
    sizes: list[Id] = Field(min_length=1, description="The sizes this method serves.")
    nodes: Literal["single", "multi"] = Field(description="Whether it runs on one machine or a cluster.")
    production: bool = Field(description="Whether it is meant for production (false: trial or development only).")
    summary: str


class Configuration(Strict):
    how: str = Field(description="How customers change the deployment, e.g. an override file.")
    fork_required: bool = Field(description="Whether customising it means keeping a fork of the vendor's repository.")


class RuntimeRequirement(Strict):
    """A tool the method runs on, with its minimum version."""

    id: Id = Field(description="kubernetes, docker-engine, docker-compose, helm, ...")
    name: str
    min: Version | None = None
    notes: list[str] = Field(default_factory=list)


class Method(Entity):
    """catalog/methods/<id>.yaml: a deployment method and its status over versions."""

    summary: str
    self_hosted: bool = Field(description="False for a managed offering listed as an alternative.")
    platform_kind: Literal["kubernetes", "host", "cloud", "none"] = Field(description="What the platform ids of this method describe.")
    level: Level = Field(description="Support level while the method is current (before deprecation).")
    lifecycle: Lifecycle
    new_installs: Literal["allowed", "discouraged"] = Field(
        default="allowed", description="discouraged: existing deployments are supported but new installs should pick another method."
    )
    replacement: Id | None = Field(default=None, description="The method to move to when this one is deprecated or removed.")
    scale: Scale
    configuration: Configuration
    external_services: bool = Field(description="Whether bundled databases and storage may be replaced by external ones.")
    mvu: bool = Field(description="Whether multi-version upgrades are supported.")
    runtime: list[RuntimeRequirement] = Field(
        default_factory=list, description="Tools and minimum versions it needs; the first is what 'platform_version' means in a requirements file."
    )
    upgrade_story: str = Field(description="How upgrades work with this method, in plain words.")
    docs: Url


class ShippedKubernetes(Strict):
    """One release of a distribution with its own version numbers, and the Kubernetes minor it ships."""

    version: Version = Field(description='The distribution\'s own version, e.g. OpenShift "4.14".')
    kubernetes: Version = Field(description='The Kubernetes version that release ships, e.g. "1.27".')
    source: Url = Field(description="Where the distribution says so (its release notes).")


class Platform(Entity):
    """catalog/platforms/<id>.yaml: a Kubernetes distribution or a host OS."""

    kind: Literal["kubernetes", "host"]
    summary: str
    level: Level
    production: bool = Field(description="False for development-only platforms such as minikube.")
    methods: list[Id] = Field(min_length=1, description="Methods that may run on this platform.")
    min_version: Version | None = Field(default=None, description="Minimum platform version where it differs from the method's runtime minimum.")
    requirements: list[str] = Field(default_factory=list, description="What the platform must provide, e.g. a CSI driver at cluster creation.")
    docs: Url | None = None
    ships_kubernetes: list[ShippedKubernetes] = Field(
        default_factory=list,
        description="For a distribution numbered on its own (OpenShift 4.x): the Kubernetes version each of its releases ships, so a platform_version in its numbering is judged as that Kubernetes version.",
    )


class CpuArchitecture(Strict):
    id: Id
    name: str
    level: Level
    production: bool
    notes: list[str] = Field(default_factory=list)


class CpuArchitectures(Sourced):
    """catalog/cpu-architectures.yaml."""

    architectures: list[CpuArchitecture]


# --- external services -------------------------------------------------------------------


class VersionRule(Strict):
    """For product versions in [from_version, until), the external service must be at least `min`."""

    from_version: Version = Field(alias="from")
    until: Version | None = None
    min: Version
    max: Version | None = None
    reason: str


class ExternalService(Entity):
    """catalog/external-services/<id>.yaml: a store that may be bundled or external."""

    summary: str
    replaces: list[Id] = Field(min_length=1, description="The bundled services an external one replaces.")
    version_rules: list[VersionRule] = Field(default_factory=list)
    unsupported_modes: dict[Id, str] = Field(default_factory=dict, description="Modes that are not supported, with the reason (e.g. cluster).")
    requirements: list[str] = Field(default_factory=list, description="What an external instance must provide, e.g. extensions.")
    since: Version | None = Field(default=None, description="First product version with this external option.")


class Provider(Entity):
    """catalog/providers/<id>.yaml: who runs an external service (or bundled)."""

    serves: list[Id] = Field(min_length=1, description="External service ids this provider can stand in for.")
    kind: Literal["bundled", "self-managed", "managed"]
    cloud: Cloud | None = None
    level: Level
    summary: str


# --- options -----------------------------------------------------------------------------


class Option(Entity):
    """catalog/options/<id>.yaml: a configuration choice with its support level per method."""

    summary: str
    category: Literal["security", "network", "registry", "observability", "scheduling", "feature", "storage"]
    methods: dict[Id, Level] = Field(min_length=1, description="Support level per deployment method; a method not listed does not offer it.")
    requires: list[Id] = Field(default_factory=list, description="Options that must also be chosen.")
    conflicts: list[Id] = Field(default_factory=list, description="Options that cannot be combined with this one.")
    since: Version | None = None
    how: str | None = Field(default=None, description="The file or setting that turns it on.")


# --- sizes and machines ------------------------------------------------------------------


class SizeLimits(Strict):
    """The most a size serves; a value equal to a limit fits the size."""

    users: int | None = Field(default=None, ge=1)
    repositories: int | None = Field(default=None, ge=1)
    largest_repo_gb: float | None = Field(default=None, gt=0)
    concurrent_users: int | None = Field(default=None, ge=1)


class Size(Entity):
    """catalog/sizes/<id>.yaml: a T-shirt size from the instance-size chart."""

    rank: int = Field(ge=0, description="Order from smallest (0) to largest.")
    limits: SizeLimits
    vcpu: int = Field(ge=1)
    memory_gb: int = Field(ge=1)
    ssd: bool
    instance_types: dict[Cloud, MachineId] = Field(default_factory=dict, description="Recommended single-machine type per cloud.")
    min_instance_types: dict[Cloud, MachineId] = Field(default_factory=dict, description="Smallest type the machine-image charts accept.")
    contact_support: bool = Field(default=False, description="Beyond the published chart: talk to support.")
    recommended_method: Id | None = Field(default=None, description="Overrides the product's recommended method for this size.")


class MachineType(Strict):
    id: MachineId
    cloud: Cloud
    vcpu: int = Field(ge=1)
    memory_gb: float = Field(gt=0)


class MachineTypes(Sourced):
    """catalog/machine-types.yaml: every instance type the catalog names."""

    machine_types: list[MachineType]


# --- services ----------------------------------------------------------------------------


class Resources(Strict):
    replicas: int = Field(default=1, ge=0)
    cpu_request: float | None = Field(default=None, ge=0)
    cpu_limit: float | None = Field(default=None, ge=0)
    memory_request_gb: float | None = Field(default=None, ge=0)
    memory_limit_gb: float | None = Field(default=None, ge=0)
    storage_gb: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _request_within_limit(self) -> Resources:
        for what in ("cpu", "memory"):
            suffix = "" if what == "cpu" else "_gb"
            request, limit = getattr(self, f"{what}_request{suffix}"), getattr(self, f"{what}_limit{suffix}")
            if request is not None and limit is not None and request > limit:
                raise ValueError(f"{what}_request{suffix} ({request}) is above {what}_limit{suffix} ({limit})")
        return self


class Service(Entity):
    """catalog/services/<id>.yaml: one service of the product."""

    summary: str
    role: Literal["core", "search", "code-intel", "database", "cache", "storage", "monitoring", "job", "proxy"]
    stateful: bool
    depends_on: list[Id] = Field(default_factory=list)
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    enabled_by_default: bool = True
    feature: Id | None = Field(default=None, description="A feature that, when turned off, removes this service (e.g. code-insights).")
    per_node: bool = Field(default=False, description="Runs once per node (a DaemonSet).")
    external: Id | None = Field(default=None, description="The external service that can replace it.")
    defaults: dict[Id, Resources] = Field(default_factory=dict, description="Default resources per deployment method.")


__all__ = [
    "Configuration",
    "RuntimeRequirement",
    "Scale",
    "SizeLimits",
    "SupportPolicy",
    "VersionRule",
    "CpuArchitecture",
    "CpuArchitectures",
    "Disagreement",
    "ExternalService",
    "Lifecycle",
    "MachineType",
    "MachineTypes",
    "Method",
    "Option",
    "Platform",
    "Product",
    "Provider",
    "Release",
    "Releases",
    "Resources",
    "Service",
    "Size",
    "SupportLevel",
    "SupportLevels",
]
