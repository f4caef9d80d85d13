"""Generate the site's pages from the catalog (pure rendering), then build with mkdocs."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .fsutil import write_atomic
from .lifecycle import release_statuses
from .matrix import support_matrix
from .render.pages import render

if TYPE_CHECKING:
    from .loading import Catalog

GENERATED = "generated"


def catalog_version(catalog: Catalog) -> str:
    """A short fingerprint of the catalog's content and its newest verification date."""
    digest = hashlib.blake2b(digest_size=4)
    newest = dt.date.min
    for (_, _), origin in sorted(catalog.origins.items()):
        digest.update(origin.file.encode())
    for kind, entity_id in sorted(catalog.origins):
        entity = getattr(catalog, kind)
        entity = entity[entity_id] if entity_id else entity
        digest.update(entity.model_dump_json().encode())
        newest = max(newest, getattr(entity, "verified", dt.date.min))
    return f"{newest.isoformat()}+{digest.hexdigest()}"


def pages(catalog: Catalog, as_of: dt.date) -> dict[str, str]:
    """Relative path under site/generated/ -> Markdown. No I/O."""
    supported = [s for s in release_statuses(catalog, as_of) if s.status == "supported"]
    newest_per_major: dict[str, Any] = {}
    for status in supported:
        newest_per_major[status.version.split(".")[0]] = status
    matrices = [support_matrix(catalog, s.version, as_of) for s in sorted(newest_per_major.values(), key=lambda s: s.released, reverse=True)]
    levels = [level.model_dump() for level in catalog.support_levels.levels]
    out = {"support-matrix.md": render("support-matrix.md.j2", product=catalog.product, matrices=matrices, levels=levels, as_of=as_of.isoformat())}
    return out


def generate(catalog: Catalog, site_dir: Path, as_of: dt.date | None = None) -> list[Path]:
    """Write every generated page under site_dir/generated/, replacing what was there."""
    as_of = as_of or dt.datetime.now(dt.UTC).date()
    target = site_dir / GENERATED
    rendered = pages(catalog, as_of)
    if target.exists():
        for old in target.rglob("*"):
            if old.is_file() and old.relative_to(target).as_posix() not in rendered:
                old.unlink()
    written = []
    for relative, text in sorted(rendered.items()):
        path = target / relative
        write_atomic(path, text)
        written.append(path)
    (target / ".catalog-version").write_text(catalog_version(catalog) + "\n", encoding="utf-8")
    return written


def build(root: Path, site_dir: Path | None = None) -> Path:
    """mkdocs build --strict of root/mkdocs.yml into root/build/site; the footer names the catalog version and build date."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    out = site_dir or root / "build" / "site"
    version_file = root / "site" / GENERATED / ".catalog-version"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else "unknown"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(out), strict=True)
    config["copyright"] = f"Catalog {version} · built {today}"
    if out.exists():
        shutil.rmtree(out)
    mkdocs_build(config)
    return out
