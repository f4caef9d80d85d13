"""The sizing calculator's shapes: what a customer tells us (SizingInputs) and how the catalog scales from it.

SizingInputs is the `scale:` block of a requirements file, `refarch size --from FILE`, and the
body of the API's size route; None means "not given". SizingData is catalog/sizing.yaml: the
estimator's defaults, reference points and formulas, as data the engine (refarch.sizing) reads.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..conform import fast_check
from ..numbers import MAX_NUMBER, concurrent_users_problem, largest_within_total
from .common import CatalogCurrency, Cloud, Id, Sourced, Strict, matching


class SizingInputs(Strict):
    # strict: a quoted number or true/1 in a file is an error rather than a silent conversion (the CLI parses its own strings).
    users: int | None = Field(default=None, ge=1, strict=True, le=MAX_NUMBER, description="People who will use the instance.")
    repositories: int | None = Field(default=None, ge=1, strict=True, le=MAX_NUMBER, description="Repositories to index.")
    total_repo_size_gb: float | None = Field(
        default=None, gt=0, strict=True, allow_inf_nan=False, le=MAX_NUMBER, description="Size of all repositories together, in GB."
    )
    largest_repo_gb: float | None = Field(
        default=None, ge=0, strict=True, allow_inf_nan=False, le=MAX_NUMBER, description="Size of the largest repository, in GB."
    )
    largest_index_gb: float | None = Field(
        default=None,
        ge=0,
        strict=True,
        allow_inf_nan=False,
        le=MAX_NUMBER,
        description="Largest precise code-intelligence (SCIP) index, in GB; 0 turns precise code intelligence off.",
    )
    concurrent_users: int | None = Field(default=None, ge=1, strict=True, le=MAX_NUMBER, description="Users active at the same moment.")
    code_insights: bool | None = Field(default=None, strict=True, description="Whether Code Insights is on.")
    syntactic_code_intel: bool | None = Field(
        default=None, strict=True, description="Whether syntactic code intelligence is on (the Helm chart turns it off by default)."
    )
    method: Id | None = Field(default=None, description="Deployment method id; default: the catalog's recommended method for the size.")
    cloud: Cloud | None = Field(default=None, description="Cloud whose instance types to name: aws, gcp or azure.")

    @field_validator("concurrent_users")
    @classmethod
    @fast_check("refarch.numbers:concurrent_within_users")
    def _concurrent_within_users(cls, value: int | None, info: ValidationInfo) -> int | None:
        users = info.data.get("users")
        if value is not None and users is not None and value > users:
            raise ValueError(concurrent_users_problem(value, users, "scale.users"))
        return value

    @model_validator(mode="after")
    @fast_check("refarch.numbers:largest_within_total")
    def _largest_within_total(self) -> SizingInputs:
        if not largest_within_total(self):
            raise ValueError(
                f"largest_repo_gb ({self.largest_repo_gb:g}) is larger than total_repo_size_gb ({self.total_repo_size_gb:g}); the largest repository is part of the total"
            )
        return self


# --- catalog/sizing.yaml -------------------------------------------------------------------

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


Key = Annotated[str, matching(KEY_PATTERN, "a name of lowercase letters, digits and underscores, like 'total_repo_size_gb'")]
"""An input or factor name, e.g. total_repo_size_gb."""

ResourceField = Literal["replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb"]
RESOURCE_FIELDS: tuple[str, ...] = ResourceField.__args__  # type: ignore[attr-defined]

NUMERIC_INPUTS = ("users", "repositories", "total_repo_size_gb", "largest_repo_gb", "largest_index_gb", "concurrent_users")
SWITCH_INPUTS = ("code_insights", "syntactic_code_intel")


class InputRange(Strict):
    """An estimator input: the value used when it is not given, and the range the estimator covers."""

    default: float | bool | None = Field(default=None, description="Used when the input is not given; leave out to leave the input unset.")
    min: float | None = Field(default=None, description="The smallest value the estimator accepts.")
    max: float | None = Field(
        default=None, description="The largest value the estimator covers; above it the answer is beyond the model and says to contact support."
    )


class Term(Strict):
    """factor x multiply / divide."""

    factor: Key = Field(description="A factor name from factors:.")
    multiply: float = 1
    divide: float = Field(default=1, gt=0)


class Formula(Strict):
    """A value computed from factors: one term (factor, multiply, divide) or the larger of several sums of terms.

    Then, in order: whole_units rounds up to a whole number and multiplies by unit_size; at_least sets a floor.
    """

    factor: Key | None = Field(default=None, description="One-term form: this factor times multiply, divided by divide.")
    multiply: float = 1
    divide: float = Field(default=1, gt=0)
    larger_of: list[list[Term]] = Field(default_factory=list, description="Several sums of terms; the value is the largest sum.")
    whole_units: bool = Field(default=False, description="Round up to a whole number of units (e.g. CPUs) before multiplying by unit_size.")
    unit_size: float = Field(default=1, gt=0, description="What one whole unit is worth, e.g. 0.75 GB of memory per CPU.")
    at_least: float | None = Field(default=None, ge=0, description="The value is never below this.")

    @model_validator(mode="after")
    def _one_form(self) -> Formula:
        if (self.factor is None) == (not self.larger_of):
            raise ValueError("give either factor (with multiply and divide) or larger_of, not both and not neither")
        if any(not terms for terms in self.larger_of):
            raise ValueError("each entry of larger_of needs at least one term")
        return self

    def sums(self) -> list[list[Term]]:
        """The formula as a list of sums of terms, whichever form it was written in."""
        if self.factor is not None:
            return [[Term(factor=self.factor, multiply=self.multiply, divide=self.divide)]]
        return self.larger_of


class Point(Strict):
    """Resources at one value of the service's factor; fields left out are not stated at this point."""

    at: float = Field(ge=0, description="The factor value of this point.")
    replicas: int | None = Field(default=None, ge=0)
    cpu_request: float | None = Field(default=None, ge=0)
    cpu_limit: float | None = Field(default=None, ge=0)
    memory_request_gb: float | None = Field(default=None, ge=0)
    memory_limit_gb: float | None = Field(default=None, ge=0)
    storage_gb: float | None = Field(default=None, ge=0)


