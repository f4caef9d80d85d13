"""Every request that ever broke the API (tests/data/regressions/api/), with its exact status and answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from refarch.api import MAX_ERROR_BODY, create_app
from refarch.loading import Catalog

CORPUS = Path(__file__).parent / "data" / "regressions" / "api"
CASES = sorted(CORPUS.glob("*.yaml"))


@pytest.fixture(scope="module")
def client(catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    site = tmp_path_factory.mktemp("site")  # a site at /, as `refarch serve` has: its HTML 404 must never answer for /api/v1
    (site / "index.html").write_text("<h1>site</h1>", encoding="utf-8")
    (site / "404.html").write_text("<h1>not here</h1>", encoding="utf-8")
    # A generous time limit: a loaded CI machine may take seconds over a 1 MiB body, and the 503 has a test of its own.
    with TestClient(create_app(catalog, site, time_limit=60), raise_server_exceptions=False) as test_client:
        yield test_client


def body_of(request: dict[str, Any]) -> bytes | None:
    if "body_parts" in request:
        return "".join(text * times for text, times in request["body_parts"]).encode()
    body = request.get("body")
    return body.encode() if body is not None else None


def test_the_corpus_is_there() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_regression(client: TestClient, path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) <= {"why", "request", "status", "errors", "allow", "empty_body"}, f"{path.name}: unknown keys"
    request = case["request"]
    response = client.request(request["method"], request["path"], params=request.get("query"), headers=request.get("headers"), content=body_of(request))
    assert response.status_code == case["status"], response.text[:2000]
    if case.get("empty_body"):
        assert response.content == b""
    if "allow" in case:
        assert response.headers["allow"] == case["allow"]
    if "errors" in case:
        assert response.headers["content-type"] == "application/json"
        assert len(response.content) <= MAX_ERROR_BODY
        assert response.json()["errors"] == case["errors"]
