"""The fleet report as a terminal table, Markdown, a standalone HTML page with inline SVG charts, and a site page."""

from __future__ import annotations

from html import escape
from typing import Any

from .charts import share_bars, share_lines, stacked_shares
from .text import markdown_table, table, wrap_line

BUCKETS = (("latest", 0, 0), ("1 behind", 1, 1), ("2-3 behind", 2, 3), ("4-6 behind", 4, 6), ("7+ behind", 7, 10**9))


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _headline(data: dict[str, Any]) -> list[str]:
    latest = data["latest_release"]
    catalog = data["catalog"]
    oos = data["out_of_support"]
    lines = [
        f"Fleet on {data['as_of']} (active: a check-in in the last {data['active_days']} days); catalog checked {catalog['checked']}, newest release {catalog['newest_release']}",
        f"Active instances: {data['active_instances']:,} of {data['instances_seen']:,} seen",
        f"On the latest release ({latest['version'] if latest else 'none'}): {pct(data['on_latest'])}; within one release: {pct(data['within_one_release'])}; "
        f"median minors behind: {'n/a' if data['median_minors_behind'] is None else data['median_minors_behind']}",
        f"Out of support: {oos['instances']:,} active instances; leaving support within 90 days: {oos['leaving_within_90_days']:,}",
    ]
    head = data["headline"]
    if head:
        lines.append(
            f"Adoption within 30 days of {head['version']} (released {head['released']}): {head['adopted']:,} of {head['population']:,} ({pct(head['share'])})"
        )
    else:
        lines.append("Adoption within 30 days: no release between 365 and 30 days before the date")
    return lines


def _adoption_rows(adoption: list[dict[str, Any]]) -> list[list[object]]:
    return [[a["version"], a["released"], f"{a['population']:,}", f"{a['adopted']:,}", pct(a["share"])] for a in adoption]


def _method_rows(data: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for method, f in (data["by_method"] or {}).items():
        head = f["headline"]
        rows.append(
            [
                method,
                f"{f['active_instances']:,}",
                pct(f["on_latest"]),
                pct(f["within_one_release"]),
                "n/a" if f["median_minors_behind"] is None else f["median_minors_behind"],
                f"{f['out_of_support']['instances']:,}",
                f"{f['out_of_support']['leaving_within_90_days']:,}",
                f"{head['version']}: {pct(head['share'])}" if head else "n/a",
            ]
        )
    return rows


ADOPTION_HEADERS = ("release", "released", "population", "adopted", "share")
METHOD_HEADERS = ("method", "active", "on latest", "within one", "median behind", "out of support", "leaving in 90 days", "adoption (newest)")
SUPPORT_HEADERS = ("version", "end of support", "out of support", "leaving in 90 days")


def _support_rows(data: dict[str, Any]) -> list[list[object]]:
    return [[v["version"], v["end_of_support"], v["out_of_support"], v["leaving"]] for v in data["out_of_support"]["by_version"]]


def fleet_json(data: dict[str, Any]) -> str:
    """Stable JSON (sorted keys, two-space indent) with one line per instance: the per-instance list is most of a
    large fleet's report, and Python's indenting encoder would take longer than computing the figures."""
    import json

    from ..yamlfile import dumps_json

    rest = dumps_json({**data, "instances": []})
    if not data["instances"]:
        return rest
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # one encoder for every row: json.dumps makes one a call
    rows = ",\n".join("    " + encode(item) for item in data["instances"])
    return rest.replace('\n  "instances": [],', '\n  "instances": [\n' + rows + "\n  ],", 1)


def fleet_table(data: dict[str, Any]) -> str:
    out = [wrap_line(line) for line in _headline(data)]
    if data["adoption"]:
        out += ["", "Adoption within 30 days, newest release first:", table(ADOPTION_HEADERS, _adoption_rows(data["adoption"]))]
    if data["out_of_support"]["by_version"]:
        out += ["", "Out of support, or leaving it within 90 days:", table(SUPPORT_HEADERS, _support_rows(data))]
    if data["by_method"]:
        out += ["", "By method:", table(METHOD_HEADERS, _method_rows(data))]
    return "\n".join(out)


def _tables(data: dict[str, Any]) -> list[str]:
    """The report's tables as Markdown sections, each only when it has rows: the same in the report and on the site."""
    out: list[str] = []
    if data["adoption"]:
        out += ["", "## Adoption within 30 days", "", markdown_table(ADOPTION_HEADERS, _adoption_rows(data["adoption"]))]
    if data["out_of_support"]["by_version"]:
        out += ["", "## Out of support", "", markdown_table(SUPPORT_HEADERS, _support_rows(data))]
    if data["by_method"]:
        out += ["", "## By method", "", markdown_table(METHOD_HEADERS, _method_rows(data))]
    return out


def fleet_markdown(data: dict[str, Any]) -> str:
    out = [f"# Fleet report, {data['as_of']}", "", *(f"- {line}" for line in _headline(data))]
    return "\n".join([*out, *_tables(data)]) + "\n"


def _bucket_counts(minors_behind: list[dict[str, int]]) -> list[int]:
    return [sum(row["instances"] for row in minors_behind if lo <= row["minors_behind"] <= hi) for _, lo, hi in BUCKETS]


def charts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(heading, svg) for the three charts: the trend, adoption per release, minors behind by method."""
    trend = data["trend"]
    out = [
        (
            "Share on the latest release and within one release, over the last year",
            share_lines(
                "Share of active instances on the latest release and within one release",
                [t["date"] for t in trend],
                {"on the latest release": [t["on_latest"] for t in trend], "within one release": [t["within_one_release"] for t in trend]},
            ),
        )
    ]
    adoption = list(reversed(data["adoption"]))
    out.append(
        (
            "Adoption within 30 days, per release",
            share_bars(
                "Share of instances that adopted each release within 30 days",
                [a["version"] for a in adoption],
                [a["share"] for a in adoption],
                [f"{a['adopted']} of {a['population']}" for a in adoption],
            ),
        )
    )
    rows = [("all methods", _bucket_counts(data["minors_behind"]))]
    rows += [(method, _bucket_counts(f["minors_behind"])) for method, f in (data["by_method"] or {}).items()]
    out.append(("Minors behind, by method", stacked_shares("Active instances by minors behind, per method", rows, [b[0] for b in BUCKETS])))
    return out


def _html_table(headers: tuple[str, ...], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = (
    "body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
    "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:0.2rem 0.6rem;text-align:left}"
    "th{background:#f4f4f4}figure{margin:1rem 0 2rem}"
)


def fleet_html(data: dict[str, Any]) -> str:
    """A standalone page: no script, no stylesheet or font from another host."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Fleet report, {escape(data['as_of'])}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Fleet report, {escape(data['as_of'])}</h1>",
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in _headline(data)) + "</ul>",
    ]
    for heading, svg in charts(data):
        parts.append(f"<h2>{escape(heading)}</h2><figure>{svg}</figure>")
    if data["adoption"]:
        parts.append("<h2>Adoption within 30 days</h2>" + _html_table(ADOPTION_HEADERS, _adoption_rows(data["adoption"])))
    if data["out_of_support"]["by_version"]:
        parts.append("<h2>Out of support</h2>" + _html_table(SUPPORT_HEADERS, _support_rows(data)))
    if data["by_method"]:
        parts.append("<h2>By method</h2>" + _html_table(METHOD_HEADERS, _method_rows(data)))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def fleet_page(data: dict[str, Any]) -> str:
    """The site's fleet page (Markdown with the charts as inline SVG)."""
    out = [
        "---",
        "title: Fleet",
        "---",
        "<!-- Generated by `refarch site build --fleet FILE` from an inventory of check-ins. Do not edit. -->",
        "",
        f"# Fleet on {data['as_of']}",
        "",
        *(f"- {escape(line)}" for line in _headline(data)),
    ]
    for heading, svg in charts(data):
        out += ["", f"## {heading}", "", f'<figure markdown="0">{svg}</figure>']
    return "\n".join([*out, *_tables(data)]) + "\n"


