"""The sizing calculator: tiers from the instance-size chart, resources from the estimator's model, machines, advice, CLI.

Expected tiers come from the size chart in the facts (docs instance-size page, machine-image README),
expected storage from the estimator's stated formulas, not from running the code under test.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from refarch.loading import Catalog, load_catalog
from refarch.models.sizing import SizingInputs
from refarch.problems import InputError
from refarch.sizing import evaluate, read_inputs, size, sizing_model_json

Run = Callable[..., Result]
DATA = Path(__file__).parent / "data" / "sizing"

# Small everything, so that one input alone decides the tier.
SMALL = {"users": 1, "repositories": 1, "total_repo_size_gb": 100, "largest_repo_gb": 0}


def sized(catalog: Catalog, **inputs: Any) -> dict[str, Any]:
    return size(catalog, SizingInputs(**inputs))


def service(answer: dict[str, Any], name: str) -> dict[str, Any]:
    return next(row for row in answer["services"] if row["name"] == name)


# --- the tier -----------------------------------------------------------------------------

# (input, value, tier): the instance-size chart's limits, exactly at each limit and just above it.
BOUNDARIES = [
    ("users", 500, "xs"), ("users", 501, "s"), ("users", 1000, "s"), ("users", 1001, "m"), ("users", 5000, "m"), ("users", 5001, "l"),
    ("users", 10000, "l"), ("users", 10001, "xl"), ("users", 20000, "xl"), ("users", 20001, "2xl"), ("users", 40000, "2xl"), ("users", 40001, "3xl"),
    ("users", 50000, "3xl"), ("users", 50001, "3xl"),
    ("repositories", 5000, "xs"), ("repositories", 5001, "s"), ("repositories", 10000, "s"), ("repositories", 10001, "m"),
    ("repositories", 50000, "m"), ("repositories", 50001, "l"), ("repositories", 100000, "l"), ("repositories", 100001, "xl"),
    ("repositories", 250000, "xl"), ("repositories", 250001, "2xl"), ("repositories", 500000, "2xl"), ("repositories", 500001, "3xl"),
    ("repositories", 5000000, "3xl"), ("repositories", 5000001, "3xl"),
    ("largest_repo_gb", 5, "xs"), ("largest_repo_gb", 5.1, "s"), ("largest_repo_gb", 23, "s"), ("largest_repo_gb", 23.1, "l"),
    ("largest_repo_gb", 35, "l"), ("largest_repo_gb", 35.1, "2xl"),
    ("concurrent_users", 100, "xs"), ("concurrent_users", 101, "s"), ("concurrent_users", 200, "s"), ("concurrent_users", 201, "m"),
    ("concurrent_users", 1000, "m"), ("concurrent_users", 1001, "l"), ("concurrent_users", 2000, "l"), ("concurrent_users", 2001, "xl"),
    ("concurrent_users", 4000, "xl"), ("concurrent_users", 4001, "2xl"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value", "tier"), BOUNDARIES, ids=[f"{n}={v}" for n, v, _ in BOUNDARIES])
def test_each_input_maps_to_the_smallest_size_whose_limit_it_does_not_exceed(catalog: Catalog, name: str, value: float, tier: str) -> None:
    # concurrent users are some of the users: leave users out (its default is size XS) rather than give fewer users than concurrent ones
    small = {key: given for key, given in SMALL.items() if not (name == "concurrent_users" and key == "users")}
    answer = sized(catalog, **{**small, name: value})
    assert answer["tier"] == tier
    assert {"input": name, "value": value, "tier": tier, "tier_name": catalog.sizes[tier].name, "given": True} in answer["drivers"]
    assert answer["driven_by"] == [name] or tier == "xs"


@pytest.mark.parametrize("size_id", ["xs", "s", "m", "l", "xl", "2xl", "3xl"])
def test_a_chart_row_at_its_limits_is_that_size(catalog: Catalog, size_id: str) -> None:
    limits = catalog.sizes[size_id].limits
    inputs = {name: value for name, value in limits.model_dump().items() if value is not None}
    answer = sized(catalog, **inputs, total_repo_size_gb=max(100.0, inputs.get("largest_repo_gb", 0)))
    assert answer["tier"] == size_id
    assert answer["beyond_model"] is False
    assert answer["contact_support"] is catalog.sizes[size_id].contact_support


# The docs' own examples: 1,000 users with 80,000 repositories is L (the chart says to pick the larger size).
CHART_EXAMPLES = [
    ({"users": 500, "repositories": 5000}, "xs"),
    ({"users": 1000, "repositories": 80000}, "l"),
    ({"users": 8000, "repositories": 30000}, "l"),
    ({"users": 3000, "repositories": 40000}, "m"),
    ({"users": 37002, "repositories": 1}, "2xl"),  # the estimator's own monorepo case, which it labels XS
]


@pytest.mark.parametrize(("inputs", "tier"), CHART_EXAMPLES, ids=[str(i) for i, _ in CHART_EXAMPLES])
def test_chart_examples(catalog: Catalog, inputs: dict[str, int], tier: str) -> None:
    assert sized(catalog, **inputs)["tier"] == tier


DRIVING = [
    ("users", {"users": 8000, "repositories": 100}, "l"),
    ("repositories", {"users": 100, "repositories": 200000}, "xl"),
    ("largest_repo_gb", {"users": 100, "repositories": 100, "total_repo_size_gb": 500, "largest_repo_gb": 30}, "l"),
    ("concurrent_users", {"repositories": 100, "concurrent_users": 3000}, "xl"),  # users left out: concurrent users are some of the users
]


@pytest.mark.parametrize(("driver", "inputs", "tier"), DRIVING, ids=[d for d, _, _ in DRIVING])
def test_the_largest_input_drives_the_tier_and_every_input_is_listed(catalog: Catalog, driver: str, inputs: dict[str, Any], tier: str) -> None:
    answer = sized(catalog, **inputs)
    assert answer["tier"] == tier
    assert answer["driven_by"] == [driver]
    listed = {d["input"]: d for d in answer["drivers"]}
    assert set(inputs) - {"total_repo_size_gb"} <= set(listed)  # the total has no size limit, so it drives no tier
    ranks = {size_id: s.rank for size_id, s in catalog.sizes.items()}
    assert all(ranks[d["tier"]] < ranks[tier] for name, d in listed.items() if name != driver)


def test_concurrent_users_is_no_driver_unless_given(catalog: Catalog) -> None:
    assert "concurrent_users" not in {d["input"] for d in sized(catalog, users=10)["drivers"]}


def test_defaults_are_listed_and_never_drive_a_close_to_next_note(catalog: Catalog) -> None:
    answer = sized(catalog, users=10)
    assert answer["defaulted"] == ["code_insights", "largest_index_gb", "largest_repo_gb", "repositories", "total_repo_size_gb"]
    assert answer["inputs"]["repositories"] == catalog.sizing.inputs["repositories"].default
    assert not any("close to" in note for note in answer["notes"])  # the default largest repository (5 GB) sits at the XS limit


@pytest.mark.parametrize("size_id", ["2xl", "3xl"])
def test_past_xl_says_contact_support_and_recommends_autoscaled_kubernetes(catalog: Catalog, size_id: str) -> None:
    answer = sized(catalog, users=catalog.sizes[size_id].limits.users)
    assert answer["tier"] == size_id
    assert answer["contact_support"] is True
    assert answer["method"] == "helm"
    assert answer["beyond_model"] is False
    assert catalog.sizing.advice.contact_support.format(tier=catalog.sizes[size_id].name) in answer["notes"]
    assert any("auto-scaling" in note for note in answer["notes"])


@pytest.mark.parametrize(
    ("inputs", "beyond"),
    [
        ({"users": 50001}, ["users"]),
        ({"repositories": 5000001}, ["repositories"]),
        ({"users": 60000, "repositories": 6000000}, ["repositories", "users"]),
        ({"largest_index_gb": 1500}, ["largest_index_gb"]),
    ],
)
def test_beyond_the_model_still_answers_with_the_largest_tier(catalog: Catalog, inputs: dict[str, Any], beyond: list[str]) -> None:
    answer = sized(catalog, **inputs)
    assert answer["beyond_model"] is True
    assert answer["beyond_model_inputs"] == beyond
    assert answer["contact_support"] is True
    if set(inputs) & {"users", "repositories"}:
        assert answer["tier"] == max(catalog.sizes.values(), key=lambda s: s.rank).id
    assert any("does not cover" in note for note in answer["notes"])
    assert answer["services"], "beyond the model the answer still lists resources"


@pytest.mark.parametrize(("name", "value", "next_name"), [("users", 4500, "L"), ("users", 4499, None), ("repositories", 95000, "XL"), ("users", 5000, "L")])
def test_within_ten_percent_of_the_limit_gets_a_growth_note(catalog: Catalog, name: str, value: int, next_name: str | None) -> None:
    answer = sized(catalog, **{**SMALL, "users": 2000, name: value})
    close = [note for note in answer["notes"] if "plan for growth" in note]
    if next_name is None:
        assert close == []
    else:
        assert len(close) == 1 and f"close to {next_name}" in close[0] and close[0].startswith(f"{name} ")


def test_a_largest_repository_above_the_chart_gets_the_monorepo_guidance(catalog: Catalog) -> None:
    over = sized(catalog, users=100, total_repo_size_gb=500, largest_repo_gb=36)
    assert any("monorepo" in note for note in over["notes"])
    assert not any("monorepo" in note for note in sized(catalog, users=100, total_repo_size_gb=500, largest_repo_gb=35)["notes"])


# --- methods and architectures -----------------------------------------------------------------


@pytest.mark.parametrize("method_id", ["cloud", "docker-compose", "helm", "k3s-script", "kustomize", "machine-image", "single-container"])
def test_every_method(catalog: Catalog, method_id: str) -> None:
    method = catalog.methods[method_id]
    answer = sized(catalog, users=800, repositories=8000, method=method_id)
    assert answer["tier"] == "s" and answer["method"] == method_id
    expected_arch = f"{method_id}-s" if f"{method_id}-s" in catalog.architectures else None
    assert answer["architecture"] == expected_arch
    if not method.self_hosted:
        assert answer["services"] == [] and answer["machines"] == []
    elif method.scale.nodes == "single":
        (machine,) = answer["machines"]
        assert machine["role"] == "all services" and machine["count"] == 1
        assert set(machine["instance_types"]) == {"aws", "gcp", "azure"}
    else:
        (machine,) = answer["machines"]
        assert machine["role"] == "worker nodes" and machine["storage_class"] == "SSD" and machine["ssd"] is True
        assert machine["instance_types"] == catalog.sizing.kubernetes.node.instance_types
    if method.lifecycle.removed:
        assert any(f"removed at {answer['version']}" in note for note in answer["notes"])


@pytest.mark.parametrize("method_id", ["docker-compose", "k3s-script", "machine-image", "single-container"])
def test_single_machine_methods_do_not_serve_past_xl_and_name_the_methods_that_do(catalog: Catalog, method_id: str) -> None:
    answer = sized(catalog, users=30000, method=method_id)
    assert answer["tier"] == "2xl"
    assert answer["architecture"] is None and answer["method_serves_tier"] is False and answer["machines"] == []
    serving = sorted(m.id for m in catalog.methods.values() if "2xl" in m.scale.sizes)
    assert any(note.endswith(f"Methods that serve 2XL: {', '.join(serving)}.") for note in answer["notes"])


def test_the_recommended_method_is_the_default(catalog: Catalog) -> None:
    for size_id, users in (("xs", 10), ("xl", 15000), ("3xl", 45000)):
        answer = sized(catalog, users=users)
        assert answer["tier"] == size_id
        assert answer["method"] == (catalog.sizes[size_id].recommended_method or catalog.product.recommended_method)
        assert answer["architecture"] == (f"{answer['method']}-{size_id}" if f"{answer['method']}-{size_id}" in catalog.architectures else None)


@pytest.mark.parametrize(("users", "cloud"), [(3000, "aws"), (3000, "gcp"), (15000, "azure"), (300, None)])
def test_a_single_machine_holds_the_requests_and_the_chart_machine(catalog: Catalog, users: int, cloud: str | None) -> None:
    answer = sized(catalog, users=users, method="docker-compose", cloud=cloud)
    (machine,) = answer["machines"]
    size_ = catalog.sizes[answer["tier"]]
    types = {t.id: t for t in catalog.machine_types.machine_types}
    assert set(machine["instance_types"]) == ({cloud} if cloud else {"aws", "gcp", "azure"})
    for chosen_cloud, machine_id in machine["instance_types"].items():
        chosen = types[machine_id]
        assert chosen.cloud == chosen_cloud
        assert chosen.vcpu >= max(size_.vcpu, answer["totals"]["cpu_request"])
        assert chosen.memory_gb >= max(size_.memory_gb, answer["totals"]["memory_request_gb"])


# --- resources ------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [0.5, 100, 1000, 12345.6])
def test_storage_rules(catalog: Catalog, total: float) -> None:
    largest = min(total, 3.0)
    answer = sized(catalog, users=100, repositories=1000, total_repo_size_gb=total, largest_repo_gb=largest, largest_index_gb=7)
    expect = {
        "gitserver": 1.3 * total,
        "zoekt-webserver": 0.6 * total,
        "searcher": max(largest + 0.3 * total, 0.4 * total),
        "blobstore": 7,
    }
    for name, value in expect.items():
        assert service(answer, name)["storage_gb"] == estimator_round(value), name
    assert service(answer, "gitserver")["memory_request_gb"] == estimator_round(max(4, 0.05 * total))


def estimator_round(value: float) -> float:
    """The estimator's rounding: above 1 to a whole number, otherwise to the nearest 0.25, halves up."""
    return math.floor(value + 0.5) if value > 1 else math.floor(value * 4 + 0.5) / 4


