"""The one place numbers and versions from input are read, with bounds checked before any arithmetic.

Python refuses to read integers past 4,300 digits and floats overflow to infinity near 1e308; both
would end in a traceback far from the input. Every number a file, a flag or a request gives passes
through here first, so what reaches the engine is finite and small enough to compute with.
No pydantic here: `refarch size` reads its inputs without importing it.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .problems import clip_repr

MAX_NUMBER = 10**15
"""The largest magnitude refarch reads: far above any real size (a petabyte in GB is 10^6), far below float overflow."""

MAX_COMPONENT_DIGITS = 6
"""A version component has at most this many digits (the longest in the catalog, a patch like 5.4.7765, has four)."""

VERSION_PATTERN = re.compile(rf"^\d{{1,{MAX_COMPONENT_DIGITS}}}(\.\d{{1,{MAX_COMPONENT_DIGITS}}}){{0,2}}$")
"""A version "X", "X.Y" or "X.Y.Z" with bounded components."""


def minor_of(version: str) -> str:
    """The minor "X.Y" of any version."""
    return ".".join(version.split(".")[:2])


_LOOSE_VERSION = re.compile(r"^\d+(\.\d+){0,2}$")


def number_problem(value: float) -> str | None:
    """Why a number read from input cannot be used, or None. Bools are not numbers here, and never reach this."""
    if isinstance(value, float) and math.isnan(value):
        return "expected a number (got NaN)"
    if abs(value) > MAX_NUMBER:  # infinity too
        return f"number is too large: refarch reads numbers up to {MAX_NUMBER:,} (10^15)"
    return None


_NUMERAL = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def parse_number(text: str, integer: bool) -> int | float | None:
    """A number from a command-line or query string; None when it is not one. Check number_problem() on the result.

    Underscores may group digits ("30_000"); an integer is written without a fraction or exponent. A numeral too
    long to read gives infinity, so it is "too large", never a 4,300-digit int() or a traceback.
    """
    text = text.strip().replace("_", "")
    if not _NUMERAL.match(text) or (integer and not text.lstrip("+-").isdigit()):
        return None
    if len(text) > 40:  # no number refarch reads needs more characters
        return -math.inf if text.startswith("-") else math.inf
    return int(text) if integer else float(text)


def version_problem(value: str, example: str = '"16", "7.5" or "7.5.4453"') -> str | None:
    """Why `value` is not a version "X", "X.Y" or "X.Y.Z", or None when it is one."""
    if VERSION_PATTERN.match(value):
        return None
    return too_many_digits(value) or f"expected a version like {example} (got {clip_repr(value)})"


def too_many_digits(value: str) -> str | None:
    """The message for a version shaped right but with a component too long to compare safely, or None."""
    if not _LOOSE_VERSION.match(value) or VERSION_PATTERN.match(value):
        return None
    longest = max(len(part) for part in value.split("."))
    return f"a version component has {longest:,} digits; at most {MAX_COMPONENT_DIGITS} are read (got {clip_repr(value)})"


def version_key(version: str) -> tuple[int, ...]:
    """Comparable key for "X.Y" or "X.Y.Z"; "7.5" sorts before "7.5.1". Only for versions version_problem() accepted."""
    return tuple(int(part) for part in version.split("."))


def concurrent_users_problem(concurrent: int, users: int, users_key: str = "users") -> str:
    """More users at the same moment than users at all: one text for files, flags and requests (models and the engine both use it)."""
    return (
        f"{concurrent:,} concurrent users is more than the {users:,} users ({users_key}); "
        "the users active at the same moment are some of the users, so raise users or lower concurrent_users"
    )


# Pydantic-free twins of model validators, for refarch.conform's fast path: each returns True exactly when its validator accepts.


def is_version(value: object) -> bool:
    """What models.common's Version accepts as text."""
    return isinstance(value, str) and version_problem(value) is None


def concurrent_within_users(inputs: Any) -> bool:
    """SizingInputs: concurrent_users is at most users (when both are given)."""
    return inputs.concurrent_users is None or inputs.users is None or inputs.concurrent_users <= inputs.users


def largest_within_total(inputs: Any) -> bool:
    """SizingInputs: largest_repo_gb is at most total_repo_size_gb (when both are given)."""
    return inputs.largest_repo_gb is None or inputs.total_repo_size_gb is None or inputs.largest_repo_gb <= inputs.total_repo_size_gb
