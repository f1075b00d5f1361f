"""Figures and reports shared by the benchmarks: medians, percentiles, ratios, the machine and
software, and the dated section written at the top of bench/results.md."""

import contextlib
import os
import platform
import statistics
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from bench import wrk
from bench.common import BASE_DIR

RESULTS = BASE_DIR / "bench" / "results.md"


def medians(runs: list[dict], keys: list[str]) -> dict:
    """The median of each key over the runs."""
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def median_ratio(values: list[float], references: list[float]) -> float:
    """The median of value / reference, run by run (runs without a reference left out)."""
    ratios = [v / r for v, r in zip(values, references, strict=True) if r]
    return statistics.median(ratios) if ratios else 0.0


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with `share` of all at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    return f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}"


def installed(package: str) -> str:
    try:
        return package_version(package)
    except PackageNotFoundError:
        return "?"


def versions() -> str:
    """Python, Django, gunicorn and wrk versions (read without importing Django)."""
    return (
        f"Python {platform.python_version()}, Django {installed('django')}, "
        f"gunicorn {installed('gunicorn')}, wrk {wrk.version()}"
    )


def git_commit() -> str:
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=BASE_DIR, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def heading() -> str:
    """The dated heading of a section of bench/results.md."""
    return f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {git_commit()}"


def write_results(header: str, section: str, earlier_headers: tuple[str, ...] = ()) -> None:
    """Put `section` at the top of bench/results.md, under `header`; earlier runs stay below.

    The file's header, this one or one of `earlier_headers`, is written once, at the top.
    """
    RESULTS.parent.mkdir(exist_ok=True)
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    for old in (header, *earlier_headers):
        previous = previous.removeprefix(old)
    previous = previous.lstrip("\n")
    RESULTS.write_text(header + "\n" + section + ("\n" + previous if previous else ""))
