"""The site is generated from the catalog, documents every entity, escapes catalog text and builds with mkdocs --strict."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from refarch.architectures import resolved_architectures
from refarch.cli import main
from refarch.lifecycle import release_statuses
from refarch.loading import Catalog, load_catalog
from refarch.render.pages import neutralize
from refarch.site import catalog_version, decision_tree, facts, pages

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 27)
CATALOG = load_catalog(ROOT)

# Every kind of entity the site must document, with the anchor prefix it gets (kind-id) and its name.
ENTITIES = [
    *[("method", m.id, m.name) for m in CATALOG.methods.values()],
    *[("platform", p.id, p.name) for p in CATALOG.platforms.values()],
    *[("service", s.id, s.name) for s in CATALOG.services.values()],
    *[("option", o.id, o.name) for o in CATALOG.options.values()],
    *[("size", s.id, s.name) for s in CATALOG.sizes.values()],
    *[("architecture", a.id, a.name) for a in CATALOG.architectures.values()],
    *[("release", r.version, r.version) for r in CATALOG.releases.releases],
]


def build_site(root: Path, catalog_root: Path, as_of: dt.date = AS_OF) -> Path:
    """Build into a scratch copy of mkdocs.yml and site/ so the checkout's site/generated/ is not touched."""
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    result = CliRunner().invoke(
        main, ["site", "build", "--root", str(root), "--catalog", str(catalog_root), "--as-of", as_of.isoformat()], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return root / "build" / "site"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(tmp_path_factory.mktemp("site-root"), ROOT)


@pytest.fixture(scope="session")
def html_pages(built_site: Path) -> dict[str, str]:
    return {p.relative_to(built_site).as_posix(): p.read_text(encoding="utf-8") for p in built_site.rglob("*.html")}


def page(html_pages: dict[str, str], path: str) -> str:
    return html_pages[f"{path}/index.html" if path else "index.html"]


# --- everything is documented --------------------------------------------------------------


@pytest.mark.parametrize(("kind", "entity_id", "name"), ENTITIES, ids=[f"{k}-{i}" for k, i, _ in ENTITIES])
def test_every_catalog_entity_has_a_place_on_the_site(html_pages: dict[str, str], kind: str, entity_id: str, name: str) -> None:
    anchor = f'id="{kind}-{entity_id}"'
    homes = [path for path, text in html_pages.items() if anchor in text]
    assert len(homes) == 1, f"{kind} {entity_id} should have exactly one home on the site (anchor {anchor}); found {homes}"
    assert name in html.unescape(html_pages[homes[0]]), f"{kind} {entity_id}: its name {name!r} is not on {homes[0]}"


@pytest.mark.parametrize("architecture", sorted(CATALOG.architectures), ids=str)
def test_every_architecture_page_is_in_the_navigation(html_pages: dict[str, str], architecture: str) -> None:
    assert f'href="{architecture}/" class="md-nav__link' in page(html_pages, "generated/architectures")


# --- escaping --------------------------------------------------------------------------------

NASTY = [
    "<script>alert(1)</script>",
    "*bold* and _under_ and `code`",
    "[a link](javascript:alert(1))",
    "1. not a list",
    "- not a list either",
    "# not a heading {#id}",
    "pipes | in | tables",
    "quotes \"double\" and 'single' & ampersands &amp;",
    "back\\slash and ~tilde~ and ^caret^",
    "<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("text", NASTY)
def test_catalog_text_renders_as_exactly_that_text(text: str) -> None:
    rendered = markdown.markdown(str(neutralize(text)), extensions=["attr_list", "tables", "md_in_html"])
    assert rendered.startswith("<p>") and rendered.endswith("</p>"), rendered
    assert "<" not in rendered[3:-4], f"markup leaked: {rendered}"
    assert html.unescape(rendered[3:-4]) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"]), min_size=1, max_size=40).filter(lambda t: t.strip() == t and t))
def test_any_text_survives_markdown_unchanged(text: str) -> None:
    rendered = markdown.markdown(str(neutralize(text)), extensions=["attr_list", "tables"])
    body = rendered.removeprefix("<p>").removesuffix("</p>")
    assert "<" not in body, rendered
    assert html.unescape(body) == text


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalog with script tags in a note, a name, a step and an option's instructions."""
    base = tmp_path_factory.mktemp("hostile")
    for folder in ("catalog", "architectures"):
        shutil.copytree(ROOT / folder, base / "catalog-root" / folder)
    root = base / "catalog-root"

    def edit(path: str, change: Callable[[dict[str, object]], None]) -> None:
        data = yaml.safe_load((root / path).read_text(encoding="utf-8"))
        change(data)
        (root / path).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    edit("catalog/methods/helm.yaml", lambda d: d.update(notes=[*d["notes"], "<script>alert(1)</script>"], name="Helm </title><script>alert(1)</script>"))  # type: ignore[list-item]
    edit("catalog/options/tls.yaml", lambda d: d.update(how="<script>alert(1)</script>"))
    edit("architectures/helm-l.yaml", lambda d: d.update(name="Helm L: <img src=x onerror=alert(1)>", deploy=["<script>alert(1)</script>"]))
    edit("catalog/services/gitserver.yaml", lambda d: d.update(summary="<script>alert(1)</script>"))
    site_root = base / "site-root"
    site_root.mkdir()
    return build_site(site_root, root)


def test_a_script_in_catalog_text_renders_as_text_not_markup(hostile_site: Path) -> None:
    shown = 0
    for path in hostile_site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text, f"{path}: a catalog <script> became markup"
        assert "<img src=x" not in text, f"{path}: a catalog <img> became markup"
        shown += text.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    # The note, the name (many places), the option, the step and the summary all show as text.
    assert shown >= 5


def test_a_hostile_architecture_name_keeps_its_page_title_as_text(hostile_site: Path) -> None:
    text = (hostile_site / "generated" / "architectures" / "helm-l" / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    assert title and html.unescape(title.group(1)).startswith("Helm L: <img src=x onerror=alert(1)>")


# --- pages -------------------------------------------------------------------------------------


def test_every_page_footer_names_the_catalog_version_and_build_date(html_pages: dict[str, str]) -> None:
    currency = f"Catalog checked on {CATALOG.releases.verified}; newest release known: {CATALOG.releases.releases[-1].version}"
    expected = f"Catalog {catalog_version(CATALOG)} · built {AS_OF.isoformat()} · {currency}"
    for path, text in html_pages.items():
        if path.endswith("index.html"):
            assert expected in text, path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "generated/deployment-options",
        "generated/support-matrix",
        "generated/architectures",
        "generated/services",
        "generated/sizing",
        "generated/choosing",
        "generated/releases",
        "generated/downloads",
    ],
)
def test_each_page_kind_is_built(html_pages: dict[str, str], path: str) -> None:
    assert "<h1" in page(html_pages, path)


def test_home_offers_the_three_paths(html_pages: dict[str, str]) -> None:
    home = page(html_pages, "")
    for path in ("Try it", "Run it in production", "Upgrade it"):
        assert path in home


def test_deployment_options_give_removed_methods_their_removal_version(html_pages: dict[str, str]) -> None:
    text = html.unescape(page(html_pages, "generated/deployment-options"))
    for method in CATALOG.methods.values():
        if method.lifecycle.removed:
            assert f"Removed in {method.lifecycle.removed}" in text, method.id


def test_support_matrix_has_a_tab_per_supported_major(html_pages: dict[str, str]) -> None:
    supported = [s for s in release_statuses(CATALOG, AS_OF) if s.status == "supported"]
    newest = {s.version.split(".")[0]: s.version for s in supported}
    text = page(html_pages, "generated/support-matrix")
    for version in newest.values():
        assert f">{version}</label>" in text
    for level in CATALOG.support_levels.levels:
        assert f"ra-{level.id}" in text


def test_release_table_shows_the_status_on_the_build_date(html_pages: dict[str, str]) -> None:
    text = page(html_pages, "generated/releases")
    for status in release_statuses(CATALOG, AS_OF):
        row = re.search(rf'id="release-{re.escape(status.version)}".*?</tr>', text, re.S)
        assert row, status.version
        assert status.status.replace("-", " ") in row.group(0), (status.version, status.status)


@pytest.mark.parametrize("architecture", sorted(CATALOG.architectures), ids=str)
def test_architecture_page_lists_every_service_and_draws_only_its_own_graph(catalog: Catalog, architecture: str) -> None:
    text = pages(catalog, AS_OF)[f"architectures/{architecture}.md"]
    resolved = resolved_architectures(catalog)[architecture]
    present = {row["name"] for row in resolved["services"]}
    assert present, "an architecture page with no services"
    for service_id in present:
        assert f"(../services.md#service-{service_id} " in text
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    edges = re.findall(r"n_(\w+) --> n_(\w+)", diagram)
    expected = {(s.replace("-", "_"), d.replace("-", "_")) for s in present for d in catalog.services[s].depends_on if d in present}
    assert set(edges) == expected
    for cloud in ("aws", "gcp", "azure"):
        for machine in resolved["machines"]:
            if machine["instance_types"].get(cloud):
                assert str(neutralize(machine["instance_types"][cloud])) in text


def test_decision_tree_leaves_follow_the_methods_scale_rules(catalog: Catalog) -> None:
    tree = decision_tree(facts(catalog, AS_OF))
    for row in tree["rows"]:
        for nodes, leaf in row["leaves"].items():
            method = leaf["method"]
            if method is None:
                assert not any(
                    m.scale.nodes == nodes and row["size"].id in m.scale.sizes and m.scale.production
                    for m in facts(catalog, AS_OF).current_methods()
                    if m.new_installs == "allowed"
                )
                continue
            assert method.scale.nodes == nodes and row["size"].id in method.scale.sizes and method.scale.production
            assert method.new_installs == "allowed"
            if leaf["architecture"]:
                assert (leaf["architecture"].method, leaf["architecture"].size) == (method.id, row["size"].id)


def test_choosing_page_draws_the_tree_and_links_every_leaf(html_pages: dict[str, str], catalog: Catalog) -> None:
    text = page(html_pages, "generated/choosing")
    assert 'class="mermaid"' in text
    for row in decision_tree(facts(catalog, AS_OF))["rows"]:
        for leaf in row["leaves"].values():
            if leaf["architecture"]:
                assert f'href="../architectures/{leaf["architecture"].id}/"' in text


# --- downloads ------------------------------------------------------------------------------


def test_catalog_download_holds_every_entity(built_site: Path) -> None:
    data = json.loads((built_site / "generated" / "downloads" / "catalog.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 1 and data["catalog_version"] == catalog_version(CATALOG)
    for kind, entity_id, _ in ENTITIES:
        if kind == "release":
            assert entity_id in [r["version"] for r in data["releases"]["releases"]]
        else:
            assert entity_id in data[f"{kind}s"], (kind, entity_id)


@pytest.mark.parametrize("schema", sorted(p.name for p in (ROOT / "catalog" / "schema").glob("*.json")))
def test_schemas_are_downloadable_as_committed(built_site: Path, schema: str) -> None:
    assert (built_site / "generated" / "downloads" / "schema" / schema).read_text(encoding="utf-8") == (ROOT / "catalog" / "schema" / schema).read_text(
        encoding="utf-8"
    )


# --- configuration and commands ---------------------------------------------------------------


def test_mkdocs_config_is_strict_with_no_plugin_the_build_depends_on() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)  # noqa: S506 - our own file, with !!python/name tags
    assert config["strict"] is True
    assert config["plugins"] == ["search"]
    features = set(config["theme"]["features"])
    assert {"navigation.tabs", "navigation.sections", "content.tabs.link", "content.code.copy", "search.highlight"} <= features
    assert len(config["theme"]["palette"]) == 2
    extensions = [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]
    assert {"admonition", "pymdownx.tabbed", "pymdownx.superfences", "pymdownx.details"} <= set(extensions)


def test_generated_pages_are_not_committed(repo_root: Path) -> None:
    ignored = (repo_root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "site/generated/" in ignored and "build/" in ignored


def test_generate_is_a_cli_command_and_leaves_unchanged_files_alone(run: Callable[..., Result], tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "site").mkdir()
    args = ("site", "generate", "--root", str(tmp_path), "--catalog", str(repo_root), "--as-of", AS_OF.isoformat())
    assert run(*args).exit_code == 0
    page_file = tmp_path / "site" / "generated" / "support-matrix.md"
    first = page_file.stat().st_mtime_ns
    stale = tmp_path / "site" / "generated" / "stale.md"
    stale.write_text("old", encoding="utf-8")
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert page_file.stat().st_mtime_ns == first
    assert not stale.exists()


def test_a_bad_date_is_an_input_error(run: Callable[..., Result], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["site", "build", "--root", str(tmp_path), "--as-of", "tomorrow"])
    assert result.exit_code == 2
    assert "--as-of: expected a date like 2026-11-27 (got 'tomorrow')" in result.output


# --- exceptions --------------------------------------------------------------------------------


def test_exceptions_page_asks_the_five_questions(html_pages: dict[str, str]) -> None:
    from refarch.models.requirements import Answers

    text = html.unescape(page(html_pages, "generated/exceptions"))
    numbered = sorted({(info.description or "")[:2] for info in Answers.model_fields.values() if (info.description or "").startswith("Q")})
    assert numbered == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    for name, info in Answers.model_fields.items():
        if (info.description or "").startswith("Q"):
            assert info.description.split(": ", 1)[1].lower() in text.lower(), name  # type: ignore[union-attr]
            assert f"<code>{name}</code>" in text, name


def test_request_template_has_every_field_of_a_request(built_site: Path) -> None:
    from refarch.models.requirements import ExceptionRequest

    template = yaml.safe_load((built_site / "generated" / "downloads" / "exception-request-template.yaml").read_text(encoding="utf-8"))
    assert list(template) == list(ExceptionRequest.model_fields)
    assert set(template["answers"]) == set(ExceptionRequest.model_fields["answers"].annotation.model_fields)  # type: ignore[union-attr]


def test_no_granted_exception_record_field_reaches_the_site(built_site: Path) -> None:
    from refarch.models.requirements import Answers, ExceptionRecord, ExceptionRequest

    # "id" is too common a key to say anything; the others only exist on a granted record.
    record_only = set(ExceptionRecord.model_fields) - set(ExceptionRequest.model_fields) - set(Answers.model_fields) - {"id"}
    assert "approved_by" in record_only
    for path in built_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".yaml") and path.name != "catalog.json" and "schema" not in path.parts:
            text = path.read_text(encoding="utf-8")
            for field in record_only:
                assert f'"{field}"' not in text and f"{field}:" not in text, (path, field)


# --- the calculator's data ---------------------------------------------------------------------


def test_sizing_page_embeds_the_engines_model_unchanged(html_pages: dict[str, str]) -> None:
    sizing = pytest.importorskip("refarch.sizing", reason="the sizing engine (issue 3) is not in this checkout yet")
    text = page(html_pages, "generated/sizing")
    embedded = re.search(r'<script type="application/json" id="ra-sizing-model">(.*?)</script>', text, re.S)
    assert embedded, "the sizing page has no model for the calculator"
    model = sizing.sizing_model_json(CATALOG)
    assert json.loads(embedded.group(1)) == json.loads(json.dumps(model))
    # Same key order too: the calculator lists defaults in the order the engine does.
    assert list(json.loads(embedded.group(1))["inputs"]) == list(model["inputs"])
    for arch in CATALOG.architectures:
        assert f'data-architecture="{arch}"' in text


def test_releases_page_lists_every_required_stop(html_pages: dict[str, str]) -> None:
    from refarch.upgrades import required_stops

    text = page(html_pages, "generated/releases")
    for stop in required_stops(CATALOG):
        assert f'id="stop-{stop["id"]}"' in text, stop["id"]
        assert stop["versions"][0] in text and stop["versions"][-1] in text


def test_serve_rebuilds_when_a_page_changes(tmp_path: Path) -> None:
    """`refarch site serve` builds, serves, and rebuilds after an edit (the browser then reloads itself)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "site", tmp_path / "site", ignore=shutil.ignore_patterns("generated"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(Path(sys.executable).parent / "refarch"), "site", "serve", "--root", str(tmp_path), "--catalog", str(ROOT), "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def home(wanted: str) -> bool:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    if wanted in response.read().decode("utf-8"):
                        return True
            except OSError:
                pass
            time.sleep(0.3)
        return False

    try:
        assert home("Sourcegraph reference architectures"), "the server never answered"
        index = tmp_path / "site" / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + "\nA freshly edited line.\n", encoding="utf-8")
        assert home("A freshly edited line."), "the edit was not rebuilt"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_build_skips_generation_only_while_nothing_changed(run: Callable[..., Result], tmp_path: Path, catalog_copy: Path) -> None:
    site_root = tmp_path / "root"
    site_root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", site_root / "mkdocs.yml")
    shutil.copytree(ROOT / "site", site_root / "site", ignore=shutil.ignore_patterns("generated"))
    args = ("site", "build", "--root", str(site_root), "--catalog", str(catalog_copy), "--as-of", AS_OF.isoformat())
    assert run(*args).output.startswith("generated ")
    assert run(*args).output.startswith("pages are up to date;")
    helm = catalog_copy / "catalog" / "methods" / "helm.yaml"
    helm.write_text(helm.read_text(encoding="utf-8").replace("name: Kubernetes with Helm", "name: Helm on Kubernetes"), encoding="utf-8")
    result = run(*args)
    assert result.output.startswith("generated "), result.output
    assert "Helm on Kubernetes" in (site_root / "site" / "generated" / "deployment-options.md").read_text(encoding="utf-8")
    assert run("site", "build", "--root", str(site_root), "--catalog", str(catalog_copy), "--as-of", "2026-11-28").output.startswith("generated ")


def _site_root(tmp_path: Path, repo_root: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir(parents=True)
    shutil.copy(repo_root / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(repo_root / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    return root


def test_site_build_on_a_broken_catalog_exits_2_with_the_problems(run: Callable[..., Result], tmp_path: Path, repo_root: Path, catalog_copy: Path) -> None:
    helm = catalog_copy / "catalog" / "methods" / "helm.yaml"
    helm.write_text(helm.read_text(encoding="utf-8").replace("\nmvu:", "\nmvuu:", 1), encoding="utf-8")
    result = run("site", "build", "--root", str(_site_root(tmp_path, repo_root)), "--catalog", str(catalog_copy))
    assert result.exit_code == 2
    assert "catalog/methods/helm.yaml:" in result.stderr and "did you mean 'mvu'?" in result.stderr
    assert "Traceback" not in result.output


def test_generating_in_a_child_process_writes_the_same_pages(tmp_path: Path, repo_root: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import os

    from refarch.site import generate_and_build

    day = dt.date(2026, 11, 27)
    forked, plain = _site_root(tmp_path / "a", repo_root), _site_root(tmp_path / "b", repo_root)
    _, count = generate_and_build(lambda: catalog, forked, day)
    monkeypatch.delattr(os, "fork")
    assert generate_and_build(lambda: catalog, plain, day)[1] == count
    files = sorted(p.relative_to(forked).as_posix() for p in (forked / "site" / "generated").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(plain).as_posix() for p in (plain / "site" / "generated").rglob("*") if p.is_file())
    for name in files:
        assert (forked / name).read_bytes() == (plain / name).read_bytes(), name


def test_pages_without_the_library_feeds_leave_them_and_their_temporary_files_alone(tmp_path: Path, catalog: Catalog) -> None:
    """generate_and_build's child writes the pages while the parent writes the feed and the calendar in the same folder."""
    import datetime as dt

    from refarch.feeds import ATOM, ICS
    from refarch.site import GENERATED, generate

    feeds = tmp_path / GENERATED / "feeds"
    feeds.mkdir(parents=True)
    for name in (ATOM, ICS, "feeds/.lifecycle.atom.k2j3.tmp", "feeds/stale.json"):
        (tmp_path / GENERATED / name).write_text("the parent's\n", encoding="utf-8")
    generate(catalog, tmp_path, dt.date(2026, 11, 27), library_feeds=False)
    assert sorted(p.name for p in feeds.iterdir() if p.is_file()) == [".lifecycle.atom.k2j3.tmp", "end-of-support.ics", "lifecycle.atom"]
    assert (tmp_path / GENERATED / ATOM).read_text(encoding="utf-8") == "the parent's\n"
    generate(catalog, tmp_path, dt.date(2026, 11, 27))
    assert sorted(p.name for p in feeds.iterdir() if p.is_file()) == ["end-of-support.ics", "lifecycle.atom"]
    assert (tmp_path / GENERATED / ATOM).read_text(encoding="utf-8").startswith("<?xml")


def test_the_engine_names_no_product(repo_root: Path, catalog: Catalog) -> None:
    """Every product fact lives in the catalog: the code, templates and calculator never name the product."""
    names = {catalog.product.name.lower(), catalog.product.id.lower()}
    engine = [
        *(repo_root / "generators" / "refarch").rglob("*.py"),
        *(repo_root / "generators" / "refarch").rglob("*.j2"),
        *(repo_root / "site" / "javascripts").glob("*.js"),
    ]
    assert engine
    for path in engine:
        text = path.read_text(encoding="utf-8").lower()
        assert not any(name in text for name in names), f"{path} names the product"


# --- nothing loaded from another host -------------------------------------------------------------

# What a page loads: scripts, stylesheets, fonts, images, frames; in CSS, url() and @import.
LOADS = re.compile(r"<(?:script|link|img|source|iframe|embed|object|video|audio)\b[^>]*?\s(?:src|href|srcset|data)=[\"']([^\"']+)[\"']", re.I)
CSS_LOADS = re.compile(r"url\(\s*[\"']?([^\"')]+)|@import\s+[\"']([^\"']+)", re.I)


def foreign(reference: str) -> bool:
    """Whether a reference would go to another host (a scheme with a host, or protocol-relative)."""
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", reference.strip(), re.I))


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("https://unpkg.com/mermaid.js", True), ("//fonts.gstatic.com/x", True), ("../assets/x.js", False), ("data:image/svg+xml,x", False)],
)
def test_foreign_reference_detection(reference: str, expected: bool) -> None:
    assert foreign(reference) is expected


