"""Commands that plan a way forward: upgrade-plan (version to version) and migrate-plan (method to method)."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import EXIT_FAILED, catalog_option, default_root, emit_as, format_option, load, main

if TYPE_CHECKING:
    from ..upgrades import Routes


@main.command("upgrade-plan")
@click.option("--from", "from_version", required=True, help='The version the instance runs now, e.g. "5.9" or "5.9.45".')
@click.option("--to", "to_version", required=True, help='The version to reach, e.g. "7.6", or latest (the newest release); the plan goes to its latest patch.')
@click.option("--method", "method_id", required=True, help="Deployment method id, e.g. helm, docker-compose, kustomize.")
@click.option("--postgres", default=None, help="bundled (default), bundled-12, bundled-16 or external-VERSION (e.g. external-16).")
@click.option("--strategy", default="fewest-steps", show_default=True, help="fewest-steps or least-downtime.")
@format_option()
@catalog_option
def upgrade_plan(from_version: str, to_version: str, method_id: str, postgres: str | None, strategy: str, fmt: str, catalog_root: Path | None) -> None:
    """The upgrade path from one version to a later one: every hop, why it stops there, its downtime and manual steps.

    Exits 0 with a plan, 2 on a downgrade, an unknown version or method, or a version the method does not run.
    """
    from ..render.upgrades import upgrade_plan_markdown, upgrade_plan_table
    from ..upgrades import upgrade_plan as plan_upgrade

    routes = upgrade_routes(catalog_root)
    plan = plan_upgrade(load(catalog_root, fast=True), from_version, to_version, method_id, postgres=postgres, strategy=strategy, routes=routes)
    emit_as(fmt, plan, upgrade_plan_table, upgrade_plan_markdown)


def upgrade_routes(catalog_root: Path | None) -> Routes | None:
    """Where the planner finds its routing table, read once however many plans ask (None without a cache: REFARCH_NO_CACHE)."""
    if os.environ.get("REFARCH_NO_CACHE"):
        return None
    return functools.cache(lambda: _routes(catalog_root or default_root()))


def _routes(root: Path) -> Any:
    """The upgrade planner's routing table, kept beside the catalog cache, so a plan needs no networkx.

    Not without a cache (REFARCH_NO_CACHE): for one plan, networkx is quicker than building the whole table."""
    from ..cache import load_derived
    from ..upgrades import routing_table

    return load_derived(root, "upgrade-routes", routing_table)


@main.command("migrate-plan")
@click.option("--from-method", "from_method", required=True, help="The deployment method the instance runs on now, e.g. single-container.")
@click.option("--to-method", "to_method", required=True, help="The deployment method to move to, e.g. helm.")
@click.option("--version", "version", default=None, help='The version the move happens at, e.g. "6.12" (default: any).')
@format_option()
@catalog_option
def migrate_plan(from_method: str, to_method: str, version: str | None, fmt: str, catalog_root: Path | None) -> None:
    """How to move a deployment from one method to another: backups, dump and restore, what is rebuilt, downtime.

    Exits 0 when a supported route exists, 1 when none does (the answer says where you can go instead), 2 on bad input.
    """
    from ..render.upgrades import migrate_plan_markdown, migrate_plan_table
    from ..upgrades import migrate_plan as plan_migration

    plan = plan_migration(load(catalog_root), from_method, to_method, version)
    emit_as(fmt, plan, migrate_plan_table, migrate_plan_markdown)
    if not plan["found"]:
        sys.exit(EXIT_FAILED)
