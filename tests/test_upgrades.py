"""The upgrade and migration planner: every rule forces a stop (or a manual step) exactly when it should."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refarch.lifecycle import at_or_after, exists_at
from refarch.loading import Catalog
from refarch.models import minor_of, version_key
from refarch.problems import InputError
from refarch.upgrades import STRATEGIES, migrate_plan, required_stops, upgrade_plan

Run = Callable[..., Result]


def _minors(catalog: Catalog) -> list[str]:
    return [r.version for r in catalog.releases.releases]


def _latest(catalog: Catalog) -> dict[str, str]:
    return {r.version: r.latest_patch for r in catalog.releases.releases}


def _stop(catalog: Catalog, stop_id: str) -> dict[str, Any]:
    return next(s for s in required_stops(catalog) if s["id"] == stop_id)


def _intermediate(plan: dict[str, Any]) -> list[str]:
    """The minors a plan stops at on the way, not counting the target."""
    return [step["to_minor"] for step in plan["steps"][:-1]]


def _note_hops(plan: dict[str, Any], note_id: str) -> list[int]:
    return [step["step"] for step in plan["steps"] if any(m["id"] == note_id for m in step["manual_steps"])]


# --- required stops: each forces a stop, and only when it should -------------------------

STOP_CASES = [
    # stop id, from, to, method, postgres, forced
    ("postgres-11-to-12", "3.20", "4.0", "docker-compose", None, True),
    ("postgres-11-to-12", "3.27", "4.0", "docker-compose", None, False),
    ("postgres-11-to-12", "3.20", "4.0", "docker-compose", "external-12", False),
    ("kustomize-from-4.5", "4.0", "5.2", "kustomize", None, True),
    ("kustomize-from-4.5", "4.0", "5.2", "helm", None, False),
    ("kustomize-from-4.5", "4.5", "5.2", "kustomize", None, False),
    ("helm-5.10-or-5.11-before-6", "5.9", "6.5", "helm", None, True),
    ("helm-5.10-or-5.11-before-6", "5.0", "7.6", "helm", "external-16", True),
    ("helm-5.10-or-5.11-before-6", "5.9", "6.5", "docker-compose", None, False),
    ("helm-5.10-or-5.11-before-6", "5.11", "6.5", "helm", None, False),
    ("helm-5.10-or-5.11-before-6", "5.9", "5.11", "helm", None, False),
    ("bundled-postgres-12-before-7", "5.5", "7.2", "docker-compose", None, True),
    ("bundled-postgres-12-before-7", "5.5", "7.2", "kustomize", None, True),
    ("bundled-postgres-12-before-7", "5.10", "7.2", "docker-compose", None, False),
    ("bundled-postgres-12-before-7", "5.5", "6.9", "docker-compose", None, False),
    ("bundled-postgres-12-before-7", "5.5", "7.2", "docker-compose", "external-16", False),
    ("external-postgres-16-before-6", "5.5", "6.5", "docker-compose", "external-12", True),
    ("external-postgres-16-before-6", "5.5", "6.5", "docker-compose", "external-16", False),
    ("external-postgres-16-before-6", "5.5", "6.5", "docker-compose", None, False),
    ("external-postgres-16-before-6", "5.5", "5.9", "docker-compose", "external-12", False),
]


@pytest.mark.parametrize(("stop_id", "start", "end", "method", "postgres", "forced"), STOP_CASES)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_required_stop_is_taken_exactly_when_it_applies(
    catalog: Catalog, stop_id: str, start: str, end: str, method: str, postgres: str | None, forced: bool, strategy: str
) -> None:
    stop = _stop(catalog, stop_id)
    plan = upgrade_plan(catalog, start, end, method, postgres=postgres, strategy=strategy)
    stopped = [step for step in plan["steps"][:-1] if stop_id in step["stops"]]
    if forced:
        assert stopped, f"{stop_id} should force a stop: {[s['to'] for s in plan['steps']]}"
        assert set(_intermediate(plan)) & set(stop["minors"])
        assert stopped[0]["to"] in stop["versions"]
        assert stop["name"] in stopped[0]["reason"]
        assert stop_id in {s["id"] for s in plan["stops"]}
    else:
        assert not stopped
        assert stop_id not in {s["id"] for s in plan["stops"]} or plan["steps"][-1]["to_minor"] in stop["minors"]


def test_without_the_stop_the_same_plan_would_be_shorter(catalog: Catalog) -> None:
    """The Helm stop is what makes 5.9 -> 6.5 take more than one hop: Docker Compose does it in one."""
    helm = upgrade_plan(catalog, "5.9", "6.5", "helm")
    compose = upgrade_plan(catalog, "5.9", "6.5", "docker-compose")
    assert len(compose["steps"]) == 1 and compose["steps"][0]["type"] == "mvu"
    assert len(helm["steps"]) > 1


def test_the_helm_stop_is_left_with_a_standard_upgrade(catalog: Catalog) -> None:
    stop = catalog.upgrade_stops["helm-5.10-or-5.11-before-6"]
    plan = upgrade_plan(catalog, "5.0", "7.6", "helm", postgres="external-16")
    minors = _minors(catalog)
    last_stop = max(minors.index(minor_of(v)) for v in stop.at.versions)
    leaving = next(s for s in plan["steps"] if minors.index(s["to_minor"]) > last_stop)
    assert leaving["type"] == "standard"
    assert stop.exit_reason and stop.exit_reason in leaving["reason"]
    assert any(s["type"] == "mvu" for s in plan["steps"] if minors.index(s["to_minor"]) > last_stop + 1)


def test_kustomize_plans_may_start_before_kustomize_existed_only_through_its_first_release(catalog: Catalog) -> None:
    plan = upgrade_plan(catalog, "4.0", "5.2", "kustomize")
    assert plan["steps"][0]["to_minor"] == catalog.methods["kustomize"].lifecycle.introduced
    with pytest.raises(InputError, match="starts at 3.39"):
        upgrade_plan(catalog, "3.30", "4.0", "helm")


# --- per-version notes: on the hop that crosses them, and nowhere else ---------------------

NOTE_CASES = [
    # note id, from, to, method, postgres, present
    ("minio-to-blobstore", "4.1", "4.3", "helm", None, True),
    ("minio-to-blobstore", "4.2.0", "4.3", "helm", None, True),
    ("minio-to-blobstore", "4.2.1", "4.3", "helm", None, False),
    ("minio-to-blobstore", "4.3", "4.5", "helm", None, False),
    ("minio-to-blobstore-helm", "4.1", "4.3", "helm", None, True),
    ("minio-to-blobstore-helm", "4.1", "4.3", "docker-compose", None, False),
    ("searcher-symbols-services", "4.4", "5.0", "helm", None, True),
    ("searcher-symbols-services", "4.4", "5.0", "docker-compose", None, False),
    ("github-proxy-removed", "5.1", "5.3", "helm", None, True),
    ("github-proxy-removed", "5.1", "5.3", "docker-compose", None, False),
    ("symbols-into-searcher", "6.3", "6.5", "docker-compose", None, True),
    ("symbols-into-searcher", "6.4", "6.6", "docker-compose", None, False),
    ("bundled-postgres-16", "5.8", "6.1", "docker-compose", None, True),
    ("bundled-postgres-16", "5.8", "6.1", "docker-compose", "external-16", False),
    ("bundled-postgres-16", "5.10", "6.1", "docker-compose", None, False),
    ("external-postgres-drift", "5.5", "5.11", "helm", "external-12", True),
    ("external-postgres-drift", "5.5", "5.11", "helm", "external-16", False),
    ("external-postgres-12", "3.25", "3.30", "docker-compose", "external-11", True),
    ("external-postgres-12", "3.25", "3.30", "docker-compose", "external-12", False),
    ("migrator-before-3.37", "3.30", "4.0", "docker-compose", None, True),
    ("migrator-before-3.37", "3.37", "4.2", "docker-compose", None, False),
    ("migrator-before-3.37", "3.30", "3.40", "single-container", None, False),
    ("automatic-mvu-removed", "6.5", "7.0", "docker-compose", None, True),
    ("automatic-mvu-removed", "6.11", "6.12", "docker-compose", None, False),
    ("object-storage-bucket", "7.0", "7.4", "helm", None, True),
    ("object-storage-bucket", "7.2", "7.4", "helm", None, False),
]


@pytest.mark.parametrize(("note_id", "start", "end", "method", "postgres", "present"), NOTE_CASES)
def test_a_note_is_attached_to_the_hop_that_crosses_it(
    catalog: Catalog, note_id: str, start: str, end: str, method: str, postgres: str | None, present: bool
) -> None:
    note = catalog.upgrade_notes[note_id]
    plan = upgrade_plan(catalog, start, end, method, postgres=postgres)
    hops = _note_hops(plan, note_id)
    assert bool(hops) == present
    for step in plan["steps"]:
        crosses = not at_or_after(step["from"], note.version) and (note.applies == "starting-before" or at_or_after(step["to"], note.version))
        if step["step"] in hops:
            assert crosses, f"{note_id} on hop {step['from']} -> {step['to']}, which does not cross {note.version}"
            assert not note.when.hop_types or step["type"] in note.when.hop_types


def test_a_note_that_raises_downtime_raises_it_on_its_hop(catalog: Catalog) -> None:
    note = catalog.upgrade_notes["bundled-postgres-16"]
    assert note.downtime is not None
    plan = upgrade_plan(catalog, "5.8", "5.11", "helm")
    hop = next(s for s in plan["steps"] if note.id in {m["id"] for m in s["manual_steps"]})
    assert hop["downtime"] == note.downtime
    assert plan["total_downtime"]["worst"] == note.downtime


def test_the_removal_of_a_method_is_a_clear_error_naming_where_to_go(catalog: Catalog) -> None:
    method = catalog.methods["machine-image"]
    with pytest.raises(InputError) as caught:
        upgrade_plan(catalog, "6.5", "7.2", "machine-image")
    message = str(caught.value)
    assert f"was removed in {method.lifecycle.removed}" in message
    assert catalog.upgrade_notes["removals-7.0"].summary in message
    assert f"migrate-plan from machine-image to {method.replacement}" in message


# --- upgrade types ------------------------------------------------------------------------


def test_methods_without_mvu_take_one_minor_at_a_time_to_the_latest_patch(catalog: Catalog) -> None:
    minors, latest = _minors(catalog), _latest(catalog)
    # a self-hosted method the catalog says has no multi-version upgrades, running from 3.40 to 6.12
    method = next(m.id for m in catalog.methods.values() if m.self_hosted and not m.mvu and exists_at(m.lifecycle, "3.40") and exists_at(m.lifecycle, "6.12"))
    plan = upgrade_plan(catalog, "3.40", "6.12", method)
    assert {s["type"] for s in plan["steps"]} == {"standard"}
    assert [s["to_minor"] for s in plan["steps"]] == minors[minors.index("3.41") : minors.index("6.12") + 1]
    assert all(s["to"] == latest[s["to_minor"]] for s in plan["steps"])
    assert catalog.upgrades.mvu.no_mvu_reason in plan["steps"][0]["reason"]


def test_before_3_20_plans_move_one_minor_at_a_time_then_jump(catalog: Catalog) -> None:
    """The docs allow multi-version upgrades from 3.20 on; before that every hop is one standard upgrade."""
    minors, latest = _minors(catalog), _latest(catalog)
    plan = upgrade_plan(catalog, "3.10", "8.0", "kustomize")
    since = minors.index(catalog.upgrades.mvu.since)
    early = [s for s in plan["steps"] if minors.index(s["to_minor"]) <= since]
    assert [s["to_minor"] for s in early] == minors[minors.index("3.11") : since + 1]
    assert {s["type"] for s in early} == {"standard"}
    assert any(s["type"] == "mvu" for s in plan["steps"][len(early) :])
    assert plan["to"] == latest["8.0"] and plan["postgres"]["major"] == "11"


def test_plans_reach_the_latest_patches_of_7_4_and_8_0(catalog: Catalog) -> None:
    assert upgrade_plan(catalog, "7.2", "7.4", "helm")["to"] == "7.4.2513"
    assert upgrade_plan(catalog, "7.4", "8.0", "docker-compose")["to"] == "8.0.0"


def test_the_last_minor_of_a_major_goes_to_the_next_major_zero(catalog: Catalog) -> None:
    plan = upgrade_plan(catalog, "3.43", "4.0", "docker-compose")
    assert [(s["from"], s["to_minor"], s["type"]) for s in plan["steps"]] == [("3.43", "4.0", "standard")]


def test_a_patch_behind_on_the_target_minor_is_one_standard_hop(catalog: Catalog) -> None:
    latest = _latest(catalog)
    plan = upgrade_plan(catalog, "4.2.0", "4.2", "helm")
    assert [(s["from"], s["to"], s["type"]) for s in plan["steps"]] == [("4.2.0", latest["4.2"], "standard")]


def test_least_downtime_trades_steps_for_outages(catalog: Catalog) -> None:
    fewest = upgrade_plan(catalog, "6.0", "7.6", "helm", strategy="fewest-steps")
    least = upgrade_plan(catalog, "6.0", "7.6", "helm", strategy="least-downtime")
    assert len(fewest["steps"]) < len(least["steps"])
    assert least["total_downtime"]["outages"] < fewest["total_downtime"]["outages"]
    assert {s["type"] for s in least["steps"]} == {"standard"}  # rolling updates on Kubernetes cost no outage


def test_mvu_hops_say_whether_the_frontend_could_run_them(catalog: Catalog) -> None:
    auto = catalog.upgrades.automatic_mvu
    plan = upgrade_plan(catalog, "4.0", "7.6", "docker-compose", strategy="fewest-steps")
    for step in plan["steps"]:
        if step["type"] == "mvu":
            inside = at_or_after(step["to"], auto.introduced) and not at_or_after(step["to"], auto.removed)
            assert step["automatic_mvu"] == inside


def test_a_target_patch_other_than_the_latest_is_noted(catalog: Catalog) -> None:
    plan = upgrade_plan(catalog, "6.11", "7.0.2178", "helm")
    assert plan["to"] == _latest(catalog)["7.0"]
    assert any("latest patch" in note for note in plan["notes"])


def test_the_plan_json_has_the_promised_shape(catalog: Catalog) -> None:
    plan = upgrade_plan(catalog, "5.9", "7.6", "helm")
    assert plan["schema_version"] == 1
    assert {"steps", "total_downtime", "totals", "stops", "method", "postgres", "strategy"} <= set(plan)
    for step in plan["steps"]:
        assert {"from", "to", "type", "reason", "manual_steps", "downtime", "docs"} <= set(step)
        assert step["type"] in ("standard", "mvu") and step["reason"]
    assert plan["totals"]["steps"] == len(plan["steps"])
    assert sum(plan["total_downtime"]["by_level"].values()) == len(plan["steps"])


# --- bad input ------------------------------------------------------------------------------

ERROR_CASES = [
    (
        "7.5",
        "5.2",
        "helm",
        None,
        "fewest-steps",
        "to: version 5.2 is before 7.5: refarch plans upgrades only, not downgrades; the target must be later than the starting version",
    ),
    (
        "7.5",
        "7.5",
        "helm",
        None,
        "fewest-steps",
        "to: version 7.5 is the minor you are on (7.5); the latest 7.5 patch is 7.5.4453, give a later target to plan an upgrade",
    ),
    (
        "5.12",
        "7.6",
        "helm",
        None,
        "fewest-steps",
        "from: unknown product version '5.12': there is no 5.12 release; the catalog covers 3.0 to 8.0; did you mean '5.2'?",
    ),
    ("2.13", "7.6", "helm", None, "fewest-steps", "from: version 2.13 is older than the catalog, which starts at 3.0; the catalog covers 3.0 to 8.0"),
    (
        "3.10",
        "7.6",
        "helm",
        None,
        "fewest-steps",
        "from: method helm (Kubernetes with Helm) starts at 3.39, so an instance on 3.10 does not run it yet; plan with the method it runs now",
    ),
    # versions newer than the catalog knows: tests/test_freshness.py, against a fixture catalog
    ("seven", "7.6", "helm", None, "fewest-steps", 'from: expected a version like "5.9" or "5.9.45" (got \'seven\')'),
    ("7.0", "7.6", "helm", None, "fastest", "strategy: unknown strategy 'fastest'; expected fewest-steps or least-downtime"),
    (
        "7.0",
        "7.6",
        "cloud",
        None,
        "fewest-steps",
        "method: method cloud (Sourcegraph Cloud) is not self-hosted, so there is no upgrade to plan: Sourcegraph upgrades Cloud instances automatically.",
    ),
    (
        "4.0",
        "4.5",
        "docker-compose",
        "bundled-16",
        "fewest-steps",
        "postgres: the bundled databases run PostgreSQL 12 at 4.0, not 16; use bundled-12, or leave postgres out (it defaults to bundled)",
    ),
    (
        "6.0",
        "6.5",
        "machine-image",
        "external-16",
        "fewest-steps",
        "postgres: method machine-image (Machine images (AWS AMI, GCE image)) allows no external databases; use postgres 'bundled'",
    ),
    (
        "6.0",
        "6.5",
        "helm",
        "postgres-16",
        "fewest-steps",
        "postgres: expected bundled, bundled-MAJOR (like bundled-12) or external-VERSION (like external-16) (got 'postgres-16')",
    ),
]


@pytest.mark.parametrize(("start", "end", "method", "postgres", "strategy", "message"), ERROR_CASES)
def test_bad_input_is_one_clear_problem(catalog: Catalog, start: str, end: str, method: str, postgres: str | None, strategy: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        upgrade_plan(catalog, start, end, method, postgres=postgres, strategy=strategy)
    assert [str(p) for p in caught.value.problems] == [f"<arguments>: {message}"]


def test_every_bad_argument_is_reported_at_once(catalog: Catalog) -> None:
    with pytest.raises(InputError) as caught:
        upgrade_plan(catalog, "9.1", "seven", "helmm", strategy="fastest")
    assert sorted(p.key for p in caught.value.problems) == ["from", "method", "strategy", "to"]
    assert "did you mean 'helm'?" in str(caught.value)


def test_an_external_database_below_the_minimum_is_refused(catalog: Catalog) -> None:
    minimum = next(r.min for r in catalog.external_services["postgres"].version_rules if r.from_version == "6.0")
    with pytest.raises(InputError, match=f"needs PostgreSQL {minimum} or later"):
        upgrade_plan(catalog, "6.5", "7.0", "helm", postgres="external-12")


# --- properties over the whole catalog -----------------------------------------------------


def _self_hosted(catalog: Catalog) -> list[str]:
    return [m.id for m in catalog.methods.values() if m.self_hosted]


def _pairs(catalog: Catalog, method_id: str) -> list[tuple[str, str]]:
    method = catalog.methods[method_id]
    releases = [r for r in catalog.releases.releases if exists_at(method.lifecycle, r.latest_patch)]
    return [(a.version, b.version) for i, a in enumerate(releases) for b in releases[i + 1 :]]


def _applies(catalog: Catalog, stop: dict[str, Any], method_id: str, plan: dict[str, Any]) -> bool:
    """Whether a stop binds this plan, judged from the stop's data alone."""
    when, db = stop["when"], plan["postgres"]
    if when["methods"] and method_id not in when["methods"]:
        return False
    if when["postgres"] and when["postgres"] != db["kind"]:
        return False
    if when["postgres_below"] and not version_key(db["major"]) < version_key(when["postgres_below"]):
        return False
    minors = _minors(catalog)
    start, end = minors.index(minor_of(plan["from"])), minors.index(plan["steps"][-1]["to_minor"])
    lo, hi = minors.index(stop["minors"][0]), minors.index(stop["minors"][-1])
    return start < lo and end > hi


