"""wrk (Debian's package, installed when missing) and its `--latency` output."""

import os
import re
import shutil
import subprocess

from bench.common import log

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    log("wrk is missing: installing Debian's package")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)


def version() -> str:
    words = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return words[1] if len(words) > 1 else "?"


def wrk(
    url: str, duration: float, connections: int = 8, threads: int = 2, gzip: bool = False
) -> dict:
    """Drive `url` for `duration` seconds; parse_wrk's figures."""
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}"]
    command += [f"-d{duration}s", "--timeout", "10s", "--latency"]
    if gzip:
        command += ["-H", "Accept-Encoding: gzip"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def parse_wrk(output: str) -> dict:
    """Requests/s, p50, p99 and max (ms) and errors from `wrk --latency` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS[match[2]] if match else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    # "Latency   12.3ms    4.5ms  98.7ms   75.0%": average, deviation, max.
    slowest = re.search(r"^\s+Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)", output, re.MULTILINE)
    return {
        "rps": float(rps[1]) if rps else 0.0,
        "p50": latency("50"),
        "p99": latency("99"),
        "max": float(slowest[1]) * UNITS[slowest[2]] if slowest else float("nan"),
        "requests": int(requests[1]) if requests else 0,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        # Read errors are gunicorn's sync workers closing idle keep-alive connections.
        "errors": sum(int(n) for n in socket_errors.group(1, 3, 4)) if socket_errors else 0,
    }
