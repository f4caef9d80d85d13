"""Plainly valid documents into Records without pydantic: the fast path of reading a requirements file.

`derive(model)` runs where pydantic is loaded (when the catalog snapshot is built) and describes a
model as plain data: each field's type, bounds, default and checks. `conform(shape, data)` then gives
the Record that pydantic's validation of `data` would give, read-only and with the same values, or
None whenever the document is anything but plainly valid: a missing or unknown key, a value of
another type than the field's (pydantic might convert it, or refuse it), text with surrounding
spaces, a bound or a check that fails, or a validator this module was not told how to run.

None means "validate with pydantic", which gives the answer or every message. So this module only
ever accepts, never explains, and never accepts what pydantic would refuse: tests/test_conform.py
holds it to that on generated documents. Validators take part by naming a pydantic-free check (see
`fast_check`); a validator without one makes its model always take the pydantic path.
"""

from __future__ import annotations

import importlib
import math
import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from .snapshot import Record, _record, freeze

Shape = tuple[Any, ...]
F = TypeVar("F", bound=Callable[..., Any])

FAST_ATTRIBUTE = "__refarch_fast__"


def fast_check(target: str) -> Callable[[F], F]:
    """Mark a validator with the pydantic-free check that accepts exactly what it accepts.

    `target` is "module:function" (a module that imports no pydantic); the function takes the value
    (a field validator's, or the Record of a model validator's model) and returns True when valid.
    """

    def mark(func: F) -> F:
        setattr(getattr(func, "__func__", func), FAST_ATTRIBUTE, target)
        return func

    return mark


# --- deriving a shape from a model (pydantic is loaded here) -------------------------------

_OPAQUE: Shape = ("opaque",)


def _marker(func: Any) -> str | None:
    return getattr(getattr(func, "__func__", func), FAST_ATTRIBUTE, None)


def _constraints(metadata: list[Any]) -> dict[str, Any] | None:
    """Bounds and checks from a field's metadata, or None for one this module cannot run."""
    out: dict[str, Any] = {"checks": []}
    for item in metadata:
        name = type(item).__name__
        if name in ("Ge", "Gt", "Le", "Lt"):
            out[name.lower()] = getattr(item, name.lower())
        elif name in ("MinLen", "MaxLen"):
            out["min_length" if name == "MinLen" else "max_length"] = getattr(item, "min_length" if name == "MinLen" else "max_length")
        elif name == "Strict":
            pass  # conform takes only values of the field's exact type, which strict mode accepts too
        elif name == "AllowInfNan":
            out["allow_inf_nan"] = item.allow_inf_nan
        elif name == "BeforeValidator":
            target = _marker(item.func)
            if target is None:
                return None
            out["checks"].append(target)
        else:
            return None
    return out


def _shape(annotation: Any, metadata: list[Any], models: dict[str, Shape]) -> Shape:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _shape(inner, [*extra, *metadata], models)
    bounds = _constraints(metadata)
    if bounds is None:
        return _OPAQUE
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        others = [option for option in options if option is not type(None)]
        if len(options) != 2 or len(others) != 1:
            return _OPAQUE  # which member pydantic's smart union picks is not this module's to guess
        return ("optional", _shape(others[0], metadata, models))
    if origin is typing.Literal:
        return ("literal", typing.get_args(annotation), bounds)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return ("list", _shape(item, [], models), bounds)
    if origin is dict:
        key, value = typing.get_args(annotation)
        return ("dict", _shape(key, [], models), _shape(value, [], models), bounds)
    if annotation in (str, int, float, bool):
        return (annotation.__name__, bounds)
    if isinstance(annotation, type) and hasattr(annotation, "__pydantic_fields__"):
        if metadata:
            return _OPAQUE
        return ("model", derive(annotation, models))
    return _OPAQUE


def derive(model: type, models: dict[str, Shape] | None = None) -> str:
    """Describe `model` (a pydantic model class) as shapes: its name, with every model it uses in `models`."""
    models = {} if models is None else models
    name = f"{model.__module__}.{model.__qualname__}"
    if name in models:
        return name
    models[name] = _OPAQUE  # a model that refers to itself stays opaque
    config = getattr(model, "model_config", {})
    decorators = getattr(model, "__pydantic_decorators__", None)
    checks: list[str] = []
    usable = config.get("extra") == "forbid" and not config.get("strict") and decorators is not None
    if usable and decorators is not None:
        usable = not (decorators.validators or decorators.root_validators or decorators.field_serializers or decorators.model_serializers)
        for decorator in [*decorators.model_validators.values(), *decorators.field_validators.values()]:
            target = _marker(decorator.func)
            if target is None:
                usable = False
            else:
                checks.append(target)
    fields: list[tuple[str, Shape, bool, Any]] = []
    for field_name, info in model.__pydantic_fields__.items():  # type: ignore[attr-defined]
        if info.alias or info.validation_alias:
            usable = False
            break
        required = info.is_required()
        default: Any = None
        if not required:
            factory = info.default_factory
            if factory is None:
                default = ("value", freeze(info.default))
            elif factory in (list, dict):
                default = ("empty", factory.__name__)
            elif isinstance(factory, type) and hasattr(factory, "__pydantic_fields__"):
                default = ("value", freeze(factory()))
            else:
                usable = False
                break
        fields.append((field_name, _shape(info.annotation, list(info.metadata), models), required, default))
    models[name] = ("model", model.__name__, tuple(fields), tuple(checks), bool(config.get("str_strip_whitespace"))) if usable else _OPAQUE
    return name


