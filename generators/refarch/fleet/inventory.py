"""Reading an inventory of check-ins (CSV or JSON Lines) into an embedded DuckDB table.

This is the fleet's only I/O. DuckDB reads and checks the whole file in bulk; only when it finds a bad row
(or cannot parse the file) does a line-by-line pass in Python run, to say where: `FILE:LINE: column: what`.
Both passes apply the same rules, written twice on purpose (SQL for speed, Python for the line numbers);
tests hold them to the same verdict on every rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fsutil import check_regular_file
from ..problems import InputError, Problem, did_you_mean, unknown

if TYPE_CHECKING:
    import duckdb

    from ..loading import Catalog

COLUMNS = ("instance", "customer", "observed_at", "version", "method", "platform")
REQUIRED = COLUMNS[:4]
HEADER_HINT = "instance,customer,observed_at,version[,method][,platform]"
MAX_PATCH_DIGITS = 5
# A minor "X.Y" is the integer X * KEY_SCALE + Y in the checkins table; with the day and the patch it packs into one
# BIGINT that orders check-ins by (day, version): see order_key().
KEY_SCALE = 1000
EPOCH, DAY_SCALE = dt.date(1970, 1, 1), 1_000_000_000_000  # order_key() is (day - EPOCH) * DAY_SCALE + ...


def order_key(table: str = "") -> str:
    """SQL for one BIGINT that orders check-ins by day, then minor, then patch (a missing patch below .0)."""
    t = f"{table}." if table else ""
    return f"(CAST({t}day - DATE '{EPOCH}' AS BIGINT) * {DAY_SCALE} + CAST({t}k AS BIGINT) * 1000000 + coalesce({t}patch, -1) + 1)"


MAX_PROBLEMS = 100
MAX_INVENTORY_BYTES = 4 << 30
"""A fleet of 1,000,000 check-ins is about 60 MB; far past that, an inventory is more likely a wrong file than a fleet."""

# One rule per column, used by both passes. RE2 (DuckDB) and Python's re read these the same way.
DATE_RE = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}"
DATETIME_RE = DATE_RE + r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|\+00:00)"
VERSION_RE = r"v?([0-9]+)\.([0-9]+)(\.([0-9]+))?"
_DATE, _DATETIME, _VERSION = (re.compile(p) for p in (DATE_RE, DATETIME_RE, VERSION_RE))

EXAMPLE_DATE = "an ISO date like 2026-11-27 or a UTC date-time like 2026-11-27T10:00:00Z"


@dataclass(frozen=True)
class Known:
    """What a row's values are checked against: the catalog's minors, methods and platforms."""

    minors: tuple[str, ...]  # oldest first
    methods: tuple[str, ...]
    platforms: tuple[str, ...]
    newer: Callable[[str], str] = str  # the message for a version past the newest release (freshness.newer_than_catalog)

    @classmethod
    def of(cls, catalog: Catalog) -> Known:
        minors = tuple(r.version for r in catalog.releases.releases)
        if any(int(part) >= KEY_SCALE for v in minors for part in v.split(".")):
            raise ValueError(f"a release number of {KEY_SCALE} or more does not fit the fleet's version keys")
        from ..freshness import newer_than_catalog

        return cls(minors, tuple(sorted(catalog.methods)), tuple(sorted(catalog.platforms)), lambda version: newer_than_catalog(catalog, version))


def minor_key(minor: str) -> int:
    major, rest = minor.split(".")[:2]
    return int(major) * KEY_SCALE + int(rest)


@dataclass
class Inventory:
    """Check-ins in the DuckDB table `checkins` (instance, customer, day, k: the minor's key, patch, method, platform, o: order_key())."""

    con: duckdb.DuckDBPyConnection
    file: str
    has_method: bool
    has_platform: bool


# --- the rules, in Python (the located pass) ---------------------------------------------


def normal_version(text: str) -> str:
    """ "v07.5.0012" -> "7.5.12": the version without its `v` and leading zeros."""
    match = _VERSION.fullmatch(text)
    assert match, text
    parts = [str(int(match.group(1))), str(int(match.group(2)))] + ([str(int(match.group(4)))] if match.group(4) is not None else [])
    return ".".join(parts)


def field_problems(row: Mapping[str, str | None], known: Known, columns: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(column, message) for every rule a row breaks; `columns` are those the file has."""
    columns = set(columns)
    for column, what in (("instance", "the instance's id"), ("customer", "the customer's name")):
        if not row.get(column):
            yield column, f"missing: give {what}"
    observed = row.get("observed_at") or ""
    if not observed:
        yield "observed_at", f"missing: give the date of the check-in, {EXAMPLE_DATE}"
    elif not (_DATE.fullmatch(observed) or _DATETIME.fullmatch(observed)):
        yield "observed_at", f"expected {EXAMPLE_DATE} (got {observed!r})"
    else:
        try:
            dt.date.fromisoformat(observed[:10])
        except ValueError:
            yield "observed_at", f"{observed[:10]} is not a date in the calendar"
    yield from _version_problems(row.get("version") or "", known)
    if "method" in columns:
        method = row.get("method") or ""
        if not method:
            yield "method", "missing: give the deployment method's id, like helm (or leave the column out of the whole file)"
        elif method not in known.methods:
            yield "method", unknown("deployment method", method, known.methods)
    platform = row.get("platform") or ""
    if "platform" in columns and platform and platform not in known.platforms:
        yield "platform", unknown("platform", platform, known.platforms)


def _version_problems(version: str, known: Known) -> Iterator[tuple[str, str]]:
    match = _VERSION.fullmatch(version)
    if not version:
        yield "version", 'missing: give the version the instance reported, like "7.5" or "v7.5.1"'
        return
    if not match:
        yield "version", f'expected a version like "7.5", "7.5.1" or "v7.5.1" (got {version!r})'
        return
    if match.group(4) is not None and len(match.group(4)) > MAX_PATCH_DIGITS:
        yield "version", f"the patch number of {version!r} has more than {MAX_PATCH_DIGITS} digits"
        return
    minor = f"{int(match.group(1))}.{int(match.group(2))}"
    if minor not in known.minors:
        first, last = known.minors[0], known.minors[-1]
        key = (int(match.group(1)), int(match.group(2)))
        if key < tuple(int(p) for p in first.split(".")):
            where = f"is older than the catalog, which starts at {first}"
        elif key > tuple(int(p) for p in last.split(".")):
            yield "version", known.newer(version)
            return
        else:
            where = f"is not a release the catalog knows (there is no {minor}){did_you_mean(minor, known.minors)}"
        yield "version", f"{version} {where}"


# --- the rules, in SQL (the bulk pass) ------------------------------------------------------


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _load_sql(source: str, columns: Iterable[str]) -> str:
    """CREATE TABLE checkins from `source` (a query of VARCHAR columns, NULL when empty), in the same pass as the
    read: the day, the version's minor key `k` and `patch` split from its text, the order key `o`, and `ok`: whether
    the row keeps the rules of field_problems() that need no catalog (the rest, and the version's own rule: _finish)."""
    columns = set(columns)
    method = "method" if "method" in columns else "NULL::VARCHAR"
    platform = "nullif(platform, '')" if "platform" in columns else "NULL::VARCHAR"
    rules = [
        "instance <> ''",
        "customer <> ''",
        f"day IS NOT NULL AND CASE WHEN length(observed_at) = 10 THEN regexp_full_match(observed_at, {_q(DATE_RE)}) "
        f"ELSE regexp_full_match(observed_at, {_q(DATETIME_RE)}) END",
    ]
    ok = " AND ".join(f"coalesce({rule}, false)" for rule in rules)
    # Only a version that keeps VERSION_RE is kept (_finish checks each against parse_version()), so splitting at the
    # dots is enough here; INTEGER parts keep k * 1000000 within a BIGINT for the rows that are thrown out.
    split = "string_split(CASE WHEN starts_with(version, 'v') THEN substr(version, 2) ELSE version END, '.')"
    return f"""
        CREATE TABLE checkins AS
        SELECT instance, customer, day, version, k, patch, {method} AS method, {platform} AS platform, {ok} AS ok, {order_key()} AS o
        FROM (
            SELECT *, CAST(TRY_CAST(parts[1] AS INTEGER) AS BIGINT) * {KEY_SCALE} + TRY_CAST(parts[2] AS INTEGER) AS k,
                TRY_CAST(parts[3] AS INTEGER) AS patch
            FROM (SELECT *, TRY_CAST(substr(observed_at, 1, 10) AS DATE) AS day, {split} AS parts FROM ({source}))
        )
    """


def parse_version(text: str) -> tuple[int, int | None]:
    """(minor key, patch or None) of a version that keeps the rules."""
    match = _VERSION.fullmatch(text)
    assert match, text
    return int(match.group(1)) * KEY_SCALE + int(match.group(2)), int(match.group(4)) if match.group(4) is not None else None


def connect() -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("SET preserve_insertion_order = false")  # no figure depends on the order of the rows
    return con


def _add_known(con: duckdb.DuckDBPyConnection, known: Known) -> None:
    for name, values in (("known_methods", known.methods), ("known_platforms", known.platforms)):
        con.execute(f"CREATE TABLE {name} (v VARCHAR)")
        if values:
            con.executemany(f"INSERT INTO {name} VALUES (?)", [[v] for v in values])


def _finish(con: duckdb.DuckDBPyConnection, source: str, columns: list[str], known: Known | Callable[[], Known]) -> int:
    """Load the check-ins from `source` (a query of VARCHAR columns); the number of rows that break a rule (0: ready).

    The read needs no catalog, so `known` may be a function that waits for it (the CLI loads the catalog while
    DuckDB reads). A fleet has few distinct versions, so each is checked and parsed once, in Python, with
    field_problems()'s own rule; one count gives the verdict, and the report's queries read `checkins` (with `k`,
    `patch` and `o`, the order key) as it was loaded.
    """
    con.execute(_load_sql(source, columns))
    known = known if isinstance(known, Known) else known()
    _add_known(con, known)
    # Each distinct version is judged and parsed once, by Python's rule; one whose split in SQL disagrees is bad too.
    distinct = con.execute("SELECT DISTINCT version, k, patch FROM checkins WHERE version IS NOT NULL").fetchall()
    bad_versions = [[text] for text, k, patch in distinct if any(True for _ in _version_problems(text, known)) or parse_version(text) != (k, patch)]
    rules = ["ok", "version IS NOT NULL"]
    if bad_versions:
        con.execute("CREATE TEMP TABLE bad_versions (text VARCHAR)")
        con.executemany("INSERT INTO bad_versions VALUES (?)", bad_versions)
        rules.append("version NOT IN (SELECT text FROM bad_versions)")
    if "method" in columns:
        rules.append("coalesce(method IN (SELECT v FROM known_methods), false)")
    if "platform" in columns:
        rules.append("coalesce(coalesce(platform, '') = '' OR platform IN (SELECT v FROM known_platforms), false)")
    row = con.execute(f"SELECT count(*) FROM checkins WHERE NOT coalesce({' AND '.join(rules)}, false)").fetchone()
    bad = int(row[0]) if row else 0
    return bad


# --- reading files -----------------------------------------------------------------------------


def read_inventory(path: Path, catalog: Catalog | Callable[[], Catalog], label: str | None = None) -> Inventory:
    """Read a CSV or JSON Lines inventory (by content: a first line starting with `{` is JSON Lines); InputError if any row is bad.

    `catalog` may be a function that returns it: it is called only once the file has been read.
    """
    import duckdb

    label = label or str(path)
    resolved: list[Known] = []

    def known() -> Known:
        if not resolved:
            resolved.append(Known.of(catalog() if callable(catalog) else catalog))
        return resolved[0]

    check_regular_file(path, label, MAX_INVENTORY_BYTES)
    try:
        with path.open("rb") as handle:
            head = handle.readline()
    except OSError as error:
        raise InputError([Problem(label, None, "", f"cannot read the inventory: {error.strerror or error}")]) from None
    jsonl = head.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"{") or path.suffix in (".jsonl", ".ndjson")
    con = connect()
    if jsonl:
        columns = ["instance", "customer", "observed_at", "version"]
        try:
            con.execute(f"CREATE TABLE objects AS SELECT json FROM read_json_objects({_q(str(path))}, format='newline_delimited')")
            found = con.execute("SELECT bool_or(json_exists(json, '$.method')), bool_or(json_exists(json, '$.platform')) FROM objects").fetchone()
            columns += [c for c, has in zip(("method", "platform"), found or (False, False), strict=True) if has]
            bad = _finish(con, _jsonl_source(columns), columns, known)
        except duckdb.Error as error:
            raise _located(path, label, known(), jsonl, str(error)) from None
    else:
        columns = _header(head, label)
        spec = "{" + ", ".join(f"{_q(c)}: 'VARCHAR'" for c in columns) + "}"
        try:
            source = (
                f"SELECT * FROM read_csv({_q(str(path))}, header=true, auto_detect=false, columns={spec}, "
                "delim=',', quote='\"', escape='\"', null_padding=false, strict_mode=true)"
            )
            bad = _finish(con, source, columns, known)
        except duckdb.Error as error:
            raise _located(path, label, known(), jsonl, str(error)) from None
    if bad:
        raise _located(path, label, known(), jsonl, f"{bad} rows break a rule")
    return Inventory(con, label, "method" in columns, "platform" in columns)


def _jsonl_source(columns: list[str]) -> str:
    known = "[" + ", ".join(_q(c) for c in COLUMNS) + "]"
    rest = "".join(f", json ->> '$.{c}' AS {c}" for c in columns if c != "instance")
    strings = " AND ".join(
        f"coalesce(json_type(json, '$.{c}') = 'VARCHAR', false)"
        if c in REQUIRED or c == "method"
        else f"coalesce(json_type(json, '$.{c}') IN ('VARCHAR', 'NULL'), true)"
        for c in columns
    )
    shape = f"json_type(json) = 'OBJECT' AND len(list_filter(json_keys(json), lambda k: NOT list_contains({known}, k))) = 0 AND {strings}"
    # A row of the wrong shape gets a NULL instance, so the bulk check counts it as bad.
    return f"SELECT CASE WHEN {shape} THEN json ->> '$.instance' END AS instance{rest} FROM objects"


def _header(head: bytes, label: str) -> list[str]:
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(label, 1, "", "not UTF-8 text: save the file as UTF-8")]) from None
    if not text.strip():
        raise InputError([Problem(label, 1, "", f"empty: expected a header line {HEADER_HINT}")])
    names = next(csv.reader([text.rstrip("\r\n")]))
    problems = []
    for position, name in enumerate(names):
        if name not in COLUMNS:
            problems.append(Problem(label, 1, name or f"column {position + 1}", f"unknown column{did_you_mean(name, COLUMNS) or '.'} Expected {HEADER_HINT}"))
        elif names.index(name) != position:
            problems.append(Problem(label, 1, name, "appears twice in the header"))
    for name in REQUIRED:
        if name not in names:
            problems.append(Problem(label, 1, name, f"missing from the header: expected {HEADER_HINT}"))
    if problems:
        raise InputError(problems)
    return names


