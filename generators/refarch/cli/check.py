"""refarch check: judge customers' requirements files against the support matrix."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from ..problems import InputError, Problem
from .common import catalog_option, emit, format_option, load, main, parse_date, say

CHECK_FORMATS = ("table", "json", "markdown", "junit", "github", "sarif")


def read_input(name: str, model: Any) -> tuple[Any, Any, str]:
    """Read and validate one YAML or JSON document from a path, or from stdin for '-': (model, line map, label)."""
    from ..loading import validate_document

    data, lines, label = _parse_input(name)
    return validate_document(data, model, label, lines), lines, label


def _parse_input(name: str) -> tuple[Any, Any, str]:
    from ..fsutil import read_input as read_bounded
    from ..fsutil import read_stream
    from ..yamlfile import parse

    if name == "-":
        label = "<stdin>"
        data, lines = parse(read_stream(getattr(sys.stdin, "buffer", None), label), label)  # sys.stdin is None when stdin is closed
        return data, lines, label
    data, lines = parse(read_bounded(Path(name), name), name)
    return data, lines, name


def read_requirements(name: str, catalog: Any) -> tuple[Any, Any, str]:
    """read_input(name, Requirements), without pydantic when the document is plainly valid (refarch.conform) and
    `catalog` is a snapshot, which carries the shapes."""
    from ..conform import conform

    data, lines, label = _parse_input(name)
    shapes = catalog.derived.get("requirements-shapes")
    found = conform(shapes[0], shapes[1], data) if shapes else None
    if found is not None:
        return found, lines, label
    from ..loading import validate_document
    from ..models import Requirements

    return validate_document(data, Requirements, label, lines), lines, label


@main.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option("--as-of", "as_of", default=None, help="Judge on this date, YYYY-MM-DD, UTC (default: today).")
@click.option("--exceptions", "exceptions_dir", type=click.Path(path_type=Path), default=None, help="Folder of granted exception records to honour.")
@format_option(CHECK_FORMATS)
@click.option("--fail-on-warn", is_flag=True, help="Exit 1 when there are warnings, even if everything is supported.")
@catalog_option
def check_command(files: tuple[str, ...], as_of: str | None, exceptions_dir: Path | None, fmt: str, fail_on_warn: bool, catalog_root: Path | None) -> None:
    """Check requirements files (YAML or JSON; - reads stdin) against the support matrix.

    Exit codes: 0 supported (warnings allowed, or every failure waived by an active exception);
    1 an exception is required (or warnings with --fail-on-warn); 2 invalid input or usage;
    3 unsupported: a hard limit no exception can lift.
    """
    from .. import __version__
    from ..checking import check, combine, requirement_problems
    from ..render.checks import render

    date = parse_date(as_of)
    catalog = load(catalog_root, fast=True)
    problems: list[Problem] = []
    records = []
    if exceptions_dir is not None:
        from ..records import read_records

        try:
            records = read_records(exceptions_dir, catalog.exception_policy)
        except InputError as error:
            problems.extend(error.problems)
    from .progress import Counter

    documents = []
    reading = Counter("reading requirements files", len(files))
    for name in files:
        reading.step()
        try:
            requirements, lines, label = read_requirements(name, catalog)
        except InputError as error:
            problems.extend(error.problems)
            continue
        found = requirement_problems(catalog, requirements, label, lines)
        problems.extend(found)
        if not found:
            documents.append((requirements, lines, label))
    reading.done()
    if problems:
        raise InputError(problems)
    checking = Counter("checking", len(documents))
    reports = []
    for requirements, lines, label in documents:
        checking.step()
        reports.append(check(catalog, requirements, date, records, file=label, lines=lines))
    checking.done()
    result = combine(reports, date, fail_on_warn)
    _finish(result, fmt, render(result, fmt, __version__))


def _finish(result: dict[str, Any], fmt: str, text: str) -> NoReturn:
    emit(text)
    if fmt in ("json", "sarif"):
        say(result["summary"])  # stdout stays one JSON document
    sys.exit(result["exit_code"])
