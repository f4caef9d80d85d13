"""Per-catalog memoisation: derived tables built once per Catalog object and dropped with it."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _drop(table: dict[int, Any], key: int, _ref: Any) -> None:
    # Bound to the table itself, so it still works while the interpreter tears modules down.
    table.pop(key, None)


def per_catalog(build: Callable[[Any], T]) -> Callable[[Any], T]:
    """Wrap build(catalog) so it runs once per catalog object; the result goes when the catalog does."""
    table: dict[int, tuple[weakref.ref[Any], T]] = {}

    @functools.wraps(build)
    def cached(catalog: Any) -> T:
        key = id(catalog)
        hit = table.get(key)
        if hit is not None and hit[0]() is catalog:
            return hit[1]
        value = build(catalog)
        table[key] = (weakref.ref(catalog, functools.partial(_drop, table, key)), value)
        return value

    return cached