def test_precise_code_intelligence_off_removes_its_worker_and_the_codeintel_db_storage(catalog: Catalog) -> None:
    on, off = sized(catalog, users=100, largest_index_gb=1), sized(catalog, users=100, largest_index_gb=0)
    assert service(on, "precise-code-intel-worker")["enabled"] is True
    worker = service(off, "precise-code-intel-worker")
    assert worker["enabled"] is False and worker["replicas"] == 0 and worker["cpu_request"] == 0 and worker["storage_gb"] == 0
    assert service(on, "codeintel-db")["storage_gb"] > 0
    assert service(off, "codeintel-db")["storage_gb"] == 0 and service(off, "codeintel-db")["enabled"] is True
    assert service(off, "blobstore")["storage_gb"] == 0


def test_code_insights_off_gives_its_database_no_resources(catalog: Catalog) -> None:
    off = service(sized(catalog, users=100, code_insights=False), "codeinsights-db")
    assert off["enabled"] is False and all(off[f] == 0 for f in ("replicas", "cpu_request", "memory_limit_gb", "storage_gb"))
    assert service(sized(catalog, users=100), "codeinsights-db")["enabled"] is True


@pytest.mark.parametrize(("largest", "cpus"), [(0.5, 1), (0.675, 1), (0.676, 2), (5, 8), (30, 45)])
def test_syntactic_worker_gets_a_cpu_per_675_mb_and_750_mb_per_cpu(catalog: Catalog, largest: float, cpus: int) -> None:
    answer = sized(catalog, users=100, total_repo_size_gb=100, largest_repo_gb=largest, syntactic_code_intel=True)
    worker = service(answer, "syntactic-code-intel-worker")
    assert worker["enabled"] is True and worker["cpu_request"] == cpus and worker["cpu_limit"] == cpus
    assert worker["memory_request_gb"] == estimator_round(0.75 * cpus)
    assert service(sized(catalog, users=100), "syntactic-code-intel-worker")["enabled"] is False  # off by default, as in Helm