# --- the located pass: only when the bulk pass found something -----------------------------------


def _located(path: Path, label: str, known: Known, jsonl: bool, why: str) -> InputError:
    problems: list[Problem] = []
    for line, key, message in _line_problems(path, known, jsonl):
        problems.append(Problem(label, line, key, message))
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(label, line, "", f"stopped after {MAX_PROBLEMS} problems; fix these and run again"))
            break
    if not problems:  # the bulk pass saw a problem the located pass cannot place: say what DuckDB said
        problems.append(Problem(label, None, "", f"cannot read the inventory: {why.splitlines()[0]}"))
    return InputError(problems)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _NotText(number) from None


class _NotText(Exception):
    def __init__(self, line: int):
        self.line = line


def _line_problems(path: Path, known: Known, jsonl: bool) -> Iterator[tuple[int, str, str]]:
    try:
        lines = list(_lines(path))
    except _NotText as error:
        yield error.line, "", "not UTF-8 text: save the file as UTF-8"
        return
    yield from (_jsonl_problems(lines, known) if jsonl else _csv_problems(lines, known))


def _csv_problems(lines: list[tuple[int, str]], known: Known) -> Iterator[tuple[int, str, str]]:
    reader = csv.reader(io.StringIO("\n".join(text for _, text in lines)))
    header = next(reader, [])
    previous = reader.line_num
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not record:  # a blank line: DuckDB skips it too
            continue
        if len(record) != len(header):
            key = header[len(record)] if len(record) < len(header) else "row"
            yield start, key, f"expected {len(header)} fields ({', '.join(header)}), found {len(record)}"
            continue
        row = dict(zip(header, (value or None for value in record), strict=True))
        for key, message in field_problems(row, known, header):
            yield start, key, message


