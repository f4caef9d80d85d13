"""`refarch size` answers as a terminal report or Markdown, from the dict refarch.sizing returns."""

from __future__ import annotations

from typing import Any

from .text import markdown_table, table

SERVICE_HEADERS = ("Service", "Replicas", "CPU request", "CPU limit", "Memory request GB", "Memory limit GB", "Storage GB")


def _num(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _headline(answer: dict[str, Any]) -> list[str]:
    architecture = answer["architecture"] or "none in the catalog"
    lines = [
        f"Size {answer['tier_name']} (driven by {', '.join(answer['driven_by']) or 'the defaults'}); method {answer['method']}; architecture {architecture}; version {answer['version']}",
        f"Contact support: {_num(answer['contact_support'])}. Beyond the model: {_num(answer['beyond_model'])}.",
    ]
    return lines


def _driver_rows(answer: dict[str, Any]) -> list[list[object]]:
    return [
        [d["input"], _num(d["value"]) + ("" if d["given"] else " (default)"), d["tier_name"] + (" <- drives the size" if d["tier"] == answer["tier"] else "")]
        for d in answer["drivers"]
    ]


def _service_rows(answer: dict[str, Any]) -> list[list[object]]:
    rows: list[list[object]] = []
    for s in answer["services"]:
        if not s["enabled"]:
            continue
        replicas = "1 per node" if s["per_node"] else _num(s["replicas"])
        rows.append(
            [s["name"], replicas, _num(s["cpu_request"]), _num(s["cpu_limit"]), _num(s["memory_request_gb"]), _num(s["memory_limit_gb"]), _num(s["storage_gb"])]
        )
    totals = answer["totals"]
    if rows:
        rows.append(
            [
                "total",
                "",
                _num(totals["cpu_request"]),
                _num(totals["cpu_limit"]),
                _num(totals["memory_request_gb"]),
                _num(totals["memory_limit_gb"]),
                _num(totals["storage_gb"]),
            ]
        )
    return rows


def _machine_lines(answer: dict[str, Any]) -> list[str]:
    lines = []
    for m in answer["machines"]:
        types = ", ".join(f"{cloud} {machine or 'none fits'}" for cloud, machine in m["instance_types"].items())
        disks = []
        if m.get("boot_disk_gb"):
            disks.append(f"{m['boot_disk_gb']} GB boot disk")
        if m.get("data_disk_gb") is not None:
            disks.append(f"{_num(m['data_disk_gb'])} GB data disk")
        if m.get("storage_class"):
            disks.append(f"storage class {m['storage_class']}")
        elif m.get("ssd"):
            disks.append("SSD")
        lines.append(f"{m['count']} x {m['role']}, at least {m['vcpu']} vCPU and {_num(m['memory_gb'])} GB each: {types}; {', '.join(disks)}")
    return lines or ["No machines: see the notes."]


def sizing_table(answer: dict[str, Any]) -> str:
    """The answer for a terminal: headline, drivers, services, machines, notes."""
    parts = ["\n".join(_headline(answer))]
    parts.append(table(("Input", "Value", "Size it alone needs"), _driver_rows(answer)))
    rows = _service_rows(answer)
    if rows:
        parts.append(table(SERVICE_HEADERS, rows))
    parts.append("Machines:\n" + "\n".join(f"  {line}" for line in _machine_lines(answer)))
    if answer["notes"]:
        parts.append("Notes:\n" + "\n".join(f"  - {note}" for note in answer["notes"]))
    return "\n\n".join(parts) + "\n"


def sizing_markdown(answer: dict[str, Any]) -> str:
    """The answer as a Markdown report, e.g. for a ticket."""
    parts = [f"# Sizing: size {answer['tier_name']}", "\n".join(f"- {line}" for line in _headline(answer))]
    parts.append("## What drives the size\n\n" + markdown_table(("Input", "Value", "Size it alone needs"), _driver_rows(answer)))
    rows = _service_rows(answer)
    if rows:
        parts.append("## Services\n\n" + markdown_table(SERVICE_HEADERS, rows))
    parts.append("## Machines\n\n" + "\n".join(f"- {line}" for line in _machine_lines(answer)))
    if answer["notes"]:
        parts.append("## Notes\n\n" + "\n".join(f"- {note}" for note in answer["notes"]))
    return "\n\n".join(parts) + "\n"
