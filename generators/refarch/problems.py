"""Problems found in input: where (file and line), which key, what is wrong, how to fix it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines() splits on
_BREAK_NAMES = {"\n": "\\n", "\r": "\\r"}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        """One line, always: a line break inside a value (a key, a file name) is shown as \\n, so each problem is one line to grep."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return _LINE_BREAKS.sub(lambda m: _BREAK_NAMES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


class InputError(Exception):
    """Raised by loaders when input cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.key, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        """All problems, one a line, then a count: the text `refarch validate` prints."""
        count = len(self.problems)
        return "\n".join([*(str(p) for p in self.problems), f"{count} problem{'s' if count != 1 else ''} found"])


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
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
    return f"unknown {what} '{value}'{hint or '.'} Known: {', '.join(known)}"
