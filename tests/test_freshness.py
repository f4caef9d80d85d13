"""The catalog's currency: the cadence, the catalog.freshness warning and the newer-than-catalog error.

Most tests use a fixture catalog whose release dates, check date and newest releases are fixed here,
so that neither today's date nor a future update of catalog/releases.yaml changes what they mean:
the shipped catalog with its release dates replaced by a steady 28-day cadence, made-up releases 87.0
to 99.0 at the end (98.0, latest patch 98.0.2; 99.0, latest patch 99.0.4, on 2026-11-20) and the release
list checked on 2026-11-27. With a 14-day grace the catalog is fresh until 2027-01-08 and stale from
2027-01-09.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from fastapi.testclient import TestClient

from refarch.api import create_app
from refarch.checking import check
from refarch.freshness import GRACE_DAYS, REFRESH, freshness, release_cadence, stale_message, version_problem
from refarch.loading import Catalog, load_catalog
from refarch.matrix import support_matrix
from refarch.models import Release, Releases, Requirements
from refarch.sizing import size
from refarch.upgrades import migrate_plan, upgrade_plan

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "freshness"

CHECKED = dt.date(2026, 11, 27)
NEWEST_DATE = dt.date(2026, 11, 20)
CADENCE = 28
FRESH_UNTIL = dt.date(2027, 1, 8)  # 2026-11-27 + 28 days + 14 days of grace
STALE_FROM = dt.date(2027, 1, 9)

STALE_MESSAGE = (
    "The catalog may be out of date: its release list was checked on 2026-11-27 and the newest release it knows is 99.0 "
    "(latest patch 99.0.4). With a minor release about every 28 days (median of the 12 intervals from 87.0 to 99.0), "
    "the next release was expected by 2026-12-25; 2027-01-09 is more than 14 days past that. A maintainer refreshes it "
    "with `refarch catalog releases --git DIR` over clones of the deploy repositories, then reviews the change."
)


def _newer(version: str) -> str:
    return (
        f"version {version} is newer than the newest release the catalog knows, 99.0 (latest patch 99.0.4); the catalog's release list "
        f"was checked on 2026-11-27 (give a version up to 99.0.4, or, if {version} is out, refresh the catalog with `refarch catalog releases --git DIR`)"
    )


PAST_OLDER_PATCH = "version 98.0.3 is newer than the latest 98.0 patch the catalog knows (98.0.2; release list checked on 2026-11-27); use 98.0.2 or 98.0"


def _fixture_releases(shipped: dict[str, Any]) -> dict[str, Any]:
    """The shipped release list with made-up dates every 28 days, then 87.0 to 99.0, so the cadence window is all made up."""
    releases = [{k: v for k, v in r.items() if k != "latest_patch_date"} for r in shipped["releases"]]
    releases += [{"version": f"{major}.0", "latest_patch": f"{major}.0.0"} for major in range(87, 98)]
    releases += [{"version": "98.0", "latest_patch": "98.0.2"}, {"version": "99.0", "latest_patch": "99.0.4"}]
    for back, release in enumerate(reversed(releases)):
        release["released"] = NEWEST_DATE - dt.timedelta(days=CADENCE * back)
        release.pop("eol", None)
    return {**shipped, "verified": CHECKED, "releases": releases}


@pytest.fixture(scope="module")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fresh")
    for folder in ("catalog", "architectures"):
        shutil.copytree(ROOT / folder, root / folder)
    path = root / "catalog" / "releases.yaml"
    shipped = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(_fixture_releases(shipped), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def fixture(fixture_root: Path) -> Catalog:
    return load_catalog(fixture_root)


def _release(version: str, released: dt.date) -> Release:
    return Release(version=version, released=released, latest_patch=version + ".0")


def _dated(*days: int) -> list[Release]:
    """Releases 1.0, 1.1, ... separated by the given numbers of days."""
    day = dt.date(2020, 1, 1)
    out = [_release("1.0", day)]
    for minor, gap in enumerate(days, start=1):
        day += dt.timedelta(days=gap)
        out.append(_release(f"1.{minor}", day))
    return out


# --- the cadence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gaps", "days", "intervals"),
    [
        ((30,), 30, 1),
        ((20, 40, 30), 30, 3),  # odd count: the middle one
        ((20, 31), 26, 2),  # even count: the mean of the middle two (25.5), rounded up
        ((1000, 1000, *[28] * 12), 28, 12),  # only the 12 newest intervals count
        ((*[28] * 12, 1000), 28, 12),  # a single long gap moves the median little
    ],
)
def test_cadence_is_the_median_interval_over_the_recent_window(gaps: tuple[int, ...], days: int, intervals: int) -> None:
    releases = _dated(*gaps)
    cadence = release_cadence(releases)
    assert cadence is not None
    assert (cadence.days, cadence.intervals) == (days, intervals)
    assert cadence.last == releases[-1].version and cadence.first == releases[-1 - intervals].version


def test_one_release_has_no_cadence_and_never_warns(fixture: Catalog) -> None:
    lonely = dataclasses.replace(fixture, releases=Releases(sources=["x"], verified=CHECKED, releases=[_release("1.0", dt.date(2020, 1, 1))]))
    assert release_cadence(lonely.releases.releases) is None
    assert freshness(lonely).fresh_until is None
    assert stale_message(lonely, dt.date(2100, 1, 1)) is None


def test_fixture_cadence_and_boundaries(fixture: Catalog) -> None:
    fresh = freshness(fixture)
    assert fresh.cadence is not None and fresh.cadence.days == CADENCE
    assert (fresh.checked, fresh.newest.version, fresh.grace_days) == (CHECKED, "99.0", GRACE_DAYS)
    assert (fresh.next_expected, fresh.fresh_until, fresh.stale_from) == (dt.date(2026, 12, 25), FRESH_UNTIL, STALE_FROM)


def test_the_check_date_counts_not_the_newest_release_date(fixture: Catalog) -> None:
    later = dataclasses.replace(fixture, releases=fixture.releases.model_copy(update={"verified": CHECKED + dt.timedelta(days=10)}))
    assert freshness(later).fresh_until == FRESH_UNTIL + dt.timedelta(days=10)


# --- the warning -------------------------------------------------------------------------


def _requirements(version: str = "99.0") -> Requirements:
    return Requirements.model_validate({"customer": "Acme Corp", "version": version, "deployment": {"method": "helm"}})


def _freshness_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule_id"] == "catalog.freshness"]


@pytest.mark.parametrize("as_of", [CHECKED - dt.timedelta(days=30), CHECKED, dt.date(2026, 12, 25), FRESH_UNTIL])
def test_no_warning_while_the_catalog_is_fresh(fixture: Catalog, as_of: dt.date) -> None:
    assert stale_message(fixture, as_of) is None
    assert _freshness_findings(check(fixture, _requirements(), as_of)) == []


@pytest.mark.parametrize("as_of", [STALE_FROM, dt.date(2030, 1, 1)])
def test_a_warning_from_the_day_after_fresh_until(fixture: Catalog, as_of: dt.date) -> None:
    [finding] = _freshness_findings(check(fixture, _requirements(), as_of))
    assert (finding["outcome"], finding["path"], finding["requested"], finding["source"]) == ("warn", "version", "99.0", "catalog/releases.yaml")
    assert REFRESH in finding["message"]
    assert finding["message"] == stale_message(fixture, as_of)


def test_the_warning_message_says_what_and_how_to_refresh(fixture: Catalog) -> None:
    assert stale_message(fixture, STALE_FROM) == STALE_MESSAGE


def test_a_stale_catalog_alone_does_not_fail_a_check(fixture: Catalog) -> None:
    fresh, stale = (check(fixture, _requirements(), day) for day in (FRESH_UNTIL, STALE_FROM))
    assert fresh["verdict"] == stale["verdict"] == "supported"
    assert stale["tally"]["warnings"] == fresh["tally"]["warnings"] + 1


@pytest.mark.parametrize(("as_of", "warned"), [(FRESH_UNTIL, False), (STALE_FROM, True)])
def test_check_cli_on_both_sides_of_the_boundary(run: Run, fixture_root: Path, as_of: dt.date, warned: bool) -> None:
    result = run("check", str(DATA / "newest.yaml"), "--catalog", str(fixture_root), "--as-of", as_of.isoformat(), "--format", "json")
    data = json.loads(result.stdout)
    [report] = data["reports"]
    assert [f["message"] for f in _freshness_findings(report)] == ([STALE_MESSAGE] if warned else [])
    assert result.exit_code == 0
    strict = run("check", str(DATA / "newest.yaml"), "--catalog", str(fixture_root), "--as-of", as_of.isoformat(), "--fail-on-warn")
    assert strict.exit_code == (1 if warned else 0)


@pytest.mark.parametrize(("as_of", "warned"), [(FRESH_UNTIL, False), (STALE_FROM, True)])
def test_validate_warns_on_stderr_and_keeps_its_exit_code(run: Run, fixture_root: Path, as_of: dt.date, warned: bool) -> None:
    result = run("validate", "--catalog", str(fixture_root), "--as-of", as_of.isoformat())
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{fixture_root}: catalog is valid")
    line = yaml.compose((fixture_root / "catalog/releases.yaml").read_text(encoding="utf-8")).value
    verified_line = next(key.start_mark.line + 1 for key, _ in line if key.value == "verified")
    assert result.stderr.splitlines() == ([f"catalog/releases.yaml:{verified_line}: verified: warning: {STALE_MESSAGE}"] if warned else [])


def test_validate_still_reports_an_invalid_catalog_with_exit_2(run: Run, fixture_root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(fixture_root, broken)
    path = broken / "catalog/releases.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("verified: 2026-11-27", "verified: someday"), encoding="utf-8")
    result = run("validate", "--catalog", str(broken), "--as-of", STALE_FROM.isoformat())
    assert result.exit_code == 2 and "warning" not in result.stderr


# --- versions newer than the catalog -----------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("99.0", None),  # the newest release
        ("99.0.4", None),  # its latest patch
        ("99.0.0", None),
        ("99.0.5", _newer("99.0.5")),  # one patch past the newest
        ("99.1", _newer("99.1")),  # one minor past
        ("100.0", _newer("100.0")),  # one major past
        ("100.0.1", _newer("100.0.1")),
        ("98.0.2", None),  # an older minor's latest patch
        ("98.0.3", PAST_OLDER_PATCH),  # one past it
    ],
)
def test_version_problem_on_both_sides_of_the_newest_release(fixture: Catalog, version: str, expected: str | None) -> None:
    assert version_problem(fixture, version) == expected


INVALID = sorted(DATA.glob("bad-*.yaml"))


@pytest.mark.parametrize("case", INVALID, ids=[c.stem for c in INVALID])
def test_newer_requirements_exit_2_with_their_exact_messages(run: Run, fixture_root: Path, case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(case.parent)
    expected = [line.removeprefix("# expect: ") for line in case.read_text(encoding="utf-8").splitlines() if line.startswith("# expect: ")]
    assert expected
    result = run("check", case.name, "--catalog", str(fixture_root), "--as-of", "2026-11-27")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [*expected, f"{len(expected)} problem{'s' if len(expected) != 1 else ''} found"]


def test_the_newest_release_is_accepted_by_check(run: Run, fixture_root: Path) -> None:
    result = run("check", str(DATA / "newest.yaml"), "--catalog", str(fixture_root), "--as-of", "2026-11-27")
    assert result.exit_code == 0, result.stderr


ARGUMENT_CASES = [
    (["matrix", "--version", "99.1"], "version", _newer("99.1")),
    (["matrix", "--version", "99.0.5"], "version", _newer("99.0.5")),
    (["matrix", "--version", "98.0.3"], "version", PAST_OLDER_PATCH),
    (["upgrade-plan", "--from", "98.0", "--to", "99.1", "--method", "helm"], "to", _newer("99.1")),
    (["upgrade-plan", "--from", "100.0", "--to", "99.0", "--method", "helm"], "from", _newer("100.0")),
    (["upgrade-plan", "--from", "98.0", "--to", "99.0.5", "--method", "helm"], "to", _newer("99.0.5")),
    (["migrate-plan", "--from-method", "docker-compose", "--to-method", "helm", "--version", "99.1"], "version", _newer("99.1")),
]


@pytest.mark.parametrize(("args", "key", "message"), ARGUMENT_CASES, ids=[" ".join(c[0]) for c in ARGUMENT_CASES])
def test_newer_arguments_exit_2_with_the_message(run: Run, fixture_root: Path, args: list[str], key: str, message: str) -> None:
    result = run(*args, "--catalog", str(fixture_root))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == [f"<arguments>: {key}: {message}", "1 problem found"]


@pytest.mark.parametrize(
    "args",
    [
        ["matrix", "--version", "99.0.4"],
        ["upgrade-plan", "--from", "98.0", "--to", "99.0.4", "--method", "helm"],
        ["migrate-plan", "--from-method", "docker-compose", "--to-method", "helm", "--version", "99.0"],
    ],
)
def test_the_newest_release_is_accepted_everywhere(run: Run, fixture_root: Path, args: list[str]) -> None:
    result = run(*args, "--catalog", str(fixture_root))
    assert result.exit_code == 0, result.stderr


@pytest.fixture(scope="module")
def client(fixture: Catalog) -> TestClient:
    return TestClient(create_app(fixture))


API_CASES = [
    ("get", "/api/v1/matrix?version=99.1", "version", _newer("99.1")),
    ("get", "/api/v1/upgrade-plan?from=98.0&to=99.0.5&method=helm", "to", _newer("99.0.5")),
    ("get", "/api/v1/migrate-plan?from_method=docker-compose&to_method=helm&version=100.0", "version", _newer("100.0")),
    ("post", "/api/v1/check", "<body>:1: version", _newer("99.1")),
]


@pytest.mark.parametrize(("as_of", "warned"), [(FRESH_UNTIL, False), (STALE_FROM, True)])
def test_the_api_check_warns_on_the_same_day_as_the_cli(client: TestClient, as_of: dt.date, warned: bool) -> None:
    body = json.dumps({"version": "99.0", "customer": "Acme Corp", "deployment": {"method": "helm"}})
    [report] = client.post(f"/api/v1/check?as_of={as_of}", content=body).json()["reports"]
    assert [f["message"] for f in _freshness_findings(report)] == ([STALE_MESSAGE] if warned else [])


def test_the_api_release_route_says_a_newer_release_is_past_the_catalog(client: TestClient) -> None:
    assert client.get("/api/v1/releases/99.0").status_code == 200
    response = client.get("/api/v1/releases/99.1")
    assert response.status_code == 404
    assert response.json()["errors"][0]["message"] == _newer("99.1")
    assert "did you mean '98.0'?" in client.get("/api/v1/releases/98.5").json()["errors"][0]["message"]


@pytest.mark.parametrize(("method", "url", "loc", "message"), API_CASES, ids=[c[1] for c in API_CASES])
def test_the_api_answers_422_with_the_same_message(client: TestClient, method: str, url: str, loc: str, message: str) -> None:
    if method == "post":
        response = client.post(url, content=json.dumps({"version": "99.1", "customer": "Acme Corp", "deployment": {"method": "helm"}}))
    else:
        response = client.get(url)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"loc": loc, "message": message}]


# --- every answer carries the catalog's currency -----------------------------------------

CURRENCY = {"checked": "2026-11-27", "newest_release": "99.0"}


def test_every_domain_answer_carries_the_currency(fixture: Catalog) -> None:
    answers = {
        "check": check(fixture, _requirements(), CHECKED),
        "size": size(fixture, _requirements().scale),
        "matrix": support_matrix(fixture, "99.0", CHECKED),
        "upgrade-plan": upgrade_plan(fixture, "98.0", "99.0", "helm"),
        "migrate-plan": migrate_plan(fixture, "docker-compose", "helm", "99.0"),
    }
    for name, answer in answers.items():
        assert answer["catalog"] == CURRENCY, name


SCHEMA_CASES = [
    ("check-report", ["check", str(DATA / "newest.yaml"), "--as-of", "2026-11-27", "--format", "json"]),
    ("sizing-answer", ["size", "--users", "100", "--format", "json"]),
    ("matrix-answer", ["matrix", "--as-of", "2026-11-27", "--format", "json"]),
    ("upgrade-plan", ["upgrade-plan", "--from", "98.0", "--to", "99.0", "--method", "helm", "--format", "json"]),
    ("migration-plan", ["migrate-plan", "--from-method", "docker-compose", "--to-method", "helm", "--version", "99.0", "--format", "json"]),
]


@pytest.mark.parametrize(("schema", "args"), SCHEMA_CASES, ids=[c[0] for c in SCHEMA_CASES])
def test_every_answer_schema_requires_the_currency_and_the_answer_meets_it(run: Run, fixture_root: Path, schema: str, args: list[str]) -> None:
    import jsonschema

    published = json.loads((ROOT / "catalog" / "schema" / f"{schema}.schema.json").read_text(encoding="utf-8"))
    assert "catalog" in published["required"]
    result = run(*args, "--catalog", str(fixture_root))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, published)
    assert data["catalog"] == CURRENCY
    broken = {key: value for key, value in data.items() if key != "catalog"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, published)


def test_the_matrix_shows_the_cadence(run: Run, fixture_root: Path) -> None:
    data = json.loads(run("matrix", "--catalog", str(fixture_root), "--as-of", "2026-11-27", "--format", "json").stdout)
    assert data["catalog"] == CURRENCY
    assert data["release_cadence"] == {"median_days": 28, "intervals": 12, "from": "87.0", "to": "99.0"}
    table = run("matrix", "--catalog", str(fixture_root), "--as-of", "2026-11-27").stdout
    expected = (
        "Catalog checked on 2026-11-27; newest release known: 99.0; release cadence: a minor release about every 28 days "
        "(median of the 12 intervals from 87.0 to 99.0)."
    )
    assert table.splitlines()[1] == expected
    assert expected in run("matrix", "--catalog", str(fixture_root), "--as-of", "2026-11-27", "--format", "markdown").stdout


@pytest.mark.parametrize(
    "url",
    ["/api/v1/matrix", "/api/v1/upgrade-plan?from=98.0&to=99.0&method=helm", "/api/v1/size?users=100", "/api/v1/releases", "/api/v1/releases/99.0"],
)
def test_the_api_answers_carry_the_currency(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["catalog"] == CURRENCY


def test_the_api_check_carries_the_currency_at_the_top_and_per_report(client: TestClient) -> None:
    body = json.dumps({"version": "99.0", "customer": "Acme Corp", "deployment": {"method": "helm"}})
    data = client.post("/api/v1/check?as_of=2026-11-27", content=body).json()
    assert data["catalog"] == CURRENCY and data["reports"][0]["catalog"] == CURRENCY


def test_the_releases_page_states_currency_cadence_and_boundary(fixture: Catalog) -> None:
    from refarch.site import pages

    generated = pages(fixture, CHECKED)
    assert generated[".catalog-currency"] == "Catalog checked on 2026-11-27; newest release known: 99.0\n"
    text = generated["releases.md"]
    assert "Catalog checked on 2026-11-27; newest release known: 99.0 (99.0.0 came out on 2026-11-20, latest patch 99.0.4)." in text
    assert "a minor release about every 28 days (median of the 12 intervals from 87.0 to 99.0)" in text
    assert "expected\nby 2026-12-25. From 2027-01-09, after 14 days of grace," in text


# --- the shipped catalog: derived from its data, whatever release it ends at -------------


def test_shipped_catalog_is_fresh_on_its_check_date_and_stale_after_its_boundary(catalog: Catalog) -> None:
    fresh = freshness(catalog)
    assert fresh.checked == catalog.releases.verified and fresh.newest == catalog.releases.releases[-1]
    assert fresh.fresh_until is not None and fresh.stale_from == fresh.fresh_until + dt.timedelta(days=1)
    assert fresh.fresh_until > fresh.checked
    requirements = _requirements(catalog.releases.releases[-1].version)
    for day, warned in ((fresh.checked, False), (fresh.fresh_until, False), (fresh.stale_from, True)):
        assert bool(_freshness_findings(check(catalog, requirements, day))) is warned, day


def test_shipped_catalog_refuses_one_past_its_newest_release(catalog: Catalog) -> None:
    newest = catalog.releases.releases[-1]
    major, minor = (int(part) for part in newest.version.split("."))
    patch = [int(part) for part in newest.latest_patch.split(".")] + [0]
    accepted = [newest.version, newest.latest_patch]
    refused = [f"{major}.{minor + 1}", f"{major + 1}.0", f"{major}.{minor}.{patch[2] + 1}"]
    assert [version_problem(catalog, v) for v in accepted] == [None, None]
    for version in refused:
        problem = version_problem(catalog, version)
        assert problem and problem.startswith(f"version {version} is newer than the newest release the catalog knows, {newest.version} ")
        assert f"checked on {catalog.releases.verified}" in problem
