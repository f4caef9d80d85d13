"""The exception process as data: a customer's requirements, an exception request, a granted record, and the policy.

A requirements file says what a customer runs or plans to run; `refarch check` judges it against the
catalog. An exception request carries the deviations and the five questions of the exception policy;
a granted record waives named findings until it expires. The policy itself is catalog data.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from ..keypaths import service_id as service_id  # re-exported: where model code looks for it
from .common import Id, Sourced, Strict, Version, matching
from .sizing import SizingInputs

# --- rule vocabulary: the ids findings carry and the policy routes -----------------------

RULES: dict[str, str] = {
    "catalog.freshness": "The catalog's release list is recent enough that no newer release is overdue on the check date (reported only when it is not).",
    "release.support-window": "The product version is inside the support window on the check date.",
    "release.minors-behind": "The product version is not too many minors behind the latest release.",
    "method.status": "The deployment method exists and is supported at the product version.",
    "method.new-install": "New installs use a method that still welcomes new installs.",
    "platform.support": "The platform (Kubernetes distribution or host OS) is supported for the method.",
    "platform.version": "The platform version (Kubernetes or Docker Engine) meets the method's minimum.",
    "platform.compose-version": "The Docker Compose version meets the method's minimum.",
    "cpu.architecture": "The CPU architecture is supported.",
    "service.allowed": "The method allows external services.",
    "service.provider": "The provider of each external service is supported.",
    "service.version": "Each external service's version is one the product version accepts.",
    "service.mode": "Each external service runs in a supported mode.",
    "option.support": "Each option is offered for the method at a supported level.",
    "option.requires": "Every option an option needs is also chosen.",
    "option.conflicts": "No two chosen options conflict.",
    "scale.size": "The method serves the size the scale needs.",
}
"""Every rule the checker runs, with what it checks. Tests assert that each can both fire and not fire."""

Family = Literal["release", "method", "platform", "cpu", "service", "option", "scale"]
FAMILIES: tuple[str, ...] = Family.__args__  # type: ignore[attr-defined]

RuleId = Literal[
    "catalog.freshness",
    "release.support-window",
    "release.minors-behind",
    "method.status",
    "method.new-install",
    "platform.support",
    "platform.version",
    "platform.compose-version",
    "cpu.architecture",
    "service.allowed",
    "service.provider",
    "service.version",
    "service.mode",
    "option.support",
    "option.requires",
    "option.conflicts",
    "scale.size",
]

# Bounds on what one document may hold, so that no request (or file) makes a huge answer: far above any real use.
MAX_TEXT = 200  # characters of a customer name
MAX_ITEMS = 1000  # options or deviations in one document

SERVICE_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


ServiceKey = Annotated[str, matching(SERVICE_KEY, "an external service id like 'postgres' or 'object_storage'")]
"""An external service id; underscores may stand for dashes (object_storage = object-storage)."""


# --- the requirements document -----------------------------------------------------------


class Deployment(Strict):
    method: Id = Field(description="A deployment method id from catalog/methods/, e.g. helm or docker-compose.")
    platform: Id | None = Field(
        default=None,
        description="A platform id from catalog/platforms/: a Kubernetes distribution (eks, gke, aks, openshift, ...) or, for Docker Compose, the host OS (linux).",
    )
    platform_version: Version | None = Field(default=None, description='Kubernetes version, or Docker Engine version for Docker Compose, e.g. "1.29".')
    compose_version: Version | None = Field(default=None, description='Docker Compose version, for Docker Compose only, e.g. "2.20".')
    architecture: Id | None = Field(default=None, description="CPU architecture id from catalog/cpu-architectures.yaml, e.g. amd64.")
    new_install: bool = Field(default=True, description="true for a planned install, false for an existing deployment.")


class ServiceChoice(Strict):
    provider: Id = Field(description="A provider id from catalog/providers/: bundled, or who runs the external service (aws-rds, s3, ...).")
    version: Version | None = Field(default=None, description='Version of the external service, e.g. "16" for PostgreSQL 16.')
    mode: Id | None = Field(default=None, description="How it runs where that matters, e.g. cluster or sentinel for Redis.")


class Requirements(Strict):
    """A customer's intended or current deployment, as `refarch check` reads it."""

    customer: str = Field(min_length=1, max_length=MAX_TEXT, description="Who this is for, free text.")
    version: Version = Field(description='Product version, "X.Y" or "X.Y.Z".')
    deployment: Deployment
    scale: SizingInputs = Field(default_factory=SizingInputs, description="The sizing inputs, all optional; the method comes from deployment.method.")
    services: dict[ServiceKey, ServiceChoice] = Field(
        default_factory=dict, description="External service id (postgres, redis, object_storage) -> who provides it; leave one out for the bundled default."
    )
    options: list[Id] = Field(default_factory=list, max_length=MAX_ITEMS, description="Option ids from catalog/options/.")


# --- exception requests ------------------------------------------------------------------


