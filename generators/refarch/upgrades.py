"""Upgrade and migration plans from the catalog's rules: shortest paths through a versions graph and a methods graph.

Pure: takes a loaded Catalog and plain arguments, returns JSON-ready dicts; bad input raises InputError.
Every product fact (stops, notes, downtime, routes) comes from catalog/upgrades.yaml, upgrade-stops/,
upgrade-notes/ and migrations/.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any, cast

from . import numbers
from .freshness import currency, version_problem
from .lifecycle import at_or_after, exists_at
from .matrix import require_id, rule_at
from .memo import per_catalog
from .numbers import minor_of, version_key
from .problems import InputError, Problem, clip_repr, did_you_mean
from .snapshot import plain

if TYPE_CHECKING:
    import networkx as nx

    from .loading import Catalog
    from .models import Conditions, Method, Migration, UpgradeNote, UpgradeStop

SCHEMA_VERSION = 1
STRATEGIES = ("fewest-steps", "least-downtime")
DEFAULT_STRATEGY = "fewest-steps"

_POSTGRES = re.compile(r"^(bundled|external)(?:-(\d{1,6}(?:\.\d{1,6})?))?$")  # bounded like every version (refarch.numbers)


def _problem(key: str, message: str) -> InputError:
    return InputError([Problem("<arguments>", None, key, message)])


# --- what a plan is computed from --------------------------------------------------------


@dataclass(frozen=True)
class Postgres:
    """The PostgreSQL the deployment uses now: bundled or external, and its major version."""

    kind: str
    major: str
    given: str | None

    @property
    def label(self) -> str:
        return f"{'bundled' if self.kind == 'bundled' else 'external'} PostgreSQL {self.major}"

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "major": self.major, "given": self.given, "label": self.label}


def matches(when: Conditions, method_id: str, postgres: Postgres, hop_type: str | None = None) -> bool:
    """Whether a stop's or note's conditions hold for this method and database (and hop type, for notes)."""
    if when.methods and method_id not in when.methods:
        return False
    if when.postgres and when.postgres != postgres.kind:
        return False
    if when.postgres_below and not version_key(postgres.major) < version_key(when.postgres_below):
        return False
    return not (hop_type and when.hop_types and hop_type not in when.hop_types)


@dataclass
class _Prepared:
    """Per-catalog lookups every plan needs: release order, latest patches, where each rule sits."""

    minors: list[str]
    index: dict[str, int]
    patch: list[str]
    level_rank: dict[str, int]
    outage: dict[str, bool]
    stop_span: dict[str, tuple[int, int]]  # stop id -> (lo, hi) node indices of its run of releases
    first_at_or_after: dict[str, int]  # note id -> first node whose latest patch is at or past the note's version
    graphs: dict[_Shape, _Graph] = field(default_factory=dict)
    routes: nx.DiGraph[str] | None = None


@dataclass
class _Graph:
    graph: nx.DiGraph[int]
    paths: dict[tuple[int, str], dict[int, tuple[int, ...]]] = field(default_factory=dict)


@per_catalog
def _prepared(catalog: Catalog) -> _Prepared:
    """The per-catalog lookups, built once per Catalog object and dropped with it."""
    releases = catalog.releases.releases
    minors = [r.version for r in releases]
    patch = [r.latest_patch for r in releases]

    def first_node_at(version: str) -> int:
        return next((i for i, p in enumerate(patch) if at_or_after(p, version)), len(patch))

    def span(stop: UpgradeStop) -> tuple[int, int]:
        if stop.at.versions:
            nodes = [minors.index(minor_of(v)) for v in stop.at.versions]
            return min(nodes), max(nodes)
        lo = first_node_at(stop.at.from_version or "")
        return lo, first_node_at(stop.at.until or "") - 1

    levels = catalog.upgrades.downtime_levels
    prepared = _Prepared(
        minors=minors,
        index={minor: i for i, minor in enumerate(minors)},
        patch=patch,
        level_rank={level.id: rank for rank, level in enumerate(levels)},
        outage={level.id: level.outage for level in levels},
        stop_span={stop_id: span(stop) for stop_id, stop in catalog.upgrade_stops.items()},
        first_at_or_after={note_id: first_node_at(note.version) for note_id, note in catalog.upgrade_notes.items()},
    )
    return prepared


# --- reading the arguments ---------------------------------------------------------------


LATEST = "latest"
"""A target that means the newest release in the catalog."""


def _version_arg(catalog: Catalog, prep: _Prepared, value: str, key: str) -> tuple[int, str]:
    """(node index, the version as given) for --from / --to, or an input problem; "latest" names the newest release as a target."""
    value = str(value).strip().removeprefix("v")
    if key == "to" and value.lower() == LATEST:
        value = prep.minors[-1]
    written = numbers.version_problem(value, '"5.9" or "5.9.45"') or (
        None if "." in value else f'expected a version like "5.9" or "5.9.45" (got {clip_repr(value)})'
    )
    if written:  # bounded digits, X.Y at least: before anything compares it
        raise _problem(key, written)
    problem = version_problem(catalog, value)
    if problem:
        raise _problem(key, problem)
    node = prep.index[minor_of(value)]
    return node, value


def parse_postgres(catalog: Catalog, value: str | None, version: str, method: Method) -> Postgres:
    """The --postgres argument at the starting version: bundled (the default), bundled-MAJOR or external-VERSION."""
    bundled = next(
        (r for r in catalog.upgrades.bundled_postgres if at_or_after(version, r.from_version) and not (r.until and at_or_after(version, r.until))),
        catalog.upgrades.bundled_postgres[-1],
    )
    if value is None or value.strip() == "bundled":
        return Postgres("bundled", bundled.majors[0], value)
    text = value.strip()
    match = _POSTGRES.match(text)
    if not match or not match.group(2) and match.group(1) == "external":
        raise _problem("postgres", f"expected bundled, bundled-MAJOR (like bundled-12) or external-VERSION (like external-16) (got {clip_repr(text)})")
    kind, major = match.group(1), match.group(2) or ""
    major = major.split(".")[0]
    if kind == "bundled":
        if major not in bundled.majors:
            allowed = " or ".join(f"bundled-{m}" for m in bundled.majors)
            why = f" ({bundled.note})" if bundled.note else ""
            raise _problem(
                "postgres",
                f"the bundled databases run PostgreSQL {' or '.join(bundled.majors)} at {version}, not {major}{why}; use {allowed}, or leave postgres out (it defaults to bundled)",
            )
        return Postgres("bundled", major, text)
    if not method.external_services:
        raise _problem("postgres", f"method {method.id} ({method.name}) allows no external databases; use postgres 'bundled'")
    service = catalog.external_services.get(catalog.upgrades.postgres_service)
    rule = rule_at(service, version) if service else None
    if rule and version_key(major) < version_key(rule.min):
        raise _problem("postgres", f"external PostgreSQL {major} is too old for {version}, which needs PostgreSQL {rule.min} or later: {rule.reason}")
    return Postgres("external", major, text)


def _all_or_nothing(*readers: Callable[[], Any]) -> list[Any]:
    """Read every argument, then report all the problems together rather than the first one only."""
    values, problems = [], []
    for read in readers:
        try:
            values.append(read())
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    return values


def _method_arg(catalog: Catalog, method_id: str, key: str = "method") -> Method:
    require_id(catalog.methods, method_id, "deployment method", key)
    return catalog.methods[method_id]


def _strategy_arg(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise _problem("strategy", f"unknown strategy {strategy!r}; expected {' or '.join(STRATEGIES)}{did_you_mean(strategy, STRATEGIES)}")
    return strategy


# --- the versions graph ------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What the graph for one plan depends on: the method and the rules that apply to it."""

    method: Method
    stops: tuple[UpgradeStop, ...]
    notes: tuple[UpgradeNote, ...]


