"""API routes over the domain engines (sizing, checking, upgrades): each calls the same function as its CLI command."""

from __future__ import annotations

from fastapi import APIRouter

from .loading import Catalog


def register(api: APIRouter, catalog: Catalog) -> None:
    """Add the domain routes to `api`."""
