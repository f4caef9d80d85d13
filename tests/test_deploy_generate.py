"""refarch config generate: overrides in the chart's own keys or the Compose file's own services, only where they differ."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from refarch.api import create_app
from refarch.architectures import resolved_architectures
from refarch.catalog.chart_values import escape, flatten
from refarch.cli import main
from refarch.deploy import data as deploy_data
from refarch.deploy.generate import cpu_quantity, for_architecture, memory_quantity, parse_cpu, parse_memory
from refarch.loading import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[1]
DATA = deploy_data.read(ROOT)
CATALOG = load_catalog(ROOT)
HELM = sorted(a for a, arch in CATALOG.architectures.items() if arch.method == "helm")
COMPOSE = sorted(a for a, arch in CATALOG.architectures.items() if arch.method == "docker-compose")


def _allowed(chart: dict[str, Any], key: str) -> bool:
    """A key the chart has, or one under a free-form map it declares (e.g. storageClass.parameters)."""
    if key in chart:
        return True
    parts = key.split(".")
    return any(chart.get(".".join(parts[:end]), [None])[0] == "map" for end in range(1, len(parts)))


def _leaves(document: Any) -> dict[str, Any]:
    return {key: value[1] for key, value in flatten(document).items()}


def load(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@pytest.mark.parametrize("arch_id", HELM)
def test_every_helm_override_uses_only_keys_the_chart_has_and_changes_each(catalog: Catalog, arch_id: str) -> None:
    for version in deploy_data.covered(DATA, "helm"):
        _check_helm(catalog, arch_id, version)


def _check_helm(catalog: Catalog, arch_id: str, version: str) -> None:
    result = for_architecture(catalog, DATA, arch_id, version)
    chart = deploy_data.table(DATA, "helm", version)
    assert chart is not None
    document = load(result["content"]) or {}
    leaves = _leaves(document)
    assert sorted(leaves) == sorted(result["sets"]), version
    for key, value in leaves.items():
        assert _allowed(chart, key), f"{arch_id} at {version} sets {key}, which the chart does not have"
        if key in chart:
            default = chart[key][1]
            if key.endswith(".cpu"):
                assert parse_cpu(value) != parse_cpu(default), (key, value, default)
            elif key.endswith((".memory", "storageSize")):
                assert parse_memory(value) != parse_memory(default), (key, value, default)
            else:
                assert value != default, (key, value, default)


@pytest.mark.parametrize("arch_id", COMPOSE)
def test_every_compose_override_uses_only_services_the_compose_file_has(catalog: Catalog, arch_id: str) -> None:
    for version in deploy_data.covered(DATA, "docker-compose"):
        _check_compose(catalog, arch_id, version)


def _check_compose(catalog: Catalog, arch_id: str, version: str) -> None:
    result = for_architecture(catalog, DATA, arch_id, version)
    services = deploy_data.table(DATA, "docker-compose", version)
    assert services is not None
    document = load(result["content"]) or {}
    assert set(document) <= {"services"}
    for name, entry in (document.get("services") or {}).items():
        assert name in services, f"{arch_id} at {version} sets service {name}, which the Compose file does not have"
        assert set(entry) <= {"cpus", "mem_limit"} and entry
        if "mem_limit" in entry:
            assert re.fullmatch(r"\d+[gm]", entry["mem_limit"]), entry
            assert parse_memory(entry["mem_limit"]) != parse_memory(services[name].get("mem_limit"))
        if "cpus" in entry:
            assert entry["cpus"] != services[name].get("cpus")


@pytest.mark.parametrize("arch_id", HELM + COMPOSE)
def test_the_override_carries_the_architectures_numbers(catalog: Catalog, arch_id: str) -> None:
    """The page, refarch size at the reference inputs and config generate agree: read the file back and compare."""
    arch = catalog.architectures[arch_id]
    result = for_architecture(catalog, DATA, arch_id)
    document = yaml.safe_load(result["content"]) or {}
    rows = {row["name"]: row for row in resolved_architectures(catalog)[arch_id]["services"]}
    if arch.method == "helm":
        chart = deploy_data.table(DATA, "helm", arch.version)
        assert chart is not None
        leaves = {**{k: v[1] for k, v in chart.items()}, **_leaves(document)}
        keys = DATA["keys"]["helm"]
        for service, row in rows.items():
            base = keys[service]["key"]
            for field, key, parse in (
                ("cpu_request", "resources.requests.cpu", parse_cpu),
                ("cpu_limit", "resources.limits.cpu", parse_cpu),
                ("memory_request_gb", "resources.requests.memory", parse_memory),
                ("memory_limit_gb", "resources.limits.memory", parse_memory),
            ):
                if f"{base}.{key}" in leaves and row[field] is not None:
                    assert parse(leaves[f"{base}.{key}"]) == pytest.approx(row[field]), (service, field)
            if f"{base}.replicaCount" in leaves and not row["per_node"] and service != "zoekt-indexserver":
                assert leaves[f"{base}.replicaCount"] == row["replicas"], service
    else:
        compose = deploy_data.table(DATA, "docker-compose", arch.version)
        assert compose is not None
        services = document.get("services") or {}
        for service, row in rows.items():
            for name in DATA["keys"]["docker-compose"][service]:
                if name not in compose:
                    continue
                merged = {**compose[name], **services.get(name, {})}
                assert float(merged["cpus"]) == pytest.approx(row["cpu_limit"]), (service, name)
                assert parse_memory(merged["mem_limit"]) == pytest.approx(row["memory_limit_gb"]), (service, name)


@pytest.mark.parametrize(
    ("value", "cpu", "memory"),
    [(4, "4", "4Gi"), (0.5, "500m", "500Mi"), (0.15, "150m", "150Mi"), (2.25, "2250m", "2250Mi"), (0.512, "512m", "512Mi")],
)
def test_quantities_are_written_as_kubernetes_reads_them(value: float, cpu: str, memory: str) -> None:
    assert cpu_quantity(value) == cpu and parse_cpu(cpu) == pytest.approx(value)
    assert memory_quantity(value) == memory and parse_memory(memory) == pytest.approx(value)


def test_the_header_names_the_architecture_version_and_catalog_date(catalog: Catalog) -> None:
    text = for_architecture(catalog, DATA, "helm-m")["content"]
    head = text.split("\n\n", 1)[0]
    assert "helm-m (Helm on Kubernetes, size M)" in head
    assert "7.6 (helm v7.6.0: https://github.com/sourcegraph/deploy-sourcegraph-helm/blob/v7.6.0/charts/sourcegraph/values.yaml)" in head
    assert f"deployment data verified {DATA['helm']['verified']}" in head
    assert "#   helm repo add sourcegraph https://helm.sourcegraph.com/release" in head


def test_a_cloud_sets_the_storage_class_in_the_charts_keys(catalog: Catalog) -> None:
    document = yaml.safe_load(for_architecture(catalog, DATA, "helm-m", cloud="azure")["content"])
    assert document["storageClass"] == {"provisioner": "disk.csi.azure.com", "type": None, "parameters": {"storageaccounttype": "Premium_LRS"}}
    assert "storageClass" not in yaml.safe_load(for_architecture(catalog, DATA, "helm-m")["content"])


def test_an_older_chart_keeps_services_it_still_has_at_their_defaults(catalog: Catalog) -> None:
    result = for_architecture(catalog, DATA, "helm-m", "6.3")
    document = yaml.safe_load(result["content"])
    assert "symbols.replicaCount" in (deploy_data.table(DATA, "helm", "6.3") or {})
    assert "symbols" not in document  # the sizing answer has no symbols; the 6.3 chart's own defaults stay


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_and_api_return_the_same_file(catalog: Catalog) -> None:
    cli = run("config", "generate", "helm-l", "--format", "json")
    assert cli.exit_code == 0, cli.output
    client = TestClient(create_app(catalog))
    response = client.get("/api/v1/config/helm-l")
    assert response.status_code == 200
    assert response.json() == json.loads(cli.output)
    text = run("config", "generate", "helm-l")
    assert text.output == response.json()["content"]
    assert client.get("/api/v1/config/helm-ll").json()["errors"][0]["message"].startswith("unknown architecture 'helm-ll'; did you mean 'helm-l'?")


def test_from_sizing_inputs_the_file_matches_the_sizing_answer(tmp_path: Path) -> None:
    out = tmp_path / "override.yaml"
    result = run("config", "generate", "--users", "5000", "--repositories", "50000", "--method", "helm", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text()) == yaml.safe_load(run("config", "generate", "helm-m", "--version", "7.6").output)


def test_kustomize_gets_the_helm_override_and_says_why() -> None:
    result = run("config", "generate", "--users", "500", "--method", "kustomize")
    assert result.exit_code == 0, result.output
    assert "Kubernetes with Kustomize (kustomize) is planned for deprecation" in result.output
    assert "--values ./override.yaml" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["helm-mm"], "<arguments>: ARCHITECTURE: unknown architecture 'helm-mm'; did you mean 'helm-m'?"),
        (["helm-m", "--version", "8.0"], "<arguments>: --version: the catalog has no helm data for 8.0 (the clone of sourcegraph/deploy-sourcegraph-helm that was read"),
        (["helm-m", "--users", "5"], "<arguments>: --users: give either an architecture or sizing inputs, not both (got helm-m and --users)"),
        (["--users", "500", "--method", "single-container"], "<arguments>: --method: refarch writes override files for helm, docker-compose (and kustomize, as the Helm override); not for single-container"),
        ([], "<arguments>: ARCHITECTURE: give an architecture (e.g. helm-m) or sizing inputs (at least --users or --repositories)"),
    ],
)
def test_bad_arguments_exit_2_with_the_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["config", "generate", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_o_writes_the_file_and_never_over_an_input(tmp_path: Path) -> None:
    out = tmp_path / "o.yaml"
    assert run("config", "generate", "docker-compose-m", "-o", str(out)).exit_code == 0
    assert out.read_text().startswith("# Docker Compose override for docker-compose-m")
    before = out.read_text()
    same = CliRunner().invoke(main, ["inspect", str(out), "-o", str(out)])
    assert same.exit_code == 2 and "is also an input; write to another file" in same.output
    assert out.read_text() == before
    assert escape("a.b") == "a\\.b"


def test_every_architecture_page_offers_its_file_with_the_commands(catalog: Catalog) -> None:
    import datetime as dt

    from refarch.site import pages

    out = pages(catalog, dt.date(2026, 12, 1), deploy=DATA)
    for arch_id in HELM + COMPOSE:
        config = for_architecture(catalog, DATA, arch_id)
        assert out[f"config/{arch_id}/{config['file_name']}"] == config["content"]
        page = out[f"architectures/{arch_id}.md"]
        assert f"[Download {config['file_name']}](../config/{arch_id}/{config['file_name']})" in page
        for command in config["commands"]:
            assert command in page
        assert f'data-config="{arch_id}"' in out["sizing.md"]
    assert "helm repo add sourcegraph https://helm.sourcegraph.com/release" in out["architectures/helm-m.md"]
