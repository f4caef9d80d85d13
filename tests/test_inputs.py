"""The one reader, the one writer, the one number parser and the output escaping (fsutil, numbers, render.text)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from refarch.fsutil import MAX_BYTES, check_new_outputs, read_input, write_atomic
from refarch.numbers import MAX_NUMBER, number_problem, parse_number, version_problem
from refarch.problems import InputError
from refarch.render.text import code, markdown_table, md_escape, visible


def messages(error: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(p) for p in error.value.problems]


def test_an_oversize_regular_file_is_refused_by_its_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError) as caught:
        read_input(path, "big.yaml")
    assert messages(caught) == [f"big.yaml: file is {MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,} bytes (1 MiB): split it or remove unused content"]


def test_a_file_at_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "full.yaml"
    path.write_bytes(b"#" * MAX_BYTES)
    assert len(read_input(path)) == MAX_BYTES


def test_a_failed_write_removes_its_temporary_file_and_keeps_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "record.yaml"
    target.write_text("old\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(InputError) as caught:
        write_atomic(target, "customer data\n")
    assert messages(caught) == [f"{target}: cannot write the file: no space left on the device"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.yaml"] and target.read_text(encoding="utf-8") == "old\n"


def test_outputs_are_checked_against_inputs_each_other_and_existing_files(tmp_path: Path) -> None:
    (tmp_path / "exists.md").write_text("x", encoding="utf-8")
    same = tmp_path / "out.yaml"
    with pytest.raises(InputError) as caught:
        check_new_outputs([tmp_path / "in.yaml", same, tmp_path / "sub" / ".." / "out.yaml", tmp_path / "exists.md"], inputs=[tmp_path / "in.yaml"])
    assert messages(caught) == [
        f"{tmp_path / 'exists.md'}: file exists; pass --force to replace it, or pick another name",
        f"{tmp_path / 'in.yaml'}: is an input ({tmp_path / 'in.yaml'}); refarch never writes over its input: pick another output name",
        f"{tmp_path / 'sub' / '..' / 'out.yaml'}: is written twice ({same} is also an output): pick another output name",
    ]
    check_new_outputs([tmp_path / "exists.md"], force=True)  # --force allows replacing, never an input


@pytest.mark.parametrize(
    ("text", "integer", "expected"),
    [("30_000", True, 30000), (" 12 ", True, 12), ("1.5", True, None), ("1e3", True, None), ("1e3", False, 1000.0), ("abc", False, None), ("", True, None)],
)
def test_parse_number(text: str, integer: bool, expected: float | None) -> None:
    assert parse_number(text, integer) == expected


def test_numbers_past_the_bound_or_too_long_are_too_large() -> None:
    assert number_problem(MAX_NUMBER) is None
    assert number_problem(MAX_NUMBER + 1) == number_problem(float("inf")) == "number is too large: refarch reads numbers up to 1,000,000,000,000,000 (10^15)"
    assert number_problem(float("nan")) == "expected a number (got NaN)"
    assert parse_number("9" * 5000, integer=True) == float("inf")  # never int() on 5,000 digits


def test_versions_have_bounded_components() -> None:
    assert version_problem("7.5.4453") is None and version_problem("999999.0") is None
    assert version_problem("7.1234567") == "a version component has 7 digits; at most 6 are read (got '7.1234567')"
    assert version_problem("7.5.0-rc1") == 'expected a version like "16", "7.5" or "7.5.4453" (got \'7.5.0-rc1\')'


def test_visible_escapes_controls_bidi_and_surrogates_and_keeps_json_meaning() -> None:
    text = "a\x00b\x07\u202e\u200b\x1b[31m\ud800\U000e0041 é ≥ 日本\tz\n"
    shown = visible(text)
    assert shown == "a\\u0000b\\u0007\\u202e\\u200b\\u001b[31m\\ud800\\udb40\\udc41 é ≥ 日本\tz\n"
    document = json.dumps({"customer": "x\u202ey\U000e0041"}, ensure_ascii=False)
    assert json.loads(visible(document)) == {"customer": "x\u202ey\U000e0041"}


def test_markdown_escaping_makes_customer_text_inert() -> None:
    assert md_escape("<script>alert(1)</script> [x](javascript:alert(1)) a|b &amp; `c`") == (
        "\\<script>alert(1)\\</script> \\[x\\](javascript:alert(1)) a\\|b \\&amp; \\`c\\`"
    )
    assert markdown_table(["a", "b"], [[code("x`y|z"), "<b>"]]).splitlines()[-1] == "| ``x`y\\|z`` | \\<b> |"


def test_a_relative_site_root_builds_where_it_says(tmp_path: Path, repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mkdocs reads a relative site_dir against mkdocs.yml's folder: --root x built into x/x/build/site while printing x/build/site."""
    from refarch.site import _load_config

    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "mkdocs.yml").write_text((repo_root / "mkdocs.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "x" / "site").symlink_to(repo_root / "site")
    monkeypatch.chdir(tmp_path)
    config = _load_config(Path("x"), Path("x") / "build" / "site")
    assert config["site_dir"] == str(tmp_path / "x" / "build" / "site")
