"""refarch serve: the docs site and the JSON API in one process."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import click

from ..problems import InputError, Problem
from .common import catalog_option, emit, load, main


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, so a busy port is a clean input error before anything says "serving on"."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise InputError([Problem("<arguments>", None, "--host", f"cannot listen on {host!r}: {reason}; give an address like 127.0.0.1")]) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port left in TIME_WAIT by the last run is free, as uvicorn treats it
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            why = f"port {port} on {host} is already in use (another refarch serve or another server?); pick another with --port, e.g. --port {port + 1 if port < 65535 else 8000}"
        else:
            why = f"cannot listen on {host}:{port}: {error.strerror or error}; pick another address with --host or port with --port"
        raise InputError([Problem("<arguments>", None, "--port", why)]) from None
    return sock


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
    sock = listening_socket(host, port)  # before the build: a busy port is said at once
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
    emit(f"refarch: serving the site and the API on http://{host}:{port}/ (API docs: http://{host}:{port}/api/v1/docs)")
    # CPU-bound requests run in worker processes, which share no GIL with the event loop (and /health).
    uvicorn.Server(uvicorn.Config(create_app(catalog, site_dir, processes=True), log_level="warning")).run(sockets=[sock])
