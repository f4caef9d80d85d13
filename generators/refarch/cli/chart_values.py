"""refarch catalog chart-values: the chart's keys or the Compose file's services at every release, read from a clone."""

from __future__ import annotations

from pathlib import Path

import click

from .common import catalog_option, default_root, emit, load, usage_error
from .maintain import catalog_group


@catalog_group.command("chart-values")
@click.option("--git", "git_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="A clone (bare or not) of the chart's repository (methods.helm.git in catalog/deploy/keys.yaml), or with --compose of the Compose repository.")
@click.option("--compose", is_flag=True, help="The clone is the Docker Compose repository: read docker-compose/docker-compose.yaml.")
@click.option("--verified", "verified", default=None, help="The date to record as verified, YYYY-MM-DD (default: today, UTC).")
@catalog_option
def chart_values_command(git_dir: Path, compose: bool, verified: str | None, catalog_root: Path | None) -> None:
    """Write catalog/deploy/helm.yaml (or docker-compose.yaml with --compose) from the release tags of a local clone.

    For every catalog release from 5.0 on it reads the highest patch tag of that minor with git, and stores
    what changed since the release before (keys with type and default, or services), with the tag's URL and
    date. Releases without a tag in the clone are listed under missing:. Nothing is downloaded.
    """
    from ..catalog.chart_values import GitError, kind_for, write
    from ..deploy.data import read_keys
    from .common import parse_date

    root = catalog_root or default_root()
    catalog = load(root)
    date = parse_date(verified, "--verified")
    kind = kind_for(read_keys(root), "docker-compose" if compose else "helm")
    try:
        path, data = write(root, kind, git_dir, [r.version for r in catalog.releases.releases], date)
    except GitError as error:
        usage_error("--git", f"{git_dir}: git could not read it ({error}); give a clone of {kind.repository}")
    missing = ", ".join(m["version"] for m in data.get("missing", [])) or "none"
    emit(f"wrote {path}: {len(data['versions'])} releases ({data['versions'][0]['version']} to {data['versions'][-1]['version']}); no tag for: {missing}")