def _jsonl_problems(lines: list[tuple[int, str]], known: Known) -> Iterator[tuple[int, str, str]]:
    rows: list[tuple[int, Any]] = []
    for number, text in lines:
        if not text.strip():
            continue
        try:
            rows.append((number, json.loads(text)))
        except json.JSONDecodeError as error:
            yield number, "", f"not valid JSON: {error.msg} at column {error.colno}"
    columns = [*REQUIRED, *(c for c in ("method", "platform") if any(isinstance(o, dict) and c in o for _, o in rows))]
    for number, obj in rows:
        if not isinstance(obj, dict):
            yield number, "", f"expected a JSON object with the keys {', '.join(REQUIRED)} (got {type(obj).__name__})"
            continue
        strings: dict[str, str | None] = {}
        for key, value in obj.items():
            if key not in COLUMNS:
                yield number, key, f"unknown column{did_you_mean(key, COLUMNS) or '.'} Expected {', '.join(COLUMNS)}"
            elif value is None and key == "platform":
                strings[key] = None
            elif not isinstance(value, str):
                written = json.dumps(value)
                yield number, key, f"expected a string (got {written}); write it in quotes: {json.dumps(written)}"
            else:
                strings[key] = value or None
        typed_badly = {key for key, value in obj.items() if key in COLUMNS and not isinstance(value, str) and not (value is None and key == "platform")}
        for key, message in field_problems(strings, known, columns):
            if key not in typed_badly:
                yield number, key, message


def from_rows(rows: Iterable[Mapping[str, str | None]], catalog: Catalog, columns: Iterable[str] = REQUIRED) -> Inventory:
    """An Inventory from rows already in memory (tests, the API): the same rules, no file."""
    known, columns = Known.of(catalog), list(columns)
    con = connect()
    con.execute("CREATE TABLE given_rows (" + ", ".join(f"{c} VARCHAR" for c in columns) + ")")
    materialized = [[row.get(c) or None for c in columns] for row in rows]
    if materialized:
        con.executemany(f"INSERT INTO given_rows VALUES ({', '.join('?' for _ in columns)})", materialized)
    bad = _finish(con, "SELECT * FROM given_rows", columns, known)
    if bad:
        problems = [
            Problem("<rows>", n, key, message)
            for n, row in enumerate(materialized, start=1)
            for key, message in field_problems(dict(zip(columns, row, strict=True)), known, columns)
        ]
        raise InputError(problems or [Problem("<rows>", None, "", "a row breaks a rule")])
    return Inventory(con, "<rows>", "method" in columns, "platform" in columns)
