"""Problems found in input: where (file and line), which key, what is wrong, how to fix it.

Every answer to bad input stays small whatever the input: values echoed in messages are clipped
(`clip`), keys and messages have a length limit, did-you-mean lists are short, and a report shows
the first MAX_PROBLEMS problems with a count of the rest.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass

_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines() splits on
_BREAK_NAMES = {"\n": "\\n", "\r": "\\r"}
MAX_PROBLEMS = 50  # problems shown in one report or API answer; the rest are counted
MAX_SHOWN = 60  # characters of an input value quoted back in a message
MAX_KEY = 200  # characters of a key path
MAX_MESSAGE = 1000  # characters of one message


def clip(text: object, limit: int = MAX_SHOWN) -> str:
    """str(text), cut to `limit` characters with a count of the whole, so a huge value is never echoed back."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def clip_repr(value: object, limit: int = MAX_SHOWN) -> str:
    """repr(value) (as `{value!r}` shows it), clipped like clip(): 'AAAA... (20,000 characters)' for long text."""
    return repr(clip(value, limit)) if isinstance(value, str) else clip(repr(value), limit)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str

    def __post_init__(self) -> None:
        # The last guard: whatever a message quotes, one problem stays a line of bounded length.
        if not isinstance(self.key, str):
            object.__setattr__(self, "key", str(self.key))
        if len(self.key) > MAX_KEY:
            object.__setattr__(self, "key", clip(self.key, MAX_KEY))
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", clip(self.message, MAX_MESSAGE))

    def __str__(self) -> str:
        """One line, always: a line break inside a value (a key, a file name) is shown as \\n, so each problem is one line to grep."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return _LINE_BREAKS.sub(lambda m: _BREAK_NAMES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


_DIGITS = re.compile(r"(\d+)")


def _natural(key: str) -> tuple[str | int, ...]:
    """'options[10]' sorts after 'options[9]'."""
    if "[" not in key:
        return (key,)
    parts = _DIGITS.split(key)
    parts[1::2] = [int(part) for part in parts[1::2]]  # split() puts the digit runs at the odd places
    return tuple(parts)


def _order(problem: Problem) -> tuple[str, int, tuple[str | int, ...], str]:
    return (problem.file, problem.line or 0, _natural(problem.key), problem.message)


class InputError(Exception):
    """Raised by loaders when input cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]):
        self._found = set(problems)
        self._sorted: list[Problem] | None = None
        # The first problems, without sorting them all: an answer to a huge bad document shows only these.
        first = sorted(self._found, key=_order) if len(self._found) <= MAX_PROBLEMS else heapq.nsmallest(MAX_PROBLEMS + 1, self._found, key=_order)
        self.shown = first[:MAX_PROBLEMS]
        self.first_omitted = first[MAX_PROBLEMS] if len(first) > MAX_PROBLEMS else None
        super().__init__("\n".join(str(p) for p in self.shown))

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in file, line and key order."""
        if self._sorted is None:
            self._sorted = sorted(self._found, key=_order)
        return self._sorted

    @property
    def omitted(self) -> int:
        """How many problems a report only counts."""
        return max(0, len(self._found) - MAX_PROBLEMS)

    def report(self) -> str:
        """The first problems, one a line, then how many more and a count: the text `refarch validate` prints."""
        count = len(self._found)
        rest = [more_problems(self.omitted)] if self.omitted else []
        return "\n".join([*(str(p) for p in self.shown), *rest, f"{count:,} problem{'s' if count != 1 else ''} found"])


def more_problems(count: int) -> str:
    return f"... and {count:,} more problem{'s' if count != 1 else ''}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    word = str(word)
    pool = sorted(set(choices))
    longest = max((len(c) for c in pool), default=0)
    if len(word) > 3 * longest:  # nothing can be close (difflib's ratio is at most 2*shorter/total < 0.6): skip the work
        return ""
    import difflib  # here: only a problem asks for a suggestion

    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def one_of(choices: Iterable[str], limit: int = 12) -> str:
    """A short readable list of allowed values."""
    items = sorted(set(choices))
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def unknown(what: str, value: str, known: Iterable[str]) -> str:
    """"unknown method 'helms'; did you mean 'helm'? Known: ..." (a full stop instead when nothing is close)."""
    known = list(known)
    hint = did_you_mean(value, known)
    return f"unknown {what} '{clip(value)}'{hint or '.'} Known: {one_of(known)}"
