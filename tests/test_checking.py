"""refarch check: every rule fires and does not fire, verdicts and exit codes, output formats, bad input.

Scenarios start from one fully supported requirements document (BASE) and change a few keys;
a value of None removes the key. Each names the rule it is about and the outcome it must get.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import Result

from derived import HELM_BEST_EFFORT, HELM_NOT_OFFERED, supported_somewhere
from refarch.checking import check, exit_code, requirement_problems, tally_line
from refarch.loading import Catalog
from refarch.models import Requirements
from refarch.models.report import CheckRun
from refarch.models.requirements import RULES, RuleId
from refarch.problems import InputError
from refarch.sizing import size
from refarch.yamlfile import MAX_BYTES, parse

Run = Callable[..., Result]
DATA = Path(__file__).parent / "data" / "requirements"
AS_OF = dt.date(2026, 11, 27)

BASE: dict[str, Any] = {
    "customer": "Acme Corp",
    "version": "7.7",
    "deployment": {"method": "helm", "platform": "eks", "platform_version": "1.29", "architecture": "amd64", "new_install": True},
    "scale": {"users": 3000, "repositories": 20000},
    "services": {"postgres": {"provider": "aws-rds", "version": "16"}, "redis": {"provider": "bundled"}, "object_storage": {"provider": "s3"}},
    "options": ["private-registry"],
}

COMPOSE = {"deployment": {"method": "docker-compose", "platform": "linux", "platform_version": "24.0", "compose_version": "2.20"}}


def merged(changes: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """BASE with `changes` applied: nested mappings merge, None deletes, anything else replaces."""
    out = copy.deepcopy(BASE if base is None else base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(value, out[key])
        else:
            out[key] = copy.deepcopy(value)
    return out


def judge(catalog: Catalog, *changes: dict[str, Any], as_of: dt.date = AS_OF) -> dict[str, Any]:
    data = BASE
    for change in changes:
        data = merged(change, data)
    return check(catalog, Requirements.model_validate(data), as_of)


def outcomes(report: dict[str, Any], rule_id: str) -> list[str]:
    return [f["outcome"] for f in report["findings"] if f["rule_id"] == rule_id]


Scenario = tuple[str, list[dict[str, Any]], str, list[str], dt.date]


def case(name: str, changes: list[dict[str, Any]], rule: str, expected: list[str], as_of: dt.date = AS_OF) -> Scenario:
    """One scenario: the rule's expected outcomes in finding order ([] when the rule does not run)."""
    return (name, changes, rule, expected, as_of)


