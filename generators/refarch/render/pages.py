"""Jinja2 environment for site pages: strict about missing values, escaping every catalog value.

Catalog text reaches HTML through Markdown, so every interpolated value is HTML-escaped and its
Markdown syntax characters are turned into character references: a note that says <script> or
*bold* shows exactly that, as text. Template text itself (the Markdown) is not escaped. Filters
that build markup (badges, links, mermaid labels) return Markup and escape their own inputs.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

# Characters HTML or Markdown (with attr_list and tables) would interpret inside running text.
_HTML_SPECIALS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_MARKDOWN_SPECIALS = {c: f"&#{ord(c)};" for c in "\\`*_[]{}|#~^"}
_SPECIALS = {**_HTML_SPECIALS, **_MARKDOWN_SPECIALS, "\r": " ", "\n": " "}
_SPECIAL = re.compile("[" + re.escape("".join(_SPECIALS)) + "]")
_BLOCK_START = re.compile(r"^(\d+)([.)])(?=\s|$)|^([-+>=:!])")


def neutralize(text: str) -> Markup:
    """Text for running Markdown: HTML-escaped, Markdown syntax neutralised, one line (one pass, so nothing is escaped twice)."""
    escaped = _SPECIAL.sub(lambda m: _SPECIALS[m.group()], text)
    # A value placed at the start of a line must not turn into a list, quote or heading.
    escaped = _BLOCK_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};" if m.group(1) else f"&#{ord(m.group(3))};", escaped, count=1)
    return Markup(escaped)


def number(value: float | int) -> str:
    """12000 -> "12,000"; 2.0 -> "2"; 0.512 -> "0.512"."""
    if isinstance(value, int):
        return f"{value:,}"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def _finalize(value: Any) -> Any:
    """Every {{ value }} passes through here: numbers and dates formatted, text neutralised."""
    if isinstance(value, Markup):
        return value
    if value is None:
        # A missing value is a template bug: say so instead of printing "None" on a page.
        raise TypeError("a template printed None; handle the empty case in the template")
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, (int, float)):
        return Markup(number(value))
    if isinstance(value, dt.date):
        return Markup(value.isoformat())
    return neutralize(str(value))


def badge(level: str, label: str | None = None) -> Markup:
    text = label or level.replace("-", " ")
    return Markup('<span class="ra-badge ra-{0}">{1}</span>').format(level, text)


def safe_url(url: str) -> str | None:
    """Only web links become links: a catalog URL like javascript:... stays text."""
    return url if urlsplit(url).scheme in ("http", "https") else None


def source_label(url: str) -> str:
    """A short, readable name for a source URL: repository and file."""
    parts = urlsplit(url)
    path = [p for p in parts.path.split("/") if p]
    if parts.netloc == "github.com" and len(path) >= 2:
        repo = "/".join(path[:2])
        rest = path[4:] if len(path) > 4 and path[2] in ("blob", "tree") else path[2:]
        return f"{repo}: {'/'.join(rest)}" if rest else repo
    return parts.netloc + parts.path


def link(url: str, text: str | None = None) -> Markup:
    label = text if text is not None else source_label(url)
    href = safe_url(url)
    if href is None:
        return neutralize(label if text is not None else url)
    return Markup('<a href="{0}">{1}</a>').format(href, neutralize(label))


def mermaid_label(text: str) -> Markup:
    """A mermaid node label: no quotes or brackets that end the label, entities in mermaid's own syntax."""
    cleaned = re.sub(r"\s+", " ", str(text)).strip()
    # '#' first: the other replacements introduce it.
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;"), ("`", "#96;")):
        cleaned = cleaned.replace(char, code)
    return Markup(cleaned)


def mermaid_id(text: str) -> Markup:
    """A mermaid node id: letters, digits and underscores only."""
    return Markup("n_" + re.sub(r"[^A-Za-z0-9]", "_", str(text)))


def anchor(kind: str, entity_id: str) -> Markup:
    """The stable HTML id of an entity on the site: kind-id (e.g. method-helm, release-7.6)."""
    return Markup('<span class="ra-anchor" id="{0}-{1}"></span>').format(kind, entity_id)


def json_script(value: Any) -> Markup:
    """JSON safe inside a <script> element: no '<', '>' or '&' that could end it.

    Key order is kept as given: the sizing model's order is part of what the calculator reads (it lists defaults in it).
    """
    text = json.dumps(value, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept beside the catalog cache: compiling them is most of a fresh process's rendering time."""
    from ..cache import cache_dir

    folder = cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home only costs compiling again
    return jinja2.FileSystemBytecodeCache(str(folder))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(),
        loader=jinja2.PackageLoader("refarch", "render/templates"),
        autoescape=True,
        # Markdown's attribute lists write heading ids as {#id}: keep that free by moving Jinja comments to {## ##}.
        comment_start_string="{##",
        comment_end_string="##}",
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = lambda value: _finalize(value)
    env.filters["badge"] = badge
    env.filters["link"] = link
    env.filters["source_label"] = source_label
    env.filters["mermaid_label"] = mermaid_label
    env.filters["mermaid_id"] = mermaid_id
    env.filters["json_script"] = json_script
    # Front matter: a YAML double-quoted string (JSON is valid YAML) of neutralised text, so no name can break the YAML.
    env.filters["yaml_string"] = lambda value: Markup(json.dumps(str(neutralize(str(value)))))
    env.filters["code"] = lambda value: Markup("<code>{0}</code>").format(value)
    env.filters["raw_number"] = lambda value: Markup(json.dumps(int(value) if isinstance(value, float) and value.is_integer() else value))
    env.globals["anchor"] = anchor
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