def _check_plan(catalog: Catalog, method_id: str, plan: dict[str, Any]) -> None:
    """Monotonic, latest patches, standard hops of one release, MVU only where allowed, every stop respected."""
    minors, latest = _minors(catalog), _latest(catalog)
    method = catalog.methods[method_id]
    positions = [minors.index(minor_of(plan["from"]))] + [minors.index(s["to_minor"]) for s in plan["steps"]]
    assert all(a < b for a, b in pairwise(positions)), f"not monotonic: {plan['from']} -> {[s['to'] for s in plan['steps']]}"
    for step, (a, b) in zip(plan["steps"], pairwise(positions), strict=True):
        assert step["to"] == latest[step["to_minor"]]
        if step["type"] == "standard":
            assert b - a <= catalog.upgrades.standard.minors
        else:
            assert method.mvu and version_key(minors[a]) >= version_key(catalog.upgrades.mvu.since)
    visited = {minors[p] for p in positions}
    for stop in required_stops(catalog):
        if _applies(catalog, stop, method_id, plan):
            assert visited & set(stop["minors"]), f"{plan['from']} -> {plan['to']} ({method_id}) skips stop {stop['id']}"
            if stop["exit"] == "standard":
                hi = minors.index(stop["minors"][-1])
                leaving = next(s for s, (a, b) in zip(plan["steps"], pairwise(positions), strict=True) if a <= hi < b)
                assert leaving["type"] == "standard"


