"""The API in-process: every route, every error status, the same JSON as the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

from derived import HELM_NOT_OFFERED
from refarch.api import ENTITY_KINDS, MAX_BODY, create_app
from refarch.loading import Catalog


@pytest.fixture(scope="module")
def client(catalog: Catalog) -> Iterator[TestClient]:
    with TestClient(create_app(catalog), raise_server_exceptions=False) as test_client:
        yield test_client


def test_health(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["schema_version"] == 1 and body["product"] == "sourcegraph"


@pytest.mark.parametrize("segment", sorted(ENTITY_KINDS))
def test_entity_lists_and_items(client: TestClient, catalog: Catalog, segment: str) -> None:
    attribute, _ = ENTITY_KINDS[segment]
    listing = client.get(f"/api/v1/{segment}")
    assert listing.status_code == 200
    ids = [item["id"] for item in listing.json()["items"]]
    assert ids == sorted(getattr(catalog, attribute))
    one = client.get(f"/api/v1/{segment}/{ids[0]}")
    assert one.status_code == 200 and one.json()["item"]["id"] == ids[0]


def test_unknown_id_is_404_with_a_did_you_mean(client: TestClient) -> None:
    response = client.get("/api/v1/methods/helms")
    assert response.status_code == 404
    assert "did you mean 'helm'?" in response.json()["errors"][0]["message"]


def test_releases_as_of_a_date(client: TestClient) -> None:
    body = client.get("/api/v1/releases", params={"as_of": "2026-03-01"}).json()
    by_version = {item["version"]: item for item in body["items"]}
    assert by_version["5.11"]["status"] == "end-of-life" and by_version["6.0"]["status"] == "supported"
    assert client.get("/api/v1/releases/7.5").json()["item"]["version"] == "7.5"
    assert client.get("/api/v1/releases/7.55").status_code == 404


def test_matrix_is_the_same_json_as_the_cli(client: TestClient, run: Callable[..., Result]) -> None:
    api = client.get("/api/v1/matrix", params={"version": "7.5", "as_of": "2026-11-27"}).json()
    cli = json.loads(run("matrix", "--version", "7.5", "--as-of", "2026-11-27", "--format", "json").stdout)
    assert api == cli


@pytest.mark.parametrize(
    ("params", "loc"),
    [({"version": "9.9"}, "version"), ({"as_of": "yesterday"}, "query.as_of"), ({"method": "helms"}, "method")],
)
def test_bad_query_is_422_with_its_location(client: TestClient, params: dict[str, str], loc: str) -> None:
    response = client.get("/api/v1/matrix", params=params)
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["errors"]] == [loc]


def test_oversize_body_is_413(client: TestClient) -> None:
    response = client.post("/api/v1/health", content=b"x" * (MAX_BODY + 1), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_crash_never_shows_a_traceback(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    import refarch.api as api_module

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api_module, "release_statuses", boom)
    with TestClient(create_app(catalog), raise_server_exceptions=False) as crashing:
        response = crashing.get("/api/v1/releases")
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/health" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_site_is_served_at_the_root(catalog: Catalog, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>site</h1>", encoding="utf-8")
    with TestClient(create_app(catalog, tmp_path)) as with_site:
        assert "site" in with_site.get("/").text


# --- domain routes: the same JSON as the CLI ---------------------------------------------

REQUIREMENTS = Path(__file__).parent / "data" / "requirements"


def _cli_json(run: Callable[..., Result], *args: str) -> dict[str, object]:
    result = run(*args)
    assert result.exit_code in (0, 1, 3), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_size_get_and_post_match_the_cli(client: TestClient, run: Callable[..., Result]) -> None:
    cli = _cli_json(run, "size", "--users", "8000", "--repositories", "30000", "--format", "json")
    by_query = client.get("/api/v1/size", params={"users": "8000", "repositories": "30000"})
    by_body = client.post("/api/v1/size", json={"users": 8000, "repositories": 30000})
    assert by_query.status_code == by_body.status_code == 200
    assert by_query.json() == by_body.json() == cli
    assert cli["tier"] == "l"


@pytest.mark.parametrize(
    ("request_kwargs", "loc"),
    [
        ({"params": {"users": "-5"}}, "users"),
        ({"params": {"users": "many"}}, "users"),
        ({"params": {"method": "helms"}}, "method"),
        ({"json": {"users": 10, "total_repo_size_gb": 5, "largest_repo_gb": 50}}, "<body>:1: largest_repo_gb"),
    ],
)
def test_size_bad_input_is_422_at_the_input(client: TestClient, request_kwargs: dict[str, object], loc: str) -> None:
    method = client.post if "json" in request_kwargs else client.get
    response = method("/api/v1/size", **request_kwargs)  # type: ignore[operator]
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["errors"]]


@pytest.mark.parametrize("document", sorted((REQUIREMENTS / "valid").glob("*")), ids=lambda p: p.name)
def test_check_matches_the_cli(client: TestClient, run: Callable[..., Result], document: Path) -> None:
    from refarch.yamlfile import parse

    data, _ = parse(document.read_bytes(), document.name)
    cli = _cli_json(run, "check", str(document), "--as-of", "2026-11-27", "--format", "json")
    response = client.post("/api/v1/check", params={"as_of": "2026-11-27"}, json=data)
    assert response.status_code == 200
    api = response.json()
    for report in (*api["reports"], *cli["reports"]):  # type: ignore[misc]
        report.pop("file")  # the CLI names the file, the API the body
        for finding in report["findings"]:
            finding.pop("line", None)
    assert api == cli


def test_check_problems_point_into_the_body(client: TestClient) -> None:
    body = b'{"customer": "x",\n "version": "7.5",\n "deployment": {"method": "helms"}}'
    response = client.post("/api/v1/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == "<body>:3: deployment.method"
    assert "did you mean 'helm'?" in error["message"]


@pytest.mark.parametrize("body", [b"", b"[1, 2]", b"{not json", b'{"customer": 5}'])
def test_check_bad_bodies_are_422(client: TestClient, body: bytes) -> None:
    response = client.post("/api/v1/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"]


def test_check_stores_nothing(client: TestClient, repo_root: Path) -> None:
    before = sorted(p.name for p in repo_root.iterdir())
    data = (REQUIREMENTS / "valid" / "acme.yaml").read_bytes()
    assert client.post("/api/v1/check", content=data).status_code == 200
    assert sorted(p.name for p in repo_root.iterdir()) == before


def test_triage_matches_the_cli(client: TestClient, run: Callable[..., Result], tmp_path: Path) -> None:
    from refarch.yamlfile import parse

    deviating = tmp_path / "requirements.yaml"  # Helm does not offer HELM_NOT_OFFERED: one deviation to request an exception for
    deviating.write_text(
        (REQUIREMENTS / "valid" / "acme.yaml").read_text(encoding="utf-8").replace("options: [", f"options: [{HELM_NOT_OFFERED}, "), encoding="utf-8"
    )
    request_file = tmp_path / "request.yaml"
    assert run("exception", "new", str(deviating), "-o", str(request_file), "--as-of", "2026-11-27").exit_code == 0
    cli = _cli_json(run, "exception", "triage", str(request_file), "--as-of", "2026-11-27", "--format", "json")
    data, _ = parse(request_file.read_bytes(), "request")
    response = client.post("/api/v1/exception/triage", params={"as_of": "2026-11-27"}, json=data)
    assert response.status_code == 200
    api = response.json()
    for side in (api, cli):
        side.pop("file")  # type: ignore[attr-defined]
        side["report"].pop("file")  # type: ignore[index]
        for finding in (*side["report"]["findings"], *side["deviations"]):  # type: ignore[index]
            finding.pop("line", None)
    assert api == cli
    assert not list(tmp_path.glob("exceptions*")), "triage must write nothing"


def test_upgrade_plan_matches_the_cli(client: TestClient, run: Callable[..., Result]) -> None:
    cli = _cli_json(run, "upgrade-plan", "--from", "5.9", "--to", "7.5", "--method", "helm", "--format", "json")
    response = client.get("/api/v1/upgrade-plan", params={"from": "5.9", "to": "7.5", "method": "helm"})
    assert response.status_code == 200 and response.json() == cli


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"from": "7.5", "to": "5.9", "method": "helm"}, "to"),
        ({"from": "9.9", "to": "9.10", "method": "helm"}, "from"),
        ({"from": "5.9", "to": "7.5", "method": "helms"}, "method"),
    ],
)
def test_upgrade_plan_bad_input_is_422(client: TestClient, params: dict[str, str], loc: str) -> None:
    response = client.get("/api/v1/upgrade-plan", params=params)
    assert response.status_code == 422
    assert loc in [e["loc"] for e in response.json()["errors"]]


def test_upgrade_plan_missing_parameter_is_422(client: TestClient) -> None:
    response = client.get("/api/v1/upgrade-plan", params={"from": "5.9"})
    assert response.status_code == 422
    assert {e["loc"] for e in response.json()["errors"]} == {"query.to", "query.method"}


def test_migrate_plan_matches_the_cli(client: TestClient, run: Callable[..., Result]) -> None:
    cli = _cli_json(run, "migrate-plan", "--from-method", "docker-compose", "--to-method", "helm", "--format", "json")
    response = client.get("/api/v1/migrate-plan", params={"from_method": "docker-compose", "to_method": "helm"})
    assert response.status_code == 200 and response.json() == cli


def test_every_route_is_in_the_openapi_spec_with_its_body(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/size", "/api/v1/check", "/api/v1/exception/triage", "/api/v1/upgrade-plan", "/api/v1/migrate-plan"):
        assert path in spec["paths"], path
    body = spec["paths"]["/api/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Requirements"}
    assert "Deployment" in spec["components"]["schemas"]


def test_every_route_is_documented_in_the_readme(client: TestClient, repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for path in client.get("/api/v1/openapi.json").json()["paths"]:
        segment = path.removeprefix("/api/v1/").split("/")[0]
        assert segment in readme, f"{path} is not in README.md's route table"


def test_serve_refuses_to_start_on_an_invalid_catalog(run: Callable[..., Result], catalog_copy: Path) -> None:
    helm = catalog_copy / "catalog" / "methods" / "helm.yaml"
    helm.write_text(helm.read_text(encoding="utf-8").replace("\nmvu:", "\nmvuu:", 1), encoding="utf-8")
    served = run("serve", "--catalog", str(catalog_copy), "--port", "1")
    validated = run("validate", "--catalog", str(catalog_copy))
    assert served.exit_code == validated.exit_code == 2
    assert served.stderr == validated.stderr and "did you mean 'mvu'?" in served.stderr


def test_triage_problems_point_into_the_body(client: TestClient) -> None:
    body = b'customer: X\ncreated: 2026-11-27\nrequirements:\n  customer: X\n  version: "7.5"\n  deployment: {method: helms}\ndeviations: []\nanswers: {}\n'
    response = client.post("/api/v1/exception/triage", content=body)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["loc"] == "<body>:6: requirements.deployment.method" and "did you mean 'helm'?" in error["message"]
