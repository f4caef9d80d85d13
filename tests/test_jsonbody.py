"""The one-line JSON reader gives exactly what the YAML reader gives, or declines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refarch.jsonbody import read_one_line
from refarch.problems import InputError
from refarch.yamlfile import LineMap, RawFloat, parse

REQUIREMENTS = Path(__file__).parent / "data" / "requirements" / "valid"


def same(fast: Any, slow: Any) -> bool:
    """Equal with the same types all the way down (True == 1 in Python), and floats written the same way."""
    if type(fast) is not type(slow):
        return False
    if isinstance(fast, dict):
        return list(fast) == list(slow) and all(same(fast[key], slow[key]) for key in fast)
    if isinstance(fast, list):
        return len(fast) == len(slow) and all(same(a, b) for a, b in zip(fast, slow, strict=True))
    if isinstance(fast, RawFloat):
        return fast.raw == slow.raw and fast == slow
    return bool(fast == slow)


def assert_same_as_yaml(raw: bytes) -> bool:
    """When the fast reader answers, parse() gives the same data and the same line for every path; True if it answered."""
    fast = read_one_line(raw)
    if fast is None:
        return False
    try:
        slow_data, slow_lines = parse(raw, "<body>")
    except InputError as error:
        raise AssertionError(f"the fast reader accepted {raw[:200]!r}, which parse() refuses: {error.problems[0]}") from None
    data, lines = fast
    assert same(data, slow_data), (raw[:200], data, slow_data)
    for path in slow_lines:
        assert lines.line_for(path) == slow_lines.line_for(path), path
    return True


# Text from every part of Unicode, including what YAML reads differently: controls, lone surrogates, U+2028, keys past 1,024 characters.
text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | st.sampled_from(["\u2028", "\x85", "\ufeff", "\x7f", "\t", "\ud800", "a: b", "#x", "yes", "1e3", "~", "<<", "k" * 1100, "\u00e9" * 200, "k" * 170])
numbers = st.integers(min_value=-(10**17), max_value=10**17) | st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.5, -0.0, 1e3, 1.0e-7, 10.0**15, 7.10])
scalars = st.none() | st.booleans() | numbers | text
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=20)
top_level = st.lists(documents, max_size=4) | st.dictionaries(text, documents, max_size=5)


@settings(max_examples=600, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top_level, st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]), st.booleans(), st.sampled_from(["", "\n", "\r\n", "  "]))
def test_whatever_it_reads_yaml_reads_the_same(document: Any, separators: tuple[str, str], ascii_only: bool, tail: str) -> None:
    raw = (json.dumps(document, separators=separators, ensure_ascii=ascii_only) + tail).encode("utf-8", errors="surrogatepass")
    assert_same_as_yaml(raw)


@pytest.mark.parametrize("document", sorted(REQUIREMENTS.glob("*")), ids=lambda path: path.name)
def test_it_reads_compact_and_spaced_json_of_every_requirements_example(document: Path) -> None:
    data, _ = parse(document.read_bytes(), document.name)
    assert assert_same_as_yaml(json.dumps(data, separators=(",", ":")).encode())
    assert assert_same_as_yaml(json.dumps(data, ensure_ascii=False).encode() + b"\n")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": 1, "a": 2}',  # duplicate key: parse() names both lines
        b'{"a": 1e3}',  # YAML 1.1 reads it as text
        b'{"a": 1.0e+3}',
        b'{"a": NaN}',
        b'{"a": "\\ud83d\\ude00"}',  # JSON pairs the escapes, YAML refuses them
        b'{"a": "x\xc2\x85y"}',  # NEL breaks a line in YAML
        b'{"a": "\xe2\x80\xa8"}',
        b'{"a":\n 1}',
        b'\n{"a": 1}',
        b'{"a": 10000000000000001}',  # past refarch's 10^15
        b"[" * 65 + b"]" * 65,
        b'{"' + b"k" * 200 + b'": 1}',
        b"{not json}",
        b"a: 1",
        b"\xff",
    ],
)
def test_it_declines_what_yaml_reads_differently_or_refuses(raw: bytes) -> None:
    assert read_one_line(raw) is None


def test_every_key_of_a_one_line_document_is_on_line_one() -> None:
    found = read_one_line(b'{"a": [{"b": 1}]}')
    assert found is not None
    data, lines = found
    assert data == {"a": [{"b": 1}]}
    assert isinstance(lines, LineMap)
    assert lines.line_for(("a", 0, "b")) == lines.line_for(("z",)) == lines[("a",)] == 1
