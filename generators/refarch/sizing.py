"""The sizing calculator: from a customer's numbers to a size, a reference architecture and a bill of resources.

Pure, in two steps. compile_model(catalog) turns the catalog into plain, JSON-ready data (the site's
calculator reads the same export, so both give the same answers); evaluate(model, inputs) sizes one
set of inputs against it. Nothing here knows a product fact: every number comes from the model.

Every rule is simple enough to port as is: linear interpolation between reference points, a running
maximum so that more input never means less, rounding with floor(x + 0.5), and first-fit-decreasing
bin packing with a fixed sort order.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .memo import per_catalog
from .numbers import MAX_NUMBER, concurrent_users_problem, number_problem, parse_number
from .problems import MAX_PROBLEMS, InputError, Problem, clip, clip_repr, did_you_mean, one_of

if TYPE_CHECKING:
    from .loading import Catalog
    from .models.sizing import Formula, SizingInputs
    from .yamlfile import LineMap

SCHEMA_VERSION = 1
"""Version of the answer's JSON shape."""

MODEL_VERSION = 1
"""Version of the compiled model's JSON shape (what the site's calculator reads)."""

FIELDS = ("replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb")
TOTAL_FIELDS = FIELDS[1:]

Model = dict[str, Any]
Answer = dict[str, Any]


# --- compiling the catalog into a model ---------------------------------------------------


def _number(value: float) -> float | int:
    """Whole floats become ints, so JSON shows 4 rather than 4.0."""
    return int(value) if float(value).is_integer() else value


def _ratchet(points: list[tuple[float, float]]) -> list[list[float | int]]:
    """Each value raised to the largest value of any earlier point: more input never gives less."""
    out: list[list[float | int]] = []
    highest = -math.inf
    for at, value in points:
        highest = max(highest, value)
        out.append([_number(at), _number(highest)])
    return out


def _formula(formula: Formula) -> dict[str, Any]:
    return {
        "sums": [[[term.factor, term.multiply / term.divide] for term in terms] for terms in formula.sums()],
        "whole_units": formula.whole_units,
        "unit_size": _number(formula.unit_size),
        "at_least": None if formula.at_least is None else _number(formula.at_least),
    }


def _input_specs(catalog: Catalog) -> dict[str, dict[str, Any]]:
    """Each sizing input: its type and bounds (from SizingInputs), and the estimator's default and covered range."""
    from .models.sizing import SizingInputs

    properties = SizingInputs.model_json_schema()["properties"]
    specs: dict[str, dict[str, Any]] = {}
    for name, prop in properties.items():
        shape = next(option for option in prop["anyOf"] if option.get("type") != "null")
        spec: dict[str, Any] = {"type": shape["type"], "description": prop.get("description", "")}
        if "minimum" in shape:
            spec["minimum"] = shape["minimum"]
        if "exclusiveMinimum" in shape:
            spec["exclusive_minimum"] = shape["exclusiveMinimum"]
        if "enum" in shape:
            spec["choices"] = sorted(shape["enum"])
        if name == "method":
            spec["choices"] = sorted(catalog.methods)
        covered = catalog.sizing.inputs.get(name)
        spec["default"] = None if covered is None else covered.default
        spec["covered_min"] = None if covered is None else covered.min
        spec["covered_max"] = None if covered is None else covered.max
        specs[name] = spec
    return specs


