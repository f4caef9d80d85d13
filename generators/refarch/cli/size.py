"""refarch size: from a customer's numbers to a size, a reference architecture and a bill of resources.

Kept fast on purpose: it reads the compiled sizing model from the cache (one JSON file) and never
imports pydantic, the YAML catalog loader, networkx or jinja2 when the cache is warm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import F, catalog_option, default_root, emit_as, format_option, main

# Command-line flag -> sizing input. Values arrive as text and are checked by refarch.sizing.read_inputs.
FLAGS = {
    "users": "--users",
    "repositories": "--repositories",
    "total_repo_size_gb": "--total-repo-size-gb",
    "largest_repo_gb": "--largest-repo-gb",
    "largest_index_gb": "--largest-index-gb",
    "concurrent_users": "--concurrent-users",
    "code_insights": "--code-insights",
    "syntactic_code_intel": "--syntactic-code-intel",
    "method": "--method",
    "cloud": "--cloud",
}


def sizing_options(func: F) -> F:
    """The sizing inputs as flags, for every command that sizes (size, config generate); --method and --cloud are each command's own."""
    for option in reversed(
        [
            click.option("--users", metavar="N", help="People who will use the instance."),
            click.option("--repositories", metavar="N", help="Repositories to index."),
            click.option("--total-repo-size-gb", metavar="GB", help="Size of all repositories together."),
            click.option("--largest-repo-gb", metavar="GB", help="Size of the largest repository."),
            click.option("--largest-index-gb", metavar="GB", help="Largest precise code-intelligence (SCIP) index; 0 turns precise code intelligence off."),
            click.option("--concurrent-users", metavar="N", help="Users active at the same moment."),
            click.option("--code-insights/--no-code-insights", default=None, help="Code Insights on or off (default: on)."),
            click.option("--syntactic-code-intel/--no-syntactic-code-intel", default=None, help="Syntactic code intelligence on or off (default: off)."),
        ]
    ):
        func = option(func)
    return func


def _model(catalog_root: Path | None) -> dict[str, Any]:
    from ..cache import load_derived
    from ..sizing import sizing_model_json

    return dict(load_derived(catalog_root or default_root(), "sizing-model", sizing_model_json))


def _from_file(model: dict[str, Any], path: Path) -> dict[str, Any]:
    """The inputs in a YAML or JSON file: a bare mapping, or a requirements file's scale: block."""
    from ..fsutil import read_input
    from ..sizing import document_inputs
    from ..yamlfile import parse

    label = str(path)
    data, lines = parse(read_input(path, label), label)
    return document_inputs(model, data, lines, label)


@main.command("size")
@sizing_options
@click.option("--method", metavar="ID", help="Deployment method id, e.g. helm or docker-compose (default: the recommended one for the size).")
@click.option("--cloud", metavar="CLOUD", help="Name instance types for this cloud only: aws, gcp or azure.")
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the inputs from a YAML or JSON file (a requirements file's scale: block, or a mapping of inputs); flags override it.",
)
@format_option()
@catalog_option
def size_command(from_file: Path | None, fmt: str, catalog_root: Path | None, **flags: Any) -> None:
    """Size a deployment: the size each input needs, the reference architecture, resources per service, machines or nodes, and advice.

    Inputs left out take the resource estimator's defaults, which the answer lists. Exits 2 on invalid input.
    """
    from ..sizing import evaluate, read_inputs

    model = _model(catalog_root)
    given = {name: value for name, value in flags.items() if value is not None}
    from_flags = read_inputs(model, given, keys=FLAGS, parse_strings=True)
    if from_file is not None:
        from_doc = _from_file(model, from_file)
        merged = {name: from_flags[name] if from_flags[name] is not None else from_doc[name] for name in from_flags}
        where = {name: FLAGS[name] if from_flags[name] is not None else f"{from_file}: {name}" for name in merged}
        # The file and the flags may each be valid but contradict each other (largest above total).
        inputs = read_inputs(model, {k: v for k, v in merged.items() if v is not None}, keys=where)
    else:
        inputs = from_flags
    answer = evaluate(model, inputs)
    from ..render.sizing import sizing_markdown, sizing_table

    emit_as(fmt, answer, sizing_table, sizing_markdown)