def test_values_between_reference_points_are_interpolated_and_rounded(catalog: Catalog) -> None:
    # frontend: 2 CPU / 2 GB requests at 1,000 users, 4 CPU / 3 GB at 5,000; at 3,000 halfway: 3 CPU and 2.5 GB, which rounds up to 3.
    frontend = service(sized(catalog, users=3000), "frontend")
    assert (frontend["replicas"], frontend["cpu_request"], frontend["memory_request_gb"]) == (2, 3, 3)
    # Below 1 the estimator rounds to quarters: searcher's 0.5 CPU request at 1 repository.
    assert service(sized(catalog, users=1, repositories=1), "searcher")["cpu_request"] == 0.5


def test_services_in_one_pod_share_the_largest_replica_count(catalog: Catalog) -> None:
    members = catalog.sizing.pods["indexed-search"]
    for repositories in (10, 100000, 300000, 2000000):
        rows = [service(sized(catalog, users=10, repositories=repositories), name) for name in members]
        assert len({row["replicas"] for row in rows}) == 1
    assert service(sized(catalog, users=10, repositories=300000), "zoekt-indexserver")["replicas"] > 1


def test_services_that_do_not_exist_at_the_latest_release_are_not_sized(catalog: Catalog) -> None:
    names = {row["name"] for row in sized(catalog, users=100)["services"]}
    assert "symbols" not in names and "repo-updater" not in names and "frontend" in names


