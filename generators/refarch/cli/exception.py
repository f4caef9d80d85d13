"""refarch exception new | triage | grant: the exception process, from request to granted record."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..problems import InputError, Problem
from .check import read_input
from .common import EXIT_FAILED, catalog_option, emit, emit_as, format_option, load, main, parse_date, say


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@main.group("exception")
def exception_group() -> None:
    """The exception process: write a request, triage it, grant a record that expires."""


@exception_group.command("new")
@click.argument("requirements_file")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the request here (YAML) and a Markdown copy beside it."
)
@click.option("--force", is_flag=True, help="Replace the output files if they exist (never the requirements file).")
@click.option("--ticket", default="", help="The support or sales ticket the request belongs to.")
@click.option("--as-of", "as_of", default=None, help="Check on this date, YYYY-MM-DD, UTC (default: today).")
@catalog_option
def new_command(requirements_file: str, output: Path | None, force: bool, ticket: str, as_of: str | None, catalog_root: Path | None) -> None:
    """Write an exception request for a requirements file: its deviations and the policy's questions to answer.

    Without -o the YAML goes to stdout. With -o FILE, FILE and its .md copy must not exist (or pass --force)
    and must not be the requirements file or each other. Exits 0, or 2 on invalid input.
    """
    from ..checking import requirement_problems
    from ..exceptions import new_request
    from ..fsutil import check_new_outputs, write_atomic
    from ..models import Requirements
    from ..render.exceptions import request_markdown, request_yaml

    markdown = output.with_suffix(".md") if output is not None else None
    if output is not None and markdown is not None:
        if output == markdown:
            raise InputError(
                [
                    Problem(
                        str(output),
                        None,
                        "",
                        "-o names the Markdown copy itself; give the request a .yaml name, like request.yaml (its copy becomes request.md)",
                    )
                ]
            )
        check_new_outputs([output, markdown], inputs=[] if requirements_file == "-" else [Path(requirements_file)], force=force)
    catalog = load(catalog_root)
    requirements, lines, label = read_input(requirements_file, Requirements)
    problems = requirement_problems(catalog, requirements, label, lines)
    if problems:
        raise InputError(problems)
    request, report = new_request(catalog, requirements, parse_date(as_of), ticket)
    if not request.deviations:
        say(f"{label}: {report['verdict']} ({report['summary']}); no exception is needed, nothing written")
        return
    hard = sorted({d.rule_id for d in request.deviations if not d.exception_allowed})
    if hard:
        say(f"{label}: note: no exception can lift {', '.join(hard)}; triage will decline unless the requirements change")
    if output is None or markdown is None:
        emit(request_yaml(request))
        return
    written: list[Path] = []
    try:
        for path, text in ((output, request_yaml(request)), (markdown, request_markdown(request))):
            try:
                write_atomic(path, text, exclusive=not force)  # exclusive: a file that appeared since the check is still not replaced
            except FileExistsError:
                raise InputError([Problem(str(path), None, "", "file exists; pass --force to replace it, or pick another name")]) from None
            written.append(path)
    finally:
        if len(written) == 1 and not force:  # a new pair is written whole or not at all
            written[0].unlink()
    count = len(request.deviations)
    emit(
        f"wrote {output} and {markdown}: {count} deviation{'s' if count != 1 else ''}; answer the questions under answers:, then run `refarch exception triage {output}`"
    )


@exception_group.command("triage")
@click.argument("request_file")
@format_option()
@click.option("--as-of", "as_of", default=None, help="Re-check on this date, YYYY-MM-DD, UTC (default: today).")
@catalog_option
def triage_command(request_file: str, fmt: str, as_of: str | None, catalog_root: Path | None) -> None:
    """Check a request is complete, re-check it against the current catalog, and recommend what to do.

    Recommends answer-open-questions (listing each question still open), decline, approve-with-professional-services,
    engineering-review or approve, with reasons, from catalog/exception-policy.yaml. Exits 0 when the request is complete, 1 when answers are missing, 2 on invalid input.
    """
    from ..exceptions import triage
    from ..models import ExceptionRequest
    from ..render.exceptions import triage_markdown, triage_table

    catalog = load(catalog_root)
    request, lines, label = read_input(request_file, ExceptionRequest)
    result = triage(catalog, request, parse_date(as_of), file=label, lines=lines)
    emit_as(fmt, result, triage_table, triage_markdown)
    if not result["complete"]:
        sys.exit(EXIT_FAILED)


@exception_group.command("grant")
@click.argument("request_file")
@click.option("--expires", required=True, help="Expiry date, YYYY-MM-DD: the record stops waiving at 00:00 UTC that day; at most a year ahead.")
@click.option("--approved-by", "approved_by", required=True, help="Who approved the exception.")
@click.option("--justification", default=None, help="Why it was granted; required when the request's own justification is empty.")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("exceptions"),
    show_default=True,
    help="Folder of granted records (private: never the catalog or the site).",
)
@catalog_option
def grant_command(request_file: str, expires: str, approved_by: str, justification: str | None, folder: Path, catalog_root: Path | None) -> None:
    """Grant an exception request: write a record that waives its deviations until it expires.

    The record is written atomically and never replaces another. Exits 0, or 2 on invalid input.
    """
    from ..checking import requirement_problems
    from ..exceptions import grant
    from ..models import ExceptionRequest
    from ..records import write_record

    catalog = load(catalog_root)
    request, lines, label = read_input(request_file, ExceptionRequest)
    problems = requirement_problems(catalog, request.requirements, label, lines, prefix=("requirements",))
    if problems:
        raise InputError(problems)
    record = grant(
        catalog, request, expires=parse_date(expires, "--expires"), approved_by=approved_by, today=utc_today(), justification=justification, file=label
    )
    path = write_record(folder, record)
    emit(f"granted {record.id} for {record.customer}: waives {', '.join(record.rule_ids)} until it expires on {record.expires} (00:00 UTC); wrote {path}")
