"""A one-line JSON request body read with the json module: the same data and lines as `yamlfile.parse`, far faster.

Programs send compact JSON on one line (JSON.stringify, `requests`' json=, `jq -c`), where every key is on
line 1. The json module reads that about 20 times faster than YAML's composer builds nodes with marks.
`read_one_line` answers only when its answer is certainly the one `parse` gives; for anything else (a line
break, an escape or character YAML reads differently, a number YAML reads as text or refuses, a duplicate
key, deep nesting) it returns None and the caller uses `parse`, which also writes every message.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .numbers import number_problem
from .yamlfile import MAX_DEPTH, LineMap, Path_, RawFloat

MAX_FAST_BYTES = 64 * 1024
"""Larger bodies go to `parse`. At 2 bytes or more per value, this also keeps them below yamlfile's MAX_NODES."""

# Characters YAML reads as JSON does: printable (YAML refuses C0/C1 controls, DEL, U+FFFE/FFFF), no tab, and no
# line break of any kind (YAML also breaks lines at U+2028 and U+2029).
_NOT_PLAIN = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # JSON pairs \ud83d\ude00 into one character; YAML refuses it
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")  # YAML 1.1 reads 1e3 and 1.0e3 as text, 1.5 as a float
_MAX_KEY = 160  # YAML's simple keys end at 1,024 characters as written; an escape is at most 6 characters per one read


class _Decline(Exception):
    """Not certainly what YAML reads: leave it to `parse`."""


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs) or any(len(key) > _MAX_KEY for key in result):
        raise _Decline  # a duplicate key: parse() names both lines
    return result


def _integer(text: str) -> int:
    value = int(text) if len(text) <= 17 else None
    if value is None or number_problem(value):
        raise _Decline
    return value


def _decimal(text: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise _Decline
    value = float(text)
    if number_problem(value):
        raise _Decline
    return RawFloat(value, text)


def _constant(text: str) -> Any:
    raise _Decline  # NaN, Infinity: not JSON, and YAML reads them as text


_DECODER = json.JSONDecoder(object_pairs_hook=_mapping, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)


class OneLine(LineMap):
    """The line map of a document on one line: every key is on line 1."""

    def line_for(self, path: Path_) -> int | None:
        return 1

    def __missing__(self, path: Path_) -> int:
        return 1


def read_one_line(raw: bytes) -> tuple[Any, LineMap] | None:
    """(data, lines) as `yamlfile.parse(raw, ...)` gives them, or None when that is not certain."""
    if len(raw) > MAX_FAST_BYTES or raw[:1] not in (b"{", b"["):
        return None
    try:
        text = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    if _NOT_PLAIN.search(text) or text.count("[") + text.count("{") > MAX_DEPTH or ("\\u" in text and _SURROGATE_ESCAPE.search(text)):
        return None
    try:
        data = _DECODER.decode(text)
    except (_Decline, ValueError, RecursionError):
        return None
    return data, OneLine({(): 1})