def _hop(catalog: Catalog, prep: _Prepared, ctx: _Context, i: int, j: int, kind: str, starts_before: Callable[[UpgradeNote], bool]) -> dict[str, Any]:
    """What a hop of the plan from node i to node j brings: its notes, the stops it reaches or leaves, its downtime."""
    policy = catalog.upgrades
    standard_level = policy.standard.downtime_by_platform.get(ctx.method.platform_kind, policy.standard.downtime)
    level = standard_level if kind == "standard" else policy.mvu.downtime
    notes = [
        n.id
        for n in ctx.notes
        if (not n.when.hop_types or kind in n.when.hop_types) and starts_before(n) and (n.applies == "starting-before" or j >= prep.first_at_or_after[n.id])
    ]
    reached = [s.id for s in ctx.stops if i < prep.stop_span[s.id][0] <= j <= prep.stop_span[s.id][1]]
    exits = [s.id for s in ctx.stops if s.exit == "standard" and prep.stop_span[s.id][0] <= i <= prep.stop_span[s.id][1] < j]
    extras = [*(catalog.upgrade_stops[s].downtime for s in reached), *(catalog.upgrade_notes[n].downtime for n in notes)]
    worst = max([level, *(extra for extra in extras if extra)], key=prep.level_rank.__getitem__)
    return {"type": kind, "notes": notes, "stops": reached, "exits": exits, "downtime": worst}


