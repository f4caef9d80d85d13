"""The fleet report against an independent computation from the issue's definitions, on a generated fleet.

The expected figures are computed here from the CSV text and the catalog's release table alone, with none of
refarch.fleet's code; the generated fleet carries every boundary of the definitions (see BOUNDARIES).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import statistics
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from refarch.fleet.inventory import REQUIRED, Known, _finish, connect, field_problems, from_rows, read_inventory
from refarch.fleet.report import fleet_report
from refarch.freshness import newer_than_catalog
from refarch.lifecycle import end_of_support
from refarch.loading import Catalog
from refarch.problems import InputError
from refarch.upgrades import upgrade_plan

DATA = Path(__file__).parent / "data" / "fleet"
METHODS = ("helm", "kustomize", "docker-compose")
AS_OF_DATES = (dt.date(2026, 11, 30), dt.date(2026, 1, 10))
DAY = dt.timedelta(days=1)

# --- the independent computation ----------------------------------------------------------------


def vkey(text: str) -> tuple[int, int, int]:
    """(major, minor, patch or -1) of "7.5", "v7.5.12"."""
    parts = [int(p) for p in text.removeprefix("v").split(".")]
    return (parts[0], parts[1], parts[2] if len(parts) > 2 else -1)


def read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            {**row, "day": dt.date.fromisoformat(row["observed_at"][:10]), "key": vkey(row["version"]), "minor": vkey(row["version"])[:2]}
            for row in csv.DictReader(handle)
        ]


class Expected:
    def __init__(self, catalog: Catalog, rows: list[dict[str, Any]]):
        self.releases = [(tuple(int(p) for p in r.version.split(".")), r.version, r.released, end_of_support(catalog, r)) for r in catalog.releases.releases]
        self.rows = rows
        self.by_instance: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            self.by_instance.setdefault(row["instance"], []).append(row)

    def behind(self, minor: tuple[int, int], day: dt.date) -> int:
        return sum(1 for key, _, released, _ in self.releases if key > minor and released <= day)

    def state(self, instance: str, day: dt.date) -> dict[str, Any] | None:
        """Its latest check-in on or before `day`, the highest version if several share that day."""
        seen = [r for r in self.by_instance[instance] if r["day"] <= day]
        if not seen:
            return None
        last = max(r["day"] for r in seen)
        return max((r for r in seen if r["day"] == last), key=lambda r: r["key"])

    def active(self, day: dt.date, active_days: int, method: str | None = None) -> dict[str, dict[str, Any]]:
        out = {}
        for instance, rows in self.by_instance.items():
            if any(day - dt.timedelta(days=active_days) <= r["day"] <= day for r in rows):
                state = self.state(instance, day)
                assert state is not None
                if method is None or state["method"] == method:
                    out[instance] = state
        return out

    def currency(self, day: dt.date, active_days: int, method: str | None = None) -> dict[str, Any]:
        behind = [self.behind(s["minor"], day) for s in self.active(day, active_days, method).values()]
        n = len(behind)
        return {
            "active_instances": n,
            "on_latest": round(sum(1 for b in behind if b == 0) / n, 4) if n else None,
            "within_one_release": round(sum(1 for b in behind if b <= 1) / n, 4) if n else None,
            "median_minors_behind": statistics.median(behind) if n else None,
        }

    def support(self, day: dt.date, active_days: int, method: str | None = None) -> tuple[int, int]:
        eol = {key: end for key, _, _, end in self.releases}
        out = leaving = 0
        for state in self.active(day, active_days, method).values():
            end = eol[state["minor"]]
            if end is not None and end <= day:
                out += 1
            elif end is not None and end <= day + dt.timedelta(days=90):
                leaving += 1
        return out, leaving

    def adoption(self, day: dt.date, active_days: int, method: str | None = None) -> list[dict[str, Any]]:
        out = []
        for key, version, r, _ in sorted(self.releases, reverse=True):
            if not day - dt.timedelta(days=365) <= r <= day - dt.timedelta(days=30):
                continue
            population = adopted = 0
            for instance, rows in self.by_instance.items():
                if not any(r - dt.timedelta(days=active_days) <= row["day"] <= r for row in rows):
                    continue
                state = self.state(instance, r)
                assert state is not None
                if state["minor"] >= key or (method is not None and state["method"] != method):
                    continue
                population += 1
                adopted += any(row["minor"] >= key and row["day"] <= r + dt.timedelta(days=30) for row in rows)
            out.append(
                {
                    "version": version,
                    "released": r.isoformat(),
                    "population": population,
                    "adopted": adopted,
                    "share": round(adopted / population, 4) if population else None,
                }
            )
        return out


# --- the generated fleet --------------------------------------------------------------------------


def _write(rng: random.Random, version: str, patch: str) -> str:
    """The version as a customer might write it: with or without `v`, with or without a patch."""
    style = rng.randrange(4)
    text = version if style < 2 else patch
    return ("v" + text) if style % 2 else text


def _when(rng: random.Random, day: dt.date) -> str:
    style = rng.randrange(3)
    return day.isoformat() + ("" if style == 0 else "T23:59:59Z" if style == 1 else "T00:00:00+00:00")


def generate_fleet(catalog: Catalog, as_of: dt.date, active_days: int, seed: int = 14) -> tuple[list[list[str]], dict[str, str]]:
    """Rows of a fleet around `as_of`, and the boundary instances (id -> what they test)."""
    rng = random.Random(seed)
    releases = [r for r in catalog.releases.releases if r.released <= as_of + dt.timedelta(days=60)]
    rows: list[list[str]] = []
    for n in range(240):
        method = METHODS[n % len(METHODS)]
        at = rng.randrange(max(1, len(releases) - 16), len(releases))
        day = as_of - dt.timedelta(days=rng.randrange(330, 420))
        while day <= as_of + dt.timedelta(days=10):
            while at + 1 < len(releases) and releases[at + 1].released <= day and rng.random() < 0.35:
                at += 1
            rows.append([f"i-{n:03d}", f"customer-{n // 4}", _when(rng, day), _write(rng, releases[at].version, releases[at].latest_patch), method])
            day += dt.timedelta(days=rng.choice((1, 3, 7, 12, 20)))
    boundaries: dict[str, str] = {}

    def add(instance: str, why: str, *checkins: tuple[dt.date, str]) -> None:
        boundaries[instance] = why
        rows.extend([instance, "boundary", _when(rng, day), version, "helm"] for day, version in checkins)

    released = [r for r in catalog.releases.releases if r.released <= as_of]
    latest, older = released[-1], released[-3]
    add("b-active-edge", "a check-in exactly active_days ago: active", (as_of - dt.timedelta(days=active_days), "v" + older.latest_patch))
    add("b-inactive-edge", "a check-in active_days + 1 ago: not active", (as_of - dt.timedelta(days=active_days + 1), older.version))
    add("b-same-day", "two check-ins on one day: the higher version counts", (as_of - 2 * DAY, "v" + latest.version), (as_of - 2 * DAY, older.latest_patch))
    add("b-future", "a check-in after as_of is ignored", (as_of - 3 * DAY, older.version), (as_of + DAY, latest.version))
    for release in reversed(catalog.releases.releases):
        eol = end_of_support(catalog, release)
        if eol is not None and eol <= as_of and "b-out" not in boundaries:
            add("b-out", "on a minor out of support on as_of", (as_of - DAY, release.version))
        if eol is not None and as_of < eol <= as_of + dt.timedelta(days=90) and "b-leaving" not in boundaries:
            add("b-leaving", "on a minor that leaves support within 90 days", (as_of - DAY, "v" + release.latest_patch))
    window = [r for r in catalog.releases.releases if as_of - dt.timedelta(days=365) <= r.released <= as_of - dt.timedelta(days=30)]
    if window:
        head = window[-1]
        before = next(r for r in reversed(catalog.releases.releases) if r.released < head.released)
        r, after = head.released, "v" + head.latest_patch
        add("b-on-r", "a check-in on day r on an older version, then R on r + 30: population, adopted", (r, before.version), (r + 30 * DAY, after))
        add("b-r-31", "on day r on an older version, R only on r + 31: population, not adopted", (r, before.version), (r + 31 * DAY, after))
        add("b-r-new", "on R on day r: not in the population", (r, head.version))
        add(
            "b-r-edge",
            "a check-in exactly active_days before r: population",
            (r - dt.timedelta(days=active_days), before.latest_patch),
            (r + 5 * DAY, head.version),
        )
        add(
            "b-r-edge-1",
            "a check-in active_days + 1 before r: not in the population",
            (r - dt.timedelta(days=active_days + 1), before.version),
            (r + 5 * DAY, head.version),
        )
    rng.shuffle(rows)
    return rows, boundaries


def write_csv(path: Path, rows: list[list[str]], header: tuple[str, ...] = (*REQUIRED, "method")) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module", params=AS_OF_DATES, ids=str)
def fleet(request: pytest.FixtureRequest, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> tuple[dt.date, Path, dict[str, Any], dict[str, str]]:
    as_of: dt.date = request.param
    rows, boundaries = generate_fleet(catalog, as_of, 14)
    path = write_csv(tmp_path_factory.mktemp("fleet") / "fleet.csv", rows)
    report = fleet_report(catalog, read_inventory(path, catalog), as_of, 14)
    return as_of, path, report, boundaries


# --- the figures ---------------------------------------------------------------------------------


def test_headline_figures_equal_the_independent_computation(fleet: Any, catalog: Catalog) -> None:
    as_of, path, report, _ = fleet
    expected = Expected(catalog, read_rows(path))
    for key, value in expected.currency(as_of, 14).items():
        assert report[key] == value, key
    assert (report["out_of_support"]["instances"], report["out_of_support"]["leaving_within_90_days"]) == expected.support(as_of, 14)
    assert report["adoption"] == expected.adoption(as_of, 14)
    assert report["headline"] == (report["adoption"][0] if report["adoption"] else None)
    assert [a["version"] for a in report["adoption"]] == sorted((a["version"] for a in report["adoption"]), key=vkey, reverse=True)


def test_every_method_equals_the_independent_computation(fleet: Any, catalog: Catalog) -> None:
    as_of, path, report, _ = fleet
    expected = Expected(catalog, read_rows(path))
    assert set(report["by_method"]) == set(METHODS)
    for method, figures in report["by_method"].items():
        for key, value in expected.currency(as_of, 14, method).items():
            assert figures[key] == value, (method, key)
        assert (figures["out_of_support"]["instances"], figures["out_of_support"]["leaving_within_90_days"]) == expected.support(as_of, 14, method)
        assert figures["adoption"] == expected.adoption(as_of, 14, method), method


def test_the_trend_equals_the_figures_on_each_of_its_dates(fleet: Any, catalog: Catalog) -> None:
    as_of, path, report, _ = fleet
    expected = Expected(catalog, read_rows(path))
    assert report["trend"][-1]["date"] == as_of.isoformat()
    assert dt.date.fromisoformat(report["trend"][0]["date"]) <= as_of - dt.timedelta(days=360)
    for point in report["trend"]:
        day = dt.date.fromisoformat(point["date"])
        assert {k: point[k] for k in ("active_instances", "on_latest", "within_one_release", "median_minors_behind")} == expected.currency(day, 14), point[
            "date"
        ]


def test_each_instance_has_its_version_and_the_planners_summary(fleet: Any, catalog: Catalog) -> None:
    as_of, path, report, _ = fleet
    expected = Expected(catalog, read_rows(path))
    active = expected.active(as_of, 14)
    assert [i["instance"] for i in report["instances"]] == sorted(active)
    latest = [r for r in catalog.releases.releases if r.released <= as_of][-1]
    checked = 0
    for item in report["instances"]:
        state = active[item["instance"]]
        assert item["version"] == state["version"].removeprefix("v")
        assert item["minors_behind"] == expected.behind(state["minor"], as_of)
        assert item["method"] == state["method"] and item["customer"] == state["customer"]
        if item["upgrade"] and "error" in item["upgrade"]:
            with pytest.raises(InputError) as caught:
                upgrade_plan(catalog, item["version"], latest.version, item["method"])
            assert item["upgrade"]["error"] == caught.value.problems[0].message
        elif item["minors_behind"] > 0 and checked < 5:
            plan = upgrade_plan(catalog, item["version"], latest.version, item["method"])
            assert item["upgrade"]["to"] == plan["to"] == latest.latest_patch
            assert item["upgrade"]["steps"] == plan["totals"]["steps"]
            assert item["upgrade"]["downtime"] == plan["total_downtime"]["summary"]
            checked += 1
    assert checked == 5


def test_the_boundaries_are_in_the_fleet_and_land_on_the_right_side(fleet: Any, catalog: Catalog) -> None:
    as_of, path, report, boundaries = fleet
    listed = {i["instance"]: i for i in report["instances"]}
    assert "b-active-edge" in listed and "b-inactive-edge" not in listed
    latest = [r for r in catalog.releases.releases if r.released <= as_of][-1]
    assert listed["b-same-day"]["version"] == latest.version and listed["b-same-day"]["minors_behind"] == 0
    assert listed["b-future"]["minors_behind"] == 2
    assert listed["b-out"]["support"] == "end-of-life"
    if as_of == dt.date(2026, 1, 10):  # 5.x leaves support when 7.0 is released, 2026-02-25
        assert listed["b-leaving"]["support"] == "supported" and report["out_of_support"]["leaving_within_90_days"] >= 1
    text = path.read_text(encoding="utf-8")
    assert re.search(r",v\d+\.\d+\.\d+,", text) and "T23:59:59Z" in text and "+00:00" in text
    if report["adoption"]:
        expected = Expected(catalog, read_rows(path))
        head = report["adoption"][0]
        key = vkey(head["version"])[:2]
        r = dt.date.fromisoformat(head["released"])

        def counted(instance: str) -> tuple[bool, bool]:
            rows = expected.by_instance[instance]
            state = expected.state(instance, r)
            population = any(r - dt.timedelta(days=14) <= row["day"] <= r for row in rows) and state is not None and state["minor"] < key
            return population, population and any(row["minor"] >= key and row["day"] <= r + dt.timedelta(days=30) for row in rows)

        assert counted("b-on-r") == (True, True)
        assert counted("b-r-31") == (True, False)
        assert counted("b-r-new") == (False, False)
        assert counted("b-r-edge") == (True, True)
        assert counted("b-r-edge-1") == (False, False)


def test_a_fleet_without_a_method_column_has_no_per_method_figures(catalog: Catalog, tmp_path: Path) -> None:
    rows, _ = generate_fleet(catalog, AS_OF_DATES[0], 14, seed=3)
    path = write_csv(tmp_path / "plain.csv", [row[:4] for row in rows], REQUIRED)
    report = fleet_report(catalog, read_inventory(path, catalog), AS_OF_DATES[0])
    assert report["by_method"] is None
    assert all(i["upgrade"] is None for i in report["instances"])
    assert report["active_instances"] == Expected(catalog, read_rows(path)).currency(AS_OF_DATES[0], 14)["active_instances"]


def test_json_lines_give_the_same_report_as_csv(catalog: Catalog, tmp_path: Path) -> None:
    rows, _ = generate_fleet(catalog, AS_OF_DATES[0], 14, seed=5)
    csv_path = write_csv(tmp_path / "fleet.csv", rows)
    jsonl = tmp_path / "fleet.jsonl"
    jsonl.write_text("".join(json.dumps(dict(zip((*REQUIRED, "method"), row, strict=True))) + "\n" for row in rows), encoding="utf-8")
    from_csv = fleet_report(catalog, read_inventory(csv_path, catalog), AS_OF_DATES[0])
    assert fleet_report(catalog, read_inventory(jsonl, catalog), AS_OF_DATES[0]) == from_csv


def test_an_empty_fleet_has_no_shares(catalog: Catalog, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "empty.csv", [])
    report = fleet_report(catalog, read_inventory(path, catalog), AS_OF_DATES[0])
    assert report["active_instances"] == 0 and report["on_latest"] is None and report["median_minors_behind"] is None
    assert all(a["population"] == 0 and a["share"] is None for a in report["adoption"])


# --- bad rows --------------------------------------------------------------------------------------

CASES = sorted(p for p in (DATA / "invalid").iterdir() if p.suffix in (".csv", ".jsonl"))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_row_is_located_as_file_line(case: Path, run: Callable[..., Result], catalog: Catalog) -> None:
    result = run("fleet", "report", str(case), "--as-of", "2026-11-30", "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == ""
    minors = [r.version for r in catalog.releases.releases]
    expected = (
        case.with_suffix(".expected")
        .read_text(encoding="utf-8")
        .format(
            file=case,
            methods=", ".join(sorted(catalog.methods)),
            platforms=", ".join(sorted(catalog.platforms)),
            first=minors[0],
            newer=newer_than_catalog(catalog, "99.1"),
        )
    )
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected.splitlines()
    assert re.fullmatch(r"\d+ problems? found", lines[-1])


VALUES: dict[str, list[str | None]] = {
    "instance": ["i-1", "", " ", "\t", None],
    "customer": ["Acme", "", None],
    "observed_at": [
        "2026-11-01",
        "2026-11-01T10:00Z",
        "2026-11-01T10:00:00.5Z",
        "2026-11-01T10:00:00+00:00",
        "2026-11-01T24:00:00Z",
        "2026-11-01T10:00:00+01:00",
        "2026-02-29",
        "2028-02-29",
        "2026-1-01",
        " 2026-11-01",
        "0999-01-01",
        "2026-11-01T10:00:60Z",
        None,
        "20261101",
    ],
    "version": [
        "7.5",
        "v7.5",
        "V7.5",
        "7.5.0",
        "v07.05.0001",
        "7.5.12345",
        "7.5.123456",
        "7.10",
        "7",
        "7.5.",
        "7..5",
        "+7.5",
        " 7.5",
        "7.5 ",
        "3.19",
        "99.0",
        None,
    ],
    "method": ["helm", "helms", "", None],
    "platform": ["eks", "", None, "ekss"],
}


@pytest.mark.parametrize(("column", "value"), [(c, v) for c, values in VALUES.items() for v in values])
def test_the_bulk_and_the_located_pass_agree_on_every_rule(column: str, value: str | None, catalog: Catalog) -> None:
    """DuckDB's bulk check and the Python pass that locates problems must judge every value alike."""
    row: dict[str, str | None] = {
        "instance": "i-1",
        "customer": "Acme",
        "observed_at": "2026-11-01",
        "version": "7.5",
        "method": "helm",
        "platform": "eks",
        column: value,
    }
    known = Known.of(catalog)
    con = connect()
    con.execute("CREATE TABLE given (" + ", ".join(f"{c} VARCHAR" for c in row) + ")")
    con.execute(f"INSERT INTO given VALUES ({', '.join('?' for _ in row)})", [v or None for v in row.values()])
    bad = _finish(con, "SELECT * FROM given", list(row), known)
    assert (bad == 0) == (not list(field_problems(row, known, row))), list(field_problems(row, known, row))


