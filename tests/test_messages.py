"""Messages that misled a new user (issue 13), each pinned where it is produced: the checker's findings and notes,
the exception process's answers and triage. Every message the checker can produce is searched for "None"."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from refarch.checking import check
from refarch.exceptions import new_request, triage
from refarch.loading import Catalog
from refarch.models import Requirements
from refarch.models.requirements import Answers, ExceptionRequest
from refarch.render.checks import render_table

AS_OF = dt.date(2026, 12, 1)
DATA = Path(__file__).parent / "data" / "requirements"


def judge(catalog: Catalog, **document: Any) -> dict[str, Any]:
    return check(catalog, Requirements.model_validate({"customer": "Acme", **document}), AS_OF)


def finding(report: dict[str, Any], rule_id: str) -> dict[str, Any]:
    found = [f for f in report["findings"] if f["rule_id"] == rule_id]
    assert len(found) == 1, report["findings"]
    return found[0]


# --- no "None" in any text the checker writes -----------------------------------------------


def documents(catalog: Catalog) -> list[dict[str, Any]]:
    """Requirements across every method, release, platform, external service provider and option the catalog knows."""
    out: list[dict[str, Any]] = []
    versions = [r.version for r in catalog.releases.releases]
    for method in catalog.methods.values():
        platforms: list[str | None] = [None]
        if method.platform_kind in ("kubernetes", "host"):
            platforms += sorted(catalog.platforms)
        for version, platform in itertools.product(versions, platforms):
            deployment: dict[str, Any] = {"method": method.id, "new_install": True}
            if platform:
                deployment |= {"platform": platform, "platform_version": "1.0"}
            out.append({"version": version, "deployment": deployment})
        for version in versions[-3:]:
            for key, service in catalog.external_services.items():
                for provider in (p for p in catalog.providers.values() if key in p.serves):
                    out.append(
                        {
                            "version": version,
                            "deployment": {"method": method.id},
                            "services": {key.replace("-", "_"): {"provider": provider.id, "version": "1"}},
                            "options": sorted(catalog.options),
                            "scale": {"users": 50000, "repositories": 10},
                        }
                    )
                del service
    return out


def texts(report: dict[str, Any]) -> list[str]:
    out = [f["message"] for f in report["findings"]] + [a for f in report["findings"] for a in f["alternatives"]]
    out += [s["reason"] for s in report["skipped"]] + [n["message"] for n in report["notices"]]
    return out


def test_no_message_the_checker_can_produce_says_none(catalog: Catalog) -> None:
    cases = documents(catalog)
    assert len(cases) > 1000
    offenders: dict[str, str] = {}
    for document in cases:
        report = check(catalog, Requirements.model_validate({"customer": "Acme", **document}), AS_OF)
        for text in texts(report):
            if re.search(r"\bNone\b", text):
                offenders.setdefault(text, str(document))
        assert "None" not in render_table({"reports": [report], "summary": report["summary"]}, width=0).replace("none in the catalog", "")
    assert offenders == {}


def test_a_deprecated_method_without_a_deprecation_version_says_when_it_goes(catalog: Catalog) -> None:
    message = finding(judge(catalog, version="6.12", deployment={"method": "machine-image"}), "method.status")["message"]
    assert message.startswith("Machine images (AWS AMI, GCE image) is deprecated at Sourcegraph 6.12 and removed in 7.0: it still works, but plan a move.")


# --- OpenShift versions are judged as the Kubernetes version they ship ------------------------


def test_an_openshift_version_is_judged_as_the_kubernetes_version_it_ships(catalog: Catalog) -> None:
    report = judge(catalog, version="7.5", deployment={"method": "helm", "platform": "openshift", "platform_version": "4.14"})
    result = finding(report, "platform.version")
    assert result["outcome"] == "pass"
    assert result["message"] == "Red Hat OpenShift 4.14 ships Kubernetes 1.27, which meets the minimum 1.19 for Kubernetes with Helm."


def test_an_openshift_release_the_catalog_has_not_mapped_is_not_judged(catalog: Catalog) -> None:
    report = judge(catalog, version="7.5", deployment={"method": "helm", "platform": "openshift", "platform_version": "4.10"})
    assert not [f for f in report["findings"] if f["rule_id"] == "platform.version"]
    reason = next(s["reason"] for s in report["skipped"] if s["rule_id"] == "platform.version")
    assert reason.startswith("the catalog does not say which Kubernetes version Red Hat OpenShift 4.10 ships (it knows 4.6 (Kubernetes 1.19), 4.14")


def test_a_kubernetes_version_given_for_openshift_is_judged_as_is(catalog: Catalog) -> None:
    report = judge(catalog, version="7.5", deployment={"method": "helm", "platform": "openshift", "platform_version": "1.18"})
    assert finding(report, "platform.version")["outcome"] == "fail"


def test_every_openshift_mapping_cites_its_release_notes(catalog: Catalog) -> None:
    shipped = catalog.platforms["openshift"].ships_kubernetes
    assert shipped and all(entry.version in entry.source.replace("-", ".") for entry in shipped)
    # Each OpenShift minor ships a newer Kubernetes than the one before.
    assert [e.kubernetes for e in shipped] == sorted((e.kubernetes for e in shipped), key=lambda v: tuple(map(int, v.split("."))))


# --- failure reasons come from the rule that failed --------------------------------------------


def test_postgres_15_at_7_5_fails_for_the_rule_it_breaks(catalog: Catalog) -> None:
    report = judge(catalog, version="7.5", deployment={"method": "helm"}, services={"postgres": {"provider": "aws-rds", "version": "15"}})
    message = finding(report, "service.version")["message"]
    assert "it needs 16 or later" in message
    assert "12 or older" not in message


LIMIT = re.compile(r"(\d+(?:\.\d+)?)\+|(\d+(?:\.\d+)?) or (newer|later|older|earlier)")


@pytest.mark.parametrize("service_id", ["postgres", "redis"])
def test_every_version_rule_gives_the_limit_it_enforces(catalog: Catalog, service_id: str) -> None:
    """A rule's reason may only name its own minimum as the limit ("16 or newer", "16+"), never another one ("12 or older")."""
    for rule in catalog.external_services[service_id].version_rules:
        for plus, number, direction in LIMIT.findall(rule.reason):
            implied = plus or (number if direction in ("newer", "later") else None)
            if implied is None:  # "N or older" refused means the minimum is the next major
                implied = str(int(number.split(".")[0]) + 1)
            assert implied.split(".")[0] == rule.min.split(".")[0], f"{service_id} from {rule.from_version}: {rule.reason!r} against minimum {rule.min}"