def _costs(prep: _Prepared, levels: list[str], j: int) -> tuple[int, int]:
    """(fewest-steps, least-downtime) edge costs, each a lexicographic order packed into one integer.

    fewest-steps: hops, then downtime, then later stops; least-downtime: downtime (worst level first), then hops,
    then later stops. Downtime counts hops per level, so one hop at a worse level outweighs any number at a milder one.
    """
    nodes = len(prep.minors)
    base = nodes + 1
    tie_room = base * base
    later = nodes - 1 - j  # prefer stopping at later releases when all else is equal
    downtime = sum(base ** prep.level_rank[level] for level in levels if prep.outage[level])
    downtime_cost = downtime * base * tie_room
    hop = base ** (len(prep.level_rank) + 1) * tie_room
    return hop + downtime_cost + later, downtime_cost + tie_room + later


@dataclass(frozen=True)
class _Shape:
    """Everything the versions graph of a plan depends on (the rest is the catalog's): plans with equal shapes share a graph."""

    mvu: bool
    standard: str  # downtime level of a standard hop on this method's platform
    stops: tuple[tuple[int, int, bool, str | None], ...]  # (lo, hi, exit standard, downtime) of each stop to respect
    notes: tuple[tuple[int, str, tuple[str, ...], str], ...]  # (first node, applies, hop types, downtime) of each note that adds downtime

    @functools.cached_property
    def key(self) -> str:
        """The shape as text: its key in the routing table."""
        return json.dumps([self.mvu, self.standard, self.stops, self.notes], separators=(",", ":"))


def _shape(catalog: Catalog, prep: _Prepared, ctx: _Context) -> _Shape:
    policy = catalog.upgrades
    return _Shape(
        mvu=ctx.method.mvu,
        standard=policy.standard.downtime_by_platform.get(ctx.method.platform_kind, policy.standard.downtime),
        stops=tuple((*prep.stop_span[s.id], s.exit == "standard", s.downtime) for s in ctx.stops),
        notes=tuple((prep.first_at_or_after[n.id], n.applies, tuple(n.when.hop_types), n.downtime) for n in ctx.notes if n.downtime),
    )


def _hop_type(catalog: Catalog, i: int, j: int) -> str:
    """A hop from node i to node j is a standard upgrade when it spans few enough minors, else a multi-version upgrade."""
    return "standard" if j - i <= catalog.upgrades.standard.minors else "mvu"


def _graph(catalog: Catalog, prep: _Prepared, shape: _Shape) -> _Graph:
    """The versions graph for one shape, built once and cached.

    Edges carry only their type, worst downtime and costs; a plan works out the notes and stops of its own hops.
    """
    cached = prep.graphs.get(shape)
    if cached is not None:
        return cached
    policy = catalog.upgrades
    nodes = len(prep.minors)
    mvu_from = prep.index.get(minor_of(policy.mvu.since), 0) if at_or_after(prep.minors[-1], policy.mvu.since) else nodes
    base = {"standard": shape.standard, "mvu": policy.mvu.downtime}
    import networkx as nx

    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(range(nodes))
    rank = prep.level_rank.__getitem__
    for i in range(nodes):
        for j in range(i + 1, nodes):
            kind = _hop_type(catalog, i, j)
            if kind == "mvu" and (not shape.mvu or i < mvu_from):
                continue
            # A hop's outages add up (a multi-version upgrade that also rewrites the databases costs both).
            levels = {base[kind]}
            blocked = False
            for lo, hi, exit_standard, downtime in shape.stops:
                if (i < lo and j > hi) or (exit_standard and kind == "mvu" and lo <= i <= hi < j):
                    blocked = True
                    break
                if downtime and i < lo <= j <= hi:
                    levels.add(downtime)
            if blocked:
                continue
            for threshold, applies, hop_types, note_downtime in shape.notes:
                if i < threshold and (applies == "starting-before" or j >= threshold) and (not hop_types or kind in hop_types):
                    levels.add(note_downtime)
            ordered = sorted(levels, key=rank)
            fewest, least = _costs(prep, ordered, j)
            graph.add_edge(i, j, type=kind, downtime=ordered[-1], fewest=fewest, least=least)
    built = _Graph(graph)
    prep.graphs[shape] = built
    return built


def _shortest(built: _Graph, source: int, strategy: str) -> dict[int, tuple[int, ...]]:
    """Shortest paths from one version to every later one, cached per strategy."""
    key = (source, strategy)
    paths = built.paths.get(key)
    if paths is None:
        import networkx as nx

        _, found = cast(
            tuple[Any, dict[int, list[int]]], nx.single_source_dijkstra(built.graph, source, weight="fewest" if strategy == "fewest-steps" else "least")
        )
        paths = {target: tuple(path) for target, path in found.items()}  # tuples of ints: nothing for the garbage collector to scan
        built.paths[key] = paths
    return paths


