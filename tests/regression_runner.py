"""Runs one case of the regression corpus (tests/data/regressions/*.yaml): an input that once broke refarch.

A case is a YAML file:
  args: [check, req.yaml]          the command line, run in-process through click's CliRunner
  shell: "yes | refarch check -"   or a bash command line instead (refarch is this venv's), for pipes and closed streams
  files: {NAME: TEXT}              written into the case's working folder first; a value may be
         {from: REPO-PATH, replace: [[OLD, NEW], ...]} to start from a shipped file
  fifos: [NAME]                    named pipes to create there
  symlinks: {NAME: TARGET}         symbolic links to create there (a loop: a -> b, b -> a)
  catalog: {copy: DIR, edit: [[FILE, OLD, NEW]], remove: [PATH]}   a copy of the shipped catalog to break
  repeat: {NAME: [TEXT, COUNT]}    ${NAME} anywhere in the case stands for TEXT * COUNT
  line_of: {NAME: [FILE, TEXT]}    ${NAME} is the line of the shipped FILE where TEXT first appears
  index_of: {NAME: [FILE, LIST, FIELD, VALUE]}   ${NAME} is the index of the item of LIST in FILE whose FIELD is VALUE
                                   (so a case that breaks the catalog survives edits elsewhere in it)
  setup: [enospc | unreadable:PATH | readonly:PATH | busy-port]   faults to simulate (tests run as root, so chmod cannot)
  stdin: TEXT                      what stdin holds (in-process)
  env: {NAME: VALUE}               environment variables for the run
  ${TMP} is the working folder, ${IN_30_DAYS} the UTC date 30 days from now (an expiry grant accepts)
  exit: 2                          the exit code
  stderr: |                        the exact stderr (${PORT}, ${ROOT} and repeats substituted)
  stdout: ...                      exact stdout (default for exit 2: nothing), or
  stdout_contains: [...] / stdout_excludes: [...]
  leftovers: false                 no temporary file may be left in the working folder
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from refarch.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFARCH = Path(sys.executable).with_name("refarch")


def substitute(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, text in names.items():
            value = value.replace("${" + name + "}", text)
        return value
    if isinstance(value, list):
        return [substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, names) for k, v in value.items()}
    return value


@contextlib.contextmanager
def faults(setup: list[str], cwd: Path, names: dict[str, str]) -> Iterator[None]:
    """Simulate what root cannot meet for real: a full disk at fsync, a folder it may not list."""
    with contextlib.ExitStack() as stack:
        for item in setup:
            kind, _, arg = item.partition(":")
            if kind == "enospc":
                real_fsync = os.fsync

                def full(fd: int, real: Any = real_fsync) -> None:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

                stack.enter_context(_patched(os, "fsync", full))
            elif kind == "unreadable":
                denied = (cwd / arg).resolve()
                real_iterdir = Path.iterdir

                def iterdir(self: Path, real: Any = real_iterdir, denied: Path = denied) -> Iterator[Path]:
                    if self.resolve() == denied:
                        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
                    return real(self)  # type: ignore[no-any-return]

                stack.enter_context(_patched(Path, "iterdir", iterdir))
            elif kind == "readonly":
                locked = (cwd / arg).resolve()
                real_open = os.open

                def guarded_open(path: Any, flags: int, *args: Any, real: Any = real_open, locked: Path = locked) -> int:
                    if flags & os.O_CREAT and Path(os.path.abspath(path)).parent == locked:
                        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
                    return real(path, flags, *args)  # type: ignore[no-any-return]

                stack.enter_context(_patched(os, "open", guarded_open))
            elif kind == "busy-port":
                sock = stack.enter_context(socket.socket())
                sock.bind(("127.0.0.1", 0))
                sock.listen()
                names["PORT"] = str(sock.getsockname()[1])
                names["NEXT_PORT"] = str(sock.getsockname()[1] + 1)
            else:
                raise AssertionError(f"unknown setup {item!r}")
        yield


@contextlib.contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


def prepare(case: dict[str, Any], cwd: Path) -> dict[str, str]:
    """Write the case's files, FIFOs and catalog copy into cwd; the substitutions it uses."""
    names = {"ROOT": str(ROOT), "TMP": str(cwd), "IN_30_DAYS": (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()}
    for name, (text, count) in (case.get("repeat") or {}).items():
        names[name] = text * count
    for name, (file, text) in (case.get("line_of") or {}).items():
        names[name] = str((ROOT / file).read_text(encoding="utf-8")[: (ROOT / file).read_text(encoding="utf-8").index(text)].count("\n") + 1)
    for name, (file, key, field, value) in (case.get("index_of") or {}).items():
        items = yaml.safe_load((ROOT / file).read_text(encoding="utf-8"))[key]
        names[name] = str(next(i for i, item in enumerate(items) if item.get(field) == value))
    for name, content in (substitute(case.get("files") or {}, names)).items():
        path = cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            text = (ROOT / content["from"]).read_text(encoding="utf-8")
            for old, new in content.get("replace", []):
                assert old in text, f"{content['from']} has no {old!r}"
                text = text.replace(old, new)
            content = text
        path.write_text(content, encoding="utf-8")
    for name in case.get("fifos") or []:
        os.mkfifo(cwd / name)
    if "catalog" in case:
        spec = substitute(case["catalog"], names)
        target = cwd / spec["copy"]
        for folder in ("catalog", "architectures"):
            shutil.copytree(ROOT / folder, target / folder)
        for file, old, new in spec.get("edit", []):
            path = target / file
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{file} has no {old!r}"
            path.write_text(text.replace(old, new), encoding="utf-8")
        for removed in spec.get("remove", []):
            shutil.rmtree(target / removed) if (target / removed).is_dir() else (target / removed).unlink()
        for name in spec.get("fifos", []):
            os.mkfifo(target / name)
    for name, target in (case.get("symlinks") or {}).items():
        (cwd / name).unlink(missing_ok=True)
        (cwd / name).symlink_to(target)
    return names


def run_case(case: dict[str, Any], cwd: Path) -> tuple[int, str, str, float, BaseException | None]:
    """(exit code, stdout, stderr, CPU seconds, unexpected exception) for one case, run in cwd.

    CPU seconds (this process's, or the children's for a shell case), not wall time: the machine that runs
    the tests may be busy, and what is promised is how much work an answer takes. A hang still fails: the
    shell has a timeout, and nothing in-process blocks (the reader never waits on a FIFO).
    """
    names = prepare(case, cwd)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with faults(case.get("setup") or [], cwd, names):
            case["_names"] = names
            started = time.process_time()
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            if "shell" in case:
                command = substitute(case["shell"], names).replace("refarch ", f"{REFARCH} ", 1)
                env = {**os.environ, **substitute(case.get("env") or {}, names)}
                done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=10, check=False, env=env)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                seconds = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
                return done.returncode, done.stdout, done.stderr, seconds, None
            args = substitute(case["args"], names)
            env = substitute(case.get("env") or {}, names)
            result = CliRunner().invoke(main, args, input=substitute(case.get("stdin"), names), env=env, catch_exceptions=True)
            seconds = time.process_time() - started
            unexpected = result.exception if result.exception is not None and not isinstance(result.exception, SystemExit) else None
            return result.exit_code, result.stdout, result.stderr, seconds, unexpected
    finally:
        os.chdir(old)


def load_case(path: Path) -> dict[str, Any]:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(case, dict) and ("args" in case or "shell" in case) and "exit" in case, f"{path.name}: needs args (or shell) and exit"
    return case
