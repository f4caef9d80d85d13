"""Third-party browser files the site and the API docs serve themselves, taken from installed Python packages.

Nothing built or served loads a script, stylesheet or font from another host, so the diagrams (mermaid) and
the API docs (Swagger UI) come from packages installed with refarch and are copied beside the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

MERMAID_FILE = "vendor/mermaid.min.js"
MERMAID_NOTICE = "vendor/NOTICE.txt"


@dataclass(frozen=True)
class Vendored:
    path: str  # relative to site/generated/
    data: bytes  # as the package ships it (decoding mermaid's 3.5 MB as text would take 30 ms and change nothing)


def mermaid_source() -> bytes:
    """mermaid's own browser build (the file that sets globalThis.mermaid), as the mermaidx package ships it."""
    return (resources.files("mermaidx") / "assets" / "mermaid.js").read_bytes()


def mermaid_version(source: bytes) -> str:
    match = re.search(rb'version:"(\d+\.\d+\.\d+)"', source)
    return match.group(1).decode() if match else "unknown"


def site_files() -> list[Vendored]:
    """The vendored files under site/generated/, with a notice naming each one's version, licence and package."""
    source = mermaid_source()
    notice = (
        "Third-party files served with this site (never loaded from another host):\n"
        f"- {MERMAID_FILE}: mermaid {mermaid_version(source)} (MIT licence, https://github.com/mermaid-js/mermaid), "
        f"from the Python package mermaidx {metadata.version('mermaidx')}.\n"
    )
    return [Vendored(MERMAID_FILE, source), Vendored(MERMAID_NOTICE, notice.encode("utf-8"))]


def swagger_ui_dir() -> Path:
    """Swagger UI's JavaScript, CSS and favicon, as the fastapi-offline package ships them."""
    return Path(str(resources.files("fastapi_offline") / "static"))
