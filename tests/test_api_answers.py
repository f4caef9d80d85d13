"""The API's quick paths give the answers of the slow ones: a small JSON check on the event loop, a repeated
request from memory, the JSON rendered by orjson."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import Response
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import refarch.checking
from refarch.api import Answers, SafeJSONResponse, create_app
from refarch.api_routes import INLINE_BYTES
from refarch.loading import Catalog
from refarch.yamlfile import RawFloat, parse

VALID = Path(__file__).parent / "data" / "requirements" / "valid"
ACME = VALID / "acme.yaml"
JSON = {"content-type": "application/json"}


def compact(document: Path) -> bytes:
    data, _ = parse(document.read_bytes(), document.name)
    return json.dumps(data, separators=(",", ":")).encode()


@pytest.fixture
def counted(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, list[str]]]:
    """A client whose app counts the checks it runs (by customer), with workers that are always too late (time limit 0)."""
    calls: list[str] = []
    real = refarch.checking.check

    def check(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(args[1].customer)
        return real(*args, **kwargs)

    monkeypatch.setattr(refarch.checking, "check", check)
    with TestClient(create_app(catalog, time_limit=0), raise_server_exceptions=False) as client:
        yield client, calls


# --- on the event loop: small one-line JSON that is valid and names known ids -------------


def test_a_small_valid_json_check_is_answered_without_a_worker(counted: tuple[TestClient, list[str]]) -> None:
    client, _ = counted
    assert client.post("/api/v1/check", content=compact(ACME), headers=JSON).status_code == 200
    # The same document as YAML, or as indented JSON, needs the YAML reader: a worker's work, here always too late.
    assert client.post("/api/v1/check", content=ACME.read_bytes()).status_code == 503
    indented = json.dumps(json.loads(compact(ACME)), indent=2).encode()
    assert client.post("/api/v1/check", content=indented, headers=JSON).status_code == 503


@pytest.mark.parametrize(
    "change",
    [
        {"options": ["network-policy", "network-polcy"]},  # an unknown id: its message searches for a did-you-mean
        {"options": ["network-policy", "network-policy"]},  # an id given twice
        {"customer": 5},  # invalid
        {"notes": "x," * 130},  # past INLINE_COMMAS
        {"notes": "x" * 5000},  # past INLINE_BYTES
    ],
)
def test_errors_and_larger_bodies_always_go_to_a_worker(counted: tuple[TestClient, list[str]], change: dict[str, Any]) -> None:
    client, _ = counted
    body = json.dumps({**json.loads(compact(ACME)), **change}, separators=(",", ":")).encode()
    assert client.post("/api/v1/check", content=body, headers=JSON).status_code == 503


def test_the_event_loop_answer_is_the_workers_answer(catalog: Catalog) -> None:
    """Every valid example, compact (event loop) and with trailing spaces past INLINE_BYTES (workers): the same bytes."""
    with TestClient(create_app(catalog), raise_server_exceptions=False) as client:
        for document in sorted(VALID.glob("*")):
            body = compact(document)
            quick = client.post("/api/v1/check", params={"as_of": "2026-11-27"}, content=body, headers=JSON)
            slow = client.post("/api/v1/check", params={"as_of": "2026-11-27"}, content=body + b" " * INLINE_BYTES, headers=JSON)
            assert quick.status_code == slow.status_code == 200, document.name
            assert quick.content == slow.content, document.name


# --- from memory: the same route, body and date --------------------------------------------


def test_a_repeated_request_is_answered_from_memory_with_the_same_bytes(counted: tuple[TestClient, list[str]]) -> None:
    client, calls = counted
    body = compact(ACME)
    first = client.post("/api/v1/check", params={"as_of": "2026-11-27"}, content=body, headers=JSON)
    again = client.post("/api/v1/check", params={"as_of": "2026-11-27"}, content=body, headers=JSON)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again.headers == first.headers
    assert calls == ["Acme Corp"]
    client.post("/api/v1/check", params={"as_of": "2026-11-28"}, content=body, headers=JSON)  # another date: judged again
    client.post("/api/v1/check", params={"as_of": "2026-11-27"}, content=body.replace(b"Acme Corp", b"Acme Inc"), headers=JSON)  # another body
    assert calls == ["Acme Corp", "Acme Corp", "Acme Inc"]


def test_an_error_answer_is_remembered_but_a_503_is_not(catalog: Catalog) -> None:
    with TestClient(create_app(catalog, time_limit=0), raise_server_exceptions=False) as client:
        assert client.post("/api/v1/check", content=ACME.read_bytes()).status_code == 503
        client.app.state.offload.time_limit = 60  # type: ignore[attr-defined]
        assert client.post("/api/v1/check", content=ACME.read_bytes()).status_code == 200  # the 503 was not kept
        bad = b'{"customer":"x","version":"7.5","deployment":{"method":"helms"}}'
        first = client.post("/api/v1/check", content=bad, headers=JSON)
        assert first.status_code == 422 and "did you mean 'helm'?" in first.text
        client.app.state.offload.time_limit = 0  # type: ignore[attr-defined]
        assert client.post("/api/v1/check", content=bad, headers=JSON).content == first.content  # from memory: no worker asked


def answer(status: int, size: int) -> Response:
    return Response(b"x" * size, status_code=status, media_type="application/json")


def test_memory_is_bounded_in_answers_and_bytes_and_drops_the_least_recently_used() -> None:
    answers = Answers(entries=3, limit=9_200)
    for n in range(3):
        answers.put(("check", "2026-11-27", b"%d" % n), answer(200, 100))
    assert answers.get(("check", "2026-11-27", b"0")) is not None  # now the most recently used
    answers.put(("check", "2026-11-27", b"3"), answer(200, 100))
    assert [key[2] for key in answers.kept] == [b"2", b"0", b"3"]
    answers.put(("check", "2026-11-27", b"big"), answer(422, 9_000))  # past the byte limit with the rest: the oldest go first
    assert [key[2] for key in answers.kept] == [b"3", b"big"] and answers.size == 101 + 9_003
    kept = answers.get(("check", "2026-11-27", b"big"))
    assert kept is not None and kept.status_code == 422 and kept.body == b"x" * 9_000


def test_a_large_body_is_not_remembered() -> None:
    answers = Answers()
    answers.put(("check", "2026-11-27", b" " * (16 * 1024 + 1)), answer(200, 10))
    assert not answers.kept and answers.size == 0


# --- orjson renders what the json module rendered --------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(min_value=1e-4, max_value=1e15)
    | st.floats(min_value=-1e15, max_value=-1e-4)
    | st.builds(RawFloat, st.floats(min_value=0.5, max_value=1e6), st.just("0.5"))
    | st.text(st.characters(codec="utf-8")),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=8), inner, max_size=4),
    max_leaves=25,
)


def stdlib(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8", errors="replace")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(json_values)
def test_answers_are_the_bytes_the_json_module_writes(content: Any) -> None:
    assert SafeJSONResponse(content).body == stdlib(content)


@pytest.mark.parametrize(
    "content",
    [{"a": "\ud800"}, {"big": 2**70}, {1: "a key that is not text"}, {"small": 1e-05}],
    ids=["lone surrogate", "past 64 bits", "int key", "below 1e-4"],
)
def test_what_orjson_cannot_write_is_written_by_the_json_module(content: Any) -> None:
    rendered = SafeJSONResponse(content).body
    assert json.loads(rendered) == json.loads(stdlib(content))
    if "small" not in content:
        assert rendered == stdlib(content)
