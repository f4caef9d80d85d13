"""Where a value sits in a document: key paths, the line of each, and how a key names a catalog id.

No YAML and no pydantic here: a cached catalog keeps its line maps, and loading it must not import either.
"""

from __future__ import annotations

import re

from .problems import clip_repr

Path_ = tuple[str | int, ...]


class LineMap(dict[Path_, int]):
    """Maps a key path, e.g. ('services', 3, 'replicas'), to its 1-based line."""

    def line_for(self, path: Path_) -> int | None:
        """The line of the longest prefix of `path` that the file contains."""
        for end in range(len(path), -1, -1):
            line = self.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


def dotted(path: Path_) -> str:
    """('services', 3, 'replicas') -> 'services[3].replicas'; a key that is not a plain name is quoted: deployment['a b\\n']."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and _PLAIN_KEY.match(part) and len(part) <= 60:
            out += f".{part}" if out else part
        else:
            out += f"[{clip_repr(part)}]"
    return out


def service_id(key: str) -> str:
    """The catalog id a services: key names (object_storage -> object-storage)."""
    return key.replace("_", "-")