def compile_model(catalog: Catalog) -> Model:
    """The catalog's sizing knowledge as plain data: exactly what evaluate() reads, ready for JSON."""
    from .freshness import currency
    from .lifecycle import exists_at, method_level
    from .models.catalog import SizeLimits
    from .models.common import CLOUD_NAMES

    sizing = catalog.sizing
    version = catalog.releases.releases[-1].version
    sizing_file = catalog.origins[("sizing", "")].file
    tier_inputs = list(SizeLimits.model_fields)
    sizes = [
        {
            "id": size.id,
            "name": size.name,
            "rank": size.rank,
            "limits": {name: getattr(size.limits, name) for name in tier_inputs},
            "contact_support": size.contact_support,
            "vcpu": size.vcpu,
            "memory_gb": size.memory_gb,
            "instance_types": dict(sorted(size.instance_types.items())),
            "recommended_method": size.recommended_method,
            "file": catalog.origins[("sizes", size.id)].file,
        }
        for size in sorted(catalog.sizes.values(), key=lambda s: s.rank)
    ]
    methods: dict[str, Any] = {}
    for method_id, method in catalog.methods.items():
        plan = "managed" if not method.self_hosted else ("single-machine" if method.scale.nodes == "single" else "kubernetes")
        methods[method_id] = {
            "name": method.name,
            "serves": [size["id"] for size in sizes if size["id"] in method.scale.sizes],
            "plan": plan,
            "resources_from": None if plan == "managed" else sizing.resources_from.get(method_id, method_id),
            "level": method_level(method, version),
            "removed": method.lifecycle.removed,
            "deprecated": method.lifecycle.deprecated,
            "replacement": method.replacement,
            "production": method.scale.production,
            "file": catalog.origins[("methods", method_id)].file,
        }
    pod_of = {service_id: pod for pod, members in sizing.pods.items() for service_id in members}
    services: dict[str, list[dict[str, Any]]] = {}
    for source_method in sorted({m["resources_from"] for m in methods.values() if m["resources_from"]}):
        entries = []
        for service_id, service in catalog.services.items():
            if source_method not in service.defaults or not exists_at(service.lifecycle, version):
                continue
            if not service.enabled_by_default and service.feature not in sizing.features:
                continue  # off by default and no input can turn it on
            defaults = service.defaults[source_method]
            service_file = catalog.origins[("services", service_id)].file
            base = {name: (None if getattr(defaults, name) is None else _number(getattr(defaults, name))) for name in FIELDS}
            sources = {name: f"{service_file} (defaults.{source_method})" for name in FIELDS}
            scaling = sizing.services.get(service_id)
            points: dict[str, list[list[float | int]]] = {}
            formulas: dict[str, Any] = {}
            zero_while: list[list[Any]] = []
            factor = None
            if scaling is not None:
                factor = scaling.factor
                for name in FIELDS:
                    stated = [(p.at, float(getattr(p, name))) for p in scaling.points if getattr(p, name) is not None]
                    if stated:
                        points[name] = _ratchet(stated)
                        sources[name] = f"{sizing_file} (services.{service_id}.points, by {factor})"
                for name, formula in scaling.formulas.items():
                    formulas[name] = _formula(formula)
                    sources[name] = f"{sizing_file} (services.{service_id}.formulas.{name})"
                zero_while = [[zero.factor, list(zero.fields)] for zero in scaling.zero_while]
                for zero in scaling.zero_while:
                    for name in zero.fields:
                        sources[name] += f"; 0 while {zero.factor} is 0 ({sizing_file})"
            feature_input = sizing.features.get(service.feature) if service.feature else None
            entries.append(
                {
                    "id": service_id,
                    "name": service.name,
                    "per_node": service.per_node,
                    "pod": pod_of.get(service_id),
                    "feature": service.feature,
                    "feature_input": feature_input,
                    "default_on": service.enabled_by_default,
                    "base": base,
                    "factor": factor,
                    "factor_max": _number(scaling.points[-1].at) if scaling is not None and scaling.points else None,
                    "points": points,
                    "formulas": formulas,
                    "zero_while": zero_while,
                    "sources": sources,
                }
            )
        services[source_method] = entries
    machine_types: dict[str, list[dict[str, Any]]] = {}
    for machine in sorted(catalog.machine_types.machine_types, key=lambda t: (t.cloud, t.vcpu, t.memory_gb, t.id)):
        machine_types.setdefault(machine.cloud, []).append({"id": machine.id, "vcpu": machine.vcpu, "memory_gb": _number(machine.memory_gb)})
    node = sizing.kubernetes.node
    model = {
        "model_version": MODEL_VERSION,
        "version": version,
        "catalog": currency(catalog),
        "inputs": _input_specs(catalog),
        "factors": {name: [[input_name, coefficient] for input_name, coefficient in terms.items()] for name, terms in sizing.factors.items()},
        "rounding": {"whole_above": _number(sizing.rounding.whole_above), "step_below": _number(sizing.rounding.step_below)},
        "tier_inputs": tier_inputs,
        "close_to_next": sizing.tiers.close_to_next,
        "sizes": sizes,
        "recommended_method": catalog.product.recommended_method,
        "product_file": catalog.origins[("product", "")].file,
        "product_name": catalog.product.name,
        "methods": methods,
        "services": services,
        "kubernetes": {
            "vcpu": node.vcpu,
            "memory_gb": _number(node.memory_gb),
            "boot_disk_gb": node.boot_disk_gb,
            "instance_types": dict(sorted(node.instance_types.items())),
            "headroom": sizing.kubernetes.headroom,
            "storage_class": sizing.kubernetes.storage_class,
        },
        "clouds": [cloud for cloud in CLOUD_NAMES if cloud in machine_types],
        "cloud_names": CLOUD_NAMES,
        "machine_types": machine_types,
        "machine_types_file": catalog.origins[("machine_types", "")].file,
        "architectures": {arch_id: catalog.origins[("architectures", arch_id)].file for arch_id in catalog.architectures},
        "advice": sizing.advice.model_dump(),
        "sizing_file": sizing_file,
    }
    # Canonical JSON: the model read back from a cache or a browser is the same object, key order included.
    canonical: Model = json.loads(json.dumps(model, sort_keys=True))
    return canonical


@per_catalog
def sizing_model_json(catalog: Catalog) -> Model:
    """The compiled model for this catalog, compiled once per catalog object (a snapshot carries it). Treat it as read-only."""
    compiled: Model | None = catalog.derived.get("sizing-model")
    return compiled if compiled is not None else compile_model(catalog)


# --- reading inputs -----------------------------------------------------------------------


def _fmt(value: float) -> str:
    """A number for people: thousands separators, at most three decimals, no trailing zeros."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return _fmt(value) if isinstance(value, (int, float)) else str(value)


def _expected(spec: dict[str, Any], too_large: bool = False) -> str:
    kind = "a whole number" if spec["type"] == "integer" else "a number"
    top = f" and at most {MAX_NUMBER:,} (10^15)" if too_large else ""
    if "minimum" in spec:
        return f"{kind} of at least {_fmt(spec['minimum'])}{top}"
    if "exclusive_minimum" in spec:
        return f"{kind} above {_fmt(spec['exclusive_minimum'])}{top}"
    return kind + top


def _parse(value: Any, spec: dict[str, Any], parse_strings: bool) -> tuple[Any, str | None]:
    """(value, None) when `value` has the input's type, else (None, what was expected)."""
    kind = spec["type"]
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        if parse_strings and isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true", None
        return None, "true or false"
    if kind == "string":
        return (value, None) if isinstance(value, str) and value.strip() else (None, "a name")
    if parse_strings and isinstance(value, str):
        number = parse_number(value, integer=kind == "integer")
        if number is None:
            return None, _expected(spec)
        value = number
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, _expected(spec)
    if number_problem(value):  # NaN, infinity, or past 10^15: nothing to compute with
        return None, _expected(spec, too_large=value == value)
    if kind == "integer" and not isinstance(value, int):
        return None, _expected(spec)
    return _number(value), None