@st.composite
def _cases(draw: st.DrawFn, catalog: Catalog) -> tuple[str, str, str, str | None, str]:
    method_id = draw(st.sampled_from(_self_hosted(catalog)))
    start, end = draw(st.sampled_from(_pairs(catalog, method_id)))
    options: list[str | None] = [None]
    if catalog.methods[method_id].external_services:
        options += ["external-16"] + (["external-12"] if version_key(start) < version_key("6.0") else [])
    return method_id, start, end, draw(st.sampled_from(options)), draw(st.sampled_from(STRATEGIES))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_plan_is_monotonic_respects_every_stop_and_mvu_only_where_allowed(catalog: Catalog, data: st.DataObject) -> None:
    method_id, start, end, postgres, strategy = data.draw(_cases(catalog))
    try:
        plan = upgrade_plan(catalog, start, end, method_id, postgres=postgres, strategy=strategy)
    except InputError as error:  # only an external database too old for the start is refused
        assert postgres and all(p.key == "postgres" for p in error.problems)
        return
    _check_plan(catalog, method_id, plan)


def test_every_pair_of_releases_gets_a_plan_for_every_method_that_runs_both(catalog: Catalog) -> None:
    count = 0
    for method_id in _self_hosted(catalog):
        for start, end in _pairs(catalog, method_id):
            for strategy in STRATEGIES:
                plan = upgrade_plan(catalog, start, end, method_id, strategy=strategy)
                assert plan["steps"][-1]["to_minor"] == end
                _check_plan(catalog, method_id, plan)
                count += 1
    assert count > 10_000