def _applicable(catalog: Catalog, prep: _Prepared, method: Method, postgres: Postgres, start: int, end: int) -> _Context:
    """The stops a plan from node `start` to node `end` must respect (it starts before them and ends past them),
    and the notes that may apply on the way."""
    stops = tuple(
        stop
        for stop in catalog.upgrade_stops.values()
        if matches(stop.when, method.id, postgres) and start < prep.stop_span[stop.id][0] and prep.stop_span[stop.id][1] < end
    )
    notes = tuple(note for note in catalog.upgrade_notes.values() if matches(note.when, method.id, postgres))
    return _Context(method, stops, notes)


# --- the routing table: every path networkx finds, as plain data -------------------------
#
# A whole `refarch upgrade-plan` process should not pay for importing networkx. The graphs depend on the catalog
# only, so every shortest path a plan can take is found once per catalog (with networkx, here) and kept as JSON
# beside the catalog cache; a plan then reads its path from the table. Per graph shape and strategy, the table
# holds the shortest-path tree from each node a plan of that shape can start at: one character per later node,
# how many nodes back the hop into it starts ("1": from the node just before; "-": not reached).

ROUTES_SCHEMA_VERSION = 1
Routes = Callable[[], "Mapping[str, Any] | None"]
"""Gives the routing table (see routing_table), asked only when a plan needs a path; None: use networkx."""

_UNREACHED = "-"
_ONE_BACK = ord("1")


def _postgres_classes(catalog: Catalog, method: Method) -> list[Postgres]:
    """One database for each way the stops' and notes' conditions can come out for this method: every database a
    plan can name matches the same stops and notes as one of these."""
    whens = [stop.when for stop in catalog.upgrade_stops.values()] + [note.when for note in catalog.upgrade_notes.values()]
    majors = {major for rule in catalog.upgrades.bundled_postgres for major in rule.majors}
    for when in whens:  # version_key(major) < version_key(below) changes only at below's major and the next one up
        below = (when.postgres_below or "").split(".")[0]
        if below.isdigit():
            majors |= {str(m) for m in (int(below) - 1, int(below), int(below) + 1) if m >= 0}
    classes: dict[tuple[bool, ...], Postgres] = {}
    for kind in ("bundled", "external"):
        for major in sorted(majors, key=version_key):
            db = Postgres(kind, major, None)
            classes.setdefault(tuple(matches(when, method.id, db) for when in whens), db)
    return list(classes.values())


def _starts(catalog: Catalog, prep: _Prepared) -> dict[_Shape, dict[int, int]]:
    """For every graph shape a plan can have: each node a plan of that shape can start at, and the furthest node it can end at."""
    nodes = len(prep.minors)
    found: dict[_Shape, dict[int, int]] = {}
    for method in catalog.methods.values():
        if not method.self_hosted:
            continue
        for db in _postgres_classes(catalog, method):
            for start in range(nodes - 1):
                # The stops a plan respects change only where the end passes a stop's last node.
                ends = sorted({start + 1, *(hi + 1 for lo, hi in prep.stop_span.values() if start < lo and start + 1 < hi + 1 < nodes)})
                for end, until in zip(ends, [*(e - 1 for e in ends[1:]), nodes - 1], strict=True):
                    shape = _shape(catalog, prep, _applicable(catalog, prep, method, db, start, end))
                    furthest = found.setdefault(shape, {})
                    furthest[start] = max(furthest.get(start, until), until)
    return found


def routing_table(catalog: Catalog) -> dict[str, Any]:
    """Every path an upgrade plan can take over this catalog, found with networkx, as plain JSON-ready data."""
    prep = _prepared(catalog)
    paths: dict[str, dict[str, dict[str, str]]] = {}
    for shape, furthest in _starts(catalog, prep).items():
        built = _graph(catalog, prep, shape)
        paths[shape.key] = {}
        for strategy in STRATEGIES:
            trees = {}
            for start, until in sorted(furthest.items()):
                found = _shortest(built, start, strategy)
                codes = []
                for node in range(start + 1, until + 1):
                    path = found.get(node)
                    # networkx's paths form a tree (each extends the path to the node before it), so a tree is all the table
                    # keeps; a path that did not would be left to networkx.
                    if path is not None and found.get(path[-2]) == path[:-1]:
                        codes.append(chr(_ONE_BACK - 1 + node - path[-2]))
                    else:
                        codes.append(_UNREACHED)
                trees[str(start)] = "".join(codes)
            paths[shape.key][strategy] = trees
    return {"schema_version": ROUTES_SCHEMA_VERSION, "releases": list(prep.minors), "paths": paths}


