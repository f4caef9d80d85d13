"""Reading and writing files: one bounded reader for every input, one atomic writer for every output.

The reader takes regular files only (a FIFO or a device would block or never end) and stops at the
size limit while reading, so neither `/dev/zero` nor `yes | refarch check -` can fill memory. The
writer goes through a temporary file and an atomic rename, so a crash or a full disk never leaves
half a file behind, and it removes the temporary file (customer data) whatever goes wrong.
Every file-system error becomes an InputError naming the path, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from .problems import InputError, Problem

MAX_BYTES = 1024 * 1024
"""The largest input refarch reads (1 MiB): every requirements file, request, record and catalog file."""

_CHUNK = 64 * 1024


def os_reason(error: OSError) -> str:
    """What an OSError means for the person who gave the path, without misleading them."""
    code = error.errno
    if code == errno.ENOENT:
        return "no such file or folder"
    if code in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if code == errno.ELOOP:
        return "too many levels of symbolic links (a symlink loop?)"
    if code == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    if code == errno.EISDIR:
        return "is a folder, not a file"
    if code == errno.ENOSPC:
        return "no space left on the device"
    if code == errno.EROFS:
        return "the file system is read-only"
    return error.strerror or str(error)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _binary_size(limit: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size} {unit}"
    return f"{limit:,} bytes"


def _too_big(label: str, size: int | None, limit: int) -> InputError:
    how_big = f"is {size:,} bytes" if size is not None else f"is more than {limit:,} bytes"
    return InputError([Problem(label, None, "", f"file {how_big}; the limit is {limit:,} bytes ({_binary_size(limit)}): split it or remove unused content")])


def _open_regular(path: Path | str, label: str, limit: int, stdin_hint: bool = True) -> int:
    """A descriptor of a regular file of at most `limit` bytes, opened without blocking (a FIFO would wait for a writer
    forever) and checked with fstat before any read; anything else is an InputError naming `label`."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise InputError([Problem(label, None, "", f"cannot read file: {os_reason(error)}")]) from None
    try:
        mode = os.fstat(fd)
        if not stat.S_ISREG(mode.st_mode):
            hint = " (or - to read stdin)" if stdin_hint else ""
            raise InputError([Problem(label, None, "", f"cannot read file: it is {_kind(mode.st_mode)}; give a regular file{hint}")])
        if mode.st_size > limit:
            raise _too_big(label, mode.st_size, limit)
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_regular_file(path: Path | str, label: str | None = None, limit: int = MAX_BYTES) -> None:
    """Refuse, without reading it, what read_input() would refuse: a FIFO, a device, a folder, a file over `limit` bytes.

    For inputs that another engine reads itself (DuckDB reads a fleet inventory), so they never block or run away.
    """
    os.close(_open_regular(path, label if label is not None else str(path), limit, stdin_hint=False))


def read_input(path: Path | str, label: str | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is an InputError naming `label` (default: the path)."""
    label = label if label is not None else str(path)
    fd = _open_regular(path, label, limit)
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return read_stream(handle, label, limit)
    except OSError as error:
        raise InputError([Problem(label, None, "", f"cannot read file: {os_reason(error)}")]) from None
    finally:
        os.close(fd)


def read_stream(stream: BinaryIO | None, label: str, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes from an open stream (stdin); more is an InputError, found after reading limit + 1 bytes, not all of them."""
    if stream is None:
        raise InputError([Problem(label, None, "", "stdin is closed; pipe the document in, or give the file's path instead of -")])
    parts: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = stream.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise InputError([Problem(label, None, "", f"cannot read: {os_reason(error)}")]) from None
    except ValueError:  # a closed file object
        raise InputError([Problem(label, None, "", "stdin is closed; pipe the document in, or give the file's path instead of -")]) from None
    if size > limit:
        raise _too_big(label, None, limit)
    return b"".join(parts)


def list_folder(folder: Path, label: str | None = None) -> list[Path]:
    """The entries of a folder, sorted; a folder that cannot be listed is an InputError (so nothing says "valid" about files it never saw)."""
    label = label if label is not None else str(folder)
    try:
        return sorted(folder.iterdir())
    except OSError as error:
        raise InputError([Problem(label, None, "", f"cannot list the folder: {os_reason(error)}")]) from None


def check_new_outputs(outputs: Iterable[Path], inputs: Iterable[Path] = (), force: bool = False) -> None:
    """Refuse, before anything is written, outputs that are an input, that name the same file twice, or that exist (without force)."""
    problems: list[Problem] = []
    seen: dict[Path, Path] = {}
    given = {_identity(path): path for path in inputs}
    for path in outputs:
        key = _identity(path)
        if key in given:
            problems.append(Problem(str(path), None, "", f"is an input ({given[key]}); refarch never writes over its input: pick another output name"))
        elif key in seen:
            problems.append(Problem(str(path), None, "", f"is written twice ({seen[key]} is also an output): pick another output name"))
        elif not force and os.path.lexists(path):
            problems.append(Problem(str(path), None, "", "file exists; pass --force to replace it, or pick another name"))
        seen.setdefault(key, path)
    if problems:
        raise InputError(problems)


def _not_a_folder(folder: Path) -> Path:
    """The part of `folder` that exists but is no folder (a file or a device), for the message."""
    for part in reversed((folder, *folder.parents)):
        if os.path.lexists(part) and not part.is_dir():
            return part
    return folder


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compare the path as written
        return Path(os.path.abspath(path))


def write_atomic(path: Path | str, text: str, *, exclusive: bool = False) -> None:
    """Write `text` to `path` through a temporary file in the same folder and an atomic rename.

    With exclusive=True an existing file is never replaced: FileExistsError is raised instead.
    Any other failure is an InputError naming the path; the temporary file is removed.
    """
    write_atomic_bytes(path, text.encode("utf-8"), exclusive=exclusive)


def write_atomic_bytes(path: Path | str, data: bytes, *, exclusive: bool = False) -> None:
    path = Path(path)
    tmp: str | None = None
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # the folder's name is taken by a file or a device: not "the file exists"
            raise NotADirectoryError(errno.ENOTDIR, "not a folder") from None
        import tempfile  # here: most commands only read, and tempfile (with shutil and random) is 2.5 ms of a start

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)  # fails with FileExistsError rather than overwrite
        else:
            os.replace(tmp, path)
            tmp = None
    except FileExistsError:
        raise
    except OSError as error:
        reason = f"{_not_a_folder(path.parent)} is not a folder" if error.errno == errno.ENOTDIR else os_reason(error)
        raise InputError([Problem(str(path), None, "", f"cannot write the file: {reason}")]) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
