"""architectures/<method>-<size>.yaml: a reference architecture.

Its numbers are not written here: they are the sizing answer (catalog/sizing.yaml) at the inputs the
architecture is the reference for, so the page, `refarch size` and `refarch config generate` give one
answer. A value the architecture deliberately sets otherwise is a difference, with its reason.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .common import Cloud, Entity, Id, MachineId, Strict, Version
from .sizing import SizingInputs

DIFFERENCE_FIELDS = ("replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb")
MACHINE_DIFFERENCE_FIELDS = ("count", "vcpu", "memory_gb", "boot_disk_gb", "data_disk_gb")


class ServiceDifference(Strict):
    """Values of one service that differ on purpose from the sizing answer at the reference inputs."""

    service: Id = Field(description="A service id from catalog/services/.")
    replicas: int | None = Field(default=None, ge=0)
    cpu_request: float | None = Field(default=None, ge=0)
    cpu_limit: float | None = Field(default=None, ge=0)
    memory_request_gb: float | None = Field(default=None, ge=0)
    memory_limit_gb: float | None = Field(default=None, ge=0)
    storage_gb: float | None = Field(default=None, ge=0)
    reason: str | None = Field(default=None, description="Why this architecture differs from the sizing answer; shown on its page. Required.")

    @model_validator(mode="after")
    def _sets_something(self) -> ServiceDifference:
        if all(getattr(self, name) is None for name in DIFFERENCE_FIELDS):
            raise ValueError(f"a difference sets at least one of {', '.join(DIFFERENCE_FIELDS)}")
        return self


class MachineDifference(Strict):
    """Values of the machine or node plan that differ on purpose from the sizing answer."""

    count: int | None = Field(default=None, ge=1)
    vcpu: int | None = Field(default=None, ge=1)
    memory_gb: int | None = Field(default=None, ge=1)
    instance_types: dict[Cloud, MachineId] = Field(default_factory=dict, description="Machine types per cloud, replacing the answer's.")
    boot_disk_gb: int | None = Field(default=None, ge=1)
    data_disk_gb: int | None = Field(default=None, ge=1)
    reason: str | None = Field(default=None, description="Why; shown on the page. Required.")

    @model_validator(mode="after")
    def _sets_something(self) -> MachineDifference:
        if all(getattr(self, name) is None for name in MACHINE_DIFFERENCE_FIELDS) and not self.instance_types:
            raise ValueError(f"a machine difference sets at least one of {', '.join(MACHINE_DIFFERENCE_FIELDS)} or instance_types")
        return self


class Architecture(Entity):
    method: Id
    size: Id
    version: Version = Field(description="The product version this architecture is written for.")
    summary: str = Field(description="Who it is for, in one sentence.")
    reference_inputs: SizingInputs = Field(
        description="The sizing inputs this architecture is the reference for (no method or cloud: the method is the architecture's). "
        "Its services and machines are the sizing answer at these inputs."
    )
    differences: list[ServiceDifference] = Field(
        default_factory=list, description="Service values set on purpose otherwise than the sizing answer, each with its reason."
    )
    machine_differences: MachineDifference | None = Field(
        default=None, description="Machine or node plan values set on purpose otherwise than the sizing answer."
    )
    external: list[Id] = Field(
        default_factory=list, description="External services (catalog/external-services) this architecture may use instead of bundled ones."
    )
    limits: list[str] = Field(default_factory=list, description="What this architecture does not cover.")
    deploy: list[str] = Field(default_factory=list, description="Deployment steps, in order.")
    upgrade: list[str] = Field(default_factory=list, description="How to upgrade it.")