def _routed(table: Mapping[str, Any], shape: _Shape, strategy: str, start: int, end: int) -> tuple[int, ...] | None:
    """The path from node start to node end as the table has it, or None when it does not."""
    tree = table["paths"].get(shape.key, {}).get(strategy, {}).get(str(start))
    if tree is None or not start < end <= start + len(tree):
        return None
    path = [end]
    while path[-1] != start:
        back = ord(tree[path[-1] - start - 1]) - _ONE_BACK + 1  # _UNREACHED comes out below 1
        if back < 1 or path[-1] - back < start:
            return None
        path.append(path[-1] - back)
    return tuple(reversed(path))


def _path(catalog: Catalog, prep: _Prepared, ctx: _Context, start: int, end: int, strategy: str, routes: Routes | None) -> tuple[int, ...]:
    """The shortest path from node start to node end: from the routing table when it has it, else from networkx."""
    shape = _shape(catalog, prep, ctx)
    table = routes() if routes is not None else None
    if table is not None and table.get("schema_version") == ROUTES_SCHEMA_VERSION and table.get("releases") == prep.minors:
        path = _routed(table, shape, strategy, start, end)
        if path is not None:
            return path
    return _shortest(_graph(catalog, prep, shape), start, strategy)[end]


# --- upgrade plans -----------------------------------------------------------------------


def _check_method_span(catalog: Catalog, prep: _Prepared, method: Method, start: int, end: int, postgres: Postgres) -> None:
    """The method must exist at the target, and at the start unless a stop moves the deployment onto it."""
    if not method.self_hosted:
        raise _problem("method", f"method {method.id} ({method.name}) is not self-hosted, so there is no upgrade to plan: {method.upgrade_story}")
    life = method.lifecycle
    target = prep.minors[end]
    if life.removed and at_or_after(target, life.removed):
        last = max((i for i in range(len(prep.minors)) if exists_at(life, prep.patch[i])), default=None)
        newest = f"The newest release it runs is {prep.minors[last]} ({prep.patch[last]}). " if last is not None else ""
        why = next((n.summary for n in catalog.upgrade_notes.values() if method.id in n.when.methods and minor_of(n.version) == minor_of(life.removed)), "")
        move = f" To go further, move to another method first (migrate-plan from {method.id} to {method.replacement})." if method.replacement else ""
        raise _problem(
            "to",
            f"method {method.id} ({method.name}) was removed in {life.removed}, so it cannot reach {target}. {newest}{why}{move}".replace("  ", " ").strip(),
        )
    if life.introduced and not at_or_after(target, life.introduced):
        raise _problem("to", f"method {method.id} ({method.name}) starts at {life.introduced}, so it cannot reach {target}")
    if life.introduced and not at_or_after(prep.minors[start], life.introduced):
        entry = [
            s for s in catalog.upgrade_stops.values() if method.id in s.when.methods and prep.stop_span[s.id][0] == prep.index.get(minor_of(life.introduced))
        ]
        if not any(matches(s.when, method.id, postgres) for s in entry):
            raise _problem(
                "from",
                f"method {method.id} ({method.name}) starts at {life.introduced}, so an instance on {prep.minors[start]} does not run it yet; plan with the method it runs now",
            )


def _downtime_label(catalog: Catalog, level_id: str) -> str:
    return next(level.label for level in catalog.upgrades.downtime_levels if level.id == level_id)


def _manual_steps(catalog: Catalog, stops: list[str], notes: list[str]) -> list[dict[str, Any]]:
    out = []
    for stop_id in stops:
        stop = catalog.upgrade_stops[stop_id]
        if stop.manual_steps:
            out.append(
                {
                    "id": stop.id,
                    "kind": "stop",
                    "title": stop.name,
                    "breaking": True,
                    "summary": stop.reason,
                    "steps": list(stop.manual_steps),
                    "docs": stop.docs,
                }
            )
    for note in sorted((catalog.upgrade_notes[n] for n in notes), key=lambda n: (version_key(n.version), n.id)):
        out.append(
            {
                "id": note.id,
                "kind": "note",
                "title": note.name,
                "version": note.version,
                "breaking": note.breaking,
                "summary": note.summary,
                "steps": list(note.manual_steps),
                "docs": note.docs,
            }
        )
    return out


def _reason(catalog: Catalog, prep: _Prepared, method: Method, hop: dict[str, Any], j: int, end: int) -> str:
    """Why the plan stops at node j."""
    parts = [f"{catalog.upgrade_stops[s].name}: {catalog.upgrade_stops[s].reason}" for s in hop["stops"]]
    parts += [f"{catalog.upgrade_stops[s].name}: {catalog.upgrade_stops[s].exit_reason}" for s in hop["exits"]]
    if j == end:
        parts.append("This is the target version.")
    if not parts:
        if hop["type"] == "mvu":
            parts.append("This is where the multi-version upgrade chosen by the plan ends.")
        elif not method.mvu:
            parts.append(catalog.upgrades.mvu.no_mvu_reason)
        else:
            parts.append(catalog.upgrades.standard.reason)
    return " ".join(parts)


