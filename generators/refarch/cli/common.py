"""What every command shares: the command group, --catalog, loading, output and exit codes."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..problems import InputError, Problem

F = TypeVar("F", bound=Callable[..., Any])

EXIT_FAILED, EXIT_INPUT = 1, 2


def default_root() -> Path:
    """The catalog refarch ships: $REFARCH_CATALOG, else this checkout (or the copy inside the wheel)."""
    if os.environ.get("REFARCH_CATALOG"):
        return Path(os.environ["REFARCH_CATALOG"])
    package = Path(__file__).resolve().parents[1]
    for candidate in (package.parents[1], package / "data"):
        if (candidate / "catalog").is_dir():
            return candidate
    return package.parents[1]


# Command name -> the module that defines it. A module is imported only when its command runs (or
# when --help lists them), so `refarch size` does not pay for importing the checker or the server.
LAZY_COMMANDS = {
    "validate": "catalog",
    "matrix": "catalog",
    "schema": "catalog",
    "check": "check",
    "exception": "exception",
    "fleet": "fleet",
    "diff": "fleet",
    "serve": "serve",
    "site": "site",
    "size": "size",
    "upgrade-plan": "upgrade",
    "migrate-plan": "upgrade",
    "catalog": "maintain",
    "config": "deploy",
    "inspect": "deploy",
}


class Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            import importlib

            importlib.import_module(f"refarch.cli.{LAZY_COMMANDS[cmd_name]}")  # registers its commands on `main`
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as error:
            fail(error)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as error:  # click's own parsing errors, in the same form as every other problem
            fail(usage_problem(error))


def usage_problem(error: click.UsageError) -> InputError:
    """A click usage error (bad flag value, missing option, unknown command) as '<arguments>: --flag: message (see --help)'."""
    param = getattr(error, "param", None)
    key = (param.opts[0] if param.opts else param.name or "") if param is not None else ""
    plain = isinstance(error, click.BadParameter) and not isinstance(error, click.MissingParameter) and key
    message = error.message if plain else error.format_message()
    command = error.ctx.command_path if error.ctx else "refarch"
    return InputError([Problem("<arguments>", None, key, f"{message.rstrip('.')} (see `{command} --help`)")])


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="refarch")
def main() -> None:
    """refarch: what is supported, at what size, and how to get there.

    Reads the catalog (catalog/ and architectures/) and answers from it.
    Exit codes: 0 success, 1 a check did not pass, 2 invalid input or usage.
    """


def fail(error: InputError) -> NoReturn:
    """Print every problem and a count to stderr (each fitted to the terminal, control characters made visible), then exit 2. Nothing goes to stdout."""
    from ..render.text import wrap_line

    say("\n".join(wrap_line(line) for line in error.report().splitlines()))
    sys.exit(EXIT_INPUT)


def usage_error(key: str, message: str) -> NoReturn:
    fail(InputError([Problem("<arguments>", None, key, message)]))


def catalog_option(func: F) -> F:
    return click.option(
        "--catalog",
        "catalog_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder holding catalog/ and architectures/ (default: the catalog refarch ships).",
    )(func)


def load(catalog_root: Path | None, fast: bool = False) -> Any:
    """Load and validate the catalog, or exit 2 with every problem.

    fast=True gives the pydantic-free snapshot (refarch.snapshot): the same attributes, for commands that
    only read the catalog (check, matrix, upgrade-plan) and start several times faster from a warm cache.
    """
    from ..cache import load_cached, load_snapshot

    return (load_snapshot if fast else load_cached)(catalog_root or default_root())


def parse_date(value: str | None, key: str = "--as-of") -> dt.date:
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        usage_error(key, f"expected a date like 2026-11-27 (got {value!r})")


FORMATS = ("table", "json", "markdown")


def format_option(choices: tuple[str, ...] = FORMATS, default: str = "table") -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True, help="Output format.")(func)

    return decorate


def emit_as(fmt: str, data: Any, table: Callable[[Any], str], markdown: Callable[[Any], str]) -> None:
    """Print a result as stable JSON, Markdown or a terminal table: the three formats every command offers."""
    if fmt == "json":
        from ..jsonfile import dumps_json

        emit(dumps_json(data))
    else:
        emit(markdown(data) if fmt == "markdown" else table(data))


def emit(text: str) -> None:
    """Print a result to stdout: the one way out for results, so no control or bidi character reaches the terminal raw."""
    from ..render.text import visible

    click.echo(visible(text if text.endswith("\n") else text + "\n"), nl=False)


def say(text: str) -> None:
    """Print a message to stderr, made visible like emit()."""
    from ..render.text import visible

    click.echo(visible(text), err=True)
