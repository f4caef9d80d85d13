"""Reading a customer's own files the way their tools read them.

Catalog files refuse merge keys; a customer's Compose file or Helm override may use anchors and
`<<` merge keys, as docker compose and Helm accept them. Every limit of the catalog reader still
holds (1 MiB, 100,000 values through aliases, 64 levels), and every key keeps its line.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..problems import InputError, Problem
from ..yamlfile import MAX_BYTES, MAX_DEPTH, MAX_NODES, LineMap, Path_, _Loader, _TooBig, _TooDeep, _TooLong, _Walker

MERGE = "tag:yaml.org,2002:merge"
COMPOSE_TAGS = ("!reset", "!override")
"""Compose's own tags: !reset clears a value from the files before, !override replaces it instead of merging."""
_PLAIN: dict[type, str] = {yaml.SequenceNode: "tag:yaml.org,2002:seq", yaml.MappingNode: "tag:yaml.org,2002:map"}


class _CustomerWalker(_Walker):
    """The catalog's walker, with `<<` merge keys resolved as YAML 1.1 defines them: explicit keys win, earlier merges win."""

    def __init__(self, loader: Any, file: str):
        super().__init__(loader, file)
        self.tags: dict[Path_, str] = {}

    def walk(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        if node.tag in COMPOSE_TAGS:
            self.tags[path] = node.tag
            if isinstance(node, yaml.ScalarNode):
                if not node.value:
                    return None
                node = yaml.ScalarNode(self.loader.resolve(yaml.ScalarNode, node.value, (True, False)), node.value, node.start_mark, node.end_mark, node.style)
            elif isinstance(node, yaml.SequenceNode):
                node = yaml.SequenceNode(_PLAIN[yaml.SequenceNode], node.value, node.start_mark, node.end_mark, node.flow_style)
            elif isinstance(node, yaml.MappingNode):
                node = yaml.MappingNode(_PLAIN[yaml.MappingNode], node.value, node.start_mark, node.end_mark, node.flow_style)
        if not isinstance(node, yaml.MappingNode) or not any(key.tag == MERGE for key, _ in node.value):
            return super().walk(node, path, depth)
        self.budget -= 1
        if self.budget < 0:
            raise _TooBig(node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise _TooDeep(node.start_mark.line + 1)
        merged: dict[Any, Any] = {}
        merged_line: dict[Any, int] = {}
        explicit = yaml.MappingNode(node.tag, [(k, v) for k, v in node.value if k.tag != MERGE], node.start_mark, node.end_mark)
        own_lines, self.lines = self.lines, LineMap()  # lines of merged values: kept aside until the explicit keys have theirs
        try:
            for key_node, value_node in node.value:
                if key_node.tag != MERGE:
                    continue
                line = key_node.start_mark.line + 1
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        self.fail(line, path, "a merge key (<<) takes a mapping or a list of mappings")
                        continue
                    value = self.walk(source, path, depth + 1)
                    for key, item in value.items():
                        if key not in merged:
                            merged[key] = item
                            merged_line[key] = line
        finally:
            merged_lines, self.lines = self.lines, own_lines
        own = super().walk(explicit, path, depth)
        for key, line in merged_line.items():
            if key not in own:
                self.lines[(*path, key)] = line
        for key_path, line in merged_lines.items():
            if len(key_path) > len(path) + 1 and key_path[len(path)] in merged_line and key_path[len(path)] not in own:
                self.lines.setdefault(key_path, line)
        return {**merged, **own}


def parse_customer(text: str | bytes, file: str) -> tuple[Any, LineMap]:
    data, lines, _ = parse_customer_tagged(text, file)
    return data, lines


def parse_customer_tagged(text: str | bytes, file: str) -> tuple[Any, LineMap, dict[Path_, str]]:
    """One YAML or JSON document as its own tools read it (anchors, merge keys, Compose's !reset and !override allowed),
    with the paths that carried a Compose tag; InputError with every problem."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise InputError([Problem(file, None, "", f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB)")])
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError([Problem(file, None, "", f"file is not UTF-8 text ({error.reason} at byte {error.start})")]) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError([Problem(file, 1, "", "file is empty; expected a YAML or JSON document")])
        walker = _CustomerWalker(loader, file)
        walker.lines[()] = node.start_mark.line + 1
        data = walker.walk(node, ())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = " ".join(str(part) for part in (error.context, error.problem) if part)
        raise InputError([Problem(file, mark.line + 1 if mark else None, "", f"not valid YAML: {what}")]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(file, None, "", f"not valid YAML: {error}")]) from None
    except _TooLong as error:
        raise InputError([Problem(file, error.line, "", f"expands to more than {MAX_BYTES:,} characters of text through anchors and aliases; refusing to load it")]) from None
    except _TooDeep as error:
        raise InputError([Problem(file, error.line, "", f"nested more than {MAX_DEPTH} levels deep (an alias that refers to itself?)")]) from None
    except _TooBig as error:
        raise InputError([Problem(file, error.line, "", f"expands to more than {MAX_NODES:,} values through anchors and aliases; refusing to load it")]) from None
    finally:
        loader.dispose()
    if walker.problems:
        raise InputError(walker.problems)
    return data, walker.lines, walker.tags


def read_customer_file(path: Any, label: str | None = None) -> tuple[Any, LineMap, str]:
    """(data, lines, raw text) of a customer file; '-' is standard input. InputError when it cannot be read."""
    data, lines, raw, _ = read_customer_file_tagged(path, label)
    return data, lines, raw


def read_customer_file_tagged(path: Any, label: str | None = None) -> tuple[Any, LineMap, str, dict[Path_, str]]:
    """read_customer_file(), with the paths that carried a Compose tag."""
    import sys
    from pathlib import Path

    from ..fsutil import read_input, read_stream

    label = label or str(path)
    # the one bounded reader: regular files only (a FIFO or /dev/zero would block or never end), 1 MiB counted while reading
    raw = read_stream(getattr(sys.stdin, "buffer", None), label) if str(path) == "-" else read_input(Path(path), label)
    text = raw.decode("utf-8-sig", "replace")
    if not text.lstrip().startswith(("{", "[")) and _looks_like_text_output(text):
        return None, LineMap(), text, {}  # plain command output (docker version): read by inspect, not as YAML
    data, lines, tags = parse_customer_tagged(raw, label)
    return data, lines, text, tags


def _looks_like_text_output(text: str) -> bool:
    """`docker version` and `docker compose version` print text that YAML may not parse; recognise them by their first line."""
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    return first.startswith(("Client:", "Docker Compose version", "docker-compose version"))
