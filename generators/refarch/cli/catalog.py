"""Commands over the catalog itself: validate, matrix, schema."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..problems import InputError
from .common import EXIT_FAILED, catalog_option, default_root, emit, emit_as, fail, format_option, load, main, parse_date


@main.command()
@click.option("--as-of", "as_of", default=None, help="Judge the catalog's freshness on this date, YYYY-MM-DD (default: today, UTC).")
@catalog_option
def validate(as_of: str | None, catalog_root: Path | None) -> None:
    """Check every catalog and architecture file; list every problem with its file and line.

    Exits 0 when the catalog is valid, 2 when it is not. A catalog whose next release is overdue
    gets a warning on stderr (the exit code stays the same).
    """
    import datetime as dt

    from ..cache import load_answer

    root = catalog_root or default_root()
    date = parse_date(as_of)

    def check_every_file() -> dict[str, str]:
        from ..deploy.data import present as deploy_present
        from ..deploy.data import problems as deploy_problems
        from ..deploy.data import read as read_deploy
        from ..freshness import stale_message
        from ..loading import iter_entities, load_catalog

        catalog = load_catalog(root)  # never the catalog cache: validate reads every file
        if deploy_present(root):  # catalog/deploy/ is read on demand; a test catalog may have none
            found = deploy_problems(read_deploy(root), set(catalog.services), root)
            if found:
                raise InputError(found)
        count = sum(1 for _ in iter_entities(catalog))
        stale = stale_message(catalog, date)
        warning = str(catalog.origins[("releases", "")].problem(("verified",), f"warning: {stale}")) if stale else ""
        return {"valid": f"{root}: catalog is valid ({len(catalog.origins)} files, {count} entities)", "warning": warning}

    # A catalog found valid is not read again until a file or refarch changes (refarch.cache.catalog_key); problems are
    # never stored, so a catalog with problems is read in full every time and every problem is listed.
    try:
        outcome = load_answer(root, "validate", [str(root), date.isoformat(), dt.date.today().isoformat()], check_every_file)
    except InputError as error:
        fail(error)
    if outcome["warning"]:
        click.echo(outcome["warning"], err=True)
    emit(outcome["valid"])


@main.command()
@click.option("--version", "version", default=None, help='Product version, e.g. "7.5" (default: the latest release).')
@click.option("--method", "method_id", default=None, help="Only this deployment method, e.g. helm.")
@click.option("--as-of", "as_of", default=None, help="Judge release status on this date, YYYY-MM-DD (default: today, UTC).")
@format_option()
@catalog_option
def matrix(version: str | None, method_id: str | None, as_of: str | None, fmt: str, catalog_root: Path | None) -> None:
    """What is supported for a product version: methods, platforms, external services, options."""
    from ..matrix import support_matrix
    from ..render.reports import matrix_markdown, matrix_table

    date = parse_date(as_of)
    catalog = load(catalog_root, fast=True)
    data = support_matrix(catalog, version if version is not None else catalog.releases.releases[-1].version, date, method_id)
    emit_as(fmt, data, matrix_table, matrix_markdown)


@main.command()
@click.option("--check", is_flag=True, help="Do not write; exit 1 if a committed schema differs from the models.")
@catalog_option
def schema(check: bool, catalog_root: Path | None) -> None:
    """Write the JSON Schemas for every file refarch reads into catalog/schema/.

    With --check, compare instead and exit 1 if any is stale (run `refarch schema` to fix).
    """
    from ..fsutil import write_atomic
    from ..schema import SCHEMA_DIR, render_all

    folder = (catalog_root or default_root()) / SCHEMA_DIR
    expected = render_all()
    if check:
        stale = [name for name, text in expected.items() if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text]
        extra = sorted(p.name for p in folder.glob("*.schema.json") if p.name not in expected) if folder.is_dir() else []
        for name in stale:
            click.echo(f"{SCHEMA_DIR}/{name}: stale or missing; run `refarch schema` to regenerate it", err=True)
        for name in extra:
            click.echo(f"{SCHEMA_DIR}/{name}: no model produces this schema; delete it", err=True)
        if stale or extra:
            sys.exit(EXIT_FAILED)
        emit(f"{len(expected)} schemas are up to date")
        return
    for name, text in expected.items():
        write_atomic(folder / name, text)
    for path in folder.glob("*.schema.json"):
        if path.name not in expected:
            path.unlink()
    emit(f"wrote {len(expected)} schemas to {folder}")