class ZeroWhile(Strict):
    """Fields that are 0 while a factor is 0 (e.g. codeintel-db storage while precise code intelligence is off)."""

    factor: Key
    fields: list[ResourceField] = Field(min_length=1)


class ServiceScaling(Strict):
    """How one service scales: reference points along one factor, and formulas for single fields."""

    factor: Key | None = Field(default=None, description="The factor the points are keyed by.")
    points: list[Point] = Field(default_factory=list, description="Reference points in increasing order of `at`; values between two points are interpolated.")
    formulas: dict[ResourceField, Formula] = Field(default_factory=dict, description="Fields computed by a formula instead of points.")
    zero_while: list[ZeroWhile] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="How the points were read from the sources.")

    @model_validator(mode="after")
    def _consistent(self) -> ServiceScaling:
        if self.points and self.factor is None:
            raise ValueError("points need a factor: add factor (for example users or average_repositories)")
        if self.factor is not None and not self.points:
            raise ValueError(f"factor {self.factor} is given without points; add points or remove factor")
        ats = [p.at for p in self.points]
        if any(b <= a for a, b in zip(ats, ats[1:], strict=False)):
            raise ValueError(f"points must be in increasing order of at, each value once (got {', '.join(f'{a:g}' for a in ats)})")
        stated = {f for p in self.points for f in RESOURCE_FIELDS if getattr(p, f) is not None}
        both = sorted(stated & set(self.formulas))
        if both:
            raise ValueError(f"{', '.join(both)} is set both by points and by a formula; keep one")
        return self


class Rounding(Strict):
    """How computed values are rounded: above whole_above to a whole number, otherwise to the nearest step_below."""

    whole_above: float = Field(gt=0)
    step_below: float = Field(gt=0)


class TierRules(Strict):
    close_to_next: float = Field(gt=0, lt=1, description="An input within this fraction of its tier's limit gets a 'close to the next tier' note (0.1 = 10%).")


class NodeType(Strict):
    vcpu: int = Field(ge=1)
    memory_gb: float = Field(gt=0)
    boot_disk_gb: int | None = Field(default=None, ge=1)
    instance_types: dict[Cloud, str] = Field(min_length=1, description="The node's machine type per cloud (catalog/machine-types.yaml).")


class KubernetesPlan(Strict):
    """How Kubernetes node plans are made: which node, how much of it stays free, what storage it needs."""

    node: NodeType
    headroom: float = Field(ge=0, lt=1, description="Fraction of each node's CPU and memory kept free (0.2: pods use at most 80%).")
    storage_class: str = Field(description="The storage class requirement, e.g. SSD.")


class Advice(Strict):
    """Product advice the answer quotes; {placeholders} are filled in by the engine."""

    contact_support: str = Field(description="For a tier marked contact_support. Placeholders: {tier}.")
    beyond_model: str = Field(description="When an input is past what the estimator covers. Placeholders: {inputs}.")
    monorepo: str = Field(description="When the largest repository is above every size's limit. Placeholders: {value}, {limit}, {size}.")


