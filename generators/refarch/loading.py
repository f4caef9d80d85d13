"""Catalog files -> validated models. Reads files; collects every problem before giving up."""

from __future__ import annotations

import datetime as dt
import difflib
import fnmatch
import os
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from . import models as m
from .fsutil import list_folder, read_input
from .problems import MAX_PROBLEMS, InputError, Problem, clip, clip_repr, did_you_mean, one_of
from .snapshot import Catalog as Catalog  # re-exported: loading is where callers look for it
from .snapshot import Origin as Origin
from .yamlfile import LineMap, dotted, parse

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class FileKind(Generic[M]):
    """One kind of catalog file: where it lives, its model, and its schema name."""

    name: str
    pattern: str
    model: type[M]
    schema: str
    many: bool = False
    required: bool = True


KINDS: tuple[FileKind[Any], ...] = (
    FileKind("product", "catalog/product.yaml", m.Product, "product"),
    FileKind("releases", "catalog/releases.yaml", m.Releases, "releases"),
    FileKind("support_levels", "catalog/support-levels.yaml", m.SupportLevels, "support-levels"),
    FileKind("cpu_architectures", "catalog/cpu-architectures.yaml", m.CpuArchitectures, "cpu-architectures"),
    FileKind("machine_types", "catalog/machine-types.yaml", m.MachineTypes, "machine-types"),
    FileKind("exception_policy", "catalog/exception-policy.yaml", m.ExceptionPolicy, "exception-policy"),
    FileKind("methods", "catalog/methods/*.yaml", m.Method, "method", many=True),
    FileKind("platforms", "catalog/platforms/*.yaml", m.Platform, "platform", many=True),
    FileKind("external_services", "catalog/external-services/*.yaml", m.ExternalService, "external-service", many=True),
    FileKind("providers", "catalog/providers/*.yaml", m.Provider, "provider", many=True),
    FileKind("options", "catalog/options/*.yaml", m.Option, "option", many=True),
    FileKind("sizes", "catalog/sizes/*.yaml", m.Size, "size", many=True),
    FileKind("services", "catalog/services/*.yaml", m.Service, "service", many=True),
    FileKind("architectures", "architectures/*.yaml", m.Architecture, "architecture", many=True),
    FileKind("sizing", "catalog/sizing.yaml", m.SizingData, "sizing"),
    FileKind("upgrades", "catalog/upgrades.yaml", m.Upgrades, "upgrades"),
    FileKind("upgrade_stops", "catalog/upgrade-stops/*.yaml", m.UpgradeStop, "upgrade-stop", many=True),
    FileKind("upgrade_notes", "catalog/upgrade-notes/*.yaml", m.UpgradeNote, "upgrade-note", many=True),
    FileKind("migrations", "catalog/migrations/*.yaml", m.Migration, "migration", many=True),
)


# --- pydantic errors -> problems ---------------------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, Optional and unions down to the model or container inside."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """The keys a mapping at `loc` inside `model` may have (for did-you-mean)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or name: f for name, f in current.model_fields.items()}
            if part not in fields:
                return set()
            current = fields[part].annotation
        elif typing.get_origin(current) in (list, tuple):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return set()
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return {f.alias or name for name, f in current.model_fields.items()}
    return set()


def _description(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    parent: Any = model
    for part in loc[:-1]:
        parent = _unwrap(parent)
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            fields = {f.alias or name: f for name, f in parent.model_fields.items()}
            parent = fields[part].annotation if part in fields else None
        elif typing.get_origin(parent) in (list, tuple):
            parent = typing.get_args(parent)[0]
        elif typing.get_origin(parent) is dict:
            parent = typing.get_args(parent)[1]
    parent = _unwrap(parent)
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        for name, info in parent.model_fields.items():
            if loc and (info.alias or name) == loc[-1] and info.description:
                return info.description.rstrip(".")
    return ""


def _message(error: Any, model: type[BaseModel], loc: tuple[Any, ...], hints: bool = True) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "extra_forbidden":
        allowed = _keys_at(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) if hints else ""
        return f"unknown key '{clip(loc[-1])}'" + (hint or (f"; allowed keys: {one_of(allowed)}" if allowed else ""))
    if kind == "missing":
        described = _description(model, loc)
        return f"missing required key; add it ({described})" if described else "missing required key; add it"
    if kind == "too_long":
        return f"expected at most {error['ctx']['max_length']:,} item(s) (got {error['ctx']['actual_length']:,}); remove some"
    if kind == "too_short":
        return f"expected at least {error['ctx']['min_length']} item(s) (got {error['ctx']['actual_length']})"
    if kind == "literal_error":
        expected = [e.strip().strip("'") for e in error["ctx"]["expected"].replace(" or ", ", ").split(",")]
        return f"expected one of {', '.join(expected)} (got {clip_repr(given)}){did_you_mean(str(given), expected)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    text = str(error["msg"])
    if kind.endswith("_type") or kind.endswith("_parsing"):
        text = f"{text[0].lower()}{text[1:]} (got {clip_repr(given)})"
    return text


def problems_from(error: ValidationError, model: type[BaseModel], file: str, lines: LineMap) -> list[Problem]:
    """Turn a pydantic error into problems with file, line, key path and a readable message."""
    out: list[Problem] = []
    items = error.errors(include_url=False)
    # A misspelt required key shows up twice (unknown 'mvuu', missing 'mvu'): report only the first, which has the fix.
    misspelt: set[tuple[tuple[Any, ...], str]] = set()
    for item in [item for item in items if item["type"] == "extra_forbidden"][:MAX_PROBLEMS]:  # past what a report shows, skip the search
        parent = tuple(item["loc"][:-1])
        close = difflib.get_close_matches(str(item["loc"][-1]), sorted(_keys_at(model, parent)), n=1, cutoff=0.6)
        misspelt.update((parent, key) for key in close)
    for item in items:
        if item["type"] == "missing" and (tuple(item["loc"][:-1]), item["loc"][-1]) in misspelt:
            continue
        loc = tuple(part for part in item["loc"] if isinstance(part, int) or not str(part).startswith(("function-", "[key]")))
        if item["loc"] and item["loc"][-1] == "[key]":
            message = f"key {clip_repr(loc[-1])} is not allowed here: {_message(item, model, loc, len(out) < MAX_PROBLEMS)}"
        else:
            message = _message(item, model, loc, len(out) < MAX_PROBLEMS)
        out.append(Problem(file, lines.line_for(loc), dotted(loc), message))
    return out


def validate_document(data: Any, model: type[M], file: str, lines: LineMap) -> M:
    """Validate parsed data against a model, raising InputError with located problems."""
    if not isinstance(data, dict):
        raise InputError([Problem(file, 1, "", f"expected a mapping of keys to values at the top of the file (got {type(data).__name__})")])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from(error, model, file, lines)) from None


