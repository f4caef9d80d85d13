"""Safe YAML reading: line numbers, duplicate keys, aliases, size limits."""

from __future__ import annotations

import time

import pytest

from refarch.problems import InputError
from refarch.yamlfile import MAX_BYTES, parse


def messages(text: str | bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse(text, "f.yaml")
    return [str(p) for p in caught.value.problems]


def test_keeps_the_line_of_every_key() -> None:
    data, lines = parse("a: 1\nb:\n  - x: 2\n    y: 3\n", "f.yaml")
    assert data == {"a": 1, "b": [{"x": 2, "y": 3}]}
    assert lines[("a",)] == 1
    assert lines[("b", 0, "y")] == 4
    assert lines.line_for(("b", 0, "y", "deeper")) == 4


def test_duplicate_keys_name_both_lines() -> None:
    assert messages("a: 1\nb: 2\na: 3\n") == ["f.yaml:3: a: duplicate key 'a' (first given on line 1); keep one"]


def test_billion_laughs_fails_fast() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    started = time.monotonic()
    found = messages(bomb)
    assert time.monotonic() - started < 1.0
    assert len(found) == 1 and "billion-laughs protection" in found[0]


def test_an_alias_that_contains_itself_is_refused() -> None:
    found = messages("a: &a [1, *a]\n")
    assert len(found) == 1 and "nested more than" in found[0]


def test_small_aliases_are_allowed() -> None:
    data, _ = parse("base: &b {cpu: 1}\nother: *b\n", "f.yaml")
    assert data["other"] == {"cpu": 1}


def test_merge_keys_are_refused() -> None:
    assert messages("base: &b {cpu: 1}\nother:\n  <<: *b\n") == ["f.yaml:3: other: merge keys (<<) are not supported; write the keys out in full"]


def test_oversize_files_are_refused_before_parsing() -> None:
    found = messages(b"#" * (MAX_BYTES + 1))
    assert found == [f"f.yaml: file is {MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB): split it or remove unused content"]


def test_syntax_errors_name_the_line() -> None:
    found = messages("a: [1, 2\nb: 3\n")
    assert found[0].startswith("f.yaml:") and "not valid YAML" in found[0]


def test_no_python_objects() -> None:
    assert messages("a: !!python/object/apply:os.system ['true']\n") == [
        "f.yaml:1: a: tag tag:yaml.org,2002:python/object/apply:os.system is not allowed; only plain YAML values are read"
    ]
    assert messages("a: !!python/name:os.system ''\n") == [
        "f.yaml:1: a: tag tag:yaml.org,2002:python/name:os.system is not allowed; only plain YAML values are read"
    ]


def test_not_utf8() -> None:
    assert messages(b"a: \xff\n")[0].startswith("f.yaml: file is not UTF-8 text")
