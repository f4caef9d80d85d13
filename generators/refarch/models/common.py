"""Shapes shared by every catalog file: ids, versions, sources, support levels."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ..conform import fast_check, pattern_check
from ..numbers import VERSION_PATTERN as VERSION_PATTERN  # re-exported: models.common is where model code looks for it
from ..numbers import minor_of as minor_of
from ..numbers import version_key as version_key
from ..numbers import version_problem
from ..problems import clip_repr
from ..snapshot import plain as plain  # re-exported: models.common is where model code looks for it

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
MINOR_PATTERN = re.compile(r"^\d+\.\d+$")


def matching(pattern: re.Pattern[str], expected: str) -> BeforeValidator:
    """A validator for text that must match `pattern`; the error says what was `expected`, with an example."""

    @fast_check(pattern_check(pattern))
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"expected {expected} (got {clip_repr(value)})")
        return value

    return BeforeValidator(check)


@fast_check("refarch.numbers:is_version")
def _check_version(value: Any) -> Any:
    # YAML reads 7.10 as the float 7.1: refuse numbers so that no version is silently changed.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        written = getattr(value, "raw", str(value))
        read = f", which YAML reads as {value!r}" if written != str(value) else ""
        raise ValueError(f'expected a version as a quoted string, like "7.5" (got the number {written}{read}); write "{written}" in quotes')
    if isinstance(value, str):
        problem = version_problem(value)
        if problem:
            raise ValueError(problem)
    return value


def _check_minor(value: Any) -> Any:
    value = _check_version(value)
    if isinstance(value, str) and not MINOR_PATTERN.match(value):
        raise ValueError(f'expected a minor version like "7.5", without a patch (got {clip_repr(value)})')
    return value


Id = Annotated[str, matching(ID_PATTERN, "an id of lowercase letters, digits and dashes, like 'docker-compose'")]
"""An entity id: lowercase letters, digits, dots and dashes."""

Version = Annotated[str, BeforeValidator(_check_version)]
"""A version written as a quoted string: "X.Y" or "X.Y.Z"."""

Minor = Annotated[str, BeforeValidator(_check_minor)]
"""A minor version, "X.Y"."""

Url = Annotated[str, Field(min_length=1)]


def _iso_date(value: Any) -> Any:
    """Only YYYY-MM-DD text: pydantic's lax mode would read "0" as 1970-01-01."""
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value)
        except ValueError:
            pass
        raise ValueError(f"expected a date like 2026-11-27 (got {clip_repr(value)})")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A calendar date written YYYY-MM-DD."""

MACHINE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


MachineId = Annotated[str, matching(MACHINE_PATTERN, "a cloud machine type as the cloud writes it, like 'm6a.2xlarge' or 'D16_v3'")]
"""A cloud machine type name, e.g. m6a.2xlarge, n2-standard-16, D16_v3."""


Level = Literal["recommended", "supported", "deprecated", "best-effort", "not-supported", "removed", "unavailable"]
"""The closed support vocabulary. What each level means to a checker is data: catalog/support-levels.yaml."""

LEVELS: tuple[str, ...] = Level.__args__  # type: ignore[attr-defined]

Outcome = Literal["pass", "warn", "fail"]

Cloud = Literal["aws", "gcp", "azure"]
CLOUD_NAMES: dict[str, str] = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}
"""Every page, table and answer names the clouds in this order and with these names."""


class Strict(BaseModel):
    """Every authored shape: unknown keys are errors, values are not silently coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


class Disagreement(Strict):
    """Two sources say different things; the catalog chose one and says why."""

    about: str = Field(description="What the sources disagree on.")
    chosen: str = Field(description="What the catalog uses.")
    other: str = Field(description="What the other source says.")
    sources: list[Url] = Field(default_factory=list, description="Where each side comes from.")


class Sourced(Strict):
    """An entity that states facts: where they come from and when they were last checked."""

    sources: Annotated[list[Url], Field(min_length=1, description="Public documents or repository paths that state these facts.")]
    verified: Annotated[dt.date, Field(description="The date the facts were last checked against the sources.")]
    notes: list[str] = Field(default_factory=list, description="Plain-language notes shown in the docs.")
    disagreements: list[Disagreement] = Field(default_factory=list, description="Where sources disagree and which side the catalog takes.")


class CatalogCurrency(BaseModel):
    """How current the catalog is: every answer carries it as `catalog`."""

    model_config = ConfigDict(extra="forbid")

    checked: str = Field(description="When the catalog's release list was last checked (verified: of catalog/releases.yaml), YYYY-MM-DD.")
    newest_release: str = Field(description='The newest minor release the catalog knows, "X.Y".')


class Entity(Sourced):
    """A sourced entity stored as one file named by its id."""

    id: Id = Field(description="The entity id; must equal the file name without .yaml.")
    name: str = Field(min_length=1, description="The name shown to people.")
