"""The fleet report: who is active, on what, how many minors behind, who is out of support, how fast releases are adopted.

DuckDB reduces the check-ins to a few small tables (the state of each instance on a date, adoption per release,
the state on each week of the last year); pure functions below turn those into the figures. No file I/O here.

Definitions (all at the minor level, releases from the catalog released on or before the date in question):
- active: a check-in with `as_of - active_days <= day <= as_of`;
- version: that of the latest check-in on or before the date (the highest if several share the day);
- minors behind: the catalog releases newer than the instance's minor and released on or before the date;
- adoption of release R (day r): among instances with a check-in in [r - active_days, r] whose version on day r
  is older than R, those with a check-in on R or newer on or before r + 30 days.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..freshness import currency
from ..lifecycle import end_of_support
from ..numbers import version_key
from ..problems import InputError
from .inventory import DAY_SCALE, EPOCH, KEY_SCALE, minor_key

if TYPE_CHECKING:
    from ..loading import Catalog
    from ..upgrades import Routes
    from .inventory import Inventory

SCHEMA_VERSION = 1
ADOPTION_DAYS = 30
ADOPTION_FROM, ADOPTION_TO = 365, 30  # releases with r in [as_of - 365, as_of - 30]
LEAVING_DAYS = 90
TREND_STEP_DAYS, TREND_POINTS = 28, 14  # every four weeks over the last year
DEFAULT_ACTIVE_DAYS = 14
WIDE_ACTIVE_DAYS = 100_000  # beyond this, adoption's packed states need HUGEINT


@dataclass(frozen=True)
class Release:
    version: str
    key: int  # minor_key(version), as in the checkins table
    released: dt.date
    latest_patch: str
    eol: dt.date | None


@dataclass(frozen=True)
class Instance:
    """An instance's state on a date: its latest check-in (the highest version that day)."""

    instance: str
    customer: str
    last_seen: dt.date
    major: int
    minor: int
    patch: int | None
    method: str | None
    platform: str | None

    @property
    def key(self) -> int:
        return self.major * KEY_SCALE + self.minor

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}" + (f".{self.patch}" if self.patch is not None else "")

    @property
    def minor_version(self) -> str:
        return f"{self.major}.{self.minor}"


def releases_of(catalog: Catalog) -> list[Release]:
    out = []
    for release in sorted(catalog.releases.releases, key=lambda r: version_key(r.version)):
        out.append(Release(release.version, minor_key(release.version), release.released, release.latest_patch, end_of_support(catalog, release)))
    return out


# --- pure figures ----------------------------------------------------------------------------


def minors_behind(releases: Sequence[Release], key: int, day: dt.date) -> int:
    """Catalog releases newer than the minor `key` and released on or before `day`."""
    return sum(1 for r in releases if r.key > key and r.released <= day)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def currency_figures(behind: Counter[int]) -> dict[str, Any]:
    """on_latest, within_one_release and median_minors_behind from a histogram of minors behind."""
    total = sum(behind.values())
    median = statistics.median(sorted(behind.elements())) if total else None
    return {
        "active_instances": total,
        "on_latest": share(behind[0], total),
        "within_one_release": share(behind[0] + behind[1], total),
        "median_minors_behind": None if median is None else _number(median),
        "minors_behind": [{"minors_behind": n, "instances": behind[n]} for n in sorted(behind)],
    }


def support_figures(active: Iterable[Instance], releases: Sequence[Release], as_of: dt.date) -> dict[str, Any]:
    """Active instances on a minor out of support on `as_of`, and those whose minor leaves support within 90 days."""
    by_key = {r.key: r for r in releases}
    out, leaving = Counter[str](), Counter[str]()
    for inst in active:
        eol = by_key[inst.key].eol
        if eol is not None and eol <= as_of:
            out[inst.minor_version] += 1
        elif eol is not None and eol <= as_of + dt.timedelta(days=LEAVING_DAYS):
            leaving[inst.minor_version] += 1
    versions = sorted(set(out) | set(leaving), key=version_key)
    return {
        "instances": sum(out.values()),
        f"leaving_within_{LEAVING_DAYS}_days": sum(leaving.values()),
        "by_version": [{"version": v, "end_of_support": str(by_key[minor_key(v)].eol), "out_of_support": out[v], "leaving": leaving[v]} for v in versions],
    }