SCENARIOS: list[Scenario] = [
    case("release in window", [], "release.support-window", ["pass"]),
    case("release end of life", [{"version": "5.4"}], "release.support-window", ["fail"]),
    case("release not out yet", [{"version": "7.6"}], "release.support-window", ["fail"], dt.date(2026, 8, 1)),
    case("6.12 the day before 8.0", [{"version": "6.12"}], "release.support-window", ["pass"], dt.date(2026, 9, 16)),
    case("6.12 once 8.0 is out", [{"version": "6.12"}], "release.support-window", ["fail"], dt.date(2026, 9, 17)),
    case("6.12 on 2026-12-01", [{"version": "6.12"}], "release.support-window", ["fail"], dt.date(2026, 12, 1)),
    case("7.7 on 2026-12-01", [], "release.support-window", ["pass"], dt.date(2026, 12, 1)),
    case("8.0 on 2026-12-01", [{"version": "8.0"}], "release.support-window", ["pass"], dt.date(2026, 12, 1)),
    case("one minor behind is fine", [], "release.minors-behind", ["pass"]),
    case("three minors behind warns", [{"version": "7.3"}], "release.minors-behind", ["warn"]),
    case("latest release", [{"version": "8.0"}], "release.minors-behind", ["pass"]),
    case("recommended method", [], "method.status", ["pass"]),
    case("method removed at the version", [{"deployment": {"method": "k3s-script", "platform": None, "platform_version": None}}], "method.status", ["fail"]),
    case("method before it exists", [{"version": "3.30"}], "method.status", ["fail"]),
    case(
        "method not supported",
        [{"version": "6.3", "deployment": {"method": "single-container", "platform": "linux", "platform_version": "24.0"}}],
        "method.status",
        ["fail"],
    ),
    case(
        "method deprecated", [{"version": "6.3", "deployment": {"method": "k3s-script", "platform": None, "platform_version": None}}], "method.status", ["warn"]
    ),
    case("pure docker on its last release", [{"version": "7.3", "deployment": {"method": "pure-docker", "platform": None, "platform_version": None}}], "method.status", ["pass"]),
    case("pure docker once removed", [{"version": "7.4", "deployment": {"method": "pure-docker", "platform": None, "platform_version": None}}], "method.status", ["fail"]),
    case("legacy manifests before deprecation", [{"version": "4.5", "deployment": {"method": "legacy-manifests", "platform": None, "platform_version": None}}], "method.status", ["pass"]),
    case("legacy manifests deprecated", [{"version": "6.3", "deployment": {"method": "legacy-manifests", "platform": None, "platform_version": None}}], "method.status", ["warn"]),
    case("legacy manifests past their last release", [{"version": "6.4", "deployment": {"method": "legacy-manifests", "platform": None, "platform_version": None}}], "method.status", ["fail"]),
    case("new install on a welcoming method", [], "method.new-install", ["pass"]),
    case("new install on a discouraged method", [{"deployment": {"method": "kustomize"}}], "method.new-install", ["warn"]),
    case("existing deployment on a discouraged method", [{"deployment": {"method": "kustomize", "new_install": False}}], "method.new-install", []),
    case("supported platform", [], "platform.support", ["pass"]),
    case("best-effort platform", [{"deployment": {"platform": "rke2"}}], "platform.support", ["warn"]),
    case("development platform", [{"deployment": {"platform": "minikube"}}], "platform.support", ["fail"]),
    case("platform of the wrong kind", [COMPOSE, {"deployment": {"platform": "eks"}}], "platform.support", ["fail"]),
    case(
        "host the method is not listed on",
        [{"version": "6.3", "deployment": {"method": "single-container", "platform": "linux"}}],
        "platform.support",
        ["fail"],
    ),
    case("host OS not supported", [COMPOSE, {"deployment": {"platform": "windows"}}], "platform.support", ["fail"]),
    case("no platform given", [{"deployment": {"platform": None}}], "platform.support", []),
    case("kubernetes at the minimum", [{"deployment": {"platform_version": "1.19"}}], "platform.version", ["pass"]),
    case("kubernetes below the minimum", [{"deployment": {"platform_version": "1.18"}}], "platform.version", ["fail"]),
    case("docker engine below the minimum", [COMPOSE, {"deployment": {"platform_version": "20.9"}}], "platform.version", ["fail"]),
    case("compose new enough", [COMPOSE], "platform.compose-version", ["pass"]),
    case("compose too old", [COMPOSE, {"deployment": {"compose_version": "1.28"}}], "platform.compose-version", ["fail"]),
    case("amd64", [], "cpu.architecture", ["pass"]),
    case("arm64", [{"deployment": {"architecture": "arm64"}}], "cpu.architecture", ["fail"]),
    case("external services allowed", [], "service.allowed", ["pass", "pass"]),
    case(
        "machine images allow no external services",
        [{"version": "6.3", "deployment": {"method": "machine-image", "platform": None, "platform_version": None}}],
        "service.allowed",
        ["fail", "fail"],
    ),
    case("cloud runs its own services", [{"deployment": {"method": "cloud", "platform": None, "platform_version": None}}], "service.allowed", ["fail", "fail"]),
    case("supported providers", [], "service.provider", ["pass", "pass", "pass"]),
    case("best-effort provider", [{"services": {"postgres": {"provider": "aws-aurora"}}}], "service.provider", ["pass", "warn", "pass"]),
    case("unsupported provider", [{"services": {"object_storage": {"provider": "azure-blob"}}}], "service.provider", ["fail", "pass", "pass"]),
    case("postgres 16 at 7.7", [], "service.version", ["pass"]),
    case("postgres 15 at 7.7", [{"services": {"postgres": {"version": "15"}}}], "service.version", ["fail"]),
    case("postgres 12 at 5.10", [{"version": "5.10", "services": {"postgres": {"version": "12"}}}], "service.version", ["pass"]),
    case("redis standalone", [{"services": {"redis": {"provider": "aws-elasticache", "mode": "standalone"}}}], "service.mode", ["pass"]),
    case("redis cluster", [{"services": {"redis": {"provider": "aws-elasticache", "mode": "cluster"}}}], "service.mode", ["fail"]),
    case("option offered", [], "option.support", ["pass"]),
    case("option not offered by the method", [{"options": [HELM_NOT_OFFERED]}], "option.support", ["fail"]),
    case("option best effort", [{"options": [HELM_BEST_EFFORT]}], "option.support", ["warn"]),
    case("option before it exists", [{"version": "5.6", "options": ["syntactic-code-intel"]}], "option.support", ["fail"]),
    case("required option chosen", [{"options": ["private-registry", "air-gapped"]}], "option.requires", ["pass"]),
    case("required option missing", [{"options": ["air-gapped"]}], "option.requires", ["fail"]),
    case("no conflict", [{"options": ["non-root"]}], "option.conflicts", ["pass"]),
    case("conflicting options", [{"deployment": {"method": "kustomize"}, "options": ["non-root", "privileged"]}], "option.conflicts", ["fail"]),
    case("size the method serves", [], "scale.size", ["pass"]),
    case("size beyond the method", [COMPOSE, {"scale": {"users": 30000}}], "scale.size", ["fail"]),
    case("beyond every size", [{"scale": {"users": 60000}}], "scale.size", ["warn"]),
    case("no scale given", [{"scale": None}], "scale.size", []),
    case("catalog fresh on the check date", [], "catalog.freshness", []),
    case("catalog long out of date", [], "catalog.freshness", ["warn"], as_of=dt.date(2099, 1, 1)),
]

