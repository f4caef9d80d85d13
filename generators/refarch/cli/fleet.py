"""refarch fleet report: adoption and support figures for a fleet, from an inventory of check-ins."""

from __future__ import annotations

from pathlib import Path

import click

from ..problems import InputError, Problem
from .common import catalog_option, emit, format_option, load, main, parse_date

FLEET_FORMATS = ("table", "json", "markdown", "html")


def write_output(text: str, output: Path, inputs: tuple[Path, ...]) -> None:
    """Write a report atomically, never over one of its inputs."""
    from ..fsutil import write_atomic

    if any(output.resolve() == given.resolve() for given in inputs):
        raise InputError([Problem(str(output), None, "--output", "is one of the inputs; refarch never writes over its input: pick another file")])
    write_atomic(output, text)


def render_report(data: dict[str, object], fmt: str) -> str:
    from ..render.fleet import fleet_html, fleet_json, fleet_markdown, fleet_table

    renderers = {"json": fleet_json, "markdown": fleet_markdown, "html": fleet_html, "table": fleet_table}
    return renderers[fmt](data)


@main.group("fleet")
def fleet() -> None:
    """Fleet figures from an inventory of check-ins (CSV or JSON Lines)."""


@fleet.command("report")
@click.argument("inventory", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as-of", "as_of", default=None, help="The date the figures are for, YYYY-MM-DD, UTC (default: today).")
@click.option(
    "--active-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="An instance is active with a check-in this many days before the date or later.",
)
@format_option(FLEET_FORMATS)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the report to this file instead of stdout.")
@catalog_option
def report_command(inventory: Path, as_of: str | None, active_days: int, fmt: str, output: Path | None, catalog_root: Path | None) -> None:
    """Active instances, share on the latest release and within one, minors behind, out of support, adoption within 30 days.

    INVENTORY has a header instance,customer,observed_at,version[,method][,platform] (CSV), or one JSON object a line
    with those keys. Exits 0 with a report, 2 when a row cannot be read (FILE:LINE: column: what is wrong).
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..fleet.inventory import read_inventory
    from ..fleet.report import fleet_report
    from .upgrade import upgrade_routes

    date = parse_date(as_of)
    # DuckDB reads the file (releasing the GIL) while this process loads the catalog: the read needs none.
    # The pydantic-free snapshot, and the planner's routing table for the upgrade summaries: neither pydantic nor networkx.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(load, catalog_root, True)
        inv = read_inventory(inventory, pending.result)
        catalog = pending.result()
    data = fleet_report(catalog, inv, date, active_days, routes=upgrade_routes(catalog_root))
    text = render_report(data, fmt)
    if output is None:
        emit(text)
    else:
        write_output(text, output, (inventory,))
        emit(f"wrote the fleet report for {data['as_of']} to {output}")


@main.command("diff")
@click.option("--from", "from_rev", required=True, help="A git revision of this repository (commit, tag, branch) or a folder holding catalog/.")
@click.option("--to", "to_rev", required=True, help="The same, for the catalog to compare with.")
@click.option("--as-of", "as_of", default=None, help="Judge requirements and instances on this date, YYYY-MM-DD, UTC (default: today).")
@click.option(
    "--requirements",
    "requirements_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A folder of requirements files: list those whose verdict changes.",
)
@click.option(
    "--fleet",
    "inventory",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="An inventory of check-ins: list active instances whose support changes.",
)
@click.option(
    "--active-days",
    type=click.IntRange(min=0),
    default=14,
    show_default=True,
    help="With --fleet: an instance is active with a check-in this many days before the date or later.",
)
@format_option()
@catalog_option
def diff_command(
    from_rev: str, to_rev: str, as_of: str | None, requirements_dir: Path | None, inventory: Path | None, active_days: int, fmt: str, catalog_root: Path | None
) -> None:
    """What changed in support between two versions of the catalog: releases, support windows, levels and at which versions.

    Exits 0 when nothing changed, 1 when something did, 2 on bad input (an unknown revision, an invalid catalog or file).
    """
    import sys

    from ..fleet.diff import catalog_diff, fleet_changes, requirement_changes
    from ..fleet.revisions import load_revision
    from ..render.fleet import diff_markdown, diff_table
    from .common import EXIT_FAILED, default_root, emit_as

    repo = catalog_root or default_root()
    date = parse_date(as_of)
    old, new = load_revision(from_rev, repo, "--from"), load_revision(to_rev, repo, "--to")
    requirements = requirement_changes(old, new, read_requirements(requirements_dir), date) if requirements_dir is not None else None
    fleet_found = None
    if inventory is not None:
        from ..fleet.inventory import read_inventory

        fleet_found = fleet_changes(old, new, read_inventory(inventory, new), date, active_days)
    data = catalog_diff(old, new, (from_rev, to_rev), date, requirements, fleet_found)
    emit_as(fmt, data, diff_table, diff_markdown)
    if data["changed"]:
        sys.exit(EXIT_FAILED)


def read_requirements(folder: Path) -> list[tuple[str, object, object]]:
    """Every requirements file in a folder (YAML or JSON), read and validated against the model; all problems at once."""
    from ..loading import read_document
    from ..models import Requirements

    if not folder.is_dir():
        raise InputError([Problem(str(folder), None, "--requirements", "is not a folder")])
    documents: list[tuple[str, object, object]] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json")):
        try:
            document, lines = read_document(path, Requirements, str(path))
        except InputError as error:
            problems.extend(error.problems)
            continue
        documents.append((str(path), document, lines))
    if problems:
        raise InputError(problems)
    return documents