# --- required stops for the docs site -------------------------------------------------------


def test_required_stops_lists_every_stop_oldest_first_with_its_why(catalog: Catalog) -> None:
    stops = required_stops(catalog)
    assert {s["id"] for s in stops} == set(catalog.upgrade_stops)
    minors = _minors(catalog)
    assert [minors.index(s["minors"][0]) for s in stops] == sorted(minors.index(s["minors"][0]) for s in stops)
    latest = _latest(catalog)
    for stop in stops:
        assert stop["reason"] and stop["docs"] and stop["sources"] and stop["applies_to"]
        assert stop["versions"] == [latest[m] for m in stop["minors"]]


# --- migration routes -----------------------------------------------------------------------

ROUTE_CASES = [
    ("single-container", "docker-compose", None, ["single-container-to-docker-compose"]),
    ("single-container", "helm", "6.12", ["single-container-to-helm"]),
    ("machine-image", "docker-compose", "6.12", ["single-node-k3s-to-docker-compose"]),
    ("k3s-script", "helm", None, ["single-node-k3s-to-helm"]),
    ("kustomize", "helm", "7.2", ["kustomize-to-helm"]),
    ("docker-compose", "helm", "7.5", ["docker-compose-to-helm"]),
]


@pytest.mark.parametrize(("source", "target", "version", "route_ids"), ROUTE_CASES)
def test_a_supported_route_comes_with_its_procedure(catalog: Catalog, source: str, target: str, version: str | None, route_ids: list[str]) -> None:
    plan = migrate_plan(catalog, source, target, version)
    assert plan["found"] and [r["id"] for r in plan["routes"]] == route_ids
    for route in plan["routes"]:
        assert route["backups"] and route["procedure"] and route["migrated"] and route["downtime_label"]
        assert route["same_version"] == bool(route["version_rule"])
    if catalog.methods[source].lifecycle.removed:
        assert plan["routes"][0]["deadline"]


