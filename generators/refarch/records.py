"""Granted exception records on disk: read a folder of them, write one without ever replacing another."""

from __future__ import annotations

from pathlib import Path

from .fsutil import list_folder, write_atomic
from .loading import read_document
from .models import ExceptionPolicy, ExceptionRecord
from .problems import InputError, Problem
from .render.exceptions import record_yaml

SUFFIXES = (".yaml", ".yml", ".json")


def read_records(folder: Path, policy: ExceptionPolicy) -> list[ExceptionRecord]:
    """Every record in `folder` (not recursive), validated, and re-checked against the policy; raises InputError listing every problem."""
    from .exceptions import record_problems

    if not folder.is_dir():
        raise InputError(
            [
                Problem(
                    str(folder),
                    None,
                    "",
                    "no such folder of exception records; pass --exceptions with the folder that `refarch exception grant --dir` writes to",
                )
            ]
        )
    records: list[ExceptionRecord] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in (p for p in list_folder(folder) if p.suffix in SUFFIXES and not p.name.startswith(".")):
        label = str(path)
        try:
            record, lines = read_document(path, ExceptionRecord, label)
        except InputError as error:
            problems.extend(error.problems)
            continue
        policy_problems = record_problems(policy, record, label, lines)
        if policy_problems:
            problems.extend(policy_problems)
        elif record.id != path.stem:
            problems.append(
                Problem(label, lines.line_for(("id",)), "id", f"id '{record.id}' does not match the file name; rename the file to {record.id}.yaml")
            )
        elif record.id in seen:
            problems.append(Problem(label, lines.line_for(("id",)), "id", f"exception {record.id} is also in {seen[record.id]}; keep one"))
        else:
            seen[record.id] = label
            records.append(record)
    if problems:
        raise InputError(problems)
    return records


def write_record(folder: Path, record: ExceptionRecord) -> Path:
    """Write `record` as <folder>/<id>.yaml atomically; an existing file is never replaced."""
    path = folder / f"{record.id}.yaml"
    try:
        write_atomic(path, record_yaml(record), exclusive=True)
    except FileExistsError:
        raise InputError(
            [
                Problem(
                    str(path), None, "", f"exception {record.id} already exists; it was granted before (same customer, deviations, expiry and approver today)"
                )
            ]
        ) from None
    return path
