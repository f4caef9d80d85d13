"""refarch serve: the docs site and the JSON API in one process."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import catalog_option, emit, load, main

SWITCH_INTERVAL = 0.0005  # seconds


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@catalog_option
@click.option("--root", "site_root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), help="Folder holding mkdocs.yml.")
@click.option("--rebuild/--no-rebuild", default=False, help="Build the site even if build/site exists.")
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public", show_default=True, help="Which site to build (see refarch site build).")
def serve(host: str, port: int, catalog_root: Path | None, site_root: Path, rebuild: bool, audience: str) -> None:
    """Serve the docs site at / and the JSON API at /api/v1 (OpenAPI: /api/v1/docs).

    The catalog is loaded and validated once at start; a catalog with errors stops the start
    with the same messages `refarch validate` prints (exit 2).
    """
    import uvicorn

    from ..api import create_app

    catalog = load(catalog_root)
    site_dir = site_root / "build" / "site"
    if (site_root / "mkdocs.yml").is_file() and (rebuild or not (site_dir / "index.html").is_file()):
        import time

        from ..site import build, generate
        from .progress import note

        started = time.monotonic()
        note(f"building the site from the catalog into {site_dir} ...")
        generate(catalog, site_root / "site", audience=audience)
        build(site_root)
        note(f"built the site in {time.monotonic() - started:.1f} s")
    # CPU-bound requests run on worker threads; a short GIL switch interval lets the event loop thread (and /health)
    # take its turn within a millisecond instead of 5 ms per wake-up, at a small cost in throughput.
    sys.setswitchinterval(SWITCH_INTERVAL)
    emit(f"refarch: serving the site and the API on http://{host}:{port}/ (API docs: http://{host}:{port}/api/v1/docs)")
    uvicorn.run(create_app(catalog, site_dir), host=host, port=port, log_level="warning")
