"""A bounded HTTP/1.1 load generator for loopback servers: N keep-alive connections for S seconds.

Usage: loadgen.py URL --seconds 30 --connections 32 [--body FILE [--vary]] -> one JSON line of results.
Refuses any host but 127.0.0.1 / localhost / ::1, and stops by itself after --seconds or --max-requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


MARK = b"@@@@@@@@"
"""With --vary, this text in the body becomes the request's number (8 digits, so the length stays), making every body different."""


async def worker(host: str, port: int, request: bytes, deadline: float, budget: list[int], latencies: list[float], errors: list[str], vary: bool) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request.replace(MARK, b"%08d" % budget[0], 1) if vary else request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(str(status))
    except (ConnectionError, asyncio.IncompleteReadError) as error:
        errors.append(type(error).__name__)
    finally:
        writer.close()


async def main(url: str, seconds: float, connections: int, body: bytes | None, max_requests: int, vary: bool = False) -> dict[str, object]:
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"refusing to load {parts.hostname}: only loopback addresses are allowed")
    host, port = parts.hostname, parts.port or 80
    method = "POST" if body is not None else "GET"
    head = f"{method} {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    request = head.encode() + b"\r\n" + (body or b"")
    latencies: list[float] = []
    errors: list[str] = []
    budget = [max_requests]
    started = time.perf_counter()
    deadline = started + seconds
    if vary and (body is None or MARK not in body):
        raise SystemExit(f"--vary needs {MARK.decode()} in the body")
    await asyncio.gather(*(worker(host, port, request, deadline, budget, latencies, errors, vary) for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2) if latencies else None,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--body")
    parser.add_argument("--max-requests", type=int, default=5_000_000)
    parser.add_argument("--vary", action="store_true", help=f"number each request's body at {MARK.decode()}, so no two are alike")
    args = parser.parse_args()
    payload = Path(args.body).read_bytes() if args.body else None
    print(json.dumps(asyncio.run(main(args.url, args.seconds, args.connections, payload, args.max_requests, args.vary))))
    sys.exit(0)
