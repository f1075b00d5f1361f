"""Temporary databases for the benchmarks: a SQLite file or a PostgreSQL database, migrated,
with the real communes and categories, and seeded with `manage.py seed_catalogue`."""

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from bench.common import log, manage

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
T = TypeVar("T")


class Unavailable(Exception):
    """The database server cannot be reached."""


def execute(url: str, sql: str) -> None:
    """Run one statement on the PostgreSQL database at `url`, outside a transaction."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql)


def create_pg_database(name: str, server: str = PG_SERVER) -> str | None:
    """Create an empty database `name`; a reason when PostgreSQL cannot be reached."""
    try:
        execute(f"{server}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        execute(f"{server}/postgres", f"CREATE DATABASE {name}")
    except Exception as error:  # any connection problem means: no PostgreSQL here
        return f"cannot reach {server} ({error.__class__.__name__}: {error})".strip()
    return None


def drop_pg_database(name: str, server: str = PG_SERVER) -> None:
    with contextlib.suppress(Exception):
        execute(f"{server}/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextlib.contextmanager
def temporary_database(
    vendor: str, name: str, folder: Path, server: str = PG_SERVER
) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database: `folder/name.sqlite3`, or the PostgreSQL
    database `name` on `server`, dropped at the end. Raises Unavailable if there is none."""
    if vendor == "sqlite":
        path = Path(folder) / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    if problem := create_pg_database(name, server):
        raise Unavailable(problem)
    try:
        yield f"{server}/{name}"
    finally:
        drop_pg_database(name, server)


def on_new_database(
    vendor: str, name: str, folder: Path, measure: Callable[[str], T], server: str = PG_SERVER
) -> T | None:
    """measure(DATABASE_URL) on a new database (temporary_database); None, said on stderr,
    when PostgreSQL cannot be reached."""
    try:
        with temporary_database(vendor, name, folder, server) as url:
            return measure(url)
    except Unavailable as problem:
        log(f"PostgreSQL skipped: {problem}")
        return None


def prepare(
    env: dict, products: int = 0, seed: int = 2025, quiet: bool = True, deadline: float = 0
) -> float:
    """Migrate the database of env["DATABASE_URL"], load the communes and categories and, given
    products, run seed_catalogue (and VACUUM ANALYZE on PostgreSQL, as autovacuum would before
    the first visitor). Returns the seconds seed_catalogue took. Given a deadline (a
    time.monotonic() value), a step still running then is stopped: TimeoutExpired."""

    def step(*arguments: str, **kwargs) -> None:
        if deadline:
            kwargs["timeout"] = max(1.0, deadline - time.monotonic())
        manage(env, *arguments, **kwargs)

    step("migrate", "--noinput", "-v0")
    step("loaddata", "communes", "categories", "-v0")
    if not products:
        return 0.0
    started = time.monotonic()
    output = subprocess.DEVNULL if quiet else sys.stderr
    step("seed_catalogue", "--products", str(products), "--seed", str(seed), stdout=output)
    seconds = time.monotonic() - started
    if env["DATABASE_URL"].startswith("postgres"):
        execute(env["DATABASE_URL"], "VACUUM ANALYZE")
    return seconds
