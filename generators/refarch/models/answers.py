"""What `refarch matrix`, `upgrade-plan` and `migrate-plan` answer (and the API returns), as published JSON Schemas.

Open shapes: they name the fields clients rely on, each answer's `catalog` currency among them, and allow the rest.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .common import CatalogCurrency


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ReleaseCadence(_Open):
    median_days: int = Field(description="The median interval between consecutive minor releases, rounded up to whole days.")
    intervals: int = Field(description="How many of the newest intervals the median is taken over.")
    from_: str = Field(alias="from", description="The oldest release of that window.")
    to: str = Field(description="The newest release of that window.")


class MatrixAnswer(_Open):
    """`refarch matrix --format json`."""

    schema_version: Literal[1]
    product: str
    version: str = Field(description='The minor version judged, "X.Y".')
    as_of: str
    catalog: CatalogCurrency
    release_cadence: ReleaseCadence | None = Field(description="The product's release cadence, derived from the release dates (null with a single release).")
    release: dict[str, Any] | None
    methods: list[dict[str, Any]]


class UpgradeStep(_Open):
    from_: str = Field(alias="from")
    to: str = Field(description="The version to install: the latest patch of the target minor.")
    type: Literal["standard", "mvu"]
    reason: str
    manual_steps: list[dict[str, Any]]
    downtime: str


class UpgradePlan(_Open):
    """`refarch upgrade-plan --format json`."""

    schema_version: Literal[1]
    kind: Literal["upgrade-plan"]
    catalog: CatalogCurrency
    from_: str = Field(alias="from")
    to: str
    steps: list[UpgradeStep]
    total_downtime: dict[str, Any]


class MigratePlan(_Open):
    """`refarch migrate-plan --format json`."""

    schema_version: Literal[1]
    kind: Literal["migration-plan"]
    catalog: CatalogCurrency
    found: bool
    answer: str
    routes: list[dict[str, Any]]
