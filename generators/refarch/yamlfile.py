"""Safe YAML reading that keeps the line of every key, so each problem can name its line.

Safe loading only; duplicate keys, merge keys and oversize files are errors; anchors and
aliases may be used, but a document that expands past MAX_NODES values fails at once
(the billion-laughs attack), as does one that refers to itself.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

import yaml

from .fsutil import MAX_BYTES
from .jsonfile import dumps_json as dumps_json  # where it lived before; the CLI imports it from jsonfile
from .keypaths import LineMap as LineMap  # re-exported: readers of documents find it here
from .keypaths import Path_ as Path_
from .keypaths import dotted as dotted
from .numbers import number_problem
from .problems import InputError, Problem, clip_repr

MAX_NODES = 100_000
MAX_DEPTH = 64

__all__ = ["MAX_BYTES", "LineMap", "RawFloat", "dotted", "dumps_json", "parse"]

try:  # libyaml is several times faster; the pure-Python parser gives the same results
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class RawFloat(float):
    """A float that remembers how it was written (YAML reads 7.10 as 7.1)."""

    raw: str

    def __new__(cls, value: float, raw: str) -> RawFloat:
        number = super().__new__(cls, value)
        number.raw = raw
        return number

    def __reduce__(self) -> tuple[type, tuple[float]]:
        return (float, (float(self),))


class _Walker:
    def __init__(self, loader: Any, file: str):
        self.loader = loader
        self.file = file
        self.lines = LineMap()
        self.problems: list[Problem] = []
        self.budget = MAX_NODES
        self.characters = MAX_BYTES  # a file within MAX_BYTES cannot hold more text than this, except through aliases

    def fail(self, line: int, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.file, line, dotted(path), message))

    def walk(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig(node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise _TooDeep(node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            self.characters -= len(node.value)
            if self.characters < 0:
                raise _TooLong(node.start_mark.line + 1)
            return self.scalar(node, path)
        if node.tag not in ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"):
            self.fail(node.start_mark.line + 1, path, f"tag {node.tag} is not allowed; only plain YAML values are read")
            return None
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.lines.setdefault((*path, index), item.start_mark.line + 1)
                items.append(self.walk(item, (*path, index), depth + 1))
            return items
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(line, path, "merge keys (<<) are not supported; write the keys out in full")
                    continue
                key = self.walk(key_node, path, depth + 1)
                if isinstance(key, (list, dict)):
                    self.fail(line, path, "a key must be a plain value, not a list or a mapping")
                    continue
                if key in first_line:
                    self.fail(line, (*path, key), f"duplicate key '{key}' (first given on line {first_line[key]}); keep one")
                    continue
                first_line[key] = line
                self.lines.setdefault((*path, key), line)
                result[key] = self.walk(value_node, (*path, key), depth + 1)
            return result
        raise AssertionError(f"unknown YAML node {node!r}")  # pragma: no cover

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        """The value of a scalar; a value its tag cannot hold (2026-02-30, !!int x, 10^5000) is a located problem, never an exception."""
        line = node.start_mark.line + 1
        what = _SCALARS.get(node.tag)
        if what is None:
            self.fail(line, path, f"tag {node.tag} is not allowed; only plain YAML values are read")
            return None
        if node.tag == _INT and len(node.value.lstrip("+-").replace("_", "").lstrip("0")) > _MAX_INT_DIGITS:  # before int() meets 4,300 digits
            self.fail(line, path, f"{number_problem(math.inf)} (got {clip_repr(node.value)})")
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except Exception as error:  # PyYAML's constructors raise ValueError, KeyError or AttributeError on values their tag cannot hold
            reason = f" ({error})" if node.tag == _TIMESTAMP and isinstance(error, ValueError) else ""
            implicit = not node.style and self.loader.resolve(yaml.ScalarNode, node.value, (True, False)) == node.tag  # only on this error path: resolving is slow
            fix = "quote it to keep it as text" if implicit else f"remove the tag !!{node.tag.rsplit(':', 1)[-1]} or give a valid value"
            self.fail(line, path, f"{clip_repr(node.value)} is not {what}{reason}; {fix}")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            problem = number_problem(value)
            if problem:
                self.fail(line, path, problem)
                return None
        if isinstance(value, float):
            return RawFloat(value, node.value)  # keep "7.10" so messages can quote what was written
        return value


_INT, _FLOAT, _TIMESTAMP = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp"
_SCALARS = {
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:bool": "true or false",
    _INT: "a whole number",
    _FLOAT: "a number",
    "tag:yaml.org,2002:str": "text",
    _TIMESTAMP: "a date (YYYY-MM-DD) or a timestamp",
}
"""The scalar tags a document may use, and what each must hold (in messages). Others (!!binary, !!python/...) are refused."""
_MAX_INT_DIGITS = 40  # far past 10^15, far below the 4,300 digits int() refuses


class _TooBig(Exception):
    def __init__(self, line: int):
        self.line = line


class _TooDeep(_TooBig):
    pass


class _TooLong(_TooBig):
    pass


def parse(text: str | bytes, file: str) -> tuple[Any, LineMap]:
    """Parse one YAML (or JSON) document; raise InputError with every problem found."""
    data, walker = parse_with(text, file, _Walker)
    return data, walker.lines


_W = TypeVar("_W", bound="_Walker")


def parse_with(text: str | bytes, file: str, walker_class: type[_W], encoding: str = "utf-8") -> tuple[Any, _W]:
    """parse() with another walker (a customer file's reader resolves merge keys); the data and the walker that built it."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise InputError([Problem(file, None, "", f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB): split it or remove unused content")])
    if isinstance(text, bytes):
        try:
            text = text.decode(encoding)
        except UnicodeDecodeError as error:
            raise InputError([Problem(file, None, "", f"file is not UTF-8 text ({error.reason} at byte {error.start})")]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem(file, 1, "", "file is empty; expected a YAML mapping")])
        walker = walker_class(loader, file)
        walker.lines[()] = node.start_mark.line + 1
        data = walker.walk(node, ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise InputError([Problem(file, line, "", f"not valid YAML: {what}")]) from None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow; it gives a position, not a line
        line = text.count("\n", 0, error.position) + 1
        char = f"#x{error.character:04x}" if isinstance(error.character, int) else repr(error.character)
        raise InputError(
            [
                Problem(
                    file, line, "", f'not valid YAML: unacceptable character {char} ({error.reason}); write it escaped in a double-quoted string, like "\\x1f"'
                )
            ]
        ) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(file, None, "", f"not valid YAML: {' '.join(str(error).split())}")]) from None
    except _TooLong as error:
        raise InputError(
            [Problem(file, error.line, "", f"expands to more than {MAX_BYTES:,} characters of text through anchors and aliases; refusing to load it (write the values out)")]
        ) from None
    except _TooDeep as error:
        raise InputError([Problem(file, error.line, "", f"nested more than {MAX_DEPTH} levels deep (an alias that refers to itself?)")]) from None
    except _TooBig as error:
        raise InputError(
            [
                Problem(
                    file,
                    error.line,
                    "",
                    f"expands to more than {MAX_NODES:,} values through anchors and aliases; refusing to load it (billion-laughs protection)",
                )
            ]
        ) from None
    finally:
        loader.dispose()
    if walker.problems:
        raise InputError(walker.problems)
    return data, walker
