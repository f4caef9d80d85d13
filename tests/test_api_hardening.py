"""Issue 11: answers to bad requests stay small, methods and paths get correct JSON errors, slow work gets a 503."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from fastapi.testclient import TestClient

from refarch.api import HTTP_METHODS, MAX_ERROR_BODY, ErrorDetail, _error, create_app
from refarch.loading import Catalog
from refarch.problems import MAX_PROBLEMS, InputError, Problem, clip, did_you_mean
from refarch.yamlfile import parse

VALID = Path(__file__).parent / "data" / "requirements" / "valid" / "acme.yaml"


@pytest.fixture(scope="module")
def client(catalog: Catalog) -> Iterator[TestClient]:
    with TestClient(create_app(catalog), raise_server_exceptions=False) as test_client:
        yield test_client


def unknown_options(count: int, width: int = 40) -> bytes:
    options = ", ".join(f"o{i:0{width}d}" for i in range(count))
    return f"customer: x\nversion: '7.5'\ndeployment: {{method: helm}}\noptions: [{options}]\n".encode()


# --- the problem mechanism, shared by the CLI and the API ---------------------------------


def test_a_report_lists_the_first_problems_then_counts_the_rest() -> None:
    error = InputError(Problem("f.yaml", 4, f"options[{i}]", "unknown") for i in range(120))
    lines = error.report().splitlines()
    assert lines[:2] == ["f.yaml:4: options[0]: unknown", "f.yaml:4: options[1]: unknown"]
    assert lines[MAX_PROBLEMS - 1] == "f.yaml:4: options[49]: unknown"  # options[10] after options[9], not after options[1]
    assert lines[MAX_PROBLEMS:] == ["... and 70 more problems", "120 problems found"]
    assert len(error.problems) == 120 and [p.key for p in error.problems][9:11] == ["options[9]", "options[10]"]


def test_long_values_keys_and_messages_are_clipped() -> None:
    assert clip("A" * 20_000) == "A" * 60 + "... (20,000 characters)"
    assert clip("short") == "short"
    problem = Problem("f", 1, "k" * 5_000, "m" * 50_000)
    assert len(problem.key) < 250 and len(problem.message) < 1_100


def test_did_you_mean_skips_words_too_long_to_be_close() -> None:
    assert did_you_mean("helms", ["helm", "kustomize"]) == "; did you mean 'helm'?"
    assert did_you_mean("h" * 100_000, ["helm", "kustomize"]) == ""


def test_aliases_cannot_make_a_small_document_huge() -> None:
    text = 'a: &b "' + "x" * 1_000 + '"\nc: [' + ", ".join(["*b"] * 2_000) + "]\n"
    with pytest.raises(InputError) as raised:
        parse(text, "f.yaml")
    assert str(raised.value) == "f.yaml:1: expands to more than 1,048,576 characters of text through anchors and aliases; refusing to load it (write the values out)"
    parse('a: &b "' + "x" * 1_000 + '"\nc: [' + ", ".join(["*b"] * 500) + "]\n", "f.yaml")  # half a MiB through aliases is fine


def test_the_cli_caps_its_report_the_same_way(run: Callable[..., Result], tmp_path: Path) -> None:
    document = tmp_path / "many.yaml"
    document.write_bytes(unknown_options(999, width=3))
    result = run("check", str(document))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == MAX_PROBLEMS + 2
    assert lines[0].startswith(f"{document}:4: options[0]: unknown option 'o000'; the catalog (catalog/options/) knows: ")
    assert lines[-2:] == ["... and 949 more problems", "999 problems found"]


# --- answers to bad requests stay small ---------------------------------------------------


def test_many_problems_answer_the_first_fifty_and_a_count(client: TestClient) -> None:
    response = client.post("/api/v1/check", content=unknown_options(999), headers={"content-type": "application/yaml"})
    assert response.status_code == 422
    assert len(response.content) <= MAX_ERROR_BODY
    errors = response.json()["errors"]
    assert len(errors) == MAX_PROBLEMS + 1
    assert errors[0]["loc"] == "<body>:4: options[0]"
    assert errors[-1] == {"loc": "<body>:4: options[50]", "message": "... and 949 more problems"}


def test_an_error_body_is_trimmed_to_64_kib() -> None:
    details = [ErrorDetail(loc=f"<body>:{i}", message="x" * 2_000) for i in range(100)]
    response = _error(422, "invalid input", details)
    shown = response.body.decode()
    assert len(response.body) <= MAX_ERROR_BODY
    kept = shown.count('"x')
    assert 20 < kept < 100 and f"... and {100 - kept} more problems" in shown


def test_a_valid_request_is_unchanged_by_the_limits(client: TestClient) -> None:
    response = client.post("/api/v1/check", content=VALID.read_bytes(), params={"as_of": "2026-11-27"})
    assert response.status_code == 200 and response.json()["reports"][0]["customer"]


# --- methods, HEAD and unknown routes -----------------------------------------------------


def _routes(client: TestClient) -> list[tuple[str, set[str]]]:
    spec = client.get("/api/v1/openapi.json").json()
    return [(path.replace("{entity_id}", "helm").replace("{version}", "7.5"), {m.upper() for m in item}) for path, item in spec["paths"].items()]


def test_every_405_names_the_methods_allowed(client: TestClient) -> None:
    checked = 0
    for path, methods in _routes(client):
        allowed = sorted(methods | ({"HEAD"} if "GET" in methods else set()))
        for method in sorted(set(HTTP_METHODS) - set(allowed)):
            response = client.request(method, path)
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == ", ".join(allowed)
            if method != "HEAD":  # a HEAD answer has no body
                assert response.json()["errors"] == [{"loc": "method", "message": f"{method} is not allowed at {path}; use {' or '.join(allowed)}"}]
            checked += 1
    assert checked > 60


def test_head_answers_every_get_route_without_a_body(client: TestClient) -> None:
    for path, methods in _routes(client):
        if "GET" not in methods:
            continue
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


def test_unknown_api_routes_are_json_404s_even_with_a_site(catalog: Catalog, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<h1>site</h1>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<h1>not here</h1>", encoding="utf-8")
    with TestClient(create_app(catalog, tmp_path)) as with_site:
        response = with_site.get("/api/v1/upgrade_plan")
        assert response.status_code == 404 and response.headers["content-type"] == "application/json"
        assert response.json()["errors"][0]["message"] == "no API route at /api/v1/upgrade_plan; did you mean /api/v1/upgrade-plan? Every route is listed at /api/v1/docs"
        assert "not here" in with_site.get("/no-such-page").text  # outside /api/v1 the site's own 404 page answers


# --- work off the event loop, with a time limit -------------------------------------------


def test_work_past_the_time_limit_gets_a_503_and_health_still_answers(catalog: Catalog) -> None:
    with TestClient(create_app(catalog, time_limit=0), raise_server_exceptions=False) as impatient:
        response = impatient.post("/api/v1/check", content=VALID.read_bytes())
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert response.json()["errors"] == [
            {"loc": "server", "message": "the request took longer than 0 s (waiting for a worker included), the limit; try again later, or send a smaller request"}
        ]
        assert impatient.get("/api/v1/size", params={"users": "10"}).status_code == 503
        assert impatient.get("/api/v1/health").status_code == 200  # answered on the event loop itself


def test_the_503_is_documented(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "503" in spec["paths"]["/api/v1/check"]["post"]["responses"]


# Requests to every route whose work goes to a worker: answers, shaped answers and 422s.
OFFLOADED = [
    ("GET", "/api/v1/matrix", {"version": "7.5", "as_of": "2026-11-27"}, None),
    ("GET", "/api/v1/matrix", {"version": "9.9"}, None),
    ("GET", "/api/v1/size", {"users": "8000", "repositories": "30000"}, None),
    ("GET", "/api/v1/size", {"users": "-5"}, None),
    ("POST", "/api/v1/size", None, b"users: 100\nrepositories: 5\n"),
    ("POST", "/api/v1/check", {"as_of": "2026-11-27"}, VALID.read_bytes()),
    ("POST", "/api/v1/check", None, b"customer: x\nversion: '7.5'\ndeployment: {method: helms}\n"),
    ("POST", "/api/v1/exception/triage", None, b"{}"),
    ("GET", "/api/v1/upgrade-plan", {"from": "5.9", "to": "7.5", "method": "helm"}, None),
    ("GET", "/api/v1/upgrade-plan", {"from": "7.5", "to": "5.9", "method": "helm"}, None),
    ("GET", "/api/v1/migrate-plan", {"from_method": "docker-compose", "to_method": "helm"}, None),
    ("GET", "/api/v1/config/helm-m", {"cloud": "aws"}, None),
]


def test_worker_processes_give_the_answers_of_worker_threads(catalog: Catalog, client: TestClient) -> None:
    """refarch serve's workers are processes (no GIL shared with the event loop): each task and its answer crosses to them."""
    with TestClient(create_app(catalog, processes=True), raise_server_exceptions=False) as processes:
        for method, path, params, body in OFFLOADED:
            in_threads = client.request(method, path, params=params, content=body)
            in_processes = processes.request(method, path, params=params, content=body)
            assert (in_processes.status_code, in_processes.content) == (in_threads.status_code, in_threads.content), (path, params)
            assert in_threads.status_code in (200, 422)


def test_a_worker_process_that_dies_costs_one_503_then_new_workers_answer(catalog: Catalog) -> None:
    with TestClient(create_app(catalog, processes=True), raise_server_exceptions=False) as processes:
        executor = processes.app.state.offload.executor  # type: ignore[attr-defined]
        for worker in list(executor._processes.values()):
            worker.kill()
            worker.join()
        response = processes.post("/api/v1/check", content=VALID.read_bytes())
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert processes.post("/api/v1/check", content=VALID.read_bytes()).status_code == 200
