"""Stable JSON output, in a module of its own so that writing JSON never imports the YAML reader."""

from __future__ import annotations

import json
from typing import Any


def dumps_json(data: Any) -> str:
    """Stable JSON: sorted keys, two-space indent, trailing newline, so reports diff cleanly."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
