"""refarch check: judge customers' requirements files against the support matrix."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..problems import InputError, Problem
from .common import catalog_option, emit, format_option, load, main, parse_date

CHECK_FORMATS = ("table", "json", "markdown", "junit", "github", "sarif")


def read_input(name: str, model: Any) -> tuple[Any, Any, str]:
    """Read and validate one YAML or JSON document from a path, or from stdin for '-': (model, line map, label)."""
    from ..loading import read_document, validate_document
    from ..yamlfile import parse

    if name == "-":
        label = "<stdin>"
        data, lines = parse(sys.stdin.buffer.read(), label)
        return validate_document(data, model, label, lines), lines, label
    document, lines = read_document(Path(name), model, name)
    return document, lines, name


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
    from ..models import Requirements
    from ..records import read_records
    from ..render.checks import render

    catalog = load(catalog_root)
    date = parse_date(as_of)
    problems: list[Problem] = []
    records = []
    if exceptions_dir is not None:
        try:
            records = read_records(exceptions_dir)
        except InputError as error:
            problems.extend(error.problems)
    from .progress import Counter

    documents = []
    reading = Counter("reading requirements files", len(files))
    for name in files:
        reading.step()
        try:
            requirements, lines, label = read_input(name, Requirements)
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
    emit(render(result, fmt, __version__))
    if fmt in ("json", "sarif"):
        click.echo(result["summary"], err=True)  # stdout stays one JSON document
    sys.exit(result["exit_code"])
