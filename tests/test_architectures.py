"""Reference architectures are the sizing answer at their reference inputs, except where they record why not."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from refarch.architectures import reference_answer, resolved_architectures
from refarch.loading import Catalog, load_catalog
from refarch.problems import InputError
from refarch.site import pages

AS_OF = dt.date(2026, 12, 1)
FIELDS = ("replicas", "cpu_request", "cpu_limit", "memory_request_gb", "memory_limit_gb", "storage_gb")


@pytest.fixture(scope="module")
def site_pages(catalog: Catalog) -> dict[str, str]:
    return pages(catalog, AS_OF)


@pytest.mark.parametrize(
    "arch_id",
    ["docker-compose-l", "docker-compose-m", "docker-compose-s", "docker-compose-xl", "docker-compose-xs", "helm-l", "helm-m", "helm-s", "helm-xl", "helm-xs"],
)
def test_page_and_size_agree_except_where_a_reason_is_recorded(catalog: Catalog, site_pages: dict[str, str], arch_id: str) -> None:
    arch = catalog.architectures[arch_id]
    answer = reference_answer(catalog, arch)
    assert answer["tier"] == arch.size and answer["architecture"] == arch_id
    resolved = resolved_architectures(catalog)[arch_id]
    recorded = {(d["service"], d["field"]): d for d in resolved["differences"]}
    sized = {row["name"]: row for row in answer["services"] if row["enabled"]}
    assert {row["name"] for row in resolved["services"]} == set(sized)
    text = site_pages[f"architectures/{arch_id}.md"]
    for row in resolved["services"]:
        for field in FIELDS:
            if (row["name"], field) in recorded:
                difference = recorded[(row["name"], field)]
                assert difference["reason"] and difference["sizing"] == sized[row["name"]][field] and row[field] == difference["architecture"]
                assert difference["reason"].replace("'", "&#39;") in text
            else:
                assert row[field] == sized[row["name"]][field], (row["name"], field)
    machine, sized_machine = resolved["machines"][0], answer["machines"][0]
    for field in ("count", "vcpu", "memory_gb"):
        if (None, field) not in recorded:
            assert machine[field] == sized_machine[field]
    nodes = re.search(r"^\| (worker nodes|all services) \| (\d+) \| (\d+) \|", text, re.M)
    assert nodes and (int(nodes.group(2)), int(nodes.group(3))) == (machine["count"], machine["vcpu"])


def test_the_page_explains_the_node_count_in_the_open(site_pages: dict[str, str]) -> None:
    text = site_pages["architectures/helm-xs.md"]
    why = text.split("### Why these nodes", 1)[1].split("\n## ", 1)[0]
    assert "2 nodes would leave room for only 24.9 CPU" in why, why
    assert "sizes XS and S use it" in why
    before = text.split("### Why these nodes", 1)[0]
    assert before.count("??? ") == 0 and "<details" not in before.lower(), "the reason must not sit in a collapsed box"


def test_helm_sizes_that_share_a_cluster_say_why(catalog: Catalog, site_pages: dict[str, str]) -> None:
    counts = {arch_id: resolved_architectures(catalog)[arch_id]["machines"][0]["count"] for arch_id in ("helm-xs", "helm-s", "helm-m")}
    assert counts["helm-xs"] == counts["helm-s"] < counts["helm-m"]
    assert "Even for 1 user and 1 repository the pods request" in site_pages["architectures/helm-s.md"]
    assert "Even for 1 user and 1 repository" not in site_pages["architectures/helm-m.md"]


def _copy(repo_root: Path, tmp_path: Path) -> Path:
    for folder in ("catalog", "architectures"):
        shutil.copytree(repo_root / folder, tmp_path / folder)
    return tmp_path


def test_a_recorded_reason_passes_and_the_same_difference_without_it_fails(repo_root: Path, tmp_path: Path) -> None:
    root = _copy(repo_root, tmp_path)
    path = root / "architectures" / "docker-compose-xs.yaml"
    load_catalog(root)  # with its reason: valid
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["differences"][0]["reason"]
    reason_line = next(line for line in text.splitlines() if line.startswith("  reason: The Docker Compose file runs two frontend"))
    path.write_text(text.replace(reason_line + "\n", ""), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_catalog(root)
    line = text.splitlines().index("  replicas: 2") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"architectures/docker-compose-xs.yaml:{line}: differences[0].replicas: architecture docker-compose-xs sets frontend replicas to 2, "
        "but the sizing answer at its reference inputs (users 500, repositories 5,000) gives 1; record why under reason:, "
        "or remove the value to take the sizing answer"
    ]


def test_a_change_to_the_sizing_model_reaches_the_architecture(repo_root: Path, tmp_path: Path) -> None:
    root = _copy(repo_root, tmp_path)
    sizing = root / "catalog" / "sizing.yaml"
    text = sizing.read_text(encoding="utf-8")
    changed = text.replace(
        "- {at: 5000, replicas: 2, cpu_request: 4, cpu_limit: 4, memory_request_gb: 3, memory_limit_gb: 6}",
        "- {at: 5000, replicas: 3, cpu_request: 4, cpu_limit: 4, memory_request_gb: 3, memory_limit_gb: 6}",
    )
    assert changed != text
    sizing.write_text(changed, encoding="utf-8")
    catalog = load_catalog(root)
    frontend = next(row for row in resolved_architectures(catalog)["helm-m"]["services"] if row["name"] == "frontend")
    assert frontend["replicas"] == 3
