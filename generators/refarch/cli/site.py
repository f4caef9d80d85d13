"""refarch site build | serve: generate pages from the catalog, then build them with mkdocs."""

from __future__ import annotations

from pathlib import Path

import click

from .common import catalog_option, emit, load, main


def project_root() -> Path:
    return Path.cwd()


@main.group()
def site() -> None:
    """The documentation site, generated from the catalog."""


@site.command("generate")
@catalog_option
@click.option("--root", "site_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), help="Folder holding mkdocs.yml.")
def generate_command(catalog_root: Path | None, site_root: Path) -> None:
    """Write the generated pages under site/generated/ without building."""
    from ..site import generate

    written = generate(load(catalog_root), site_root / "site")
    emit(f"generated {len(written)} pages under {site_root / 'site' / 'generated'}")


@site.command("build")
@catalog_option
@click.option("--root", "site_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), help="Folder holding mkdocs.yml.")
def build_command(catalog_root: Path | None, site_root: Path) -> None:
    """Generate the pages, then build the site into build/site (mkdocs, strict)."""
    from ..site import build, generate

    catalog = load(catalog_root)
    written = generate(catalog, site_root / "site")
    out = build(site_root)
    emit(f"generated {len(written)} pages; built the site into {out}")


@site.command("serve")
@catalog_option
@click.option("--root", "site_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), help="Folder holding mkdocs.yml.")
@click.option("--port", default=8000, show_default=True)
def serve_command(catalog_root: Path | None, site_root: Path, port: int) -> None:
    """Generate the pages and serve the site with live reload on 127.0.0.1."""
    from mkdocs.commands.serve import serve

    from ..site import generate

    generate(load(catalog_root), site_root / "site")
    serve(config_file=str(site_root / "mkdocs.yml"), open_in_browser=False, dev_addr=f"127.0.0.1:{port}", livereload=True)