WARN_ONLY = {"catalog.freshness"}
"""Rules that add a finding only when they warn (on a fresh catalog there is nothing to say)."""


def test_every_rule_has_scenarios_that_fire_and_that_do_not() -> None:
    assert len(SCENARIOS) >= 40
    assert set(RULES) == set(RuleId.__args__)  # type: ignore[attr-defined]
    for rule in RULES:
        cases = [expected for _, _, r, expected, _ in SCENARIOS if r == rule]
        seen = {outcome for expected in cases for outcome in expected}
        if rule in WARN_ONLY:
            assert [] in cases, f"{rule} is never quiet in SCENARIOS"
        else:
            assert "pass" in seen, f"{rule} never passes in SCENARIOS"
        assert seen & {"fail", "warn"}, f"{rule} never fires in SCENARIOS"


@pytest.mark.parametrize(("name", "changes", "rule", "expected", "as_of"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario(catalog: Catalog, name: str, changes: list[dict[str, Any]], rule: str, expected: list[str], as_of: dt.date) -> None:
    report = judge(catalog, *changes, as_of=as_of)
    assert outcomes(report, rule) == expected
    for finding in report["findings"]:
        level = next(lv for lv in catalog.support_levels.levels if lv.id == finding["level"])
        if finding["outcome"] != "waived":
            assert finding["outcome"] == level.outcome, "outcomes come from catalog/support-levels.yaml"
        assert finding["exception_allowed"] == level.exception
        assert finding["source"].startswith("catalog/") and finding["message"]
        if finding["outcome"] in ("fail", "warn") and rule == finding["rule_id"] and rule not in ("release.minors-behind", "service.mode", "catalog.freshness"):
            if rule == "option.support" and not supported_somewhere(finding["requested"]):
                continue  # no method supports this option, so there is no better choice to name
            assert finding["alternatives"], f"{rule} names no alternative"


def test_base_is_supported_with_every_rule_passing(catalog: Catalog) -> None:
    report = judge(catalog)
    assert report["verdict"] == "supported"
    assert {f["outcome"] for f in report["findings"]} == {"pass"}
    assert report["size"] == "m" and report["recommended_architecture"] == "helm-m"


@pytest.mark.parametrize(
    ("changes", "verdict", "code"),
    [
        ([], "supported", 0),
        ([{"version": "7.3"}], "supported", 0),  # a warning alone does not fail
        ([{"options": [HELM_NOT_OFFERED]}], "exception-required", 1),
        ([{"services": {"postgres": {"version": "15"}}}], "unsupported", 3),  # the product refuses older PostgreSQL
        ([{"options": [HELM_NOT_OFFERED]}, {"services": {"postgres": {"version": "15"}}}], "unsupported", 3),
    ],
)
def test_verdicts_and_exit_codes(catalog: Catalog, changes: list[dict[str, Any]], verdict: str, code: int) -> None:
    report = judge(catalog, *changes)
    assert report["verdict"] == verdict
    assert exit_code(report["verdict"], report["tally"]["warnings"]) == code


def test_fail_on_warn_makes_warnings_alone_exit_1(catalog: Catalog) -> None:
    report = judge(catalog, {"version": "7.3"})
    assert exit_code(report["verdict"], report["tally"]["warnings"], fail_on_warn=True) == 1
    clean = judge(catalog)
    assert exit_code(clean["verdict"], clean["tally"]["warnings"], fail_on_warn=True) == 0


def test_minimum_messages_name_the_nearest_supported_value(catalog: Catalog) -> None:
    finding = next(f for f in judge(catalog, {"deployment": {"platform_version": "1.18"}})["findings"] if f["rule_id"] == "platform.version")
    assert finding["message"] == "Kubernetes 1.18 is below the minimum 1.19 for Kubernetes with Helm; supported: 1.19 and later."
    assert finding["alternatives"] == ["1.19 or later"]


def test_minors_behind_names_the_upgrade(catalog: Catalog) -> None:
    latest = catalog.releases.releases[-1]
    finding = next(f for f in judge(catalog, {"version": "7.3"})["findings"] if f["rule_id"] == "release.minors-behind")
    assert f"upgrade to {latest.version}" in finding["message"] and latest.latest_patch in finding["message"]


@pytest.mark.parametrize(
    ("scale", "tier"),
    [
        ({"users": 10000}, "l"),  # a value equal to a limit fits that size
        ({"users": 10001}, "xl"),
        ({"users": 500, "repositories": 60000}, "l"),  # the largest of the inputs' sizes
        ({"largest_repo_gb": 40, "total_repo_size_gb": 100}, None),
        ({"users": 60000}, None),
    ],
)
def test_scale_is_judged_by_the_sizing_engine(catalog: Catalog, scale: dict[str, Any], tier: str | None) -> None:
    report = judge(catalog, {"scale": scale})
    answer = size(catalog, Requirements.model_validate(merged({"scale": scale})).scale.model_copy(update={"method": "helm"}))
    assert report["size"] == answer["tier"] and report["recommended_architecture"] == answer["architecture"]
    if tier is not None:
        assert report["size"] == tier


def test_tally_counts_every_finding_and_reads_like_conftest(catalog: Catalog) -> None:
    report = judge(catalog, {"version": "7.3", "options": [HELM_NOT_OFFERED]})
    tally = report["tally"]
    assert tally["checks"] == len(report["findings"]) == tally["passed"] + tally["warnings"] + tally["failed"] + tally["waived"]
    assert report["summary"] == f"{tally['checks']} checks, {tally['passed']} passed, 1 warning, 1 failed, 0 waived"
    assert tally_line({"checks": 1, "passed": 1, "warnings": 2, "failed": 0, "waived": 0}) == "1 check, 1 passed, 2 warnings, 0 failed, 0 waived"


def test_check_is_deterministic_and_does_not_mutate_its_input(catalog: Catalog) -> None:
    requirements = Requirements.model_validate(merged({"options": [HELM_NOT_OFFERED, HELM_BEST_EFFORT]}))
    before = requirements.model_dump()
    assert check(catalog, requirements, AS_OF) == check(catalog, requirements, AS_OF)
    assert requirements.model_dump() == before


# --- input problems ----------------------------------------------------------------------


def _header(path: Path) -> list[str]:
    return [line.removeprefix("# expect: ") for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# expect: ")]


INVALID = sorted((DATA / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("case", INVALID, ids=[c.stem for c in INVALID])
def test_invalid_requirements_exit_2_with_their_exact_messages(run: Run, case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case.parent)
    expected = _header(case)
    assert expected, f"{case.name} needs '# expect:' lines"
    result = run("check", case.name, "--as-of", "2026-11-27")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"{len(expected)} problem{'s' if len(expected) != 1 else ''} found"


def test_an_oversize_file_exits_2_without_reading_it(run: Run, tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("customer: x\n" + "# padding\n" * (MAX_BYTES // 10 + 1), encoding="utf-8")
    result = run("check", str(big))
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{big}: file is" in result.stderr and "the limit is 1,048,576 bytes" in result.stderr


def test_a_missing_file_exits_2(run: Run, tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2 and "cannot read file" in result.stderr


def test_problems_from_every_file_are_reported_together(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA / "invalid")
    result = run("check", "unknown-method.yaml", "unknown-option.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "2 problems found"


def test_requirement_problems_locate_unknown_ids_in_nested_documents(catalog: Catalog) -> None:
    text = yaml.safe_dump({"requirements": merged({"options": ["netwrk-policy"]})}, sort_keys=False)
    data, lines = parse(text, "r.yaml")
    requirements = Requirements.model_validate(data["requirements"])
    [problem] = requirement_problems(catalog, requirements, "r.yaml", lines, prefix=("requirements",))
    assert problem.key == "requirements.options[0]" and problem.line == text.splitlines().index("  - netwrk-policy") + 1
    assert "did you mean 'network-policy'?" in problem.message
    with pytest.raises(InputError):
        check(catalog, requirements, AS_OF)


# --- the command line and its formats ------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    cases = {
        "supported": merged({}),
        "warning": merged({"version": "7.3"}),
        "exception": merged({"options": ["private-registry", HELM_NOT_OFFERED]}),
        "unsupported": merged({"services": {"postgres": {"version": "15"}}}),
    }
    out = {}
    for name, data in cases.items():
        out[name] = tmp_path / f"{name}.yaml"
        out[name].write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("name", "flags", "code"),
    [("supported", [], 0), ("warning", [], 0), ("warning", ["--fail-on-warn"], 1), ("exception", [], 1), ("unsupported", [], 3)],
)
def test_cli_exit_codes(run: Run, files: dict[str, Path], name: str, flags: list[str], code: int) -> None:
    result = run("check", str(files[name]), "--as-of", "2026-11-27", *flags)
    assert result.exit_code == code, result.output


def test_stdin_is_read_for_dash(run: Run, files: dict[str, Path]) -> None:
    result = run("check", "-", "--as-of", "2026-11-27", "--format", "json", input=files["exception"].read_text(encoding="utf-8"))
    assert result.exit_code == 1
    assert json.loads(result.stdout)["reports"][0]["file"] == "<stdin>"


def test_several_files_take_the_worst_verdict(run: Run, files: dict[str, Path]) -> None:
    result = run("check", str(files["supported"]), str(files["exception"]), "--as-of", "2026-11-27", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1 and data["verdict"] == "exception-required" and len(data["reports"]) == 2
    assert data["tally"]["checks"] == sum(r["tally"]["checks"] for r in data["reports"])


@pytest.mark.parametrize("fmt", ["table", "markdown", "junit", "github"])
def test_every_text_format_ends_with_the_tally_line(run: Run, files: dict[str, Path], fmt: str) -> None:
    result = run("check", str(files["exception"]), "--as-of", "2026-11-27", "--format", fmt)
    summary = re.compile(r"\d+ checks, \d+ passed, \d+ warnings?, \d+ failed, \d+ waived")
    assert summary.search(result.stdout.rstrip().splitlines()[-1])


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_keep_stdout_parseable_and_print_the_tally_to_stderr(run: Run, files: dict[str, Path], fmt: str) -> None:
    result = run("check", str(files["exception"]), "--as-of", "2026-11-27", "--format", fmt)
    json.loads(result.stdout)
    assert re.fullmatch(r"\d+ checks, \d+ passed, \d+ warnings?, \d+ failed, \d+ waived", result.stderr.strip())


def test_json_validates_against_the_published_schema(run: Run, files: dict[str, Path], repo_root: Path) -> None:
    schema = json.loads((repo_root / "catalog/schema/check-report.schema.json").read_text(encoding="utf-8"))
    assert schema == json.loads(json.dumps(CheckRun.model_json_schema(by_alias=True, mode="validation") | {k: schema[k] for k in ("$id", "$schema")}))
    result = run("check", *(str(p) for p in files.values()), "--as-of", "2026-11-27", "--format", "json")
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema)
    assert data["schema_version"] == 1
    finding = next(f for r in data["reports"] for f in r["findings"] if f["rule_id"] == "option.support" and f["outcome"] == "fail")
    assert finding["line"] == files["exception"].read_text(encoding="utf-8").splitlines().index(f"- {HELM_NOT_OFFERED}") + 1


def test_junit_parses_as_xml_with_a_case_per_finding(run: Run, files: dict[str, Path]) -> None:
    result = run("check", str(files["exception"]), str(files["warning"]), "--as-of", "2026-11-27", "--format", "junit")
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == int(root.get("tests", "0")) and len(root.findall("./testsuite")) == 2
    assert len(root.findall("./testsuite/testcase/failure")) == int(root.get("failures", "-1")) == 1


def test_sarif_is_sarif_2_1_0(run: Run, files: dict[str, Path]) -> None:
    schema = json.loads((DATA.parent / "sarif-2.1.0-subset.schema.json").read_text(encoding="utf-8"))
    result = run("check", str(files["exception"]), str(files["unsupported"]), "--as-of", "2026-11-27", "--format", "sarif")
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema)
    results = data["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error"}
    rules = data["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


def test_github_emits_workflow_annotations_with_file_and_line(run: Run, files: dict[str, Path]) -> None:
    result = run("check", str(files["exception"]), str(files["warning"]), "--as-of", "2026-11-27", "--format", "github")
    lines = result.stdout.splitlines()
    error = next(line for line in lines if line.startswith("::error "))
    assert re.match(r"::error file=[^,]+exception\.yaml,line=\d+,title=option\.support options\[1\]::Kubernetes with Helm does not offer", error)
    assert any(line.startswith("::warning file=") and "release.minors-behind" in line for line in lines)


def test_markdown_is_a_table_per_file(run: Run, files: dict[str, Path]) -> None:
    result = run("check", str(files["exception"]), "--as-of", "2026-11-27", "--format", "markdown")
    assert result.stdout.startswith("### ") and "| outcome | rule | path | requested | what it means |" in result.stdout


def test_usage_errors_exit_2(run: Run, files: dict[str, Path]) -> None:
    assert run("check", str(files["supported"]), "--format", "xml").exit_code == 2
    assert run("check", str(files["supported"]), "--as-of", "yesterday").exit_code == 2
    assert run("check").exit_code == 2


def test_the_valid_examples_check(run: Run) -> None:
    for path in sorted((DATA / "valid").glob("*")):
        result = run("check", str(path), "--as-of", "2026-11-27", "--format", "json")
        assert result.exit_code in (0, 1, 3), result.output
        json.loads(result.stdout)


def test_the_readme_example_is_the_real_output(run: Run, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_root)
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    command = "$ .venv/bin/refarch check tests/data/requirements/valid/initech.yaml --as-of 2026-11-27\n"
    block = readme.split(command, 1)[1].split("\n```", 1)[0]
    result = run("check", "tests/data/requirements/valid/initech.yaml", "--as-of", "2026-11-27")
    assert result.exit_code == 1
    assert block.splitlines() == [line.rstrip() for line in result.stdout.rstrip().splitlines()], "README example is stale: paste the new output"


def test_the_check_path_stays_light(tmp_path: Path, repo_root: Path) -> None:
    """`refarch check` imports no graph, template, site or web libraries once the catalog is cached."""
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from refarch.cli import main\n"
        "try:\n"
        f"    main(['check', {str(DATA / 'valid' / 'compose.json')!r}, '--as-of', '2026-11-27', '--format', 'sarif'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('networkx', 'jinja2', 'mkdocs', 'fastapi', 'uvicorn', 'starlette') if m in sys.modules), file=sys.stderr)\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "REFARCH_NO_CACHE"} | {"REFARCH_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the catalog cache
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=repo_root, check=True)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_every_docs_link_is_a_generated_page(catalog: Catalog) -> None:
    from refarch.checking import ARCHITECTURE_PAGE, DOCS
    from refarch.site import pages

    generated = {f"generated/{name}" for name in pages(catalog, AS_OF)}
    assert set(DOCS) == {rule.split(".", 1)[0] for rule in RULES}
    assert set(DOCS.values()) <= generated
    assert {ARCHITECTURE_PAGE.format(a) for a in catalog.architectures} <= generated
