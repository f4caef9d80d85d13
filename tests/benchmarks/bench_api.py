"""refarch serve under load: 32 keep-alive connections for 30 s against /api/v1/check, then /api/v1/health.

The server runs in its own process on a free loopback port; the load comes from a second process
(loadgen.py), bounded in time and count, and only ever targets 127.0.0.1.
Goals: no errors; check at least half the requests per second of health in the same run; the
server's resident memory grows less than 10% over the run.
The goal's load sends one body again and again, which the server answers from memory after the first time;
the same load with every body different (a number in the customer name) is reported beside it, for traffic
where no two requests are alike.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from harness import BIN, ROOT, Result

SECONDS = float(os.environ.get("REFARCH_BENCH_API_SECONDS", "30"))
CONNECTIONS = 32
REQUIREMENTS = ROOT / "tests" / "data" / "requirements" / "valid" / "acme.yaml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_kb(pid: int) -> int:
    """Resident memory of the process and its descendants (the server's worker processes)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total = int(line.split()[1])
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += _rss_kb(int(child))
    return total


def _wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout} s")


def _load(url: str, body: Path | None, vary: bool = False) -> dict[str, object]:
    argv = [sys.executable, str(Path(__file__).with_name("loadgen.py")), url, "--seconds", str(SECONDS), "--connections", str(CONNECTIONS)]
    if body is not None:
        argv += ["--body", str(body)] + (["--vary"] if vary else [])
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=SECONDS + 60)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def bench() -> list[Result]:
    from refarch.yamlfile import parse

    data, _ = parse(REQUIREMENTS.read_bytes(), REQUIREMENTS.name)
    with tempfile.TemporaryDirectory() as scratch:
        body = Path(scratch) / "body.json"
        body.write_text(json.dumps(data))
        varied = Path(scratch) / "varied.json"
        varied.write_text(json.dumps({**data, "customer": f"{data['customer']} @@@@@@@@"}))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        # --root at an empty folder: no site build, the API alone is measured
        server = subprocess.Popen([str(BIN / "refarch"), "serve", "--port", str(port), "--root", scratch], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_ready(f"{base}/api/v1/health")
            _load(f"{base}/api/v1/check", body) if SECONDS >= 5 else None  # warm-up so start-up allocations are not counted as growth
            rss_before = _rss_kb(server.pid)
            check = _load(f"{base}/api/v1/check", body)
            every_body_new = _load(f"{base}/api/v1/check", varied, vary=True)  # this also fills the server's memory of answers
            health = _load(f"{base}/api/v1/health", None)
            rss_after = _rss_kb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    growth = (rss_after - rss_before) / rss_before
    ratio = float(check["rps"]) / float(health["rps"])  # type: ignore[arg-type]
    new_ratio = float(every_body_new["rps"]) / float(health["rps"])  # type: ignore[arg-type]
    errors = int(check["errors"]) + int(every_body_new["errors"]) + int(health["errors"])  # type: ignore[call-overload]
    print(
        f"   check:  {json.dumps(check)}\n   check, every body different: {json.dumps(every_body_new)}\n   health: {json.dumps(health)}\n"
        f"   rss: {rss_before} kB -> {rss_after} kB ({growth:+.1%})"
    )
    return [
        Result(
            "POST /api/v1/check requests/s",
            "/s",
            float(check["rps"]),
            int(check["requests"]),
            "GET /api/v1/health",
            float(health["rps"]),
            ratio,
            ">= 0.5 x health",
            ratio >= 0.5,
        ),  # type: ignore[arg-type]
        Result(
            "POST /api/v1/check, every body different, requests/s",
            "/s",
            float(every_body_new["rps"]),  # type: ignore[arg-type]
            int(every_body_new["requests"]),  # type: ignore[call-overload]
            "GET /api/v1/health",
            float(health["rps"]),  # type: ignore[arg-type]
            new_ratio,
            "(reported: no answer from memory)",
        ),
        Result("POST /api/v1/check p50 latency", "ms", float(check["p50_ms"]), int(check["requests"]), goal="(reported)"),  # type: ignore[arg-type]
        Result("POST /api/v1/check p99 latency", "ms", float(check["p99_ms"]), int(check["requests"]), goal="(reported)"),  # type: ignore[arg-type]
        Result("GET /api/v1/health p50 latency", "ms", float(health["p50_ms"]), int(health["requests"]), goal="(reported)"),  # type: ignore[arg-type]
        Result("GET /api/v1/health p99 latency", "ms", float(health["p99_ms"]), int(health["requests"]), goal="(reported)"),  # type: ignore[arg-type]
        Result("errors over the three loads", "", errors, 3, goal="0", met=errors == 0),
        Result("server resident memory growth", "%", round(growth * 100, 2), 1, goal="< 10%", met=growth < 0.10),
    ]