def test_the_built_site_loads_nothing_from_another_host(built_site: Path) -> None:
    offenders = []
    for path in sorted(built_site.rglob("*")):
        if path.suffix in (".html", ".css"):
            text = path.read_text(encoding="utf-8")
            pattern = LOADS if path.suffix == ".html" else CSS_LOADS
            refs = [ref for match in pattern.finditer(text) for ref in match.groups() if ref]
            if path.suffix == ".html":  # inline styles can load too
                refs += [
                    ref
                    for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S)
                    for match in CSS_LOADS.finditer(style)
                    for ref in match.groups()
                    if ref
                ]
            offenders += [f"{path.relative_to(built_site)}: {ref}" for ref in refs if foreign(ref)]
    assert offenders == []
    # The theme loads mermaid from a host unless the page brings its own copy: every page with a diagram does.
    diagrams = [p for p in built_site.rglob("*.html") if 'class="mermaid"' in p.read_text(encoding="utf-8")]
    assert len(diagrams) >= len(CATALOG.architectures)
    for path in diagrams:
        script = re.search(r'<script src="([^"]*vendor/mermaid\.min\.js)">', path.read_text(encoding="utf-8"))
        assert script, f"{path} has a diagram but loads no local mermaid"
        assert (path.parent / script.group(1)).resolve() == (built_site / "generated" / "vendor" / "mermaid.min.js").resolve()
    assert (
        (built_site / "generated" / "vendor" / "mermaid.min.js")
        .read_text(encoding="utf-8")
        .rstrip()
        .endswith('globalThis["mermaid"] = globalThis.__esbuild_esm_mermaid_nm["mermaid"].default;')
    )
