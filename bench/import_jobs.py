"""Time a large import through the admin, run by the background worker, on PostgreSQL.

    .venv/bin/python -m bench.import_jobs [--rows 20000] [--postgres URL]

A new database (ocop_bench_jobs, created and dropped here) with the real communes and
categories; a synthetic register (bench/imports.py); one `manage.py db_worker`. A staff
member uploads the file in the admin (its preview then runs as a job), follows the preview's
page until it is done, confirms, and follows the import's page until it is done, as a browser
would (a request every second). Reported: every request's time (the longest must stay under
2 s), the progress the pages showed, and each job's time and rows per second.
"""

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import databases
from bench.common import (
    BASE_DIR,
    PYTHON,
    clean_environ,
    log,
    manage,
    run_json,
    settings,
    setup_django,
)
from bench.imports import build_register

PG_DATABASE = "ocop_bench_jobs"
POLL_SECONDS = 1.0


def follow(client, url: str, requests: list) -> list[tuple[float, int, int | None]]:
    """GET the job's page every POLL_SECONDS until it is finished: the progress seen."""
    from django.urls import resolve

    from registry.models import ImportJob

    job_id = resolve(url).kwargs["object_id"]
    seen, started = [], time.monotonic()
    while True:
        begin = time.perf_counter()
        response = client.get(url)
        requests.append(("GET job page", time.perf_counter() - begin, response.status_code))
        job = ImportJob.objects.get(pk=job_id)  # as the page showed it
        seen.append((round(time.monotonic() - started, 1), job.rows_done, job.rows_total))
        if job.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}:
            return seen
        time.sleep(POLL_SECONDS)


def child(register: Path) -> None:
    """Inside Django, on the migrated database of DATABASE_URL, with a worker running."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from catalogue.models import Product
    from registry.models import ImportJob

    user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", "pw")
    client = Client()
    client.force_login(user)
    requests = []

    def timed(label, method, url, **kwargs):
        begin = time.perf_counter()
        response = getattr(client, method)(url, **kwargs)
        requests.append((label, time.perf_counter() - begin, response.status_code))
        return response

    started = time.monotonic()
    timed("GET import page", "get", reverse("admin:catalogue_product_import"))
    with register.open("rb") as file:
        response = timed(
            "POST upload", "post", reverse("admin:catalogue_product_import"), data={"file": file}
        )
    preview_url = response["Location"]
    preview_progress = follow(client, preview_url, requests)
    preview = ImportJob.objects.get(kind=ImportJob.Kind.PREVIEW)
    response = timed(
        "POST confirm", "post", reverse("admin:registry_importjob_confirm", args=[preview.pk])
    )
    import_progress = follow(client, response["Location"], requests)
    total = time.monotonic() - started
    job = ImportJob.objects.get(kind=ImportJob.Kind.IMPORT)

    def seconds(job) -> float:
        return (job.finished_at - job.started_at).total_seconds()

    print(
        json.dumps(
            {
                "rows": job.rows_done,
                "status": [preview.status, job.status],
                "products": Product.objects.count(),
                "counts": job.counts,
                "preview_seconds": round(seconds(preview), 1),
                "preview_rows_per_second": round(preview.rows_done / seconds(preview)),
                "import_seconds": round(seconds(job), 1),
                "import_rows_per_second": round(job.rows_done / seconds(job)),
                "total_seconds": round(total, 1),
                "requests": len(requests),
                "longest_request": max(requests, key=lambda r: r[1]),
                "requests_by_kind": {
                    label: round(max(r[1] for r in requests if r[0] == label), 3)
                    for label in dict.fromkeys(r[0] for r in requests)
                },
                "preview_progress": preview_progress,
                "import_progress": import_progress,
            }
        )
    )


def measure(register: Path, folder: Path, database_url: str) -> dict:
    env = clean_environ() | settings(
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="testserver,localhost",
        IMPORTS_ROOT=str(folder / "imports"),
        STATIC_ROOT=str(folder / "static"),  # production mode: the admin needs its manifest
    )
    databases.prepare(env)
    manage(env, "collectstatic", "--noinput", "-v0")
    command = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"]
    worker = subprocess.Popen(
        [PYTHON, "manage.py", *command],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        return run_json("bench.import_jobs", ["--child", str(register)], env)
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_jobs", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgres", default=databases.PG_SERVER)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "register.csv"
        build_register(register, args.rows)
        log(f"{args.rows} rows, {register.stat().st_size / 1e6:.1f} MB; PostgreSQL {PG_DATABASE}")
        result = databases.on_new_database(
            "postgres",
            PG_DATABASE,
            Path(folder),
            lambda url: measure(register, Path(folder), url),
            args.postgres,
        )
    if result is None:
        raise SystemExit("PostgreSQL is not reachable")
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