# --- a method that takes no platform ignores one --------------------------------------------------


def test_a_platform_given_to_a_machine_image_is_ignored_with_a_note(catalog: Catalog, run: Any) -> None:
    path = DATA / "valid" / "machine-image-with-platform.yaml"
    result = run("check", str(path), "--as-of", "2026-11-27")
    assert result.exit_code == 1, result.output  # judged (it is an old release), not refused as invalid input
    assert "skipped platform.support: Machine images (AWS AMI, GCE image) runs on machines it brings itself, so deployment.platform 'linux' is ignored" in result.stdout


# --- yes/no answers are the words a person typed --------------------------------------------------


@pytest.mark.parametrize(("typed", "read"), [("yes", "yes"), ("no", "no"), ("Yes", "yes"), ("unknown", "unknown"), ("'no'", "no")])
def test_unquoted_yes_and_no_are_read_as_typed(typed: str, read: str) -> None:
    answers = Answers.model_validate(yaml.safe_load(f"professional_services: {typed}\nproductize: {typed}\n"))
    assert answers.professional_services == read and answers.productize == read


def test_other_answers_still_say_what_is_expected(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("professional_services: maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'yes', 'no' or 'unknown'"):
        Answers.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# --- triage of an incomplete request lists what to answer ----------------------------------------


def test_triage_of_an_incomplete_request_lists_the_open_questions(catalog: Catalog) -> None:
    requirements = Requirements.model_validate({"customer": "Acme", "version": "7.5", "deployment": {"method": "helm", "architecture": "arm64"}})
    request, _ = new_request(catalog, requirements, AS_OF)
    result = triage(catalog, ExceptionRequest.model_validate(request.model_dump()), AS_OF)
    assert result["recommendation"] == "answer-open-questions"
    questions = [r["message"] for r in result["reasons"] if r["code"] == "open-question"]
    assert questions[0] == "Can Customer Engineering's professional services do the work (yes), or does it need official support in the product (no)? (answers.professional_services)"
    assert len(questions) == len(result["missing"]) >= 5
    assert "decline" not in " ".join(r["message"] for r in result["reasons"]).lower()


# --- the pages agree with the matrix and with each other ----------------------------------------

from refarch.site import pages  # noqa: E402 - grouped with the page tests below


@pytest.fixture(scope="module")
def site_pages(catalog: Catalog) -> dict[str, str]:
    return pages(catalog, AS_OF)


def method_section(page: str, name: str) -> str:
    return page.split(f"### {name} {{#method-", 1)[1].split("\n### ", 1)[0]


def test_runs_on_lists_only_platforms_the_matrix_supports(site_pages: dict[str, str]) -> None:
    options = site_pages["deployment-options.md"]
    compose = method_section(options, "Docker Compose")
    runs_on = next(line for line in compose.splitlines() if line.startswith("- **Runs on:**"))
    assert "Linux" in runs_on and "macOS" not in runs_on and "Windows" not in runs_on
    assert "- **Listed, but not supported for production:** [macOS](#platform-macos) (not supported), [Windows](#platform-windows) (not supported)." in compose
    helm = next(line for line in method_section(options, "Kubernetes with Helm").splitlines() if line.startswith("- **Runs on:**"))
    assert "minikube" not in helm


def test_clouds_have_one_order_and_one_spelling(site_pages: dict[str, str]) -> None:
    for path, text in site_pages.items():
        if path.endswith(".md"):
            assert "AZURE" not in text and "| GCP |" not in text, path
    assert "| Role | Count | vCPU each | Memory each | AWS | Azure | Google Cloud | Disks |" in site_pages["architectures/helm-l.md"]
    assert "| One machine | AWS, Azure, Google Cloud |" in site_pages["sizing.md"]


def test_an_architecture_page_says_which_release_its_numbers_come_from(site_pages: dict[str, str], catalog: Catalog) -> None:
    arch = catalog.architectures["docker-compose-m"]
    latest = catalog.releases.releases[-1].version
    assert f"numbers from the Docker Compose files of Sourcegraph {arch.version} (the latest release is {latest})." in site_pages["architectures/docker-compose-m.md"]


def test_the_calculator_labels_its_inputs_from_the_model_and_states_defaults(site_pages: dict[str, str], catalog: Catalog) -> None:
    sizing = site_pages["sizing.md"]
    form = html.unescape(sizing.split('<div class="ra-fields">', 1)[1].split("</div>", 1)[0])
    assert '<label>Size of all repositories together, in GB (default 100) <input type="number" name="total_repo_size_gb"' in form
    assert 'name="concurrent_users"' in form and '<label>Users active at the same moment <input' in form
    assert '<select name="syntactic_code_intel">' in form
    assert "AZURE" not in form and ">Azure</option>" in form


def test_the_exceptions_page_reads_as_sentences(site_pages: dict[str, str]) -> None:
    page = site_pages["exceptions.md"]
    assert (
        "- A new install that fails the check <code>method.status</code> (the deployment method exists and is supported at the product version). "
        'The Delivery strategy plans to &quot;cease new deployments'
    ) in page
    assert "version. (new installs only)" not in page


def test_disagreements_keep_their_parts_apart(site_pages: dict[str, str]) -> None:
    page = site_pages["architectures/helm-l.md"]
    assert " We use: " not in page.replace("**We use:**", "")
    assert "        - **We use:** " in page and "        - **Other view:** " in page


def test_the_platforms_table_says_how_openshift_versions_are_judged(site_pages: dict[str, str]) -> None:
    row = next(line for line in site_pages["deployment-options.md"].splitlines() if "platform-openshift" in line and line.startswith("|"))
    assert "its releases count as the Kubernetes they ship: 4.6 ships 1.19, 4.14 ships 1.27, 4.15 ships 1.28" in row
