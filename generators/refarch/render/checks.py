"""`refarch check` output: table, Markdown, JSON, JUnit XML, GitHub annotations and SARIF 2.1.0, from the report data.

Every text format ends with the tally line; JSON and SARIF carry it in `summary` so stdout stays parseable.
"""

from __future__ import annotations

from typing import Any

from .text import code, markdown_table, md_escape, table, terminal_width, wrap_line


def escape(text: str) -> str:
    """Text for an XML element (xml.sax.saxutils would import urllib, which costs more than the whole check)."""
    from html import escape  # here: only Markdown, JUnit and SARIF escape, and html is 1.6 ms of a start

    return escape(text, quote=False)


def quoteattr(text: str) -> str:
    from html import escape

    return f'"{escape(text, quote=True)}"'


MARK = {"pass": "pass", "warn": "WARN", "fail": "FAIL", "waived": "waived"}


def _heading(report: dict[str, Any]) -> str:
    where = f"{report['file']}: " if report["file"] else ""
    return f"{where}{report['customer']}, version {report['version']} with {report['method']} (as of {report['as_of']}): {report['verdict']}"


def _explained(finding: dict[str, Any]) -> str:
    text = str(finding["message"])
    if finding["alternatives"] and finding["outcome"] != "pass":
        text += f" Supported instead: {', '.join(finding['alternatives'])}."
    if finding["outcome"] == "fail":
        text += " An exception may be requested." if finding["exception_allowed"] else " No exception can lift this."
    return text


def _size_line(report: dict[str, Any]) -> str | None:
    if not report["size"]:
        return None
    architecture = report["recommended_architecture"] or "none in the catalog for this method"
    return f"size: {report['size']}; reference architecture: {architecture}"


def render_table(run: dict[str, Any], width: int | None = None) -> str:
    """The findings as a table that fits `width` (default: the terminal's; no limit when piped)."""
    width = terminal_width() if width is None else width
    out: list[str] = []
    for report in run["reports"]:
        rows = [[MARK[f["outcome"]], f["rule_id"], f["line"] or "", f["path"], f["requested"] or "", _explained(f)] for f in report["findings"]]
        out += [wrap_line(_heading(report), width), table(["outcome", "rule", "line", "path", "requested", "what it means"], rows, width, prose_last=True)]
        size = _size_line(report)
        if size:
            out.append(wrap_line(size, width))
        out += [wrap_line(f"skipped {s['rule_id']}: {s['reason']}", width) for s in report["skipped"]]
        out += [wrap_line(f"{n['severity']}: {n['message']}", width) for n in report["notices"]]
        if len(run["reports"]) > 1:
            out.append(wrap_line(report["summary"], width))
        out.append("")
    out.append(wrap_line(run["summary"], width))
    return "\n".join(out)


def render_markdown(run: dict[str, Any]) -> str:
    out: list[str] = []
    for report in run["reports"]:
        out += [f"### {md_escape(_heading(report))}", ""]
        rows = [[MARK[f["outcome"]], code(f["rule_id"]), code(f["path"]), f["requested"] or "", _explained(f)] for f in report["findings"]]
        out += [markdown_table(["outcome", "rule", "path", "requested", "what it means"], rows), ""]
        size = _size_line(report)
        if size:
            out += [f"- {md_escape(size)}"]
        out += [f"- skipped `{s['rule_id']}`: {md_escape(s['reason'])}" for s in report["skipped"]]
        out += [f"- **{n['severity']}**: {md_escape(n['message'])}" for n in report["notices"]]
        if len(run["reports"]) > 1:
            out += ["", report["summary"]]
        out.append("")
    out.append(run["summary"])
    return "\n".join(out).rstrip() + "\n"


def render_json(run: dict[str, Any]) -> str:
    from ..jsonfile import dumps_json

    return dumps_json(run)


