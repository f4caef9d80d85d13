"""`refarch fleet report` on 1,000,000 check-ins of 10,000 instances against DuckDB just reading the same file.

Goal (issue 14): the whole report in at most 3x the time DuckDB takes to read the file, and peak memory well
under 1 GB. Both run as fresh processes (the report: the whole command with --format json; the baseline:
Python importing DuckDB and loading the CSV into a table), interleaved so a slow moment hits both alike.
The in-process figures (read_inventory + fleet_report against the read alone) are reported beside them.
The fleet is generated in a temporary folder each run; peak RSS is the child's own, from wait4().
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import BIN, ROOT, Result, median_seconds

sys.path.insert(0, str(ROOT / "generators"))

from refarch.cache import load_snapshot  # noqa: E402
from refarch.cli.upgrade import upgrade_routes  # noqa: E402
from refarch.fleet.inventory import read_inventory  # noqa: E402
from refarch.fleet.report import fleet_report  # noqa: E402
from refarch.loading import load_catalog  # noqa: E402

AS_OF = dt.date(2026, 11, 30)
INSTANCES, CHECKINS = 10_000, 1_000_000
GOAL_RATIO, GOAL_RSS_MB = 3.0, 1024
REPEAT = 5
METHODS = ("helm", "kustomize", "docker-compose")

READ_SQL = (
    "CREATE TABLE raw AS SELECT * FROM read_csv(?, header=true, auto_detect=false, all_varchar=true, columns={'instance': 'VARCHAR', "
    "'customer': 'VARCHAR', 'observed_at': 'VARCHAR', 'version': 'VARCHAR', 'method': 'VARCHAR'}, delim=',', quote='\"', escape='\"')"
)
READ_ONLY = f"import sys, duckdb\nduckdb.connect(':memory:').execute({READ_SQL!r}, [sys.argv[1]])\n"


def generate(path: Path) -> None:
    """10,000 instances, 100 check-ins each over the year before AS_OF; each upgrades now and then, as written by customers."""
    catalog = load_catalog(ROOT)
    releases = [r for r in catalog.releases.releases if r.released <= AS_OF]
    rng = random.Random(14)
    per = CHECKINS // INSTANCES
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instance", "customer", "observed_at", "version", "method"])
        for n in range(INSTANCES):
            at = rng.randrange(len(releases) - 24, len(releases) - 10)
            method = METHODS[n % 3]
            days = sorted(rng.randrange(0, 400) for _ in range(per))
            for back in reversed(days):
                day = AS_OF - dt.timedelta(days=back)
                while at + 1 < len(releases) and releases[at + 1].released <= day and rng.random() < 0.05:
                    at += 1
                release = releases[at]
                version = release.latest_patch if back % 2 else ("v" + release.version)
                when = day.isoformat() + ("T12:00:00Z" if back % 3 == 0 else "")
                writer.writerow([f"instance-{n:05d}", f"customer-{n // 5}", when, version, method])


def run_child(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one child process, its output discarded."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{argv[:3]} exited {child.returncode}: {child.stderr.read().decode() if child.stderr else ''}")
    if child.stderr:
        child.stderr.close()
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def bench() -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as scratch:
        path = Path(scratch) / "fleet.csv"
        generate(path)
        report_cmd = [str(BIN / "refarch"), "fleet", "report", str(path), "--as-of", AS_OF.isoformat(), "--format", "json"]
        read_cmd = [sys.executable, "-c", READ_ONLY, str(path)]
        run_child(report_cmd)  # warm the page cache and refarch's catalog cache
        run_child(read_cmd)
        reports, reads = [], []
        for _ in range(REPEAT):
            reports.append(run_child(report_cmd))
            reads.append(run_child(read_cmd))
        report_s, read_s = statistics.median(t for t, _ in reports), statistics.median(t for t, _ in reads)
        report_rss, read_rss = max(m for _, m in reports), max(m for _, m in reads)

        catalog = load_snapshot(ROOT)  # as the command reads it: the pydantic-free snapshot, and the planner's routing table
        routes = upgrade_routes(ROOT)
        import duckdb

        def read_only() -> None:
            con = duckdb.connect(":memory:")
            con.execute(READ_SQL, [str(path)])
            con.close()

        def whole() -> None:
            inv = read_inventory(path, catalog)
            fleet_report(catalog, inv, AS_OF, routes=routes)
            inv.con.close()

        inproc_read, inproc_report = [], []
        for _ in range(REPEAT):
            inproc_read.append(median_seconds(read_only, repeat=1, warmup=0))
            inproc_report.append(median_seconds(whole, repeat=1, warmup=0))
        in_read, in_report = statistics.median(inproc_read), statistics.median(inproc_report)
    ratio = report_s / read_s
    return [
        Result(
            f"refarch fleet report, {CHECKINS:,} check-ins of {INSTANCES:,} instances (whole process, json)",
            "s",
            report_s,
            REPEAT,
            "python + duckdb reading the CSV into a table",
            read_s,
            ratio,
            f"<= {GOAL_RATIO:g}x the read",
            ratio <= GOAL_RATIO,
        ),
        Result(
            "fleet report in process (read_inventory + fleet_report, as the command runs them; the planner's caches warm after the first run)",
            "s",
            in_report,
            REPEAT,
            "duckdb reading the CSV into a table, in process",
            in_read,
            in_report / in_read,
            f"<= {GOAL_RATIO:g}x the read",
            in_report / in_read <= GOAL_RATIO,
        ),
        Result(
            "fleet report peak RSS (MB, whole process)",
            "MB",
            report_rss,
            REPEAT,
            "python + duckdb reading the CSV",
            read_rss,
            report_rss / read_rss,
            f"< {GOAL_RSS_MB} MB",
            report_rss < GOAL_RSS_MB,
        ),
    ]