def test_every_number_is_traced_to_a_catalog_file(catalog: Catalog, repo_root: Path) -> None:
    answer = sized(catalog, users=8000, repositories=30000)
    sources = answer["sources"]
    for row in answer["services"]:
        for field in ("replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb"):
            file = sources["services"][row["name"]][field].split(" ")[0]
            assert (repo_root / file).is_file(), (row["name"], field)
    for key in ("tier", "method", "rules", "architecture"):
        assert (repo_root / sources[key]).is_file()
    assert all((repo_root / file).is_file() for file in sources["machines"])


# --- the node plan ----------------------------------------------------------------------------


@pytest.mark.parametrize("users", [100, 3000, 8000, 15000, 30000])
def test_the_node_plan_places_every_pod_by_its_requests(catalog: Catalog, users: int) -> None:
    answer = sized(catalog, users=users, repositories=users * 5, total_repo_size_gb=200)
    (plan,) = answer["machines"]
    node = catalog.sizing.kubernetes.node
    usable = 1 - catalog.sizing.kubernetes.headroom
    rows = [r for r in answer["services"] if r["enabled"]]
    daemons = [r for r in rows if r["per_node"]]
    pods = sum(r["replicas"] for r in rows if not r["per_node"] and r["pod"] is None) + sum(
        max(r["replicas"] for r in rows if r["pod"] == pod) for pod in {r["pod"] for r in rows if r["pod"]}
    )
    assert plan["pods"] == pods
    cpu = answer["totals"]["cpu_request"] - sum(r["cpu_request"] for r in daemons) * plan["count"]
    memory = answer["totals"]["memory_request_gb"] - sum(r["memory_request_gb"] for r in daemons) * plan["count"]
    free_cpu = node.vcpu * usable - sum(r["cpu_request"] for r in daemons)
    free_memory = node.memory_gb * usable - sum(r["memory_request_gb"] for r in daemons)
    assert plan["count"] >= math.ceil(max(cpu / free_cpu, memory / free_memory) - 1e-9)
    assert plan["count"] <= 2 * math.ceil(max(cpu / free_cpu, memory / free_memory)) + 1  # first-fit decreasing is never far off


