"""refarch site generate | build | serve: pages from the catalog, built with mkdocs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .common import catalog_option, default_root, emit, load, main, parse_date

root_option = click.option(
    "--root", "site_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Folder holding mkdocs.yml and site/."
)
audience_option = click.option(
    "--audience",
    type=click.Choice(["public", "internal"]),
    default="public",
    show_default=True,
    help="public: for prospects and customers; internal: adds the exception process's thresholds, routing and triage.",
)
as_of_option = click.option("--as-of", "as_of", metavar="YYYY-MM-DD", default=None, help="Date the release statuses are computed for (default: today, UTC).")


def schema_dir(catalog_root: Path | None) -> Path:
    """The committed JSON Schemas the site publishes as they are."""
    return (catalog_root or default_root()) / "catalog" / "schema"


@main.group()
def site() -> None:
    """The documentation site, generated from the catalog."""


@site.command("generate")
@catalog_option
@root_option
@as_of_option
@audience_option
def generate_command(catalog_root: Path | None, site_root: Path, as_of: str | None, audience: str) -> None:
    """Write the generated pages under site/generated/ without building."""
    from ..site import generate

    written = generate(load(catalog_root), site_root / "site", parse_date(as_of), schema_dir(catalog_root), audience=audience)
    emit(f"generated {len(written)} pages under {site_root / 'site' / 'generated'}")


def fleet_page(catalog_root: Path | None, inventory: Path, day: dt.date) -> dict[str, str]:
    """The fleet page from an inventory of check-ins, as an extra generated file."""
    from ..fleet.inventory import read_inventory
    from ..fleet.report import fleet_report
    from ..render.fleet import fleet_page as render_page
    from ..site import FLEET_PAGE

    catalog = load(catalog_root)
    return {FLEET_PAGE: render_page(fleet_report(catalog, read_inventory(inventory, catalog), day, plans=False))}


@site.command("build")
@catalog_option
@root_option
@as_of_option
@click.option(
    "--fleet", "inventory", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Add a fleet page built from this inventory of check-ins."
)
@audience_option
def build_command(catalog_root: Path | None, site_root: Path, as_of: str | None, inventory: Path | None, audience: str) -> None:
    """Generate the pages, then build the site into build/site (mkdocs, strict)."""
    import hashlib
    import time

    from ..site import build, generate_and_build, generation_key, up_to_date
    from .progress import note

    started = time.monotonic()
    day = parse_date(as_of)
    extra = fleet_page(catalog_root, inventory, day) if inventory is not None else None
    # Like make: when nothing the pages depend on has changed since the last run, only mkdocs runs.
    key = generation_key(catalog_root or default_root(), day, schema_dir(catalog_root), audience)
    if extra:
        key = hashlib.blake2b((key + extra["fleet.md"]).encode(), digest_size=16).hexdigest()
    if up_to_date(site_root / "site", key):
        note("the generated pages are up to date; building the site with mkdocs ...")
        out = build(site_root, built=day)
        summary = "pages are up to date"
    else:
        note(f"generating the {audience} pages from the catalog and building the site with mkdocs into {site_root / 'build' / 'site'} ...")
        out, count = generate_and_build(lambda: load(catalog_root), site_root, day, schema_dir(catalog_root), key=key, extra=extra, audience=audience)
        summary = f"generated {count} pages"
    note(f"done in {time.monotonic() - started:.1f} s")
    emit(f"{summary}; built the site into {out}")


@site.command("serve")
@catalog_option
@root_option
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve_command(catalog_root: Path | None, site_root: Path, port: int) -> None:
    """Generate, build and serve the site on 127.0.0.1; edits to the catalog or the pages rebuild and reload the browser."""
    from ..site import serve

    load(catalog_root)  # fail early, with the usual messages, on a broken catalog
    catalog_dir = catalog_root or default_root()
    watch = [site_root / "site", site_root / "mkdocs.yml", catalog_dir / "catalog", catalog_dir / "architectures"]
    emit(f"serving the site on http://127.0.0.1:{port}/ ; edit the catalog or the pages and the browser reloads (Ctrl-C to stop)")
    serve(site_root, lambda: load(catalog_root), watch, port=port, schema_dir=schema_dir(catalog_root))
