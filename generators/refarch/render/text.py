"""Plain-text and Markdown tables (no colour codes, so output diffs and pastes cleanly)."""

from __future__ import annotations

import re
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


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


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
