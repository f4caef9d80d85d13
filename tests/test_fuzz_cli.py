"""Property-based fuzzing of every CLI command: generated YAML and JSON documents and flag values, in-process.

The oracle for every run: the exit code is 0, 1, 2 or 3; nothing raises (no traceback); on exit 2
stdout is empty and stderr is only `file[:line]: [key: ]message` lines and a count that matches them;
no control, bidi or surrogate character reaches the output raw. Derandomized, so CI runs the same cases.
An input this finds goes into tests/data/regressions/ once fixed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from refarch.cli import main
from refarch.render.text import visible

ROOT = Path(__file__).resolve().parents[1]
ACME = yaml.safe_load((ROOT / "tests/data/requirements/valid/acme.yaml").read_text(encoding="utf-8"))
INITECH = yaml.safe_load((ROOT / "tests/data/requirements/valid/initech.yaml").read_text(encoding="utf-8"))
REQUEST = yaml.safe_load((ROOT / "tests/data/regressions/inputs/initech-request.yaml").read_text(encoding="utf-8"))

PROBLEM = re.compile(r"^[^\s:][^:]*(:\d+)?: \S.*$")
COUNT = re.compile(r"^(\d+) problems? found$")
RUNS: Counter[str] = Counter()
"""Generated CLI runs per test, for the closing note (printed by test_report_the_generated_case_count)."""


SCALE = float(os.environ.get("REFARCH_FUZZ_SCALE", "1"))
"""REFARCH_FUZZ_SCALE=20 runs 20 times the cases with fresh random ones, to hunt for new bugs (make test runs the fixed 1x set)."""


def fuzz_settings(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


def invoke(name: str, args: list[str], stdin: str | bytes | None = None) -> Any:
    """Run refarch in-process and apply the oracle; return the result."""
    RUNS[name] += 1
    started = time.monotonic()
    result = CliRunner().invoke(main, args, input=stdin, catch_exceptions=True)
    seconds = time.monotonic() - started
    shown = f"refarch {' '.join(a[:80] for a in args)}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{shown} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2, 3), f"{shown}: exit {result.exit_code}"
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err, shown
    assert visible(out) == out and visible(err) == err, f"{shown}: a control or bidi character reached the output raw"
    if result.exit_code == 2:
        assert out == "", f"{shown}: exit 2 printed to stdout"
        lines = err.splitlines()
        assert lines, f"{shown}: exit 2 without a message"
        count = COUNT.match(lines[-1])
        assert count and int(count.group(1)) == len(lines) - 1, f"{shown}: {err[:500]}"
        bad = [line for line in lines[:-1] if not PROBLEM.match(line)]
        assert not bad, f"{shown}: not file:line: key: message: {bad[:3]}"
    assert seconds < 5, f"{shown} took {seconds:.1f} s"
    return result


# --- values ---------------------------------------------------------------------------------

RAW_SCALARS = [
    "2026-02-30", "2026-13-01", "!!int x", "!!bool x", "!!timestamp x", "!!float x", "!!null x", "!!binary aGk=", "!!str", "!!float 1e400",
    ".inf", "-.inf", ".nan", "0x1F", "0o17", "1:20", "~", "null", "yes", "on", "1e3", "1.0e+306", "-1", "0", "1_000",
    "9" * 5000, "1." + "9" * 5000, '"\\0\\a\\u202e\\e[31m"', '"\\ud800"', "'<script>x</script>'", "'[x](javascript:alert(1))'",
    "!foo bar", "!!set {a}", "!!omap [a: 1]", "!!python/name:os.system ''", "&a x", "*nope", "[1, [2, [3]]]", "{a: {b: {c: 1}}}",
    "{", "[", "'unterminated", ": :", "? x", "|", ">", "- a", "@x", "`x", "%x", "\"a\nb\"",
]  # fmt: skip
"""Scalars as written in YAML: each once broke a constructor, a number bound or an escape, or might."""

VERSIONS = ["5.9", "6.0", "7.5", "7.5.4453", "7.6", "7.5.9999", "7.5.0-rc1", "7.5.garbage", "", "v7.5", "7", "7.5.1.2", "1.29", "16", "9.9", "0.0", "7.05"]
IDS = ["helm", "docker-compose", "kustomize", "single-container", "eks", "aks", "linux", "amd64", "arm64", "aws-rds", "bundled", "s3", "network-policy"]

text_values = st.one_of(
    st.sampled_from(VERSIONS + IDS),
    st.text(max_size=24),
    st.from_regex(r"\A-?\d{1,9}(\.\d{1,9}){0,3}(-[a-z0-9]{1,5})?\Z"),
    st.integers(4290, 4400).map(lambda n: "9" * n),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e306", "1e308", "-0", "0x10", "1_000", " 12 ", "nan", "inf", "1e-400", "true", "FALSE"]),
)
"""Flag values: plausible ones, near misses, huge numerals, and any text."""

plain_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**18), 10**18),
        st.floats(allow_nan=False, allow_infinity=False),
        text_values,
        st.dates().map(lambda d: d.isoformat()),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
"""JSON-able values to put anywhere in a document."""


def paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths(value, (*prefix, index))


SENTINEL = "zzRAWzz"


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(data[path[0]], path[1:], value)
    return copy


@st.composite
def documents(draw: st.DrawFn, base: Any) -> str:
    """A mutated copy of `base` as YAML or JSON text: a value replaced by a generated value, a raw YAML scalar, or a new key."""
    places = list(paths(base))
    data = base
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(places))
        how = draw(st.sampled_from(["value", "raw", "key", "drop"]))
        if how == "value":
            data = replaced(data, place, draw(plain_values))
        elif how == "raw":
            data = replaced(data, place, SENTINEL)
        elif how == "key" and place and isinstance(_at(data, place[:-1]), dict):
            data = replaced(data, place[:-1], {**_at(data, place[:-1]), draw(st.text(max_size=12)): draw(plain_values)})
        elif how == "drop" and place and isinstance(_at(data, place[:-1]), dict):
            data = replaced(data, place[:-1], {k: v for k, v in _at(data, place[:-1]).items() if k != place[-1]})
        places = list(paths(data))
    if SENTINEL in json.dumps(data, default=str):
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)
        return text.replace(SENTINEL, draw(st.sampled_from(RAW_SCALARS)), 1)
    if draw(st.booleans()):
        return json.dumps(data, ensure_ascii=draw(st.booleans()), default=str)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=draw(st.booleans()), default_flow_style=draw(st.booleans()))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


whole_files = st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1")), st.sampled_from(RAW_SCALARS))
"""Documents that are not a mapping at all."""


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    assert CliRunner().invoke(main, ["matrix"]).exit_code == 0


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def written(folder: Path, text: str, name: str = "doc.yaml") -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


# --- documents ------------------------------------------------------------------------------


@fuzz_settings(200)
@given(text=st.one_of(documents(ACME), documents(INITECH), whole_files), fmt=st.sampled_from(["table", "json", "markdown", "junit", "github", "sarif"]))
def test_check_any_requirements_document(workdir: Path, text: str, fmt: str) -> None:
    invoke("check FILE", ["check", str(written(workdir, text)), "--format", fmt, "--as-of", "2026-12-01"])


@fuzz_settings(40)
@given(text=st.one_of(documents(ACME), whole_files))
def test_check_stdin(text: str) -> None:
    invoke("check -", ["check", "-", "--as-of", "2026-12-01"], stdin=text.encode("utf-8", "surrogatepass"))


@fuzz_settings(60)
@given(text=st.one_of(documents(INITECH), documents(ACME)))
def test_exception_new_any_document(workdir: Path, text: str) -> None:
    out = workdir / "new"
    shutil.rmtree(out, ignore_errors=True)
    invoke("exception new", ["exception", "new", str(written(workdir, text)), "-o", str(out / "request.yaml"), "--as-of", "2026-12-01"])


@fuzz_settings(60)
@given(text=st.one_of(documents(REQUEST), whole_files), fmt=st.sampled_from(["table", "json", "markdown"]))
def test_exception_triage_any_request(workdir: Path, text: str, fmt: str) -> None:
    invoke("exception triage", ["exception", "triage", str(written(workdir, text)), "--format", fmt, "--as-of", "2026-12-01"])


SIZING = {"users": 8000, "repositories": 30000, "total_repo_size_gb": 900, "largest_repo_gb": 30, "concurrent_users": 500, "code_insights": True}


@fuzz_settings(80)
@given(text=st.one_of(documents(SIZING), documents(ACME), whole_files), fmt=st.sampled_from(["table", "json", "markdown"]))
def test_size_from_any_document(workdir: Path, text: str, fmt: str) -> None:
    invoke("size --from", ["size", "--from", str(written(workdir, text)), "--format", fmt])


@pytest.fixture(scope="module")
def catalog_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalog")
    for folder in ("catalog", "architectures"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


CATALOG_FILES = ["catalog/releases.yaml", "catalog/methods/helm.yaml", "catalog/sizing.yaml", "catalog/exception-policy.yaml", "architectures/helm-m.yaml"]


@fuzz_settings(10)
@given(data=st.data(), file=st.sampled_from(CATALOG_FILES))
def test_validate_any_catalog_file(catalog_copy: Path, data: st.DataObject, file: str) -> None:
    original = (ROOT / file).read_text(encoding="utf-8")
    text = data.draw(documents(yaml.safe_load(original)))
    written(catalog_copy, text, file)
    try:
        invoke("validate", ["validate", "--catalog", str(catalog_copy)])
    finally:
        (catalog_copy / file).write_text(original, encoding="utf-8")


HELM_OVERRIDE = yaml.safe_load((ROOT / "tests/data/inspect/helm-override.yaml").read_text(encoding="utf-8"))
COMPOSE = yaml.safe_load((ROOT / "tests/data/inspect/docker-compose.yaml").read_text(encoding="utf-8"))


@fuzz_settings(40)
@given(text=st.one_of(documents(HELM_OVERRIDE), documents(COMPOSE), whole_files))
def test_inspect_any_document(workdir: Path, text: str) -> None:
    invoke("inspect", ["inspect", str(written(workdir, text, "override.yaml"))])


@fuzz_settings(40)
@given(text=st.one_of(documents(HELM_OVERRIDE), whole_files), start=st.one_of(st.sampled_from(["7.5", "7.6"]), text_values), end=text_values)
def test_config_check_any_override(workdir: Path, text: str, start: str, end: str) -> None:
    args = ["config", "check", str(written(workdir, text, "values.yaml")), "--method", "helm", "--from", start, "--to", end]
    invoke("config check", args)


# --- flags ----------------------------------------------------------------------------------


def flags(values: dict[str, Any]) -> list[str]:
    return [part for name, value in values.items() if value is not None for part in (name, value)]


def optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.one_of(st.none(), strategy)


FORMATS = st.sampled_from(["table", "json", "markdown"])
DATES = st.one_of(st.dates().map(lambda d: d.isoformat()), text_values)


@fuzz_settings(100)
@given(version=optional(text_values), method=optional(st.one_of(st.sampled_from(IDS), text_values)), as_of=optional(DATES), fmt=FORMATS)
def test_matrix_flags(version: str | None, method: str | None, as_of: str | None, fmt: str) -> None:
    invoke("matrix", ["matrix", *flags({"--version": version, "--method": method, "--as-of": as_of, "--format": fmt})])


@fuzz_settings(100)
@given(
    start=text_values,
    end=text_values,
    method=st.one_of(st.sampled_from(IDS), text_values),
    postgres=optional(
        st.one_of(st.sampled_from(["bundled", "bundled-12", "bundled-16", "external-16", "external-"]), text_values.map(lambda v: "external-" + v))
    ),
    strategy=optional(st.one_of(st.sampled_from(["fewest-steps", "least-downtime"]), text_values)),
    fmt=FORMATS,
)
def test_upgrade_plan_flags(start: str, end: str, method: str, postgres: str | None, strategy: str | None, fmt: str) -> None:
    args = flags({"--from": start, "--to": end, "--method": method, "--postgres": postgres, "--strategy": strategy, "--format": fmt})
    invoke("upgrade-plan", ["upgrade-plan", *args])


@fuzz_settings(40)
@given(source=st.one_of(st.sampled_from(IDS), text_values), target=st.one_of(st.sampled_from(IDS), text_values), version=optional(text_values), fmt=FORMATS)
def test_migrate_plan_flags(source: str, target: str, version: str | None, fmt: str) -> None:
    invoke("migrate-plan", ["migrate-plan", *flags({"--from-method": source, "--to-method": target, "--version": version, "--format": fmt})])


SIZE_FLAGS = ["--users", "--repositories", "--total-repo-size-gb", "--largest-repo-gb", "--largest-index-gb", "--concurrent-users", "--method", "--cloud"]


@fuzz_settings(100)
@given(
    values=st.dictionaries(st.sampled_from(SIZE_FLAGS), text_values, max_size=5),
    switches=st.lists(st.sampled_from(["--code-insights", "--no-syntactic-code-intel"])),
    fmt=FORMATS,
)
def test_size_flags(values: dict[str, str], switches: list[str], fmt: str) -> None:
    invoke("size", ["size", *flags(values), *switches, "--format", fmt])


@fuzz_settings(30)
@given(as_of=optional(DATES), extra=st.lists(st.sampled_from(["--fail-on-warn", "--format", "json", "-", "nope.yaml"]), max_size=3))
def test_check_flags(as_of: str | None, extra: list[str]) -> None:
    invoke("check flags", ["check", str(ROOT / "tests/data/requirements/valid/initech.yaml"), *flags({"--as-of": as_of}), *extra], stdin="")


@fuzz_settings(30)
@given(expires=DATES, approved_by=text_values, justification=optional(text_values))
def test_exception_grant_flags(workdir: Path, expires: str, approved_by: str, justification: str | None) -> None:
    request = str(ROOT / "tests/data/regressions/inputs/initech-request.yaml")
    folder = workdir / "records"
    shutil.rmtree(folder, ignore_errors=True)
    args = flags({"--expires": expires, "--approved-by": approved_by, "--justification": justification, "--dir": str(folder)})
    invoke("exception grant", ["exception", "grant", request, *args])


def test_report_the_generated_case_count() -> None:
    """Runs after the fuzz tests above (file order): every one of them ran its cases."""
    print(f"\nCLI fuzz runs: {sum(RUNS.values())} ({', '.join(f'{name} {count}' for name, count in sorted(RUNS.items()))})")
    assert sum(RUNS.values()) >= int(850 * SCALE)
