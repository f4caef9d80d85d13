"""refarch config check: what an override written for one release needs before the upgrade to another."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from refarch.cli import main
from refarch.deploy import data as deploy_data
from refarch.deploy.check import check_compose, check_helm
from refarch.deploy.generate import for_architecture
from refarch.deploy.reading import parse_customer
from refarch.loading import Catalog

ROOT = Path(__file__).resolve().parents[1]
DATA = deploy_data.read(ROOT)


def _data(helm: list[dict[str, Any]], compose: list[dict[str, Any]]) -> dict[str, Any]:
    keys = {**DATA["keys"], "renamed": {"helm": {"symbols": "searcher"}, "docker-compose": {"symbols-0": "searcher-0"}}}
    return {"keys": keys, "helm": {"versions": helm}, "docker-compose": {"versions": compose}}


# A chart in three releases: symbols goes away in 2.1, its settings fold into searcher, a default changes.
CHART = _data(
    [
        {"version": "2.0", "added": {
            "symbols.replicaCount": ["integer", 1], "symbols.resources.limits.cpu": ["string", "2"],
            "searcher.replicaCount": ["integer", 1], "searcher.resources.limits.cpu": ["string", "2"],
            "repoUpdater.replicaCount": ["integer", 1], "frontend.env.A.value": ["string", "x"], "frontend.podAnnotations": ["map", {}],
            "storageClass.create": ["boolean", True], "gitserver.storageSize": ["string", "200Gi"],
        }},
        {"version": "2.1", "removed": ["symbols.replicaCount", "symbols.resources.limits.cpu", "repoUpdater.replicaCount"],
         "changed": {"gitserver.storageSize": ["string", "300Gi"]}},
        {"version": "2.2"},
    ],
    [
        {"version": "2.0", "added": {"symbols-0": {"cpus": 2, "mem_limit": "4g"}, "searcher-0": {"cpus": 2, "mem_limit": "2g"}, "worker": {"cpus": 4, "mem_limit": "4g"}}},
        {"version": "2.1", "removed": ["symbols-0"], "changed": {"worker": {"cpus": 8, "mem_limit": "4g"}}},
    ],
)


def _helm(text: str, start: str = "2.0", end: str = "2.2") -> list[tuple[str, str, int | None, str]]:
    document, lines = parse_customer(text, "o.yaml")
    return [(f["kind"], f["key"], f["line"], f["message"]) for f in check_helm(CHART, document, lines, start, end)]


def test_a_key_folded_away_names_its_new_home() -> None:
    assert _helm("symbols:\n  resources:\n    limits:\n      cpu: '4'\n") == [
        ("renamed", "symbols.resources.limits.cpu", 4,
         "symbols.resources.limits.cpu is gone from the chart in 2.1: symbols was folded into searcher; move this setting to searcher.resources.limits.cpu"),
    ]


def test_a_removed_component_is_named_with_the_release_that_dropped_it() -> None:
    assert _helm("repoUpdater:\n  replicaCount: 1\n") == [
        ("removed", "repoUpdater.replicaCount", 2, "repoUpdater.replicaCount is gone from the chart in 2.1; remove it"),
    ]


def test_wrong_types_and_typos_are_reported() -> None:
    found = _helm("searcher:\n  replicaCount: '2'\n  replicaCont: 2\nstorageClass:\n  create: 'yes'\n")
    assert found == [
        ("type", "searcher.replicaCount", 2, "searcher.replicaCount is string here, but the chart at 2.2 expects integer (its default: 1)"),
        ("unknown", "searcher.replicaCont", 3, "searcher.replicaCont is not a key of the chart at 2.0 or 2.2; did you mean searcher.replicaCount?"),
        ("type", "storageClass.create", 5, "storageClass.create is string here, but the chart at 2.2 expects boolean (its default: True)"),
    ]


def test_a_changed_default_under_a_set_key_is_a_note() -> None:
    assert _helm("gitserver:\n  storageSize: 250Gi\n") == [
        ("default-changed", "gitserver.storageSize", 2,
         "the chart's default for gitserver.storageSize changed from '200Gi' (2.0) to '300Gi' (2.2); you set '250Gi', which still applies"),
    ]


def test_free_form_names_carry_over() -> None:
    text = "searcher:\n  resources:\n    limits:\n      cpu: 4\n      nvidia.com/gpu: 1\nfrontend:\n  env:\n    MINE:\n      value: y\n  podAnnotations:\n    a.b/c: d\n"
    assert _helm(text) == []
    assert _helm("frontend:\n  env:\n  - name: A\n    value: x\n")[0][:2] == ("type", "frontend.env")


def test_anchors_and_merge_keys_are_read_as_helm_reads_them() -> None:
    text = "x: &limits\n  cpu: '2'\nsearcher:\n  resources:\n    limits:\n      <<: *limits\n"
    found = _helm(text)
    assert [f[:2] for f in found] == [("unknown", "x.cpu")]


def _compose(text: str, start: str = "2.0", end: str = "2.1") -> list[tuple[str, str, int | None, str]]:
    document, lines = parse_customer(text, "o.yaml")
    return [(f["kind"], f["key"], f["line"], f["message"]) for f in check_compose(CHART, document, lines, start, end)]


def test_compose_services_removed_renamed_added_and_mistyped() -> None:
    text = (
        "services:\n  symbols-0:\n    cpus: 4\n  mine:\n    image: nginx\n  workr:\n    cpus: 2\n"
        "  worker:\n    cpus: 6\n    mem_limit: lots\n"
    )
    assert _compose(text) == [
        ("renamed", "services.symbols-0", 2, "service symbols-0 is gone from the Compose file in 2.1: it was folded into searcher-0; move these settings to searcher-0"),
        ("added", "services.mine", 4, "service mine is not in the Compose file at 2.1; it has its own image, so the override adds it and it carries over"),
        ("unknown", "services.workr", 6, "service workr is not in the Compose file at 2.0 or 2.1, and has no image, so docker compose refuses it; did you mean 'worker'?"),
        ("default-changed", "services.worker.cpus", 9, "the Compose file's cpus for worker changed from 4 (2.0) to 8 (2.1); you set 6, which still applies"),
        ("type", "services.worker.mem_limit", 10, "worker.mem_limit is 'lots'; expected a size, like 8g or 512m"),
    ]


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_an_override_written_for_6_3_names_what_6_4_dropped(tmp_path: Path) -> None:
    path = tmp_path / "override.yaml"
    path.write_text("symbols:\n  resources:\n    requests:\n      cpu: '1'\nrepoUpdater:\n  resources:\n    limits:\n      memory: 1Gi\nfrontend:\n  replicaCount: 3\n")
    result = run("config", "check", str(path), "--method", "helm", "--from", "6.3", "--to", "6.4", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["schema_version"] == 1 and report["carries_over"] is False
    assert [(f["kind"], f["key"], f["new_key"]) for f in report["findings"]] == [
        ("renamed", "symbols.resources.requests.cpu", "searcher.resources.requests.cpu"),
        ("removed", "repoUpdater.resources.limits.memory", None),
    ]


@pytest.mark.parametrize(("arch_id", "start", "end"), [("helm-m", "7.0", "7.6"), ("helm-l", "6.4", "7.6"), ("docker-compose-m", "6.4", "7.5")])
def test_a_generated_override_carries_over(catalog: Catalog, tmp_path: Path, arch_id: str, start: str, end: str) -> None:
    path = tmp_path / "override.yaml"
    path.write_text(for_architecture(catalog, DATA, arch_id, start)["content"])
    method = catalog.architectures[arch_id].method
    result = run("config", "check", str(path), "--method", method, "--from", start, "--to", end)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(f"to fix: the override carries over to {end}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "7.6", "--to", "8.0"], "<arguments>: --to: the catalog has no helm data for 8.0 (the clone of sourcegraph/deploy-sourcegraph-helm"),
        (["--from", "7.6", "--to", "7.0"], "<arguments>: --to: --to 7.0 is older than --from 7.6; config check looks at an upgrade"),
    ],
)
def test_versions_without_data_or_backwards_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    path = tmp_path / "o.yaml"
    path.write_text("frontend:\n  replicaCount: 2\n")
    result = run("config", "check", str(path), "--method", "helm", *args)
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_bomb_is_refused_with_its_line(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(6)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = run("config", "check", str(path), "--method", "helm", "--from", "7.5", "--to", "7.6")
    assert result.exit_code == 2
    assert "values through anchors and aliases; refusing to load it" in result.output and "Traceback" not in result.output
