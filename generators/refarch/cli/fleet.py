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
    from ..fleet.inventory import read_inventory
    from ..fleet.report import fleet_report

    catalog = load(catalog_root)
    date = parse_date(as_of)
    data = fleet_report(catalog, read_inventory(inventory, catalog), date, active_days)
    text = render_report(data, fmt)
    if output is None:
        emit(text)
    else:
        write_output(text, output, (inventory,))
        emit(f"wrote the fleet report for {data['as_of']} to {output}")
