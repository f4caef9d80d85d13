"""Jinja2 environment for site pages: strict about missing values, escaping every catalog value.

Catalog text reaches HTML through Markdown, so every value is HTML-escaped: a note that says
<script> shows as text. Template text itself (the Markdown) is not escaped.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup, escape


def _cell(value: Any) -> Markup:
    """A value for a Markdown table cell: escaped, with pipes and newlines neutralised."""
    return Markup(str(escape("" if value is None else value)).replace("|", "&#124;").replace("\n", " "))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("refarch", "render/templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = _cell
    env.filters["badge"] = lambda level: Markup(f'<span class="ra-badge ra-{escape(level)}">{escape(level)}</span>')
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