def _typed_word(value: object) -> object:
    """YAML 1.1 reads an unquoted yes or no (also on/off, true/false) as a boolean: take it as the word the person typed."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


Answer = Annotated[Literal["yes", "no", "unknown"], BeforeValidator(_typed_word)]


class Deviation(Strict):
    """A finding that failed when the request was written."""

    rule_id: RuleId
    path: str = Field(description="Where in the requirements, e.g. deployment.platform_version.")
    requested: str | None = Field(default=None, description="The requested value, as text.")
    level: str = Field(description="The support level that failed.")
    message: str
    alternatives: list[str] = Field(default_factory=list)
    exception_allowed: bool


class Answers(Strict):
    """The five questions of the exception policy, as fields to fill."""

    deal_value_usd: float | None = Field(default=None, ge=0, description="Q4: value of the deal or expected expansion, in US dollars.")
    professional_services: Answer | None = Field(
        default=None, description="Q1: can Customer Engineering's professional services do the work (yes), or does it need product support (no)?"
    )
    professional_services_capacity: str = Field(default="", description="Q1: who in professional services would do it, and when.")
    productize: Answer | None = Field(default=None, description="Q2: will custom work be folded into the product later?")
    owner: str = Field(default="", description="Q3: who supports the deviation meanwhile (a named person or team).")
    strategic_alignment: str = Field(default="", description="Q5: how this fits the product's strategy.")
    justification: str = Field(default="", description="Why the customer needs the deviation, in a few sentences.")
    requested_duration_days: int | None = Field(default=None, ge=1, description="How long the exception should last, in days (the policy caps it).")


class ExceptionRequest(Strict):
    """An exception request: the requirements, what deviates, and the answers Support triages."""

    schema_version: Literal[1] = 1
    customer: str = Field(min_length=1, max_length=MAX_TEXT)
    created: dt.date = Field(description="When the request was written (UTC).")
    ticket: str = Field(default="", description="The support or sales ticket this request belongs to.")
    requirements: Requirements
    deviations: list[Deviation] = Field(max_length=MAX_ITEMS, description="The failed findings when the request was written.")
    answers: Answers = Field(default_factory=Answers)


# --- granted exception records -----------------------------------------------------------


class Waiver(Strict):
    """One finding a record waives: the rule, where, and the value that was approved."""

    rule_id: RuleId
    path: str
    requested: str | None = Field(default=None, description="The approved value as text; the waiver stops matching when the requirements change it.")


class ExceptionRecord(Strict):
    """A granted exception: customer data, kept outside the catalog and never rendered on the site."""

    schema_version: Literal[1] = 1
    id: Id = Field(description="Unique id; also the file name without .yaml.")
    customer: str = Field(min_length=1)
    rule_ids: list[RuleId] = Field(min_length=1, description="The rules this record waives.")
    covers: list[Waiver] = Field(min_length=1, description="The findings this record waives.")
    owner: str = Field(min_length=1, description="Who supports the deviation while the record is active.")
    approved_by: str = Field(min_length=1)
    justification: str = Field(min_length=1)
    ticket: str = ""
    created: dt.date = Field(description="Grant date (UTC).")
    expires: dt.date = Field(description="The record waives findings through the day before this date, UTC; from 00:00 UTC on this date it has expired.")
    requirements: Requirements = Field(description="The requirements the request was made for.")

    @model_validator(mode="after")
    def _consistent(self) -> ExceptionRecord:
        if self.expires <= self.created:
            raise ValueError(f"expires ({self.expires}) must be after created ({self.created})")
        missing = sorted({w.rule_id for w in self.covers} - set(self.rule_ids))
        if missing:
            raise ValueError(f"covers names rules that rule_ids does not list: {', '.join(missing)}")
        return self


# --- the policy (catalog/exception-policy.yaml) ------------------------------------------

Team = Literal["delivery", "professional-services", "engineering"]


class Route(Strict):
    family: Family = Field(description="A rule family: the part of a rule id before the dot.")
    team: Team = Field(
        description="delivery: Delivery approves on its own; professional-services: CE professional services do the work; engineering: needs product support."
    )
    why: str


class NonGoal(Strict):
    rule_id: RuleId
    new_installs_only: bool = Field(default=False, description="Only a non-goal for new installs; existing deployments may still ask.")
    why: str


class DealValue(Strict):
    minimum_usd: float = Field(ge=0, description="Below this deal value a request is declined.")
    engineering_review_minimum_usd: float = Field(ge=0, description="Below this deal value, work that needs engineering is declined.")


class ExceptionPolicy(Sourced):
    """catalog/exception-policy.yaml: how exception requests are triaged and how long grants last."""

    max_expiry_days: int = Field(ge=1, description="A grant may expire at most this many days after it is made.")
    warn_before_expiry_days: int = Field(ge=0, description="`refarch check` warns this many days before a record expires.")
    deal_value: DealValue
    routes: list[Route] = Field(description="Which team each rule family needs.")
    non_goals: list[NonGoal] = Field(default_factory=list, description="Deviations that go against the product strategy: always declined.")

    @model_validator(mode="after")
    def _every_family_routed(self) -> ExceptionPolicy:
        routed = [r.family for r in self.routes]
        missing = [f for f in FAMILIES if f not in routed]
        twice = sorted({f for f in routed if routed.count(f) > 1})
        if missing:
            raise ValueError(f"routes must name every rule family; missing: {', '.join(missing)}")
        if twice:
            raise ValueError(f"routes name a family more than once: {', '.join(twice)}")
        if self.deal_value.engineering_review_minimum_usd < self.deal_value.minimum_usd:
            raise ValueError("deal_value.engineering_review_minimum_usd must not be below deal_value.minimum_usd")
        return self

    def team_for(self, rule_id: str) -> str:
        family = rule_id.split(".", 1)[0]
        return next(r.team for r in self.routes if r.family == family)


__all__ = [
    "FAMILIES",
    "RULES",
    "Answers",
    "Deployment",
    "Deviation",
    "ExceptionPolicy",
    "ExceptionRecord",
    "ExceptionRequest",
    "Requirements",
    "ServiceChoice",
    "Waiver",
    "service_id",
]