NO_ROUTE_CASES = [
    (
        "kustomize",
        "docker-compose",
        None,
        "There is no supported route from Kubernetes with Kustomize to Docker Compose. From Kubernetes with Kustomize you can move to: Kubernetes with Helm.",
    ),
    (
        "helm",
        "docker-compose",
        None,
        "There is no supported route from Kubernetes with Helm to Docker Compose, and none from Kubernetes with Helm to any other method.",
    ),
    (
        "single-container",
        "helm",
        "3.30",
        "No route from Single container (sourcegraph/server) to Kubernetes with Helm at 3.30: Kubernetes with Helm starts at 3.39: upgrade to 3.39 or later first, then move.",
    ),
]


@pytest.mark.parametrize(("source", "target", "version", "answer"), NO_ROUTE_CASES)
def test_no_route_is_a_clear_answer(catalog: Catalog, source: str, target: str, version: str | None, answer: str) -> None:
    plan = migrate_plan(catalog, source, target, version)
    assert not plan["found"] and plan["routes"] == []
    assert plan["answer"] == answer


@pytest.mark.parametrize(
    ("source", "target", "version", "message"),
    [
        ("helm", "helm", None, "to-method: from-method and to-method are both helm; to upgrade within a method, use upgrade-plan"),
        (
            "machine-image",
            "helm",
            "7.0",
            "version: method machine-image (Machine images (AWS AMI, GCE image)) was removed in 7.0, so no instance runs it at 7.0",
        ),
        ("kustomize", "helm", "4.2", "version: method kustomize (Kubernetes with Kustomize) starts at 4.5, so no instance runs it at 4.2"),
    ],
)
def test_bad_migration_input_is_a_clear_problem(catalog: Catalog, source: str, target: str, version: str | None, message: str) -> None:
    with pytest.raises(InputError) as caught:
        migrate_plan(catalog, source, target, version)
    assert [str(p) for p in caught.value.problems] == [f"<arguments>: {message}"]