def read_inputs(
    model: Model,
    raw: Mapping[str, Any],
    file: str = "<arguments>",
    keys: Mapping[str, str] | None = None,
    line_of: Callable[[str], int | None] | None = None,
    parse_strings: bool = False,
) -> dict[str, Any]:
    """Check raw inputs (a mapping of input name to value) against the model; every input name maps to a value or None.

    `keys` says how each input was written (e.g. '--users' or 'scale.users'); `line_of` finds its line.
    Strings are parsed as numbers only with parse_strings (command-line arguments). Raises InputError with every problem.
    """
    specs = model["inputs"]
    keys = keys or {}
    problems: list[Problem] = []

    def problem(name: str, message: str) -> None:
        problems.append(Problem(file, line_of(name) if line_of else None, keys.get(name, name), message))

    values: dict[str, Any] = dict.fromkeys(specs)
    for name, value in raw.items():
        spec = specs.get(name)
        if spec is None:
            hint = did_you_mean(name, specs) if len(problems) < MAX_PROBLEMS else ""  # past what a report shows, skip the search
            problem(name, f"unknown input '{clip(name)}'{hint or f'; inputs are {one_of(specs)}'}")
            continue
        if value is None:
            continue
        parsed, expected = _parse(value, spec, parse_strings)
        if expected is not None:
            problem(name, f"expected {expected} (got {clip_repr(value)})")
            continue
        if "choices" in spec and parsed not in spec["choices"]:
            what = "method" if name == "method" else name
            problem(name, f"unknown {what} '{clip(parsed)}'{did_you_mean(parsed, spec['choices'])}; expected one of {', '.join(spec['choices'])}")
            continue
        if "minimum" in spec and parsed < spec["minimum"]:
            problem(name, f"must be at least {_fmt(spec['minimum'])} (got {_fmt(parsed)})")
            continue
        if "exclusive_minimum" in spec and parsed <= spec["exclusive_minimum"]:
            problem(name, f"must be above {_fmt(spec['exclusive_minimum'])} (got {_fmt(parsed)})")
            continue
        values[name] = parsed
    largest, total = values.get("largest_repo_gb"), values.get("total_repo_size_gb")
    if largest is not None and total is not None and largest > total:
        total_key = keys.get("total_repo_size_gb", "total_repo_size_gb")
        problem(
            "largest_repo_gb",
            f"the largest repository ({_fmt(largest)} GB) is larger than the total size of all repositories ({_fmt(total)} GB, {total_key}); "
            "the largest repository is part of the total, so raise the total or lower the largest",
        )
    concurrent, users = values.get("concurrent_users"), values.get("users")
    if concurrent is not None and users is not None and concurrent > users:
        problem("concurrent_users", concurrent_users_problem(concurrent, users, keys.get("users", "users")))
    if problems:
        raise InputError(problems)
    return values


def inputs_from_document(data: Any) -> tuple[Mapping[str, Any], tuple[str, ...]]:
    """The sizing inputs in a parsed file and the key path they sit under.

    A requirements file holds them in its `scale:` block (the method may come from deployment.method);
    any other mapping is read as the inputs themselves.
    """
    if not isinstance(data, dict):
        raise InputError([Problem("", 1, "", f"expected a mapping of sizing inputs, or a requirements file with a scale: block (got {type(data).__name__})")])
    if "scale" not in data:
        return data, ()
    scale = data["scale"]
    if not isinstance(scale, dict):
        raise InputError([Problem("", None, "scale", f"expected a mapping of sizing inputs (got {type(scale).__name__})")])
    deployment = data.get("deployment")
    if isinstance(deployment, dict) and isinstance(deployment.get("method"), str) and "method" not in scale:
        scale = {**scale, "method": deployment["method"]}
    return scale, ("scale",)


def document_inputs(model: Model, data: Any, lines: LineMap, label: str) -> dict[str, Any]:
    """The checked inputs of a parsed YAML or JSON document (a bare mapping, or a requirements file's scale: block), located by `lines`.

    The one way a document becomes sizing inputs: `refarch size --from FILE` and `POST /api/v1/size` both read it here.
    """
    from .yamlfile import dotted
    try:
        inputs, prefix = inputs_from_document(data)
    except InputError as error:
        raise InputError([Problem(label, p.line or lines.line_for((p.key,) if p.key else ()), p.key, p.message) for p in error.problems]) from None
    keys = {name: dotted((*prefix, name)) for name in inputs}
    if prefix and "method" in inputs and "method" not in data["scale"]:
        keys["method"] = "deployment.method"
    return read_inputs(model, inputs, file=label, keys=keys, line_of=lambda name: lines.line_for(tuple(keys[name].split("."))))


# --- sizing -------------------------------------------------------------------------------
#
# evaluate() runs thousands of times a second (the API, the site's checks), so the model is first
# turned into tuples once per model (_Prepared). The arithmetic is exactly as the docstrings say;
# the site's calculator repeats it operation for operation, so both round the same way.