def read_document(path: Path, model: type[M], label: str) -> tuple[M, LineMap]:
    """Read, parse and validate one file; label is the path shown in messages."""
    data, lines = parse(read_input(path, label), label)
    return validate_document(data, model, label, lines), lines


# --- the catalog -------------------------------------------------------------------------


def _files(root: Path, kind: FileKind[Any]) -> list[Path]:
    """The files of one kind. A folder that is missing or cannot be listed is an InputError: a catalog
    refarch could not read is never "valid" (glob() would silently find nothing in it)."""
    if not kind.many:
        return [root / kind.pattern]
    folder, glob = kind.pattern.rsplit("/", 1)
    if not os.path.lexists(root / folder):
        raise InputError(
            [Problem(f"{folder}/", None, "", f"missing folder: the catalog needs {kind.pattern} (one file per {kind.name.rstrip('s').replace('_', ' ')})")]
        )
    return [path for path in list_folder(root / folder, f"{folder}/") if fnmatch.fnmatchcase(path.name, glob)]


def load_catalog(root: Path | str, today: dt.date | None = None) -> Catalog:
    """Load and validate every catalog and architecture file below `root`.

    Raises InputError listing every problem: per file, then across files.
    """
    from .validation import validate_catalog

    root = Path(root)
    problems: list[Problem] = []
    if not (root / "catalog").is_dir():
        raise InputError([Problem(str(root), None, "", "no catalog/ folder here; pass --catalog with a folder that holds catalog/ and architectures/")])
    values, origins, unloaded, unlisted = read_files(root, problems)
    if unlisted or any(kind.name not in values for kind in KINDS if not kind.many and kind.required):
        raise InputError(problems)  # without the single files, cross-file checks would only add noise
    catalog = Catalog(**values, origins=origins, root=root)
    problems += validate_catalog(catalog, today=today, unloaded=unloaded)
    if problems:
        raise InputError(problems)
    return catalog


def read_files(
    root: Path, problems: list[Problem], label_prefix: str = "", optional: Iterable[str] = (), absent_ok: bool = False
) -> tuple[dict[str, Any], dict[tuple[str, str], Origin], set[str], bool]:
    """Read every file of every kind below `root`, adding each problem to `problems`: (values, origins, stems not loaded,
    whether a folder could not be listed). Kinds named in `optional` are read where they can be, their problems left out;
    with `absent_ok` a kind's missing folder means none of that kind (an older catalog, from before the kind existed)."""
    optional = set(optional)
    values: dict[str, Any] = {}
    origins: dict[tuple[str, str], Origin] = {}
    unloaded: set[str] = set()
    unlisted = False
    for kind in KINDS:
        found: list[Problem] = []
        entities: dict[str, Any] = {}
        try:
            absent = absent_ok and kind.many and not os.path.lexists(root / kind.pattern.rsplit("/", 1)[0])
            paths = [] if absent else _files(root, kind)
        except InputError as error:
            found.extend(error.problems)
            unlisted = kind.name not in optional
            paths = []
        for path in paths:
            name = path.relative_to(root).as_posix()
            label = label_prefix + name
            if not os.path.lexists(path):  # exists() is False for a symlink loop, which is no "missing file"
                if kind.required:
                    found.append(Problem(label, None, "", f"missing file: the catalog needs {kind.pattern}"))
                continue
            try:
                entity, lines = read_document(path, kind.model, label)
            except InputError as error:
                found.extend(error.problems)
                unloaded.add(path.stem)
                continue
            if kind.many:
                if entity.id != path.stem:
                    found.append(
                        Problem(
                            label,
                            lines.line_for(("id",)),
                            "id",
                            f"id '{entity.id}' does not match the file name; rename the file to {entity.id}.yaml or set id: {path.stem}",
                        )
                    )
                    unloaded.add(path.stem)
                    continue
                entities[entity.id] = entity
                origins[(kind.name, entity.id)] = Origin(name, lines)
            else:
                values[kind.name] = entity
                origins[(kind.name, "")] = Origin(name, lines)
        if kind.many:
            values[kind.name] = dict(sorted(entities.items()))
        if kind.name not in optional:
            problems.extend(found)
    return values, origins, unloaded, unlisted


def iter_entities(catalog: Catalog) -> Iterable[tuple[str, str, BaseModel]]:
    """(kind, id, entity) for every entity stored one file each."""
    for kind in KINDS:
        if kind.many:
            for entity_id, entity in getattr(catalog, kind.name).items():
                yield kind.name, entity_id, entity
