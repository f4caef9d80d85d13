"""The catalog as the engine reads it, and a snapshot of it that needs no pydantic.

`Catalog` holds every validated entity. Loading validates with pydantic (refarch.loading); the engine
only reads attributes. `freeze` turns a validated catalog into `Record`s: the same attribute names and
values, plain Python objects, so a cached snapshot loads without importing pydantic, YAML or the models
(about 75 ms of a command's start). Only validated data is ever frozen: nothing checks a Record again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .keypaths import LineMap, Path_, dotted
from .problems import Problem

if TYPE_CHECKING:
    from . import models as m


@dataclass(frozen=True)
class Origin:
    file: str
    lines: LineMap

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.lines.line_for(path), dotted(path), message)


@dataclass
class Catalog:
    """Everything the catalog says, validated. Entities keyed by id, in id order.

    The entities are the pydantic models after loading, or Records with the same attributes in a snapshot.
    """

    product: m.Product
    releases: m.Releases
    support_levels: m.SupportLevels
    cpu_architectures: m.CpuArchitectures
    machine_types: m.MachineTypes
    methods: dict[str, m.Method]
    platforms: dict[str, m.Platform]
    external_services: dict[str, m.ExternalService]
    providers: dict[str, m.Provider]
    options: dict[str, m.Option]
    sizes: dict[str, m.Size]
    services: dict[str, m.Service]
    architectures: dict[str, m.Architecture]
    sizing: m.SizingData
    upgrades: m.Upgrades
    upgrade_stops: dict[str, m.UpgradeStop]
    upgrade_notes: dict[str, m.UpgradeNote]
    migrations: dict[str, m.Migration]
    exception_policy: m.ExceptionPolicy
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict, repr=False)
    root: Path | None = field(default=None, repr=False, compare=False)
    """The folder it was loaded from (for data read on demand, such as catalog/deploy/)."""
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """Tables a snapshot carries because building them needs the models (e.g. the compiled sizing model)."""


def _record(kind: str, values: dict[str, Any], aliases: dict[str, str] | None) -> Record:
    record = object.__new__(Record)
    object.__setattr__(record, "_kind", kind)
    object.__setattr__(record, "_aliases", aliases)
    record.__dict__.update(values)
    return record


class Record:
    """One validated model instance as plain attributes, in the model's field order; read-only."""

    __slots__ = ("__dict__", "_kind", "_aliases")
    _kind: str
    _aliases: dict[str, str] | None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{self._kind} is read-only: a snapshot holds validated data")

    def __reduce__(self) -> tuple[Any, tuple[str, dict[str, Any], dict[str, str] | None]]:
        return (_record, (self._kind, self.__dict__, self._aliases))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and other._kind == self._kind and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((self._kind, *self.__dict__.values()))

    def __repr__(self) -> str:
        return f"{self._kind}({', '.join(f'{name}={value!r}' for name, value in self.__dict__.items())})"


def _model_fields(value: Any) -> dict[str, Any] | None:
    """A pydantic model's fields (name -> FieldInfo), found without importing pydantic."""
    fields = getattr(type(value), "__pydantic_fields__", None)
    return fields if isinstance(fields, dict) else None


def freeze(value: Any) -> Any:
    """The same data with every model instance (recursively) turned into a Record."""
    fields = _model_fields(value)
    if fields is not None:
        aliases = {name: info.alias for name, info in fields.items() if info.alias} or None
        return _record(type(value).__name__, {name: freeze(getattr(value, name)) for name in fields}, aliases)
    if isinstance(value, dict):
        return {key: freeze(item) for key, item in value.items()}
    if isinstance(value, list):
        return [freeze(item) for item in value]
    if isinstance(value, tuple):
        return tuple(freeze(item) for item in value)
    return value


def freeze_catalog(catalog: Catalog) -> Catalog:
    """A snapshot of a validated catalog: the same entities as Records, the same origins and root, and the derived
    tables whose building needs the models: the compiled sizing model, and the requirements model as refarch.conform shapes."""
    from .conform import derive
    from .models import Requirements
    from .sizing import sizing_model_json

    shapes: dict[str, Any] = {}
    requirements = derive(Requirements, shapes)
    values = {f.name: getattr(catalog, f.name) for f in dataclasses.fields(catalog)}
    # Where each entity's file is, without the line of every key: the engine names files; only validation and the site
    # (which read the models) point at lines. A fifth of the snapshot, and of the time it takes to load.
    values["origins"] = {key: Origin(origin.file, LineMap()) for key, origin in catalog.origins.items()}
    values["derived"] = {**catalog.derived, "sizing-model": sizing_model_json(catalog), "requirements-shapes": (shapes, requirements)}
    return Catalog(**{name: value if name in ("origins", "root", "derived") else freeze(value) for name, value in values.items()})


def plain(value: Any) -> Any:
    """JSON-ready data from models or Records, as model_dump(mode="json", by_alias=True) gives it.

    Walks the fields directly, so it does not make pydantic build a serializer for every model
    class first (with defer_build, that build is most of the cost of a first dump in a process).
    """
    if isinstance(value, Record):
        aliases = value._aliases or {}
        return {aliases.get(name, name): plain(item) for name, item in value.__dict__.items()}
    fields = _model_fields(value)
    if fields is not None:
        return {(info.alias or name): plain(getattr(value, name)) for name, info in fields.items()}
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