def test_a_pod_larger_than_a_node_gets_a_note(catalog: Catalog) -> None:
    answer = sized(catalog, users=100, total_repo_size_gb=3000)  # gitserver memory: 5% of 3 TB = 150 GB
    assert any(note.startswith("Pod gitserver requests") for note in answer["notes"])


def test_per_node_services_count_once_per_node(catalog: Catalog) -> None:
    answer = sized(catalog, users=8000, repositories=30000)
    nodes = answer["machines"][0]["count"]
    rows = [r for r in answer["services"] if r["enabled"]]
    expect = sum((r["cpu_request"] or 0) * (nodes if r["per_node"] else r["replicas"]) for r in rows)
    assert answer["totals"]["cpu_request"] == pytest.approx(expect)


# --- monotonicity -------------------------------------------------------------------------

NUMBERS = ("users", "repositories", "total_repo_size_gb", "largest_repo_gb", "largest_index_gb", "concurrent_users")
inputs_strategy = st.fixed_dictionaries(
    {
        "users": st.integers(1, 60000),
        "repositories": st.integers(1, 6000000),
        "total_repo_size_gb": st.floats(0.5, 60000, allow_nan=False),
        "largest_fraction": st.floats(0, 1),
        "largest_index_gb": st.sampled_from([0, 0.5, 1, 7, 8, 33, 60, 70, 81, 500, 1200]),
        "concurrent_users": st.integers(1, 6000),
        "code_insights": st.booleans(),
        "syntactic_code_intel": st.booleans(),
        "method": st.sampled_from(["helm", "docker-compose", "kustomize"]),
    }
)


def _inputs(draw: dict[str, Any]) -> dict[str, Any]:
    inputs = dict(draw)
    inputs["largest_repo_gb"] = inputs.pop("largest_fraction") * inputs["total_repo_size_gb"]
    inputs["concurrent_users"] = min(inputs["concurrent_users"], inputs["users"])  # concurrent users are some of the users
    return inputs


def test_raising_any_input_never_lowers_the_tier_nor_any_resource(catalog: Catalog) -> None:
    @settings(max_examples=200, deadline=None)
    @given(base=inputs_strategy, which=st.sampled_from([*NUMBERS, "code_insights", "syntactic_code_intel"]), factor=st.floats(1, 20))
    def check(base: dict[str, Any], which: str, factor: float) -> None:
        _check_raise(catalog, base, which, factor)

    check()


