"""Saying what is happening: stage lines and counters on stderr, only when stderr is a terminal.

Piped or captured output stays exactly the result, so scripts and tests see no progress text.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def note(message: str) -> None:
    """A stage line ("building the site with mkdocs ..."), for a person watching a terminal."""
    if is_terminal():
        click.echo(f"refarch: {message}", err=True)


class Counter:
    """`what: 120/500` rewritten in place at most every `interval` seconds, and cleared when done."""

    def __init__(self, what: str, total: int, interval: float = 0.2) -> None:
        self.what, self.total, self.interval = what, total, interval
        self.count = 0
        self.shown = ""
        self.enabled = is_terminal() and total > 1
        self.last = time.monotonic()

    def step(self) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and (now - self.last >= self.interval or self.count == self.total):
            self.last = now
            self.shown = f"{self.what}: {self.count:,}/{self.total:,}"
            click.echo(f"\r{self.shown}", err=True, nl=False)

    def done(self) -> None:
        if self.shown:
            click.echo("\r" + " " * len(self.shown) + "\r", err=True, nl=False)
            self.shown = ""
