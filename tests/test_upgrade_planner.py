"""The upgrade planner for a newcomer: `latest` as a target everywhere (CLI, API, page), every downtime kind explained
where a plan names it, and the site's planner page built from the same catalog."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

from refarch.api import create_app
from refarch.loading import Catalog
from refarch.site import pages
from refarch.upgrades import upgrade_plan

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def client(catalog: Catalog) -> TestClient:
    return TestClient(create_app(catalog))


def test_latest_is_the_newest_release(catalog: Catalog) -> None:
    newest = catalog.releases.releases[-1]
    plan = upgrade_plan(catalog, "7.5", "latest", "helm")
    assert plan["to"] == newest.latest_patch and plan["to_requested"] == newest.version
    assert plan["notes"][0] == f"latest is {newest.version}, the newest release in the catalog (checked on {catalog.releases.verified})."
    assert upgrade_plan(catalog, "7.5", "LATEST", "helm")["steps"] == plan["steps"]


def test_latest_is_a_target_only(catalog: Catalog) -> None:
    from refarch.problems import InputError

    with pytest.raises(InputError, match="expected a version"):
        upgrade_plan(catalog, "latest", "8.0", "helm")


def test_the_cli_and_the_api_take_latest_and_agree(run: Run, client: TestClient) -> None:
    cli = run("upgrade-plan", "--from", "6.1", "--to", "latest", "--method", "docker-compose", "--format", "json")
    assert cli.exit_code == 0, cli.output
    api = client.get("/api/v1/upgrade-plan", params={"from": "6.1", "to": "latest", "method": "docker-compose"})
    assert api.status_code == 200
    assert api.json() == json.loads(cli.stdout)


def test_the_plan_explains_each_downtime_it_names(run: Run, catalog: Catalog) -> None:
    result = run("upgrade-plan", "--from", "5.9", "--to", "latest", "--method", "helm")
    assert result.exit_code == 0
    text = result.stdout
    legend = text.split("What the downtime means:\n", 1)[1].split("\n\n", 1)[0]
    plan = upgrade_plan(catalog, "5.9", "latest", "helm")
    for level in catalog.upgrades.downtime_levels:
        named = any(step["downtime"] == level.id for step in plan["steps"])
        assert (f"  - {level.label}: " in legend) == named, level.id
    markdown = run("upgrade-plan", "--from", "5.9", "--to", "latest", "--method", "helm", "--format", "markdown").stdout
    assert "- **long downtime**: The databases are rewritten" in markdown


@pytest.fixture(scope="module")
def site_pages(catalog: Catalog) -> dict[str, str]:
    return pages(catalog, dt.date(2026, 12, 1))


def test_the_planner_page_offers_every_release_latest_and_every_method(site_pages: dict[str, str], catalog: Catalog) -> None:
    page = site_pages["upgrade-planner.md"]
    for release in catalog.releases.releases:
        assert f'<option value="{release.version}"' in page
    assert f'<option value="latest" selected>latest ({catalog.releases.releases[-1].version})</option>' in page
    assert '<option value="helm" selected>' in page and '<option value="docker-compose">' in page
    data: dict[str, Any] = json.loads(page.split('<script type="application/json" id="ra-planner-data">', 1)[1].split("</script>", 1)[0])
    assert data["api"] == "../../api/v1/upgrade-plan"
    assert set(data["downtime"]) == {level.id for level in catalog.upgrades.downtime_levels}


def test_every_downtime_kind_is_explained_on_the_planner_and_releases_pages(site_pages: dict[str, str], catalog: Catalog) -> None:
    for level in catalog.upgrades.downtime_levels:
        for path in ("upgrade-planner.md", "releases.md"):
            assert f"**{level.label}**" in site_pages[path] and level.summary in site_pages[path], (path, level.id)


def test_the_releases_page_links_the_planner(site_pages: dict[str, str]) -> None:
    assert "[upgrade planner](upgrade-planner.md)" in site_pages["releases.md"]


def test_the_home_page_and_the_readme_lead_to_the_planner_the_calculator_and_the_deployment_files(repo_root: Any, site_pages: dict[str, str]) -> None:
    """One click each from the top of the home page and from the README's Quickstart."""
    home = (repo_root / "site" / "index.md").read_text(encoding="utf-8")
    start = home.split("**Start here:**", 1)[1].split("What do you want to do?", 1)[0]
    for target in ("generated/sizing.md#calculator", "generated/upgrade-planner.md", "generated/architectures/index.md"):
        assert f"]({target})" in start, target
        assert target.removeprefix("generated/").split("#")[0] in site_pages
    quickstart = (repo_root / "README.md").read_text(encoding="utf-8").split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    for url in ("/generated/sizing/#calculator", "/generated/upgrade-planner/", "/generated/architectures/"):
        assert f"(http://127.0.0.1:8000{url})" in quickstart, url


# --- two audiences ------------------------------------------------------------------------------


def test_the_internal_process_appears_only_in_the_internal_build(catalog: Catalog) -> None:
    policy = catalog.exception_policy
    public = pages(catalog, dt.date(2026, 12, 1), audience="public")
    internal = pages(catalog, dt.date(2026, 12, 1), audience="internal")
    minimum = f"${policy.deal_value.minimum_usd:,.0f}"
    routes = "| Deviation | Team | Why |"
    assert minimum in internal["exceptions.md"] and routes in internal["exceptions.md"]
    assert minimum not in public["exceptions.md"] and routes not in public["exceptions.md"]
    assert "## How to ask for an exception" in public["exceptions.md"] and "## How to ask for an exception" not in internal["exceptions.md"]
    # The downloadable catalog leaves the policy out of the public build too.
    assert "exception_policy" in json.loads(internal["downloads/catalog.json"])
    assert "exception_policy" not in json.loads(public["downloads/catalog.json"])
    engineering = f"${policy.deal_value.engineering_review_minimum_usd:,.0f}"
    assert engineering in internal["exceptions.md"] and engineering not in public["exceptions.md"]


def test_site_build_takes_an_audience(run: Run, tmp_path: Any, repo_root: Any) -> None:
    import shutil

    shutil.copy(repo_root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(repo_root / "site", tmp_path / "site", ignore=shutil.ignore_patterns("generated"))
    assert run("site", "generate", "--root", str(tmp_path), "--audience", "internal", "--as-of", "2026-12-01").exit_code == 0
    assert "## Who decides" in (tmp_path / "site" / "generated" / "exceptions.md").read_text(encoding="utf-8")
    assert run("site", "generate", "--root", str(tmp_path), "--as-of", "2026-12-01").exit_code == 0
    assert "## Who decides" not in (tmp_path / "site" / "generated" / "exceptions.md").read_text(encoding="utf-8")
    assert run("site", "generate", "--root", str(tmp_path), "--audience", "partners").exit_code == 2