def _automatic(catalog: Catalog, to_patch: str) -> bool:
    auto = catalog.upgrades.automatic_mvu
    return at_or_after(to_patch, auto.introduced) and not at_or_after(to_patch, auto.removed) and to_patch not in auto.fails_to


def _step(catalog: Catalog, prep: _Prepared, method: Method, hop: dict[str, Any], from_label: str, j: int, end: int, number: int) -> dict[str, Any]:
    policy = catalog.upgrades
    to_patch = prep.patch[j]
    level = hop["downtime"]
    step = {
        "step": number,
        "from": from_label,
        "to": to_patch,
        "to_minor": prep.minors[j],
        "type": hop["type"],
        "downtime": level,
        "downtime_label": _downtime_label(catalog, level),
        "outage": prep.outage[level],
        "reason": _reason(catalog, prep, method, hop, j, end),
        "stops": list(hop["stops"]) + list(hop["exits"]),
        "manual_steps": _manual_steps(catalog, hop["stops"], hop["notes"]),
        "docs": policy.mvu.docs if hop["type"] == "mvu" else policy.standard.docs,
    }
    if hop["type"] == "mvu":
        step["automatic_mvu"] = _automatic(catalog, to_patch)
    return step


def _totals(catalog: Catalog, steps: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    levels = catalog.upgrades.downtime_levels
    counts = {level.id: sum(1 for s in steps if s["downtime"] == level.id) for level in levels}
    used = [level for level in levels if counts[level.id]]
    worst = used[-1] if used else levels[0]
    outages = sum(1 for s in steps if s["outage"])
    parts = [f"{counts[level.id]} x {level.label}" for level in reversed(used) if level.outage]
    summary = f"{outages} outage{'s' if outages != 1 else ''}" + (f" ({', '.join(parts)})" if parts else "")
    calm = sum(counts[level.id] for level in used if not level.outage)
    if calm:
        summary += f", {calm} without an outage"
    total_downtime = {
        "worst": worst.id,
        "worst_label": worst.label,
        "outages": outages,
        "by_level": {level.id: counts[level.id] for level in used},
        "summary": summary,
    }
    totals = {
        "steps": len(steps),
        "standard": sum(1 for s in steps if s["type"] == "standard"),
        "mvu": sum(1 for s in steps if s["type"] == "mvu"),
        "manual_steps": sum(len(s["manual_steps"]) for s in steps),
        "breaking_changes": sum(1 for s in steps for m in s["manual_steps"] if m["breaking"]),
    }
    return totals, total_downtime


def upgrade_plan(
    catalog: Catalog,
    from_version: str,
    to_version: str,
    method: str,
    postgres: str | None = None,
    strategy: str = DEFAULT_STRATEGY,
    routes: Routes | None = None,
) -> dict[str, Any]:
    """The upgrade path from one version to a later one for a deployment method, respecting every required stop.

    The path comes from `routes` (a routing_table of this catalog) when given, else from networkx: the same path either way."""
    prep = _prepared(catalog)
    (start, from_label), (end, to_given), the_method, strategy = _all_or_nothing(
        lambda: _version_arg(catalog, prep, from_version, "from"),
        lambda: _version_arg(catalog, prep, to_version, "to"),
        lambda: _method_arg(catalog, method),
        lambda: _strategy_arg(strategy),
    )
    if end < start:
        raise _problem(
            "to", f"version {to_given} is before {from_label}: refarch plans upgrades only, not downgrades; the target must be later than the starting version"
        )
    from_is_latest = from_label.count(".") < 2 or from_label == prep.patch[start]
    if end == start and from_is_latest:
        raise _problem(
            "to",
            f"version {to_given} is the minor you are on ({from_label}); the latest {prep.minors[start]} patch is {prep.patch[start]}, give a later target to plan an upgrade",
        )
    db = parse_postgres(catalog, postgres, from_label, the_method)
    _check_method_span(catalog, prep, the_method, start, end, db)
    ctx = _applicable(catalog, prep, the_method, db, start, end)
    notes: list[str] = []
    if str(to_version).strip().lower() == LATEST:
        notes.append(f"latest is {prep.minors[end]}, the newest release in the catalog (checked on {catalog.releases.verified}).")
    if to_given.count(".") == 2 and to_given != prep.patch[end]:
        notes.append(f"The plan goes to {prep.patch[end]}, the latest {prep.minors[end]} patch, not {to_given}: always take the latest patch.")
    if postgres is None:
        notes.append(f"No postgres given: the plan assumes the {db.label} databases that {prep.minors[start]} ships with.")

    def starts_before(note: UpgradeNote) -> bool:
        return not at_or_after(from_label, note.version)

    if end == start:
        hop = _hop(catalog, prep, ctx, start, end, "standard", starts_before)
        hop["notes"] = [n for n in hop["notes"] if at_or_after(prep.patch[end], catalog.upgrade_notes[n].version)]
        steps = [_step(catalog, prep, the_method, hop, from_label, end, end, 1)]
        steps[0]["reason"] = f"Take the latest patch of {prep.minors[end]}. This is the target version."
    else:
        path = _path(catalog, prep, ctx, start, end, strategy, routes)
        steps = []
        for number, (i, j) in enumerate(pairwise(path), start=1):
            kind = _hop_type(catalog, i, j)
            if number == 1:
                hop = _hop(catalog, prep, ctx, i, j, kind, starts_before)  # the exact starting patch may cross patch-level notes
            else:
                hop = _hop(catalog, prep, ctx, i, j, kind, lambda note, i=i: i < prep.first_at_or_after[note.id])  # type: ignore[misc]
            steps.append(_step(catalog, prep, the_method, hop, from_label if number == 1 else prep.patch[i], j, end, number))
    totals, total_downtime = _totals(catalog, steps)
    applied = {s for step in steps for s in step["stops"]}
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "upgrade-plan",
        "product": catalog.product.id,
        "catalog": currency(catalog),
        "from": from_label,
        "to": prep.patch[end],
        "to_requested": to_given,
        "method": {"id": the_method.id, "name": the_method.name, "mvu": the_method.mvu, "docs": the_method.docs},
        "postgres": db.as_dict(),
        "strategy": strategy,
        "stops": [
            {"id": stop.id, "name": stop.name, "reason": stop.reason, "docs": stop.docs, "at": _stop_versions(catalog, prep, stop)}
            for stop in ctx.stops
            if stop.id in applied
        ],
        "steps": steps,
        "totals": totals,
        "total_downtime": total_downtime,
        "downtime_levels": [plain(level) for level in catalog.upgrades.downtime_levels],
        "notes": notes,
        "docs": catalog.product.upgrade_docs_url or catalog.upgrades.standard.docs,
    }


