"""The built site and the API docs in headless Chromium with the network blocked, as on a machine without internet:
every page of every kind loads nothing from another host, logs no error, renders its diagrams as SVG and fits at
1280 and 400 px; search answers, the palette toggle switches the scheme, the calculator answers and /api/v1/docs
lists the operations. Pages are served over HTTP from a local server, as any static host would."""

from __future__ import annotations

import base64
import functools
import http.server
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdp import CHROMIUM, Chrome, Page
from refarch.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTHS = (1280, 400)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium; .ci/run installs it)")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the name http.server uses
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser-site")
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    result = CliRunner().invoke(main, ["site", "build", "--root", str(root), "--catalog", str(ROOT)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / "build" / "site"


@pytest.fixture(scope="module")
def site_url(built: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)  # port 0: any free port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chrome]:
    chrome = Chrome()
    try:
        yield chrome
    finally:
        chrome.close()


@pytest.fixture(scope="module")
def tab(browser: Chrome) -> Page:
    return browser.page()


def every_page(built: Path) -> list[str]:
    return sorted("/" + p.parent.relative_to(built).as_posix().removeprefix(".") + ("/" if p.parent != built else "") for p in built.rglob("index.html"))


def page_path(url_path: str) -> str:
    return url_path.strip("/") + "/index.html" if url_path.strip("/") else "index.html"


def offsite(tab: Page, base: str) -> list[str]:
    return [u for u in tab.requested() if not (u.startswith(base) or u.startswith(("data:", "blob:", "about:")))]


def load(tab: Page, url: str, diagrams: int = 0) -> None:
    tab.goto(url)
    if diagrams:
        tab.wait_until(lambda: tab.shadow_svgs() >= diagrams, f"{diagrams} diagram(s) on {url} to render as SVG")


# Whether the page is wider than the window, and every table whose columns do not all show in its box.
LAYOUT = """(() => {
  const page = document.documentElement, tables = [];
  document.querySelectorAll("article table").forEach((table) => {
    let box = table.parentElement;
    while (box && box !== document.body && !["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    const columns = [...table.querySelectorAll("tr:first-child > *")].map((c) => c.textContent.trim()).join(" | ");
    const hidden = box && box !== document.body ? box.scrollWidth - box.clientWidth : 0;
    tables.push({columns, hidden, scrolls: !!box && ["auto", "scroll"].includes(getComputedStyle(box).overflowX)});
  });
  return {scrollWidth: page.scrollWidth, clientWidth: page.clientWidth, tables};
})()"""


def test_every_page_works_offline_and_fits(built: Path, site_url: str, tab: Page) -> None:
    """Every page at 1280 and 400 px: nothing from another host, no console error, diagrams as SVG, no clipped column.

    Each page loads once at 1280 px and is then narrowed to 400 px in place: the layout follows the window
    as it would on a phone, and the test stays well under a minute.
    """
    paths = every_page(built)
    assert len(paths) >= 19, paths
    # The calculator's answer has tables of its own: fill it in, as a reader would.
    paths.append("/generated/sizing/?users=8000&repositories=30000&cloud=azure")
    failures: list[str] = []
    figures: dict[int, list[int]] = {width: [] for width in WIDTHS}
    for path in paths:
        tab.resize(WIDTHS[0])
        diagrams = (built / page_path(path.split("?")[0])).read_text(encoding="utf-8").count('class="mermaid"')
        load(tab, site_url + path, diagrams)
        failures += [f"{path}: {problem}" for problem in tab.problems()]
        failures += [f"{path}: asked another host for {url}" for url in offsite(tab, site_url)]
        if diagrams and "flowchart LR" in tab.eval("document.body.innerText"):
            failures.append(f"{path}: a diagram shows as its source text")
        for width in WIDTHS:
            tab.resize(width)
            tab.wait_for(f"document.documentElement.clientWidth <= {width}", f"the window to be {width} px wide")
            layout = tab.eval("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(" + LAYOUT + "))))")
            figures[width].append(layout["scrollWidth"])
            if layout["scrollWidth"] > layout["clientWidth"]:
                failures.append(f"{width}px {path}: the page is {layout['scrollWidth']} px wide in a {layout['clientWidth']} px window")
            for table in layout["tables"]:
                if width >= 1280 and table["hidden"] > 1:
                    failures.append(f"{width}px {path}: table ({table['columns']}) hides {table['hidden']} px of its columns")
                elif table["hidden"] > 1 and not table["scrolls"]:
                    failures.append(f"{width}px {path}: table ({table['columns']}) is cut off and cannot scroll")
        failures += [f"{path} after resizing: {problem}" for problem in tab.problems()]
    assert failures == [], "\n".join(failures)
    print(f"checked {len(paths)} pages at {', '.join(f'{w} px (widest page {max(figures[w])} px)' for w in WIDTHS)}")


def test_search_returns_results_offline(site_url: str, tab: Page) -> None:
    tab.resize(1280)
    load(tab, f"{site_url}/generated/architectures/helm-l/", diagrams=1)
    tab.eval("document.querySelector('label[for=__search]').click(); document.querySelector('input.md-search__input').focus()")
    tab.wait_for("document.activeElement && document.activeElement.matches('input.md-search__input')", "the search box to take focus")
    tab.type("gitserver")
    tab.wait_for("document.querySelectorAll('.md-search-result__item').length > 0", "search results")
    meta = tab.eval("document.querySelector('.md-search-result__meta').textContent")
    assert "Initializing" not in meta, meta
    assert tab.problems() == []


def test_palette_toggle_switches_the_scheme(site_url: str, tab: Page) -> None:
    tab.resize(1280)
    load(tab, f"{site_url}/generated/architectures/helm-l/", diagrams=1)
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    before = tab.eval(scheme)
    tab.eval("document.querySelector('form[data-md-component=palette] label:not([hidden])').click()")
    tab.wait_for(f"{scheme} !== {json.dumps(before)}", "the colour scheme to change")
    assert {before, tab.eval(scheme)} == {"default", "slate"}
    assert tab.problems() == []


def test_calculator_answers_size_l_and_links_helm_l(site_url: str, tab: Page) -> None:
    tab.resize(1280, 2600)
    load(tab, f"{site_url}/generated/sizing/?users=8000&repositories=30000")
    tab.wait_for("!!document.getElementById('ra-tier')", "the calculator's answer")
    tier = tab.eval("[document.getElementById('ra-tier').textContent, document.getElementById('ra-tier').dataset.tier]")
    assert tier == ["L", "l"]
    href = tab.eval("document.getElementById('ra-architecture').getAttribute('href')")
    assert href.rstrip("/").endswith("architectures/helm-l"), href
    # The form holds what the address said, so the reader sees the numbers the answer is for.
    assert tab.eval("document.querySelector('input[name=users]').value") == "8000"
    # Every column has a heading, and inputs are named by their descriptions, never by their keys.
    assert tab.eval("[...document.querySelectorAll('#ra-result th')].filter(th => !th.textContent.trim()).length") == 0
    drivers = tab.eval("document.querySelector('#ra-result table').innerText")
    assert "People who will use the instance" in drivers and not re.search(r"\b[a-z]+_[a-z_]+\b", drivers), drivers
    assert tab.problems() == []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "calculator-8000-users-30000-repositories.png"
    shot.write_bytes(base64.b64decode(tab.send("Page.captureScreenshot", {"format": "png"})["data"]))
    assert shot.stat().st_size > 10_000
    load(tab, site_url + href if href.startswith("/") else f"{site_url}/generated/sizing/{href}")
    assert "Helm on Kubernetes, size L" in tab.eval("document.body.innerText")


@pytest.fixture(scope="module")
def api_url(built: Path) -> Iterator[str]:
    import socket

    import uvicorn

    from refarch.api import create_app
    from refarch.loading import load_catalog

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(load_catalog(ROOT), built), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_api_docs_list_every_operation_offline(api_url: str, tab: Page) -> None:
    tab.resize(1280)
    from urllib.request import urlopen

    with urlopen(f"{api_url}/api/v1/openapi.json") as answer:  # noqa: S310 - the local server started above
        spec = json.load(answer)
    operations = sum(1 for item in spec["paths"].values() for method in item if method in ("get", "post", "put", "delete", "patch"))
    load(tab, f"{api_url}/api/v1/docs")
    tab.wait_for(f"document.querySelectorAll('.opblock').length >= {operations}", f"Swagger UI to list {operations} operations")
    listed = tab.eval("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.getAttribute('data-path'))")
    assert sorted(set(listed)) == sorted(spec["paths"]), listed
    assert tab.problems() == []
    assert offsite(tab, api_url) == []
    # The site behind the same server: its pages work there too.
    load(tab, f"{api_url}/generated/architectures/helm-l/", diagrams=1)
    assert tab.problems() == []
    assert offsite(tab, api_url) == []
    assert re.search(r"Helm", tab.eval("document.title"))


def test_the_upgrade_planner_plans_through_the_api(api_url: str, tab: Page) -> None:
    """Served by refarch serve: the page asks the API and shows the same plan as the CLI, with each downtime explained."""
    from refarch.loading import load_catalog
    from refarch.upgrades import upgrade_plan

    expected = upgrade_plan(load_catalog(ROOT), "5.9", "latest", "helm")
    tab.resize(1280)
    load(tab, f"{api_url}/generated/upgrade-planner/?from=5.9&to=latest&method=helm")
    tab.wait_for("!!document.getElementById('ra-plan-headline')", "the plan")
    rows = tab.eval("[...document.querySelectorAll('#ra-plan tbody tr')].map(tr => [...tr.children].map(td => td.textContent))")
    assert [[r[0], r[1], r[2]] for r in rows] == [[str(s["step"]), s["from"], s["to"]] for s in expected["steps"]]
    explained = tab.eval("[...document.querySelectorAll('#ra-plan-downtime li')].map(li => li.textContent)")
    used = {s["downtime"] for s in expected["steps"]}
    assert len(explained) == len(used) and all(" — " in text for text in explained), explained
    assert tab.eval("document.getElementById('ra-plan-command').textContent") == "refarch upgrade-plan --from 5.9 --to latest --method helm"
    assert tab.problems() == [] and offsite(tab, api_url) == []
    # A downgrade gets the planner's own message, not a blank page.
    load(tab, f"{api_url}/generated/upgrade-planner/?from=7.5&to=6.0&method=helm")
    tab.wait_for("!!document.getElementById('ra-plan-problem')", "the planner's answer to a downgrade")
    assert "not downgrades" in tab.eval("document.getElementById('ra-plan').innerText")


def test_the_upgrade_planner_as_static_files_shows_the_command(site_url: str, tab: Page) -> None:
    tab.resize(1280)
    load(tab, f"{site_url}/generated/upgrade-planner/?from=6.1&to=7.5&method=docker-compose")
    tab.wait_for("!!document.getElementById('ra-plan-static')", "the static-site answer")
    assert tab.eval("document.getElementById('ra-plan-command').textContent") == "refarch upgrade-plan --from 6.1 --to 7.5 --method docker-compose"
    # The one failure is the asked-for API, which a plain file server does not have.
    assert [p for p in tab.problems() if "404" not in p] == []
    assert offsite(tab, site_url) == []