# --- the command line -----------------------------------------------------------------------


def test_upgrade_plan_json_through_the_cli(run: Run) -> None:
    result = run("upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--format", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["schema_version"] == 1 and plan["steps"] and "total_downtime" in plan


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_upgrade_plan_renders_every_hop(run: Run, fmt: str) -> None:
    result = run("upgrade-plan", "--from", "5.9", "--to", "7.6", "--method", "helm", "--postgres", "external-12", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "5.11.6271" in result.stdout and "7.6.0" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--from", "7.5", "--to", "5.2", "--method", "helm"),
        ("--from", "7.9", "--to", "8.0", "--method", "helm"),
        ("--from", "7.0", "--to", "7.6", "--method", "helmm"),
    ],
)
def test_upgrade_plan_bad_input_exits_2_with_nothing_on_stdout(run: Run, args: tuple[str, ...]) -> None:
    result = run("upgrade-plan", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "<arguments>:" in result.stderr and "problem" in result.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--from-method", "docker-compose", "--to-method", "helm", "--version", "7.5"), 0),
        (("--from-method", "kustomize", "--to-method", "docker-compose"), 1),
        (("--from-method", "helm", "--to-method", "helm"), 2),
    ],
)
def test_migrate_plan_exit_codes(run: Run, args: tuple[str, ...], code: int) -> None:
    for fmt in ("table", "json", "markdown"):
        result = run("migrate-plan", *args, "--format", fmt)
        assert result.exit_code == code, result.output
        assert (result.stdout == "") == (code == 2)
        if fmt == "json" and code != 2:
            assert json.loads(result.stdout)["found"] == (code == 0)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("upgrade-plan", "--from", "5.9", "--to", "6.5", "--method", "helm"), 0),
        (("migrate-plan", "--from-method", "kustomize", "--to-method", "docker-compose"), 1),
    ],
)
def test_the_readme_examples_are_current(run: Run, repo_root: Path, args: tuple[str, ...], code: int) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    command = "$ .venv/bin/refarch " + " ".join(args) + "\n"
    assert command in readme, f"README has no example for {command.strip()}"
    block = readme.split(command, 1)[1].split("\n```", 1)[0]
    result = run(*args)
    assert result.exit_code == code
    assert block.splitlines() == [line.rstrip() for line in result.stdout.rstrip().splitlines()], "README example is stale: paste the new output"
