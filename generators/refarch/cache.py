"""A cache of the validated catalog, so each command does not re-parse ~100 YAML files.

The key is a hash of every catalog file's bytes and of refarch's own source files, so any
edit to data or code invalidates it. A missing or unreadable cache only costs a normal load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .problems import InputError

_PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    base = os.environ.get("REFARCH_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "refarch")
    return Path(base)


def catalog_key(root: Path) -> str:
    """Raises InputError for a catalog file it cannot read (a FIFO, a device, too big), never blocking on one, and
    OSError for a folder it cannot list: a catalog read only in part has no key, so nothing cached stands for it."""
    from .fsutil import read_input

    def refuse(error: OSError) -> None:
        raise error

    digest = hashlib.blake2b(digest_size=16)
    for folder in ("catalog", "architectures"):
        found = []
        for here, _, names in os.walk(root / folder, onerror=refuse):  # rglob() would skip a folder it may not list
            found += [Path(here) / name for name in names if name.endswith(".yaml")]
        for path in sorted(found):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(read_input(path))
    for path in sorted(_PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def load_cached(root: Path) -> Any:
    """load_catalog(root), through the cache when possible."""
    import pickle

    from .fsutil import write_atomic_bytes
    from .loading import load_catalog  # here, not at the top: load_derived's hits need neither YAML nor pydantic

    if os.environ.get("REFARCH_NO_CACHE") or not (root / "catalog").is_dir():
        return load_catalog(root)
    try:
        path = cache_dir() / f"catalog-{catalog_key(root)}.pickle"
        if path.exists():
            with path.open("rb") as handle:
                return pickle.load(handle)
    except Exception:  # a broken cache is never fatal: load normally
        path = None
    catalog = load_catalog(root)
    if path is not None:
        with contextlib.suppress(OSError, InputError):  # an unwritable cache only costs speed (the writer says InputError)
            write_atomic_bytes(path, pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
    return catalog


def load_derived(root: Path, name: str, build: Callable[[Any], Any]) -> Any:
    """build(catalog) for the catalog below `root`, cached as JSON under the catalog's key.

    For plain data derived from the catalog (e.g. the sizing model): a hit reads one JSON file and
    imports neither YAML loading nor pydantic. Hit or miss, the caller gets the same JSON round-trip.
    """
    if os.environ.get("REFARCH_NO_CACHE") or not (root / "catalog").is_dir():
        return json.loads(json.dumps(build(load_cached(root))))
    path: Path | None
    try:
        path = cache_dir() / f"{name}-{catalog_key(root)}.json"
        if path.exists():
            return json.loads(path.read_bytes())
    except Exception:  # a broken cache is never fatal: build normally
        path = None
    text = json.dumps(build(load_cached(root)), sort_keys=True)
    if path is not None:
        from .fsutil import write_atomic_bytes

        with contextlib.suppress(OSError, InputError):
            write_atomic_bytes(path, text.encode("utf-8"))
    return json.loads(text)


def answer_path(root: Path, name: str, inputs: Sequence[str | bytes] | None) -> Path | None:
    """Where the answer `name` to `inputs` over the catalog below `root` is kept, or None when it cannot be cached.

    For answers that are a pure function of the catalog and `inputs` (arguments, the bytes of input
    files, the date). The key hashes every catalog file's bytes and refarch's code (catalog_key) and
    every input, length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    """
    if inputs is None or os.environ.get("REFARCH_NO_CACHE") or not (root / "catalog").is_dir():
        return None
    try:
        digest = hashlib.blake2b(catalog_key(root).encode(), digest_size=16)
        for part in (name, *inputs):
            data = part.encode("utf-8", errors="surrogateescape") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return cache_dir() / f"answer-{name}-{digest.hexdigest()}.json"
    except Exception:  # an unreadable catalog file: no cache, and the normal path reports it
        return None


def recall(path: Path | None) -> Any:
    """The answer kept at `path`, or None."""
    if path is None:
        return None
    try:
        return json.loads(path.read_bytes()) if path.exists() else None
    except Exception:  # a broken cache is never fatal: answer normally
        return None


def remember(path: Path | None, answer: Any) -> Any:
    """Keep `answer` at `path` (when there is one); return its JSON round-trip, which is what a later recall() gives."""
    text = json.dumps(answer, sort_keys=True, default=str)
    if path is not None:
        from .fsutil import write_atomic_bytes

        with contextlib.suppress(OSError, InputError):  # an unwritable cache only costs speed (the writer says InputError)
            write_atomic_bytes(path, text.encode("utf-8"))
    return json.loads(text)


def load_answer(root: Path, name: str, inputs: Sequence[str | bytes], build: Callable[[], Any]) -> Any:
    """build(), or the answer a previous build() gave to the same inputs over the same catalog and code.

    A repeated question is answered from one JSON file, without YAML, pydantic or the engine. Only
    answers are kept: an InputError from build() propagates, so problems are found afresh every time.
    Hit or miss, the caller gets the same JSON round-trip.
    """
    path = answer_path(root, name, inputs)
    found = recall(path)
    return found if found is not None else remember(path, build())