def _stop_versions(catalog: Catalog, prep: _Prepared, stop: UpgradeStop) -> list[str]:
    """The releases (latest patches) a stop allows."""
    lo, hi = prep.stop_span[stop.id]
    return prep.patch[lo : hi + 1]


# --- the required stops, for the docs site -----------------------------------------------


def describe_conditions(catalog: Catalog, when: Conditions) -> str:
    """A stop's or note's conditions in plain words: 'always', or e.g. 'Kubernetes with Helm; bundled PostgreSQL below 16'."""
    parts = []
    if when.methods:
        parts.append(" or ".join(catalog.methods[m].name if m in catalog.methods else m for m in when.methods))
    if when.postgres or when.postgres_below:
        db = {"bundled": "bundled PostgreSQL", "external": "external PostgreSQL", None: "PostgreSQL"}[when.postgres]
        parts.append(f"{db} below {when.postgres_below}" if when.postgres_below else db)
    if when.hop_types:
        parts.append(" or ".join("multi-version upgrades" if t == "mvu" else "standard upgrades" for t in when.hop_types))
    return "; ".join(parts) if parts else "always"


def required_stops(catalog: Catalog) -> list[dict[str, Any]]:
    """Every required stop with where it is, when it applies and why, oldest first (for the docs site's upgrades page)."""
    prep = _prepared(catalog)
    out = []
    for stop in catalog.upgrade_stops.values():
        lo, hi = prep.stop_span[stop.id]
        out.append(
            {
                "id": stop.id,
                "name": stop.name,
                "versions": prep.patch[lo : hi + 1],
                "minors": prep.minors[lo : hi + 1],
                "applies_to": describe_conditions(catalog, stop.when),
                "when": plain(stop.when),
                "reason": stop.reason,
                "manual_steps": list(stop.manual_steps),
                "exit": stop.exit,
                "exit_reason": stop.exit_reason,
                "downtime": stop.downtime,
                "docs": stop.docs,
                "sources": list(stop.sources),
                "verified": stop.verified.isoformat(),
                "notes": list(stop.notes),
            }
        )
    return sorted(out, key=lambda s: (prep.index[s["minors"][0]], s["id"]))


# --- migration plans ---------------------------------------------------------------------


def _routes(catalog: Catalog, prep: _Prepared) -> nx.DiGraph[str]:
    if prep.routes is None:
        import networkx as nx

        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(catalog.methods)
        for route in catalog.migrations.values():
            for source in route.from_methods:
                graph.add_edge(source, route.to_method, route=route.id)
        prep.routes = graph
    return prep.routes