def render_junit(run: dict[str, Any]) -> str:
    """JUnit XML: a test suite per file, a test case per finding; warnings pass with a note, waived findings are skipped."""
    tally = run["tally"]
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="refarch check" tests="{tally["checks"]}" failures="{tally["failed"]}" skipped="{tally["waived"]}">',
    ]
    for report in run["reports"]:
        t = report["tally"]
        name = report["file"] or report["customer"]
        out.append(f'  <testsuite name={quoteattr(name)} tests="{t["checks"]}" failures="{t["failed"]}" skipped="{t["waived"]}">')
        for finding in report["findings"]:
            case = f"{finding['rule_id']} {finding['path']}"
            out.append(f"    <testcase classname={quoteattr(finding['rule_id'].split('.')[0])} name={quoteattr(case)}>")
            if finding["outcome"] == "fail":
                out.append(f"      <failure message={quoteattr(finding['message'])}>{escape(_explained(finding))}</failure>")
            elif finding["outcome"] == "waived":
                out.append(f"      <skipped message={quoteattr(finding['message'])}/>")
            elif finding["outcome"] == "warn":
                out.append(f"      <system-out>{escape('warning: ' + _explained(finding))}</system-out>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    out.append(f"<!-- {run['summary']} -->")
    return "\n".join(out) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(run: dict[str, Any]) -> str:
    """GitHub Actions workflow commands: ::error for failures, ::warning for warnings and expiring records, ::notice for waived."""
    out: list[str] = []
    kinds = {"fail": "error", "warn": "warning", "waived": "notice"}
    for report in run["reports"]:
        file = report["file"] or "requirements"
        for finding in report["findings"]:
            kind = kinds.get(finding["outcome"])
            if kind is None:
                continue
            props = [f"file={_gh_property(file)}"]
            if finding["line"]:
                props.append(f"line={finding['line']}")
            props.append(f"title={_gh_property(finding['rule_id'] + ' ' + finding['path'])}")
            out.append(f"::{kind} {','.join(props)}::{_gh_data(_explained(finding))}")
        for notice in report["notices"]:
            kind = "warning" if notice["severity"] == "warning" else "notice"
            out.append(f"::{kind} file={_gh_property(file)},title={_gh_property('exception ' + notice['exception_id'])}::{_gh_data(notice['message'])}")
        out.append(f"{file}: {report['verdict']}: {report['summary']}")
    out.append(run["summary"])
    return "\n".join(out) + "\n"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render_sarif(run: dict[str, Any], tool_version: str) -> str:
    """SARIF 2.1.0: one run, a rule per rule id, a result per non-passing finding; waived findings carry a suppression."""
    from ..models.requirements import RULES  # here, not at the top: the other formats need no models

    used = sorted({f["rule_id"] for r in run["reports"] for f in r["findings"]})
    levels = {"fail": "error", "warn": "warning", "waived": "error"}
    results = []
    for report in run["reports"]:
        for finding in report["findings"]:
            if finding["outcome"] == "pass":
                continue
            location: dict[str, Any] = {"artifactLocation": {"uri": report["file"] or "requirements"}}
            if finding["line"]:
                location["region"] = {"startLine": finding["line"]}
            result: dict[str, Any] = {
                "ruleId": finding["rule_id"],
                "ruleIndex": used.index(finding["rule_id"]),
                "level": levels[finding["outcome"]],
                "message": {"text": _explained(finding)},
                "locations": [{"physicalLocation": location, "logicalLocations": [{"fullyQualifiedName": finding["path"]}]}],
                "properties": {"outcome": finding["outcome"], "level": finding["level"], "requested": finding["requested"], "source": finding["source"]},
            }
            if finding["outcome"] == "waived":
                result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f"exception {finding['exception_id']}"}]
            results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "refarch",
                        "version": tool_version,
                        "rules": [{"id": rule, "shortDescription": {"text": RULES[rule]}} for rule in used],
                    }
                },
                "results": results,
                "properties": {"verdict": run["verdict"], "summary": run["summary"], "tally": run["tally"]},
            }
        ],
    }
    import json

    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(run: dict[str, Any], fmt: str, tool_version: str = "0") -> str:
    if fmt == "json":
        return render_json(run)
    if fmt == "markdown":
        return render_markdown(run)
    if fmt == "junit":
        return render_junit(run)
    if fmt == "github":
        return render_github(run)
    if fmt == "sarif":
        return render_sarif(run, tool_version)
    return render_table(run)