def test_rows_in_memory_are_checked_with_the_same_rules(catalog: Catalog) -> None:
    with pytest.raises(InputError) as caught:
        from_rows([{"instance": "i-1", "customer": "Acme", "observed_at": "2026-11-01", "version": "seven"}], catalog)
    assert [str(p) for p in caught.value.problems] == ['<rows>:1: version: expected a version like "7.5", "7.5.1" or "v7.5.1" (got \'seven\')']


# --- the command ------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_command_reads_the_planners_routing_table_once(fleet: Any, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    """Every upgrade summary plans a path from the routing table; reading it (and the catalog's key) is done once, not per plan."""
    import refarch.cli.upgrade as upgrade_cli

    reads: list[Path] = []
    real = upgrade_cli._routes
    monkeypatch.setattr(upgrade_cli, "_routes", lambda root: reads.append(root) or real(root))
    as_of, path, _, _ = fleet
    result = run("fleet", "report", str(path), "--as-of", as_of.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.stderr
    planned = {(i["version"], i["method"]) for i in json.loads(result.stdout)["instances"] if (i.get("upgrade") or {}).get("steps")}
    assert len(planned) > 1 and len(reads) == 1


def test_the_command_gives_json_table_markdown_and_html(fleet: Any, run: Callable[..., Result], tmp_path: Path) -> None:
    as_of, path, report, _ = fleet
    result = run("fleet", "report", str(path), "--as-of", as_of.isoformat(), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data == json.loads(json.dumps(report))
    assert data["schema_version"] == 1 and data["catalog"]["newest_release"]
    table = run("fleet", "report", str(path), "--as-of", as_of.isoformat())
    assert f"Active instances: {report['active_instances']:,}" in table.stdout
    markdown = run("fleet", "report", str(path), "--as-of", as_of.isoformat(), "--format", "markdown").stdout
    assert markdown.startswith("# Fleet report") and "| release | released | population | adopted | share |" in markdown
    out = tmp_path / "fleet.html"
    assert run("fleet", "report", str(path), "--as-of", as_of.isoformat(), "--format", "html", "-o", str(out)).exit_code == 0
    parser = _Tags()
    parser.feed(out.read_text(encoding="utf-8"))
    tags = [t for t, _ in parser.tags]
    assert tags.count("svg") == 3 and "script" not in tags and "link" not in tags
    assert not [a for _, attrs in parser.tags for k, a in attrs.items() if k in ("src", "href")], "the report loads nothing"
    assert run("fleet", "report", str(path), "--as-of", as_of.isoformat(), "-o", str(path)).exit_code == 2


def test_the_site_gets_a_fleet_page_with_the_charts(catalog: Catalog, tmp_path: Path, repo_root: Path, run: Callable[..., Result]) -> None:
    import shutil

    rows, _ = generate_fleet(catalog, AS_OF_DATES[0], 14, seed=7)
    inventory = write_csv(tmp_path / "fleet.csv", rows)
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(repo_root / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(repo_root / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    result = run("site", "build", "--root", str(root), "--catalog", str(repo_root), "--as-of", AS_OF_DATES[0].isoformat(), "--fleet", str(inventory))
    assert result.exit_code == 0, result.output
    html = (root / "build" / "site" / "generated" / "fleet" / "index.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    assert sum(1 for t, attrs in parser.tags if t == "svg" and attrs.get("role") == "img") == 3
    report = fleet_report(catalog, read_inventory(inventory, catalog), AS_OF_DATES[0], plans=False)
    assert f"Active instances: {report['active_instances']:,}" in html
    for feed in ("feeds/lifecycle.atom", "feeds/end-of-support.ics", "feeds/badges/latest-release.json"):
        assert (root / "build" / "site" / "generated" / feed).is_file(), f"the built site serves {feed}"
    assert 'href="../fleet/"' in (root / "build" / "site" / "generated" / "releases" / "index.html").read_text(encoding="utf-8"), "the nav links the page"
