"""refarch inspect: a customer's own files in, the requirements refarch check takes out, every field traced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from refarch.cli import main
from refarch.deploy.reading import parse_customer, parse_customer_tagged

DATA = Path(__file__).parent / "data" / "inspect"
HELM = ["helm-list.json", "kubectl-version.json", "nodes.json", "helm-override.yaml"]
COMPOSE = ["docker-compose.yaml", "docker-compose.override.yaml", "docker-version.txt", "docker-compose-version.txt"]


def inspect(*names: str, extra: tuple[str, ...] = ()) -> Any:
    return CliRunner().invoke(main, ["inspect", *(str(DATA / name) for name in names), *extra])


def test_a_helm_deployment_becomes_requirements_with_method_version_platform_and_services() -> None:
    result = inspect(*HELM, extra=("--format", "json", "--customer", "Acme"))
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["requirements"] == {
        "customer": "Acme",
        "version": "7.5",
        "deployment": {"method": "helm", "platform": "eks", "platform_version": "1.29", "architecture": "amd64", "new_install": False},
        "services": {"postgres": {"provider": "aws-rds"}, "redis": {"provider": "aws-elasticache"}, "object_storage": {"provider": "s3"}},
    }
    assert found["origins"]["deployment.platform"] == f"{DATA / 'kubectl-version.json'}: serverVersion.gitVersion (v1.29.8-eks-a737599)"
    assert found["origins"]["services.postgres"].startswith(f"{DATA / 'helm-override.yaml'}: codeIntelDB.enabled: false and codeIntelDB.auth.host (host acme-main.")
    assert [f["recognised_as"] for f in found["files"]] == ["helm-list", "kubectl-version", "nodes", "helm-values"]


def test_a_compose_deployment_reads_version_from_image_tags_and_databases_from_environment() -> None:
    result = inspect(*COMPOSE, extra=("--format", "json"))
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["requirements"]["version"] == "7.4"
    assert found["requirements"]["deployment"] == {
        "method": "docker-compose", "platform": "linux", "platform_version": "26.1", "compose_version": "2.27", "architecture": "amd64", "new_install": False,
    }
    assert found["requirements"]["services"] == {"postgres": {"provider": "postgres"}, "redis": {"provider": "bundled"}, "object_storage": {"provider": "gcs"}}
    assert "customer" in " ".join(found["undetermined"]) or found["origins"]["customer"] == "not in the files: set it"


@pytest.mark.parametrize("names", [HELM, COMPOSE], ids=["helm", "compose"])
def test_every_field_names_its_source_and_check_judges_it_without_an_input_error(names: list[str], tmp_path: Path) -> None:
    written = tmp_path / "requirements.yaml"
    result = inspect(*names, extra=("-o", str(written)))
    assert result.exit_code == 0, result.output
    text = written.read_text()
    for line in text.splitlines():
        if line.startswith("#") or line.endswith(":"):
            continue
        assert "  # " in line, f"no source on: {line}"
    assert "# Could not determine:" in text and "scale (users, repositories" in text
    checked = CliRunner().invoke(main, ["check", str(written), "--as-of", "2026-12-01", "--format", "json"])
    assert checked.exit_code in (0, 1), checked.output
    report = json.loads(checked.stdout)["reports"][0]
    assert report["verdict"] in ("supported", "exception-required")


def test_inspect_pipes_into_check() -> None:
    written = inspect(*HELM)
    assert written.exit_code == 0
    piped = CliRunner().invoke(main, ["check", "-", "--as-of", "2026-12-01"], input=written.output)
    assert piped.exit_code == 0, piped.output
    assert "version 7.5 with helm" in piped.output


def test_the_platform_comes_from_the_server_version_and_kustomize_from_its_overlay() -> None:
    found = json.loads(inspect("kubectl-version-gke.json", "kustomization.yaml", extra=("--format", "json")).output)
    assert found["requirements"]["deployment"]["method"] == "kustomize"
    assert found["requirements"]["deployment"]["platform"] == "gke"
    assert found["requirements"]["version"] == "7.3"
    assert found["origins"]["version"] == f"{DATA / 'kustomization.yaml'}: resources[0] (ref=v7.3.0)"


def test_files_that_say_too_little_exit_2_and_unknown_files_are_listed(tmp_path: Path) -> None:
    result = inspect("kubectl-version.json")
    assert result.exit_code == 2
    assert "none of the files says how the product is deployed" in result.output and "Traceback" not in result.output
    no_version = inspect("helm-override.yaml")
    assert no_version.exit_code == 2 and "none of the files gives the product version" in no_version.output
    given = json.loads(inspect("helm-override.yaml", extra=("--version", "7.6", "--format", "json")).output)
    assert given["requirements"]["version"] == "7.6" and given["origins"]["version"] == "--version"
    listed = json.loads(inspect("helm-list.json", "helm-override.yaml", extra=("--version", "7.6", "--format", "json")).output)
    assert listed["requirements"]["version"] == "7.5" and any("--version says" in note for note in listed["notes"])
    other = tmp_path / "notes.yaml"
    other.write_text("hello: world\n")
    found = json.loads(CliRunner().invoke(main, ["inspect", *(str(DATA / n) for n in HELM), str(other), "--format", "json"]).output)
    assert f"{other}: not a file refarch inspect recognises; it was skipped" in found["undetermined"]


def test_merge_keys_keep_the_lines_of_what_was_written() -> None:
    text = "x: &a\n  cpu: 2\n  mem: 4\ns:\n  <<: *a\n  cpu: 8\n"
    data, lines = parse_customer(text, "f.yaml")
    assert data["s"] == {"cpu": 8, "mem": 4}
    assert lines[("s", "cpu")] == 6 and lines[("s", "mem")] == 5


def test_compose_tags_are_read_and_remembered() -> None:
    data, _, tags = parse_customer_tagged("services:\n  pgsql: !reset {}\n  a:\n    depends_on: !override [b]\n", "f.yaml")
    assert data == {"services": {"pgsql": {}, "a": {"depends_on": ["b"]}}}
    assert tags == {("services", "pgsql"): "!reset", ("services", "a", "depends_on"): "!override"}


def test_other_tags_are_still_refused() -> None:
    from refarch.problems import InputError

    with pytest.raises(InputError) as caught:
        parse_customer("a: !!python/object:os.system x\n", "f.yaml")
    assert "f.yaml:1" in str(caught.value.problems[0])
    assert yaml.safe_load("a: 1") == {"a": 1}
