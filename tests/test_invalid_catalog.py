"""The invalid-catalog corpus: each file in tests/data/invalid/ breaks the shipped catalog in one way.

A case file starts with `# target: PATH` (where it is written inside a copy of the catalog) and
one `# expect: MESSAGE` line per problem it must produce, exactly and nothing else.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from refarch.loading import load_catalog
from refarch.problems import InputError

CASES = sorted((Path(__file__).parent / "data" / "invalid").glob("*.yaml"))


def header(path: Path) -> tuple[str, list[str]]:
    target, expected = "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# target: "):
            target = line.removeprefix("# target: ")
        elif line.startswith("# expect: "):
            expected.append(line.removeprefix("# expect: "))
    return target, expected


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    base = tmp_path_factory.mktemp("pristine")
    for folder in ("catalog", "architectures"):
        shutil.copytree(repo_root / folder, base / folder)
    return base


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_produces_exactly_its_messages(case: Path, pristine: Path, tmp_path: Path) -> None:
    target, expected = header(case)
    assert target and expected, f"{case.name} needs '# target:' and at least one '# expect:' line"
    root = tmp_path / "root"
    shutil.copytree(pristine, root)
    (root / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(case, root / target)
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        load_catalog(root)
    assert time.monotonic() - started < 5
    assert sorted(str(p) for p in caught.value.problems) == sorted(expected)
