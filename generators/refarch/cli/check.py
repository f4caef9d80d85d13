"""refarch check: judge customers' requirements files against the support matrix."""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from ..problems import InputError, Problem
from .common import catalog_option, default_root, emit, format_option, load, main, parse_date, say

CHECK_FORMATS = ("table", "json", "markdown", "junit", "github", "sarif")


def read_input(name: str, model: Any) -> tuple[Any, Any, str]:
    """Read and validate one YAML or JSON document from a path, or from stdin for '-': (model, line map, label)."""
    from ..fsutil import read_stream
    from ..loading import read_document, validate_document
    from ..yamlfile import parse

    if name == "-":
        label = "<stdin>"
        data, lines = parse(read_stream(getattr(sys.stdin, "buffer", None), label), label)  # sys.stdin is None when stdin is closed
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
    from ..cache import answer_path, recall, remember
    from ..render.checks import render

    date = parse_date(as_of)
    kept = answer_path(catalog_root or default_root(), "check", _answer_inputs(files, exceptions_dir, date, fail_on_warn))
    result = recall(kept)
    if result is not None:  # the same files, records and date over the same catalog and code: the answer given before
        _replay_progress(len(files), len(result["reports"]))  # a terminal sees what a fresh check shows
        _finish(result, fmt, render(result, fmt, __version__))

    from ..checking import check, combine, requirement_problems
    from ..models import Requirements
    from ..records import read_records

    catalog = load(catalog_root)
    problems: list[Problem] = []
    records = []
    if exceptions_dir is not None:
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
    result = remember(kept, combine(reports, date, fail_on_warn))
    _finish(result, fmt, render(result, fmt, __version__))


def _replay_progress(files: int, documents: int) -> None:
    from .progress import Counter

    for what, total in (("reading requirements files", files), ("checking", documents)):
        counter = Counter(what, total)
        for _ in range(total):
            counter.step()
        counter.done()


def _finish(result: dict[str, Any], fmt: str, text: str) -> NoReturn:
    emit(text)
    if fmt in ("json", "sarif"):
        say(result["summary"])  # stdout stays one JSON document
    sys.exit(result["exit_code"])


def _answer_inputs(files: tuple[str, ...], exceptions_dir: Path | None, date: dt.date, fail_on_warn: bool) -> list[str | bytes] | None:
    """Everything a check's answer depends on besides the catalog: each file's name and bytes, every record, the date.

    None (no caching) unless every input is a small regular file: stdin, a FIFO or a device is read only once, by the check.
    """
    inputs: list[str | bytes] = [date.isoformat(), str(fail_on_warn), str(len(files))]
    paths = [Path(name) for name in files]
    if exceptions_dir is not None:
        if not exceptions_dir.is_dir():
            return None
        inputs.append(str(exceptions_dir))
        paths += sorted(p for p in exceptions_dir.rglob("*") if not p.is_dir())
    for name, path in zip([*files, *(str(p) for p in paths[len(files) :])], paths, strict=True):
        try:
            status = os.stat(path)
            if name == "-" or not stat.S_ISREG(status.st_mode) or status.st_size > 1024 * 1024:
                return None
            inputs += [name, path.read_bytes()]
        except OSError:
            return None
    return inputs
