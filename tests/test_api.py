"""The API in-process: every route, every error status, the same JSON as the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

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
