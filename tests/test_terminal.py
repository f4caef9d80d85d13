"""Terminal output fits the terminal: tables honour COLUMNS and wrap long cells within their column."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from refarch.cli import main
from refarch.render.text import fit_widths, table, wrap_line

FIXTURES = sorted(p for p in (Path(__file__).resolve().parent / "data" / "requirements").rglob("*") if p.is_file())


@pytest.mark.parametrize("columns", [100, 80])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_check_output_fits_columns(path: Path, columns: int) -> None:
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2026-11-27"], env={"COLUMNS": str(columns)}, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2, 3)
    lines = (result.stdout + result.stderr).splitlines()
    assert lines
    too_long = [line for line in lines if len(line) > columns]
    assert too_long == [], f"{len(too_long)} lines longer than {columns}: {too_long[:2]}"


def test_a_piped_check_keeps_one_line_per_finding() -> None:
    """Without COLUMNS and without a terminal (a pipe), nothing is wrapped, so grep finds a finding on one line."""
    path = Path(__file__).resolve().parent / "data" / "requirements" / "valid" / "initech.yaml"
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2026-11-27"], catch_exceptions=False)
    finding = next(line for line in result.stdout.splitlines() if line.startswith("FAIL     option.support"))
    assert finding.endswith("An exception may be requested.")


def test_a_long_cell_wraps_within_its_column() -> None:
    text = table(["id", "what it means"], [["a", "one two three four five six seven eight nine ten"], ["b", "short"]], width=24)
    assert text.splitlines() == [
        "id  what it means",
        "--  --------------------",
        "a   one two three four",
        "    five six seven eight",
        "    nine ten",
        "b   short",
    ]


def test_sentences_go_below_their_row_when_the_table_does_not_fit() -> None:
    rows = [["FAIL", "platform.version", "Kubernetes 1.18 is below the minimum 1.19; supported: 1.19 and later."]]
    text = table(["outcome", "rule", "what it means"], rows, width=40, prose_last=True)
    assert text.splitlines() == [
        "outcome  rule",
        "         what it means",
        "-------  ----------------",
        "FAIL     platform.version",
        "         Kubernetes 1.18 is below the",
        "         minimum 1.19; supported: 1.19",
        "         and later.",
    ]
    assert table(["outcome", "rule", "what it means"], rows, width=0, prose_last=True).count("\n") == 2  # no limit: one line a row


def test_widest_columns_give_way_first_and_never_below_their_floor() -> None:
    assert fit_widths([10, 50, 30], [4, 6, 6], 60) == [10, 23, 23]
    assert fit_widths([10, 50, 30], [8, 20, 20], 30) == [8, 20, 20]  # cannot fit: as narrow as allowed
    assert fit_widths([10, 50], [4, 6], 0) == [10, 50]  # 0: no limit


def test_prose_lines_wrap_with_an_indent() -> None:
    assert wrap_line("alpha beta gamma delta", 12) == "alpha beta\n  gamma\n  delta"
    assert wrap_line("alpha beta gamma delta", 0) == "alpha beta gamma delta"


# --- progress: on a terminal only -----------------------------------------------------------------

VALID = sorted((Path(__file__).resolve().parent / "data" / "requirements" / "valid").glob("*"))


def test_progress_stays_quiet_when_piped() -> None:
    result = CliRunner().invoke(main, ["check", *map(str, VALID), "--as-of", "2026-11-27"], catch_exceptions=False)
    assert "checking" not in result.stderr
    assert "\r" not in result.stdout + result.stderr


def test_progress_counts_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import refarch.cli.progress

    monkeypatch.setattr(refarch.cli.progress, "is_terminal", lambda stream=None: True)
    result = CliRunner().invoke(main, ["check", *map(str, VALID), "--as-of", "2026-11-27"], catch_exceptions=False)
    assert f"\rchecking: {len(VALID)}/{len(VALID)}" in result.stderr
    assert result.stderr.endswith("\r")  # the counter line is cleared before the answer
    assert "checking" not in result.stdout


def test_the_site_build_says_what_it_does_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    import refarch.cli.progress

    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(root / "site", tmp_path / "site", ignore=shutil.ignore_patterns("generated"))
    monkeypatch.setattr(refarch.cli.progress, "is_terminal", lambda stream=None: True)
    result = CliRunner().invoke(main, ["site", "build", "--root", str(tmp_path), "--as-of", "2026-11-27"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("refarch: generating the public pages from the catalog and building the site with mkdocs")
    assert lines[-1].startswith("refarch: done in ")
    assert result.stdout.startswith("generated ")


def test_the_first_install_says_what_it_installs_before_each_step(tmp_path: Path) -> None:
    """Issue 13: the first `make serve` installed for half a minute without a word. A dry run lists what it would do."""
    import shutil
    import subprocess

    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([make, "-n", "-C", str(root), "install", f"VENV={tmp_path / 'venv'}"], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    said = [i for i, line in enumerate(lines) if line.startswith("echo") and "refarch:" in line]
    pip = [i for i, line in enumerate(lines) if "pip install" in line]
    venv = [i for i, line in enumerate(lines) if " -m venv " in line]
    assert said and pip and venv, result.stdout
    assert said[0] < venv[0], "the install must say what it does before it starts"
    assert all(any(s < step for s in said) and "--quiet" not in lines[step] for step in pip), "every pip step is announced and shows its progress"
