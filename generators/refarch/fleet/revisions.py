"""A catalog as it was at a git revision of this repository, or in a folder: the I/O side of `refarch diff`.

A revision is read with `git archive` into a temporary folder, so the work tree is never checked out or touched.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..problems import InputError, Problem

if TYPE_CHECKING:
    from ..loading import Catalog

FOLDERS = ("catalog", "architectures")


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)


def load_support(root: Path, label: str = "") -> Catalog:
    """The catalog below `root`, every catalog/ file read and checked against today's models, for comparing support.

    Unlike load_catalog(), the reference architectures are optional (a file today's model cannot read is left out:
    the diff does not compare them, and their model has changed more often than the support data) and the
    cross-file checks are skipped (each side is compared as it was, not judged again).
    """
    from ..loading import Catalog, read_files

    problems: list[Problem] = []
    values, origins, _, _ = read_files(root, problems, label, optional=("architectures",), absent_ok=True)
    if problems:
        raise InputError(problems)
    return Catalog(**values, origins=origins)


def load_revision(revision: str, repo: Path, key: str) -> Catalog:
    """The catalog in folder `revision` (one holding catalog/), else at git revision `revision` of `repo`."""
    folder = Path(revision)
    if (folder / "catalog").is_dir():
        return load_support(folder)
    try:
        found = _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except OSError as error:
        raise InputError(
            [Problem("<arguments>", None, key, f"{revision!r} is not a catalog folder, and git cannot run to read it as a revision: {error}")]
        ) from None
    if found.returncode != 0:
        raise InputError(
            [
                Problem(
                    "<arguments>",
                    None,
                    key,
                    f"{revision!r} is neither a folder holding catalog/ nor a git revision of {repo} (give a commit, tag or branch, or a folder)",
                )
            ]
        )
    commit = found.stdout.decode().strip()
    listed = _git(repo, "ls-tree", "--name-only", commit).stdout.decode().split()
    present = [f for f in FOLDERS if f in listed]
    if "catalog" not in present:
        raise InputError([Problem("<arguments>", None, key, f"revision {revision} ({commit[:12]}) has no catalog/ folder")])
    archive = _git(repo, "archive", "--format=tar", commit, "--", *present)
    if archive.returncode != 0:
        raise InputError([Problem("<arguments>", None, key, f"git archive of {revision} failed: {archive.stderr.decode().strip()}")])
    scratch = Path(tempfile.mkdtemp(prefix="refarch-diff-"))
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(scratch, filter="data")
        return load_support(scratch, f"{revision}:")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