# --- refarch diff ---------------------------------------------------------------------------------


def _diff_sections(data: dict[str, Any]) -> list[tuple[str, tuple[str, ...], list[list[object]]]]:
    releases = data["releases"]
    sections: list[tuple[str, tuple[str, ...], list[list[object]]]] = [
        (
            "Releases added",
            ("version", "released", "latest patch", "end of support"),
            [[r["version"], r["released"], r["latest_patch"], r["end_of_support"] or "not announced"] for r in releases["added"]],
        ),
        (
            "Releases removed",
            ("version", "released", "latest patch", "end of support"),
            [[r["version"], r["released"], r["latest_patch"], r["end_of_support"] or "not announced"] for r in releases["removed"]],
        ),
        ("Releases changed", ("version", "field", "from", "to"), [[c["version"], c["field"], c["from"], c["to"]] for c in releases["changed"]]),
        (
            "Support windows moved",
            ("version", "end of support was", "is now"),
            [[w["version"], w["from"] or "not announced", w["to"] or "not announced"] for w in releases["support_windows"]],
        ),
        (
            "Support levels changed",
            ("kind", "id", "what", "at versions", "from", "to"),
            [[s["kind"], s["id"], s["what"], c["versions"], c["from"], c["to"]] for s in data["support"] for c in s["changes"]],
        ),
    ]
    if data["requirements"] is not None:
        sections.append(
            (
                "Requirements files whose verdict changes",
                ("file", "verdict was", "is now", "finding that changed"),
                [
                    [r["file"], r["from"], r["to"], "; ".join(f"{f['rule_id']} {f['path']}: {f['from']} -> {f['to']}" for f in r["findings"])]
                    for r in data["requirements"]
                ],
            )
        )
    if data["fleet"] is not None:
        sections.append(
            (
                "Active instances whose support changes",
                ("instance", "customer", "version", "method", "was", "is now"),
                [[i["instance"], i["customer"], i["version"], i["method"] or "", i["from"], i["to"]] for i in data["fleet"]],
            )
        )
    return sections


def _diff_title(data: dict[str, Any]) -> str:
    return f"Support changes from {data['from']['revision']} to {data['to']['revision']} (as of {data['as_of']})"


def diff_table(data: dict[str, Any]) -> str:
    out = [wrap_line(_diff_title(data))]
    if not data["changed"]:
        return out[0] + "\nNothing changed."
    for title, headers, rows in _diff_sections(data):
        if rows:
            out += ["", f"{title}:", table(headers, rows, prose_last=title.startswith("Requirements"))]
    return "\n".join(out)


def diff_markdown(data: dict[str, Any]) -> str:
    out = [f"# {_diff_title(data)}"]
    if not data["changed"]:
        return out[0] + "\n\nNothing changed.\n"
    for title, headers, rows in _diff_sections(data):
        if rows:
            out += ["", f"## {title}", "", markdown_table(headers, rows)]
    return "\n".join(out) + "\n"
