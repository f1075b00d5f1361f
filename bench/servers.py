"""gunicorn for the benchmarks: a free port on 127.0.0.1, start, wait, drain, memory, stop."""

import contextlib
import random
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench.common import BASE_DIR, PYTHON, log

GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def free_port() -> int:
    for _ in range(100):
        port = random.randint(20000, 29999)
        with socket.socket() as probe_socket:
            try:
                probe_socket.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-29999")


@contextlib.contextmanager
def gunicorn(
    env: dict, workers: int, log_path: Path, ready_path: str = "/"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of `gunicorn ocop_site.wsgi` on a free port, once `ready_path`
    answers 200; its output goes to log_path. Stopped at the end."""
    port = free_port()
    command = [GUNICORN, "ocop_site.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--max-requests", "0", "--no-control-socket"]  # RSS shows any growth
    if (BASE_DIR / "gunicorn.conf.py").exists():
        command += ["-c", str(BASE_DIR / "gunicorn.conf.py")]
    with log_path.open("ab") as output:
        server = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + ready_path, server)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.returncode}")
        with contextlib.suppress(OSError):
            if fetch(url) == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


def fetch(url: str, timeout: float = 60) -> int:
    with contextlib.suppress(urllib.error.HTTPError):
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    return 0


def drain(url: str, workers: int) -> None:
    """Wait until the workers have finished what wrk left behind.

    A sync worker answers every request it accepted, even after wrk hung up: without this,
    the requests queued at the end of a slow page would be timed with the next URL.
    """
    started = time.monotonic()
    for _ in range(workers):
        fetch(url, timeout=300)
    if (waited := time.monotonic() - started) > 1:
        log(f"waited {waited:.0f} s for requests left over by the previous URL")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    with contextlib.suppress(OSError):
        return [int(pid) for pid in children.read_text().split()]
    return []


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def workers_rss(server: subprocess.Popen) -> dict[str, float]:
    """The resident memory of gunicorn's workers: the largest and the sum, in MB."""
    rss = [rss_mb(pid) for pid in worker_pids(server.pid)]
    return {"rss_max_mb": max(rss, default=0), "rss_sum_mb": sum(rss)}