def adoption_window(releases: Sequence[Release], as_of: dt.date) -> list[Release]:
    """Releases with r in [as_of - 365, as_of - 30], newest first."""
    lo, hi = as_of - dt.timedelta(days=ADOPTION_FROM), as_of - dt.timedelta(days=ADOPTION_TO)
    return sorted((r for r in releases if lo <= r.released <= hi), key=lambda r: r.key, reverse=True)


def adoption_entries(window: Sequence[Release], counts: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
    """{version, released, population, adopted, share} per release of the window (counts: key -> (population, adopted))."""
    out = []
    for release in window:
        population, adopted = counts.get(release.key, (0, 0))
        out.append(
            {
                "version": release.version,
                "released": release.released.isoformat(),
                "population": population,
                "adopted": adopted,
                "share": share(adopted, population),
            }
        )
    return out


# --- the SQL that reduces check-ins ------------------------------------------------------------

# The latest check-in (highest version on that day); method, customer and platform break ties so the answer is stable.
# The highest order key per instance comes first (integers only); the struct then decides among the few rows sharing it.
_STATE = "max(struct_pack(o := c.o, m := method, c := customer, f := platform, day := day, k := k, p := coalesce(patch, -1), i := c.instance))"


def _states(inv: Inventory, as_of: dt.date) -> list[Instance]:
    rows = inv.con.execute(
        f"""
        WITH top AS (SELECT instance, max(o) AS o FROM checkins WHERE day <= $as_of GROUP BY instance)
        SELECT s.i, s.c, s.day, s.k, s.p, s.m, s.f FROM (
            SELECT {_STATE} AS s FROM checkins c SEMI JOIN top t ON t.instance = c.instance AND t.o = c.o GROUP BY c.instance
        ) ORDER BY s.i
        """,
        {"as_of": as_of},
    ).fetchall()
    return [Instance(i, c, day, k // KEY_SCALE, k % KEY_SCALE, None if p < 0 else p, m, f) for i, c, day, k, p, m, f in rows]


def adoption_counts(inv: Inventory, window: Sequence[Release], active_days: int, methods: Sequence[str]) -> dict[tuple[int, str | None], tuple[int, int]]:
    """(release key, method on day r) -> (population, adopted) for each release R of the window, in one query.

    Per instance: its state on day r if it checked in within [r - active_days, r] (order key * 64 + the method's
    place in `methods`, 1-based, 0 for none), and the first day it reported R or newer; the population is those
    whose state on day r is older than R, adopted those whose first day on R or newer is on or before r + 30."""
    if not window:
        return {}
    spans = [(w.released - dt.timedelta(days=active_days), w.released) for w in window]
    # Less the first day of its span, an order key of the check-ins read here is below (span + window days) * DAY_SCALE,
    # so key * 64 + code fits a BIGINT unless active_days is absurd; the offset is whole days, so the minor read back
    # from it is unchanged.
    wide = "::HUGEINT" if active_days > WIDE_ACTIVE_DAYS else ""
    states = [
        f"max((o{wide} - {(lo - EPOCH).days * DAY_SCALE}) * 64 + code) FILTER (WHERE day BETWEEN DATE '{lo}' AND DATE '{r}') AS s{j}"
        for j, (lo, r) in enumerate(spans)
    ]
    firsts = [f"min(first) FILTER (WHERE k >= {w.key}) AS a{j}" for j, w in enumerate(window)]
    anywhere = " OR ".join(f"day BETWEEN DATE '{lo}' AND DATE '{r}'" for lo, r in spans)
    codes = "[" + ", ".join("'" + m.replace("'", "''") + "'" for m in methods) + "]"
    last = max(w.released for w in window) + dt.timedelta(days=ADOPTION_DAYS)
    per_release = " UNION ALL ".join(
        f"SELECT {w.key} AS rk, s{j} AS s, a{j} AS first, DATE '{w.released + dt.timedelta(days=ADOPTION_DAYS)}' AS until FROM joined"
        for j, w in enumerate(window)
    )
    rows = inv.con.execute(
        f"""
        WITH population AS (
            SELECT instance, {", ".join(states)}
            FROM (SELECT instance, day, o, CAST(coalesce(list_position({codes}, method), 0) AS BIGINT) AS code FROM checkins WHERE {anywhere})
            GROUP BY instance
        ), first_seen AS (  -- the first day each instance reported each minor from the oldest R on
            SELECT instance, k, min(day) AS first FROM checkins WHERE day <= ? AND k >= ? GROUP BY instance, k
        ), adoption AS (
            SELECT instance, {", ".join(firsts)} FROM first_seen GROUP BY instance
        ), joined AS MATERIALIZED (
            SELECT * EXCLUDE (a.instance) FROM population p LEFT JOIN adoption a ON a.instance = p.instance
        )
        SELECT rk, CAST(s % 64 AS INTEGER) AS code, count(*), count(*) FILTER (WHERE first <= until)
        FROM ({per_release}) WHERE s IS NOT NULL AND (s // 64 // 1000000) % 1000000 < rk
        GROUP BY ALL
        """,
        [last, min(w.key for w in window)],
    ).fetchall()
    return {(int(rk), methods[code - 1] if code else None): (int(population), int(adopted)) for rk, code, population, adopted in rows}


def _trend_counts(inv: Inventory, as_of: dt.date, points: int, active_days: int) -> list[tuple[int, int, int]]:
    """(n, minor key, instances) for the points p = as_of - n * TREND_STEP days, n in [0, points): the minor of every
    instance active on p. A check-in of age a (days before as_of) counts for the n with a - active_days <= n * step <= a."""
    step = TREND_STEP_DAYS
    inv.con.execute("CREATE OR REPLACE TEMP TABLE trend_offsets AS SELECT range AS j FROM range(?)", [active_days // step + 1])
    rows = inv.con.execute(
        f"""
        SELECT n, (o // 1000000) % 1000000, count(*) FROM (
            SELECT n, max(o) AS o FROM (
                SELECT instance, o, age // {step} - j AS n, age
                FROM (SELECT instance, o, CAST($as_of - day AS BIGINT) AS age FROM checkins WHERE day BETWEEN $first AND $as_of), trend_offsets
            ) WHERE n >= 0 AND n < $points AND n * {step} >= age - $ad
            GROUP BY n, instance
        ) GROUP BY ALL
        """,
        {"as_of": as_of, "ad": active_days, "points": points, "first": as_of - dt.timedelta(days=step * (points - 1) + active_days)},
    ).fetchall()
    return [(n, k, c) for n, k, c in rows]


# --- the report ---------------------------------------------------------------------------------


def fleet_report(
    catalog: Catalog, inv: Inventory, as_of: dt.date, active_days: int = DEFAULT_ACTIVE_DAYS, plans: bool = True, routes: Routes | None = None
) -> dict[str, Any]:
    """Every figure of the report as stable JSON (schema_version 1); `routes` is the upgrade planner's routing table, if at hand."""
    if active_days < 0:
        from ..problems import Problem

        raise InputError([Problem("<arguments>", None, "active_days", f"must be 0 or more (got {active_days})")])
    releases = releases_of(catalog)
    released = [r for r in releases if r.released <= as_of]
    latest = released[-1] if released else None
    states = _states(inv, as_of)
    since = as_of - dt.timedelta(days=active_days)
    active = [s for s in states if s.last_seen >= since]
    behind_of = {r.key: minors_behind(releases, r.key, as_of) for r in releases}
    by_key = {r.key: r for r in releases}
    window = adoption_window(releases, as_of)
    known_methods = sorted(catalog.methods)
    # One plan per distinct (version, method), worked out in Python while DuckDB (which releases the GIL) reduces.
    first_of: dict[tuple[str, str | None], Instance] = {}
    for inst in active if plans else ():
        first_of.setdefault((inst.version, inst.method), inst)
    with ThreadPoolExecutor(max_workers=1) as pool:
        planned = pool.submit(lambda: {key: upgrade_summary(catalog, inst, latest, routes) for key, inst in first_of.items()})
        counts = adoption_counts(inv, window, active_days, known_methods)
        trend_rows = _trend_counts(inv, as_of, TREND_POINTS, active_days)
        plan_cache = planned.result()
    methods = sorted({s.method for s in states if s.method}) if inv.has_method else []

    def figures(group: list[Instance], method: str | None) -> dict[str, Any]:
        wanted = [(rk, m) for rk, m in counts if not inv.has_method or method is None or m == method]
        per_release: dict[int, tuple[int, int]] = {}
        for rk, m in wanted:
            population, adopted = counts[(rk, m)]
            old = per_release.get(rk, (0, 0))
            per_release[rk] = (old[0] + population, old[1] + adopted)
        adoption = adoption_entries(window, per_release)
        return {
            **currency_figures(Counter(behind_of[s.key] for s in group)),
            "out_of_support": support_figures(group, releases, as_of),
            "adoption": adoption,
            "headline": adoption[0] if adoption else None,
        }

    trend = []
    for back in range(TREND_POINTS - 1, -1, -1):
        point = as_of - dt.timedelta(days=TREND_STEP_DAYS * back)
        histogram = Counter[int]()
        for w, k, n in trend_rows:
            if w == back:
                histogram[minors_behind(releases, k, point)] += n
        figures_then = currency_figures(histogram)
        trend.append(
            {"date": point.isoformat(), **{k: figures_then[k] for k in ("active_instances", "on_latest", "within_one_release", "median_minors_behind")}}
        )

    instances = []
    for inst in active:
        key = (inst.version, inst.method)
        release = by_key[inst.key]
        instances.append(
            {
                "instance": inst.instance,
                "customer": inst.customer,
                "version": inst.version,
                "method": inst.method,
                "platform": inst.platform,
                "last_seen": inst.last_seen.isoformat(),
                "minors_behind": behind_of[inst.key],
                "support": "end-of-life" if release.eol and release.eol <= as_of else "supported",
                "end_of_support": release.eol.isoformat() if release.eol else None,
                "upgrade": plan_cache.get(key),
            }
        )
    overall = figures(active, None)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "fleet-report",
        "as_of": as_of.isoformat(),
        "active_days": active_days,
        "catalog": currency(catalog),
        "latest_release": {"version": latest.version, "released": latest.released.isoformat(), "latest_patch": latest.latest_patch} if latest else None,
        "instances_seen": len(states),
        **overall,
        "trend": trend,
        "by_method": {m: figures([s for s in active if s.method == m], m) for m in methods} if inv.has_method else None,
        "instances": instances,
    }


def upgrade_summary(catalog: Catalog, inst: Instance, latest: Release | None, routes: Routes | None = None) -> dict[str, Any] | None:
    """The upgrade planner's summary from the instance's version to the latest release (None without a method)."""
    if inst.method is None or latest is None:
        return None
    if inst.key > latest.key or (inst.key == latest.key and (inst.patch is None or version_key(inst.version) >= version_key(latest.latest_patch))):
        return {"to": inst.version, "steps": 0, "summary": "up to date"}
    from ..upgrades import upgrade_plan

    try:
        plan = upgrade_plan(catalog, inst.version, latest.version, inst.method, routes=routes)
    except InputError as error:
        return {"to": latest.latest_patch, "error": "; ".join(p.message for p in error.problems)}
    totals, downtime = plan["totals"], plan["total_downtime"]
    return {
        "to": plan["to"],
        "steps": totals["steps"],
        "mvu": totals["mvu"],
        "manual_steps": totals["manual_steps"],
        "stops": [stop["id"] for stop in plan["stops"]],
        "downtime": downtime["summary"],
        "summary": f"{totals['steps']} step{'s' if totals['steps'] != 1 else ''} to {plan['to']}; {downtime['summary']}",
    }
