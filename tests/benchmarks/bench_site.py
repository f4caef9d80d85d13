"""`refarch site build` against a plain `mkdocs build` of the same, already generated pages, measured in the same run.

Goal: generating the pages from the catalog adds at most 30% to the mkdocs build on its own.
Both run as fresh processes on a scratch copy of mkdocs.yml and site/, so the checkout is untouched.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness import BIN, ROOT, Result, median_seconds, process_seconds

from refarch.loading import load_catalog
from refarch.site import pages

AS_OF = "2026-11-27"
GOAL = 1.30
REPEAT = 9


def bench() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-site-") as scratch:
        root = Path(scratch)
        shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
        shutil.copytree(ROOT / "site", root / "site", ignore=shutil.ignore_patterns("generated"))
        refarch = [str(BIN / "refarch"), "site", "build", "--root", str(root), "--catalog", str(ROOT), "--as-of", AS_OF]
        # One build first: it writes site/generated/, which the plain mkdocs build then reuses as is.
        subprocess.run(refarch, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        mkdocs = [str(BIN / "mkdocs"), "build", "--quiet", "--strict", "-f", str(root / "mkdocs.yml"), "-d", str(root / "mkdocs-out")]
        # A full generation each time: remove the stamp that lets an unchanged catalog skip generating.
        stamp = root / "site" / "generated" / ".generated-key"
        regenerate = ["/bin/sh", "-c", f'rm -f \'{stamp}\' && exec "$0" "$@"', *refarch]
        # Interleave the runs so that a slow moment of the machine hits all of them alike.
        plain, full, unchanged = [], [], []
        for _ in range(3):
            plain.append(process_seconds(mkdocs, repeat=REPEAT // 3))
            full.append(process_seconds(regenerate, repeat=REPEAT // 3))
            unchanged.append(process_seconds(refarch, repeat=REPEAT // 3))
        baseline, measured, skipped = sorted(plain)[1], sorted(full)[1], sorted(unchanged)[1]
    ratio = measured / baseline
    catalog = load_catalog(ROOT)
    day = dt.date.fromisoformat(AS_OF)
    rendering = median_seconds(lambda: pages(catalog, day), repeat=REPEAT)
    return [
        Result(
            name="refarch site build, generating every page (catalog changed)",
            unit="s",
            median=measured,
            runs=REPEAT,
            baseline="mkdocs build of the same generated pages",
            baseline_median=baseline,
            ratio=ratio,
            goal=f"at most {GOAL:.2f} x the plain mkdocs build",
            met=ratio <= GOAL,
        ),
        Result(
            name="refarch site build, pages up to date (catalog unchanged)",
            unit="s",
            median=skipped,
            runs=REPEAT,
            baseline="mkdocs build of the same generated pages",
            baseline_median=baseline,
            ratio=skipped / baseline,
            goal=f"at most {GOAL:.2f} x the plain mkdocs build",
            met=skipped / baseline <= GOAL,
        ),
        Result(name="rendering every page in process (pages())", unit="s", median=rendering, runs=REPEAT, goal="informational: the part generation adds"),
    ]
