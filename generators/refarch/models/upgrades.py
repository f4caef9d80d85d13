"""Upgrade and migration rules as data: the upgrade policy, required stops, per-version notes, method-to-method routes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .common import Entity, Id, Sourced, Strict, Url, Version, version_key

HopType = Literal["standard", "mvu"]
PlatformKind = Literal["kubernetes", "host", "cloud", "none"]


class DowntimeLevel(Strict):
    """One step of the downtime scale; catalog/upgrades.yaml lists them least disruptive first."""

    id: Id
    label: str = Field(description="What the plan shows, e.g. 'minimal (rolling update)'.")
    outage: bool = Field(description="Whether users lose the instance for a while (false: a rolling update keeps it up).")
    summary: str
    estimate: str | None = Field(default=None, description="How long it lasts, where a source says so.")


class Conditions(Strict):
    """When a stop or note applies: every condition given must hold; none given means always."""

    methods: list[Id] = Field(default_factory=list, description="Only for these deployment methods; empty means every method.")
    postgres: Literal["bundled", "external"] | None = Field(default=None, description="Only with the bundled databases, or only with an external PostgreSQL.")
    postgres_below: Version | None = Field(default=None, description="Only while the PostgreSQL major version is below this one.")
    hop_types: list[HopType] = Field(default_factory=list, description="Only on these kinds of hop; empty means both.")


class StandardUpgrade(Strict):
    summary: str
    minors: int = Field(ge=1, description="How many minors one standard upgrade moves; the next release after the last minor of a major is the next .0.")
    reason: str = Field(description="Why a plan stops at a version that is only one standard upgrade away.")
    downtime: Id = Field(description="Downtime level of a standard upgrade.")
    downtime_by_platform: dict[PlatformKind, Id] = Field(default_factory=dict, description="Downtime level by the method's platform kind, where it differs.")
    docs: Url


class MultiVersionUpgrade(Strict):
    summary: str
    since: Version = Field(description="The oldest version a multi-version upgrade may start from.")
    downtime: Id
    no_mvu_reason: str = Field(description="What a plan says when the method has no multi-version upgrades (methods/<id>.yaml mvu: false).")
    docs: Url


class AutomaticMvu(Strict):
    """The frontend running a multi-version upgrade itself when it boots on the target version."""

    summary: str
    introduced: Version = Field(description="First target version whose frontend can do it.")
    removed: Version = Field(description="First target version whose frontend no longer does it.")
    fails_to: list[Version] = Field(default_factory=list, description="Target versions where it is known to fail.")
    docs: Url

    @model_validator(mode="after")
    def _ordered(self) -> AutomaticMvu:
        if version_key(self.introduced) >= version_key(self.removed):
            raise ValueError(f"introduced ({self.introduced}) must come before removed ({self.removed})")
        return self


class BundledPostgres(Strict):
    """Which PostgreSQL major the bundled database images can hold over a range of product versions."""

    from_version: Version = Field(alias="from")
    until: Version | None = None
    majors: list[Version] = Field(min_length=1, description="Possible majors; the first is what the images run after a normal start.")
    note: str | None = None


class Upgrades(Sourced):
    """catalog/upgrades.yaml: how upgrades work, independent of any one stop or note."""

    downtime_levels: list[DowntimeLevel] = Field(
        min_length=1, description="The downtime scale, least disruptive first; least-downtime plans minimise the worst level first."
    )
    standard: StandardUpgrade
    mvu: MultiVersionUpgrade
    automatic_mvu: AutomaticMvu
    postgres_service: Id = Field(description="The external service whose version the --postgres condition describes.")
    bundled_postgres: list[BundledPostgres] = Field(min_length=1, description="PostgreSQL majors of the bundled databases, oldest range first.")


class StopAt(Strict):
    """Where a plan must stop: one of a run of consecutive releases, or any release in [from, until)."""

    versions: list[Version] = Field(default_factory=list, description="Consecutive releases; a patch must be the latest patch of its minor.")
    from_version: Version | None = Field(default=None, alias="from")
    until: Version | None = None

    @model_validator(mode="after")
    def _one_form(self) -> StopAt:
        ranged = self.from_version is not None or self.until is not None
        if bool(self.versions) == ranged:
            raise ValueError("give either versions: [...] or from: and until:, not both and not neither")
        if ranged and (self.from_version is None or self.until is None):
            raise ValueError("a range needs both from: and until:")
        if ranged and version_key(self.from_version or "0") >= version_key(self.until or "0"):
            raise ValueError(f"from ({self.from_version}) must come before until ({self.until})")
        return self


class UpgradeStop(Entity):
    """catalog/upgrade-stops/<id>.yaml: a plan that starts before `at` and ends past it must stop there."""

    at: StopAt
    when: Conditions = Field(default_factory=Conditions)
    reason: str = Field(description="Why the stop is required, shown on the hop that reaches it.")
    manual_steps: list[str] = Field(default_factory=list, description="What to do at the stop, before going on.")
    downtime: Id | None = Field(default=None, description="Downtime level of the hop that reaches the stop, if worse than the hop's own.")
    exit: Literal["any", "standard"] = Field(default="any", description="standard: the hop that goes on past the stop must be a standard upgrade.")
    exit_reason: str | None = Field(default=None, description="Why the hop past the stop must be a standard upgrade; required with exit: standard.")
    docs: Url

    @model_validator(mode="after")
    def _exit_explained(self) -> UpgradeStop:
        if self.exit == "standard" and not self.exit_reason:
            raise ValueError("a stop with exit: standard needs an exit_reason that says why the hop past it must be a standard upgrade")
        return self


class UpgradeNote(Entity):
    """catalog/upgrade-notes/<id>.yaml: a change in one version that needs manual steps on the hop that crosses it."""

    version: Version = Field(description="The version that brings the change.")
    applies: Literal["crossing", "starting-before"] = Field(
        default="crossing", description="crossing: hops from before the version to it or later; starting-before: every hop that starts before it."
    )
    breaking: bool = Field(description="Whether skipping the steps breaks the upgrade or the instance.")
    when: Conditions = Field(default_factory=Conditions)
    summary: str = Field(description="What changed.")
    manual_steps: list[str] = Field(min_length=1)
    downtime: Id | None = Field(default=None, description="Downtime level of the hop, if this change makes it worse.")
    docs: Url


class MigrationStep(Strict):
    title: str
    detail: str


class Migration(Entity):
    """catalog/migrations/<id>.yaml: a supported route from one deployment method to another."""

    from_methods: list[Id] = Field(min_length=1, description="Methods this route starts from.")
    to_method: Id
    summary: str
    documented: bool = Field(description="Whether the vendor docs give a step-by-step guide for this route.")
    same_version: bool = Field(description="Whether the new deployment must run the same version as the old one during the move.")
    min_version: Version | None = Field(default=None, description="Oldest version the route works from.")
    downtime: Id = Field(description="Downtime level of the move.")
    downtime_summary: str
    backups: list[str] = Field(min_length=1, description="What to back up first.")
    procedure: list[MigrationStep] = Field(min_length=1)
    migrated: list[str] = Field(min_length=1, description="Data the move carries over.")
    recreated: list[str] = Field(default_factory=list, description="What the new deployment rebuilds from scratch.")
    docs: Url | None = None


__all__ = [
    "AutomaticMvu",
    "BundledPostgres",
    "Conditions",
    "DowntimeLevel",
    "HopType",
    "Migration",
    "MigrationStep",
    "MultiVersionUpgrade",
    "StandardUpgrade",
    "StopAt",
    "UpgradeNote",
    "UpgradeStop",
    "Upgrades",
]
