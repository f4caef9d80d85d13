"""architectures/<method>-<size>.yaml: a reference architecture."""

from __future__ import annotations

from pydantic import Field

from .catalog import Resources
from .common import Cloud, Entity, Id, MachineId, Strict, Version


class ServiceAllocation(Resources):
    service: Id = Field(description="A service id from catalog/services/.")


class MachineLayout(Strict):
    """The machines (single-node methods) or nodes (Kubernetes) the architecture runs on."""

    role: str = Field(description="What runs on these machines, e.g. 'all services' or 'worker nodes'.")
    count: int = Field(ge=1, description="How many machines or nodes.")
    vcpu: int = Field(ge=1, description="vCPU each machine must have at least.")
    memory_gb: int = Field(ge=1, description="Memory each machine must have at least.")
    instance_types: dict[Cloud, MachineId] = Field(min_length=1, description="A machine type per cloud meeting vcpu and memory_gb.")
    boot_disk_gb: int | None = Field(default=None, ge=1)
    data_disk_gb: int | None = Field(default=None, ge=1)
    ssd: bool = True


class Architecture(Entity):
    method: Id
    size: Id
    version: Version = Field(description="The product version this architecture is written for.")
    summary: str = Field(description="Who it is for, in one sentence.")
    services: list[ServiceAllocation] = Field(min_length=1)
    machines: list[MachineLayout] = Field(min_length=1)
    external: list[Id] = Field(default_factory=list, description="External services (catalog/external-services) this architecture may use instead of bundled ones.")
    limits: list[str] = Field(default_factory=list, description="What this architecture does not cover.")
    deploy: list[str] = Field(default_factory=list, description="Deployment steps, in order.")
    upgrade: list[str] = Field(default_factory=list, description="How to upgrade it.")
