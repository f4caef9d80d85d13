"""The site is generated from the catalog and builds with mkdocs --strict."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from refarch.loading import Catalog


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    """Build the real site once, into a scratch copy of mkdocs.yml and site/."""
    from click.testing import CliRunner

    from refarch.cli import main

    root = tmp_path_factory.mktemp("site-root")
    shutil.copy(repo_root / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(repo_root / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
    result = CliRunner().invoke(main, ["site", "build", "--root", str(root), "--catalog", str(repo_root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root / "build" / "site"


def test_support_matrix_page_is_generated_from_the_catalog(built_site: Path, catalog: Catalog) -> None:
    page = (built_site / "generated" / "support-matrix" / "index.html").read_text(encoding="utf-8")
    for method in catalog.methods.values():
        if method.self_hosted:
            assert method.name.replace("&", "&amp;") in page, method.id
    for level in catalog.support_levels.levels:
        assert f"ra-{level.id}" in page


def test_every_page_footer_names_the_catalog_version(built_site: Path) -> None:
    for page in built_site.rglob("index.html"):
        assert "Catalog 20" in page.read_text(encoding="utf-8"), page


def test_generated_pages_are_not_committed(repo_root: Path) -> None:
    ignored = (repo_root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "site/generated/" in ignored and "build/" in ignored


def test_generate_is_a_cli_command(run: Callable[..., Result], tmp_path: Path, repo_root: Path) -> None:
    (tmp_path / "site").mkdir()
    result = run("site", "generate", "--root", str(tmp_path), "--catalog", str(repo_root))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "generated" / "support-matrix.md").is_file()
