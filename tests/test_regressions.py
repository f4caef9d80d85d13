"""The regression corpus: every input that ever broke refarch, with the exact answer it must now get.

One case a file in tests/data/regressions/ (the format: tests/regression_runner.py). Each must answer
within a second, with its exit code and its exact messages, and never with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from refarch.cli import main
from regression_runner import load_case, run_case, substitute

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((Path(__file__).parent / "data" / "regressions").glob("*.yaml"))


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Load the catalog (into the session's cache) and each command's modules once, so the first case is timed like the others."""
    requirements = str(ROOT / "tests/data/requirements/valid/acme.yaml")
    for args in (
        ["matrix"],
        ["check", requirements],
        ["exception", "new", requirements],
        ["size"],
        ["upgrade-plan", "--from", "7.5", "--to", "7.6", "--method", "helm"],
    ):
        assert CliRunner().invoke(main, args).exit_code in (0, 1), args


def test_the_corpus_covers_every_example_of_issue_11() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path, tmp_path: Path) -> None:
    case = load_case(path)
    code, stdout, stderr, seconds, unexpected = run_case(case, tmp_path)
    names = case["_names"]
    assert unexpected is None, f"{path.name}: {unexpected!r}"
    assert "Traceback" not in stderr
    assert stderr == substitute(case.get("stderr", ""), names)
    assert code == case["exit"], stdout + stderr
    if "stdout" in case or code == 2:
        assert stdout == substitute(case.get("stdout", ""), names)
    for text in substitute(case.get("stdout_contains", []), names):
        assert text in stdout
    for text in substitute(case.get("stdout_excludes", []), names):
        assert text not in stdout
    if case.get("leftovers") is False:
        assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")], "a temporary file was left behind"
    assert seconds < 1.0, f"{path.name} took {seconds:.2f} s"
