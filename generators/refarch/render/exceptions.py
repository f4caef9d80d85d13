"""Exception requests, triage results and granted records as text: YAML to fill in, tables, Markdown for tickets."""

from __future__ import annotations

import json
from typing import Any

import yaml

from ..exceptions import QUESTIONS
from ..models.requirements import ExceptionRecord, ExceptionRequest
from .text import code, markdown_table, md_escape, table

# The five questions of the exception policy, numbered as the Delivery strategy lists them.
NUMBER = {"professional_services": 1, "professional_services_capacity": 1, "productize": 2, "owner": 3, "deal_value_usd": 4, "strategic_alignment": 5}
CHOICES = {
    "professional_services": "yes | no | unknown",
    "productize": "yes | no | unknown",
    "deal_value_usd": "a number",
    "requested_duration_days": "a number of days",
}


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)


def request_yaml(request: ExceptionRequest) -> str:
    """The request as YAML to fill in: the data as it is, each answer under its question."""
    data = request.model_dump(mode="json", exclude_none=True)
    answers = data.pop("answers")
    head = {key: data[key] for key in ("schema_version", "customer", "created", "ticket")}
    out = [
        f"# Exception request for {request.customer}. Answer every question under answers:, then run",
        "#   refarch exception triage THIS-FILE",
        "# It holds customer data: keep it with the ticket, never in a public repository or on the docs site.",
        _dump(head).rstrip(),
        "# What the customer runs or plans to run (the requirements file as checked).",
        _dump({"requirements": data["requirements"]}).rstrip(),
        "# What failed when this request was written; triage checks again against the current catalog.",
        _dump({"deviations": data["deviations"]}).rstrip(),
        "answers:",
    ]
    for name, question in QUESTIONS.items():
        number = f"Q{NUMBER[name]}. " if name in NUMBER else ""
        choices = f" ({CHOICES[name]})" if name in CHOICES else ""
        value = answers.get(name)
        out.append(f"  # {number}{question}{choices}")
        out.append(f"  {name}: {json.dumps(value, ensure_ascii=False) if value is not None else 'null'}")
    return "\n".join(out) + "\n"


def _answer(value: Any) -> str:
    if value is None or value == "":
        return "_not answered yet_"
    if isinstance(value, float):
        return f"${value:,.0f}"
    return md_escape(value)


def _deviation_rows(deviations: list[Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for d in deviations:
        get = d.get if isinstance(d, dict) else lambda name, d=d: getattr(d, name)
        rows.append(
            [code(get("rule_id")), code(get("path")), get("requested") or "", get("level"), "yes" if get("exception_allowed") else "no", get("message")]
        )
    return rows


def request_markdown(request: ExceptionRequest) -> str:
    req = request.requirements
    where = f" on {req.deployment.platform}" if req.deployment.platform else ""
    out = [
        f"## Exception request: {md_escape(request.customer)}",
        "",
        f"Ticket: {md_escape(request.ticket) or '-'}; written {request.created}. Version {md_escape(req.version)} with {req.deployment.method}{where}"
        f" ({'new install' if req.deployment.new_install else 'existing deployment'}).",
        "",
        "### Deviations",
        "",
        markdown_table(["rule", "path", "requested", "level", "exception possible", "what it means"], _deviation_rows(request.deviations)),
        "",
        "### The exception policy's questions",
        "",
    ]
    for name, question in QUESTIONS.items():
        number = f"Q{NUMBER[name]}. " if name in NUMBER else ""
        out.append(f"- **{number}{question}** {_answer(getattr(request.answers, name))}")
    return "\n".join(out) + "\n"


def _triage_lines(result: dict[str, Any]) -> tuple[str, str]:
    ticket = f" (ticket {result['ticket']})" if result["ticket"] else ""
    state = "complete" if result["complete"] else f"incomplete: missing {', '.join(result['missing'])}"
    return (
        f"Recommendation: {result['recommendation']}",
        f"{result['customer']}{ticket}, re-checked on {result['as_of']} against the current catalog; the request is {state}.",
    )


def triage_table(result: dict[str, Any]) -> str:
    title, line = _triage_lines(result)
    out = [title, line, "", "Reasons:"]
    out += [f"  - [{r['code']}] {r['message']}" for r in result["reasons"]]
    out.append(f"Teams needed: {', '.join(result['teams']) or 'none'}")
    if result["deviations"]:
        rows = [[f["rule_id"], f["path"], f["requested"] or "", f["level"], "yes" if f["exception_allowed"] else "no"] for f in result["deviations"]]
        out += ["", table(["rule", "path", "requested", "level", "exception possible"], rows)]
    out += [f"resolved since the request: {item}" for item in result["resolved"]]
    out += [f"new since the request: {item}" for item in result["new"]]
    out += ["", result["report"]["summary"]]
    return "\n".join(out)


def triage_markdown(result: dict[str, Any]) -> str:
    title, line = _triage_lines(result)
    out = [f"## {title}", "", md_escape(line), "", "### Reasons", ""]
    out += [f"- **{r['code']}**: {md_escape(r['message'])}" for r in result["reasons"]]
    out += ["", f"Teams needed: {', '.join(result['teams']) or 'none'}", ""]
    if result["deviations"]:
        out += [
            "### Deviations (current catalog)",
            "",
            markdown_table(["rule", "path", "requested", "level", "exception possible", "what it means"], _deviation_rows(result["deviations"])),
            "",
        ]
    if result["resolved"] or result["new"]:
        out += ["### Changes since the request", ""]
        out += [f"- resolved: {code(item)}" for item in result["resolved"]]
        out += [f"- new: {code(item)}" for item in result["new"]]
        out.append("")
    out.append(result["report"]["summary"])
    return "\n".join(out) + "\n"


def record_yaml(record: ExceptionRecord) -> str:
    header = (
        f"# Granted exception {record.id}: waives the findings under covers: for {record.customer}\n"
        f"# from {record.created} until it expires at 00:00 UTC on {record.expires}.\n"
        "# Customer data: keep it in the Delivery team's private records, never in the catalog or on the docs site.\n"
    )
    return header + _dump(record.model_dump(mode="json", exclude_none=True))
