"""A cache of the validated catalog, so each command does not re-parse ~100 YAML files.

The key (catalog_key) changes with any edit to a catalog file or to refarch's own source files, so
an edit to data or code invalidates every entry. A missing or unreadable cache only costs a normal load.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .problems import InputError

_PACKAGE = Path(__file__).resolve().parent

try:  # CPython's own BLAKE2, without hashlib's start-up of OpenSSL (2 ms of every command)
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b as _blake2b


def cache_dir() -> Path:
    base = os.environ.get("REFARCH_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "refarch")
    return Path(base)


RACY_NS = 2_000_000_000
"""A file changed this recently (2 s) is keyed by its bytes too: a clock tick can hide a rewrite of the same size."""


def catalog_key(root: Path) -> str:
    """A key for every catalog and architecture file below `root` and refarch's own code: any edit changes it.

    Each file counts by path, size, modification time and inode, as make, mypy and ruff key theirs, so a key
    costs one stat per file, not a read. A file modified in the last RACY_NS counts by its bytes as well (git's
    "racily clean" rule): two writes within one tick of the file-system clock can leave size and time alike.
    Raises InputError for a catalog file it cannot read (a FIFO, a device, too big), never blocking on one, and
    OSError for a folder it cannot list: a catalog read only in part has no key, so nothing cached stands for it.
    """
    import time

    from .fsutil import read_input

    def refuse(error: OSError) -> None:
        raise error

    digest = _blake2b(digest_size=16)
    recent = time.time_ns() - RACY_NS
    prefix = len(os.path.join(root, ""))
    for folder in ("catalog", "architectures"):
        found = []
        for here, _, names in os.walk(root / folder, onerror=refuse):  # rglob() would skip a folder it may not list
            found += [os.path.join(here, name) for name in names if name.endswith(".yaml")]
        for name in sorted(found):
            status = os.stat(name)
            digest.update(f"{name[prefix:]}\0{status.st_size}:{status.st_mtime_ns}:{status.st_ino}\0".encode())
            if not stat.S_ISREG(status.st_mode) or status.st_mtime_ns >= recent:
                digest.update(read_input(Path(name)))  # the reader refuses what cannot be a catalog file, with its message
    code = []
    for here, _, names in os.walk(_PACKAGE):
        code += [os.path.join(here, name) for name in names if name.endswith(".py")]
    for name in sorted(code):
        status = os.stat(name)
        digest.update(f"{name[len(str(_PACKAGE)) + 1 :]}:{status.st_size}:{status.st_mtime_ns}".encode())
    return digest.hexdigest()


def load_cached(root: Path) -> Any:
    """load_catalog(root), through the cache when possible."""
    from .loading import load_catalog  # here, not at the top: load_snapshot's hits need neither YAML nor pydantic

    return load_pickled(root, "catalog", lambda: load_catalog(root))


def load_snapshot(root: Path) -> Any:
    """The validated catalog below `root` as a pydantic-free snapshot (refarch.snapshot.freeze_catalog), through the cache.

    A hit unpickles plain Records: no YAML, no pydantic, no models. A miss loads (and validates) the catalog first.
    """
    from .snapshot import freeze_catalog

    return load_pickled(root, "snapshot", lambda: freeze_catalog(load_cached(root)))


def load_pickled(root: Path, name: str, build: Callable[[], Any]) -> Any:
    """build(), kept as a pickle under the key of the catalog below `root` and refarch's code, for objects JSON cannot hold."""
    import pickle

    if os.environ.get("REFARCH_NO_CACHE") or not (root / "catalog").is_dir():
        return build()
    path = _recall_pickle(root, name)
    if path is not None and path.exists():
        found = _read_pickle(path)
        if found is not None:
            return found
    value = build()
    _keep(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def _recall_pickle(root: Path, name: str) -> Path | None:
    try:
        return cache_dir() / f"{name}-{catalog_key(root)}.pickle"
    except Exception:  # a catalog file that cannot be read: no cache, and the normal load reports it
        return None


def _read_pickle(path: Path) -> Any:
    import pickle

    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception:  # a broken cache is never fatal: load normally
        return None


def _keep(path: Path | None, data: bytes) -> None:
    if path is None:
        return
    from .fsutil import write_atomic_bytes

    with contextlib.suppress(OSError, InputError):  # an unwritable cache only costs speed (the writer says InputError)
        write_atomic_bytes(path, data)


def load_derived(root: Path, name: str, build: Callable[[Any], Any]) -> Any:
    """build(catalog) for the catalog below `root`, cached as JSON under the catalog's key.

    For plain data derived from the catalog (e.g. the sizing model): a hit reads one JSON file and
    imports neither YAML loading nor pydantic. Hit or miss, the caller gets the same JSON round-trip.
    """
    if os.environ.get("REFARCH_NO_CACHE") or not (root / "catalog").is_dir():
        return _kept_json(None, build(load_cached(root)))
    try:
        path: Path | None = cache_dir() / f"{name}-{catalog_key(root)}.json"
    except Exception:  # a catalog file that cannot be read: no cache, and the normal load reports it
        path = None
    found = _recall_json(path)
    return found if found is not None else _kept_json(path, build(load_cached(root)))


def answer_path(root: Path, name: str, inputs: Sequence[str | bytes]) -> Path | None:
    """Where the answer `name` to `inputs` over the catalog below `root` is kept, or None when it cannot be cached.

    For answers that are a pure function of the catalog and `inputs` (arguments, the date). The key
    hashes catalog_key (every catalog file and refarch's code) and every input, length-prefixed, so
    ("ab", "c") and ("a", "bc") differ.
    """
    if os.environ.get("REFARCH_NO_CACHE") or not (root / "catalog").is_dir():
        return None
    try:
        digest = _blake2b(catalog_key(root).encode(), digest_size=16)
        for part in (name, *inputs):
            data = part.encode("utf-8", errors="surrogateescape") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return cache_dir() / f"answer-{name}-{digest.hexdigest()}.json"
    except Exception:  # an unreadable catalog file: no cache, and the normal path reports it
        return None


def _recall_json(path: Path | None) -> Any:
    """What is kept at `path`, or None."""
    import json

    if path is None:
        return None
    try:
        return json.loads(path.read_bytes()) if path.exists() else None
    except Exception:  # a broken cache is never fatal: answer normally
        return None


def _kept_json(path: Path | None, value: Any) -> Any:
    """Keep `value` as JSON at `path` (when there is one); return its JSON round-trip, which is what a later _recall_json() gives."""
    import json

    text = json.dumps(value, sort_keys=True)
    _keep(path, text.encode("utf-8"))
    return json.loads(text)


def load_answer(root: Path, name: str, inputs: Sequence[str | bytes], build: Callable[[], Any]) -> Any:
    """build(), or the answer a previous build() gave to the same inputs over the same catalog and code.

    Only answers are kept: an InputError from build() propagates, so problems are found afresh every
    time. Hit or miss, the caller gets the same JSON round-trip.
    """
    path = answer_path(root, name, inputs)
    found = _recall_json(path)
    return found if found is not None else _kept_json(path, build())
