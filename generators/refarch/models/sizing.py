"""What a customer tells us about their scale: the inputs of the sizing calculator.

The same shape is the `scale:` block of a requirements file, `refarch size --from FILE`,
and the body of the API's size route. None means "not given".
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .common import Cloud, Id, Strict


class SizingInputs(Strict):
    users: int | None = Field(default=None, ge=1, description="People who will use the instance.")
    repositories: int | None = Field(default=None, ge=1, description="Repositories to index.")
    total_repo_size_gb: float | None = Field(default=None, gt=0, description="Size of all repositories together, in GB.")
    largest_repo_gb: float | None = Field(default=None, ge=0, description="Size of the largest repository, in GB.")
    largest_index_gb: float | None = Field(default=None, ge=0, description="Largest precise code-intelligence (SCIP) index, in GB; 0 turns precise code intelligence off.")
    concurrent_users: int | None = Field(default=None, ge=1, description="Users active at the same moment.")
    code_insights: bool | None = Field(default=None, description="Whether Code Insights is on.")
    method: Id | None = Field(default=None, description="Deployment method id; default: the catalog's recommended method for the size.")
    cloud: Cloud | None = Field(default=None, description="Cloud whose instance types to name: aws, gcp or azure.")

    @model_validator(mode="after")
    def _largest_within_total(self) -> SizingInputs:
        if self.largest_repo_gb is not None and self.total_repo_size_gb is not None and self.largest_repo_gb > self.total_repo_size_gb:
            raise ValueError(
                f"largest_repo_gb ({self.largest_repo_gb:g}) is larger than total_repo_size_gb ({self.total_repo_size_gb:g}); the largest repository is part of the total"
            )
        return self
