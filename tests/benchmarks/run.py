"""`make bench`: run every tests/benchmarks/bench_*.py, print a table, write build/bench.json.

Each bench module defines `bench() -> list[harness.Result]`. Run one with: run.py NAME.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, Result  # noqa: E402


def main(selected: list[str]) -> int:
    results: list[Result] = []
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if selected and name not in selected:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {name}", flush=True)
        for result in module.bench():
            results.append(result)
            ratio = f"  ratio {result.ratio:.2f} vs {result.baseline} ({result.baseline_median:.4f})" if result.ratio is not None else ""
            verdict = {True: "met", False: "NOT MET", None: ""}[result.met]
            print(f"   {result.name}: median {result.median:.4g} {result.unit} over {result.runs} runs{ratio}  goal: {result.goal} {verdict}", flush=True)
    out = ROOT / "build" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps([r.as_dict() for r in results], indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
