"""Examples the tests pick from the shipped catalog's facts, so a fact that changes moves the example, not the test."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def option_at(method: str, level: str | None, avoid: tuple[str, ...] = ()) -> str:
    """The first option, by id, at `level` on `method` (None: the method does not offer it) that requires
    nothing and conflicts with none of `avoid`."""
    for path in sorted((ROOT / "catalog" / "options").glob("*.yaml")):
        option = yaml.safe_load(path.read_text(encoding="utf-8"))
        if option["methods"].get(method) == level and not option.get("requires") and not set(option.get("conflicts", [])) & set(avoid):
            return str(option["id"])
    raise LookupError(f"no option is at {level or 'not offered'} on {method}; the tests need one")


# The base requirements of the tests run Helm with private-registry (and network-policy in the README's example).
HELM_NOT_OFFERED = option_at("helm", None, avoid=("private-registry", "network-policy"))
HELM_BEST_EFFORT = option_at("helm", "best-effort", avoid=("private-registry", "network-policy"))


def supported_somewhere(option_id: str) -> bool:
    """Whether any method supports the option, so a check that warns about it has an alternative to name."""
    option = yaml.safe_load((ROOT / "catalog" / "options" / f"{option_id}.yaml").read_text(encoding="utf-8"))
    return "supported" in option["methods"].values()
