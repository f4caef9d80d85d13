"""Terminal and Markdown renderings of command results (the JSON form is the data itself)."""

from __future__ import annotations

from typing import Any

from .text import markdown_table, table


def _release_line(data: dict[str, Any]) -> str:
    release = data["release"] or {}
    status = release.get("status", "unknown")
    eol = f", supported until {release['eol']}" if release.get("eol") else ""
    return f"{data['product']} {data['version']}: {status}{eol}; latest patch {release.get('latest_patch', '?')} (as of {data['as_of']})"


def catalog_line(currency: dict[str, Any], cadence: dict[str, Any] | None = None) -> str:
    """'Catalog checked on ...; newest release known: ...', with the release cadence when given."""
    line = f"Catalog checked on {currency['checked']}; newest release known: {currency['newest_release']}"
    if cadence:
        line += f"; release cadence: a minor release about every {cadence['median_days']} days (median of the {cadence['intervals']} intervals from {cadence['from']} to {cadence['to']})"
    return line + "."


def _matrix_rows(data: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for method in data["methods"]:
        platforms = " ".join(p["id"] for p in method["platforms"]) or "-"
        externals = "yes" if method["external_services"] and method["services"] else "no"
        options = len(method["options"])
        rows.append([method["id"], method["level"], method["nodes"], platforms, externals, options, ", ".join(method["architectures"]) or "-"])
    return rows


HEADERS = ["method", "level", "nodes", "platforms", "external services", "options", "reference architectures"]


def matrix_table(data: dict[str, Any]) -> str:
    out = [_release_line(data), catalog_line(data["catalog"], data["release_cadence"]), "", table(HEADERS, _matrix_rows(data))]
    for method in data["methods"]:
        if not method["services"]:
            continue
        out += ["", f"{method['id']}: external services"]
        rows = []
        for service in method["services"]:
            providers = ", ".join(f"{p['id']} ({p['level']})" for p in service["providers"])
            rows.append([service["id"], service["min_version"] or "-", providers])
        out.append(table(["service", "min version", "providers"], rows))
    levels = ", ".join(f"{level['id']}={level['outcome']}" for level in data["levels"])
    out += ["", f"levels: {levels}"]
    return "\n".join(out)


def matrix_markdown(data: dict[str, Any]) -> str:
    out = [f"**{_release_line(data)}**", "", catalog_line(data["catalog"], data["release_cadence"]), "", markdown_table(HEADERS, _matrix_rows(data))]
    return "\n".join(out)