class SizingData(Sourced):
    """catalog/sizing.yaml: the resource estimator's model as data, read by `refarch size` and the site's calculator."""

    inputs: dict[Key, InputRange] = Field(description="Estimator inputs (SizingInputs fields): default and covered range.")
    factors: dict[Key, dict[Key, float]] = Field(description="What reference points are keyed by: each factor is a sum of inputs times coefficients.")
    rounding: Rounding
    tiers: TierRules
    services: dict[Id, ServiceScaling] = Field(description="Service id (catalog/services/) -> how it scales. Services not listed keep their method defaults.")
    pods: dict[Id, list[Id]] = Field(default_factory=dict, description="Services that run in one pod and so share one replica count (the largest).")
    features: dict[Id, Key] = Field(default_factory=dict, description="Feature id (a service's feature:) -> the input that turns it on (true, or above 0).")
    resources_from: dict[Id, Id] = Field(
        default_factory=dict, description="Method -> the method whose service defaults it uses, for methods the services give no defaults for."
    )
    kubernetes: KubernetesPlan
    advice: Advice


# --- the answer (`refarch size --format json`, the API's size route) ----------------------------
# Describes what refarch.sizing returns, for the JSON Schema and the API; the engine builds plain dicts.


class Driver(Strict):
    input: str = Field(description="A sizing input with a size limit: users, repositories, largest_repo_gb or concurrent_users.")
    value: float = Field(description="Its value (given, or the estimator's default).")
    tier: Id = Field(description="The size this input alone needs: the smallest whose limit it does not exceed.")
    tier_name: str
    given: bool = Field(description="False when the value is the estimator's default.")


class ServiceResources(Strict):
    """One service: per-replica values; 0 everywhere when the inputs turn it off; null where the method sets no such value."""

    name: Id = Field(description="A service id from catalog/services/.")
    enabled: bool
    per_node: bool = Field(description="Runs once per node (a DaemonSet), whatever replicas says.")
    pod: str | None = Field(description="The pod it shares with other services (same replica count), if any.")
    replicas: int
    cpu_request: float | None
    cpu_limit: float | None
    memory_request_gb: float | None
    memory_limit_gb: float | None
    storage_gb: float | None = Field(description="Disk per replica, in GB.")


class Totals(Strict):
    """Sums over enabled services of value x replicas (x nodes for per-node services), to thousandths."""

    cpu_request: float
    cpu_limit: float
    memory_request_gb: float
    memory_limit_gb: float
    storage_gb: float


class Machines(Strict):
    role: Literal["worker nodes", "all services"] = Field(description="Kubernetes worker nodes, or the one machine of a single-machine method.")
    count: int = Field(ge=1)
    vcpu: int = Field(description="vCPU each machine has at least.")
    memory_gb: float = Field(description="Memory each machine has at least.")
    instance_types: dict[Cloud, str | None] = Field(description="A machine type per cloud; null when no catalog type fits.")
    ssd: bool
    boot_disk_gb: int | None = None
    data_disk_gb: int | None = Field(default=None, description="Single machine: the sum of all services' storage.")
    storage_class: str | None = Field(default=None, description="Kubernetes: what the volumes' storage class must provide.")
    pods: int | None = Field(default=None, description="Kubernetes: pods placed, per-node pods not counted.")
    headroom: float | None = Field(default=None, description="Kubernetes: fraction of each node kept free.")


class AnswerSources(Strict):
    """Where each number comes from: catalog files, relative to the catalog root."""

    tier: str
    drivers: dict[str, str] = Field(description="Input -> the size file that sets the limit it fits.")
    defaults: str | None
    method: str
    recommended_method: str | None = Field(description="Where the default method comes from, when no method was given.")
    architecture: str | None
    services: dict[Id, dict[str, str]] = Field(description="Service -> field -> the file (and key) its value comes from.")
    machines: list[str]
    rules: str = Field(description="The sizing model: interpolation, rounding, tier and node-plan rules.")


class SizingAnswer(Strict):
    """What `refarch size --format json` prints and the API's size route returns."""

    schema_version: Literal[1]
    version: str = Field(description="The product version sized for: the latest release in the catalog.")
    catalog: CatalogCurrency
    inputs: dict[str, float | bool | str | None] = Field(description="Every input as used: given, or the estimator's default.")
    defaulted: list[str] = Field(description="Inputs that took the estimator's default.")
    tier: Id = Field(description="The size: the largest of the sizes each input needs.")
    tier_name: str
    drivers: list[Driver]
    driven_by: list[str] = Field(description="The inputs whose own size is the answer's size.")
    contact_support: bool
    beyond_model: bool = Field(description="Some input is past what the resource estimator covers; the answer is its nearest.")
    beyond_model_inputs: list[str]
    method: Id
    method_serves_tier: bool
    architecture: Id | None = Field(description="The reference architecture for this size and method, when the catalog has one.")
    services: list[ServiceResources]
    totals: Totals
    machines: list[Machines]
    notes: list[str]
    sources: AnswerSources