def _check_raise(catalog: Catalog, base: dict[str, Any], which: str, factor: float) -> None:
    low = _inputs(base)
    high = dict(low)
    if which in ("code_insights", "syntactic_code_intel"):
        low[which], high[which] = False, True
    elif which == "largest_repo_gb":
        high[which] = min(low["total_repo_size_gb"], low[which] * factor + 1)
    elif which == "total_repo_size_gb":
        high[which] = low[which] * factor
    elif which == "concurrent_users":
        high[which] = min(low["users"], int(low[which] * factor + 1))
    else:
        high[which] = type(low[which])(low[which] * factor + 1)
    a, b = sized(catalog, **low), sized(catalog, **high)
    assert catalog.sizes[b["tier"]].rank >= catalog.sizes[a["tier"]].rank
    for before, after in zip(a["services"], b["services"], strict=True):
        assert before["name"] == after["name"]
        for field in ("replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb"):
            if before[field] is not None and after[field] is not None:  # None: the method sets no such value (Compose requests)
                assert after[field] >= before[field], (which, before["name"], field, before[field], after[field])


# --- inputs -------------------------------------------------------------------------------


def test_read_inputs_accepts_exactly_what_the_model_accepts(catalog: Catalog) -> None:
    model = sizing_model_json(catalog)

    @settings(max_examples=200, deadline=None)
    @given(
        name=st.sampled_from(NUMBERS + ("code_insights",)),
        value=st.one_of(st.integers(-5, 10**7), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none()),
    )
    def check(name: str, value: Any) -> None:
        _check_agreement(model, name, value)

    check()


def _check_agreement(model: dict[str, Any], name: str, value: Any) -> None:
    try:
        SizingInputs.model_validate({name: value})
        accepted = True
    except ValidationError:
        accepted = False
    try:
        read_inputs(model, {name: value})
        read = True
    except InputError:
        read = False
    assert read == accepted, (name, value)


def test_the_exported_model_is_plain_json_and_gives_the_same_answers(catalog: Catalog) -> None:
    model = sizing_model_json(catalog)
    copy = json.loads(json.dumps(model))
    assert copy == model and copy["model_version"] == 1
    for inputs in ({"users": 8000, "repositories": 30000}, {"users": 30000, "method": "docker-compose"}, {"users": 60000, "largest_index_gb": 0}):
        assert evaluate(copy, read_inputs(copy, inputs)) == sized(catalog, **inputs)


def test_every_number_in_the_model_is_a_multiple_of_a_thousandth(catalog: Catalog) -> None:
    """Totals round sums to thousandths; that is exact only while every summand is a multiple of 0.001."""
    model = sizing_model_json(catalog)
    for entries in model["services"].values():
        for entry in entries:
            for value in entry["base"].values():
                assert value is None or abs(value * 1000 - round(value * 1000)) < 1e-6, (entry["id"], value)


def test_a_compiled_model_is_cached_per_catalog(catalog: Catalog) -> None:
    assert sizing_model_json(catalog) is sizing_model_json(catalog)


# --- the command line ---------------------------------------------------------------------


