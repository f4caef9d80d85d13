"""What `refarch check` and `refarch exception triage` answer, as models so their JSON Schemas are published.

The domain functions build plain dicts for speed; tests validate those dicts against these schemas.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .common import CatalogCurrency, Level
from .requirements import RuleId

Outcome = Literal["pass", "warn", "fail", "waived"]
Verdict = Literal["supported", "supported-with-exception", "exception-required", "unsupported"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Finding(_Out):
    rule_id: RuleId
    path: str = Field(description="Where in the requirements file, e.g. deployment.platform_version.")
    line: int | None = Field(description="Line of that key in the requirements file, when known.")
    requested: str | None = Field(description="The requested value, as text.")
    level: Level = Field(description="The support level of what was requested (catalog/support-levels.yaml).")
    outcome: Outcome
    message: str = Field(description="What this means, in plain words.")
    alternatives: list[str] = Field(description="The nearest supported values.")
    exception_allowed: bool = Field(description="Whether an exception may be requested when this fails.")
    exception_id: str | None = Field(description="The exception record that waives it, or that expired.")
    source: str = Field(description="The catalog file that states the rule.")
    docs: str = Field(description="The docs page that explains it (a path on the site).")


class Skipped(_Out):
    rule_id: RuleId
    path: str
    reason: str


class Notice(_Out):
    kind: Literal["expiring", "expired", "stale", "not-yet-valid"]
    severity: Literal["warning", "info"]
    exception_id: str
    message: str


class Tally(_Out):
    checks: int
    passed: int
    warnings: int
    failed: int
    waived: int


class CheckReport(_Out):
    """The verdict on one requirements file."""

    schema_version: Literal[1]
    file: str | None
    customer: str
    version: str
    method: str
    as_of: str = Field(description="The date the check judged by (UTC), YYYY-MM-DD.")
    catalog: CatalogCurrency
    verdict: Verdict
    size: str | None = Field(description="The size the scale needs, when scale was given.")
    recommended_architecture: str | None = Field(description="The reference architecture for that size and method, if the catalog has one.")
    findings: list[Finding]
    skipped: list[Skipped] = Field(description="Checks that could not run because the requirements leave something out.")
    notices: list[Notice] = Field(description="Exception records that are expiring, expired, stale or not yet valid.")
    tally: Tally
    summary: str = Field(description="The tally line, e.g. '12 checks, 10 passed, 1 warning, 1 failed, 0 waived'.")


class CheckRun(_Out):
    """`refarch check --format json`: one report per file, then the totals."""

    schema_version: Literal[1]
    as_of: str
    catalog: CatalogCurrency | None = Field(description="The catalog's currency (the same in every report); null only with no reports.")
    verdict: Verdict = Field(description="The worst verdict over all files.")
    exit_code: int
    reports: list[CheckReport]
    tally: Tally
    summary: str


class Reason(_Out):
    code: str
    message: str


class Triage(_Out):
    """`refarch exception triage --format json`."""

    schema_version: Literal[1]
    file: str | None
    customer: str
    ticket: str
    as_of: str
    complete: bool
    missing: list[str] = Field(description="Answers still to fill in.")
    recommendation: Literal["answer-open-questions", "decline", "approve-with-professional-services", "engineering-review", "approve"] = Field(
        description="answer-open-questions: the request leaves questions unanswered (each is a reason); answer them and triage again."
    )
    reasons: list[Reason]
    teams: list[str] = Field(description="Teams the current deviations need, from the exception policy.")
    deviations: list[Finding] = Field(description="Failures found by re-checking against the current catalog.")
    resolved: list[str] = Field(description="Deviations in the request that the current catalog no longer reports.")
    new: list[str] = Field(description="Deviations the current catalog reports that the request does not list.")
    max_duration_days: int
    report: CheckReport