class _Service:
    """One service of one resource source, ready to evaluate."""

    __slots__ = (
        "id",
        "template",
        "off_row",
        "feature_input",
        "default_on",
        "factor",
        "factor_max",
        "groups",
        "formulas",
        "zero_while",
        "per_node",
        "pod",
        "fixed",
        "static",
    )

    def __init__(self, entry: dict[str, Any], whole_above: float, step: float):
        self.id: str = entry["id"]
        self.per_node: bool = entry["per_node"]
        self.pod: str | None = entry["pod"]
        self.template = {"name": self.id, "enabled": True, "per_node": self.per_node, "pod": self.pod, **entry["base"]}
        self.off_row = {"name": self.id, "enabled": False, "per_node": self.per_node, "pod": self.pod, **dict.fromkeys(FIELDS, 0)}
        self.feature_input: str | None = entry["feature_input"]
        self.default_on: bool = entry["default_on"]
        self.factor: str | None = entry["factor"]
        self.factor_max: float | None = entry["factor_max"]
        # Fields with the same point positions share one search for the segment.
        grouped: dict[tuple[float, ...], list[tuple[str, tuple[float, ...], tuple[float, ...]]]] = {}
        for name in FIELDS:
            points = entry["points"].get(name) or []
            if len(points) == 1:  # one point: the same value for every input
                self.template[name] = _round(points[0][1], whole_above, step)
            elif points:
                values = tuple(p[1] for p in points)
                steps = (0.0, *(b - a for a, b in zip(values, values[1:], strict=False)))
                grouped.setdefault(tuple(p[0] for p in points), []).append((name, values, steps))
        self.groups = tuple((ats, tuple(fields)) for ats, fields in grouped.items())
        self.formulas = tuple(
            (name, tuple(tuple((factor, coefficient) for factor, coefficient in terms) for terms in f["sums"]), f["whole_units"], f["unit_size"], f["at_least"])
            for name, f in entry["formulas"].items()
        )
        self.zero_while = tuple((factor, tuple(names)) for factor, names in entry["zero_while"])
        self.fixed = not (self.groups or self.formulas or self.zero_while)
        # Static: the same row in every answer, so its share of totals and pods is summed once (_Static).
        self.static = self.fixed and self.feature_input is None and self.pod is None


class _Static:
    """The static services' share of totals and of the node plan, for one resource source."""

    def __init__(self, services: tuple[_Service, ...]):
        self.totals = [0.0] * len(TOTAL_FIELDS)
        self.per_node_totals = [0.0] * len(TOTAL_FIELDS)
        self.daemon_cpu = self.daemon_memory = 0
        self.pods: list[tuple[int, int, str, int]] = []
        for service in services:
            if not service.static:
                continue
            row = service.template
            for index, name in enumerate(TOTAL_FIELDS):
                if service.per_node:
                    self.per_node_totals[index] += row[name] or 0
                else:
                    self.totals[index] += (row[name] or 0) * row["replicas"]
            if service.per_node:
                self.daemon_cpu += _milli(row["cpu_request"])
                self.daemon_memory += _milli(row["memory_request_gb"])
            elif row["replicas"]:
                self.pods.append((-_milli(row["cpu_request"]), -_milli(row["memory_request_gb"]), service.id, row["replicas"]))


class _Prepared:
    """A model's tables as tuples, built once per model object."""

    def __init__(self, model: Model):
        self.model = model
        self.whole_above: float = model["rounding"]["whole_above"]
        self.step: float = model["rounding"]["step_below"]
        self.numbers = tuple(name for name, spec in model["inputs"].items() if spec["type"] in ("integer", "number"))
        self.defaults_notes: dict[tuple[Any, ...], str] = {}
        self.defaults = tuple((name, spec["default"]) for name, spec in model["inputs"].items() if spec["default"] is not None)
        self.covered = tuple((name, spec["covered_max"]) for name, spec in model["inputs"].items() if spec["covered_max"] is not None)
        self.factors = tuple((name, tuple((input_name, coefficient) for input_name, coefficient in terms)) for name, terms in model["factors"].items())
        self.limits = tuple((name, tuple(size["limits"][name] for size in model["sizes"])) for name in model["tier_inputs"])
        self.services = {source: tuple(_Service(entry, self.whole_above, self.step) for entry in entries) for source, entries in model["services"].items()}
        self.static = {source: _Static(services) for source, services in self.services.items()}
        self.sources = {source: {entry["id"]: entry["sources"] for entry in entries} for source, entries in model["services"].items()}
        self.size_files = {size["id"]: size["file"] for size in model["sizes"]}
        self.serving = {size["id"]: [method_id for method_id, method in model["methods"].items() if size["id"] in method["serves"]] for size in model["sizes"]}
        largest = [(size["limits"]["largest_repo_gb"], size["rank"], size) for size in model["sizes"] if size["limits"].get("largest_repo_gb") is not None]
        self.largest_repo_limit = max(largest, key=lambda item: (item[0], item[1])) if largest else None


_prepared: dict[int, tuple[Model, _Prepared]] = {}


def _prepare(model: Model) -> _Prepared:
    hit = _prepared.get(id(model))
    if hit is None or hit[0] is not model:
        if len(_prepared) > 32:  # models are few; this only guards against a caller compiling in a loop
            _prepared.clear()
        hit = (model, _Prepared(model))
        _prepared[id(model)] = hit
    return hit[1]


def _round(value: float, whole_above: float, step: float) -> float | int:
    """Above whole_above: floor(value + 0.5); otherwise floor(value / step + 0.5) * step (the nearest step, halves up)."""
    if value > whole_above:
        return math.floor(value + 0.5)
    rounded = math.floor(value / step + 0.5) * step
    return int(rounded) if rounded == int(rounded) else rounded