def test_cli_json_has_the_documented_keys(run: Run, catalog: Catalog) -> None:
    result = run("size", "--users", "8000", "--repositories", "30000", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "schema_version",
        "tier",
        "drivers",
        "contact_support",
        "beyond_model",
        "architecture",
        "method",
        "services",
        "totals",
        "machines",
        "notes",
        "sources",
    ):
        assert key in data
    assert data == sized(catalog, users=8000, repositories=30000)  # the API and the CLI return the same JSON
    for row in data["services"]:
        assert set(row) >= {"name", "replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb"}


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_cli_reports_for_people(run: Run, fmt: str) -> None:
    result = run("size", "--users", "8000", "--repositories", "30000", "--cloud", "gcp", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Size L" in result.stdout and "helm-l" in result.stdout and "n2-standard-16" in result.stdout
    assert "m5.4xlarge" not in result.stdout
    assert "zoekt-webserver" in result.stdout


def test_cli_switches(run: Run) -> None:
    result = run("size", "--users", "100", "--no-code-insights", "--syntactic-code-intel", "--format", "json")
    rows = {r["name"]: r for r in json.loads(result.stdout)["services"]}
    assert rows["codeinsights-db"]["enabled"] is False and rows["syntactic-code-intel-worker"]["enabled"] is True


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_cli_reads_inputs_from_a_file(run: Run, tmp_path: Path, suffix: str) -> None:
    inputs = {"users": 3000, "repositories": 40000, "largest_index_gb": 0}
    path = tmp_path / f"inputs.{suffix}"
    path.write_text(json.dumps(inputs), encoding="utf-8")
    from_file = run("size", "--from", str(path), "--format", "json")
    from_flags = run("size", "--users", "3000", "--repositories", "40000", "--largest-index-gb", "0", "--format", "json")
    assert from_file.exit_code == 0, from_file.output
    assert from_file.stdout == from_flags.stdout


def test_cli_reads_a_requirements_file_scale_block_and_flags_override_it(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "requirements.yaml"
    path.write_text("customer: Acme\nversion: '7.5'\ndeployment:\n  method: docker-compose\nscale:\n  users: 3000\n  repositories: 20000\n", encoding="utf-8")
    data = json.loads(run("size", "--from", str(path), "--format", "json").stdout)
    assert (data["tier"], data["method"], data["architecture"]) == ("m", "docker-compose", "docker-compose-m")
    data = json.loads(run("size", "--from", str(path), "--users", "8000", "--method", "helm", "--format", "json").stdout)
    assert (data["tier"], data["method"], data["inputs"]["repositories"]) == ("l", "helm", 20000)


BAD_ARGUMENTS = [
    (["--users", "-5"], ["<arguments>: --users: must be at least 1 (got -5)"]),
    (["--users", "abc"], ["<arguments>: --users: expected a whole number of at least 1 (got 'abc')"]),
    (["--users", "1.5"], ["<arguments>: --users: expected a whole number of at least 1 (got '1.5')"]),
    (["--total-repo-size-gb", "0"], ["<arguments>: --total-repo-size-gb: must be above 0 (got 0)"]),
    (["--largest-index-gb", "nan"], ["<arguments>: --largest-index-gb: expected a number of at least 0 (got 'nan')"]),
    (
        ["--total-repo-size-gb", "30", "--largest-repo-gb", "40"],
        [
            "<arguments>: --largest-repo-gb: the largest repository (40 GB) is larger than the total size of all repositories (30 GB, --total-repo-size-gb); "
            "the largest repository is part of the total, so raise the total or lower the largest"
        ],
    ),
    (
        ["--method", "helmm"],
        [
            "<arguments>: --method: unknown method 'helmm'; did you mean 'helm'?; expected one of cloud, docker-compose, helm, k3s-script, kustomize, legacy-manifests, machine-image, pure-docker, single-container"
        ],
    ),
    (["--cloud", "aws2"], ["<arguments>: --cloud: unknown cloud 'aws2'; did you mean 'aws'?; expected one of aws, azure, gcp"]),
    (
        ["--users", "-1", "--repositories", "x"],
        ["<arguments>: --repositories: expected a whole number of at least 1 (got 'x')", "<arguments>: --users: must be at least 1 (got -1)"],
    ),
]


@pytest.mark.parametrize(("args", "messages"), BAD_ARGUMENTS, ids=[" ".join(a) for a, _ in BAD_ARGUMENTS])
def test_bad_arguments_exit_2_with_every_problem_and_nothing_on_stdout(run: Run, args: list[str], messages: list[str]) -> None:
    result = run("size", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    count = len(messages)
    assert result.stderr.splitlines() == [*messages, f"{count} problem{'s' if count > 1 else ''} found"]


BAD_FILES = sorted(DATA.glob("bad-*.yaml"))


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_input_files(run: Run, path: Path) -> None:
    expected = [
        line.removeprefix("# expect: ").replace("{file}", str(path)) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# expect: ")
    ]
    result = run("size", "--from", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == expected


def test_a_missing_file_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    result = run("size", "--from", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'nope.yaml'}: cannot read file: no such file or folder"


def test_sizing_from_the_command_line_imports_no_heavy_module(repo_root: Path, tmp_path: Path) -> None:
    """The fast path: with a warm cache, `refarch size` needs neither pydantic nor networkx, jinja2 or mkdocs."""
    env = {**os.environ, "REFARCH_CACHE_DIR": str(tmp_path)}
    argv = ["size", "--users", "8000", "--repositories", "30000", "--format", "json"]
    code = (
        "import sys\nfrom refarch.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('pydantic', 'networkx', 'jinja2', 'mkdocs', 'yaml.constructor') if m in sys.modules and m != 'yaml.constructor')\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, cwd=repo_root)  # fills the cache
    warm = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True, cwd=repo_root)
    assert "HEAVY []" in warm.stderr, warm.stderr
    assert json.loads(warm.stdout)["tier"] == "l"


# --- the sizing model in the catalog ------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  gitserver:\n    factor",
            "  gitsrv:\n    factor",
            "services.gitsrv: the sizing model names service 'gitsrv', which no service defines; did you mean 'gitserver'?",
        ),
        (
            "    factor: user_repo_ratio",
            "    factor: user_repo_ration",
            "services.redis-cache.factor: the sizing of service redis-cache names factor 'user_repo_ration', which no factor defines; did you mean 'user_repo_ratio'?",
        ),
        (
            "  indexed-search: [zoekt-webserver, zoekt-indexserver]",
            "  indexed-search: [zoekt-webserver, zoekt-indexservr]",
            "pods.indexed-search[1]: pod indexed-search names service 'zoekt-indexservr', which no service defines; did you mean 'zoekt-indexserver'?",
        ),
        (
            "      aws: m5.4xlarge",
            "      aws: m6a.2xlarge",
            "kubernetes.node.instance_types.aws: the Kubernetes node needs 16 vCPU and 60 GB, but aws m6a.2xlarge has 8 vCPU and 32 GB; pick a larger type",
        ),
        (
            "  kustomize: helm",
            "  kustomize: helmm",
            "resources_from.kustomize: resources_from kustomize names method 'helmm', which no method defines; did you mean 'helm'?",
        ),
    ],
)
def test_the_sizing_model_is_checked_against_the_catalog(catalog_copy: Path, old: str, new: str, message: str) -> None:
    path = catalog_copy / "catalog" / "sizing.yaml"
    _edit(path, old, new)
    with pytest.raises(InputError) as caught:
        load_catalog(catalog_copy)
    texts = [str(p) for p in caught.value.problems]
    assert any(text.startswith("catalog/sizing.yaml:") and text.split(": ", 1)[1] == message for text in texts), texts


def test_points_must_be_in_order(catalog_copy: Path) -> None:
    path = catalog_copy / "catalog" / "sizing.yaml"
    _edit(path, "{at: 1000, replicas: 2, cpu_request: 2", "{at: 1, replicas: 2, cpu_request: 2")
    with pytest.raises(InputError) as caught:
        load_catalog(catalog_copy)
    assert any("points must be in increasing order of at" in str(p) for p in caught.value.problems)


def test_the_readme_example_is_the_real_output(run: Run, repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    args = ["size", "--users", "8000", "--repositories", "30000", "--total-repo-size-gb", "800", "--largest-repo-gb", "12", "--cloud", "aws"]
    command = f"$ .venv/bin/refarch {' '.join(args)}\n"
    assert command in readme, "README has no `refarch size` example"
    block = readme.split(command, 1)[1].split("\n```", 1)[0]
    result = run(*args)
    assert result.exit_code == 0
    assert block.splitlines() == [line.rstrip() for line in result.stdout.rstrip().splitlines()], "README example is stale: paste the new output"


@pytest.mark.parametrize(
    "inputs",
    [
        {"users": 8000, "repositories": 30000},
        {"users": 300, "method": "docker-compose", "cloud": "aws"},
        {"users": 30000, "method": "docker-compose"},
        {"users": 60000, "repositories": 6000000, "largest_index_gb": 0, "code_insights": False},
        {"users": 10, "method": "cloud"},
    ],
)
def test_answers_match_the_published_schema(catalog: Catalog, repo_root: Path, inputs: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads((repo_root / "catalog" / "schema" / "sizing-answer.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(sized(catalog, **inputs), schema)


def test_an_inputs_file_matches_the_published_schema(repo_root: Path) -> None:
    import jsonschema

    schema = json.loads((repo_root / "catalog" / "schema" / "sizing-inputs.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate({"users": 3000, "repositories": 40000, "code_insights": False, "cloud": "gcp"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"users": 0}, schema)


# --- the tier alone (what checks use) ---------------------------------------------------------


def test_size_tier_agrees_with_the_full_engine(catalog: Catalog) -> None:
    from refarch.sizing import size_tier

    @settings(max_examples=200, deadline=None)
    @given(base=inputs_strategy, drop=st.sets(st.sampled_from(NUMBERS)))
    def check(base: dict[str, Any], drop: set[str]) -> None:
        inputs = SizingInputs(**{k: v for k, v in _inputs(base).items() if k not in drop})
        full, tier_only = size(catalog, inputs), size_tier(catalog, inputs)
        for key in ("tier", "drivers", "beyond_model", "beyond_model_inputs", "method", "method_serves_tier", "architecture", "inputs"):
            assert tier_only[key] == full[key], key

    check()
