"""refarch config generate / config check, refarch inspect: deployment files written, checked and read back."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .common import EXIT_FAILED, catalog_option, default_root, emit, format_option, load, main, usage_error
from .size import FLAGS, sizing_options


def _refuse_output_among_inputs(output: Path | None, inputs: list[Path]) -> None:
    if output is None or str(output) == "-" or not output.exists():
        return
    for path in inputs:
        if str(path) != "-" and path.exists() and path.resolve() == output.resolve():
            usage_error("-o", f"{output} is also an input; write to another file")


def _write_or_print(text: str, output: Path | None, inputs: list[Path] | None = None) -> None:
    if output is None or str(output) == "-":
        emit(text)
        return
    from ..fsutil import write_atomic

    _refuse_output_among_inputs(output, inputs or [])
    try:
        write_atomic(output, text)
    except OSError as error:
        usage_error("-o", f"cannot write {output}: {error.strerror}")
    click.echo(f"wrote {output}", err=True)


@main.group("config")
def config_group() -> None:
    """Deployment files: write the override for an architecture, check an override before an upgrade."""


@config_group.command("generate")
@click.argument("architecture", required=False)
@click.option("--version", "version", metavar="X.Y", help="Product version to write for (default: the architecture's own, or the newest the data covers).")
@click.option("--cloud", metavar="CLOUD", help="Set the chart's storage class for this cloud: aws, gcp or azure.")
@sizing_options
@click.option("--method", metavar="ID", help="helm, docker-compose or kustomize (which gets the Helm override); default: the recommended one.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the file here (default: print it).")
@format_option(("yaml", "json"), default="yaml")
@catalog_option
def generate_command(architecture: str | None, version: str | None, output: Path | None, fmt: str, catalog_root: Path | None, **flags: Any) -> None:
    """Write the override file that deploys ARCHITECTURE (e.g. helm-m), or the sizing answer for the given inputs.

    Helm: a values override setting only what differs from the chart's defaults at that version.
    Docker Compose: a docker-compose.override.yaml with cpus and mem_limit per service.
    --format json gives the same as GET /api/v1/config/{architecture}. Exits 2 on invalid input.
    """
    from ..deploy.data import load as load_deploy
    from ..deploy.generate import for_answer, for_architecture
    from ..models.common import minor_of

    catalog = load(catalog_root)
    data = load_deploy(catalog_root or default_root())
    given = {name: value for name, value in flags.items() if value is not None}
    if version is not None:
        version = minor_of(version.strip())
    if architecture is not None:
        extra = sorted(FLAGS[name] for name in given if name != "cloud")
        if extra:
            usage_error(extra[0], f"give either an architecture or sizing inputs, not both (got {architecture} and {', '.join(extra)})")
        result = for_architecture(catalog, data, architecture, version, given.get("cloud"))
    else:
        if not any(name in given for name in ("users", "repositories")):
            usage_error("ARCHITECTURE", "give an architecture (e.g. helm-m) or sizing inputs (at least --users or --repositories)")
        from ..sizing import evaluate, read_inputs, sizing_model_json

        model = sizing_model_json(catalog)
        inputs = read_inputs(model, given, keys=FLAGS, parse_strings=True)
        answer = evaluate(model, inputs)
        shown = {name: inputs[name] for name in FLAGS if inputs.get(name) is not None and name not in ("method", "cloud")}
        result = for_answer(catalog, data, answer, shown, version)
    if fmt == "json":
        from ..yamlfile import dumps_json

        _write_or_print(dumps_json(result), output)
    else:
        _write_or_print(result["content"], output)


@config_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--method",
    "method",
    required=True,
    type=click.Choice(["helm", "docker-compose"]),
    help="What FILE is: a Helm values override or a docker-compose.override.yaml.",
)
@click.option("--from", "start", required=True, metavar="X.Y", help="The version the override is written for (the one running now).")
@click.option("--to", "end", required=True, metavar="X.Y", help="The version to upgrade to.")
@format_option(("table", "json"))
@catalog_option
def check_command(file: Path, method: str, start: str, end: str, fmt: str, catalog_root: Path | None) -> None:
    """Before an upgrade: does the override FILE still work at --to? ('-' reads standard input.)

    Reports every key or service the target version no longer has (removed, or renamed with the new name),
    values of the wrong type, and defaults that changed under a key the override sets.
    Exits 0 when it carries over as it is, 1 when something needs fixing, 2 on invalid input.
    """
    from ..deploy.check import check, render
    from ..deploy.data import load as load_deploy
    from ..deploy.reading import read_customer_file
    from ..models.common import minor_of

    catalog = load(catalog_root)
    data = load_deploy(catalog_root or default_root())
    document, lines, _ = read_customer_file(file)
    report = check(catalog, data, document, lines, method, minor_of(start.strip()), minor_of(end.strip()), str(file))
    if fmt == "json":
        from ..yamlfile import dumps_json

        emit(dumps_json(report))
    else:
        emit(render(report))
    if not report["carries_over"]:
        sys.exit(EXIT_FAILED)


@main.command("inspect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--customer", default=None, help="The customer's name, written into the requirements (the files do not say).")
@click.option("--version", "version", default=None, metavar="X.Y", help="The product version, when no file gives it (a file that does wins).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the requirements file here (default: print it).")
@format_option(("yaml", "json"), default="yaml")
@catalog_option
def inspect_command(files: tuple[Path, ...], customer: str | None, version: str | None, output: Path | None, fmt: str, catalog_root: Path | None) -> None:
    """Read what a customer runs and write the requirements file `refarch check` takes.

    FILES may be Helm values overrides, `helm list -o json`, `kubectl version -o json`, `kubectl get nodes -o json`,
    docker-compose.yaml and its overrides, `docker version` or `docker compose version` output, and kustomization.yaml
    ('-' reads standard input). Every field says which file and key it came from; what cannot be determined is listed.
    `refarch inspect ... | refarch check -` checks it at once. Exits 2 when no file gives the method or the version.
    """
    from ..deploy.data import load as load_deploy
    from ..deploy.inspect import Source, inspect, render
    from ..deploy.reading import read_customer_file_tagged
    from ..problems import InputError

    _refuse_output_among_inputs(output, list(files))
    catalog = load(catalog_root)
    data = load_deploy(catalog_root or default_root())
    sources = []
    problems = []
    for path in files:
        try:
            document, _, text, tags = read_customer_file_tagged(path)
        except InputError as error:
            problems.extend(error.problems)
            continue
        sources.append(Source(str(path), document, text, tags))
    if problems:
        raise InputError(problems)
    result = inspect(catalog, data, sources, customer, version)
    if fmt == "json":
        from ..yamlfile import dumps_json

        _write_or_print(dumps_json(result), output, list(files))
    else:
        _write_or_print(render(result), output, list(files))