def _scale_service(service: _Service, factors: dict[str, float], whole_above: float, step: float, floor: Callable[[float], int] = math.floor) -> dict[str, Any]:
    """The service's row: method defaults, then interpolated points, formulas and zero rules, each value rounded.

    Between points a and b, as the estimator computes it: t = (x - at_a) / (at_b - at_a), then
    value_a + (value_b - value_a) * t. Below the first point its value; above the last, the last one's.
    A formula is the largest of its sums of factor x coefficient; whole_units takes ceil() and multiplies
    by unit_size; at_least is a floor.
    """
    row = service.template.copy()
    if service.factor is not None:
        x = factors[service.factor]
        for ats, fields in service.groups:
            last = len(ats) - 1
            if x <= ats[0]:
                index, t = 0, 0.0
            elif x >= ats[last]:
                index, t = last, 0.0
            else:
                index = 1
                while x > ats[index]:
                    index += 1
                t = (x - ats[index - 1]) / (ats[index] - ats[index - 1])
                index -= 1
            following = index + 1
            for name, values, steps in fields:
                value = values[index] + steps[following] * t if t else values[index]
                # _round, inlined: this line runs for every scaled field of every answer.
                if value > whole_above:
                    row[name] = floor(value + 0.5)
                else:
                    rounded = floor(value / step + 0.5) * step
                    row[name] = int(rounded) if rounded == int(rounded) else rounded
    for name, sums, whole_units, unit_size, at_least in service.formulas:
        value = -math.inf
        for terms in sums:
            total = 0.0
            for factor, coefficient in terms:
                total += factors[factor] * coefficient
            if total > value:
                value = total
        if whole_units:
            value = math.ceil(value) * unit_size
        if at_least is not None and value < at_least:
            value = at_least
        row[name] = _round(value, whole_above, step)
    for factor, names in service.zero_while:
        if factors[factor] == 0:
            for name in names:
                row[name] = 0
    return row


