"""The command group: every command is reachable, and loading one does not load the others."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
import pytest

import refarch.cli
from refarch.cli.common import LAZY_COMMANDS, main


def test_every_command_module_is_listed() -> None:
    for info in pkgutil.iter_modules(refarch.cli.__path__):
        if info.name != "common":
            importlib.import_module(f"refarch.cli.{info.name}")
    assert set(main.commands) == set(LAZY_COMMANDS)


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_each_command_has_help(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.help, name


def test_running_one_command_imports_only_its_module() -> None:
    code = "import sys; from refarch.cli import main; main(['upgrade-plan', '--help'], standalone_mode=False); print(sorted(m for m in sys.modules if m.startswith('refarch.cli.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "'refarch.cli.upgrade'" in out and "'refarch.cli.check'" not in out and "'refarch.cli.serve'" not in out


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_every_command_is_documented_in_the_readme(name: str) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"refarch {name}" in readme or f"`{name}`" in readme, f"refarch {name} is not in README.md"
