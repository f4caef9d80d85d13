"""HTTP fuzzing in process (issue 11): generated bodies, query values, methods and paths at every route.

The oracle, for every request: no 5xx; a JSON answer under /api/v1; an error answer of at most 64 KiB
whose every problem has a location and a message; a body error located in the body (<body>:LINE).
Derandomized, so CI sees the same cases each run; CASES counts them (the last test checks the count).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refarch.api import HTTP_METHODS, MAX_ERROR_BODY, create_app
from refarch.loading import Catalog

DATA = Path(__file__).parent / "data" / "requirements" / "valid"
CASES: Counter[str] = Counter()
FUZZ = settings(max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
BODY_ROUTES = ("/api/v1/check", "/api/v1/exception/triage", "/api/v1/size")


@pytest.fixture(scope="module")
def client(catalog: Catalog) -> Iterator[TestClient]:
    with TestClient(create_app(catalog), raise_server_exceptions=False) as test_client:
        yield test_client


def assert_sound(response: Any, what: str) -> None:
    """The oracle."""
    CASES[what] += 1
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    if response.request.method == "HEAD":
        assert response.content == b""
        return
    assert response.headers["content-type"].startswith("application/json"), (what, response.headers["content-type"])
    body = response.json()
    assert body["schema_version"] == 1
    if response.status_code >= 400:
        assert len(response.content) <= MAX_ERROR_BODY, (what, len(response.content))
        assert body["errors"], (what, body)
        for error in body["errors"]:
            assert error["loc"] and error["message"], (what, error)
        if response.status_code == 422 and what.startswith("body"):
            assert all(e["loc"].startswith(("<body>", "query.")) for e in body["errors"]), (what, body["errors"])


# --- generated values ---------------------------------------------------------------------

TEXT = st.text(st.characters(codec=None), max_size=40) | st.sampled_from(["", "7.5", "7.5.0", "helm", "1e3", "-1", "0", "null", "\ud800", "A" * 300])
SCALARS = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats(allow_nan=True, allow_infinity=True) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5), max_leaves=20)


def _documents() -> list[dict[str, Any]]:
    out = []
    for path in sorted(DATA.glob("*")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(data)
        out.append({"schema_version": 1, "customer": "x", "created": "2026-11-27", "requirements": data, "deviations": [], "answers": {}})
        out.append(dict(data.get("scale", {})))
    return out


DOCUMENTS = _documents()


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _paths(value, (*prefix, index))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid document with one to three parts replaced by generated values (or removed)."""
    document = copy.deepcopy(draw(st.sampled_from(DOCUMENTS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(VALUES)
    return document


def _encode(data: Any, how: str) -> bytes:
    if how == "yaml":
        return yaml.safe_dump(data, allow_unicode=False).encode("utf-8", errors="surrogatepass")
    return json.dumps(data, allow_nan=True).encode()


# --- the properties ---------------------------------------------------------------------


@FUZZ
@given(route=st.sampled_from(BODY_ROUTES), document=mutated(), how=st.sampled_from(["json", "yaml"]))
def test_mutated_documents(client: TestClient, route: str, document: Any, how: str) -> None:
    try:
        body = _encode(document, how)
    except (UnicodeEncodeError, yaml.YAMLError):  # not every generated value can be written as YAML
        body = _encode(document, "json")
    response = client.post(route, content=body, headers={"content-type": f"application/{how}"})
    assert_sound(response, f"body {route}")


@FUZZ
@given(route=st.sampled_from(BODY_ROUTES), data=VALUES)
def test_generated_json_bodies(client: TestClient, route: str, data: Any) -> None:
    response = client.post(route, content=json.dumps(data).encode(), headers={"content-type": "application/json"})
    assert_sound(response, f"body {route}")


@FUZZ
@given(route=st.sampled_from(BODY_ROUTES), raw=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="surrogatepass")))
def test_raw_bytes_bodies(client: TestClient, route: str, raw: bytes) -> None:
    response = client.post(route, content=raw, headers={"content-type": "application/json"})
    assert_sound(response, f"body {route}")


QUERY_ROUTES = {
    "/api/v1/matrix": ["version", "method", "as_of"],
    "/api/v1/releases": ["as_of"],
    "/api/v1/size": ["users", "repositories", "total_repo_size_gb", "largest_repo_gb", "largest_index_gb", "concurrent_users", "code_insights", "method", "cloud"],
    "/api/v1/upgrade-plan": ["from", "to", "method", "postgres", "strategy"],
    "/api/v1/migrate-plan": ["from_method", "to_method", "version"],
    "/api/v1/check": ["as_of"],
}
QUERY_TEXT = TEXT | st.sampled_from(["5.9", "7.6", "helm", "kustomize", "docker-compose", "bundled-12", "external-16", "2026-11-27", "1e306", "9" * 5000, "true"])


@FUZZ
@given(route=st.sampled_from(sorted(QUERY_ROUTES)), data=st.data())
def test_generated_query_values(client: TestClient, route: str, data: st.DataObject) -> None:
    names = QUERY_ROUTES[route]
    params = data.draw(st.dictionaries(st.sampled_from([*names, "unknown"]), QUERY_TEXT, max_size=len(names)))
    method = "POST" if route == "/api/v1/check" else "GET"
    body = (DATA / "acme.yaml").read_bytes() if method == "POST" else None
    query = "&".join(f"{quote(name)}={quote(value.encode('utf-8', errors='surrogatepass'))}" for name, value in params.items())  # bytes a browser could not send
    response = client.request(method, f"{route}?{query}", content=body)
    assert_sound(response, f"query {route}")


SEGMENTS = st.sampled_from(["methods", "helm", "sizes", "m", "check", "size", "..", "%2e%2e", "releases", "7.5", "", "x" * 500]) | st.text(
    st.characters(codec="ascii", exclude_characters="/?#"), max_size=12
)


@FUZZ
@given(method=st.sampled_from(HTTP_METHODS), segments=st.lists(SEGMENTS, min_size=1, max_size=4))
def test_generated_methods_and_paths(client: TestClient, method: str, segments: list[str]) -> None:
    response = client.request(method, "/api/v1/" + "/".join(quote(segment, safe="%") for segment in segments))
    assert_sound(response, "path")


def test_the_fuzzing_ran_its_cases() -> None:
    """Runs after the properties (file order): every kind of case ran, in the numbers the report gives."""
    print(f"\nAPI fuzz cases: {sum(CASES.values())} ({dict(sorted(CASES.items()))})")
    assert sum(CASES.values()) >= 1_200, CASES
    assert {f"body {route}" for route in BODY_ROUTES} | {f"query {route}" for route in QUERY_ROUTES} | {"path"} <= set(CASES)