def _route_blocker(catalog: Catalog, route: Migration, target: Method, version: str | None) -> str | None:
    """Why a route cannot be taken at this version, or None."""
    if version is None:
        return None
    life = target.lifecycle
    if life.introduced and not at_or_after(version, life.introduced):
        return f"{target.name} starts at {life.introduced}: upgrade to {life.introduced} or later first, then move"
    if life.removed and at_or_after(version, life.removed):
        return f"{target.name} was removed in {life.removed}"
    if route.min_version and not at_or_after(version, route.min_version):
        return f"the move needs {route.min_version} or later: upgrade first"
    return None


def _route_entry(catalog: Catalog, route: Migration, source: str, version: str | None) -> dict[str, Any]:
    origin, target = catalog.methods[source], catalog.methods[route.to_method]
    deadline = None
    if origin.lifecycle.removed:
        deadline = f"{origin.id} was removed in {origin.lifecycle.removed}: move off it before upgrading to {origin.lifecycle.removed}."
    at = f" ({version})" if version else ""
    return {
        "id": route.id,
        "name": route.name,
        "from_method": source,
        "to_method": route.to_method,
        "from_name": origin.name,
        "to_name": target.name,
        "summary": route.summary,
        "documented": route.documented,
        "same_version": route.same_version,
        "version_rule": (
            f"Run the new deployment at exactly the version of the old one{at}; upgrade before or after the move, never during it."
            if route.same_version
            else None
        ),
        "deadline": deadline,
        "downtime": route.downtime,
        "downtime_label": _downtime_label(catalog, route.downtime),
        "downtime_summary": route.downtime_summary,
        "backups": list(route.backups),
        "procedure": [plain(step) for step in route.procedure],
        "migrated": list(route.migrated),
        "recreated": list(route.recreated),
        "docs": route.docs,
        "notes": list(route.notes),
        "sources": list(route.sources),
    }


def migrate_plan(catalog: Catalog, from_method: str, to_method: str, version: str | None = None) -> dict[str, Any]:
    """The supported route from one deployment method to another, with its procedure, or a clear answer that there is none."""
    prep = _prepared(catalog)
    origin, target = _all_or_nothing(lambda: _method_arg(catalog, from_method, "from-method"), lambda: _method_arg(catalog, to_method, "to-method"))
    if origin.id == target.id:
        raise _problem("to-method", f"from-method and to-method are both {origin.id}; to upgrade within a method, use upgrade-plan")
    given = None
    if version is not None:
        node, given = _version_arg(catalog, prep, version, "version")
        if not exists_at(origin.lifecycle, prep.patch[node]):
            life = origin.lifecycle
            why = f"was removed in {life.removed}" if life.removed and at_or_after(prep.minors[node], life.removed) else f"starts at {life.introduced}"
            raise _problem("version", f"method {origin.id} ({origin.name}) {why}, so no instance runs it at {given}")
    import networkx as nx

    graph = _routes(catalog, prep)
    usable = nx.subgraph_view(
        graph,
        filter_edge=lambda a, b: _route_blocker(catalog, catalog.migrations[graph.edges[a, b]["route"]], catalog.methods[b], given) is None,
    )
    base = {
        "schema_version": SCHEMA_VERSION,
        "kind": "migration-plan",
        "product": catalog.product.id,
        "catalog": currency(catalog),
        "from_method": {"id": origin.id, "name": origin.name},
        "to_method": {"id": target.id, "name": target.name},
        "version": given,
        "principle": "Changing the deployment method requires a complete redeployment and a database migration.",
    }
    try:
        path = nx.shortest_path(usable, origin.id, target.id)
    except nx.NetworkXNoPath:
        path = None
    if path is not None:
        routes = [_route_entry(catalog, catalog.migrations[graph.edges[a, b]["route"]], a, given) for a, b in pairwise(path)]
        names = " then ".join(f"{r['from_name']} to {r['to_name']}" for r in routes)
        return {**base, "found": True, "answer": f"Supported: {names}.", "routes": routes, "alternatives": []}
    alternatives = sorted(b for b in usable.successors(origin.id))
    if graph.has_edge(origin.id, target.id):
        route = catalog.migrations[graph.edges[origin.id, target.id]["route"]]
        answer = f"No route from {origin.name} to {target.name} at {given}: {_route_blocker(catalog, route, target, given)}."
    elif alternatives:
        names = ", ".join(catalog.methods[b].name for b in alternatives)
        answer = f"There is no supported route from {origin.name} to {target.name}. From {origin.name} you can move to: {names}."
    else:
        answer = f"There is no supported route from {origin.name} to {target.name}, and none from {origin.name} to any other method."
    return {**base, "found": False, "answer": answer, "routes": [], "alternatives": [{"id": b, "name": catalog.methods[b].name} for b in alternatives]}
