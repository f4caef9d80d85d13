"""Terminal and Markdown renderings of upgrade and migration plans (the JSON form is the plan itself)."""

from __future__ import annotations

import textwrap
from typing import Any

from .text import code, markdown_table, md_escape, table

WIDTH = 100
HOP_TYPES = {"standard": "standard upgrade", "mvu": "multi-version upgrade"}


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=first if first is not None else indent, subsequent_indent=indent) or [first or indent]


def _headline(plan: dict[str, Any]) -> str:
    return f"Upgrade plan: {plan['from']} to {plan['to']} on {plan['method']['name']} ({plan['postgres']['label']}), {plan['strategy']}"


def _counts(plan: dict[str, Any]) -> str:
    totals = plan["totals"]
    kinds = ", ".join(f"{totals[k]} {HOP_TYPES[k]}{'s' if totals[k] != 1 else ''}" for k in ("mvu", "standard") if totals[k])
    return f"{totals['steps']} step{'s' if totals['steps'] != 1 else ''} ({kinds}); total downtime: {plan['total_downtime']['summary']}"


def _manual_kind(item: dict[str, Any]) -> str:
    return "required stop" if item["kind"] == "stop" else ("breaking change" if item["breaking"] else "upgrade note")


def _downtime_used(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The downtime kinds the plan's steps take, worst last, each with the catalog's explanation."""
    used = {step["downtime"] for step in plan["steps"]}
    return [level for level in plan["downtime_levels"] if level["id"] in used]


def upgrade_plan_table(plan: dict[str, Any]) -> str:
    out = [_headline(plan), _counts(plan), ""]
    rows = [[s["step"], s["from"], s["to"], s["type"], s["downtime_label"], len(s["manual_steps"])] for s in plan["steps"]]
    out.append(table(["step", "from", "to", "type", "downtime", "manual steps"], rows))
    out += ["", "What the downtime means:"]
    for level in _downtime_used(plan):
        out += _wrap(f"{level['label']}: {level['summary']}", "    ", "  - ")
    for step in plan["steps"]:
        out += ["", f"{step['step']}. {step['from']} -> {step['to']} ({HOP_TYPES[step['type']]}, {step['downtime_label']})"]
        out += _wrap(step["reason"], "     ", "   Why here: ")
        if step.get("automatic_mvu"):
            out += _wrap("The frontend of the target version can also run this upgrade itself when it starts (automatic multi-version upgrade).", "   ")
        for item in step["manual_steps"]:
            out.append(f"   - {item['title']} ({_manual_kind(item)})")
            for line in item["steps"]:
                out += _wrap(line, "       ", "     * ")
            out.append(f"     docs: {item['docs']}")
        out.append(f"   docs: {step['docs']}")
    if plan["notes"]:
        out += ["", "Notes:"]
        for note in plan["notes"]:
            out += _wrap(note, "  ", "- ")
    return "\n".join(out)


def upgrade_plan_markdown(plan: dict[str, Any]) -> str:
    out = [f"## {md_escape(_headline(plan))}", "", md_escape(_counts(plan)), ""]
    rows = [[s["step"], code(s["from"]), code(s["to"]), s["type"], s["downtime_label"], s["reason"]] for s in plan["steps"]]
    out.append(markdown_table(["step", "from", "to", "type", "downtime", "why here"], rows))
    out += ["", "What the downtime means:", ""]
    out += [f"- **{md_escape(level['label'])}**: {md_escape(level['summary'])}" for level in _downtime_used(plan)]
    for step in plan["steps"]:
        if not step["manual_steps"]:
            continue
        out += ["", f"### Step {step['step']}: {step['from']} to {step['to']}", ""]
        for item in step["manual_steps"]:
            out.append(f"- **{md_escape(item['title'])}** ({_manual_kind(item)}, [docs]({item['docs']}))")
            out += [f"  - {md_escape(line)}" for line in item["steps"]]
    if plan["notes"]:
        out += ["", *[f"> {md_escape(note)}" for note in plan["notes"]]]
    return "\n".join(out)


def _route_lines(route: dict[str, Any], number: int) -> list[str]:
    guide = "step-by-step guide in the docs" if route["documented"] else "the docs give no step-by-step guide for this route"
    out = [f"Route {number}: {route['name']} ({guide})"]
    out += _wrap(route["summary"], "  ")
    out += _wrap(f"{route['downtime_label']}. {route['downtime_summary']}", "    ", "  Downtime: ")
    if route["version_rule"]:
        out += _wrap(route["version_rule"], "    ", "  Version: ")
    if route["deadline"]:
        out += _wrap(route["deadline"], "    ", "  Deadline: ")
    out.append("  Back up first:")
    for line in route["backups"]:
        out += _wrap(line, "      ", "    - ")
    out.append("  Procedure:")
    for index, step in enumerate(route["procedure"], start=1):
        out += _wrap(f"{step['title']}: {step['detail']}", "       ", f"    {index}. ")
    out.append("  Carried over:")
    for line in route["migrated"]:
        out += _wrap(line, "      ", "    - ")
    if route["recreated"]:
        out.append("  Rebuilt or changed:")
        for line in route["recreated"]:
            out += _wrap(line, "      ", "    - ")
    for note in route["notes"]:
        out += _wrap(note, "      ", "  Note: ")
    if route["docs"]:
        out.append(f"  docs: {route['docs']}")
    return out


def migrate_plan_table(plan: dict[str, Any]) -> str:
    at = f" at {plan['version']}" if plan["version"] else ""
    out = [f"Move from {plan['from_method']['name']} to {plan['to_method']['name']}{at}", plan["answer"], plan["principle"]]
    for number, route in enumerate(plan["routes"], start=1):
        out += ["", *_route_lines(route, number)]
    return "\n".join(out)


def migrate_plan_markdown(plan: dict[str, Any]) -> str:
    at = f" at {plan['version']}" if plan["version"] else ""
    out = [f"## Move from {md_escape(plan['from_method']['name'])} to {md_escape(plan['to_method']['name'])}{at}", "", md_escape(plan["answer"]), ""]
    out.append(md_escape(plan["principle"]))
    for route in plan["routes"]:
        out += ["", f"### {md_escape(route['name'])}", "", md_escape(route["summary"]), ""]
        out.append(f"- **Downtime:** {md_escape(route['downtime_label'])}. {md_escape(route['downtime_summary'])}")
        if route["version_rule"]:
            out.append(f"- **Version:** {md_escape(route['version_rule'])}")
        if route["deadline"]:
            out.append(f"- **Deadline:** {md_escape(route['deadline'])}")
        out.append(f"- **Step-by-step guide in the docs:** {'yes' if route['documented'] else 'no'}")
        out += ["", "Back up first:", "", *[f"- {md_escape(line)}" for line in route["backups"]], "", "Procedure:", ""]
        out += [f"{i}. **{md_escape(step['title'])}**: {md_escape(step['detail'])}" for i, step in enumerate(route["procedure"], start=1)]
        out += ["", "Carried over: " + md_escape("; ".join(route["migrated"]))]
        if route["recreated"]:
            out.append("Rebuilt or changed: " + md_escape("; ".join(route["recreated"])))
        if route["docs"]:
            out.append(f"[Docs]({route['docs']})")
    return "\n".join(out)