def _effective_inputs(prepared: _Prepared, given: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Given inputs, completed with the estimator's defaults; and the names that took a default (in name order)."""
    values = dict(given)
    defaulted = []
    for name, default in prepared.defaults:
        if values.get(name) is None:
            values[name] = default
            defaulted.append(name)
    # A default must not contradict a given value: the largest repository is part of the total.
    if "largest_repo_gb" in defaulted and values.get("total_repo_size_gb") is not None:
        values["largest_repo_gb"] = min(values["largest_repo_gb"], values["total_repo_size_gb"])
    if "total_repo_size_gb" in defaulted and values.get("largest_repo_gb") is not None:
        values["total_repo_size_gb"] = max(values["total_repo_size_gb"], values["largest_repo_gb"])
    return values, defaulted


def _tier_index(limits: tuple[float | None, ...], value: float) -> int:
    """The smallest size whose limit `value` does not exceed (a size without a limit takes any value); -1 past every size."""
    for index, limit in enumerate(limits):
        if limit is None or value <= limit:
            return index
    return -1


def _tier(
    prepared: _Prepared, sizes: list[dict[str, Any]], values: Mapping[str, Any], defaulted: list[str]
) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    """The size each input needs on its own, the largest of them, and the inputs beyond what the model covers."""
    drivers = []
    past_every_size = []
    tier_index = 0
    for name, limits in prepared.limits:
        value = values.get(name)
        if value is None:
            continue
        index = _tier_index(limits, value)
        if index < 0:
            past_every_size.append(name)
            index = len(limits) - 1
        size_ = sizes[index]
        drivers.append({"input": name, "value": value, "tier": size_["id"], "tier_name": size_["name"], "given": name not in defaulted})
        if index > tier_index:
            tier_index = index
    beyond_inputs = [name for name, covered_max in prepared.covered if values.get(name) is not None and values[name] > covered_max]
    if past_every_size:
        beyond_inputs = sorted(set(beyond_inputs) | set(past_every_size))
    return drivers, sizes[tier_index], beyond_inputs


def _input_label(model: Model, name: str) -> str:
    """An input named by the first clause of its description: "Size of all repositories together, in GB"."""
    description = str(model["inputs"].get(name, {}).get("description") or name)
    return description.split(";")[0].rstrip(".")


def evaluate(model: Model, inputs: Mapping[str, Any]) -> Answer:
    """Size one set of checked inputs (see read_inputs) against a compiled model."""
    prepared = _prepare(model)
    values, defaulted = _effective_inputs(prepared, inputs)
    sizes = model["sizes"]
    notes: list[str] = []
    if defaulted:
        key = tuple([values[name] for name in defaulted]) + tuple(defaulted)
        note = prepared.defaults_notes.get(key)
        if note is None:  # few combinations: remember their text
            # Each input by its own description in the model (the calculator says the same), not by its key.
            used = "; ".join(f"{_input_label(model, name)}: {_show(values[name])}" for name in defaulted)
            note = f"Not given, so the resource estimator's defaults are used: {used}."
            if len(prepared.defaults_notes) < 1024:
                prepared.defaults_notes[key] = note
        notes.append(note)

    # 1. The tier: each input on its own, then the largest.
    drivers, tier, beyond_inputs = _tier(prepared, sizes, values, defaulted)
    tier_index = sizes.index(tier)
    beyond_model = bool(beyond_inputs)
    contact_support = tier["contact_support"] or beyond_model

    # 2. The method and the architecture.
    method_id = values.get("method") or tier["recommended_method"] or model["recommended_method"]
    method = model["methods"][method_id]
    serves = tier["id"] in method["serves"]
    arch_id = f"{method_id}-{tier['id']}"
    architecture = arch_id if serves and arch_id in model["architectures"] else None
    if values.get("method") is None:
        why = f"size {tier['name']}" if tier["recommended_method"] else "the product"
        notes.append(f"No method given: {method['name']} ({method_id}) is the recommended method for {why}.")
    if method["level"] in ("removed", "deprecated", "unavailable"):
        when = method["removed"] if method["level"] == "removed" else method["deprecated"]
        since = f" (since {when})" if when else ""
        instead = f"; use {method['replacement']} instead" if method["replacement"] else ""
        notes.append(f"{method['name']} ({method_id}) is {method['level']} at {model['version']}{since}{instead}.")
    if not method["production"]:
        notes.append(f"{method['name']} ({method_id}) is not meant for production.")
    if not serves:
        served = ", ".join(size_["name"] for size_ in sizes if size_["id"] in method["serves"])
        notes.append(
            f"{method['name']} ({method_id}) does not serve size {tier['name']}; it serves {served}. "
            f"Methods that serve {tier['name']}: {', '.join(prepared.serving[tier['id']])}."
        )
    if method["plan"] == "managed":
        notes.append(f"{method['name']} ({method_id}) is a managed offering: the vendor runs it, so there are no services or machines to plan.")
    elif serves and architecture is None:
        notes.append(
            f"The catalog has no reference architecture for {method_id} at size {tier['name']}; the resources below are computed from the sizing model."
        )

    # 3. Per-service resources.
    factors: dict[str, float] = {}
    for name, terms in prepared.factors:
        total = 0.0
        for input_name, coefficient in terms:
            total += values[input_name] * coefficient
        factors[name] = total
    services: list[dict[str, Any]] = []
    changing: list[dict[str, Any]] = []  # rows of the services that are not static
    service_sources: dict[str, Any] = {}
    static = None
    past_points = []
    if method["plan"] != "managed":
        source = method["resources_from"]
        service_sources = prepared.sources[source]
        static = prepared.static[source]
        pods: dict[str, int] = {}
        for service in prepared.services[source]:
            if service.static:
                services.append(service.template.copy())
                continue
            if service.feature_input is not None:
                switch = values.get(service.feature_input)
                if not (service.default_on if switch is None else switch):
                    services.append(service.off_row.copy())
                    why = f"{service.feature_input} is off" if switch is not None else f"it is off by default; turn it on with {service.feature_input}"
                    notes.append(f"{service.id} gets no resources: {why}.")
                    continue
            if service.factor is not None and factors[service.factor] > service.factor_max:  # type: ignore[operator]
                past_points.append(service.id)
            row = service.template.copy() if service.fixed else _scale_service(service, factors, prepared.whole_above, prepared.step)
            services.append(row)
            changing.append(row)
            if service.pod is not None and row["replicas"] > pods.get(service.pod, 0):
                pods[service.pod] = row["replicas"]
        # Services in one pod run with one replica count: the largest.
        if pods:
            for row in changing:
                if row["pod"] is not None:
                    row["replicas"] = pods[row["pod"]]
    if method["plan"] != "managed" and not services:
        notes.append(
            f"No service in the catalog gives resources for {method_id}: add defaults for it to catalog/services/, or a resources_from entry to the sizing model."
        )
    if past_points and not beyond_model:
        contact_support = True
        notes.append(f"Past the largest reference point for {', '.join(past_points)}: the estimator says to contact support.")

    # 4. Machines.
    machines: list[dict[str, Any]] = []
    nodes = 1
    clouds = [values["cloud"]] if values.get("cloud") else model["clouds"]
    if serves and method["plan"] == "kubernetes":
        machine = _node_plan(model["kubernetes"], static, changing, clouds, notes)  # type: ignore[arg-type]
        machines.append(machine)
        nodes = machine["count"]
    totals = _totals(static, changing, nodes)
    if serves and method["plan"] == "single-machine":
        machines.append(_single_machine(model, tier, totals, clouds, notes))

    # 5. Advice.
    if tier["contact_support"]:
        notes.append(model["advice"]["contact_support"].format(tier=tier["name"]))
    if beyond_model:
        described = ", ".join(
            f"{name} {_fmt(values[name])}"
            + (f" (covered up to {_fmt(model['inputs'][name]['covered_max'])})" if model["inputs"][name]["covered_max"] is not None else " (past every size)")
            for name in beyond_inputs
        )
        notes.append(model["advice"]["beyond_model"].format(inputs=described))
    if tier_index + 1 < len(sizes):
        threshold = model["close_to_next"]
        following = sizes[tier_index + 1]["name"]
        for driver in drivers:
            limit = tier["limits"][driver["input"]]
            if driver["given"] and limit is not None and driver["value"] >= limit * (1 - threshold):
                notes.append(
                    f"{driver['input']} {_fmt(driver['value'])} is within {_fmt(threshold * 100)}% of size {tier['name']}'s limit ({_fmt(limit)}): "
                    f"you are close to {following}; plan for growth."
                )
    largest = values.get("largest_repo_gb")
    if prepared.largest_repo_limit is not None and largest is not None and largest > prepared.largest_repo_limit[0]:
        limit, _, size_ = prepared.largest_repo_limit
        notes.append(model["advice"]["monorepo"].format(value=_fmt(largest), limit=_fmt(limit), size=size_["name"]))

    return {
        "schema_version": SCHEMA_VERSION,
        "version": model["version"],
        "catalog": model["catalog"],
        "inputs": values,
        "defaulted": defaulted,
        "tier": tier["id"],
        "tier_name": tier["name"],
        "drivers": drivers,
        "driven_by": [driver["input"] for driver in drivers if driver["tier"] == tier["id"]],
        "contact_support": contact_support,
        "beyond_model": beyond_model,
        "beyond_model_inputs": beyond_inputs,
        "method": method_id,
        "method_serves_tier": serves,
        "architecture": architecture,
        "services": services,
        "totals": totals,
        "machines": machines,
        "notes": notes,
        "sources": {
            "tier": tier["file"],
            "drivers": {driver["input"]: prepared.size_files[driver["tier"]] for driver in drivers},
            "defaults": model["sizing_file"] if defaulted else None,
            "method": method["file"],
            "recommended_method": None if values.get("method") else (tier["file"] if tier["recommended_method"] else model["product_file"]),
            "architecture": model["architectures"][architecture] if architecture else None,
            "services": service_sources,
            "machines": [model["sizing_file"] if machine["role"] == "worker nodes" else tier["file"] for machine in machines]
            + ([model["machine_types_file"]] if machines else []),
            "rules": model["sizing_file"],
        },
    }


def _round3(value: float) -> float | int:
    """Totals to three decimals: floor(value * 1000 + 0.5) / 1000."""
    rounded = math.floor(value * 1000 + 0.5) / 1000
    return int(rounded) if rounded == int(rounded) else rounded


def _totals(static: _Static | None, changing: list[dict[str, Any]], nodes: int) -> dict[str, Any]:
    """Sums of value x copies (replicas, or nodes for per-node services) over every enabled service; unknown values count as 0.

    Every value is a multiple of 0.001, so rounding the sum to thousandths makes the order of the sum irrelevant.
    """
    sums = [0.0] * len(TOTAL_FIELDS) if static is None else [a + b * nodes for a, b in zip(static.totals, static.per_node_totals, strict=True)]
    cpu_request, cpu_limit, memory_request, memory_limit, storage = sums
    for row in changing:
        copies = nodes if row["per_node"] else row["replicas"]
        cpu_request += (row["cpu_request"] or 0) * copies
        cpu_limit += (row["cpu_limit"] or 0) * copies
        memory_request += (row["memory_request_gb"] or 0) * copies
        memory_limit += (row["memory_limit_gb"] or 0) * copies
        storage += (row["storage_gb"] or 0) * copies
    return {
        "cpu_request": _round3(cpu_request),
        "cpu_limit": _round3(cpu_limit),
        "memory_request_gb": _round3(memory_request),
        "memory_limit_gb": _round3(memory_limit),
        "storage_gb": _round3(storage),
    }


def _milli(value: float | None) -> int:
    """A CPU or GB value in thousandths, as an exact integer: floor(value * 1000 + 0.5); None counts as 0."""
    return math.floor(value * 1000 + 0.5) if value else 0


PACKED_MEMO = 4096
"""Node plans remembered: packing is a pure function of the sorted pods and the free room per node."""

_packed: dict[tuple[Any, ...], tuple[int, int, tuple[str, ...]]] = {}


def _pack(order: tuple[tuple[int, int, str, int], ...], free_cpu: int, free_memory: int) -> tuple[int, int, tuple[str, ...]]:
    """First-fit decreasing over pods sorted as (-cpu, -memory, name, replicas): (nodes, pods placed, pods too big for a node)."""
    left_cpu: list[int] = []  # what each node still offers
    left_memory: list[int] = []
    oversized = []
    placed = 0
    for negative_cpu, negative_memory, name, count in order:
        cpu, memory = -negative_cpu, -negative_memory
        placed += count
        if cpu > free_cpu or memory > free_memory:
            left_cpu.extend([0] * count)
            left_memory.extend([0] * count)
            oversized.append(name)
            continue
        # Nodes only fill up, so a node too full for one replica is too full for the next: resume where the last one went.
        start = 0
        for _ in range(count):
            for index in range(start, len(left_cpu)):
                if left_cpu[index] >= cpu and left_memory[index] >= memory:
                    left_cpu[index] -= cpu
                    left_memory[index] -= memory
                    start = index
                    break
            else:
                start = len(left_cpu)
                left_cpu.append(free_cpu - cpu)
                left_memory.append(free_memory - memory)
    return max(1, len(left_cpu)), placed, tuple(oversized)


def _node_plan(node: dict[str, Any], static: _Static, changing: list[dict[str, Any]], clouds: list[str], notes: list[str]) -> dict[str, Any]:
    """Place every pod by its requests on the catalog's node type, first-fit decreasing, after headroom and per-node pods.

    Arithmetic is in exact thousandths (see _milli). A node offers _milli(vcpu x (1 - headroom)) CPU minus the
    per-node pods' requests, and the same for memory. A pod's requests are the sums over the services in it.
    Pods are sorted by CPU request, then memory request (both descending), then name; each replica goes on the
    first node with room for both, else on a new node. A pod too big for an empty node gets nodes of its own and a note.
    """
    usable = 1 - node["headroom"]
    daemon_cpu, daemon_memory = static.daemon_cpu, static.daemon_memory
    pods: dict[str, list[int]] = {}
    for row in changing:
        cpu, memory = row["cpu_request"], row["memory_request_gb"]
        if row["per_node"]:
            daemon_cpu += math.floor(cpu * 1000 + 0.5) if cpu else 0
            daemon_memory += math.floor(memory * 1000 + 0.5) if memory else 0
            continue
        if row["replicas"] == 0:
            continue
        name = row["pod"] or row["name"]
        request = pods.get(name)
        if request is None:
            request = pods[name] = [0, 0, row["replicas"]]
        request[0] += math.floor(cpu * 1000 + 0.5) if cpu else 0
        request[1] += math.floor(memory * 1000 + 0.5) if memory else 0
    free_cpu = _milli(node["vcpu"] * usable) - daemon_cpu
    free_memory = _milli(node["memory_gb"] * usable) - daemon_memory
    order = tuple(sorted([*static.pods, *((-cpu, -memory, name, count) for name, (cpu, memory, count) in pods.items())]))
    key = (order, free_cpu, free_memory)
    packed = _packed.get(key)
    if packed is None:
        if len(_packed) >= PACKED_MEMO:
            _packed.clear()
        packed = _packed[key] = _pack(order, free_cpu, free_memory)
    count, placed, oversized = packed
    for name in oversized:
        cpu, memory = next((-negative_cpu, -negative_memory) for negative_cpu, negative_memory, pod, _ in order if pod == name)
        notes.append(
            f"Pod {name} requests {_fmt(cpu / 1000)} CPU and {_fmt(memory / 1000)} GB, more than one {node['vcpu']} vCPU / {_fmt(node['memory_gb'])} GB node offers "
            f"after headroom and per-node pods ({_fmt(free_cpu / 1000)} CPU, {_fmt(free_memory / 1000)} GB): give it larger nodes (a node pool of its own). "
            "Each of its replicas is counted as one node."
        )
    return {
        "role": "worker nodes",
        "count": count,
        "vcpu": node["vcpu"],
        "memory_gb": node["memory_gb"],
        "instance_types": {cloud: node["instance_types"].get(cloud) for cloud in clouds},
        "boot_disk_gb": node["boot_disk_gb"],
        "storage_class": node["storage_class"],
        "ssd": True,
        "pods": placed,
        "headroom": node["headroom"],
    }


def _single_machine(model: Model, tier: dict[str, Any], totals: dict[str, Any], clouds: list[str], notes: list[str]) -> dict[str, Any]:
    """One machine per cloud: the size's own type when it holds the requests, else the smallest catalog type that does."""
    need_cpu = max(tier["vcpu"], totals["cpu_request"])
    need_memory = max(tier["memory_gb"], totals["memory_request_gb"])
    if need_cpu > tier["vcpu"] or need_memory > tier["memory_gb"]:
        notes.append(
            f"The services request {_fmt(totals['cpu_request'])} CPU and {_fmt(totals['memory_request_gb'])} GB, more than size {tier['name']}'s machine "
            f"({tier['vcpu']} vCPU, {_fmt(tier['memory_gb'])} GB): the machine below is sized to the requests."
        )
    chosen: dict[str, str | None] = {}
    for cloud in clouds:
        types = model["machine_types"].get(cloud, [])
        own = next((m for m in types if m["id"] == tier["instance_types"].get(cloud)), None)
        if own is not None and own["vcpu"] >= need_cpu and own["memory_gb"] >= need_memory:
            chosen[cloud] = own["id"]
            continue
        fits = [m for m in types if m["vcpu"] >= need_cpu and m["memory_gb"] >= need_memory]
        chosen[cloud] = fits[0]["id"] if fits else None
        if not fits:
            notes.append(f"No {cloud} machine type in the catalog has {_fmt(need_cpu)} vCPU and {_fmt(need_memory)} GB; use Kubernetes instead.")
    return {
        "role": "all services",
        "count": 1,
        "vcpu": math.ceil(need_cpu),
        "memory_gb": math.ceil(need_memory),
        "instance_types": chosen,
        "data_disk_gb": math.ceil(totals["storage_gb"]),
        "ssd": True,
    }


def _values(model: Model, inputs: SizingInputs, method: str | None = None) -> dict[str, Any]:
    """SizingInputs as the engine's checked inputs (see read_inputs); `method`, if given, replaces inputs.method."""
    values = dict(inputs.__dict__)  # the fields as they are (plain values only): far cheaper than model_dump() per check
    if method is not None:
        values["method"] = method
    # SizingInputs has checked types and ranges; what is left is what read_inputs adds: the catalog's methods, whole floats as ints.
    if values["method"] is not None and values["method"] not in model["methods"]:
        read_inputs(model, {"method": values["method"]}, file="<inputs>")  # raises InputError with the usual message
    for name in _prepare(model).numbers:
        value = values[name]
        if value.__class__ is float and value.is_integer():
            values[name] = int(value)
    return values


def size(catalog: Catalog, inputs: SizingInputs) -> Answer:
    """Size a deployment: the tier, the architecture, per-service resources, machines and advice."""
    model = sizing_model_json(catalog)
    return evaluate(model, _values(model, inputs))


def size_tier(catalog: Catalog, inputs: SizingInputs, method: str | None = None) -> dict[str, Any]:
    """Only the first part of size(): the tier and what drove it, whether the method serves it, and its architecture.

    The same values as size() gives for these keys, without computing resources or machines (for checks).
    `method`, if given, stands for inputs.method.
    """
    model = sizing_model_json(catalog)
    prepared = _prepare(model)
    values, defaulted = _effective_inputs(prepared, _values(model, inputs, method))
    drivers, tier, beyond_inputs = _tier(prepared, model["sizes"], values, defaulted)
    method_id = values.get("method") or tier["recommended_method"] or model["recommended_method"]
    serves = tier["id"] in model["methods"][method_id]["serves"]
    architecture = f"{method_id}-{tier['id']}"
    return {
        "tier": tier["id"],
        "drivers": drivers,
        "beyond_model": bool(beyond_inputs),
        "beyond_model_inputs": beyond_inputs,
        "method": method_id,
        "method_serves_tier": serves,
        "architecture": architecture if serves and architecture in model["architectures"] else None,
        "inputs": values,
    }
