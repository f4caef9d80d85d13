"""Plain-text and Markdown tables (no colour codes, so output diffs and pastes cleanly)."""

from __future__ import annotations

import os
import re
import sys
import textwrap
import unicodedata
from collections.abc import Sequence

_NOT_PLAIN = re.compile(r"[^\x20-\x7e\n]")
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")  # controls, format (bidi, zero-width), surrogates, private, unassigned, line breaks


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\t" or unicodedata.category(char) not in _INVISIBLE:
        return char
    code = ord(char)
    if code > 0xFFFF:  # as a JSON surrogate pair, so JSON output stays JSON that means the same text
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control, bidi, zero-width or unpaired surrogate character written as \\uXXXX, so none reaches a terminal raw.

    Inside JSON strings \\uXXXX is the same character, so JSON output keeps its meaning; elsewhere it shows what was there.
    """
    return _NOT_PLAIN.sub(_escaped, text)


GAP = 2
NARROWEST = 6  # a column is never squeezed below this (or its header), however narrow the terminal


def terminal_width() -> int:
    """The width to fit: COLUMNS, else the terminal's; 0 (no limit) when the output is piped, so each row stays one line."""
    # shutil.get_terminal_size's own rules, without importing shutil (and with it bz2, lzma and zlib: 1.5 ms of every command)
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns


def fit_widths(natural: Sequence[int], floors: Sequence[int], width: int) -> list[int]:
    """Column widths that fit `width` (with the gaps): the widest columns give way first, none below its floor."""
    widths = list(natural)
    room = width - GAP * (len(widths) - 1)
    while width > 0 and sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: (widths[i] - floors[i] > 0, widths[i]))
        if widths[widest] <= floors[widest]:
            break  # every column is at its floor: the table cannot fit, so it stays as narrow as it can
        widths[widest] -= 1
    return widths


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], width: int | None = None, prose_last: bool = False) -> str:
    """A plain table that fits `width` columns (default: the terminal's), wrapping long cells within their column.

    prose_last: the last column is sentences; when the table does not fit, each row's sentence goes on the lines
    below the row, indented under the second column, instead of being squeezed into a narrow column.
    """
    width = terminal_width() if width is None else width
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    natural = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    below = prose_last and len(headers) > 2 and width > 0 and sum(natural) + GAP * (len(natural) - 1) > width
    columns = natural[:-1] if below else natural
    floors = [min(columns[i], max(len(cells[0][i]), NARROWEST)) for i in range(len(columns))]
    widths = fit_widths(columns, floors, width)
    indent = " " * (widths[0] + GAP)
    lines = []
    for number, row in enumerate(cells):
        lines += _row_lines(row[: len(widths)], widths)
        if below:
            lines += textwrap.wrap(row[-1], max(width, len(indent) + NARROWEST), initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)
        if number == 0:
            lines.append((" " * GAP).join("-" * w for w in widths))
    return "\n".join(lines)


def _row_lines(row: Sequence[str], widths: Sequence[int]) -> list[str]:
    wrapped = [textwrap.wrap(cell, widths[i], break_on_hyphens=False) or [""] if len(cell) > widths[i] else [cell] for i, cell in enumerate(row)]
    depth = max(len(parts) for parts in wrapped)
    return [(" " * GAP).join((parts[d] if d < len(parts) else "").ljust(widths[i]) for i, parts in enumerate(wrapped)).rstrip() for d in range(depth)]


def wrap_line(text: str, width: int | None = None, indent: str = "  ") -> str:
    """A line of prose that fits `width` (default: the terminal's), continued with an indent; as is when there is no limit."""
    width = terminal_width() if width is None else width
    if width <= 0 or len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=True))


_MARKDOWN_ACTIVE = re.compile(r"([\\`|<\[\]&])")


def md_escape(value: object) -> str:
    """Text as inert Markdown: no table cell breaks, HTML (<script>), links ([x](javascript:...)), entities or code spans."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", str(value)).replace("\r", " ").replace("\n", " ")


class Markdown(str):
    """Text that is Markdown already: markdown_table() keeps it as it is."""


def code(value: object) -> Markdown:
    """A code span for any text: a backtick inside cannot end it, a | cannot split a table cell."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markdown(f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|"))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = ["| " + " | ".join(md_escape(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(c if isinstance(c, Markdown) else md_escape("" if c is None else c) for c in row) + " |" for row in rows]
    return "\n".join(out)