# --- conforming a document (no pydantic) ---------------------------------------------------


class _Refused(Exception):
    """The document is not plainly valid: let pydantic read it."""


_PATTERNS: dict[str, re.Pattern[str]] = {}
_CHECKS: dict[str, Callable[[Any], bool]] = {}


def pattern_check(pattern: re.Pattern[str]) -> str:
    """The check name of "text matching `pattern`" (as refarch.models.common.matching checks it)."""
    _PATTERNS[pattern.pattern] = pattern
    return f"pattern:{pattern.pattern}"


def _run_check(target: str, value: Any) -> bool:
    if target.startswith("pattern:"):
        source = target[len("pattern:") :]
        pattern = _PATTERNS.get(source)
        if pattern is None:
            pattern = _PATTERNS[source] = re.compile(source)
        return bool(pattern.match(value))
    check = _CHECKS.get(target)
    if check is None:
        module, _, function = target.partition(":")
        check = _CHECKS[target] = getattr(importlib.import_module(module), function)
    return bool(check(value))


def _within(value: Any, bounds: dict[str, Any]) -> None:
    if ("ge" in bounds and not value >= bounds["ge"]) or ("gt" in bounds and not value > bounds["gt"]):
        raise _Refused
    if ("le" in bounds and not value <= bounds["le"]) or ("lt" in bounds and not value < bounds["lt"]):
        raise _Refused


def _length(value: Any, bounds: dict[str, Any]) -> None:
    if len(value) < bounds.get("min_length", 0) or ("max_length" in bounds and len(value) > bounds["max_length"]):
        raise _Refused


def _value(shape: Shape, value: Any, models: dict[str, Shape], strip: bool) -> Any:
    kind = shape[0]
    if kind == "optional":
        return None if value is None else _value(shape[1], value, models, strip)
    if kind == "model":
        return _model(models[shape[1]], value, models)
    if kind == "str":
        if type(value) is not str or (strip and value != value.strip()):
            raise _Refused
        bounds = shape[1]
        for target in bounds["checks"]:  # before-validators see the text as given; here it is already stripped
            if not _run_check(target, value):
                raise _Refused
        _length(value, bounds)
        return value
    if kind in ("int", "float"):
        bounds = shape[1]
        if bounds["checks"] or not (type(value) is int or (kind == "float" and isinstance(value, float))):
            raise _Refused
        if kind == "float":
            value = float(value)
            if not math.isfinite(value) and not bounds.get("allow_inf_nan", True):
                raise _Refused
        _within(value, bounds)
        return value
    if kind == "bool":
        if type(value) is not bool or shape[1]["checks"]:
            raise _Refused
        return value
    if kind == "literal":
        if shape[2]["checks"] or not any(type(value) is type(choice) and value == choice for choice in shape[1]):
            raise _Refused
        return value
    if kind == "list":
        if type(value) is not list or shape[2]["checks"]:
            raise _Refused
        _length(value, shape[2])
        return [_value(shape[1], item, models, strip) for item in value]
    if kind == "dict":
        if type(value) is not dict or shape[3]["checks"]:
            raise _Refused
        _length(value, shape[3])
        return {_value(shape[1], key, models, strip): _value(shape[2], item, models, strip) for key, item in value.items()}
    raise _Refused  # opaque


def _model(shape: Shape, data: Any, models: dict[str, Shape]) -> Record:
    if shape[0] != "model" or type(data) is not dict:
        raise _Refused
    _, kind, fields, checks, strip = shape
    if len(data) > len(fields) or not all(type(key) is str for key in data):
        raise _Refused
    values: dict[str, Any] = {}
    seen = 0
    for name, field_shape, required, default in fields:
        if name in data:
            seen += 1
            values[name] = _value(field_shape, data[name], models, strip)
        elif required:
            raise _Refused
        else:
            values[name] = default[1] if default[0] == "value" else {"list": list, "dict": dict}[default[1]]()
    if seen != len(data):  # a key the model does not have: pydantic refuses it (extra="forbid")
        raise _Refused
    record = _record(kind, values, None)
    for target in checks:
        if not _run_check(target, record):
            raise _Refused
    return record


def conform(models: dict[str, Shape], name: str, data: Any) -> Record | None:
    """The Record pydantic would validate `data` into as the model `name` (from derive), or None: then ask pydantic."""
    try:
        return _model(models[name], data, models)
    except (_Refused, TypeError, ValueError, KeyError, RecursionError):
        return None
